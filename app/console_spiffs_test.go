package app_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSpiffCampaignFromConsoleToPartner(t *testing.T) {
	env, _ := commissionEnv(t)
	admin := signedIn(t, env, "admin@northwind.test")
	staff := signedIn(t, env, "staff@acme.test")
	ny, _ := time.LoadLocation("America/New_York") // Acme's zone: campaign days are its days
	today := env.Clock.Now().In(ny).Format("2006-01-02")
	later := env.Clock.Now().In(ny).AddDate(0, 1, 0).Format("2006-01-02")
	if r := staff.Post("/console/spiffs", url.Values{"name": {""}, "amount": {"-5"}, "currency": {"USD"}, "starts": {today}, "ends": {later}, "rule": {"stage"}}); r.StatusCode != 422 {
		t.Errorf("bad campaign: %d", r.StatusCode)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM spiff_campaigns"); n != 0 {
		t.Fatal("a refused campaign was saved")
	}
	staff.Post("/console/spiffs", url.Values{"name": {"Winter push"}, "amount": {"250"}, "currency": {"USD"}, "starts": {today},
		"ends": {later}, "rule": {"stage"}, "stage": {"won"}, "status": {"active"}})
	staff.Post("/console/spiffs", url.Values{"name": {"Case study"}, "amount": {"100"}, "currency": {"USD"}, "starts": {today},
		"ends": {later}, "rule": {"manual"}, "status": {"active"}})
	if p := admin.Get("/payments/spiffs"); !strings.Contains(p.Doc.Find("#active-spiffs").Text(), "Winter push") {
		t.Fatalf("the partner does not see the running SPIFF: %s", p.Doc.Find("main").Text())
	}
	lead := openNorthwindLead(t, env, "Spiff Winner", "USD")
	staff.Post(fmt.Sprintf("/console/leads/%d/outcome", lead), url.Values{"outcome": {"won"}, "revenue": {"1000"}})
	waitForCommission(t, env, lead, 2)
	manual := queryInt(t, env, "SELECT id FROM spiff_campaigns WHERE name = 'Case study'")
	partner := queryInt(t, env, "SELECT id FROM partners WHERE name = 'Northwind Agency'")
	form := url.Values{"partner": {fmt.Sprint(partner)}, "note": {"Published the Contoso story"}, "key": {"award-form-key-1"}}
	staff.Post(fmt.Sprintf("/console/spiffs/%d/award", manual), form)
	staff.Post(fmt.Sprintf("/console/spiffs/%d/award", manual), form) // sent twice
	if n := queryInt(t, env, "SELECT count(*) FROM commissions WHERE kind = 'spiff' AND partner_id = $1", partner); n != 2 {
		t.Fatalf("%d SPIFF awards, want the won lead's and one manual", n)
	}
	body := admin.Get("/payments/spiffs").Doc.Find("#commission-table").Text()
	if !strings.Contains(body, "Spiff Winner") || !strings.Contains(body, "Published the Contoso story") || !strings.Contains(body, "$250.00") {
		t.Errorf("SPIFF tab: %q", body)
	}
	// Ended: no longer shown, no more awards.
	staff.Post(fmt.Sprintf("/console/spiffs/%d/status", manual), url.Values{"status": {"ended"}})
	staff.Post(fmt.Sprintf("/console/spiffs/%d/award", manual), url.Values{"partner": {fmt.Sprint(partner)}, "key": {"award-form-key-2"}})
	if n := queryInt(t, env, "SELECT count(*) FROM commissions WHERE kind = 'spiff' AND partner_id = $1", partner); n != 2 {
		t.Errorf("an ended campaign awarded: %d", n)
	}
}
