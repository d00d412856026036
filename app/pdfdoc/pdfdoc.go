// Package pdfdoc is the one way the portal makes PDFs (invoices,
// certificates): github.com/go-pdf/fpdf, pure Go, so the worker image needs no
// browser, with DejaVu Sans embedded as a UTF-8 TrueType font. The core PDF
// fonts only know Latin-1: "Zoë Müller-Łukasiewicz", "€" or "zł" would come out
// wrong; DejaVu covers Latin, Greek, Cyrillic and the currency signs, and the
// text stays real text that pdftotext and a reader's search can find.
package pdfdoc

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"time"

	"github.com/go-pdf/fpdf"
)

// Font is the family name documents use with SetFont ("" style or "B").
const Font = "DejaVu"

var (
	//go:embed fonts/DejaVuSans.ttf
	regular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	bold []byte
)

// Meta is what a document says about itself.
type Meta struct {
	Title, Author, Subject string
	// Created is written as the creation date (from the caller's clock), so the
	// same input gives the same bytes.
	Created time.Time
}

// New returns an A4 portrait document in millimetres with the UTF-8 fonts
// registered and Font selected at 10 pt.
func New(m Meta) *fpdf.Fpdf {
	pdf := blank()
	if !addFonts(pdf) { // parsed once per process (fonts.go)
		pdf.AddUTF8FontFromBytes(Font, "", regular)
		pdf.AddUTF8FontFromBytes(Font, "B", bold)
	}
	pdf.SetTitle(m.Title, true)
	pdf.SetAuthor(m.Author, true)
	pdf.SetSubject(m.Subject, true)
	pdf.SetCreator("partnerportal", true)
	if !m.Created.IsZero() {
		pdf.SetCreationDate(m.Created)
		pdf.SetModificationDate(m.Created)
	}
	pdf.SetFont(Font, "", 10)
	return pdf
}

// Write finishes the document into w; fpdf collects drawing errors and
// reports the first one here.
func Write(pdf *fpdf.Fpdf, w io.Writer) error {
	useLatinSubsets(pdf)
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("pdfdoc: %w", err)
	}
	return nil
}

// Bytes finishes the document and returns it.
func Bytes(pdf *fpdf.Fpdf) ([]byte, error) {
	var b bytes.Buffer
	if err := Write(pdf, &b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
