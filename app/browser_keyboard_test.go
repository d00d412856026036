package app_test

// Keyboard journeys: key events only (Tab, Enter, typing), asserting after
// every htmx swap where the focus is and what the live region says.

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// focused describes document.activeElement: "TAG#id".
func (b *browser) focused() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(() => { const e = document.activeElement;
	  return e ? e.tagName + '#' + e.id : 'none'; })()`))
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

// press sends key events (kb.Tab, kb.Enter, or text to type).
func (b *browser) press(keys string, opts ...chromedp.KeyOption) {
	b.t.Helper()
	b.do(chromedp.KeyEvent(keys, opts...))
}

// tabTo presses Tab (Shift+Tab with the modifier) until the element with the id has the focus and returns
// how many presses it took (at most max).
func (b *browser) tabTo(id string, max int, opts ...chromedp.KeyOption) int {
	b.t.Helper()
	for n := 1; n <= max; n++ {
		b.press(kb.Tab, opts...)
		if strings.HasSuffix(b.focused(), "#"+id) {
			return n
		}
	}
	b.t.Fatalf("%d Tabs did not reach #%s (focus is on %s)", max, id, b.focused())
	return 0
}

// announced waits until the polite live region says something containing want.
func (b *browser) announced(region, want string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf("#%s to say %q", region, want),
		"(document.getElementById('"+region+"').textContent || '').includes("+jsString(want)+")")
}

func TestBrowserKeyboardLeadList(t *testing.T) {
	env := noAgreementsEnv(t)
	b := newBrowser(t, env)
	b.signIn("user@northwind.test")
	b.open("/leads")
	b.waitFor("the list", "!!document.getElementById('tab-approved')")
	approved := queryInt(t, env, `SELECT count(*) FROM leads l JOIN partners p ON p.id = l.partner_id
		WHERE p.name = 'Northwind Agency' AND l.status = 'approved' AND l.source <> 'referral'`)
	if approved <= 25 {
		t.Fatalf("the demo data needs more than one page of approved leads, has %d", approved)
	}

	// From the top of the page to the Approved tab, then Enter: the tab
	// keeps the focus and the result is read out.
	fromTop := b.tabTo("tab-approved", 60)
	b.press(kb.Enter)
	b.waitFor("the Approved tab to be current", `document.querySelector('#tab-approved[aria-current=page]') !== null`)
	if f := b.focused(); f != "A#tab-approved" {
		t.Fatalf("after choosing the tab, focus is on %s, want the tab", f)
	}
	b.announced("announce-status", fmt.Sprintf("%d Approved leads, page 1 of 2.", approved))

	// On to the pager without going back to the top.
	toNext := b.tabTo("lead-next", 60)
	if toNext >= fromTop+40 {
		t.Logf("Tabs from the tab to Next: %d", toNext)
	}
	b.press(kb.Enter)
	b.waitFor("page 2", `location.search.includes('page=2')`)
	// The last page has no Next: the focus moves to Previous, not to <body>.
	if f := b.focused(); f != "A#lead-prev" {
		t.Fatalf("after Next to the last page, focus is on %s, want Previous", f)
	}
	b.announced("announce-status", fmt.Sprintf("%d Approved leads, page 2 of 2.", approved))
	// Keep going: Shift+Tab walks back into the rows, not from the top.
	b.press(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift))
	inRows, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!!document.activeElement.closest('#lead-results')`))
	if err != nil || !inRows {
		t.Fatalf("Shift+Tab after the pager left the results (focus on %s)", b.focused())
	}

	// Typing a search keeps the focus in the box and reads the count out.
	b.tabTo("lead-q", 80, chromedp.KeyModifiers(chromedp.ModifierShift)) // back up to the search box
	b.press("umber")
	b.waitFor("the search to apply", `location.search.includes('q=umber')`)
	if f := b.focused(); f != "INPUT#lead-q" {
		t.Fatalf("while searching, focus moved to %s", f)
	}
	b.announced("announce-status", "Approved leads matching “umber”")
	b.screenshot("keyboard-lead-list")
}

func TestBrowserKeyboardReviewQueue(t *testing.T) {
	env := noAgreementsEnv(t)
	first := rvLead(t, env, "in_review", "new", "user@northwind.test")
	second := queryInt(t, env, `SELECT l.id FROM leads l JOIN partners p ON p.id = l.partner_id
		WHERE p.name = 'Northwind Agency' AND l.status = 'in_review' AND l.source = 'partner' AND l.id <> $1
		ORDER BY l.id LIMIT 1`, first)
	rvExec(t, env, `UPDATE leads SET created_at = $2, duplicate_of_lead_id = NULL WHERE id = $1`, second, env.Clock.Now().Add(-time.Minute))
	company := rvStr(t, env, "SELECT company FROM leads WHERE id = $1", first)
	other := rvStr(t, env, "SELECT company FROM leads WHERE id = $1", second)

	b := newBrowser(t, env)
	b.signIn("staff@acme.test")
	b.open("/console/leads")
	b.waitFor("the queue", fmt.Sprintf("!!document.getElementById('approve-%d')", first))

	matched := strings.Fields(b.text("#review-matched"))[0]

	// Approve the first lead with the keyboard: its button goes away with
	// the swap, so the focus lands on the row that replaced it.
	b.tabTo(fmt.Sprintf("approve-%d", first), 60)
	b.press(kb.Enter)
	b.waitFor("the row to be approved", fmt.Sprintf(`document.querySelector('#lead-%d[data-status=approved]') !== null`, first))
	if f := b.focused(); f != fmt.Sprintf("TR#lead-%d", first) {
		t.Fatalf("after approving, focus is on %s, want the row", f)
	}
	b.announced("announce-status", "Approved "+company+".")
	// The "N leads match" line beside the table follows the decision.
	b.waitFor("the matched line to drop by one", "document.getElementById('review-matched').textContent.startsWith("+
		jsString(fmt.Sprint(mustAtoi(t, matched)-1)+" lead")+")")

	// On to the next lead's Won form without leaving the table.
	n := b.tabTo(fmt.Sprintf("close-%d", second), 12)
	t.Logf("%d Tabs from the approved row to the next lead's Won…", n)
	b.press(kb.Enter)
	b.waitFor("the Won form to open", fmt.Sprintf(`document.getElementById('close-%d').parentElement.open`, second))
	b.tabTo(fmt.Sprintf("revenue-%d", second), 2)

	// A wrong amount: 422, the field keeps the focus, the error is alerted.
	b.press("lots")
	b.press(kb.Enter)
	b.announced("announce-alert", "Enter the revenue")
	b.waitFor("the field error", fmt.Sprintf(`!!document.getElementById('revenue-%d-error')`, second))
	if f := b.focused(); f != fmt.Sprintf("INPUT#revenue-%d", second) {
		t.Fatalf("after a refused amount, focus is on %s, want the revenue field", f)
	}
	b.screenshot("keyboard-review-error")

	// Correct it: select all, type, Enter. The lead is won, the row has the focus.
	b.press("a", chromedp.KeyModifiers(chromedp.ModifierCtrl))
	b.press("1200")
	b.press(kb.Enter)
	b.waitFor("the row to be won", fmt.Sprintf(`(document.querySelector('#lead-%d .stage') || {}).textContent === 'Won'`, second))
	if f := b.focused(); f != fmt.Sprintf("TR#lead-%d", second) {
		t.Fatalf("after marking Won, focus is on %s, want the row", f)
	}
	b.announced("announce-status", "Marked "+other+" as Won.")
	b.screenshot("keyboard-review-won")
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}
