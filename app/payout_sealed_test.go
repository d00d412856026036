package app_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"partnerportal/app/apptest"
	"partnerportal/app/invoice"
	"partnerportal/app/vault"
)

// TestPayoutDetailsSealedAtRest: an IBAN saved through the form, and one
// left in plaintext by an earlier release, are found nowhere in a pg_dump of
// the database after `portal keys rotate` (invoice.Reseal) with a new key;
// the page still shows them masked; a sealed value copied into another
// partner's row does not open; the log never carries them.
func TestPayoutDetailsSealedAtRest(t *testing.T) {
	var logs bytes.Buffer
	env := apptest.NewEnv(t, apptest.Options{LogWriter: &logs})
	if _, err := env.Store.Pool.Exec(t.Context(), "UPDATE organizations SET agreements_enabled = false"); err != nil {
		t.Fatal(err)
	}
	c := env.Client(t)
	c.SignIn("admin@northwind.test")
	const northwindIBAN, legacyIBAN = "DE89370400440532013000", "GB29NWBK60161331926819"
	r := c.Post("/manage/payout", url.Values{"method": {"bank_transfer"}, "currency": {"EUR"},
		"account_holder": {"Zoë Müller-Łukasiewicz"}, "iban": {northwindIBAN}, "bic": {"COBADEFFXXX"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/manage/payout" {
		t.Fatalf("save: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	ctx := t.Context()
	// A row from before sealing: plaintext columns only.
	if _, err := env.Store.Pool.Exec(ctx, `INSERT INTO partner_payout_settings (organization_id, partner_id, method, account_holder, iban, currency)
		SELECT organization_id, id, 'bank_transfer', 'Globex Partners Ltd', $1, 'GBP' FROM partners WHERE name = 'Globex Partners'`, legacyIBAN); err != nil {
		t.Fatal(err)
	}
	dump := func() string {
		t.Helper()
		out, err := exec.Command("pg_dump", "--data-only", env.Store.Pool.Config().ConnString()).Output()
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	if d := dump(); strings.Contains(d, northwindIBAN) || strings.Contains(d, "370400440532013000") {
		t.Fatal("the IBAN saved through the form is in the dump in plaintext")
	} else if !strings.Contains(d, legacyIBAN) {
		t.Fatal("the legacy row is not in the dump: the check above proves nothing")
	}

	// Rotate: a new current key, the old one kept to open what it sealed.
	rotated, err := vault.Parse(vault.NewKeySpec("k2") + "," + vault.NewKeySpec("unused"))
	if err != nil {
		t.Fatal(err)
	}
	// Without the key the form's row was sealed under, that row is named
	// and passed over; the legacy plaintext row is still sealed.
	first, err := invoice.Reseal(ctx, env.Store, rotated)
	var unreadable invoice.UnreadableRows
	if !errors.As(err, &unreadable) || len(unreadable) != 1 || first != 1 {
		t.Fatalf("reseal without the old key: %d resealed, err %v; want 1 resealed and 1 unreadable row named", first, err)
	}
	if strings.Contains(err.Error(), northwindIBAN) {
		t.Fatal("the error names the IBAN")
	}
	spec := vault.NewKeySpec("k2")
	both, err := vault.Parse(spec + "," + apptest.PayoutKeySpec)
	if err != nil {
		t.Fatal(err)
	}
	n, err := invoice.Reseal(ctx, env.Store, both)
	if err != nil || n != 1 {
		t.Fatalf("resealed %d: %v", n, err)
	}
	if n, _ := invoice.Reseal(ctx, env.Store, both); n != 0 {
		t.Errorf("a second rotate resealed %d rows", n)
	}
	d := dump()
	for _, plain := range []string{northwindIBAN, legacyIBAN, "Globex Partners Ltd", "Zoë", "COBADEFFXXX"} {
		if strings.Contains(d, plain) {
			t.Errorf("%q is in the dump after rotation", plain)
		}
	}
	var wrongKey int
	_ = env.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM partner_payout_settings WHERE sealed_key_id <> 'k2' OR sealed IS NULL`).Scan(&wrongKey)
	if wrongKey != 0 {
		t.Errorf("%d rows not under the new key", wrongKey)
	}
	// The portal, now on the rotated keys, still shows them masked.
	env.Config.PayoutKeys = both
	r = c.Get("/manage/payout")
	if got := r.Doc.Find("#saved-iban").Text(); got != "DE•• •••• •••• •••• 3000" {
		t.Fatalf("masked IBAN after rotation %q", got)
	}
	// Northwind's sealed value copied into Globex's row does not open there.
	if _, err := env.Store.Pool.Exec(ctx, `UPDATE partner_payout_settings g SET sealed = n.sealed, sealed_key_id = n.sealed_key_id
		FROM partner_payout_settings n JOIN partners np ON np.id = n.partner_id AND np.name = 'Northwind Agency'
		WHERE g.partner_id = (SELECT id FROM partners WHERE name = 'Globex Partners')`); err != nil {
		t.Fatal(err)
	}
	var org, globex int64
	var keyID string
	var sealed []byte
	_ = env.Store.Pool.QueryRow(ctx, `SELECT organization_id, partner_id, sealed_key_id, sealed FROM partner_payout_settings
		WHERE partner_id = (SELECT id FROM partners WHERE name = 'Globex Partners')`).Scan(&org, &globex, &keyID, &sealed)
	if _, err := invoice.OpenDetails(both, org, globex, keyID, sealed); err == nil {
		t.Error("another partner's sealed details opened")
	}
	g := env.Client(t)
	g.SignIn("admin@globex.test")
	if r := g.Get("/manage/payout"); r.StatusCode != http.StatusOK || r.Doc.Find("#payout-unreadable").Length() != 1 || strings.Contains(r.Body, "3000") {
		t.Errorf("Globex's page with Northwind's copied details: %d", r.StatusCode)
	}
	for _, plain := range []string{northwindIBAN, legacyIBAN, "0532013000"} {
		if strings.Contains(logs.String(), plain) {
			t.Errorf("the log contains %q", plain)
		}
	}
}
