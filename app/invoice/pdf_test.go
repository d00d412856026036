package invoice_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"partnerportal/app/invoice"
	"partnerportal/queries"
)

func sampleInvoice() (queries.Invoice, []queries.ListInvoiceLinesRow) {
	day := func(y int, m time.Month, d int) pgtype.Date {
		return pgtype.Date{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), Valid: true}
	}
	inv := queries.Invoice{ID: 7, Kind: "invoice", Number: "ACME-2026-0042", Currency: "EUR", PeriodLabel: "November 2026",
		Status: "pending", IssuedOn: day(2026, 12, 1), DueOn: day(2026, 12, 31), TotalMinor: 262_500, LineCount: 3,
		VendorName: "Acme Cloud GmbH", VendorAddress: "Friedrichstraße 1\n10117 Berlin", VendorTaxID: "DE123456789", VendorCountry: "DE",
		PartnerName: "Zoë Müller-Łukasiewicz", PartnerAddress: "ul. Długa 5\n00-238 Warszawa", PartnerTaxID: "PL5260001246",
		PartnerCountry: "PL", ReverseCharge: true, PayoutMethod: "bank_transfer", PayoutMasked: "Bank transfer to PL•• •••• •••• •••• 0000 (Zoë Müller-Łukasiewicz)",
		CreatedAt: time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)}
	lines := []queries.ListInvoiceLinesRow{
		{Kind: "revenue_share", BasisMinor: 1_800_000, RateBps: 1500, AmountMinor: 270_000, LeadCompany: "Łódź Logistics Sp. z o.o."},
		{Kind: "stage_incentive", Stage: "qualified", AmountMinor: 5_000, LeadCompany: "Café Crème SARL"},
		{Kind: "adjustment", Reason: "Partial refund", AmountMinor: -12_500, LeadCompany: "Łódź Logistics Sp. z o.o."},
	}
	return inv, lines
}

// TestInvoicePDFText renders an invoice and reads it back with pdftotext:
// the text is real, in a font with ë, ü, Ł and €, and says what an invoice
// must say. The first page is also rendered to PNG (testdata/out, not
// committed) to look at.
func TestInvoicePDFText(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext (poppler-utils) is needed: .ci/services installs it")
	}
	inv, lines := sampleInvoice()
	b, err := invoice.RenderPDF(inv, lines)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "inv.pdf")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{
		"Self-billing invoice", "issued by Acme Cloud GmbH on behalf of Zoë Müller-Łukasiewicz",
		"Zoë Müller-Łukasiewicz", "ul. Długa 5", "Tax ID: PL5260001246", "Acme Cloud GmbH", "Friedrichstraße 1", "Tax ID: DE123456789",
		"ACME-2026-0042", "1 December 2026", "31 December 2026", "November 2026",
		"Łódź Logistics Sp. z o.o.", "Revenue share", "18,000.00 × 15%", "€2,700.00",
		"Stage incentive", "Reached Qualified", "€50.00", "Adjustment", "Partial refund", "-€125.00",
		"Total", "€2,625.00", "PL•• •••• •••• •••• 0000", "Reverse charge", "page 1 of 1",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "DE89") {
		t.Error("a full IBAN in the PDF")
	}
	if os.Getenv("INVOICE_PNG") != "" { // look at it: INVOICE_PNG=/tmp/inv go test -run TestInvoicePDFText
		if err := exec.Command("pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", path, os.Getenv("INVOICE_PNG")).Run(); err != nil {
			t.Fatal(err)
		}
	}
	// A credit note and a missing payout method say so.
	inv.Kind, inv.TotalMinor, inv.ReverseCharge = "credit_note", -40_000, false
	b, err = invoice.RenderPDF(inv, lines[2:])
	if err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(path, b, 0o600)
	out, _ = exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if s := string(out); !strings.Contains(s, "Self-billing credit note") || strings.Contains(s, "Reverse charge") || !strings.Contains(s, "-€400.00") {
		t.Errorf("credit note text:\n%s", s)
	}
}

func TestInvoicePDFManyLinesPaginates(t *testing.T) {
	inv, lines := sampleInvoice()
	for len(lines) < 120 {
		lines = append(lines, lines[0])
	}
	b, err := invoice.RenderPDF(inv, lines)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "many.pdf")
	_ = os.WriteFile(path, b, 0o600)
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "page 3 of 3") && !strings.Contains(string(out), "page 4 of 4") {
		t.Errorf("120 lines: %d bytes of text, no 'page n of n' footer", len(out))
	}
}
