-- Training: courses, lessons, quizzes, enrolments, progress, certificates,
-- accreditations (app/training). Partner queries take the organization, the
-- partner and the user; a course is visible to a partner when published and
-- open to every tier or to the partner's tier (visibleCourse below).

-- name: ListCatalog :many
-- The partner's catalog: published courses open to the partner's tier,
-- filtered by a search and a topic, with the user's own enrolment state.
-- The page is chosen first (shown): the per-course lesson count and badges
-- are computed for the courses shown only, not for every course an OFFSET
-- skips (page 20 of 500 courses read 3,066 buffers that way, now ~240).
WITH shown AS MATERIALIZED (
  SELECT c.id, c.organization_id, c.title, c.summary, c.topic, c.cover_key, c.minutes, c.bonus_minor, c.bonus_currency, c.bonus_tier_ids,
         (c.bonus_minor > 0 AND (cardinality(c.bonus_tier_ids) = 0 OR p.tier_id = ANY(c.bonus_tier_ids)))::boolean AS earns_bonus
  FROM courses c
  JOIN partners p ON p.organization_id = c.organization_id AND p.id = @partner_id
  WHERE c.organization_id = @organization_id AND c.status = 'published'
    AND (c.visibility = 'all' OR p.tier_id = ANY(c.tier_ids))
    AND (@search::text = '' OR c.title ILIKE '%' || @search::text || '%' OR c.summary ILIKE '%' || @search::text || '%')
    AND (@topic::text = '' OR c.topic = @topic::text)
  ORDER BY c.title, c.id
  LIMIT @max_rows OFFSET @skip_rows)
SELECT s.id, s.title, s.summary, s.topic, s.cover_key, s.minutes, s.bonus_minor, s.bonus_currency, s.bonus_tier_ids, s.earns_bonus,
       (SELECT count(*) FROM lessons l WHERE l.organization_id = s.organization_id AND l.course_id = s.id AND l.removed_at IS NULL)::integer AS lesson_count,
       coalesce((SELECT string_agg(a.name, ', ' ORDER BY a.name) FROM accreditations a
         WHERE a.organization_id = s.organization_id AND a.active AND s.id = ANY(a.course_ids)), '')::text AS badges,
       e.enrolled_at, e.completed_at
FROM shown s
LEFT JOIN enrolments e ON e.organization_id = s.organization_id AND e.course_id = s.id AND e.user_id = @user_id AND e.partner_id = @partner_id
ORDER BY s.title, s.id;

-- name: ListCatalogTopics :many
SELECT DISTINCT c.topic
FROM courses c
JOIN partners p ON p.organization_id = c.organization_id AND p.id = @partner_id
WHERE c.organization_id = @organization_id AND c.status = 'published' AND c.topic <> ''
  AND (c.visibility = 'all' OR p.tier_id = ANY(c.tier_ids))
ORDER BY c.topic;

-- name: GetVisibleCourse :one
-- One course as a partner user may see it (published, open to the tier).
SELECT c.*, (c.bonus_minor > 0 AND (cardinality(c.bonus_tier_ids) = 0 OR p.tier_id = ANY(c.bonus_tier_ids)))::boolean AS earns_bonus
FROM courses c
JOIN partners p ON p.organization_id = c.organization_id AND p.id = @partner_id
WHERE c.organization_id = @organization_id AND c.id = @id AND c.status = 'published'
  AND (c.visibility = 'all' OR p.tier_id = ANY(c.tier_ids));

-- name: ListLessons :many
-- A course's lessons in order, without their bodies.
SELECT id, course_id, position, title, video_key <> '' AS has_video, embed_url <> '' AS has_embed, attachment_key <> '' AS has_attachment
FROM lessons
WHERE organization_id = @organization_id AND course_id = @course_id AND removed_at IS NULL
ORDER BY position, id;

-- name: GetLesson :one
SELECT * FROM lessons
WHERE organization_id = @organization_id AND course_id = @course_id AND id = @id AND removed_at IS NULL;

-- name: GetLessonByID :one
SELECT * FROM lessons
WHERE organization_id = @organization_id AND id = @id AND removed_at IS NULL;

-- name: GetEnrolment :one
SELECT * FROM enrolments
WHERE organization_id = @organization_id AND partner_id = @partner_id AND user_id = @user_id AND course_id = @course_id;

-- name: Enrol :one
-- Enrolling twice keeps the first enrolment.
INSERT INTO enrolments (organization_id, partner_id, user_id, course_id, course_version, enrolled_at, last_seen_at)
SELECT c.organization_id, @partner_id, @user_id, c.id, c.version, @now::timestamptz, @now::timestamptz
FROM courses c
WHERE c.organization_id = @organization_id AND c.id = @course_id
ON CONFLICT (organization_id, user_id, course_id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at
RETURNING *;

-- name: ListDoneLessonIDs :many
-- The lessons of the course (still present) the user marked done.
SELECT lp.lesson_id
FROM lesson_progress lp
JOIN lessons l ON l.organization_id = lp.organization_id AND l.id = lp.lesson_id AND l.removed_at IS NULL
WHERE lp.organization_id = @organization_id AND lp.partner_id = @partner_id AND lp.user_id = @user_id AND lp.course_id = @course_id;

-- name: MarkLessonDone :exec
INSERT INTO lesson_progress (organization_id, partner_id, user_id, course_id, lesson_id, done_at)
SELECT l.organization_id, @partner_id, @user_id, l.course_id, l.id, @now::timestamptz
FROM lessons l
WHERE l.organization_id = @organization_id AND l.course_id = @course_id AND l.id = @lesson_id AND l.removed_at IS NULL
ON CONFLICT DO NOTHING;

-- name: ListQuizForTaking :many
-- The quiz as the page shows it: questions and option labels, never which
-- option is correct.
SELECT q.id AS question_id, q.prompt, q.multiple, o.id AS option_id, o.label
FROM quiz_questions q
JOIN quiz_options o ON o.organization_id = q.organization_id AND o.question_id = q.id
WHERE q.organization_id = @organization_id AND q.course_id = @course_id AND q.removed_at IS NULL
ORDER BY q.position, q.id, o.position, o.id;

-- name: ListQuizKey :many
-- The answer key, for grading on the server only.
SELECT q.id AS question_id, q.multiple, o.id AS option_id, o.correct
FROM quiz_questions q
JOIN quiz_options o ON o.organization_id = q.organization_id AND o.question_id = q.id
WHERE q.organization_id = @organization_id AND q.course_id = @course_id AND q.removed_at IS NULL
ORDER BY q.position, q.id, o.position, o.id;

-- name: CountQuizQuestions :one
SELECT count(*)::integer FROM quiz_questions
WHERE organization_id = @organization_id AND course_id = @course_id AND removed_at IS NULL;

-- name: InsertQuizAttempt :one
INSERT INTO quiz_attempts (organization_id, partner_id, user_id, course_id, course_version, score_pct, passed, wrong_question_ids, created_at)
VALUES (@organization_id, @partner_id, @user_id, @course_id, @course_version, @score_pct, @passed, @wrong_question_ids::bigint[], @now::timestamptz)
RETURNING *;

-- name: LastQuizAttempt :one
SELECT * FROM quiz_attempts
WHERE organization_id = @organization_id AND partner_id = @partner_id AND user_id = @user_id AND course_id = @course_id
ORDER BY created_at DESC, id DESC
LIMIT 1;

-- name: BestPassedAttempt :one
SELECT * FROM quiz_attempts
WHERE organization_id = @organization_id AND partner_id = @partner_id AND user_id = @user_id AND course_id = @course_id AND passed
ORDER BY score_pct DESC, id
LIMIT 1;

-- name: CompleteEnrolment :one
-- Once: a second completion finds completed_at set and returns no row.
UPDATE enrolments SET completed_at = @now::timestamptz, score_pct = sqlc.narg(score_pct)
WHERE organization_id = @organization_id AND partner_id = @partner_id AND user_id = @user_id AND course_id = @course_id
  AND completed_at IS NULL
RETURNING *;

-- name: CreateCourseCompletedEvent :one
-- Written in the completion's transaction; the unique index refuses a
-- second event for one enrolment.
INSERT INTO outbox_events (organization_id, kind, aggregate_id, payload, created_at)
VALUES (@organization_id, 'course_completed', @enrolment_id,
        jsonb_build_object('enrolment_id', @enrolment_id::bigint, 'partner_id', @partner_id::bigint,
                           'user_id', @user_id::bigint, 'course_id', @course_id::bigint), @now::timestamptz)
RETURNING id;

-- name: ListInProgress :many
SELECT c.id, c.title, c.topic, c.minutes, e.enrolled_at, e.last_seen_at,
       (SELECT count(*) FROM lessons l WHERE l.organization_id = c.organization_id AND l.course_id = c.id AND l.removed_at IS NULL)::integer AS lesson_count,
       (SELECT count(*) FROM lesson_progress lp JOIN lessons l ON l.organization_id = lp.organization_id AND l.id = lp.lesson_id AND l.removed_at IS NULL
         WHERE lp.organization_id = e.organization_id AND lp.user_id = e.user_id AND lp.course_id = c.id)::integer AS done_count
FROM enrolments e
JOIN courses c ON c.organization_id = e.organization_id AND c.id = e.course_id AND c.status = 'published'
WHERE e.organization_id = @organization_id AND e.partner_id = @partner_id AND e.user_id = @user_id AND e.completed_at IS NULL
ORDER BY e.last_seen_at DESC, c.id
LIMIT 50;

-- name: ListCompleted :many
SELECT c.id, c.title, e.completed_at::timestamptz AS completed_at, e.score_pct,
       coalesce(ct.public_id, '')::text AS certificate_id, ct.expires_at, ct.revoked_at
FROM enrolments e
JOIN courses c ON c.organization_id = e.organization_id AND c.id = e.course_id
LEFT JOIN certificates ct ON ct.organization_id = e.organization_id AND ct.user_id = e.user_id AND ct.course_id = e.course_id
WHERE e.organization_id = @organization_id AND e.partner_id = @partner_id AND e.user_id = @user_id AND e.completed_at IS NOT NULL
ORDER BY e.completed_at DESC, c.id;

-- name: ListMyAccreditations :many
SELECT a.id, a.name, a.description, a.badge_key, a.bonus_minor, a.bonus_currency, a.upgrade_holders,
       coalesce(t.name, '')::text AS upgrade_tier_name, w.awarded_at, w.expires_at, w.expired_at
FROM accreditation_awards w
JOIN accreditations a ON a.organization_id = w.organization_id AND a.id = w.accreditation_id
LEFT JOIN tiers t ON t.organization_id = a.organization_id AND t.id = a.upgrade_tier_id
WHERE w.organization_id = @organization_id AND w.partner_id = @partner_id AND w.user_id = @user_id
ORDER BY w.awarded_at DESC, a.id;

-- name: ListAvailableAccreditations :many
-- Accreditations the partner can still earn, with what they unlock.
SELECT a.id, a.name, a.description, a.badge_key, a.bonus_minor, a.bonus_currency, a.upgrade_holders, a.valid_months,
       coalesce(t.name, '')::text AS upgrade_tier_name,
       coalesce((SELECT string_agg(c.title, ', ' ORDER BY c.title) FROM courses c
         WHERE c.organization_id = a.organization_id AND c.id = ANY(a.course_ids)), '')::text AS course_titles
FROM accreditations a
LEFT JOIN tiers t ON t.organization_id = a.organization_id AND t.id = a.upgrade_tier_id
WHERE a.organization_id = @organization_id AND a.active
  AND NOT EXISTS (SELECT 1 FROM accreditation_awards w WHERE w.organization_id = a.organization_id
                  AND w.accreditation_id = a.id AND w.user_id = @user_id AND w.partner_id = @partner_id AND w.expired_at IS NULL)
ORDER BY a.name, a.id;

-- name: GetMyCertificate :one
SELECT * FROM certificates
WHERE organization_id = @organization_id AND partner_id = @partner_id AND user_id = @user_id AND public_id = @public_id;

-- name: GetCertificateByPublicID :one
-- The public verification page: anyone with the id may read it.
SELECT * FROM certificates WHERE public_id = @public_id;

-- name: SetCertificatePDF :exec
UPDATE certificates SET pdf_key = @pdf_key WHERE organization_id = @organization_id AND id = @id;

-- Worker side (app/training.Process): everything read and written for one
-- 'course_completed' event, scoped by the event's organization and partner.

-- name: GetCompletionForIssue :one
SELECT e.id AS enrolment_id, e.organization_id, e.partner_id, e.user_id, e.course_id, e.course_version,
       e.completed_at::timestamptz AS completed_at, e.score_pct,
       c.title AS course_title, c.valid_months, c.bonus_minor, c.bonus_currency, c.bonus_tier_ids,
       coalesce(nullif(u.name, ''), u.email)::text AS person_name, p.name AS partner_name, p.tier_id,
       o.name AS org_name, o.commission_hold_days
FROM enrolments e
JOIN courses c ON c.organization_id = e.organization_id AND c.id = e.course_id
JOIN users u ON u.organization_id = e.organization_id AND u.id = e.user_id AND u.partner_id = e.partner_id
JOIN partners p ON p.organization_id = e.organization_id AND p.id = e.partner_id
JOIN organizations o ON o.id = e.organization_id
WHERE e.organization_id = @organization_id AND e.partner_id = @partner_id AND e.id = @enrolment_id
  AND e.completed_at IS NOT NULL;

-- name: InsertCertificate :one
-- One per person and course: a replay inserts nothing (no row).
INSERT INTO certificates (public_id, organization_id, partner_id, user_id, course_id, course_version, course_title,
                          person_name, partner_name, org_name, score_pct, issued_at, expires_at)
VALUES (@public_id, @organization_id, @partner_id, @user_id, @course_id, @course_version, @course_title,
        @person_name, @partner_name, @org_name, sqlc.narg(score_pct), @issued_at, sqlc.narg(expires_at))
ON CONFLICT (organization_id, user_id, course_id) DO NOTHING
RETURNING *;

-- name: GetUserCertificateForCourse :one
SELECT * FROM certificates
WHERE organization_id = @organization_id AND partner_id = @partner_id AND user_id = @user_id AND course_id = @course_id;

-- name: ListAccreditationsForCourse :many
-- Active accreditations that include the course, with whether the user has
-- now completed every course of each.
SELECT a.*,
       NOT EXISTS (SELECT 1 FROM unnest(a.course_ids) AS need(course_id)
                   WHERE NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.organization_id = a.organization_id
                                     AND e.partner_id = @partner_id AND e.user_id = @user_id
                                     AND e.course_id = need.course_id AND e.completed_at IS NOT NULL)) AS complete
FROM accreditations a
WHERE a.organization_id = @organization_id AND a.active AND @course_id::bigint = ANY(a.course_ids)
ORDER BY a.id;

-- name: InsertAccreditationAward :one
INSERT INTO accreditation_awards (organization_id, partner_id, user_id, accreditation_id, awarded_at, expires_at)
VALUES (@organization_id, @partner_id, @user_id, @accreditation_id, @awarded_at, sqlc.narg(expires_at))
ON CONFLICT (organization_id, accreditation_id, user_id) DO NOTHING
RETURNING id;

-- name: CountAccreditationHolders :one
-- Members of a partner company holding an accreditation now.
SELECT count(*)::integer FROM accreditation_awards
WHERE organization_id = @organization_id AND partner_id = @partner_id AND accreditation_id = @accreditation_id
  AND expired_at IS NULL;

-- name: GetPartnerTierPosition :one
-- The partner's tier (locked for the upgrade decision) and its position.
SELECT p.id, p.tier_id, coalesce(t.position, -1)::integer AS position
FROM partners p
LEFT JOIN tiers t ON t.organization_id = p.organization_id AND t.id = p.tier_id
WHERE p.organization_id = @organization_id AND p.id = @partner_id
FOR UPDATE OF p;

-- name: GetTier :one
SELECT * FROM tiers WHERE organization_id = @organization_id AND id = @id;

-- name: NotifyUser :one
INSERT INTO notifications (organization_id, user_id, body, link, created_at)
SELECT u.organization_id, u.id, @body, @link, @now::timestamptz
FROM users u
WHERE u.organization_id = @organization_id AND u.id = @user_id AND u.partner_id = @partner_id::bigint
RETURNING id;

-- Daily expiry task.

-- name: ClaimExpiryWarnings :many
-- Awards expiring within 30 days and not yet warned: marked warned in the
-- same statement, so each is warned once.
UPDATE accreditation_awards w SET warned_at = @now::timestamptz
FROM accreditations a
WHERE a.organization_id = w.organization_id AND a.id = w.accreditation_id
  AND w.warned_at IS NULL AND w.expired_at IS NULL AND w.expires_at IS NOT NULL
  AND w.expires_at > @now::timestamptz AND w.expires_at <= @warn_before::timestamptz
RETURNING w.id, w.organization_id, w.partner_id, w.user_id, w.expires_at, a.name;

-- name: MarkExpiredAwards :many
UPDATE accreditation_awards w SET expired_at = @now::timestamptz
FROM accreditations a
WHERE a.organization_id = w.organization_id AND a.id = w.accreditation_id
  AND w.expired_at IS NULL AND w.expires_at IS NOT NULL AND w.expires_at <= @now::timestamptz
RETURNING w.id, w.organization_id, w.partner_id, w.user_id, a.name;

-- Console (staff of the organization).

-- name: ListCoursesForStaff :many
SELECT c.*,
       (SELECT count(*) FROM lessons l WHERE l.organization_id = c.organization_id AND l.course_id = c.id AND l.removed_at IS NULL)::integer AS lesson_count,
       (SELECT count(*) FROM quiz_questions q WHERE q.organization_id = c.organization_id AND q.course_id = c.id AND q.removed_at IS NULL)::integer AS question_count
FROM courses c
WHERE c.organization_id = @organization_id
ORDER BY c.status = 'archived', c.title, c.id;

-- name: GetCourse :one
SELECT * FROM courses WHERE organization_id = @organization_id AND id = @id;

-- name: CreateCourse :one
INSERT INTO courses (organization_id, title, summary, topic, minutes, visibility, tier_ids, pass_mark_pct, cooldown_minutes,
                     valid_months, bonus_minor, bonus_currency, bonus_tier_ids, created_at, updated_at)
VALUES (@organization_id, @title, @summary, @topic, @minutes, @visibility, @tier_ids::bigint[], @pass_mark_pct, @cooldown_minutes,
        @valid_months, @bonus_minor, @bonus_currency, @bonus_tier_ids::bigint[], @now::timestamptz, @now::timestamptz)
RETURNING *;

-- name: UpdateCourse :one
-- Editing a published course makes a new version.
UPDATE courses SET title = @title, summary = @summary, topic = @topic, minutes = @minutes, visibility = @visibility,
    tier_ids = @tier_ids::bigint[], pass_mark_pct = @pass_mark_pct, cooldown_minutes = @cooldown_minutes,
    valid_months = @valid_months, bonus_minor = @bonus_minor, bonus_currency = @bonus_currency,
    bonus_tier_ids = @bonus_tier_ids::bigint[], updated_at = @now::timestamptz,
    version = version + CASE WHEN status = 'published' THEN 1 ELSE 0 END
WHERE organization_id = @organization_id AND id = @id
RETURNING *;

-- name: BumpCourseVersion :exec
-- A lesson or question of a published course changed: a new version.
UPDATE courses SET version = version + CASE WHEN status = 'published' THEN 1 ELSE 0 END, updated_at = @now::timestamptz
WHERE organization_id = @organization_id AND id = @id;

-- name: SetCourseCover :exec
UPDATE courses SET cover_key = @cover_key, updated_at = @now::timestamptz WHERE organization_id = @organization_id AND id = @id;

-- name: SetCourseStatus :one
UPDATE courses SET status = @status, updated_at = @now::timestamptz,
    published_at = CASE WHEN @status = 'published' THEN coalesce(published_at, @now::timestamptz) ELSE published_at END
WHERE organization_id = @organization_id AND id = @id
RETURNING *;

-- name: ListLessonsForStaff :many
SELECT * FROM lessons
WHERE organization_id = @organization_id AND course_id = @course_id AND removed_at IS NULL
ORDER BY position, id;

-- name: CreateLesson :one
INSERT INTO lessons (organization_id, course_id, position, title, body_md, video_key, video_type, embed_url,
                     attachment_key, attachment_name, attachment_type, created_at)
SELECT c.organization_id, c.id,
       coalesce((SELECT max(ll.position) + 1 FROM lessons ll WHERE ll.organization_id = c.organization_id AND ll.course_id = c.id), 0),
       @title, @body_md, @video_key, @video_type, @embed_url, @attachment_key, @attachment_name, @attachment_type, @now::timestamptz
FROM courses c WHERE c.organization_id = @organization_id AND c.id = @course_id
RETURNING *;

-- name: UpdateLesson :one
UPDATE lessons SET title = @title, body_md = @body_md, embed_url = @embed_url,
    video_key = CASE WHEN @embed_url <> '' THEN '' ELSE video_key END,
    video_type = CASE WHEN @embed_url <> '' THEN '' ELSE video_type END
WHERE organization_id = @organization_id AND course_id = @course_id AND id = @id AND removed_at IS NULL
RETURNING *;

-- name: SetLessonVideo :exec
UPDATE lessons SET video_key = @video_key, video_type = @video_type, embed_url = ''
WHERE organization_id = @organization_id AND id = @id;

-- name: SetLessonAttachment :exec
UPDATE lessons SET attachment_key = @attachment_key, attachment_name = @attachment_name, attachment_type = @attachment_type
WHERE organization_id = @organization_id AND id = @id;

-- name: RemoveLesson :exec
UPDATE lessons SET removed_at = @now::timestamptz
WHERE organization_id = @organization_id AND course_id = @course_id AND id = @id AND removed_at IS NULL;

-- name: SetLessonPosition :exec
UPDATE lessons SET position = @position
WHERE organization_id = @organization_id AND course_id = @course_id AND id = @id;

-- name: ListQuizForStaff :many
SELECT q.id AS question_id, q.prompt, q.multiple, o.id AS option_id, o.label, o.correct
FROM quiz_questions q
JOIN quiz_options o ON o.organization_id = q.organization_id AND o.question_id = q.id
WHERE q.organization_id = @organization_id AND q.course_id = @course_id AND q.removed_at IS NULL
ORDER BY q.position, q.id, o.position, o.id;

-- name: CreateQuestion :one
INSERT INTO quiz_questions (organization_id, course_id, position, prompt, multiple)
SELECT c.organization_id, c.id,
       coalesce((SELECT max(qq.position) + 1 FROM quiz_questions qq WHERE qq.organization_id = c.organization_id AND qq.course_id = c.id), 0),
       @prompt, @multiple
FROM courses c WHERE c.organization_id = @organization_id AND c.id = @course_id
RETURNING id;

-- name: CreateOption :exec
INSERT INTO quiz_options (organization_id, question_id, position, label, correct)
VALUES (@organization_id, @question_id, @position, @label, @correct);

-- name: RemoveQuestion :one
UPDATE quiz_questions SET removed_at = @now::timestamptz
WHERE organization_id = @organization_id AND course_id = @course_id AND id = @id AND removed_at IS NULL
RETURNING id;

-- name: ListAccreditations :many
SELECT a.*, coalesce(t.name, '')::text AS upgrade_tier_name,
       (SELECT count(*) FROM accreditation_awards w WHERE w.organization_id = a.organization_id AND w.accreditation_id = a.id AND w.expired_at IS NULL)::integer AS holders
FROM accreditations a
LEFT JOIN tiers t ON t.organization_id = a.organization_id AND t.id = a.upgrade_tier_id
WHERE a.organization_id = @organization_id
ORDER BY a.name, a.id;

-- name: GetAccreditation :one
SELECT * FROM accreditations WHERE organization_id = @organization_id AND id = @id;

-- name: CreateAccreditation :one
INSERT INTO accreditations (organization_id, name, description, course_ids, valid_months, bonus_minor, bonus_currency, bonus_per,
                            upgrade_tier_id, upgrade_holders, created_at)
VALUES (@organization_id, @name, @description, @course_ids::bigint[], @valid_months, @bonus_minor, @bonus_currency, @bonus_per,
        sqlc.narg(upgrade_tier_id), @upgrade_holders, @now::timestamptz)
RETURNING *;

-- name: UpdateAccreditation :one
UPDATE accreditations SET name = @name, description = @description, course_ids = @course_ids::bigint[], valid_months = @valid_months,
    bonus_minor = @bonus_minor, bonus_currency = @bonus_currency, bonus_per = @bonus_per,
    upgrade_tier_id = sqlc.narg(upgrade_tier_id), upgrade_holders = @upgrade_holders, active = @active
WHERE organization_id = @organization_id AND id = @id
RETURNING *;

-- name: SetAccreditationBadge :exec
UPDATE accreditations SET badge_key = @badge_key WHERE organization_id = @organization_id AND id = @id;

-- name: GetAccreditationBadgeKey :one
-- A badge image: anyone signed in to the organization may see it.
SELECT badge_key FROM accreditations WHERE organization_id = @organization_id AND id = @id;

-- name: ListCertificatesForStaff :many
SELECT * FROM certificates
WHERE organization_id = @organization_id
ORDER BY issued_at DESC, id DESC
LIMIT 200;

-- name: RevokeCertificate :one
UPDATE certificates SET revoked_at = @now::timestamptz, revoke_reason = @reason, revoked_by = @revoked_by
WHERE organization_id = @organization_id AND id = @id AND revoked_at IS NULL
RETURNING *;

-- name: CourseReport :many
-- Per course: enrolments, completions, pass rate and average score.
SELECT c.id, c.title, c.status,
       count(e.id)::integer AS enrolments,
       count(e.completed_at)::integer AS completions,
       (SELECT count(*) FROM quiz_attempts a WHERE a.organization_id = c.organization_id AND a.course_id = c.id)::integer AS attempts,
       (SELECT count(*) FROM quiz_attempts a WHERE a.organization_id = c.organization_id AND a.course_id = c.id AND a.passed)::integer AS passed,
       coalesce(round(avg(e.score_pct)), 0)::integer AS avg_score
FROM courses c
LEFT JOIN enrolments e ON e.organization_id = c.organization_id AND e.course_id = c.id
WHERE c.organization_id = @organization_id
GROUP BY c.id
ORDER BY c.title, c.id;

-- name: PartnerReport :many
-- Per partner company and course.
SELECT p.id AS partner_id, p.name AS partner_name, c.id AS course_id, c.title,
       count(e.id)::integer AS enrolments, count(e.completed_at)::integer AS completions,
       coalesce(round(avg(e.score_pct)), 0)::integer AS avg_score
FROM enrolments e
JOIN partners p ON p.organization_id = e.organization_id AND p.id = e.partner_id
JOIN courses c ON c.organization_id = e.organization_id AND c.id = e.course_id
WHERE e.organization_id = @organization_id
GROUP BY p.id, c.id
ORDER BY p.name, c.title;

