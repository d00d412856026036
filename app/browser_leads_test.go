package app_test

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// htmxIdle holds once the page has loaded htmx and no htmx request, swap
// or settle is under way (new content gets its behaviour when it settles,
// so a click before that would be a plain link).
const htmxIdle = `document.readyState === 'complete' && !!window.htmx &&
	!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')`

// waitFor polls a JavaScript condition until it holds and htmx is idle (10 s
// at most).
func (b *browser) waitFor(what, js string) {
	b.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool]("("+js+") && "+htmxIdle))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("waiting for %s: still not true (%v) at %s; the page says: %s", what, err, b.path(), b.shown())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// shown is what the page tells a person when a wait fails: its title, the
// flash and any field errors (never failing: it is only for the message).
func (b *browser) shown() string {
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`[document.title].concat(Array.from(
		document.querySelectorAll(".flash, .field-error, [role=alert], main h1"), e => e.textContent.trim())).join(" | ")`))
	if err != nil {
		return err.Error()
	}
	return s
}

// query is the current address's query string, parsed.
func (b *browser) query() url.Values {
	b.t.Helper()
	u, err := url.Parse(b.path())
	if err != nil {
		b.t.Fatal(err)
	}
	return u.Query()
}

// choose picks an option of a select like a person (a change event follows).
func (b *browser) choose(sel, value string) {
	b.t.Helper()
	b.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector(` + jsString(sel) + `); s.value = ` +
		jsString(value) + `; s.dispatchEvent(new Event('change', {bubbles: true})); })()`))
}

// paste puts text into a field in one go, as pasting does (one input
// event, so exactly one search request and one history entry).
func (b *browser) paste(sel, text string) {
	b.t.Helper()
	b.do(chromedp.Evaluate[chromedp.Void](`(() => { const f = document.querySelector(` + jsString(sel) + `); f.focus(); f.value = ` +
		jsString(text) + `; f.dispatchEvent(new Event('input', {bubbles: true})); })()`))
}

// rowsText is the text of every lead row, lower-cased.
func (b *browser) rowsText() []string {
	b.t.Helper()
	rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('#lead-rows tr')).map(r => r.textContent.toLowerCase())`))
	if err != nil {
		b.t.Fatal(err)
	}
	return rows
}

// markPage tags the document so a later check can tell whether htmx swapped
// parts of it (the tag stays) or the browser loaded a new page (it is gone).
func (b *browser) markPage() {
	b.t.Helper()
	b.do(chromedp.Evaluate[chromedp.Void](`document.documentElement.dataset.sameDocument = "yes"`))
}

func (b *browser) samePage() bool {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.documentElement.dataset.sameDocument || ""`))
	return err == nil && v == "yes"
}

func TestBrowserDashboardPeriodAndLeadFilters(t *testing.T) {
	env := noAgreementsEnv(t)
	b := newBrowser(t, env)
	b.signIn("admin@northwind.test")
	if p := b.path(); p != "/dashboard" {
		t.Fatalf("after sign-in at %s", p)
	}
	b.do(chromedp.WaitVisible(chromedp.CSS("#chart svg")))
	b.waitFor("the page", "true")
	b.markPage()
	lifetimeLeads := b.text("#metric-leads")
	if b.count("#lead-rows tr") != 25 || b.text("#period-label") != "Lifetime" {
		t.Fatalf("start: %d rows, period %q", b.count("#lead-rows tr"), b.text("#period-label"))
	}
	b.screenshot("leads-dashboard-lifetime")

	// Change the period: figures, chart and list change in one swap, the
	// address follows.
	b.choose("#period", "last_90_days")
	b.waitFor("the 90-day overview", `document.querySelector('#period-label').textContent === 'Last 90 days'`)
	if q := b.query(); q.Get("period") != "last_90_days" {
		t.Fatalf("address after the period change: %s", b.path())
	}
	last90 := b.text("#metric-leads")
	if last90 == lifetimeLeads || b.text(`.status-tabs a[data-status=""] .count`) != last90 {
		t.Errorf("90 days: %s leads (lifetime %s), list counts %s", last90, lifetimeLeads, b.text(`.status-tabs a[data-status=""] .count`))
	}
	if !b.samePage() {
		t.Error("the period change reloaded the page instead of swapping the overview")
	}
	b.screenshot("leads-dashboard-90-days")

	// A status tab: the list changes, the figures stay, the period stays.
	b.do(chromedp.Click(chromedp.CSS(`.status-tabs a[data-status="approved"]`)))
	b.waitFor("the approved tab", `document.querySelector('.status-tabs a[aria-current="page"]').dataset.status === 'approved'`)
	if q := b.query(); q.Get("status") != "approved" || q.Get("period") != "last_90_days" {
		t.Fatalf("address after the status tab: %s", b.path())
	}
	for _, r := range b.rowsText() {
		if !strings.Contains(r, "approved") {
			t.Errorf("a row under Approved: %q", r)
		}
	}
	if b.text("#metric-leads") != last90 {
		t.Error("the figures changed with the status filter")
	}
	approvedRows := b.count("#lead-rows tr")

	// A search with no match: the empty state, the address has the term.
	b.paste("#lead-q", "no such company anywhere")
	b.waitFor("the no-match state", `!!document.querySelector('#lead-empty')`)
	if q := b.query(); q.Get("q") != "no such company anywhere" || q.Get("status") != "approved" || q.Get("period") != "last_90_days" {
		t.Fatalf("address after the search: %s", b.path())
	}
	b.screenshot("leads-dashboard-no-match")

	// Back: the approved list again; back: all leads of the 90 days; back: lifetime.
	b.do(chromedp.NavigateBack())
	b.waitFor("the approved list back", `!document.querySelector('#lead-empty') && document.querySelectorAll('#lead-rows tr').length === `+strconv.Itoa(approvedRows))
	if q := b.query(); q.Has("q") || q.Get("status") != "approved" {
		t.Errorf("after back: %s", b.path())
	}
	if v, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector('#lead-q').value`)); v != "" {
		t.Errorf("after back the search box still says %q", v)
	}
	b.do(chromedp.NavigateBack())
	b.waitFor("all leads of 90 days back", `document.querySelector('.status-tabs a[aria-current="page"]').dataset.status === ''`)
	b.do(chromedp.NavigateBack())
	b.waitFor("lifetime back", `document.querySelector('#period-label').textContent === 'Lifetime'`)
	if b.text("#metric-leads") != lifetimeLeads || b.path() != "/dashboard" {
		t.Errorf("after going back to the start: %s leads at %s", b.text("#metric-leads"), b.path())
	}

	// A custom range: the date fields appear, Show applies it. It starts as
	// this month up to today in the organization's zone: one day (no "–")
	// on the 1st of a month.
	today := orgNow(t, env, "acme")
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	wantLabel := first.Format("Jan 2") + " – " + today.Format("Jan 2, 2006")
	if today.Day() == 1 {
		wantLabel = first.Format("Jan 2, 2006")
	}
	b.choose("#period", "custom")
	b.waitFor("the custom range "+wantLabel, `document.querySelector('#period-label').textContent === `+jsString(wantLabel)+` && getComputedStyle(document.querySelector('.custom-range')).display !== 'none'`)
	// From five years back (a range is at most ten), whatever the clock says.
	since := today.Year() - 5
	sinceDay := fmt.Sprintf("%d-01-01", since)
	b.do(chromedp.SetValue(chromedp.ID("period-from"), sinceDay), chromedp.SetValue(chromedp.ID("period-to"), fmt.Sprintf("%d-01-01", since-1)),
		chromedp.Click(chromedp.CSS(`#period-form button[type=submit]`)))
	b.waitFor("the range error", `!!document.querySelector('#period-error')`)
	b.screenshot("leads-dashboard-custom-error")
	b.do(chromedp.SetValue(chromedp.ID("period-to"), orgNow(t, env, "acme").Format("2006-01-02")),
		chromedp.Click(chromedp.CSS(`#period-form button[type=submit]`)))
	b.waitFor("the corrected range", `!document.querySelector('#period-error') && document.querySelector('#period-label').textContent.startsWith('Jan 1, `+strconv.Itoa(since)+`')`)
	if q := b.query(); q.Get("period") != "custom" || q.Get("from") != sinceDay {
		t.Errorf("address after a custom range: %s", b.path())
	}
	if b.text("#metric-leads") != lifetimeLeads {
		t.Errorf("since %d: %s leads, want all %s", since, b.text("#metric-leads"), lifetimeLeads)
	}
	b.screenshot("leads-dashboard-custom")
}

func TestBrowserLeadsPageFilters(t *testing.T) {
	env := noAgreementsEnv(t)
	b := newBrowser(t, env)
	b.signIn("user@northwind.test")
	b.open("/leads")
	b.do(chromedp.WaitVisible(chromedp.ID("lead-table")))
	b.waitFor("the page", "true")
	b.markPage()
	if b.text("main h1") != "Your leads" || b.count("#lead-rows tr") != 25 {
		t.Fatalf("Leads page: %q with %d rows", b.text("main h1"), b.count("#lead-rows tr"))
	}
	b.screenshot("leads-page")

	// Typing searches after a pause, without a page load (typing key by key
	// is shown by the dashboard test; here one entry keeps history exact).
	b.paste("#lead-q", "harbor")
	b.waitFor("the search", `location.search.includes('q=harbor')`)
	b.waitFor("the matches", `Array.from(document.querySelectorAll('#lead-rows tr')).every(r => r.textContent.toLowerCase().includes('harbor'))`)
	matches := b.count("#lead-rows tr")
	if matches == 0 || matches == 25 {
		t.Errorf("%d rows match harbor", matches)
	}
	// Sorting by company keeps the search.
	b.choose("#lead-sort", "company")
	b.waitFor("the sort", `location.search.includes('sort=company')`)
	if q := b.query(); q.Get("q") != "harbor" || q.Get("dir") == "" {
		t.Errorf("address after sorting: %s", b.path())
	}
	// The status tab keeps both, and so does the export link.
	b.do(chromedp.Click(chromedp.CSS(`.status-tabs a[data-status="in_review"]`)))
	b.waitFor("the in-review tab", `document.querySelector('.status-tabs a[aria-current="page"]').dataset.status === 'in_review'`)
	if q := b.query(); q.Get("q") != "harbor" || q.Get("sort") != "company" || q.Get("status") != "in_review" {
		t.Errorf("address after the tab: %s", b.path())
	}
	if b.count("#lead-rows tr") > 0 {
		href, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector('#export-csv').getAttribute('href')`))
		if !strings.Contains(href, "status=in_review") || !strings.Contains(href, "q=harbor") {
			t.Errorf("export link %q", href)
		}
	}
	if !b.samePage() {
		t.Error("a filter reloaded the page")
	}
	b.screenshot("leads-page-filtered")

	// History: back through the tab, the sort and the search.
	// Each wait checks the content, not only the address (which changes
	// before the restored page arrives).
	b.do(chromedp.NavigateBack())
	b.waitFor("back to all statuses", `document.querySelector('.status-tabs a[aria-current="page"]').dataset.status === '' &&
		document.querySelector('#lead-sort').value === 'company'`)
	b.do(chromedp.NavigateBack())
	b.waitFor("back to the default sort", `!location.search.includes('sort=') && document.querySelector('#lead-sort').value === 'created' &&
		document.querySelector('#lead-q').value === 'harbor'`)
	if b.count("#lead-rows tr") != matches {
		t.Errorf("after back: %d rows, want the %d matches", b.count("#lead-rows tr"), matches)
	}
	b.do(chromedp.NavigateBack())
	b.waitFor("back to the full list", `location.search === '' && document.querySelector('#lead-q').value === '' &&
		document.querySelectorAll('#lead-rows tr').length === 25`)

	// Reloading a filtered address shows the same list (a shared link).
	b.open("/leads?q=harbor&status=in_review&sort=company&dir=asc")
	if v, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector('#lead-q').value`)); v != "harbor" {
		t.Errorf("search box after reload: %q", v)
	}
	if b.text(`.status-tabs a[aria-current="page"]`) == "" {
		t.Error("no current tab after reload")
	}

	// Typed key by key, the search runs once the typing pauses.
	b.open("/leads")
	b.waitFor("the page", "true")
	b.do(chromedp.SendKeys(chromedp.ID("lead-q"), "kestrel"))
	b.waitFor("the typed search", `location.search === '?q=kestrel' &&
		Array.from(document.querySelectorAll('#lead-rows tr')).every(r => r.textContent.toLowerCase().includes('kestrel'))`)
	if n := b.count("#lead-rows tr"); n == 0 || n == 25 {
		t.Errorf("%d rows match kestrel", n)
	}
}
