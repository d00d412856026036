package app

// The partner's lead list ("Your Leads"): one filter, one pair of queries and
// one template ("leads/list") that the Leads page and the Dashboard share.
// Filters live in the URL (status, q, sort, dir, page and, on the
// Dashboard, the period), so every list a person sees can be reloaded,
// bookmarked and shared.

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/errgroup"

	"partnerportal/queries"
)

const (
	leadsPerPage = 25
	// searchCountCap bounds how many matches of a search are counted (each
	// is read from the table): beyond it the tabs say "more than".
	// Reading a match costs about 3 µs (a table page each): 2,500 keep the
	// one pass that counts and sorts them near 7 ms at 1M leads.
	searchCountCap = 2500
	// searchWalkLimit bounds how many of the partner's leads, in the list's
	// order, a search past the cap looks at for its page before it sorts
	// the term's matches instead. As many as the cap: a walk that fails
	// costs at most what the cap's pass did (the term matched more).
	searchWalkLimit = searchCountCap
	maxSearchRunes  = 100
	// leadResultsTarget is the id of the part of the list an htmx filter
	// request swaps (status tabs, rows, pager); the search box stays put.
	leadResultsTarget = "lead-results"
)

// leadFilter is what the list shows, read from the URL.
type leadFilter struct {
	Status string // "" (all), approved, in_review, rejected
	Q      string
	Sort   string // created, company, value
	Dir    string // asc, desc
	Page   int
	Period Period
	// WithPeriod: the period is part of the URL (the Dashboard); the Leads
	// page always lists everything.
	WithPeriod bool
}

// listOption is one choice of a select or a set of tabs.
type listOption struct{ Key, Label string }

var leadStatuses = []listOption{
	{"", "All"}, {"approved", "Approved"}, {"in_review", "In Review"}, {"rejected", "Rejected"},
}

var leadSorts = []listOption{
	{"created", "Created date"}, {"company", "Company"}, {"value", "Deal value"},
}

// defaultDir is the natural direction of a sort: newest and largest first,
// companies A to Z.
func defaultDir(sort string) string {
	if sort == "company" {
		return "asc"
	}
	return "desc"
}

// readLeadFilter reads the list's query parameters; anything unknown falls
// back to the default instead of failing.
func readLeadFilter(c *fiber.Ctx, period Period, withPeriod bool) leadFilter {
	f := leadFilter{Status: c.Query("status"), Q: strings.TrimSpace(c.Query("q")), Sort: c.Query("sort"),
		Dir: c.Query("dir"), Page: pageNumber(c), Period: period, WithPeriod: withPeriod}
	switch f.Status {
	case "approved", "in_review", "rejected":
	default:
		f.Status = ""
	}
	// PostgreSQL text holds neither invalid UTF-8 nor NUL: drop them rather
	// than fail the query.
	f.Q = strings.ReplaceAll(strings.ToValidUTF8(f.Q, ""), "\x00", "")
	if utf8.RuneCountInString(f.Q) > maxSearchRunes {
		f.Q = string([]rune(f.Q)[:maxSearchRunes])
	}
	switch f.Sort {
	case "created", "company", "value":
	default:
		f.Sort = "created"
	}
	if f.Dir != "asc" && f.Dir != "desc" {
		f.Dir = defaultDir(f.Sort)
	}
	return f
}

// Values is the filter as query parameters with the defaults left out (the
// canonical address of a list); the page only beyond the first.
func (f leadFilter) Values() url.Values {
	v := url.Values{}
	if f.Status != "" {
		v.Set("status", f.Status)
	}
	if f.Q != "" {
		v.Set("q", f.Q)
	}
	if f.Sort != "created" || f.Dir != defaultDir(f.Sort) {
		v.Set("sort", f.Sort)
		v.Set("dir", f.Dir)
	}
	if f.Page > 1 {
		v.Set("page", strconv.Itoa(f.Page))
	}
	if f.WithPeriod && !f.Period.IsLifetime() {
		f.Period.Set(v)
	}
	return v
}

func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// Term is the search term the list applies: Q, unless it has no run of
// three letters or digits. Such a term has no trigram to look up
// (lead_search_keys in schema.sql), so it would read every one of the
// partner's leads (200 ms for the 100k-lead partner at 1M leads) to match,
// say, three quarters of them; the list asks for more characters instead.
func (f leadFilter) Term() string {
	if searchable(f.Q) {
		return f.Q
	}
	return ""
}

// minSearchRun is how many letters or digits in a row a search term needs.
const minSearchRun = 3

// searchable reports whether s has a run of minSearchRun letters or digits:
// what pg_trgm counts as a word, and so a trigram that every match contains.
func searchable(s string) bool {
	run := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if run++; run >= minSearchRun {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// leadTab is one status tab with its count.
type leadTab struct {
	Key, Label, URL, Count string
	Current                bool
}

// leadRow is one row of the list and what the viewer may do with it
// (leadList.RowsHTML writes it).
type leadRow struct {
	Lead    queries.ListLeadsForPartnerRow
	CanEdit bool
}

// leadList is everything "leads/list" renders.
type leadList struct {
	Path      string // the page the list lives on: /leads or /dashboard
	Filter    leadFilter
	Tabs      []leadTab
	Rows      []leadRow
	Pager     Pager
	Total     int64  // leads in the current tab
	All       int64  // leads in every tab (no match at all: the empty state)
	Capped    bool   // a search matched more than searchCountCap leads: Total is unknown
	Summary   string // "Showing 26–50 of 60"
	ExportURL string // the CSV of the same list (the Leads page)
}

// Searching reports whether a search term narrows the list.
func (l *leadList) Searching() bool { return l.Filter.Term() != "" }

// Outcome is what a screen reader hears after the list was filtered or
// paged ("42 Approved leads matching “acme”, page 2 of 3").
func (l *leadList) Outcome() string {
	what := "leads"
	if l.Filter.Status != "" {
		what = statusLabel(l.Filter.Status) + " leads"
	}
	if l.Searching() {
		what += " matching “" + l.Filter.Q + "”"
	}
	var out string
	switch {
	case len(l.Rows) == 0 && l.Total > 0:
		return "This page is past the end of the list."
	case len(l.Rows) == 0:
		out = "No " + what + "."
	case l.Capped:
		out = "More than " + l.CapLabel() + " " + what + ", page " + strconv.Itoa(l.Pager.Page) + "."
	case l.Total == 1:
		out = "1 " + strings.Replace(what, "leads", "lead", 1) + "."
	default:
		out = formatCount(l.Total) + " " + what
		if pages := l.Pager.Pages(); pages > 1 {
			out += ", page " + strconv.Itoa(l.Pager.Page) + " of " + strconv.FormatInt(pages, 10)
		}
		out += "."
	}
	if l.TermTooShort() {
		out += " Type at least three letters or digits in a row to search."
	}
	return out
}

// CapLabel is searchCountCap as the page prints it.
func (l *leadList) CapLabel() string { return formatCount(searchCountCap) }

// TermTooShort reports a search box holding something the list cannot
// search for yet (fewer than three letters or digits in a row).
func (l *leadList) TermTooShort() bool { return l.Filter.Q != "" && l.Filter.Term() == "" }

// Sorts lists the options of the sort select.
func (l *leadList) Sorts() []listOption { return leadSorts }

// ClearURL is the list without search or status filter (the empty state
// offers it).
func (l *leadList) ClearURL() string {
	f := l.Filter
	f.Status, f.Q, f.Page = "", "", 1
	return withQuery(l.Path, f.Values())
}

// FirstPageURL is the current list from its first page.
func (l *leadList) FirstPageURL() string {
	f := l.Filter
	f.Page = 1
	return withQuery(l.Path, f.Values())
}

// listParams is the filter as the list query's parameters (without paging).
func listParams(u *User, f leadFilter) queries.ListLeadsForPartnerParams {
	return queries.ListLeadsForPartnerParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID,
		CreatedFrom: f.Period.From, CreatedTo: f.Period.To,
		Status: f.Status, Q: f.Term(), Sort: f.Sort, Dir: f.Dir,
	}
}

// loadLeadList reads the status counts and the page of rows (two queries, no
// per-row lookups) and builds the list. Without a search the two run side by
// side. With one, the capped count runs first and decides how the page is
// read: from the term's search keys when it matched up to searchCountCap
// leads (SearchLeadsForPartner), along the sort order's index when it matched
// more (ListLeadsForPartner). Both give the same rows.
func (h *Handler) loadLeadList(ctx context.Context, u *User, path string, f leadFilter) (*leadList, error) {
	if term := f.Term(); term != "" {
		return h.searchLeadList(ctx, u, path, f, term)
	}
	var counts queries.CountLeadsForPartnerByStatusRow
	var rows []queries.ListLeadsForPartnerRow
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		counts, err = h.leadStatusCounts(gctx, u, f.Period, "")
		return err
	})
	g.Go(func() (err error) {
		rows, err = h.leadPage(gctx, u, f)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return newLeadList(u, path, f, counts, rows, false), nil
}

// searchLeadList is loadLeadList with a search term. One query reads up to
// searchCountCap+1 matches from the term's search keys, counts them per
// status and sorts them for the page (one row more than a page, to know
// whether a next one exists); a second reads those rows whole. Past the cap the counts say "more than" and
// the page is read by walking the sort order's index, checking each lead,
// over at most searchWalkLimit leads (a common term fills a page within a
// few hundred); a walk that comes back short falls back to sorting all of
// the term's matches from the keys. docs/BENCHMARKS.md, issue 10.
func (h *Handler) searchLeadList(ctx context.Context, u *User, path string, f leadFilter, term string) (*leadList, error) {
	p := listParams(u, f)
	p.RowLimit, p.RowOffset = leadsPerPage+1, int32((f.Page-1)*leadsPerPage)
	q := h.Store.CustomPlans()
	found, err := q.SearchLeadPageForPartner(ctx, queries.SearchLeadPageForPartnerParams{
		OrganizationID: p.OrganizationID, PartnerID: p.PartnerID, CreatedFrom: p.CreatedFrom, CreatedTo: p.CreatedTo,
		Q: p.Q, MaxCount: searchCountCap + 1, Status: p.Status, Sort: p.Sort, Dir: p.Dir,
		RowLimit: p.RowLimit, RowOffset: p.RowOffset})
	if err != nil {
		return nil, err
	}
	var counts queries.CountLeadsForPartnerByStatusRow
	if len(found) > 0 {
		counts = queries.CountLeadsForPartnerByStatusRow{Total: found[0].Total, Approved: found[0].Approved,
			InReview: found[0].InReview, Rejected: found[0].Rejected}
	} else if counts, err = h.leadStatusCounts(ctx, u, f.Period, term); err != nil {
		// An empty page (no match, or past the end) carries no counts.
		return nil, err
	}
	capped := counts.Total > searchCountCap
	var rows []queries.ListLeadsForPartnerRow
	if !capped {
		if len(found) == 0 {
			return newLeadList(u, path, f, counts, nil, false), nil
		}
		ids := make([]int64, len(found))
		for i, r := range found {
			ids[i] = r.ID
		}
		byID, err := h.Store.ListLeadsForPartnerByIDs(ctx, queries.ListLeadsForPartnerByIDsParams{
			OrganizationID: p.OrganizationID, PartnerID: p.PartnerID, Ids: ids})
		if err != nil {
			return nil, err
		}
		byIDs := make(map[int64]queries.ListLeadsForPartnerByIDsRow, len(byID))
		for _, r := range byID {
			byIDs[r.ID] = r
		}
		for _, id := range ids { // in the page's order; a lead deleted meanwhile is left out
			if r, ok := byIDs[id]; ok {
				rows = append(rows, queries.ListLeadsForPartnerRow(r))
			}
		}
		return newLeadList(u, path, f, counts, rows, false), nil
	}
	walked, err := q.WalkLeadsForPartner(ctx, queries.WalkLeadsForPartnerParams{
		OrganizationID: p.OrganizationID, PartnerID: p.PartnerID, CreatedFrom: p.CreatedFrom, CreatedTo: p.CreatedTo,
		Sort: p.Sort, Dir: p.Dir, ScanLimit: searchWalkLimit, Status: p.Status, Q: p.Q,
		RowLimit: p.RowLimit, RowOffset: p.RowOffset})
	if err != nil {
		return nil, err
	}
	if len(walked) == int(p.RowLimit) {
		for _, r := range walked {
			rows = append(rows, queries.ListLeadsForPartnerRow(r))
		}
		return newLeadList(u, path, f, counts, rows, true), nil
	}
	sorted, err := q.SearchLeadsForPartner(ctx, queries.SearchLeadsForPartnerParams{
		OrganizationID: p.OrganizationID, PartnerID: p.PartnerID, CreatedFrom: p.CreatedFrom, CreatedTo: p.CreatedTo,
		Status: p.Status, Q: p.Q, Sort: p.Sort, Dir: p.Dir, RowLimit: p.RowLimit, RowOffset: p.RowOffset})
	if err != nil {
		return nil, err
	}
	for _, r := range sorted {
		rows = append(rows, queries.ListLeadsForPartnerRow(r))
	}
	return newLeadList(u, path, f, counts, rows, true), nil
}

// leadStatusCounts counts the partner's leads of a period per status (the list's
// tabs). Without a search they are sums of the day rows the triggers on
// leads keep (lead_daily_counts: a few hundred rows, not one index entry per
// lead); a search counts the matching leads themselves.
func (h *Handler) leadStatusCounts(ctx context.Context, u *User, p Period, q string) (queries.CountLeadsForPartnerByStatusRow, error) {
	if q == "" {
		from, to := p.Days()
		c, err := h.Store.CountLeadsForPartnerByStatusDaily(ctx, queries.CountLeadsForPartnerByStatusDailyParams{
			OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, DayFrom: from, DayTo: to})
		return queries.CountLeadsForPartnerByStatusRow(c), err
	}
	return h.Store.CustomPlans().CountLeadsForPartnerByStatus(ctx, queries.CountLeadsForPartnerByStatusParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, CreatedFrom: p.From, CreatedTo: p.To, Q: q,
		MaxCount: searchCountCap + 1})
}

// leadPage reads the rows of the filter's page. It runs with custom plans:
// the optional filters and the chosen sort fold away for the values given,
// so "newest first" reads the index in order and stops after 25 rows.
// The default order without filters (newest first, every status) has a
// prepared statement of its own: one plan fits it, and planning per request
// was PostgreSQL CPU on the busiest pages.
func (h *Handler) leadPage(ctx context.Context, u *User, f leadFilter) ([]queries.ListLeadsForPartnerRow, error) {
	p := listParams(u, f)
	p.RowLimit, p.RowOffset = leadsPerPage, int32((f.Page-1)*leadsPerPage)
	if p.Status == "" && p.Q == "" && p.Sort == "created" && p.Dir == "desc" {
		rows, err := h.Store.ListRecentLeadsForPartner(ctx, queries.ListRecentLeadsForPartnerParams{
			OrganizationID: p.OrganizationID, PartnerID: p.PartnerID, CreatedFrom: p.CreatedFrom, CreatedTo: p.CreatedTo,
			RowLimit: p.RowLimit, RowOffset: p.RowOffset})
		out := make([]queries.ListLeadsForPartnerRow, len(rows))
		for i, r := range rows {
			out[i] = queries.ListLeadsForPartnerRow(r)
		}
		return out, err
	}
	return h.Store.CustomPlans().ListLeadsForPartner(ctx, p)
}

// newLeadList builds the tabs, the pager and the rows' actions. rows may hold
// one row more than a page, which says that a next page exists. capped: a
// search matched more than searchCountCap leads, so only the All tab has a
// count ("more than"), and the pager goes by that extra row.
func newLeadList(u *User, path string, f leadFilter, counts queries.CountLeadsForPartnerByStatusRow,
	rows []queries.ListLeadsForPartnerRow, capped bool) *leadList {
	l := &leadList{Path: path, Filter: f, Capped: capped}
	more := len(rows) > leadsPerPage
	rows = rows[:min(len(rows), leadsPerPage)]
	byStatus := map[string]int64{"": counts.Total, "approved": counts.Approved,
		"in_review": counts.InReview, "rejected": counts.Rejected}
	for _, s := range leadStatuses {
		tf := f
		tf.Status, tf.Page = s.Key, 1
		count := formatCount(byStatus[s.Key])
		if capped {
			count = ""
			if s.Key == "" {
				count = formatCount(searchCountCap) + "+"
			}
		}
		l.Tabs = append(l.Tabs, leadTab{Key: s.Key, Label: s.Label, URL: withQuery(path, tf.Values()),
			Count: count, Current: s.Key == f.Status})
	}
	l.All, l.Total = counts.Total, byStatus[f.Status]
	l.Pager = Pager{Page: f.Page, PerPage: leadsPerPage, Total: l.Total}
	link := func(n int) string {
		pf := f
		pf.Page = n
		return withQuery(path, pf.Values())
	}
	switch {
	case capped:
		if f.Page > 1 {
			l.Pager.PrevURL = link(f.Page - 1)
		}
		if more {
			l.Pager.NextURL = link(f.Page + 1)
		}
	default:
		if f.Page > 1 {
			l.Pager.PrevURL = link(min(f.Page-1, int(l.Pager.Pages())))
		}
		if int64(f.Page) < l.Pager.Pages() {
			l.Pager.NextURL = link(f.Page + 1)
		}
	}
	for _, r := range rows {
		l.Rows = append(l.Rows, leadRow{Lead: r,
			CanEdit: partnerCanEdit(u, r.Status, r.Source, r.CreatedByUserID)})
	}
	if len(rows) > 0 {
		first := int64(f.Page-1)*leadsPerPage + 1
		l.Summary = "Showing " + formatCount(first) + "–" + formatCount(first+int64(len(rows))-1)
		switch {
		case !capped:
			l.Summary += " of " + formatCount(l.Total)
		case f.Status == "":
			l.Summary += " of more than " + formatCount(searchCountCap)
		}
	}
	return l
}

// leadListFragment names the template an htmx request for the list gets:
// only the results when it aimed at them, otherwise "" (the caller decides).
func leadListFragment(c *fiber.Ctx) string {
	if isFragmentRequest(c) && c.Get("HX-Target") == leadResultsTarget {
		return "leads/results"
	}
	return ""
}

// formatCount writes 12345 as "12,345".
func formatCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 || len(s) <= 3 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
