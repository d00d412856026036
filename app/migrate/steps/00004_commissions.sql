-- +goose Up
-- Commissions (issue 8): program settings, tier trigger stage and stage
-- incentives, tier change history, lead refunds, the commission row with its
-- earning key, and 'lead_changed' outbox events.
ALTER TABLE organizations
    ADD COLUMN commission_hold_days integer NOT NULL DEFAULT 30 CHECK (commission_hold_days BETWEEN 0 AND 365),
    ADD COLUMN commission_approval text NOT NULL DEFAULT 'manual' CHECK (commission_approval IN ('manual', 'auto'));

ALTER TABLE tiers
    ADD COLUMN trigger_stage text NOT NULL DEFAULT 'won' CHECK (trigger_stage IN ('qualified', 'proposal', 'won')),
    ADD COLUMN retired_at timestamptz;

ALTER TABLE leads
    ADD COLUMN refunded_minor bigint NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0);

CREATE TABLE tier_stage_incentives (
    organization_id bigint NOT NULL,
    tier_id         bigint NOT NULL,
    stage           text NOT NULL CHECK (stage IN ('qualified', 'proposal', 'won')),
    amount_minor    bigint NOT NULL CHECK (amount_minor > 0),
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    PRIMARY KEY (organization_id, tier_id, stage),
    FOREIGN KEY (organization_id, tier_id) REFERENCES tiers (organization_id, id) ON DELETE CASCADE
);

CREATE TABLE partner_tier_changes (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    from_tier_id    bigint,
    to_tier_id      bigint,
    from_tier_name  text NOT NULL DEFAULT '',
    to_tier_name    text NOT NULL DEFAULT '',
    changed_by      bigint REFERENCES users(id) ON DELETE SET NULL,
    changed_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX partner_tier_changes_partner_idx ON partner_tier_changes (organization_id, partner_id, changed_at);

ALTER TABLE commissions DROP CONSTRAINT commissions_organization_id_lead_id_kind_key;
ALTER TABLE commissions DROP CONSTRAINT commissions_kind_check;
ALTER TABLE commissions ALTER COLUMN kind DROP DEFAULT;
UPDATE commissions SET kind = 'revenue_share' WHERE kind = 'lead';
UPDATE commissions SET kind = 'training_bonus' WHERE kind = 'training';
ALTER TABLE commissions ADD CONSTRAINT commissions_kind_check CHECK (kind IN ('revenue_share', 'stage_incentive', 'spiff',
    'training_bonus', 'achievement_bonus', 'adjustment'));
ALTER TABLE commissions
    ADD COLUMN basis_minor bigint NOT NULL DEFAULT 0,
    ADD COLUMN tier_name text NOT NULL DEFAULT '',
    ADD COLUMN stage text NOT NULL DEFAULT '',
    ADD COLUMN reason text NOT NULL DEFAULT '',
    ADD COLUMN earning_key text,
    ADD COLUMN adjusts_id bigint,
    ADD COLUMN earned_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN approvable_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN approved_at timestamptz,
    ADD COLUMN approved_by bigint REFERENCES users(id) ON DELETE SET NULL,
    ADD COLUMN voided_at timestamptz,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
UPDATE commissions SET earning_key = 'legacy:' || id, earned_at = created_at, approvable_at = created_at,
    reason = CASE WHEN status = 'void' AND reason = '' THEN 'Void' ELSE reason END;
ALTER TABLE commissions ALTER COLUMN earning_key SET NOT NULL;
ALTER TABLE commissions ADD CONSTRAINT commissions_earning_key_check CHECK (length(earning_key) BETWEEN 1 AND 200);
ALTER TABLE commissions ADD CONSTRAINT commissions_organization_id_earning_key_key UNIQUE (organization_id, earning_key);
ALTER TABLE commissions ADD CONSTRAINT commissions_organization_id_id_key UNIQUE (organization_id, id);
ALTER TABLE commissions ADD CONSTRAINT commissions_organization_id_adjusts_id_fkey
    FOREIGN KEY (organization_id, adjusts_id) REFERENCES commissions (organization_id, id);
ALTER TABLE commissions ADD CONSTRAINT commissions_check CHECK (status <> 'void' OR reason <> '');
ALTER TABLE commissions ADD CONSTRAINT commissions_check1 CHECK (kind <> 'adjustment' OR reason <> '');
CREATE INDEX commissions_lead_idx ON commissions (organization_id, lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX commissions_org_idx ON commissions (organization_id, earned_at DESC, id DESC);
CREATE INDEX commissions_partner_earned_idx ON commissions (organization_id, partner_id, earned_at DESC, id DESC);
CREATE INDEX commissions_approvable_idx ON commissions (organization_id, approvable_at) WHERE status = 'pending';

ALTER TABLE outbox_events DROP CONSTRAINT outbox_events_kind_check;
ALTER TABLE outbox_events ADD CONSTRAINT outbox_events_kind_check CHECK (kind IN ('lead_won', 'lead_changed'));
DROP INDEX outbox_events_once;
CREATE UNIQUE INDEX outbox_events_once ON outbox_events (organization_id, kind, aggregate_id) WHERE kind = 'lead_won';

CREATE TABLE spiff_campaigns (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description     text NOT NULL DEFAULT '',
    amount_minor    bigint NOT NULL CHECK (amount_minor > 0),
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    tier_ids        bigint[] NOT NULL DEFAULT '{}',
    rule            text NOT NULL CHECK (rule IN ('stage', 'manual')),
    stage           text NOT NULL DEFAULT 'won' CHECK (stage IN ('qualified', 'proposal', 'won')),
    cap_per_partner integer NOT NULL DEFAULT 0 CHECK (cap_per_partner >= 0),
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'ended')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    CHECK (ends_at > starts_at)
);
CREATE INDEX spiff_campaigns_active_idx ON spiff_campaigns (organization_id) WHERE status = 'active';
