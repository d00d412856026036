package app_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"partnerportal/app/apptest"
)

func TestConsoleNotFoundForPartners(t *testing.T) {
	env := noAgreementsEnv(t)
	for _, email := range []string{"admin@northwind.test", "user@northwind.test"} {
		c := env.Client(t)
		c.SignIn(email)
		for _, p := range []string{"/console", "/console/partners"} {
			r := c.Get(p)
			if r.StatusCode != http.StatusNotFound || strings.Contains(r.Body, "metric-partners") || strings.Contains(r.Body, "partner-table") {
				t.Errorf("%s GET %s: %d, want 404", email, p, r.StatusCode)
			}
		}
	}
}

func TestConsoleHomeShowsRealCounts(t *testing.T) {
	env := apptest.NewEnv(t)
	c := env.Client(t)
	c.SignIn("staff@acme.test")
	org := "(SELECT id FROM organizations WHERE slug = 'acme')"
	check := func(agreements string) {
		t.Helper()
		r := c.Get("/console")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET /console: %d", r.StatusCode)
		}
		want := map[string]int64{
			"#metric-partners":  manageCount(t, env, "SELECT count(*) FROM partners WHERE organization_id = "+org),
			"#metric-leads":     manageCount(t, env, "SELECT count(*) FROM leads WHERE organization_id = "+org),
			"#metric-in-review": manageCount(t, env, "SELECT count(*) FROM leads WHERE status = 'in_review' AND organization_id = "+org),
		}
		for sel, n := range want {
			if got := strings.TrimSpace(r.Doc.Find(sel).Text()); got != strconv.FormatInt(n, 10) {
				t.Errorf("%s shows %q, SQL says %d", sel, got, n)
			}
		}
		if got := r.Doc.Find("#metric-agreements").Text(); got != agreements {
			t.Errorf("agreements shown %q, want %q", got, agreements)
		}
		for _, href := range []string{"/console/partners", "/console/agreements"} {
			if r.Doc.Find(`main a[href="`+href+`"]`).Length() == 0 {
				t.Errorf("no link to %s", href)
			}
		}
	}
	// Acme's leads only: the numbers differ from the installation's totals.
	if all, acme := manageCount(t, env, "SELECT count(*) FROM leads"), manageCount(t, env, "SELECT count(*) FROM leads WHERE organization_id = "+org); all == acme {
		t.Fatal("demo data has no leads outside Acme; the test could not tell them apart")
	}
	check("On")
	// Change the data; the page follows.
	if _, err := env.Store.Pool.Exec(t.Context(), `UPDATE leads SET status = 'in_review'
		WHERE id IN (SELECT id FROM leads WHERE organization_id = `+org+` AND status <> 'in_review' LIMIT 7)`); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.Pool.Exec(t.Context(), "UPDATE organizations SET agreements_enabled = false WHERE slug = 'acme'"); err != nil {
		t.Fatal(err)
	}
	check("Off")
}

func TestConsolePartnersScopedToOrganization(t *testing.T) {
	env := apptest.NewEnv(t)
	names := func(r *apptest.Response) []string {
		var out []string
		r.Doc.Find("#partner-table tbody tr .partner-name").Each(func(_ int, s *goquery.Selection) {
			out = append(out, strings.TrimSpace(s.Contents().First().Text()))
		})
		return out
	}
	initech := env.Client(t)
	initech.SignIn("staff@initech.test")
	r := initech.Get("/console/partners")
	if got := names(r); r.StatusCode != http.StatusOK || len(got) != 1 || got[0] != "Initrode Resellers" {
		t.Fatalf("Initech staff sees %v (status %d)", got, r.StatusCode)
	}
	if strings.Contains(r.Body, "Northwind") || strings.Contains(r.Body, "Globex") {
		t.Fatal("Initech staff sees Acme's partners")
	}

	acme := env.Client(t)
	acme.SignIn("staff@acme.test")
	r = acme.Get("/console/partners")
	if got := names(r); len(got) != 2 || got[0] != "Globex Partners" || got[1] != "Northwind Agency" {
		t.Fatalf("Acme staff sees %v", got)
	}
	row := r.Doc.Find("#partner-table tbody tr").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Find(".partner-name").Text(), "Northwind")
	})
	cells := row.Find("td")
	leads := manageCount(t, env, "SELECT count(*) FROM leads l JOIN partners p ON p.id = l.partner_id WHERE p.name = 'Northwind Agency'")
	if tier, users, n := strings.TrimSpace(cells.Eq(1).Text()), strings.TrimSpace(cells.Eq(2).Text()), strings.TrimSpace(cells.Eq(3).Text()); tier != "Premium" || users != "2" || n != strconv.FormatInt(leads, 10) {
		t.Fatalf("Northwind row: tier %q users %q leads %q (SQL %d)", tier, users, n, leads)
	}

	// Pages of 25: add 30 partners to Initech.
	if _, err := env.Store.Pool.Exec(t.Context(), `INSERT INTO partners (organization_id, name)
		SELECT o.id, 'Reseller ' || lpad(g::text, 2, '0') FROM organizations o, generate_series(1, 30) g WHERE o.slug = 'initech'`); err != nil {
		t.Fatal(err)
	}
	r = initech.Get("/console/partners")
	next := r.Doc.Find(`.pager a[rel=next]`).AttrOr("href", "")
	if got := names(r); len(got) != 25 || got[0] != "Initrode Resellers" || next == "" {
		t.Fatalf("page 1: %d rows, first %v, next %q", len(got), got[:1], next)
	}
	r = initech.Get(next)
	if got := names(r); len(got) != 6 || got[5] != "Reseller 30" || r.Doc.Find(`.pager a[rel=prev]`).Length() != 1 {
		t.Fatalf("page 2: %v", got)
	}
}
