package app_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The invoice journey: approved commissions for Northwind → `portal
// invoices run` (the real command, queuing the worker's task) → the
// Northwind admin sees one Pending invoice with the right total and
// downloads its PDF → staff put it in a payout batch and pay the batch →
// the partner sees it Paid and Amount Paid grows.
func TestBrowserInvoiceJourney(t *testing.T) {
	env := noAgreementsEnv(t)
	ctx := t.Context()
	if _, err := env.Store.Pool.Exec(ctx, `UPDATE commissions SET status = 'paid', paid_at = approved_at WHERE status = 'approved'`); err != nil {
		t.Fatal(err)
	}
	// Approved well before this month began (the run invoices the last
	// closed month; the command reads the real clock).
	approved := time.Now().AddDate(0, 0, -40)
	for i, amount := range []int64{270_000, 30_000} {
		if _, err := env.Store.Pool.Exec(ctx, `INSERT INTO commissions (organization_id, partner_id, kind, amount_minor, currency, basis_minor,
			rate_bps, status, earning_key, earned_at, approvable_at, approved_at, created_at, updated_at)
			SELECT organization_id, id, 'revenue_share', $1::bigint, 'USD', $1::bigint * 100 / 15, 1500, 'approved', $2, $3, $3, $3, $3, $3
			FROM partners WHERE name = 'Northwind Agency'`, amount, fmt.Sprintf("journey:%d", i), approved); err != nil {
			t.Fatal(err)
		}
	}

	// The admin fills in the billing details the invoice prints: a VAT id
	// from another country than the one chosen is refused in place.
	partner := newBrowser(t, env)
	partner.signIn("admin@northwind.test")
	partner.open("/manage/billing")
	partner.do(chromedp.SetValue(chromedp.ID("legal_name"), "Northwind Agency SARL"),
		chromedp.SetValue(chromedp.ID("address"), "12 rue de la Paix\n75002 Paris"),
		chromedp.SetValue(chromedp.ID("country"), "FR"), chromedp.SetValue(chromedp.ID("tax_id"), "DE123456789"),
		chromedp.Click(chromedp.CSS(`#billing-form button[type=submit]`)), chromedp.WaitVisible(chromedp.ID("tax_id-error")))
	partner.screenshotAt("billing-error", 1280)
	partner.screenshotAt("billing-error-390", 390)
	if got := partner.attr("#legal_name", "value"); got != "Northwind Agency SARL" {
		t.Errorf("the form lost the legal name: %q", got)
	}
	partner.do(chromedp.SetValue(chromedp.ID("tax_id"), "FR 12 345 678 901"),
		chromedp.Click(chromedp.CSS(`#billing-form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	partner.screenshotAt("billing-saved", 1280)
	partner.screenshotAt("billing-saved-390", 390)
	if got := partner.attr("#tax_id", "value"); got != "FR12345678901" {
		t.Errorf("saved VAT id %q", got)
	}

	// `portal invoices run --org acme`, against this test's database and Redis.
	bin := filepath.Join(t.TempDir(), "portal")
	if out, err := exec.Command("go", "build", "-o", bin, "..").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "invoices", "run", "--org", "acme")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+env.Store.Pool.Config().ConnString(), "STORAGE_DIR="+t.TempDir(),
		fmt.Sprintf("REDIS_URL=redis://%s/%d", env.Redis.Options().Addr, env.Redis.Options().DB))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "acme: invoice run for") {
		t.Fatalf("portal invoices run: %v\n%s", err, out)
	}
	deadline := time.Now().Add(30 * time.Second)
	for queryInt(t, env, `SELECT count(*) FROM invoices WHERE pdf_key <> ''`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no invoice 30 s after `portal invoices run`")
		}
		time.Sleep(100 * time.Millisecond)
	}
	id := queryInt(t, env, `SELECT i.id FROM invoices i JOIN partners p ON p.id = i.partner_id WHERE p.name = 'Northwind Agency'`)
	row := fmt.Sprintf("#invoice-%d", id)

	partner.open("/payments/invoices")
	partner.screenshot("invoice-partner-pending")
	if n := partner.count("#invoice-table tbody tr"); n != 1 {
		t.Fatalf("%d invoices listed, want 1", n)
	}
	if got := partner.text(row + " .invoice-amount"); got != "$3,000.00" {
		t.Errorf("invoice amount %q", got)
	}
	if got := partner.text(row + " .invoice-status"); !strings.HasPrefix(got, "Pending") {
		t.Errorf("invoice status %q", got)
	}
	if got := partner.text("#amount-due"); got != "$3,000.00" {
		t.Errorf("Amount Due %q", got)
	}
	if got := partner.text("#amount-paid"); got != "$0.00" {
		t.Errorf("Amount Paid %q", got)
	}
	// The filter swaps the list in place and carries the status in the URL.
	partner.do(chromedp.SetValue(chromedp.ID("invoice-status"), "paid"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('invoice-status').dispatchEvent(new Event('change', {bubbles: true}))`),
		chromedp.WaitVisible(chromedp.ID("invoices-empty")))
	if p := partner.path(); !strings.Contains(p, "status=paid") {
		t.Errorf("filter not in the URL: %s", p)
	}
	// The invoice page and its PDF (fetched with the admin's session, as the link does).
	partner.open(fmt.Sprintf("/payments/invoices/%d", id))
	partner.screenshot("invoice-partner-page")
	if got := partner.text("main"); !strings.Contains(got, "Northwind Agency SARL") || !strings.Contains(got, "FR12345678901") {
		t.Errorf("the invoice does not name the partner by its billing details: %q", got)
	}
	href := partner.attr("#invoice-pdf", "href")
	kind, err := chromedp.Run(partner.ctx, chromedp.Evaluate[string](`fetch(`+jsString(href)+`).then(r => r.headers.get('content-type') + ' ' + r.status + ' ' + r.headers.get('content-disposition'))`, chromedp.EvalAwaitPromise))
	if err != nil || !strings.HasPrefix(kind, "application/pdf 200 attachment") {
		t.Fatalf("PDF download: %q %v", kind, err)
	}

	staff := newBrowser(t, env)
	staff.signIn("staff@acme.test")
	staff.open("/console/invoices?status=pending")
	staff.do(chromedp.Click(chromedp.CSS(row+` input[type=checkbox]`)), chromedp.Click(chromedp.ID("create-batch")),
		chromedp.WaitVisible(chromedp.ID("batch-pay-form")))
	staff.screenshot("invoice-payout-batch")
	staff.do(chromedp.SetValue(chromedp.ID("reference"), "ACH-2026-12"), chromedp.Click(chromedp.ID("pay-batch")),
		chromedp.WaitVisible(chromedp.CSS(`#batch-status.status-paid`)))

	partner.open("/payments/invoices")
	partner.screenshot("invoice-partner-paid")
	if got := partner.text(row + " .invoice-status"); !strings.HasPrefix(got, "Paid") {
		t.Errorf("after the batch the partner sees %q", got)
	}
	if got := partner.text("#amount-paid"); got != "$3,000.00" {
		t.Errorf("Amount Paid after payment %q", got)
	}
	if got := partner.text("#amount-due"); got != "$0.00" {
		t.Errorf("Amount Due after payment %q", got)
	}
}

// attr reads an attribute of the first element matching sel.
func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector(`+jsString(sel)+`).getAttribute(`+jsString(name)+`) || ''`))
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}

// screenshotAt is screenshot with the window width set first (390: a phone).
func (b *browser) screenshotAt(name string, width int64) {
	if os.Getenv("SCREENSHOT_DIR") == "" {
		return
	}
	_ = chromedp.Do(b.ctx, chromedp.EmulateViewport(width, 900))
	b.screenshot(name)
	_ = chromedp.Do(b.ctx, chromedp.EmulateViewport(1280, 900))
}
