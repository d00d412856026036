package app

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// leadDetail is what leads/detail shows about one lead.
type leadDetail struct {
	Lead          queries.Lead
	CreatedByName string
	CanEdit       bool
	LockReason    string // why the partner can't edit or delete it ("" when they can)
	Pipeline      []pipelineStep
	History       []historyEntry
}

// pipelineStep is one stage of New → Qualified → Proposal → Won/Lost.
type pipelineStep struct {
	Label string
	State string // "done", "current" or "ahead"
	Lost  bool
}

// historyEntry is one line of a lead's history as the partner reads it.
type historyEntry struct {
	At      time.Time
	Who     string
	Staff   bool
	Kind    string
	Title   string
	Changes []fieldChange
	Note    string
}

type fieldChange struct {
	Field, Old, New string
}

// showLead is the lead's page: every field, where it stands, and its history.
// Any partner user of the company may read any of its leads.
func (h *Handler) showLead(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := paramID(c)
	if err != nil {
		return err
	}
	row, err := h.loadLead(c, u, id)
	if err != nil {
		return err
	}
	p := h.newPage(c, row.Lead.Company)
	return h.renderLeadDetail(c, fiber.StatusOK, p, row)
}

// loadLead reads one lead of the user's company; another partner's or
// organization's lead is simply not found (404).
func (h *Handler) loadLead(c *fiber.Ctx, u *User, id int64) (queries.GetLeadForPartnerRow, error) {
	return h.Store.GetLeadForPartner(c.Context(), queries.GetLeadForPartnerParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, ID: id})
}

// renderLeadDetail shows the lead page; the note form's errors and value come
// in p.Errors and p.Form.
func (h *Handler) renderLeadDetail(c *fiber.Ctx, status int, p *Page, row queries.GetLeadForPartnerRow) error {
	l := row.Lead
	events, err := h.Store.ListLeadEvents(c.Context(), queries.ListLeadEventsParams{
		OrganizationID: l.OrganizationID, PartnerID: l.PartnerID, LeadID: l.ID})
	if err != nil {
		return err
	}
	lock := leadLockReason(p.User, l)
	p.Section = "leads"
	p.Data = leadDetail{Lead: l, CreatedByName: row.CreatedByName, CanEdit: lock == "", LockReason: lock,
		Pipeline: leadPipeline(l.Stage), History: leadHistory(events)}
	return h.render(c, status, "leads/detail", "", p)
}

// leadPipeline marks where a lead stands on New → Qualified → Proposal → Won/Lost.
func leadPipeline(stage string) []pipelineStep {
	order := map[string]int{"new": 0, "qualified": 1, "proposal": 2, "won": 3, "lost": 3}
	cur := order[stage]
	last := "Won / Lost"
	switch stage {
	case "won":
		last = "Won"
	case "lost":
		last = "Lost"
	}
	steps := []pipelineStep{{Label: "New"}, {Label: "Qualified"}, {Label: "Proposal"}, {Label: last, Lost: stage == "lost"}}
	for i := range steps {
		switch {
		case i < cur:
			steps[i].State = "done"
		case i == cur:
			steps[i].State = "current"
		default:
			steps[i].State = "ahead"
		}
	}
	return steps
}

var historyTitles = map[string]string{
	"created": "Registered the lead", "updated": "Edited the lead", "approved": "Approved the lead",
	"rejected": "Rejected the lead", "stage": "Moved the lead to another stage", "won": "Marked the lead as won",
	"lost": "Marked the lead as lost", "note": "Added a note", "accepted": "Accepted the referral",
	"declined": "Declined the referral", "duplicate": "Flagged as a possible duplicate",
}

// fieldOrder is the order changes are listed in (the labels leadChanges uses);
// anything else (stage, status, revenue set by staff) follows alphabetically.
var fieldOrder = []string{"Company", "Website", "Contact", "Email", "Phone", "Currency", "Deal value", "Notes"}

func leadHistory(events []queries.ListLeadEventsRow) []historyEntry {
	out := make([]historyEntry, 0, len(events))
	for _, e := range events {
		entry := historyEntry{At: e.CreatedAt, Who: e.ActorName, Staff: e.ActorRole == RoleStaff, Kind: e.Kind,
			Title: historyTitles[e.Kind], Note: e.Note}
		if entry.Title == "" {
			entry.Title = statusLabel(e.Kind)
		}
		if entry.Who == "" {
			entry.Who = "The portal"
		}
		var changes map[string]Change
		_ = json.Unmarshal(e.Changes, &changes) // a malformed entry shows without its changes
		for field, ch := range changes {
			entry.Changes = append(entry.Changes, fieldChange{Field: field, Old: ch.Old, New: ch.New})
		}
		slices.SortFunc(entry.Changes, func(a, b fieldChange) int {
			ia, ib := slices.Index(fieldOrder, a.Field), slices.Index(fieldOrder, b.Field)
			if ia < 0 {
				ia = len(fieldOrder)
			}
			if ib < 0 {
				ib = len(fieldOrder)
			}
			if ia != ib {
				return ia - ib
			}
			if a.Field < b.Field {
				return -1
			}
			if a.Field > b.Field {
				return 1
			}
			return 0
		})
		out = append(out, entry)
	}
	return out
}
