-- Employees (module employee): the record of each person, the
-- effective-dated job history, contracts and agreements, documents,
-- custom fields, saved list views, self-service bank-account requests
-- and the search tokens behind the roster search. Written once for SQLite
-- and PostgreSQL; keys lead with tenant_id (see 00001_platform.sql).
-- References to the org module's tables (and to platform_files, created
-- by a later migration) are checked by the service, not by foreign keys.

-- +goose Up
-- Employee numbers: prefix + zero-padded sequence, e.g. RS000123.
CREATE TABLE employee_number_rules (
    tenant_id  BIGINT NOT NULL REFERENCES platform_tenants (id),
    prefix     TEXT NOT NULL DEFAULT 'RS',
    width      INTEGER NOT NULL DEFAULT 6,
    next_value BIGINT NOT NULL DEFAULT 1,
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id)
);

-- Per-tenant settings: which profile fields employees may edit themselves.
CREATE TABLE employee_settings (
    tenant_id     BIGINT NOT NULL REFERENCES platform_tenants (id),
    self_editable TEXT NOT NULL DEFAULT '[]',
    version       INTEGER NOT NULL DEFAULT 1,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id)
);

-- The employee record. ID number and bank account are sealed
-- (AES-256-GCM, see crypto); the ID number is found by its blind index.
-- The job columns (legal_entity_id .. leave_date) repeat the assignment
-- valid today so lists filter and sort on one table; next_change_on is
-- the start of the next scheduled assignment, when they must be refreshed.
-- search_text holds the search tokens (" zhangsan zs 张三 ..."), for
-- matching rows already narrowed by another index (LIKE '% term%').
CREATE TABLE employee_employees (
    tenant_id          BIGINT NOT NULL REFERENCES platform_tenants (id),
    id                 BIGINT NOT NULL,
    employee_no        TEXT NOT NULL,
    name               TEXT NOT NULL,
    english_name       TEXT NOT NULL DEFAULT '',
    name_pinyin        TEXT NOT NULL DEFAULT '',
    gender             TEXT NOT NULL DEFAULT '',
    birth_date         DATE,
    id_type            TEXT NOT NULL DEFAULT 'resident_id',
    id_number_enc      TEXT NOT NULL DEFAULT '',
    id_number_hash     TEXT NOT NULL DEFAULT '',
    nationality        TEXT NOT NULL DEFAULT '',
    ethnicity          TEXT NOT NULL DEFAULT '',
    marital_status     TEXT NOT NULL DEFAULT '',
    hukou_type         TEXT NOT NULL DEFAULT '',
    hukou_place        TEXT NOT NULL DEFAULT '',
    education          TEXT NOT NULL DEFAULT '{}',
    mobile             TEXT NOT NULL DEFAULT '',
    email              TEXT NOT NULL DEFAULT '',
    address            TEXT NOT NULL DEFAULT '',
    emergency_contacts TEXT NOT NULL DEFAULT '[]',
    bank_name          TEXT NOT NULL DEFAULT '',
    bank_account_enc   TEXT NOT NULL DEFAULT '',
    photo_file_id      BIGINT,
    first_work_date    DATE,
    custom             TEXT NOT NULL DEFAULT '{}',
    search_text        TEXT NOT NULL DEFAULT '',
    assignment_id      BIGINT,
    legal_entity_id    BIGINT,
    department_id      BIGINT,
    position_id        BIGINT,
    grade_id           BIGINT,
    manager_id         BIGINT,
    employment_type    TEXT NOT NULL DEFAULT '',
    location_id        BIGINT,
    status             TEXT NOT NULL DEFAULT '',
    period             INTEGER NOT NULL DEFAULT 1,
    hire_date          DATE,
    probation_months   INTEGER NOT NULL DEFAULT 0,
    probation_end_date DATE,
    regularisation_date DATE,
    leave_date         DATE,
    leave_reason       TEXT NOT NULL DEFAULT '',
    next_change_on     DATE,
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX employee_employees_no ON employee_employees (tenant_id, employee_no);
CREATE UNIQUE INDEX employee_employees_id_number ON employee_employees (tenant_id, id_number_hash);
CREATE INDEX employee_employees_pinyin ON employee_employees (tenant_id, name_pinyin, id);
CREATE INDEX employee_employees_department ON employee_employees (tenant_id, department_id, status);
CREATE INDEX employee_employees_manager ON employee_employees (tenant_id, manager_id) WHERE manager_id IS NOT NULL;
-- Few rows have a scheduled change: a partial index stays tiny.
CREATE INDEX employee_employees_next_change ON employee_employees (tenant_id, next_change_on) WHERE next_change_on IS NOT NULL;

-- The job history: each row holds the job from valid_from up to, not
-- including, valid_to (NULL: open). An employee's rows are contiguous
-- from the first hire; the last one is open.
CREATE TABLE employee_assignments (
    tenant_id           BIGINT NOT NULL,
    id                  BIGINT NOT NULL,
    employee_id         BIGINT NOT NULL,
    valid_from          DATE NOT NULL,
    valid_to            DATE,
    reason              TEXT NOT NULL,
    note                TEXT NOT NULL DEFAULT '',
    legal_entity_id     BIGINT,
    department_id       BIGINT,
    position_id         BIGINT,
    grade_id            BIGINT,
    manager_id          BIGINT,
    employment_type     TEXT NOT NULL DEFAULT '',
    location_id         BIGINT,
    status              TEXT NOT NULL,
    period              INTEGER NOT NULL DEFAULT 1,
    hire_date           DATE,
    probation_months    INTEGER NOT NULL DEFAULT 0,
    probation_end_date  DATE,
    regularisation_date DATE,
    leave_date          DATE,
    leave_reason        TEXT NOT NULL DEFAULT '',
    created_by          BIGINT NOT NULL DEFAULT 0,
    created_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, employee_id) REFERENCES employee_employees (tenant_id, id)
);
CREATE UNIQUE INDEX employee_assignments_from ON employee_assignments (tenant_id, employee_id, valid_from);
-- Headcounts as of a day read this index only (it covers the test).
CREATE INDEX employee_assignments_department ON employee_assignments (tenant_id, department_id, valid_from, valid_to, status);

CREATE TABLE employee_contracts (
    tenant_id         BIGINT NOT NULL,
    id                BIGINT NOT NULL,
    employee_id       BIGINT NOT NULL,
    kind              TEXT NOT NULL,
    number            TEXT NOT NULL DEFAULT '',
    start_date        DATE NOT NULL,
    end_date          DATE,
    signing_entity_id BIGINT,
    sequence          INTEGER NOT NULL DEFAULT 1,
    status            TEXT NOT NULL DEFAULT 'active',
    note              TEXT NOT NULL DEFAULT '',
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, employee_id) REFERENCES employee_employees (tenant_id, id)
);
CREATE INDEX employee_contracts_employee ON employee_contracts (tenant_id, employee_id, start_date);

CREATE TABLE employee_agreements (
    tenant_id    BIGINT NOT NULL,
    id           BIGINT NOT NULL,
    employee_id  BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    start_date   DATE NOT NULL,
    end_date     DATE,
    compensation TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, employee_id) REFERENCES employee_employees (tenant_id, id)
);
CREATE INDEX employee_agreements_employee ON employee_agreements (tenant_id, employee_id);

CREATE TABLE employee_documents (
    tenant_id    BIGINT NOT NULL,
    id           BIGINT NOT NULL,
    employee_id  BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    file_id      BIGINT NOT NULL,
    name         TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    uploaded_by  BIGINT NOT NULL DEFAULT 0,
    uploaded_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, employee_id) REFERENCES employee_employees (tenant_id, id)
);
CREATE INDEX employee_documents_employee ON employee_documents (tenant_id, employee_id);

-- Custom field definitions; values live in employee_employees.custom
-- (display) and employee_custom_values (filters: one row per value).
CREATE TABLE employee_fields (
    tenant_id     BIGINT NOT NULL REFERENCES platform_tenants (id),
    id            BIGINT NOT NULL,
    code          TEXT NOT NULL,
    label         TEXT NOT NULL,
    type          TEXT NOT NULL,
    options       TEXT NOT NULL DEFAULT '[]',
    required      BOOLEAN NOT NULL DEFAULT FALSE,
    show_in_list  BOOLEAN NOT NULL DEFAULT FALSE,
    self_editable BOOLEAN NOT NULL DEFAULT FALSE,
    sort          INTEGER NOT NULL DEFAULT 0,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX employee_fields_code ON employee_fields (tenant_id, code);

CREATE TABLE employee_custom_values (
    tenant_id   BIGINT NOT NULL,
    employee_id BIGINT NOT NULL,
    field_code  TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, employee_id, field_code, value),
    FOREIGN KEY (tenant_id, employee_id) REFERENCES employee_employees (tenant_id, id)
);
CREATE INDEX employee_custom_values_lookup ON employee_custom_values (tenant_id, field_code, value, employee_id);

-- Saved list views, per user.
CREATE TABLE employee_views (
    tenant_id  BIGINT NOT NULL,
    id         BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    name       TEXT NOT NULL,
    filters    TEXT NOT NULL DEFAULT '{}',
    columns    TEXT NOT NULL DEFAULT '[]',
    sort       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES auth_users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX employee_views_user ON employee_views (tenant_id, user_id);

-- Bank-account changes employees ask for; HR approves (applies it to the
-- record) or rejects. The account is sealed like the record's.
CREATE TABLE employee_bank_requests (
    tenant_id        BIGINT NOT NULL,
    id               BIGINT NOT NULL,
    employee_id      BIGINT NOT NULL,
    bank_name        TEXT NOT NULL,
    bank_account_enc TEXT NOT NULL,
    status           TEXT NOT NULL,
    comment          TEXT NOT NULL DEFAULT '',
    requested_by     BIGINT NOT NULL DEFAULT 0,
    requested_at     TIMESTAMPTZ NOT NULL,
    reviewed_by      BIGINT,
    reviewed_at      TIMESTAMPTZ,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, employee_id) REFERENCES employee_employees (tenant_id, id)
);
CREATE INDEX employee_bank_requests_status ON employee_bank_requests (tenant_id, status, requested_at);
CREATE INDEX employee_bank_requests_employee ON employee_bank_requests (tenant_id, employee_id);

-- Search tokens: lower-case name, pinyin in full and by initials,
-- employee number, mobile, email... hex-encoded so that prefix range
-- scans (token >= p AND token < p || 'g') behave alike under any
-- collation. One index only (the key): writing 100k people stays fast.
CREATE TABLE employee_search (
    tenant_id   BIGINT NOT NULL,
    token       TEXT NOT NULL,
    employee_id BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, token, employee_id)
);

-- +goose Down
-- Forward-only: restore from backup instead of migrating down.
SELECT 1;
