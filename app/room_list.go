package app

import (
	"html/template"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/resource"
	"partnerportal/queries"
)

// Partner Room: what the partner's tier may see, featured and newest first;
// filtered by category and tag and searched in full text (title, tags,
// description and the text inside the files), ranked, with the matching
// words highlighted. The filters live in the URL (a GET form that works
// without JS; htmx swaps the results and pushes the URL).

type roomFilter struct {
	Query    string
	Category int64
	Tag      string
	Page     int
}

type roomRow struct {
	queries.SearchVisibleResourcesRow
	Snippet template.HTML
	Size    string
	Kind    string
}

type roomData struct {
	Filter     roomFilter
	Rows       []roomRow
	Categories []queries.ListResourceCategoryChoicesRow
	Tags       []string
	PrevURL    string
	NextURL    string
}

const roomPerPage = 24

func (h *Handler) showPartnerRoom(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	f := roomFilter{Query: strings.TrimSpace(c.Query("q")), Tag: strings.ToLower(strings.TrimSpace(c.Query("tag"))), Page: pageNumber(c)}
	if len(f.Query) > 200 {
		f.Query = f.Query[:200]
	}
	if id, err := strconv.ParseInt(c.Query("category"), 10, 64); err == nil && id > 0 {
		f.Category = id
	}
	var cat *int64
	if f.Category != 0 {
		cat = &f.Category
	}
	// A search ranks every match; without one the list walks the
	// featured-and-newest index. Two queries, so each keeps its own plan.
	var rows []queries.SearchVisibleResourcesRow
	var err error
	lim, off := int32(roomPerPage+1), int32((f.Page-1)*roomPerPage)
	if f.Query != "" {
		rows, err = h.Store.SearchVisibleResources(ctx, queries.SearchVisibleResourcesParams{
			OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, Query: f.Query, CategoryID: cat, Tag: f.Tag, Lim: lim, Off: off,
		})
	} else {
		var list []queries.ListVisibleResourcesRow
		list, err = h.Store.ListVisibleResources(ctx, queries.ListVisibleResourcesParams{
			OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, CategoryID: cat, Tag: f.Tag, Lim: lim, Off: off,
		})
		for _, r := range list {
			rows = append(rows, queries.SearchVisibleResourcesRow(r))
		}
	}
	if err != nil {
		return err
	}
	d := &roomData{Filter: f}
	if len(rows) > roomPerPage {
		rows = rows[:roomPerPage]
		d.NextURL = pageURL(c, f.Page+1)
	}
	if f.Page > 1 {
		d.PrevURL = pageURL(c, f.Page-1)
	}
	for _, r := range rows {
		d.Rows = append(d.Rows, roomRow{SearchVisibleResourcesRow: r, Snippet: highlight(r.Snippet), Size: resource.Size(r.SizeBytes), Kind: resource.Kind(r.Mime)})
	}
	if d.Categories, err = h.Store.ListResourceCategoryChoices(ctx, u.OrganizationID); err != nil {
		return err
	}
	// The tag choices are those of the listed resources (a list of every
	// visible tag costs a scan of the whole library on every search).
	for _, r := range d.Rows {
		for _, t := range r.Tags {
			if !slices.Contains(d.Tags, t) {
				d.Tags = append(d.Tags, t)
			}
		}
	}
	slices.Sort(d.Tags)
	p := h.newPage(c, "Partner Room")
	p.Section = "partner-room"
	p.Data = d
	switch n := len(d.Rows); {
	case n == 0:
		announce(c, "No resources found.")
	case n == 1:
		announce(c, "1 resource")
	default:
		announce(c, strconv.Itoa(n)+" resources")
	}
	return h.render(c, fiber.StatusOK, "pages/partner_room", "room/results", p)
}

// highlight escapes a ts_headline snippet and turns its \x01…\x02 markers
// into <mark>: the text is the author's, only our tags are HTML.
func highlight(s string) template.HTML {
	if s == "" {
		return ""
	}
	esc := template.HTMLEscapeString(s)
	esc = strings.NewReplacer("\x01", "<mark>", "\x02", "</mark>").Replace(esc)
	return template.HTML(esc) //nolint:gosec // escaped above; only <mark> added
}
