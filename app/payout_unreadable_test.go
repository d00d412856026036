package app_test

import (
	"bytes"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"partnerportal/app/apptest"
)

// TestUnreadablePayoutDetails: Northwind's sealed payout row is altered in
// the database (one ciphertext byte flipped; then a key id that PAYOUT_KEYS
// does not hold). The partner's payout page says the details can't be read
// and asks for them again (no 500, the saved IBAN is not kept behind an
// empty field), the invoice run still issues the invoice, flagged "payout
// details missing" with the admins told, staff see the flag on the payout
// batch and the invoice, the payout files leave the row out, and the log
// names the row but carries neither the IBAN nor the sealed bytes.
func TestUnreadablePayoutDetails(t *testing.T) {
	var logs bytes.Buffer
	env := apptest.NewEnv(t, apptest.Options{LogWriter: &logs})
	ctx := t.Context()
	if _, err := env.Store.Pool.Exec(ctx, "UPDATE organizations SET agreements_enabled = false"); err != nil {
		t.Fatal(err)
	}
	admin := signedIn(t, env, "admin@northwind.test")
	const ibanNW = "DE89370400440532013000"
	save := url.Values{"method": {"bank_transfer"}, "currency": {"USD"}, "account_holder": {"Northwind Agency LLC"}, "iban": {ibanNW}}
	if r := admin.Post("/manage/payout", save); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", r.StatusCode)
	}
	northwind := `partner_id = (SELECT id FROM partners WHERE name = 'Northwind Agency')`
	var sealed []byte
	if err := env.Store.Pool.QueryRow(ctx, `SELECT sealed FROM partner_payout_settings WHERE `+northwind).Scan(&sealed); err != nil {
		t.Fatal(err)
	}

	for _, tamper := range []struct{ name, sql string }{
		{"ciphertext byte flipped", `UPDATE partner_payout_settings SET sealed = set_byte(sealed, 20, get_byte(sealed, 20) # 1) WHERE ` + northwind},
		{"key id not configured", `UPDATE partner_payout_settings SET sealed_key_id = 'retired' WHERE ` + northwind},
	} {
		t.Run(tamper.name, func(t *testing.T) {
			if r := admin.Post("/manage/payout", save); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("save: %d", r.StatusCode)
			}
			if _, err := env.Store.Pool.Exec(ctx, tamper.sql); err != nil {
				t.Fatal(err)
			}
			r := admin.Get("/manage/payout")
			if r.StatusCode != http.StatusOK || r.Doc.Find("#payout-unreadable").Length() != 1 ||
				!strings.Contains(r.Doc.Find("#payout-unreadable").Text(), "can't be read") {
				t.Fatalf("payout page: %d %q", r.StatusCode, r.Doc.Find("main").Text())
			}
			if strings.Contains(r.Body, "3000") || r.Doc.Find("#iban-hint").Length() != 0 || r.Doc.Find("#payout-saved").Length() != 0 {
				t.Error("the page offers to keep details it cannot read")
			}
			// An empty IBAN cannot mean "keep the saved one" now.
			keep := url.Values{"method": {"bank_transfer"}, "currency": {"USD"}, "account_holder": {"Northwind Agency LLC"}, "iban": {""}}
			if r := admin.Post("/manage/payout", keep); r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find("#iban-error").Length() != 1 {
				t.Errorf("save without an IBAN over unreadable details: %d", r.StatusCode)
			}
		})
	}

	// The run issues the invoice anyway, flagged, and tells the admins.
	id, number, batch := invoiceSamples(t, env, true)
	if n := invCount(t, env, `SELECT count(*) FROM invoices WHERE id = $1 AND payout_details_missing AND payout_masked = ''`, id); n != 1 {
		t.Error("the invoice is not flagged payout details missing")
	}
	if n := invCount(t, env, `SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id
		WHERE u.email = 'admin@northwind.test' AND n.body LIKE '%' || $1 || '%saved payout details can''t be read%'`, number); n != 1 {
		t.Errorf("%d payout-details notifications for %s", n, number)
	}
	if r := admin.Get("/payments/invoices/" + strconv.FormatInt(id, 10)); r.StatusCode != http.StatusOK ||
		!strings.Contains(r.Doc.Find("#invoice-payout").Text(), "Payout details missing") {
		t.Errorf("partner's invoice page: %d %q", r.StatusCode, r.Doc.Find("#invoice-payout").Text())
	}

	// Staff: the batch and the invoice flag it; the files leave the row out.
	staff := signedIn(t, env, "staff@acme.test")
	bid := "/console/payouts/" + strconv.FormatInt(batch, 10)
	r := staff.Get(bid)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Doc.Find("#invoice-"+strconv.FormatInt(id, 10)+" .payout-unreadable").Text(), "unreadable") {
		t.Errorf("payout batch: %d %q", r.StatusCode, r.Doc.Find("#batch-invoices").Text())
	}
	r = staff.Get("/console/invoices/" + strconv.FormatInt(id, 10))
	if r.StatusCode != http.StatusOK || r.Doc.Find("#payout-unreadable").Length() != 1 {
		t.Errorf("console invoice: %d", r.StatusCode)
	}
	if r := staff.Get(bid + "/payouts.csv"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "payout details missing") || strings.Contains(r.Body, ibanNW) {
		t.Errorf("payout CSV: %d %q", r.StatusCode, r.Body)
	}
	if r := staff.Post(bid+"/paid", url.Values{"paid_on": {""}, "reference": {"B1"}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("batch form with an unreadable row: %d", r.StatusCode)
	}

	// Entered again, the details open and the flag goes away.
	if r := admin.Post("/manage/payout", save); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save again: %d", r.StatusCode)
	}
	if r := admin.Get("/manage/payout"); r.Doc.Find("#payout-unreadable").Length() != 0 || r.Doc.Find("#saved-iban").Text() != "DE•• •••• •••• •••• 3000" {
		t.Errorf("after entering them again: %q", r.Doc.Find("#saved-iban").Text())
	}
	if r := staff.Get(bid); strings.Contains(r.Doc.Find("#batch-invoices").Text(), "unreadable") {
		t.Error("the batch still flags details that open")
	}

	log := logs.String()
	if !strings.Contains(log, "payout details do not open") {
		t.Error("the failure is not logged")
	}
	for _, secret := range []string{ibanNW, "0532013000", hex.EncodeToString(sealed), apptest.PayoutKeySpec[strings.Index(apptest.PayoutKeySpec, ":")+1:]} {
		if strings.Contains(log, secret) {
			t.Errorf("the log contains %q", secret)
		}
	}
}
