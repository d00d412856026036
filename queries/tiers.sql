-- name: UpsertTier :one
-- Used by the seeds: creates a tier once; an existing tier keeps its values,
-- except that off-platform rewards still empty are filled in.
INSERT INTO tiers (organization_id, name, commission_bps, benefits, off_platform_rewards, position)
VALUES (@organization_id, @name, @commission_bps, @benefits, @off_platform_rewards, @position)
ON CONFLICT (organization_id, name) DO UPDATE
SET off_platform_rewards = CASE WHEN tiers.off_platform_rewards = '' THEN EXCLUDED.off_platform_rewards
                                ELSE tiers.off_platform_rewards END
RETURNING *;

-- name: ListTiers :many
SELECT * FROM tiers WHERE organization_id = $1 ORDER BY position, name;

-- name: CreateTier :one
INSERT INTO tiers (organization_id, name, commission_bps, benefits, off_platform_rewards, position, trigger_stage)
VALUES (@organization_id, @name, @commission_bps, @benefits, @off_platform_rewards, @position, @trigger_stage)
RETURNING *;

-- name: UpdateTier :one
-- Changes apply to commissions earned afterwards: earned rows keep the rate
-- and tier name they were written with.
UPDATE tiers
SET name = @name, commission_bps = @commission_bps, benefits = @benefits, off_platform_rewards = @off_platform_rewards,
    position = @position, trigger_stage = @trigger_stage
WHERE organization_id = @organization_id AND id = @id
RETURNING *;

-- name: SetTierRetired :one
UPDATE tiers SET retired_at = CASE WHEN @retired::boolean THEN @now::timestamptz END
WHERE organization_id = @organization_id AND id = @id
RETURNING id;

-- name: ListStageIncentivesForOrganization :many
SELECT * FROM tier_stage_incentives WHERE organization_id = @organization_id
ORDER BY tier_id, array_position(ARRAY['qualified', 'proposal', 'won'], stage);

-- name: SetStageIncentive :exec
INSERT INTO tier_stage_incentives (organization_id, tier_id, stage, amount_minor, currency)
VALUES (@organization_id, @tier_id, @stage, @amount_minor, @currency)
ON CONFLICT (organization_id, tier_id, stage) DO UPDATE SET amount_minor = EXCLUDED.amount_minor, currency = EXCLUDED.currency;

-- name: DeleteStageIncentive :exec
DELETE FROM tier_stage_incentives WHERE organization_id = @organization_id AND tier_id = @tier_id AND stage = @stage;
