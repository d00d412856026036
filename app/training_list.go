package app

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// The Training section (partner portal): tabs All Courses, In-Progress,
// Completed and Accreditations; tab, search and topic live in the URL.

type trainingTab struct{ Key, Label string }

var trainingTabs = []trainingTab{
	{"all", "All Courses"}, {"progress", "In-Progress"}, {"completed", "Completed"}, {"accreditations", "Accreditations"},
}

type trainingListData struct {
	Tab       string
	Tabs      []trainingTab
	Q, Topic  string
	Page      int
	More      bool
	Topics    []string
	Catalog   []queries.ListCatalogRow
	Progress  []inProgressRow
	Completed []queries.ListCompletedRow
	Mine      []queries.ListMyAccreditationsRow
	Available []queries.ListAvailableAccreditationsRow
}

type inProgressRow struct {
	queries.ListInProgressRow
	Percent int
}

func (h *Handler) showTraining(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	d := &trainingListData{Tab: c.Query("tab", "all"), Tabs: trainingTabs,
		Q: strings.TrimSpace(c.Query("q")), Topic: strings.TrimSpace(c.Query("topic"))}
	d.Page = c.QueryInt("page", 1)
	if d.Page < 1 || d.Page > 1000 {
		d.Page = 1
	}
	if len([]rune(d.Q)) > 100 {
		d.Q = string([]rune(d.Q)[:100])
	}
	var err error
	switch d.Tab {
	case "progress":
		rows, err := h.Store.ListInProgress(ctx, queries.ListInProgressParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, UserID: u.ID})
		if err != nil {
			return err
		}
		for _, r := range rows {
			pct := 100
			if r.LessonCount > 0 {
				pct = int(r.DoneCount) * 100 / int(r.LessonCount)
			}
			d.Progress = append(d.Progress, inProgressRow{r, pct})
		}
	case "completed":
		d.Completed, err = h.Store.ListCompleted(ctx, queries.ListCompletedParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, UserID: u.ID})
	case "accreditations":
		d.Mine, err = h.Store.ListMyAccreditations(ctx, queries.ListMyAccreditationsParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, UserID: u.ID})
		if err == nil {
			d.Available, err = h.Store.ListAvailableAccreditations(ctx, queries.ListAvailableAccreditationsParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, UserID: u.ID})
		}
	default:
		d.Tab = "all"
		if !isFragmentRequest(c) {
			// The topic filter is on the page, not in the results an
			// htmx search swaps in.
			d.Topics, err = h.Store.ListCatalogTopics(ctx, queries.ListCatalogTopicsParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID})
		}
		if err == nil {
			d.Catalog, err = h.Store.ListCatalog(ctx, queries.ListCatalogParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID,
				UserID: u.ID, Search: d.Q, Topic: d.Topic, MaxRows: catalogPage + 1, SkipRows: int32(d.Page-1) * catalogPage})
		}
		if len(d.Catalog) > catalogPage {
			d.Catalog, d.More = d.Catalog[:catalogPage], true
		}
		if isFragmentRequest(c) {
			announce(c, pluralCourses(len(d.Catalog)))
		}
	}
	if err != nil {
		return err
	}
	p := h.newPage(c, "Training")
	p.Section = "training"
	p.Data = d
	return h.render(c, fiber.StatusOK, "pages/training", "training/results", p)
}

// catalogPage is how many courses one catalog page shows.
const catalogPage = 24

func pluralCourses(n int) string {
	if n == 1 {
		return "1 course"
	}
	return strconv.Itoa(n) + " courses"
}
