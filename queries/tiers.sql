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
