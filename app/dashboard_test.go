package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"partnerportal/app/apptest"
)

// periodFixture clears Globex's leads and inserts leads and commissions with
// known instants around March of last year in Acme's zone (New York).
type periodFixture struct {
	env                *apptest.Env
	year               int
	ny                 *time.Location
	inMarch            []int64 // leads created in March, newest first
	lifetimeLeads      int
	custom, customPath string // ?period=custom for that March
}

func newPeriodFixture(t *testing.T) *periodFixture {
	t.Helper()
	env := noAgreementsEnv(t)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	y := env.Clock.Now().In(ny).Year() - 1
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, ny) }
	ptr := func(t time.Time) *time.Time { return &t }
	// The demo's commissions go too: the figures below are the fixture's alone.
	if _, err := env.Store.Pool.Exec(t.Context(), "DELETE FROM leads WHERE partner_id = (SELECT id FROM partners WHERE name = 'Globex Partners')"); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.Pool.Exec(t.Context(), "DELETE FROM commissions"); err != nil {
		t.Fatal(err)
	}
	gp := "Globex Partners"
	a := listInsertLead(t, env, testLead{Partner: gp, Company: "A First Minute Of March", Created: at(3, 1, 0, 30)})
	listInsertLead(t, env, testLead{Partner: gp, Company: "B Last Minute Of February", Created: at(2, 28, 23, 30)})   // March 1 in UTC
	c := listInsertLead(t, env, testLead{Partner: gp, Company: "C Last Minute Of March", Created: at(3, 31, 23, 30)}) // April 1 in UTC
	listInsertLead(t, env, testLead{Partner: gp, Company: "D First Minute Of April", Created: at(4, 1, 0, 30)})
	listInsertLead(t, env, testLead{Partner: gp, Company: "E Won In March", Status: "approved", Stage: "won", Revenue: 100000,
		Created: at(1, 10, 9, 0), Won: ptr(at(3, 15, 12, 0))})
	f := listInsertLead(t, env, testLead{Partner: gp, Company: "F Euro Deal", Status: "approved", Stage: "won", Currency: "EUR", Revenue: 50000,
		Created: at(3, 5, 9, 0), Won: ptr(at(3, 20, 12, 0))})
	g := listInsertLead(t, env, testLead{Partner: gp, Company: "G Won In April", Status: "approved", Stage: "won", Revenue: 20000,
		Created: at(3, 6, 9, 0), Won: ptr(at(4, 2, 12, 0))})
	// Not Globex's own leads: an organization referral, and Northwind's.
	listInsertLead(t, env, testLead{Partner: gp, Company: "H Referred By Acme", Source: "referral", Status: "approved", Stage: "won", Revenue: 777700,
		Created: at(3, 7, 9, 0), Won: ptr(at(3, 8, 9, 0))})
	listInsertLead(t, env, testLead{Partner: "Northwind Agency", Company: "I Northwind In March", Status: "approved", Stage: "won", Revenue: 888800,
		Created: at(3, 7, 9, 0), Won: ptr(at(3, 9, 9, 0))})
	for _, cm := range []struct {
		partner, status string
		amount          int64
		created         time.Time
		paid            *time.Time
	}{
		{gp, "pending", 10000, at(3, 10, 9, 0), nil},
		{gp, "approved", 5000, at(3, 11, 9, 0), nil},
		{gp, "pending", 99900, at(2, 10, 9, 0), nil}, // created before March
		{gp, "paid", 7000, at(2, 1, 9, 0), ptr(at(3, 25, 9, 0))},
		{gp, "paid", 3300, at(3, 1, 9, 0), ptr(at(4, 5, 9, 0))}, // paid after March
		{gp, "void", 50000, at(3, 12, 9, 0), nil},
		{"Northwind Agency", "pending", 123400, at(3, 12, 9, 0), nil},
	} {
		if _, err := env.Store.Pool.Exec(t.Context(), `
			INSERT INTO commissions (organization_id, partner_id, kind, amount_minor, currency, status, created_at, paid_at, earning_key, reason)
			SELECT organization_id, id, 'adjustment', $2, 'USD', $3, $4, $5, 'test:' || gen_random_uuid(), 'Test' FROM partners WHERE name = $1`,
			cm.partner, cm.amount, cm.status, cm.created, cm.paid); err != nil {
			t.Fatal(err)
		}
	}
	custom := fmt.Sprintf("period=custom&from=%d-03-01&to=%d-03-31", y, y)
	return &periodFixture{env: env, year: y, ny: ny, inMarch: []int64{c, g, f, a}, lifetimeLeads: 7,
		custom: custom, customPath: "/dashboard?" + custom}
}

func metric(doc *goquery.Document, id string) string {
	var parts []string
	doc.Find("#" + id).Each(func(_ int, s *goquery.Selection) {
		if spans := s.Find("span"); spans.Length() > 0 {
			spans.Each(func(_ int, sp *goquery.Selection) { parts = append(parts, strings.TrimSpace(sp.Text())) })
			return
		}
		parts = append(parts, strings.TrimSpace(s.Text()))
	})
	return strings.Join(parts, " + ")
}

func TestDashboardPeriodFigures(t *testing.T) {
	fx := newPeriodFixture(t)
	c := signedIn(t, fx.env, "admin@globex.test")
	for _, tc := range []struct {
		name, path                         string
		leads, won, revenue, pending, paid string
		label                              string
	}{
		{"custom March, in New York days", fx.customPath, "4", "2", "$1,000.00 + €500.00", "$150.00", "$70.00",
			fmt.Sprintf("Mar 1 – Mar 31, %d", fx.year)},
		{"lifetime (the default)", "/dashboard", "7", "3", "$1,200.00 + €500.00", "$1,149.00", "$103.00", "Lifetime"},
		{"last year", "/dashboard?period=last_year", "7", "3", "$1,200.00 + €500.00", "$1,149.00", "$103.00", "Last year"},
		{"this month", "/dashboard?period=this_month", "0", "0", "$0.00", "$0.00", "$0.00", "This month"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Get(tc.path)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("status %d", r.StatusCode)
			}
			for id, want := range map[string]string{"metric-leads": tc.leads, "metric-won": tc.won, "metric-revenue": tc.revenue,
				"metric-pending": tc.pending, "metric-paid": tc.paid, "period-label": tc.label} {
				if got := metric(r.Doc, id); got != want {
					t.Errorf("%s = %q, want %q", id, got, want)
				}
			}
		})
	}
	// A lead registered now is this month's.
	listInsertLead(t, fx.env, testLead{Partner: "Globex Partners", Company: "Fresh Today"})
	if got := metric(c.Get("/dashboard?period=this_month").Doc, "metric-leads"); got != "1" {
		t.Errorf("this month after a new lead: %s", got)
	}
}

func TestDashboardListFollowsThePeriod(t *testing.T) {
	fx := newPeriodFixture(t)
	c := signedIn(t, fx.env, "admin@globex.test")
	r := c.Get(fx.customPath)
	var want []string
	for _, id := range fx.inMarch {
		want = append(want, fmt.Sprintf("lead-%d", id))
	}
	if got := rowIDs(r.Doc); !slices.Equal(got, want) {
		t.Errorf("rows %v, want March's leads %v", got, want)
	}
	if tabCount(r.Doc, "") != "4" || tabCount(r.Doc, "approved") != "2" || tabCount(r.Doc, "in_review") != "2" {
		t.Errorf("tab counts %s/%s/%s", tabCount(r.Doc, ""), tabCount(r.Doc, "approved"), tabCount(r.Doc, "in_review"))
	}
	// Links and the filter form keep the period.
	href := r.Doc.Find(`.status-tabs a[data-status="approved"]`).AttrOr("href", "")
	u, _ := url.Parse(href)
	if u.Path != "/dashboard" || u.Query().Get("period") != "custom" || u.Query().Get("from") != fmt.Sprintf("%d-03-01", fx.year) ||
		u.Query().Get("status") != "approved" {
		t.Errorf("approved tab links to %q", href)
	}
	if r.Doc.Find(`#lead-filters input[type=hidden][name=period][value=custom]`).Length() != 1 {
		t.Error("the list's filter form does not carry the period")
	}
	// The period form carries the list's filters (from inside the results).
	r = c.Get(fx.customPath + "&status=approved&q=won")
	for name, want := range map[string]string{"status": "approved", "q": "won"} {
		if got := r.Doc.Find(`#lead-results input[form="period-form"][name="`+name+`"]`).AttrOr("value", "?"); got != want {
			t.Errorf("period form's %s = %q, want %q", name, got, want)
		}
	}
	if got := rowIDs(r.Doc); len(got) != 1 || got[0] != fmt.Sprintf("lead-%d", fx.inMarch[1]) {
		t.Errorf("approved March leads matching 'won': %v", got)
	}
}

func TestDashboardCustomRangeValidation(t *testing.T) {
	fx := newPeriodFixture(t)
	c := signedIn(t, fx.env, "admin@globex.test")
	y := fx.year
	for _, tc := range []struct{ query, wantErr string }{
		{fmt.Sprintf("period=custom&from=%d-03-31&to=%d-03-01", y, y), "on or before"},
		{"period=custom&from=yesterday&to=2026-13-45", "dates like"},
		{fmt.Sprintf("period=custom&from=%d-03-01", y), "both"},
		{"period=custom&from=1990-01-01&to=1990-12-31", "between 2000"},
		{"period=custom&from=2000-01-01&to=2015-01-01", "at most 10 years"},
		{"period=forever", "not one we know"},
	} {
		for _, hx := range []map[string]string{nil, {"HX-Request": "true", "HX-Target": "overview"}} {
			r := c.Do(http.MethodGet, "/dashboard?"+tc.query, nil, hx)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("%s: status %d", tc.query, r.StatusCode)
			}
			if got := r.Doc.Find("#period-error").Text(); !strings.Contains(got, tc.wantErr) || !strings.Contains(got, "lifetime") {
				t.Errorf("%s: message %q", tc.query, got)
			}
			if got := metric(r.Doc, "metric-leads"); got != "7" {
				t.Errorf("%s: falls back to %s leads, want the lifetime 7", tc.query, got)
			}
		}
	}
	// A refused custom range stays selected with what was typed, to correct it.
	r := c.Get(fmt.Sprintf("/dashboard?period=custom&from=%d-03-31&to=%d-03-01", y, y))
	if r.Doc.Find(`#period option[selected]`).AttrOr("value", "") != "custom" || r.Doc.Find("#period-from").AttrOr("value", "") != fmt.Sprintf("%d-03-31", y) {
		t.Error("the refused range is not shown for correction")
	}
}

func TestDashboardChart(t *testing.T) {
	fx := newPeriodFixture(t)
	// Late evening in New York is already the next day in UTC: the bar
	// belongs to the New York day.
	listInsertLead(t, fx.env, testLead{Partner: "Globex Partners", Company: "Late Evening",
		Created: time.Date(fx.year, 3, 10, 23, 30, 0, 0, fx.ny)})
	c := signedIn(t, fx.env, "admin@globex.test")
	r := c.Get(fx.customPath)
	svg := r.Doc.Find("#chart svg")
	if svg.Length() != 1 || svg.AttrOr("role", "") != "img" || svg.AttrOr("aria-labelledby", "") != "chart-title" ||
		svg.AttrOr("aria-describedby", "") != "chart-desc" {
		t.Fatalf("chart svg missing or not labelled")
	}
	if got := svg.Find("title#chart-title").Text(); !strings.Contains(got, "Leads and revenue") {
		t.Errorf("title %q", got)
	}
	if got := svg.Find("desc#chart-desc").Text(); !strings.Contains(got, "5 leads created, 2 won") || !strings.Contains(got, "$1,000.00 and €500.00") {
		t.Errorf("desc %q", got)
	}
	// One bucket per day of March, in New York days.
	if n := svg.Find(".chart-bars rect").Length(); n != 31 {
		t.Errorf("%d bars, want 31 days", n)
	}
	rows := map[string][]string{}
	r.Doc.Find("#chart-table tbody tr").Each(func(_ int, tr *goquery.Selection) {
		var cells []string
		tr.Find("td").Each(func(_ int, td *goquery.Selection) { cells = append(cells, td.Text()) })
		rows[tr.Find("th").Text()] = cells
	})
	day := func(d int) string { return fmt.Sprintf("Mar %d, %d", d, fx.year) }
	for k, want := range map[string]string{
		day(1):  "1 0 $0.00 €0.00",
		day(31): "1 0 $0.00 €0.00",
		day(15): "0 1 $1,000.00 €0.00",
		day(20): "0 1 $0.00 €500.00",
		day(5):  "1 0 $0.00 €0.00",
		day(2):  "0 0 $0.00 €0.00",
		day(10): "1 0 $0.00 €0.00",
		day(11): "0 0 $0.00 €0.00",
	} {
		if got := strings.Join(rows[k], " "); got != want {
			t.Errorf("table row %s = %q, want %q", k, got, want)
		}
	}
	if len(rows) != 31 {
		t.Errorf("table has %d rows", len(rows))
	}
	if headers := r.Doc.Find("#chart-table thead th").Text(); !strings.Contains(headers, "Revenue (USD)") || !strings.Contains(headers, "Revenue (EUR)") {
		t.Errorf("table headers %q", headers)
	}
	if pts := strings.Fields(svg.Find("polyline.chart-line").AttrOr("points", "")); len(pts) != 31 {
		t.Errorf("revenue line has %d points", len(pts))
	}
	// Axis tick labels exist and the x labels stay readable (not one per bar).
	if n := svg.Find(".chart-axis-bottom text").Length(); n < 4 || n > 8 {
		t.Errorf("%d x labels", n)
	}
	if svg.Find(".chart-axis-left text").Length() < 3 || svg.Find(".chart-axis-right text").Length() < 3 {
		t.Error("axis labels missing")
	}
	// CSP: no inline styles anywhere on the page.
	if n := r.Doc.Find("[style]").Length(); n != 0 {
		t.Errorf("%d elements with a style attribute", n)
	}
	// Longer spans use weeks and months; lifetime starts at the first lead.
	if n := c.Get(fmt.Sprintf("/dashboard?period=custom&from=%d-01-01&to=%d-03-31", fx.year, fx.year)).Doc.Find("#chart-table tbody tr").Length(); n < 13 || n > 14 {
		t.Errorf("a quarter has %d weekly buckets", n)
	}
	life := c.Get("/dashboard").Doc
	first := life.Find("#chart-table tbody tr th").First().Text()
	if first != fmt.Sprintf("January %d", fx.year) {
		t.Errorf("lifetime chart starts at %q, want the month of the first lead", first)
	}
	// No leads at all: an empty state instead of a chart.
	if _, err := fx.env.Store.Pool.Exec(t.Context(), "DELETE FROM leads WHERE partner_id = (SELECT id FROM partners WHERE name = 'Globex Partners')"); err != nil {
		t.Fatal(err)
	}
	r = c.Get("/dashboard")
	if r.Doc.Find("#chart svg").Length() != 0 || r.Doc.Find(".chart-empty").Length() != 1 || r.Doc.Find("#lead-empty").Length() != 1 {
		t.Error("empty dashboard: want the empty states")
	}
}

func TestDashboardFragments(t *testing.T) {
	fx := newPeriodFixture(t)
	c := signedIn(t, fx.env, "admin@globex.test")
	y := fx.year
	canonical := fmt.Sprintf("/dashboard?from=%d-03-01&period=custom&to=%d-03-31", y, y)
	// The period form as a browser sends it (empty fields included).
	sent := func(status string) string {
		return fmt.Sprintf("/dashboard?period=custom&from=%d-03-01&to=%d-03-31&status=%s&q=&sort=created&dir=desc", y, y, status)
	}

	// A period change: one fragment with the figures, the chart and the list.
	r := c.Do(http.MethodGet, sent(""), nil, map[string]string{"HX-Request": "true", "HX-Target": "overview"})
	if strings.Contains(r.Body, "<html") || r.Doc.Find("header.topbar").Length() != 0 {
		t.Error("the overview fragment carries the layout")
	}
	for _, sel := range []string{"#overview", "#metric-leads", "#chart svg", "#lead-filters", "#lead-results", "#period-form"} {
		if r.Doc.Find(sel).Length() != 1 {
			t.Errorf("the overview fragment has no %s", sel)
		}
	}
	if got := r.Header.Get("HX-Push-Url"); got != canonical {
		t.Errorf("HX-Push-Url %q, want %q", got, canonical)
	}
	if v := r.Header.Get("Vary"); !strings.Contains(v, "HX-Request") || !strings.Contains(v, "HX-Target") {
		t.Errorf("Vary %q", v)
	}
	if got := metric(r.Doc, "metric-leads"); got != "4" {
		t.Errorf("fragment Leads %s", got)
	}

	// A list filter on the dashboard: only the results.
	r = c.Do(http.MethodGet, sent("approved"), nil, map[string]string{"HX-Request": "true", "HX-Target": "lead-results"})
	if r.Doc.Find("#metric-leads, #chart, #lead-filters").Length() != 0 || r.Doc.Find("#lead-results").Length() != 1 {
		t.Error("the results fragment carries more than the results")
	}
	if got := r.Header.Get("HX-Push-Url"); got != fmt.Sprintf("/dashboard?from=%d-03-01&period=custom&status=approved&to=%d-03-31", y, y) {
		t.Errorf("HX-Push-Url %q", got)
	}

	// The pushed address, loaded on its own (reload, shared link) or restored
	// from history, is the full page showing the same thing.
	for _, h := range []map[string]string{nil, {"HX-Request": "true", "HX-History-Restore-Request": "true"}} {
		r = c.Do(http.MethodGet, canonical+"&status=approved", nil, h)
		if r.Doc.Find("header.topbar").Length() != 1 || r.Doc.Find("#overview #metric-leads").Length() != 1 {
			t.Errorf("%v: not the full page", h)
		}
		if got := rowIDs(r.Doc); len(got) != 2 {
			t.Errorf("%v: %d approved March leads, want 2", h, len(got))
		}
		if r.Doc.Find(`#period option[selected]`).AttrOr("value", "") != "custom" {
			t.Errorf("%v: the period select does not show the custom range", h)
		}
	}

	// The period form: a GET form that works without JavaScript.
	f := r.Doc.Find("form#period-form")
	if f.AttrOr("method", "") != "get" || f.AttrOr("action", "") != "/dashboard" || f.AttrOr("hx-target", "") != "#overview" ||
		f.AttrOr("hx-push-url", "") != "true" || f.Find("select[name=period]").Length() != 1 ||
		f.Find("input[type=date][name=from]").Length() != 1 || f.Find("button[type=submit]").Length() != 1 {
		h, _ := goquery.OuterHtml(f)
		t.Errorf("period form:\n%s", h)
	}
	// The other tabs are pages of their own; old ?tab= links land there.
	for _, tab := range []string{"links", "rewards"} {
		if r := c.Get("/dashboard?tab=" + tab); r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != "/dashboard/"+tab {
			t.Errorf("?tab=%s: %d → %q", tab, r.StatusCode, r.Header.Get("Location"))
		}
		if r := c.Get("/dashboard/" + tab); r.StatusCode != http.StatusOK {
			t.Errorf("/dashboard/%s: %d", tab, r.StatusCode)
		}
	}
}
