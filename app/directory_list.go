package app

import (
	"html"
	"html/template"
	"math"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/spotlight"
	"partnerportal/queries"
)

const (
	directoryPerPage  = 24
	directoryCountCap = 1000 // "1,000+ partners": counting further costs time and tells a visitor nothing
)

type directoryCard struct {
	Name, Tagline, URL, LogoURL, Initials string
	Featured                              bool
	Tags                                  []string
}

type directoryList struct {
	Dir    queries.GetDirectoryBySlugRow
	Base   string
	Filter spotlight.Filter
	Cards  []directoryCard
	Pager  Pager
	Areas  template.HTML // the country / region options (directoryAreaOptions)
	Langs  []spotlight.Language
	Sorts  any
	Any    bool // a filter or search is set
	Capped bool // more than directoryCountCap match
}

// showDirectory lists an organization's published profiles: filters and
// search in the query string (a GET form that works without JS; htmx swaps
// the results and pushes the URL), featured first by default, 24 a page.
func (h *Handler) showDirectory(c *fiber.Ctx) error {
	d, err := h.loadDirectory(c)
	if err != nil {
		return err
	}
	ctx := c.Context()
	f := spotlight.CleanFilter(func(k string) string { return c.Query(k) }, directoryRules(d))
	// The pages stop where the count does: a page further on would make
	// the query step over every profile to find nothing.
	page := min(pageNumber(c), (directoryCountCap+directoryPerPage-1)/directoryPerPage)
	args := queries.SearchDirectoryParams{OrganizationID: d.OrganizationID, Facets: f.Facets(), Q: f.Q, Sort: f.Sort,
		Lim: directoryPerPage, Off: int32((page - 1) * directoryPerPage)}
	// Planned per execution (see the query): both read an index in order
	// and stop early; the count stops at directoryCountCap. A short page
	// that is not past the end is the last one: it gives the count itself.
	plans := h.Store.CustomPlans()
	rows, err := plans.SearchDirectory(ctx, args)
	if err != nil {
		return err
	}
	total := int64(args.Off) + int64(len(rows))
	if len(rows) == directoryPerPage || (len(rows) == 0 && page > 1) {
		total, err = plans.CountDirectory(ctx, queries.CountDirectoryParams{OrganizationID: d.OrganizationID, Facets: args.Facets, Q: f.Q,
			MaxCount: directoryCountCap + 1})
		if err != nil {
			return err
		}
	}
	base := directoryBase(d)
	capped := total > directoryCountCap
	total = min(total, directoryCountCap)
	list := directoryList{Capped: capped, Dir: d, Base: base, Filter: f, Pager: newPager(c, page, directoryPerPage, total),
		Areas: directoryAreaOptions(f.Area), Langs: spotlight.Languages(), Sorts: spotlight.Sorts,
		Any: len(args.Facets) > 0 || f.Q != ""}
	for _, r := range rows {
		card := directoryCard{Name: r.CompanyName, Tagline: r.Tagline, URL: base + "/" + r.Slug, Initials: initials(r.CompanyName),
			Featured: r.FeaturedRank < math.MaxInt32}
		if r.LogoKey != "" {
			card.LogoURL = base + "/" + r.Slug + "/logo.png?v=" + logoVersion(r.LogoKey)
		}
		card.Tags = append(append(card.Tags, r.Specialties...), r.Platforms...)
		if len(card.Tags) > 5 {
			card.Tags = card.Tags[:5]
		}
		list.Cards = append(list.Cards, card)
	}
	p := h.newPage(c, d.OrganizationName+" partner directory")
	p.Summary = "Find a " + d.OrganizationName + " partner by specialty, country, platform, budget and language, and contact them directly."
	p.Meta = &PageMeta{Canonical: h.absURL(base), OGTitle: p.Title, OGDescription: p.Summary}
	p.Data = list
	if isFragmentRequest(c) {
		announce(c, list.CountLabel()+" partners match.")
	}
	return h.render(c, fiber.StatusOK, "pages/directory", "directory/results", p)
}

// directoryAreaOptions is the country / region filter's options (regions,
// then ~250 countries by name) with one selected. Written by the template
// they were ~750 escaper calls through reflection on every directory page
// (the bulk of its rendering); they are built once per selected code. Only
// known codes reach here (CleanFilter), so the cache holds at most one entry
// per area.
func directoryAreaOptions(selected string) template.HTML {
	if !spotlight.IsArea(selected) {
		selected = ""
	}
	if v, ok := directoryAreaCache.Load(selected); ok {
		return v.(template.HTML)
	}
	var b strings.Builder
	option := func(code, name string) {
		b.WriteString(`<option value="` + html.EscapeString(code) + `"`)
		if code == selected {
			b.WriteString(" selected")
		}
		b.WriteString(">" + html.EscapeString(name) + "</option>")
	}
	b.WriteString(`<optgroup label="Regions">`)
	for _, r := range spotlight.Regions() {
		option(r.Code, r.Name)
	}
	b.WriteString(`</optgroup><optgroup label="Countries">`)
	for _, c := range spotlight.Countries() {
		option(c.Code, c.Name)
	}
	b.WriteString(`</optgroup>`)
	out := template.HTML(b.String()) //nolint:gosec // every value above is escaped
	directoryAreaCache.Store(selected, out)
	return out
}

var directoryAreaCache sync.Map // selected code → template.HTML

// CountLabel is how many match, with a thousands separator, "+" when the
// count stopped at directoryCountCap ("1,000+").
func (l directoryList) CountLabel() string {
	s := strconv.FormatInt(l.Pager.Total, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if l.Capped {
		s += "+"
	}
	return s
}

// filterURL is the directory address with one filter changed (the links of
// the "clear" buttons).
func (l directoryList) ClearURL() string {
	v := url.Values{}
	if l.Filter.Sort != "featured" {
		v.Set("sort", l.Filter.Sort)
	}
	if len(v) == 0 {
		return l.Base
	}
	return l.Base + "?" + v.Encode()
}
