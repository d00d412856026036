package app_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestConsoleProgramAndPartnerTier(t *testing.T) {
	env, _ := commissionEnv(t)
	staff := signedIn(t, env, "staff@acme.test")
	r := staff.Get("/console/program")
	if r.StatusCode != 200 || !strings.Contains(r.Doc.Find(".tier").Text(), "Premium") || !strings.Contains(r.Body, "15%") {
		t.Fatalf("program page: %d", r.StatusCode)
	}
	partnerAdmin := signedIn(t, env, "admin@northwind.test")
	if r := partnerAdmin.Get("/console/program"); r.StatusCode == 200 {
		t.Fatal("a partner admin opened the program page")
	}

	// Rules: refused input keeps the old values.
	if r := staff.Post("/console/program/settings", url.Values{"hold_days": {"-1"}, "approval": {"auto"}}); r.StatusCode != 422 {
		t.Errorf("bad hold: %d", r.StatusCode)
	}
	if d := queryInt(t, env, "SELECT commission_hold_days FROM organizations WHERE slug = 'acme'"); d != 30 {
		t.Errorf("hold %d after a refused change", d)
	}
	staff.Post("/console/program/settings", url.Values{"hold_days": {"10"}, "approval": {"auto"}})
	if s := rvStr(t, env, "SELECT commission_hold_days || ' ' || commission_approval FROM organizations WHERE slug = 'acme'"); s != "10 auto" {
		t.Errorf("rules %q", s)
	}

	// A new tier: a refused rate saves nothing, then a good one with an incentive.
	bad := url.Values{"name": {"Gold"}, "rate": {"150"}, "trigger_stage": {"won"}}
	if r := staff.Post("/console/program/tiers", bad); r.StatusCode != 422 || !strings.Contains(r.Body, "0 to 100 percent") {
		t.Errorf("bad rate: %d", r.StatusCode)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM tiers WHERE name = 'Gold'"); n != 0 {
		t.Fatal("a refused tier was saved")
	}
	staff.Post("/console/program/tiers", url.Values{"name": {"Gold"}, "rate": {"12.5"}, "trigger_stage": {"won"}, "incentive_qualified": {"50"}})
	gold := queryInt(t, env, "SELECT id FROM tiers WHERE name = 'Gold' AND commission_bps = 1250 AND organization_id = (SELECT id FROM organizations WHERE slug = 'acme')")
	if n := queryInt(t, env, "SELECT amount_minor FROM tier_stage_incentives WHERE tier_id = $1 AND stage = 'qualified'", gold); n != 5000 {
		t.Errorf("incentive %d", n)
	}
	// Editing Premium's rate.
	premium := queryInt(t, env, "SELECT id FROM tiers WHERE name = 'Premium' AND organization_id = (SELECT id FROM organizations WHERE slug = 'acme')")
	staff.Post(fmt.Sprintf("/console/program/tiers/%d", premium), url.Values{"name": {"Premium"}, "rate": {"20"}, "trigger_stage": {"won"}, "position": {"1"}})
	if b := queryInt(t, env, "SELECT commission_bps FROM tiers WHERE id = $1", premium); b != 2000 {
		t.Errorf("Premium at %d bp", b)
	}

	// Northwind moves to Gold: recorded, and the next won lead earns Gold's rate.
	northwind := queryInt(t, env, "SELECT id FROM partners WHERE name = 'Northwind Agency'")
	initech := signedIn(t, env, "staff@initech.test")
	if r := initech.Get(fmt.Sprintf("/console/partners/%d", northwind)); r.StatusCode != 404 {
		t.Errorf("another organization's staff open Northwind: %d", r.StatusCode)
	}
	initech.Post(fmt.Sprintf("/console/partners/%d/tier", northwind), url.Values{"tier_id": {""}})
	staff.Post(fmt.Sprintf("/console/partners/%d/tier", northwind), url.Values{"tier_id": {fmt.Sprint(gold)}})
	if n := queryInt(t, env, "SELECT tier_id FROM partners WHERE id = $1", northwind); n != gold {
		t.Fatalf("Northwind in tier %d, want %d", n, gold)
	}
	if s := rvStr(t, env, `SELECT from_tier_name || '>' || to_tier_name || ':' || (changed_by IS NOT NULL)
		FROM partner_tier_changes WHERE partner_id = $1`, northwind); s != "Premium>Gold:true" {
		t.Errorf("history %q", s)
	}
	page := staff.Get(fmt.Sprintf("/console/partners/%d", northwind))
	if !strings.Contains(page.Doc.Find("#current-tier").Text(), "Gold") || page.Doc.Find("#tier-history li").Length() != 1 {
		t.Errorf("partner page: %q", page.Doc.Find("#current-tier").Text())
	}
	if got := partnerAdmin.Get("/dashboard/rewards").Doc.Find("#tier-incentives").Text(); !strings.Contains(got, "$50.00 when a lead first reaches Qualified") {
		t.Errorf("Rewards incentives %q", got)
	}
	lead := openNorthwindLead(t, env, "After The Move", "USD")
	staff.Post(fmt.Sprintf("/console/leads/%d/outcome", lead), url.Values{"outcome": {"won"}, "revenue": {"10000"}})
	waitForCommission(t, env, lead, 2)
	if s := rvStr(t, env, `SELECT string_agg(kind || ':' || amount_minor || ':' || tier_name, ',' ORDER BY kind) FROM commissions WHERE lead_id = $1`, lead); s != "revenue_share:125000:Gold,stage_incentive:5000:Gold" {
		t.Errorf("commissions after the move: %s", s)
	}

	// Retiring Gold stamps it with the clock's time; restoring clears it.
	retired := env.Clock.Now()
	staff.Post(fmt.Sprintf("/console/program/tiers/%d/retire", gold), url.Values{"retire": {"true"}})
	stampedByClock(t, env, retired, "SELECT retired_at FROM tiers WHERE id = $1", gold)
	staff.Post(fmt.Sprintf("/console/program/tiers/%d/retire", gold), url.Values{"retire": {"false"}})
	if n := queryInt(t, env, "SELECT count(*) FROM tiers WHERE id = $1 AND retired_at IS NULL", gold); n != 1 {
		t.Error("a restored tier is still retired")
	}
	noZeroTimes(t, env)
}
