package pdfdoc

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The fonts are parsed once and shared: if an fpdf upgrade changed the
// fields fonts.go reaches, New would silently fall back to parsing per
// document; this test says so instead.
func TestFontsParsedOnce(t *testing.T) {
	New(Meta{})
	if !prep.ok {
		t.Fatal("the prepared fonts are not in use (fpdf's font fields changed shape?): see fonts.go")
	}
	if len(prep.latin) != 2 {
		t.Fatalf("%d Latin subsets, want one per style", len(prep.latin))
	}
	// Each style's subset is cut from that style: the bold one differs.
	size := func(key string) int {
		file := prep.latin[key]
		reader, _ := field(file.Elem(), "fileReader")
		array, _ := field(reader.Elem(), "array")
		return array.Len()
	}
	if r, b := size("dejavu"), size("dejavuB"); r == 0 || b == 0 || r == b {
		t.Errorf("Latin subsets of %d and %d bytes: one style cut from the other's font?", r, b)
	}
}

// Documents made at once from the shared fonts each keep their own text:
// Latin-only ones are cut from the Latin subset, the others from the whole
// font, and every one extracts as what it shows (go test -race covers the
// sharing).
func TestSharedFontsConcurrently(t *testing.T) {
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext is missing: install poppler-utils (.ci/services does)")
	}
	texts := []string{"Zoë Müller-Łukasiewicz owes € 1,234.56 and zł 99,00", "Ærøskøbing — “quoted” № 7 ™ ₹ 5",
		"Αθήνα and Київ", "plain ASCII only 0123456789", "Łódź, Kraków, Gdańsk: 12 500,00 zł"}
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make([]error, len(texts)*4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			text := texts[i%len(texts)]
			pdf := New(Meta{Title: "T", Created: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
			pdf.AddPage()
			pdf.SetFont(Font, "B", 12)
			pdf.CellFormat(0, 8, text, "", 1, "L", false, 0, "")
			pdf.SetFont(Font, "", 10)
			pdf.CellFormat(0, 8, strings.ToUpper(text), "", 1, "L", false, 0, "")
			b, err := Bytes(pdf)
			if err != nil {
				errs[i] = err
				return
			}
			in := filepath.Join(dir, fmt.Sprintf("%d.pdf", i))
			if err := os.WriteFile(in, b, 0o600); err != nil {
				errs[i] = err
				return
			}
			out, err := exec.Command(pdftotext, "-layout", in, "-").Output()
			if err != nil {
				errs[i] = fmt.Errorf("pdftotext: %w", err)
				return
			}
			for _, want := range []string{text, strings.ToUpper(text)} {
				if !bytes.Contains(out, []byte(want)) {
					errs[i] = fmt.Errorf("document %d lacks %q:\n%s", i, want, out)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
