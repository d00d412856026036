package app

import (
	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

const reviewPerPage = 25

// reviewQueue is the data of the queue page.
type reviewQueue struct {
	Filter   reviewFilter
	Partners []queries.ListPartnerChoicesRow
	Counters reviewCounters
	Rows     []reviewRow
	Pager    Pager
	Matched  string // how many leads match, "10,000+" beyond the cap
	Capped   bool
	OOB      bool // "review/matched" sent beside a row swap
}

// showReviewQueue lists the leads of every partner of the organization for
// review: one status at a time (In Review by default), optionally one
// partner, only possible duplicates, or a search, newest first. The filter
// form is a plain GET form; htmx swaps only the results and pushes the URL,
// so every URL also renders the whole page.
func (h *Handler) showReviewQueue(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	f := readReviewFilter(func(k string) string { return c.Query(k) })
	page := pageNumber(c)
	p := h.newPage(c, "Lead review")
	p.Section = "review"
	v := &reviewQueue{Filter: f}
	var leads []queries.ListLeadsForReviewRow
	var matched int64
	// Planned per call: the optional filters fold away, so each request
	// walks the index that fits it (see Store.CustomPlans).
	q := h.Store.CustomPlans()
	var err error
	if v.Counters, err = h.reviewCounters(ctx, q, u.OrganizationID, f); err != nil {
		return err
	}
	if matched, err = q.CountLeadsForReview(ctx, queries.CountLeadsForReviewParams{
		OrganizationID: u.OrganizationID, Status: f.Status, PartnerID: f.PartnerID,
		DuplicatesOnly: f.Duplicates, Q: f.Q, MaxCount: reviewCountCap}); err != nil {
		return err
	}
	v.Pager = newPager(c, page, reviewPerPage, matched)
	if leads, err = q.ListLeadsForReview(ctx, queries.ListLeadsForReviewParams{
		OrganizationID: u.OrganizationID, Status: f.Status, PartnerID: f.PartnerID,
		DuplicatesOnly: f.Duplicates, Q: f.Q, RowLimit: v.Pager.Limit(), RowOffset: v.Pager.Offset()}); err != nil {
		return err
	}
	if v.Partners, err = q.ListPartnerChoices(ctx, u.OrganizationID); err != nil {
		return err
	}
	v.Matched, v.Capped = countLabel(matched), matched >= reviewCountCap
	ret := c.OriginalURL()
	for _, l := range leads {
		row := h.newReviewRow(c, p, l.Lead, l.PartnerName)
		row.Inline, row.Return = true, ret
		v.Rows = append(v.Rows, row)
	}
	p.Data = v
	if isFragmentRequest(c) {
		announce(c, v.Matched+" "+map[bool]string{true: "lead matches.", false: "leads match."}[v.Matched == "1"])
	}
	return h.render(c, fiber.StatusOK, "review/queue", "review/results", p)
}
