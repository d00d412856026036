package app

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/commission"
	"partnerportal/app/money"
	"partnerportal/queries"
)

// exportCommissionsCSV sends the console's filtered commission list (every
// page, up to maxExportRows) as CSV. Amounts are in the currency's units
// with a dot, never summed across currencies.
func (h *Handler) exportCommissionsCSV(c *fiber.Ctx) error {
	u := currentUser(c)
	f := parseConsoleCommissionFilter(c, h.Clock.Now(), u.OrganizationTZ)
	rows, err := h.Store.ListCommissionsForOrganization(c.Context(), queries.ListCommissionsForOrganizationParams{
		OrganizationID: u.OrganizationID, PartnerID: f.PartnerID, Status: f.Status, Kind: f.Kind,
		PeriodFrom: f.Period.From, PeriodTo: f.Period.To, MaxRows: maxExportRows + 1, SkipRows: 0})
	if err != nil {
		return err
	}
	if len(rows) > maxExportRows {
		rows = rows[:maxExportRows]
		c.Set("X-Export-Truncated", strconv.Itoa(maxExportRows))
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"ID", "Partner", "Lead", "Kind", "Status", "Currency", "Amount", "Basis", "Rate", "Tier",
		"Reason", "Earned", "Approvable", "Approved", "Paid"})
	zone := inZone(h.Clock.Now(), u.Zone()).Location()
	ts := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(zone).Format(time.RFC3339)
	}
	for _, r := range rows {
		cm := r.Commission
		rate := ""
		if cm.RateBps > 0 {
			rate = money.FormatBps(int64(cm.RateBps))
		}
		_ = w.Write([]string{strconv.FormatInt(cm.ID, 10), csvCell(r.PartnerName), csvCell(r.LeadCompany),
			commission.KindLabel(cm.Kind), statusLabel(cm.Status), cm.Currency, money.Input(cm.AmountMinor, cm.Currency),
			money.Input(cm.BasisMinor, cm.Currency), rate, csvCell(cm.TierName), csvCell(cm.Reason),
			ts(&cm.EarnedAt), ts(&cm.ApprovableAt), ts(cm.ApprovedAt), ts(cm.PaidAt)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="commissions.csv"`)
	return c.Send(buf.Bytes())
}
