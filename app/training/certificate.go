package training

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/yeqown/go-qrcode/v2"
	"github.com/yeqown/go-qrcode/writer/standard"

	"partnerportal/app/pdfdoc"
	"partnerportal/app/storage"
	"partnerportal/queries"
)

// VerifyURL is the public verification address of a certificate.
func VerifyURL(base, publicID string) string { return base + "/verify/" + publicID }

// PDFKey is where a certificate's PDF is kept (scoped by organization).
func PDFKey(orgID int64, publicID string) string {
	return fmt.Sprintf("org/%d/certificates/%s.pdf", orgID, lower(publicID))
}

func lower(s string) string { return string(bytes.ToLower([]byte(s))) }

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// QRPNG draws text as a QR code in PNG.
func QRPNG(text string) ([]byte, error) {
	qr, err := qrcode.New(text)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	w := standard.NewWithWriter(nopCloser{&b}, standard.WithBuiltinImageEncoder(standard.PNG_FORMAT), standard.WithQRWidth(8))
	if err := qr.Save(w); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// RenderPDF draws the certificate: the person, the course, the date, the
// organization, the id, a QR code and the verification URL. The same
// certificate gives the same bytes (the creation date is the issue date).
func RenderPDF(c queries.Certificate, verifyURL string) ([]byte, error) {
	png, err := QRPNG(verifyURL)
	if err != nil {
		return nil, err
	}
	pdf := pdfdoc.New(pdfdoc.Meta{Title: "Certificate: " + c.CourseTitle, Author: c.OrgName,
		Subject: "Certificate " + c.PublicID, Created: c.IssuedAt})
	pdf.AddPage()
	pdf.SetDrawColor(40, 70, 120)
	pdf.SetLineWidth(1.2)
	pdf.Rect(10, 10, 190, 277, "D")
	pdf.SetFont(pdfdoc.Font, "", 14)
	pdf.SetY(40)
	pdf.CellFormat(0, 10, c.OrgName, "", 1, "C", false, 0, "")
	pdf.SetFont(pdfdoc.Font, "B", 28)
	pdf.CellFormat(0, 18, "Certificate of completion", "", 1, "C", false, 0, "")
	pdf.SetFont(pdfdoc.Font, "", 13)
	pdf.Ln(8)
	pdf.CellFormat(0, 8, "This certifies that", "", 1, "C", false, 0, "")
	pdf.SetFont(pdfdoc.Font, "B", 22)
	pdf.CellFormat(0, 14, c.PersonName, "", 1, "C", false, 0, "")
	pdf.SetFont(pdfdoc.Font, "", 13)
	pdf.CellFormat(0, 8, "of "+c.PartnerName, "", 1, "C", false, 0, "")
	pdf.Ln(4)
	pdf.CellFormat(0, 8, "has completed the course", "", 1, "C", false, 0, "")
	pdf.SetFont(pdfdoc.Font, "B", 18)
	pdf.MultiCell(0, 10, c.CourseTitle, "", "C", false)
	pdf.SetFont(pdfdoc.Font, "", 12)
	pdf.Ln(4)
	line := "Issued " + c.IssuedAt.UTC().Format("2 January 2006")
	if c.ScorePct != nil {
		line += fmt.Sprintf(" · quiz score %d%%", *c.ScorePct)
	}
	pdf.CellFormat(0, 8, line, "", 1, "C", false, 0, "")
	if c.ExpiresAt != nil {
		pdf.CellFormat(0, 8, "Valid until "+c.ExpiresAt.UTC().Format("2 January 2006"), "", 1, "C", false, 0, "")
	}
	pdf.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	pdf.ImageOptions("qr", 80, 190, 50, 50, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	pdf.SetY(243)
	pdf.SetFont(pdfdoc.Font, "", 10)
	pdf.CellFormat(0, 6, "Certificate id "+c.PublicID, "", 1, "C", false, 0, "")
	pdf.CellFormat(0, 6, "Verify at "+verifyURL, "", 1, "C", false, 0, verifyURL)
	return pdfdoc.Bytes(pdf)
}

// EnsurePDF stores the certificate's PDF if it is not stored yet and
// records its key; it returns the key. Rendering is deterministic, so two
// workers racing write the same bytes.
func EnsurePDF(ctx context.Context, store *queries.Store, files storage.Store, c queries.Certificate, base string) (string, error) {
	if c.PdfKey != "" {
		if _, err := files.Stat(ctx, c.PdfKey); err == nil {
			return c.PdfKey, nil
		}
	}
	b, err := RenderPDF(c, VerifyURL(base, c.PublicID))
	if err != nil {
		return "", err
	}
	key := PDFKey(c.OrganizationID, c.PublicID)
	if _, err := files.Put(ctx, key, bytes.NewReader(b), int64(len(b)), "application/pdf"); err != nil {
		return "", err
	}
	if err := store.SetCertificatePDF(ctx, queries.SetCertificatePDFParams{OrganizationID: c.OrganizationID, ID: c.ID, PdfKey: key}); err != nil {
		return "", err
	}
	return key, nil
}
