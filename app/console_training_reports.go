package app

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

type trainingReportData struct {
	Courses  []courseReportRow
	Partners []queries.PartnerReportRow
}

type courseReportRow struct {
	queries.CourseReportRow
	PassRate string
}

func (h *Handler) loadTrainingReport(c *fiber.Ctx) (*trainingReportData, error) {
	u := currentUser(c)
	rows, err := h.Store.CourseReport(c.Context(), u.OrganizationID)
	if err != nil {
		return nil, err
	}
	d := &trainingReportData{}
	for _, r := range rows {
		rate := "—"
		if r.Attempts > 0 {
			rate = strconv.Itoa(int(r.Passed)*100/int(r.Attempts)) + "%"
		}
		d.Courses = append(d.Courses, courseReportRow{r, rate})
	}
	d.Partners, err = h.Store.PartnerReport(c.Context(), u.OrganizationID)
	return d, err
}

func (h *Handler) showTrainingReports(c *fiber.Ctx) error {
	d, err := h.loadTrainingReport(c)
	if err != nil {
		return err
	}
	p := h.newPage(c, "Training reports")
	p.Section = "training"
	p.Data = d
	return h.render(c, fiber.StatusOK, "pages/console_training_reports", "", p)
}

// exportTrainingCSV: one row per course and partner company, then the
// course totals.
func (h *Handler) exportTrainingCSV(c *fiber.Ctx) error {
	d, err := h.loadTrainingReport(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"partner", "course", "enrolments", "completions", "pass_rate_pct", "average_score_pct"})
	for _, r := range d.Partners {
		_ = w.Write([]string{csvCell(r.PartnerName), csvCell(r.Title), strconv.Itoa(int(r.Enrolments)), strconv.Itoa(int(r.Completions)), "", strconv.Itoa(int(r.AvgScore))})
	}
	for _, r := range d.Courses {
		_ = w.Write([]string{"(all partners)", csvCell(r.Title), strconv.Itoa(int(r.Enrolments)), strconv.Itoa(int(r.Completions)),
			strings.TrimSuffix(strings.TrimSuffix(r.PassRate, "%"), "—"), strconv.Itoa(int(r.AvgScore))})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="training-report.csv"`)
	return c.Send(buf.Bytes())
}
