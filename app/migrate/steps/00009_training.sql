-- +goose Up
-- Training and accreditations (issue 12): courses, lessons, quizzes,
-- enrolments, progress, attempts, certificates, accreditations and awards;
-- the outbox learns 'course_completed'.
ALTER TABLE outbox_events DROP CONSTRAINT outbox_events_kind_check;
ALTER TABLE outbox_events ADD CONSTRAINT outbox_events_kind_check CHECK (kind IN ('lead_won', 'lead_changed', 'course_completed'));
CREATE UNIQUE INDEX outbox_events_course_once ON outbox_events (organization_id, aggregate_id)
    WHERE kind = 'course_completed';

-- Training (app/training): courses staff author and partner users take.
-- A course is an ordered list of lessons and an optional final quiz. Editing
-- a published course bumps its version; lessons keep their ids (a removed
-- lesson is marked, not deleted), so progress stays where a lesson still
-- exists. Visibility: every partner, or only the tiers listed. A training
-- bonus (commission row 'training_bonus') is paid once per person who
-- completes the course, optionally only for partners in bonus_tier_ids.
CREATE TABLE courses (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary          text NOT NULL DEFAULT '' CHECK (length(summary) <= 2000),
    topic            text NOT NULL DEFAULT '' CHECK (length(topic) <= 60),
    cover_key        text NOT NULL DEFAULT '',
    minutes          integer NOT NULL DEFAULT 0 CHECK (minutes BETWEEN 0 AND 10000),
    visibility       text NOT NULL DEFAULT 'all' CHECK (visibility IN ('all', 'tiers')),
    tier_ids         bigint[] NOT NULL DEFAULT '{}',
    status           text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
    version          integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    pass_mark_pct    integer NOT NULL DEFAULT 80 CHECK (pass_mark_pct BETWEEN 1 AND 100),
    cooldown_minutes integer NOT NULL DEFAULT 60 CHECK (cooldown_minutes BETWEEN 0 AND 525600),
    -- Months a certificate of this course stays valid; 0: no expiry.
    valid_months     integer NOT NULL DEFAULT 0 CHECK (valid_months BETWEEN 0 AND 120),
    bonus_minor      bigint NOT NULL DEFAULT 0 CHECK (bonus_minor >= 0),
    bonus_currency   char(3) NOT NULL DEFAULT 'USD' CHECK (bonus_currency ~ '^[A-Z]{3}$'),
    -- Empty: the bonus is paid in every tier.
    bonus_tier_ids   bigint[] NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    published_at     timestamptz,
    UNIQUE (organization_id, id)
);
CREATE INDEX courses_org_status_idx ON courses (organization_id, status, title);

CREATE TABLE lessons (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    course_id       bigint NOT NULL,
    position        integer NOT NULL DEFAULT 0,
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body_md         text NOT NULL DEFAULT '' CHECK (length(body_md) <= 100000),
    -- An uploaded video (MP4 or WebM, sniffed) or an embed from an
    -- allow-listed host (app/training.EmbedURL), not both.
    video_key       text NOT NULL DEFAULT '',
    video_type      text NOT NULL DEFAULT '',
    embed_url       text NOT NULL DEFAULT '',
    attachment_key  text NOT NULL DEFAULT '',
    attachment_name text NOT NULL DEFAULT '',
    attachment_type text NOT NULL DEFAULT '',
    removed_at      timestamptz,
    created_at      timestamptz NOT NULL,
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, course_id) REFERENCES courses (organization_id, id) ON DELETE CASCADE,
    CHECK (video_key = '' OR embed_url = '')
);
CREATE INDEX lessons_course_idx ON lessons (organization_id, course_id, position, id) WHERE removed_at IS NULL;

-- The final quiz: single- or multiple-choice questions. Which options are
-- correct is read by the grading on the server only; no page query selects it.
CREATE TABLE quiz_questions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    course_id       bigint NOT NULL,
    position        integer NOT NULL DEFAULT 0,
    prompt          text NOT NULL CHECK (length(prompt) BETWEEN 1 AND 1000),
    multiple        boolean NOT NULL DEFAULT false,
    removed_at      timestamptz,
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, course_id) REFERENCES courses (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX quiz_questions_course_idx ON quiz_questions (organization_id, course_id, position, id) WHERE removed_at IS NULL;

CREATE TABLE quiz_options (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    question_id     bigint NOT NULL,
    position        integer NOT NULL DEFAULT 0,
    label           text NOT NULL CHECK (length(label) BETWEEN 1 AND 500),
    correct         boolean NOT NULL DEFAULT false,
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, question_id) REFERENCES quiz_questions (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX quiz_options_question_idx ON quiz_options (organization_id, question_id, position, id);

-- A partner user taking a course. completed_at is set once (the outbox
-- event 'course_completed' is written in the same transaction).
CREATE TABLE enrolments (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    user_id         bigint NOT NULL,
    course_id       bigint NOT NULL,
    course_version  integer NOT NULL DEFAULT 1,
    enrolled_at     timestamptz NOT NULL,
    last_seen_at    timestamptz NOT NULL,
    completed_at    timestamptz,
    score_pct       integer,
    UNIQUE (organization_id, user_id, course_id),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, course_id) REFERENCES courses (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX enrolments_course_idx ON enrolments (organization_id, course_id, partner_id);
CREATE INDEX enrolments_partner_idx ON enrolments (organization_id, partner_id, user_id);

CREATE TABLE lesson_progress (
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    user_id         bigint NOT NULL,
    course_id       bigint NOT NULL,
    lesson_id       bigint NOT NULL,
    done_at         timestamptz NOT NULL,
    PRIMARY KEY (organization_id, user_id, lesson_id),
    FOREIGN KEY (organization_id, user_id, course_id) REFERENCES enrolments (organization_id, user_id, course_id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, lesson_id) REFERENCES lessons (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX lesson_progress_course_idx ON lesson_progress (organization_id, user_id, course_id);

-- Quiz attempts: graded on the server; wrong_question_ids says which
-- questions were wrong (never which options were right).
CREATE TABLE quiz_attempts (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id    bigint NOT NULL,
    partner_id         bigint NOT NULL,
    user_id            bigint NOT NULL,
    course_id          bigint NOT NULL,
    course_version     integer NOT NULL,
    score_pct          integer NOT NULL CHECK (score_pct BETWEEN 0 AND 100),
    passed             boolean NOT NULL,
    wrong_question_ids bigint[] NOT NULL DEFAULT '{}',
    created_at         timestamptz NOT NULL,
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, user_id, course_id) REFERENCES enrolments (organization_id, user_id, course_id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX quiz_attempts_user_idx ON quiz_attempts (organization_id, user_id, course_id, created_at DESC);

-- Certificates: one per person and course, issued by the worker from the
-- 'course_completed' event. The public id is the verification URL's
-- (/verify/{public_id}); names are kept as they stood when issued.
CREATE TABLE certificates (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id       text NOT NULL UNIQUE CHECK (public_id ~ '^[A-Z0-9]{16,32}$'),
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    user_id         bigint NOT NULL,
    course_id       bigint NOT NULL,
    course_version  integer NOT NULL,
    course_title    text NOT NULL,
    person_name     text NOT NULL,
    partner_name    text NOT NULL,
    org_name        text NOT NULL,
    score_pct       integer,
    issued_at       timestamptz NOT NULL,
    expires_at      timestamptz,
    revoked_at      timestamptz,
    revoke_reason   text NOT NULL DEFAULT '',
    revoked_by      bigint REFERENCES users(id) ON DELETE SET NULL,
    pdf_key         text NOT NULL DEFAULT '',
    UNIQUE (organization_id, user_id, course_id),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, course_id) REFERENCES courses (organization_id, id) ON DELETE CASCADE,
    CHECK (revoked_at IS NULL OR revoke_reason <> '')
);
CREATE INDEX certificates_partner_idx ON certificates (organization_id, partner_id, user_id);

-- Accreditations: earned by completing every course of course_ids. They may
-- pay an achievement bonus (once per partner company or per person) and
-- move a partner company whose members hold it upgrade_holders times to
-- upgrade_tier_id (never down).
CREATE TABLE accreditations (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    badge_key       text NOT NULL DEFAULT '',
    course_ids      bigint[] NOT NULL CHECK (cardinality(course_ids) >= 1),
    valid_months    integer NOT NULL DEFAULT 0 CHECK (valid_months BETWEEN 0 AND 120),
    bonus_minor     bigint NOT NULL DEFAULT 0 CHECK (bonus_minor >= 0),
    bonus_currency  char(3) NOT NULL DEFAULT 'USD' CHECK (bonus_currency ~ '^[A-Z]{3}$'),
    bonus_per       text NOT NULL DEFAULT 'company' CHECK (bonus_per IN ('company', 'person')),
    upgrade_tier_id bigint,
    upgrade_holders integer NOT NULL DEFAULT 1 CHECK (upgrade_holders BETWEEN 1 AND 1000),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL,
    UNIQUE (organization_id, name),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, upgrade_tier_id) REFERENCES tiers (organization_id, id)
);

-- Accreditations held: one per person and accreditation. The daily task
-- warns 30 days before expires_at (warned_at, once) and marks expired_at.
CREATE TABLE accreditation_awards (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  bigint NOT NULL,
    partner_id       bigint NOT NULL,
    user_id          bigint NOT NULL,
    accreditation_id bigint NOT NULL,
    awarded_at       timestamptz NOT NULL,
    expires_at       timestamptz,
    warned_at        timestamptz,
    expired_at       timestamptz,
    UNIQUE (organization_id, accreditation_id, user_id),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, accreditation_id) REFERENCES accreditations (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX accreditation_awards_partner_idx ON accreditation_awards (organization_id, partner_id, accreditation_id);
CREATE INDEX accreditation_awards_expiry_idx ON accreditation_awards (expires_at) WHERE expired_at IS NULL AND expires_at IS NOT NULL;
