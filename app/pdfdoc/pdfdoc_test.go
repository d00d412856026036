package pdfdoc_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"partnerportal/app/pdfdoc"
)

// The text a PDF shows must come back out of it as the same text, names with
// diacritics and currency signs included (pdftotext from poppler-utils).
func TestTextSurvivesExtraction(t *testing.T) {
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext is missing: install poppler-utils (.ci/services does)")
	}
	lines := []string{"Zoë Müller-Łukasiewicz", "Total € 2,700.00 · £ 12.50 · zł 99,00 · ¥ 300", "Αθήνα, Київ"}
	pdf := pdfdoc.New(pdfdoc.Meta{Title: "Test", Created: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	pdf.AddPage()
	for i, l := range lines {
		style := ""
		if i == 0 {
			style = "B"
		}
		pdf.SetFont(pdfdoc.Font, style, 12)
		pdf.CellFormat(0, 8, l, "", 1, "L", false, 0, "")
	}
	b, err := pdfdoc.Bytes(pdf)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", b[:8])
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "t.pdf")
	if err := os.WriteFile(in, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-layout", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for _, l := range lines {
		if !strings.Contains(string(out), l) {
			t.Errorf("extracted text lacks %q:\n%s", l, out)
		}
	}
}
