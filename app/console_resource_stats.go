package app

import (
	"bytes"
	"encoding/csv"
	"sort"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// Per resource: views and downloads by partner company, per day over the
// chosen window (30, 90 or 365 days), as a page and as CSV.

type resourceStatsData struct {
	Resource queries.GetResourceForStaffRow
	Days     int
	Rows     []queries.ResourceStatsByPartnerRow
	Totals   []partnerTotal
	Views    int64
	Loads    int64
}

type partnerTotal struct {
	Name             string
	Views, Downloads int64
}

func (h *Handler) loadResourceStats(c *fiber.Ctx) (*resourceStatsData, error) {
	u := currentUser(c)
	id, err := resourceID(c)
	if err != nil {
		return nil, err
	}
	r, err := h.Store.GetResourceForStaff(c.Context(), queries.GetResourceForStaffParams{OrganizationID: u.OrganizationID, ID: id})
	if err != nil {
		return nil, err
	}
	d := &resourceStatsData{Resource: r, Days: 90}
	switch c.Query("days") {
	case "30":
		d.Days = 30
	case "365":
		d.Days = 365
	}
	zone := u.Zone()
	start := inZone(h.Clock.Now(), zone).AddDate(0, 0, -d.Days+1)
	y, m, dd := start.Date()
	since := time.Date(y, m, dd, 0, 0, 0, 0, start.Location())
	d.Rows, err = h.Store.ResourceStatsByPartner(c.Context(), queries.ResourceStatsByPartnerParams{
		OrganizationID: u.OrganizationID, ResourceID: id, TimeZone: zone, Since: since,
	})
	if err != nil {
		return nil, err
	}
	totals := map[string]*partnerTotal{}
	for _, row := range d.Rows {
		t := totals[row.PartnerName]
		if t == nil {
			t = &partnerTotal{Name: row.PartnerName}
			totals[row.PartnerName] = t
		}
		t.Views += row.Views
		t.Downloads += row.Downloads
		d.Views += row.Views
		d.Loads += row.Downloads
	}
	for _, t := range totals {
		d.Totals = append(d.Totals, *t)
	}
	sort.Slice(d.Totals, func(i, j int) bool {
		a, b := d.Totals[i], d.Totals[j]
		if a.Views+a.Downloads != b.Views+b.Downloads {
			return a.Views+a.Downloads > b.Views+b.Downloads
		}
		return a.Name < b.Name
	})
	return d, nil
}

func (h *Handler) showResourceStats(c *fiber.Ctx) error {
	d, err := h.loadResourceStats(c)
	if err != nil {
		return err
	}
	p := h.newPage(c, "Statistics: "+d.Resource.Title)
	p.Section = "resources"
	p.Data = d
	return h.render(c, fiber.StatusOK, "pages/console_resource_stats", "", p)
}

func (h *Handler) exportResourceStatsCSV(c *fiber.Ctx) error {
	d, err := h.loadResourceStats(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"Day", "Partner", "Views", "Downloads"})
	for _, r := range d.Rows {
		_ = w.Write([]string{r.Day.Time.Format("2006-01-02"), csvCell(r.PartnerName), strconv.FormatInt(r.Views, 10), strconv.FormatInt(r.Downloads, 10)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="resource-`+strconv.FormatInt(d.Resource.ID, 10)+`-stats.csv"`)
	return c.Send(buf.Bytes())
}
