package invoice

import (
	"fmt"
	"strings"

	"partnerportal/app/commission"
	"partnerportal/app/money"
	"partnerportal/app/pdfdoc"
	"partnerportal/queries"
)

// LineBasis is how a line shows what it was computed from: "18,000.00 × 15%",
// "Reached Qualified", or the reason of an adjustment.
func LineBasis(kind string, basisMinor int64, rateBps int32, stage, reason, currency string) string {
	switch {
	case rateBps > 0 && basisMinor != 0:
		return plainAmount(basisMinor, currency) + " × " + money.FormatBps(int64(rateBps))
	case kind == commission.KindStageIncentive && stage != "":
		return "Reached " + strings.ToUpper(stage[:1]) + stage[1:]
	case reason != "":
		return reason
	}
	return ""
}

// plainAmount is an amount without its currency sign ("18,000.00").
func plainAmount(minor int64, currency string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if (r >= '0' && r <= '9') || r == ',' || r == '.' || r == '-' {
			return r
		}
		return -1
	}, money.Format(minor, currency)))
}

// Title is "Self-billing invoice" or "Self-billing credit note".
func Title(kind string) string {
	if kind == "credit_note" {
		return "Self-billing credit note"
	}
	return "Self-billing invoice"
}

// ReverseChargeNote is printed on invoices between two EU member states.
const ReverseChargeNote = "Reverse charge: VAT is to be accounted for by the recipient (Article 196 of Council Directive 2006/112/EC)."

// RenderPDF draws the invoice: real text in DejaVu Sans (app/pdfdoc), so
// any name and currency sign shows and can be copied and searched.
func RenderPDF(inv queries.Invoice, lines []queries.ListInvoiceLinesRow) ([]byte, error) {
	pdf := pdfdoc.New(pdfdoc.Meta{Title: Title(inv.Kind) + " " + inv.Number, Author: inv.VendorName,
		Subject: inv.PeriodLabel, Created: inv.CreatedAt})
	pdf.SetMargins(18, 18, 18)
	pdf.SetAutoPageBreak(true, 18)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont(pdfdoc.Font, "", 8)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(0, 5, fmt.Sprintf("%s · page %d of {nb}", inv.Number, pdf.PageNo()), "", 0, "R", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetTextColor(20, 20, 20)
	pdf.SetFont(pdfdoc.Font, "B", 18)
	pdf.CellFormat(0, 9, Title(inv.Kind), "", 1, "L", false, 0, "")
	pdf.SetFont(pdfdoc.Font, "", 9)
	pdf.SetTextColor(70, 70, 70)
	pdf.MultiCell(0, 4.5, fmt.Sprintf("Self-billing: issued by %s on behalf of %s, who supplied the services, under their self-billing agreement.",
		inv.VendorName, inv.PartnerName), "", "L", false)
	pdf.Ln(4)

	// The parties: the partner supplies, the vendor receives (and issues).
	pdf.SetTextColor(20, 20, 20)
	y := pdf.GetY()
	party := func(x float64, heading, name, address, taxID, country string) {
		pdf.SetXY(x, y)
		pdf.SetFont(pdfdoc.Font, "B", 9)
		pdf.CellFormat(84, 5, heading, "", 2, "L", false, 0, "")
		pdf.SetFont(pdfdoc.Font, "", 10)
		text := name
		if address != "" {
			text += "\n" + address
		}
		if country != "" {
			text += "\n" + country
		}
		if taxID != "" {
			text += "\nTax ID: " + taxID
		}
		pdf.SetX(x)
		pdf.MultiCell(84, 5, text, "", "L", false)
	}
	party(18, "Supplier (partner)", inv.PartnerName, inv.PartnerAddress, inv.PartnerTaxID, inv.PartnerCountry)
	yLeft := pdf.GetY()
	party(108, "Customer and issuer (vendor)", inv.VendorName, inv.VendorAddress, inv.VendorTaxID, inv.VendorCountry)
	pdf.SetY(max(yLeft, pdf.GetY()) + 4)

	// Number, dates, period.
	meta := [][2]string{{"Number", inv.Number}, {"Issue date", inv.IssuedOn.Time.Format("2 January 2006")},
		{"Due date", inv.DueOn.Time.Format("2 January 2006")}, {"Period", inv.PeriodLabel}, {"Currency", inv.Currency}}
	for _, m := range meta {
		pdf.SetFont(pdfdoc.Font, "B", 10)
		pdf.CellFormat(32, 5.5, m[0], "", 0, "L", false, 0, "")
		pdf.SetFont(pdfdoc.Font, "", 10)
		pdf.CellFormat(0, 5.5, m[1], "", 1, "L", false, 0, "")
	}
	pdf.Ln(4)

	// One line per commission.
	cols := []float64{62, 34, 46, 32}
	head := func() {
		pdf.SetFont(pdfdoc.Font, "B", 9)
		pdf.SetFillColor(235, 238, 242)
		for i, h := range []string{"Lead / company", "Kind", "Basis", "Amount"} {
			align := "L"
			if i == 3 {
				align = "R"
			}
			pdf.CellFormat(cols[i], 7, h, "B", 0, align, true, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont(pdfdoc.Font, "", 9)
	}
	head()
	for _, l := range lines {
		if pdf.GetY() > 265 {
			pdf.AddPage()
			head()
		}
		lead := l.LeadCompany
		if lead == "" {
			lead = "—"
		}
		basis := LineBasis(l.Kind, l.BasisMinor, l.RateBps, l.Stage, l.Reason, inv.Currency)
		pdf.CellFormat(cols[0], 6, fit(pdf.GetStringWidth, lead, cols[0]-2), "", 0, "L", false, 0, "")
		pdf.CellFormat(cols[1], 6, commission.KindLabel(l.Kind), "", 0, "L", false, 0, "")
		pdf.CellFormat(cols[2], 6, fit(pdf.GetStringWidth, basis, cols[2]-2), "", 0, "L", false, 0, "")
		pdf.CellFormat(cols[3], 6, money.Format(l.AmountMinor, inv.Currency), "", 1, "R", false, 0, "")
	}
	pdf.SetFont(pdfdoc.Font, "B", 11)
	pdf.CellFormat(cols[0]+cols[1]+cols[2], 8, "Total", "T", 0, "R", false, 0, "")
	pdf.CellFormat(cols[3], 8, money.Format(inv.TotalMinor, inv.Currency), "T", 1, "R", false, 0, "")
	pdf.Ln(4)

	pdf.SetFont(pdfdoc.Font, "B", 10)
	pdf.CellFormat(0, 5.5, "Payout", "", 1, "L", false, 0, "")
	pdf.SetFont(pdfdoc.Font, "", 10)
	switch {
	case inv.Kind == "credit_note":
		pdf.MultiCell(0, 5, "This credit note corrects commissions already paid: the amount is owed to "+inv.VendorName+" and is set against future payouts.", "", "L", false)
	case inv.PayoutDetailsMissing:
		pdf.MultiCell(0, 5, "Payout details missing: the partner has not yet given a bank account or PayPal address.", "", "L", false)
	default:
		pdf.MultiCell(0, 5, inv.PayoutMasked, "", "L", false)
	}
	if inv.ReverseCharge {
		pdf.Ln(3)
		pdf.SetFont(pdfdoc.Font, "", 9)
		pdf.MultiCell(0, 4.5, ReverseChargeNote, "", "L", false)
	}
	return pdfdoc.Bytes(pdf)
}

// fit shortens s with an ellipsis until it is at most w wide.
func fit(width func(string) float64, s string, w float64) string {
	if width(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && width(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
