package commission

import (
	"encoding/json"
	"fmt"
)

// outboxPayload is the JSON the outbox queries write (queries/outbox.sql).
type outboxPayload struct {
	LeadID   int64   `json:"lead_id"`
	Reason   string  `json:"reason"`
	RateBps  *int32  `json:"rate_bps"`
	TierName *string `json:"tier_name"`
}

// EventFromOutbox decodes an outbox row into an earning event.
func EventFromOutbox(id, orgID int64, kind string, payload []byte) (Event, error) {
	var p outboxPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return Event{}, fmt.Errorf("outbox event %d: %w", id, err)
	}
	if p.LeadID <= 0 {
		return Event{}, fmt.Errorf("outbox event %d: no lead", id)
	}
	ev := Event{OutboxID: id, Kind: kind, OrganizationID: orgID, LeadID: p.LeadID, Reason: p.Reason}
	switch kind {
	case "lead_won":
		if ev.Reason == "" {
			ev.Reason = "Lead won"
		}
		if p.RateBps != nil {
			ev.HasRate, ev.RateBps = true, *p.RateBps
			if p.TierName != nil {
				ev.TierName = *p.TierName
			}
		}
	case "lead_changed":
	default:
		return Event{}, fmt.Errorf("outbox event %d: kind %q is not an earning event", id, kind)
	}
	return ev, nil
}
