-- Training (module training): modules with their owners, materials and
-- their versions, the question bank, programs with their audience,
-- enrollments and per-module progress, viewing progress, test attempts,
-- homework, the responsibility matrix (duties), classroom sessions with
-- attendance, questions to module owners and program costs. Written once
-- for SQLite and PostgreSQL; keys lead with tenant_id (see
-- 00001_platform.sql). Lists of ids and answers are JSON text.

-- +goose Up
CREATE TABLE training_modules (
    tenant_id           BIGINT NOT NULL REFERENCES platform_tenants (id),
    id                  BIGINT NOT NULL,
    title               TEXT NOT NULL,
    kind                TEXT NOT NULL,            -- general | professional
    owner_department_id BIGINT,                   -- professional: the owning department
    category            TEXT NOT NULL DEFAULT '',
    description         TEXT NOT NULL DEFAULT '',
    credit_tenths       INTEGER NOT NULL DEFAULT 0, -- credit hours × 10
    test_enabled        BOOLEAN NOT NULL DEFAULT FALSE,
    test_questions      INTEGER NOT NULL DEFAULT 0, -- drawn per attempt; 0 = all
    pass_mark           INTEGER NOT NULL DEFAULT 80,
    time_limit_minutes  INTEGER NOT NULL DEFAULT 0,
    max_attempts        INTEGER NOT NULL DEFAULT 0, -- 0 = unlimited
    homework_enabled    BOOLEAN NOT NULL DEFAULT FALSE,
    homework_brief      TEXT NOT NULL DEFAULT '',
    homework_due_days   INTEGER NOT NULL DEFAULT 0,
    archived            BOOLEAN NOT NULL DEFAULT FALSE,
    version             INTEGER NOT NULL DEFAULT 1,
    created_by          BIGINT NOT NULL DEFAULT 0,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX training_modules_owner ON training_modules (tenant_id, kind, owner_department_id);

-- A material is a named slot of a module; its content lives in versions.
CREATE TABLE training_materials (
    tenant_id       BIGINT NOT NULL,
    id              BIGINT NOT NULL,
    module_id       BIGINT NOT NULL,
    title           TEXT NOT NULL,
    kind            TEXT NOT NULL,                -- file | link | text
    position        INTEGER NOT NULL DEFAULT 0,
    current_version INTEGER NOT NULL DEFAULT 1,
    deleted         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, module_id) REFERENCES training_modules (tenant_id, id)
);
CREATE INDEX training_materials_module ON training_materials (tenant_id, module_id, position);

CREATE TABLE training_material_versions (
    tenant_id     BIGINT NOT NULL,
    material_id   BIGINT NOT NULL,
    version       INTEGER NOT NULL,
    file_id       BIGINT,
    file_name     TEXT NOT NULL DEFAULT '',
    content_type  TEXT NOT NULL DEFAULT '',
    size          BIGINT NOT NULL DEFAULT 0,
    url           TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',
    uploaded_by   BIGINT NOT NULL DEFAULT 0,
    uploader_name TEXT NOT NULL DEFAULT '',
    uploaded_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, material_id, version),
    FOREIGN KEY (tenant_id, material_id) REFERENCES training_materials (tenant_id, id)
);

CREATE TABLE training_questions (
    tenant_id  BIGINT NOT NULL,
    id         BIGINT NOT NULL,
    module_id  BIGINT NOT NULL,
    kind       TEXT NOT NULL,                    -- single | multiple | truefalse | fill | short
    stem       TEXT NOT NULL,
    options    TEXT NOT NULL DEFAULT '[]',
    answer     TEXT NOT NULL DEFAULT '[]',
    points     INTEGER NOT NULL DEFAULT 1,
    position   INTEGER NOT NULL DEFAULT 0,
    deleted    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, module_id) REFERENCES training_modules (tenant_id, id)
);
CREATE INDEX training_questions_module ON training_questions (tenant_id, module_id, position);

CREATE TABLE training_programs (
    tenant_id       BIGINT NOT NULL REFERENCES platform_tenants (id),
    id              BIGINT NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL,               -- draft | active | closed
    module_ids      TEXT NOT NULL DEFAULT '[]',
    start_date      DATE,
    end_date        DATE,
    deadline_days   INTEGER NOT NULL DEFAULT 0,  -- complete within N days of assignment; 0 = end date
    schedule        TEXT NOT NULL DEFAULT '{}',
    audience        TEXT NOT NULL DEFAULT '{}',
    hire_department_id BIGINT,                   -- rule: new hires of this department (and below) are enrolled
    owner_user_id   BIGINT NOT NULL DEFAULT 0,   -- the HR organiser
    owner_name      TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX training_programs_hire ON training_programs (tenant_id, state, hire_department_id);

CREATE TABLE training_enrollments (
    tenant_id       BIGINT NOT NULL,
    id              BIGINT NOT NULL,
    program_id      BIGINT NOT NULL,
    employee_id     BIGINT NOT NULL,
    employee_name   TEXT NOT NULL DEFAULT '',
    department_id   BIGINT,
    source          TEXT NOT NULL DEFAULT 'manual', -- manual | department | hire
    state           TEXT NOT NULL,                  -- assigned | in_progress | completed | failed
    assigned_on     DATE NOT NULL,
    due_date        DATE,
    modules_total   INTEGER NOT NULL DEFAULT 0,
    modules_done    INTEGER NOT NULL DEFAULT 0,
    score_sum       INTEGER NOT NULL DEFAULT 0,     -- best scores of graded tests, for the average
    score_count     INTEGER NOT NULL DEFAULT 0,
    started_at      TIMESTAMPTZ,
    completed_at    TIMESTAMPTZ,
    certificate_no  TEXT NOT NULL DEFAULT '',
    feedback_rating INTEGER NOT NULL DEFAULT 0,
    feedback_comment TEXT NOT NULL DEFAULT '',
    feedback_at     TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, program_id, employee_id),
    FOREIGN KEY (tenant_id, program_id) REFERENCES training_programs (tenant_id, id)
);
CREATE INDEX training_enrollments_employee ON training_enrollments (tenant_id, employee_id);
CREATE INDEX training_enrollments_due ON training_enrollments (tenant_id, state, due_date);

-- One module of one enrollment.
CREATE TABLE training_progress (
    tenant_id       BIGINT NOT NULL,
    enrollment_id   BIGINT NOT NULL,
    module_id       BIGINT NOT NULL,
    program_id      BIGINT NOT NULL,
    employee_id     BIGINT NOT NULL,
    materials_total INTEGER NOT NULL DEFAULT 0,
    materials_done  INTEGER NOT NULL DEFAULT 0,
    test_state      TEXT NOT NULL DEFAULT '',       -- '' (none) | pending | failed | grading | passed
    best_score      INTEGER NOT NULL DEFAULT -1,
    attempts        INTEGER NOT NULL DEFAULT 0,
    homework_state  TEXT NOT NULL DEFAULT '',       -- '' (none) | pending | submitted | graded
    homework_score  INTEGER NOT NULL DEFAULT -1,
    homework_due    DATE,
    last_material_id BIGINT NOT NULL DEFAULT 0,
    completed_at    TIMESTAMPTZ,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, enrollment_id, module_id),
    FOREIGN KEY (tenant_id, enrollment_id) REFERENCES training_enrollments (tenant_id, id)
);
-- A learner's rows of a module (every learner action starts there), and a
-- module's rows (its totals change with its materials).
CREATE INDEX training_progress_employee ON training_progress (tenant_id, employee_id, module_id);
CREATE INDEX training_progress_module ON training_progress (tenant_id, module_id);
CREATE INDEX training_progress_program ON training_progress (tenant_id, program_id, module_id);

-- Viewing progress of one employee on one material.
CREATE TABLE training_views (
    tenant_id     BIGINT NOT NULL,
    employee_id   BIGINT NOT NULL,
    material_id   BIGINT NOT NULL,
    module_id     BIGINT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    opened_at     TIMESTAMPTZ NOT NULL,
    last_at       TIMESTAMPTZ NOT NULL,
    seconds       INTEGER NOT NULL DEFAULT 0,
    video_percent INTEGER NOT NULL DEFAULT 0,
    position      INTEGER NOT NULL DEFAULT 0,  -- seconds into a video, to continue
    done          BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (tenant_id, employee_id, material_id)
);

CREATE TABLE training_attempts (
    tenant_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    module_id     BIGINT NOT NULL,
    employee_id   BIGINT NOT NULL,
    enrollment_id BIGINT NOT NULL DEFAULT 0,
    number        INTEGER NOT NULL,
    state         TEXT NOT NULL,               -- open | grading | graded
    question_ids  TEXT NOT NULL DEFAULT '[]',
    answers       TEXT NOT NULL DEFAULT '{}',
    results       TEXT NOT NULL DEFAULT '{}',  -- points per question
    score         INTEGER NOT NULL DEFAULT 0,  -- percent
    passed        BOOLEAN NOT NULL DEFAULT FALSE,
    pass_mark     INTEGER NOT NULL DEFAULT 80,
    started_at    TIMESTAMPTZ NOT NULL,
    deadline_at   TIMESTAMPTZ,
    submitted_at  TIMESTAMPTZ,
    late          BOOLEAN NOT NULL DEFAULT FALSE,
    graded_by     BIGINT NOT NULL DEFAULT 0,
    graded_at     TIMESTAMPTZ,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, employee_id, module_id, number)
);
CREATE INDEX training_attempts_grading ON training_attempts (tenant_id, state, module_id);

CREATE TABLE training_homework (
    tenant_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    module_id     BIGINT NOT NULL,
    employee_id   BIGINT NOT NULL,
    employee_name TEXT NOT NULL DEFAULT '',
    enrollment_id BIGINT NOT NULL DEFAULT 0,
    state         TEXT NOT NULL,               -- submitted | graded
    body          TEXT NOT NULL DEFAULT '',
    file_ids      TEXT NOT NULL DEFAULT '[]',
    submitted_at  TIMESTAMPTZ NOT NULL,
    score         INTEGER NOT NULL DEFAULT -1,
    comment       TEXT NOT NULL DEFAULT '',
    graded_by     BIGINT NOT NULL DEFAULT 0,
    grader_name   TEXT NOT NULL DEFAULT '',
    graded_at     TIMESTAMPTZ,
    version       INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, enrollment_id, module_id)
);
CREATE INDEX training_homework_grading ON training_homework (tenant_id, state, module_id);

-- The responsibility matrix: one duty of one party in a program.
CREATE TABLE training_duties (
    tenant_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    program_id    BIGINT NOT NULL,
    party         TEXT NOT NULL,               -- hr | department | employee
    department_id BIGINT,                      -- the responsible department (party department)
    kind          TEXT NOT NULL,               -- plan | notify | track | compile | provide_material | coach | grade_homework | assess | ...
    module_id     BIGINT NOT NULL DEFAULT 0,
    title         TEXT NOT NULL,
    assignee_id   BIGINT NOT NULL DEFAULT 0,   -- a user
    assignee_name TEXT NOT NULL DEFAULT '',
    due_date      DATE,
    every_days    INTEGER NOT NULL DEFAULT 0,  -- recurring (track progress every N days)
    state         TEXT NOT NULL,               -- open | done
    done_at       TIMESTAMPTZ,
    done_by       BIGINT NOT NULL DEFAULT 0,
    done_by_name  TEXT NOT NULL DEFAULT '',
    done_how      TEXT NOT NULL DEFAULT '',    -- event code or 'manual'
    evidence      TEXT NOT NULL DEFAULT '',
    evidence_file_id BIGINT,
    last_done_at  TIMESTAMPTZ,                 -- recurring duties: last time it was done
    position      INTEGER NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, program_id) REFERENCES training_programs (tenant_id, id)
);
CREATE INDEX training_duties_program ON training_duties (tenant_id, program_id, position);
CREATE INDEX training_duties_open ON training_duties (tenant_id, state, due_date);

CREATE TABLE training_sessions (
    tenant_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    program_id    BIGINT NOT NULL,
    module_id     BIGINT NOT NULL DEFAULT 0,
    title         TEXT NOT NULL,
    mode          TEXT NOT NULL,               -- offline | online
    place         TEXT NOT NULL DEFAULT '',
    link          TEXT NOT NULL DEFAULT '',
    instructor_id BIGINT NOT NULL DEFAULT 0,   -- a user
    instructor_name TEXT NOT NULL DEFAULT '',
    capacity      INTEGER NOT NULL DEFAULT 0,
    starts_at     TIMESTAMPTZ NOT NULL,
    ends_at       TIMESTAMPTZ NOT NULL,
    secret        TEXT NOT NULL DEFAULT '',    -- signs the rotating QR tokens
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, program_id) REFERENCES training_programs (tenant_id, id)
);
CREATE INDEX training_sessions_program ON training_sessions (tenant_id, program_id, starts_at);

CREATE TABLE training_attendance (
    tenant_id   BIGINT NOT NULL,
    session_id  BIGINT NOT NULL,
    employee_id BIGINT NOT NULL,
    employee_name TEXT NOT NULL DEFAULT '',
    method      TEXT NOT NULL,                 -- qr | instructor
    signed_at   TIMESTAMPTZ NOT NULL,
    recorded_by BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, session_id, employee_id),
    FOREIGN KEY (tenant_id, session_id) REFERENCES training_sessions (tenant_id, id)
);

-- A learner's question to a module's owners, and its answer.
CREATE TABLE training_questions_asked (
    tenant_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    module_id     BIGINT NOT NULL,
    employee_id   BIGINT NOT NULL,
    asker_id      BIGINT NOT NULL,
    asker_name    TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL,
    answer        TEXT NOT NULL DEFAULT '',
    answered_by   BIGINT NOT NULL DEFAULT 0,
    answerer_name TEXT NOT NULL DEFAULT '',
    asked_at      TIMESTAMPTZ NOT NULL,
    answered_at   TIMESTAMPTZ,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX training_questions_asked_module ON training_questions_asked (tenant_id, module_id, asked_at);

CREATE TABLE training_costs (
    tenant_id   BIGINT NOT NULL,
    id          BIGINT NOT NULL,
    program_id  BIGINT NOT NULL,
    category    TEXT NOT NULL,                 -- instructor | venue | materials | travel | other
    amount_fen  BIGINT NOT NULL,
    incurred_on DATE NOT NULL,
    vendor      TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    created_by  BIGINT NOT NULL DEFAULT 0,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, program_id) REFERENCES training_programs (tenant_id, id)
);
CREATE INDEX training_costs_program ON training_costs (tenant_id, program_id, incurred_on);

-- +goose Down
DROP TABLE training_costs;
DROP TABLE training_questions_asked;
DROP TABLE training_attendance;
DROP TABLE training_sessions;
DROP TABLE training_duties;
DROP TABLE training_homework;
DROP TABLE training_attempts;
DROP TABLE training_views;
DROP TABLE training_progress;
DROP TABLE training_enrollments;
DROP TABLE training_programs;
DROP TABLE training_questions;
DROP TABLE training_material_versions;
DROP TABLE training_materials;
DROP TABLE training_modules;
