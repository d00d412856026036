package app

import (
	"bytes"
	"encoding/csv"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/money"
	"partnerportal/queries"
)

// maxExportRows caps one CSV export; a larger list is cut there and the
// response says so in the X-Export-Truncated header.
const maxExportRows = 100_000

// exportValues is the list filter as the export link carries it: all pages,
// so no page number.
func exportValues(f leadFilter) url.Values {
	f.Page = 1
	return f.Values()
}

// exportLeadsCSV sends the partner's filtered lead list (every page) as CSV:
// the same filter and query as the list. Rows go from the database straight
// into the CSV buffer one at a time (no slice of rows), and nothing is sent
// before the last row arrived, so a failure is an error page, not half a file.
func (h *Handler) exportLeadsCSV(c *fiber.Ctx) error {
	u := currentUser(c)
	now := h.Clock.Now()
	period := parsePeriod(c.Query("period"), c.Query("from"), c.Query("to"), now, u.OrganizationTZ)
	f := readLeadFilter(c, period, true)
	params := listParams(u, f)
	params.RowLimit, params.RowOffset = maxExportRows+1, 0

	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"Company", "Domain", "Contact", "Email", "Phone", "Status", "Stage", "Currency",
		"Deal value", "Revenue", "Created", "Won"})
	zone := inZone(now, u.Zone()).Location()
	n := 0
	err := h.Store.CustomPlans().EachLeadForPartner(c.Context(), params, func(r *queries.ListLeadsForPartnerRow) error {
		if n++; n > maxExportRows {
			c.Set("X-Export-Truncated", strconv.Itoa(maxExportRows))
			return nil
		}
		won := ""
		if r.WonAt != nil {
			won = r.WonAt.In(zone).Format(time.RFC3339)
		}
		return w.Write([]string{
			csvCell(r.Company), csvCell(r.Domain), csvCell(r.ContactName), csvCell(r.Email), csvCell(r.Phone),
			statusLabel(r.Status), statusLabel(r.Stage), r.Currency,
			money.Input(r.DealValueMinor, r.Currency), money.Input(r.RevenueMinor, r.Currency),
			r.CreatedAt.In(zone).Format(time.RFC3339), won,
		})
	})
	if err != nil {
		return err
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	name := "leads-" + now.In(zone).Format("2006-01-02") + ".csv"
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(buf.Bytes())
}

// csvCell defuses spreadsheet formulas: a cell a spreadsheet would read as a
// formula (starting with = + - @, or a tab or carriage return before one)
// gets a leading apostrophe, so it shows as text.
func csvCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
