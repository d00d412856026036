package app

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// reviewEvent is one history entry as the lead page shows it.
type reviewEvent struct {
	What, Actor, Note string
	At                time.Time
	Changes           []reviewChange
}

type reviewChange struct{ Field, Old, New string }

var eventLabels = map[string]string{
	"created": "Registered", "updated": "Edited", "approved": "Approved", "rejected": "Rejected",
	"stage": "Stage changed", "won": "Marked Won", "lost": "Marked Lost", "note": "Note added",
	"accepted": "Referral accepted", "declined": "Referral declined", "duplicate": "Flagged as a possible duplicate",
}

// showReviewLead is the staff view of one lead: every field, the decision
// buttons, the history, and, when the lead was flagged as a possible
// duplicate, the earlier lead beside it.
func (h *Handler) showReviewLead(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := leadIDParam(c)
	if err != nil {
		return err
	}
	l, err := h.Store.GetLeadForReview(c.Context(), queries.GetLeadForReviewParams{OrganizationID: u.OrganizationID, ID: id})
	if err != nil {
		return err // another organization's lead is simply not found
	}
	p := h.newPage(c, l.Lead.Company)
	p.Section = "review"
	row := h.newReviewRow(c, p, l.Lead, l.PartnerName)
	row.Return = c.OriginalURL() // decisions come back here, filters of the queue kept
	v, err := h.reviewLeadView(c, row)
	if err != nil {
		return err
	}
	p.Data = v
	return h.render(c, fiber.StatusOK, "review/lead", "", p)
}

// reviewLeadView loads what the lead page shows around the row.
func (h *Handler) reviewLeadView(c *fiber.Ctx, row reviewRow) (*reviewView, error) {
	ctx := c.Context()
	l := row.Lead
	v := &reviewView{Row: row, ReturnURL: reviewReturn(c)}
	// Coming back to this page itself (after a form on it): the queue it was
	// opened from is in its own return parameter.
	if u, err := url.Parse(v.ReturnURL); err == nil && u.Path == fmt.Sprintf("/console/leads/%d", l.ID) {
		v.ReturnURL = "/console/leads"
		if r := u.Query().Get("return"); safeReviewPath(r) {
			v.ReturnURL = r
		}
	}
	if l.DuplicateOfLeadID != nil {
		d, err := h.Store.GetLeadForReview(ctx, queries.GetLeadForReviewParams{OrganizationID: l.OrganizationID, ID: *l.DuplicateOfLeadID})
		switch {
		case err == nil:
			o := row
			o.Lead, o.PartnerName = d.Lead, d.PartnerName
			v.Original = &o
		case queries.IsNotFound(err):
			v.Missing = true
		default:
			return nil, err
		}
	}
	events, err := h.Store.ListLeadEvents(ctx, queries.ListLeadEventsParams{
		OrganizationID: l.OrganizationID, PartnerID: l.PartnerID, LeadID: l.ID})
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		ev := reviewEvent{What: eventLabels[e.Kind], Actor: e.ActorName, Note: e.Note, At: e.CreatedAt}
		if ev.What == "" {
			ev.What = e.Kind
		}
		if ev.Actor == "" {
			ev.Actor = "The portal"
			if e.ActorRole != "" {
				ev.Actor = RoleLabel(e.ActorRole)
			}
		}
		var changes map[string]Change
		if len(e.Changes) > 0 && json.Unmarshal(e.Changes, &changes) == nil {
			for field, ch := range changes {
				ev.Changes = append(ev.Changes, reviewChange{Field: field, Old: ch.Old, New: ch.New})
			}
			sort.Slice(ev.Changes, func(i, j int) bool { return ev.Changes[i].Field < ev.Changes[j].Field })
		}
		v.Events = append(v.Events, ev)
	}
	return v, nil
}
