package app

// What the lead review handlers (app/review_*.go) share: the row they show,
// the status counters, the answer after an action (the row for htmx, a
// redirect otherwise) and the partner notifications a decision sends.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/hibiken/asynq"

	"partnerportal/app/money"
	"partnerportal/queries"
	"partnerportal/workers"
)

// reviewCountCap bounds every count on the queue: beyond it the page says
// "10,000+" instead of walking a million index entries.
const reviewCountCap = 10000

// reviewStatuses are the queue's tabs, in order.
var reviewStatuses = []string{"in_review", "approved", "rejected"}

// errLeadTransition means the lead is no longer in a state that allows the
// action (a guarded UPDATE matched no row).
var errLeadTransition = errors.New("lead transition not allowed")

// transitionErr turns "no row updated" into errLeadTransition.
func transitionErr(err error) error {
	if queries.IsNotFound(err) {
		return errLeadTransition
	}
	return err
}

// refusal explains why an action does not apply to the lead as it stands
// now (someone else decided it meanwhile, or it waits for its partner).
func refusal(l queries.Lead, action string) string {
	if isReferralSource(l.Source) && l.Status == "in_review" {
		return "This referral lead waits for its partner to accept or decline it, so it cannot be " + action + " here."
	}
	return "This lead is " + statusLabel(l.Status) + " (" + statusLabel(l.Stage) + "), so it cannot be " + action + " now."
}

// reviewRow is one lead as the queue and the lead page show it, with what
// its forms need.
type reviewRow struct {
	Lead        queries.Lead
	PartnerName string
	CSRF, Zone  string
	Return      string            // where plain forms go back to
	Inline      bool              // in the queue: actions swap the row with htmx
	Expand      string            // the inline form shown open ("reject", "won")
	Errors      map[string]string // field → message
	Form        map[string]string // submitted values
}

// AwaitingPartner: a referral lead staff passed on, not yet accepted or
// declined by the partner; staff do not decide it.
func (r reviewRow) AwaitingPartner() bool {
	return isReferralSource(r.Lead.Source) && r.Lead.Status == "in_review"
}

func (r reviewRow) CanApprove() bool { return r.Lead.Status == "in_review" && !r.AwaitingPartner() }
func (r reviewRow) CanReject() bool  { return r.CanApprove() }

// CanWin: an open lead that is not rejected (winning one still in review
// approves it too).
func (r reviewRow) CanWin() bool {
	return r.Lead.Status != "rejected" && !r.AwaitingPartner() && !r.Closed()
}

// CanLose: an open approved lead.
func (r reviewRow) CanLose() bool { return r.Lead.Status == "approved" && !r.Closed() }

// CanChangeStage: the edit form offers the open stages.
func (r reviewRow) CanChangeStage() bool { return r.Lead.Status == "approved" && !r.Closed() }

// Closed reports whether the lead was won or lost.
func (r reviewRow) Closed() bool { return r.Lead.Stage == "won" || r.Lead.Stage == "lost" }

// OtherErrors are messages for fields the edit row does not show.
func (r reviewRow) OtherErrors() []string {
	var out []string
	for _, k := range []string{"phone", "currency", "notes", "row"} {
		if m := r.Errors[k]; m != "" {
			out = append(out, m)
		}
	}
	return out
}

// Stages are the stages an edit may pick.
func (r reviewRow) Stages() []string { return []string{"new", "qualified", "proposal"} }

// Value returns the submitted value of a field, else the lead's.
func (r reviewRow) Value(field string) string {
	if v, ok := r.Form[field]; ok {
		return v
	}
	l := r.Lead
	switch field {
	case "company":
		return l.Company
	case "domain":
		return l.Domain
	case "contact_name":
		return l.ContactName
	case "email":
		return l.Email
	case "deal_value":
		return money.Input(l.DealValueMinor, l.Currency)
	case "stage":
		return l.Stage
	}
	return ""
}

func (h *Handler) newReviewRow(c *fiber.Ctx, p *Page, l queries.Lead, partner string) reviewRow {
	return reviewRow{Lead: l, PartnerName: partner, CSRF: p.CSRF, Zone: p.User.Zone(), Return: reviewReturn(c),
		Errors: p.Errors, Form: p.Form}
}

// leadIDParam reads :id; anything else is a 404.
func leadIDParam(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fiber.ErrNotFound
	}
	return id, nil
}

// reviewReturn is the console page an action goes back to: the "return"
// form field or query parameter when it is a console lead page, else the queue.
func reviewReturn(c *fiber.Ctx) string {
	for _, v := range []string{c.FormValue("return"), c.Query("return")} {
		if safeReviewPath(v) {
			return v
		}
	}
	return "/console/leads"
}

func safeReviewPath(v string) bool {
	if !strings.HasPrefix(v, "/console/leads") || strings.ContainsAny(v, "\\\r\n") || strings.HasPrefix(v, "//") {
		return false
	}
	u, err := url.Parse(v)
	return err == nil && u.Scheme == "" && u.Host == ""
}

// reviewFilter is the queue's query string.
type reviewFilter struct {
	Status     string
	PartnerID  int64
	Duplicates bool
	Q          string
}

func readReviewFilter(get func(string) string) reviewFilter {
	f := reviewFilter{Status: get("status"), Q: strings.TrimSpace(get("q")), Duplicates: get("duplicates") == "1"}
	if !validReviewStatus(f.Status) {
		f.Status = "in_review"
	}
	if id, err := strconv.ParseInt(get("partner"), 10, 64); err == nil && id > 0 {
		f.PartnerID = id
	}
	if len([]rune(f.Q)) > 200 {
		f.Q = string([]rune(f.Q)[:200])
	}
	return f
}

func validReviewStatus(s string) bool {
	for _, v := range reviewStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// filterOfReturn is the queue filter a return URL carries.
func filterOfReturn(ret string) reviewFilter {
	u, _ := url.Parse(ret)
	q := url.Values{}
	if u != nil {
		q = u.Query()
	}
	return readReviewFilter(q.Get)
}

// URL links to the queue with the same filters and another status.
func (f reviewFilter) URL(status string) string {
	v := url.Values{}
	v.Set("status", status)
	if f.PartnerID > 0 {
		v.Set("partner", strconv.FormatInt(f.PartnerID, 10))
	}
	if f.Duplicates {
		v.Set("duplicates", "1")
	}
	if f.Q != "" {
		v.Set("q", f.Q)
	}
	return "/console/leads?" + v.Encode()
}

// reviewCounters are the per-status counts at the top of the queue.
type reviewCounters struct {
	Items []reviewCounter
	OOB   bool // sent beside a row swap
}

type reviewCounter struct {
	Status, Count, URL string
	Current            bool
}

func (h *Handler) reviewCounters(ctx context.Context, q *queries.Queries, orgID int64, f reviewFilter) (reviewCounters, error) {
	rows, err := q.LeadStatusTotals(ctx, orgID)
	if err != nil {
		return reviewCounters{}, err
	}
	var out reviewCounters
	for _, r := range rows {
		out.Items = append(out.Items, reviewCounter{Status: r.Status, Count: formatCount(r.Leads), URL: f.URL(r.Status),
			Current: r.Status == f.Status})
	}
	return out, nil
}

// countLabel prints a capped count.
func countLabel(n int64) string {
	if n >= reviewCountCap {
		return "10,000+"
	}
	return strconv.FormatInt(n, 10)
}

// reviewView is the data of every lead review template.
type reviewView struct {
	Row       reviewRow
	Counters  reviewCounters
	Matched   *reviewQueue // the queue's "N leads match" line, refreshed beside a row swap
	Original  *reviewRow   // the earlier lead this one may duplicate
	Missing   bool         // it was flagged, but the earlier lead is gone
	Events    []reviewEvent
	Heading   string
	ReturnURL string
}

// respondReviewRow answers an action on one lead: htmx gets the row (and the
// counters out of band) with the status; a plain form with success is sent
// back where it came from with a flash; a plain form with errors gets the
// lead page with the errors in place.
func (h *Handler) respondReviewRow(c *fiber.Ctx, status int, id int64, p *Page, open, flash string) error {
	if status < 300 && !isFragmentRequest(c) {
		if flash != "" {
			h.flash(c, flash)
		}
		return redirect(c, reviewReturn(c))
	}
	u := currentUser(c)
	ctx := c.Context()
	l, err := h.Store.GetLeadForReview(ctx, queries.GetLeadForReviewParams{OrganizationID: u.OrganizationID, ID: id})
	if err != nil {
		return err
	}
	row := h.newReviewRow(c, p, l.Lead, l.PartnerName)
	row.Expand = open
	if isFragmentRequest(c) {
		row.Inline = true
		counters, err := h.reviewCounters(ctx, h.Store.Queries, u.OrganizationID, filterOfReturn(row.Return))
		if err != nil {
			return err
		}
		counters.OOB = true
		matched, err := h.reviewMatched(ctx, u.OrganizationID, filterOfReturn(row.Return))
		if err != nil {
			return err
		}
		p.Data = &reviewView{Row: row, Counters: counters, Matched: matched}
		announce(c, flash)
		return h.render(c, status, "review/lead", "review/row_swap", p)
	}
	v, err := h.reviewLeadView(c, row)
	if err != nil {
		return err
	}
	p.Title = l.Lead.Company
	p.Section = "review"
	p.Data = v
	return h.render(c, status, "review/lead", "", p)
}

// notifyLeadPartner writes the in-app notification of a decision for the
// partner users the lead concerns (inside the caller's transaction) and
// returns the notification ids, to enqueue their emails after the commit.
func notifyLeadPartner(ctx context.Context, q *queries.Queries, now time.Time, l queries.Lead, body string) ([]int64, error) {
	var creator int64
	if l.CreatedByUserID != nil {
		creator = *l.CreatedByUserID
	}
	return q.NotifyLeadPartnerUsers(ctx, queries.NotifyLeadPartnerUsersParams{Now: now,
		OrganizationID: l.OrganizationID, PartnerID: l.PartnerID, CreatorUserID: creator,
		Body: body, Link: fmt.Sprintf("/leads/%d", l.ID)})
}

// enqueueNotificationEmails hands the emails to the worker. A failure is
// logged, not returned: the change is committed and the periodic sweep
// enqueues any notification still unsent a minute later.
func (h *Handler) enqueueNotificationEmails(ctx context.Context, ids []int64) {
	for _, id := range ids {
		_, err := h.Queue.EnqueueContext(ctx, workers.NewNotificationEmailTask(id))
		if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
			h.Log.Warn("notification email not enqueued; the sweep will retry", "notification_id", id, "err", err)
		}
	}
}

// reviewMatched is the queue's "N leads match" line for a filter, sent out of
// band beside a row swap so that it never goes stale after a decision.
func (h *Handler) reviewMatched(ctx context.Context, orgID int64, f reviewFilter) (*reviewQueue, error) {
	n, err := h.Store.CustomPlans().CountLeadsForReview(ctx, queries.CountLeadsForReviewParams{
		OrganizationID: orgID, Status: f.Status, PartnerID: f.PartnerID,
		DuplicatesOnly: f.Duplicates, Q: f.Q, MaxCount: reviewCountCap})
	if err != nil {
		return nil, err
	}
	return &reviewQueue{Matched: countLabel(n), Capped: n >= reviewCountCap, OOB: true}, nil
}
