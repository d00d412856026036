-- Durable events (transactional outbox): written in the transaction of the
-- change they record, consumed later by workers.

-- name: CreateLeadWonEvent :one
-- Records a won lead from the row as it now stands, so the event and the
-- lead can never disagree. Call it right after MarkLeadWon in the same
-- transaction; MarkLeadWon succeeds once per lead, so the event is written once.
INSERT INTO outbox_events (organization_id, kind, aggregate_id, payload)
SELECT l.organization_id, 'lead_won', l.id,
       jsonb_build_object('lead_id', l.id, 'partner_id', l.partner_id, 'revenue_minor', l.revenue_minor,
                          'currency', l.currency, 'won_at', l.won_at)
FROM leads l
WHERE l.organization_id = @organization_id AND l.id = @lead_id AND l.stage = 'won'
RETURNING id;
