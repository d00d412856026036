package app

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

const referralsPerPage = 25

// referralMetrics are the figures above the referral list.
type referralMetrics struct {
	Total, Approved, Waiting int64
	Rate                     string // approved / decided, "—" while nothing is decided
	OOB                      bool   // rendered as an out-of-band swap beside a row
}

// referralRow is one row of the referral list (rendered alone after an
// accept or decline); Error and Reason belong to its decline form.
type referralRow struct {
	Lead          queries.Lead
	CSRF, Zone    string
	Error, Reason string
}

// approvalRate is approved / decided as a whole percentage, rounded half up
// with integer math; "—" when no referral has been decided yet.
func approvalRate(approved, decided int64) string {
	if decided <= 0 {
		return "—"
	}
	return strconv.FormatInt((approved*200+decided)/(decided*2), 10) + "%"
}

func (h *Handler) referralMetrics(c *fiber.Ctx, u *User) (referralMetrics, error) {
	t, err := h.Store.ReferralTotalsForPartner(c.Context(), queries.ReferralTotalsForPartnerParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID})
	if err != nil {
		return referralMetrics{}, err
	}
	return referralMetrics{Total: t.Total, Approved: t.Approved, Waiting: t.Waiting,
		Rate: approvalRate(t.Approved, t.Approved+t.Declined)}, nil
}

// showReferrals lists the leads the program team passed to the company.
func (h *Handler) showReferrals(c *fiber.Ctx) error {
	return h.renderReferrals(c, fiber.StatusOK, h.newPage(c, "Referral leads"), nil)
}

// renderReferrals shows the referral page; for an htmx request about one row
// (focus not nil) it sends that row and the refreshed metrics instead.
func (h *Handler) renderReferrals(c *fiber.Ctx, status int, p *Page, focus *referralRow) error {
	u := p.User
	m, err := h.referralMetrics(c, u)
	if err != nil {
		return err
	}
	data := fiber.Map{"Metrics": m}
	p.Section = "leads"
	if focus != nil && isFragmentRequest(c) {
		m.OOB = true
		data["Metrics"], data["Row"] = m, focus
		p.Data = data
		return h.render(c, status, "leads/referrals", "leads/referral_swap", p)
	}
	pager := newPager(c, pageNumber(c), referralsPerPage, m.Total)
	if path := c.Path(); path != "/leads/referrals" { // a refused form re-renders the page: keep links on it
		pager.PrevURL = strings.Replace(pager.PrevURL, path, "/leads/referrals", 1)
		pager.NextURL = strings.Replace(pager.NextURL, path, "/leads/referrals", 1)
	}
	leads, err := h.Store.ListReferralLeadsForPartner(c.Context(), queries.ListReferralLeadsForPartnerParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, RowLimit: pager.Limit(), RowOffset: pager.Offset()})
	if err != nil {
		return err
	}
	rows := make([]referralRow, 0, len(leads)+1)
	shown := false
	for _, l := range leads {
		r := referralRow{Lead: l, CSRF: p.CSRF, Zone: u.Zone()}
		if focus != nil && focus.Lead.ID == l.ID {
			r, shown = *focus, true
		}
		rows = append(rows, r)
	}
	if focus != nil && !shown { // the refused row is on another page: show it on top
		rows = append([]referralRow{*focus}, rows...)
	}
	data["Rows"], data["Pager"] = rows, pager
	p.Data = data
	return h.render(c, status, "leads/referrals", "", p)
}
