-- Durable events (transactional outbox): written in the transaction of the
-- change they record, consumed later by workers.

-- name: CreateLeadWonEvent :one
-- Records a won lead from the row as it now stands, so the event and the
-- lead can never disagree. Call it right after MarkLeadWon in the same
-- transaction; MarkLeadWon succeeds once per lead, so the event is written once.
-- The partner's tier and rate at this moment travel with it: the revenue
-- commission uses the rate as it stood when the lead was won.
-- A lead won again after a reopen is a 'lead_changed' event (the first win
-- keeps its unique 'lead_won').
INSERT INTO outbox_events (organization_id, kind, aggregate_id, payload)
SELECT l.organization_id,
       CASE WHEN EXISTS (SELECT 1 FROM outbox_events e WHERE e.organization_id = l.organization_id
                         AND e.kind = 'lead_won' AND e.aggregate_id = l.id) THEN 'lead_changed' ELSE 'lead_won' END,
       l.id,
       jsonb_build_object('lead_id', l.id, 'partner_id', l.partner_id, 'revenue_minor', l.revenue_minor, 'reason', 'Lead won',
                          'currency', l.currency, 'won_at', l.won_at,
                          'tier_id', p.tier_id, 'tier_name', t.name, 'rate_bps', t.commission_bps)
FROM leads l
JOIN partners p ON p.organization_id = l.organization_id AND p.id = l.partner_id
LEFT JOIN tiers t ON t.organization_id = p.organization_id AND t.id = p.tier_id
WHERE l.organization_id = @organization_id AND l.id = @lead_id AND l.stage = 'won'
RETURNING id;

-- name: CreateLeadChangedEvent :one
-- A won lead's revenue, refunds or stage changed: the commission engine
-- reconciles it. Written in the transaction of the change.
INSERT INTO outbox_events (organization_id, kind, aggregate_id, payload)
SELECT l.organization_id, 'lead_changed', l.id,
       jsonb_build_object('lead_id', l.id, 'partner_id', l.partner_id, 'reason', @reason::text,
                          'stage', l.stage, 'revenue_minor', l.revenue_minor, 'refunded_minor', l.refunded_minor)
FROM leads l
WHERE l.organization_id = @organization_id AND l.id = @lead_id
RETURNING id;

-- name: ClaimOutboxEvents :many
-- The relay's batch: unrelayed events, oldest first, locked so a second
-- relay running at once takes the next ones instead.
SELECT id, organization_id, kind, aggregate_id, payload
FROM outbox_events
WHERE processed_at IS NULL
ORDER BY id
LIMIT @max_rows
FOR UPDATE SKIP LOCKED;

-- name: MarkOutboxEventsRelayed :exec
UPDATE outbox_events SET processed_at = @now::timestamptz
WHERE id = ANY(@ids::bigint[]) AND processed_at IS NULL;

-- name: GetOutboxEvent :one
SELECT id, organization_id, kind, aggregate_id, payload, created_at
FROM outbox_events WHERE id = @id;
