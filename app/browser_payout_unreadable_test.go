package app_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestBrowserUnreadablePayoutDetails looks at the pages around altered
// payout details as their users do: the partner's payout page asks for the
// details again, staff see the flag on the payout batch and the invoice,
// and the console commission row links its invoice.
func TestBrowserUnreadablePayoutDetails(t *testing.T) {
	env := noAgreementsEnv(t)
	admin := signedIn(t, env, "admin@northwind.test")
	if r := admin.Post("/manage/payout", url.Values{"method": {"bank_transfer"}, "currency": {"USD"},
		"account_holder": {"Northwind Agency LLC"}, "iban": {"DE89370400440532013000"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", r.StatusCode)
	}
	if _, err := env.Store.Pool.Exec(t.Context(), `UPDATE partner_payout_settings SET sealed = set_byte(sealed, 20, get_byte(sealed, 20) # 1)
		WHERE partner_id = (SELECT id FROM partners WHERE name = 'Northwind Agency')`); err != nil {
		t.Fatal(err)
	}
	id, number, batch := invoiceSamples(t, env, true)

	partner := newBrowser(t, env)
	partner.signIn("admin@northwind.test")
	partner.open("/manage/payout")
	partner.screenshotAt("payout-unreadable", 1280)
	partner.screenshotAt("payout-unreadable-390", 390)
	if got := partner.text("#payout-unreadable"); !strings.Contains(got, "Your saved payout details can't be read") {
		t.Errorf("partner's payout page says %q", got)
	}

	staff := newBrowser(t, env)
	staff.signIn("staff@acme.test")
	staff.open("/console/payouts/" + strconv.FormatInt(batch, 10))
	staff.screenshotAt("batch-unreadable", 1280)
	staff.screenshotAt("batch-unreadable-390", 390)
	if got := staff.text("#invoice-" + strconv.FormatInt(id, 10) + " .payout-unreadable"); !strings.Contains(got, "unreadable") {
		t.Errorf("batch row says %q", got)
	}
	staff.open("/console/invoices/" + strconv.FormatInt(id, 10))
	staff.screenshotAt("invoice-unreadable", 1280)
	if got := staff.text("#payout-unreadable"); !strings.Contains(got, "can't be read") {
		t.Errorf("console invoice says %q", got)
	}
	staff.open("/console/commissions?status=approved")
	staff.screenshotAt("commissions-invoice-link", 1280)
	staff.screenshotAt("commissions-invoice-link-390", 390)
	if got := staff.text("#console-commission-table a.commission-invoice"); got != number {
		t.Errorf("commission row links %q, want %s", got, number)
	}
}
