-- Organisation (module org): legal entities, cost centers, work
-- locations, grades, positions with headcount plans, and departments
-- whose state is kept as effective-dated versions. Written once for
-- SQLite and PostgreSQL; keys lead with tenant_id (see 00001_platform.sql).

-- +goose Up
CREATE TABLE org_legal_entities (
    tenant_id             BIGINT NOT NULL REFERENCES platform_tenants (id),
    id                    BIGINT NOT NULL,
    name                  TEXT NOT NULL,
    credit_code           TEXT NOT NULL,
    registered_address    TEXT NOT NULL DEFAULT '',
    tax_city              TEXT NOT NULL DEFAULT '',
    social_insurance_city TEXT NOT NULL DEFAULT '',
    active                BOOLEAN NOT NULL DEFAULT TRUE,
    version               INTEGER NOT NULL DEFAULT 1,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX org_legal_entities_credit_code ON org_legal_entities (tenant_id, credit_code);

CREATE TABLE org_cost_centers (
    tenant_id  BIGINT NOT NULL REFERENCES platform_tenants (id),
    id         BIGINT NOT NULL,
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX org_cost_centers_code ON org_cost_centers (tenant_id, code);

-- Coordinates are integers of 1e-7 degrees (about 1 cm): exact and the
-- same on both engines.
CREATE TABLE org_locations (
    tenant_id           BIGINT NOT NULL REFERENCES platform_tenants (id),
    id                  BIGINT NOT NULL,
    name                TEXT NOT NULL,
    address             TEXT NOT NULL DEFAULT '',
    city                TEXT NOT NULL DEFAULT '',
    latitude_e7         BIGINT,
    longitude_e7        BIGINT,
    punch_radius_meters INTEGER NOT NULL DEFAULT 300,
    active              BOOLEAN NOT NULL DEFAULT TRUE,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE org_grades (
    tenant_id  BIGINT NOT NULL REFERENCES platform_tenants (id),
    id         BIGINT NOT NULL,
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    rank       INTEGER NOT NULL DEFAULT 0,
    track      TEXT NOT NULL DEFAULT '',
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX org_grades_code ON org_grades (tenant_id, code);

CREATE TABLE org_positions (
    tenant_id    BIGINT NOT NULL REFERENCES platform_tenants (id),
    id           BIGINT NOT NULL,
    code         TEXT NOT NULL,
    name         TEXT NOT NULL,
    job_family   TEXT NOT NULL DEFAULT '',
    min_grade_id BIGINT,
    max_grade_id BIGINT,
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, min_grade_id) REFERENCES org_grades (tenant_id, id),
    FOREIGN KEY (tenant_id, max_grade_id) REFERENCES org_grades (tenant_id, id)
);
CREATE UNIQUE INDEX org_positions_code ON org_positions (tenant_id, code);

-- A department is an identity (code, lock version) plus versions, each
-- valid from valid_from up to but not including valid_to (NULL: open).
-- A department's versions are contiguous; the last one is open.
CREATE TABLE org_departments (
    tenant_id  BIGINT NOT NULL REFERENCES platform_tenants (id),
    id         BIGINT NOT NULL,
    code       TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX org_departments_code ON org_departments (tenant_id, code);

CREATE TABLE org_department_versions (
    tenant_id        BIGINT NOT NULL,
    id               BIGINT NOT NULL,
    department_id    BIGINT NOT NULL,
    valid_from       DATE NOT NULL,
    valid_to         DATE,
    name             TEXT NOT NULL,
    parent_id        BIGINT,
    head_employee_id BIGINT,
    cost_center_id   BIGINT,
    location_id      BIGINT,
    legal_entity_id  BIGINT,
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    reason           TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, department_id) REFERENCES org_departments (tenant_id, id),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES org_departments (tenant_id, id),
    FOREIGN KEY (tenant_id, cost_center_id) REFERENCES org_cost_centers (tenant_id, id),
    FOREIGN KEY (tenant_id, location_id) REFERENCES org_locations (tenant_id, id),
    FOREIGN KEY (tenant_id, legal_entity_id) REFERENCES org_legal_entities (tenant_id, id)
);
-- One version per department and start date; also serves a department's history.
CREATE UNIQUE INDEX org_department_versions_from ON org_department_versions (tenant_id, department_id, valid_from);
-- "As of" reads: valid_from <= day AND (valid_to IS NULL OR valid_to > day).
CREATE INDEX org_department_versions_asof ON org_department_versions (tenant_id, valid_from, valid_to);
-- Walking down from a department (data scopes, "and below" filters).
CREATE INDEX org_department_versions_parent ON org_department_versions (tenant_id, parent_id);

-- Planned headcount of a position in a department.
CREATE TABLE org_headcount_plans (
    tenant_id     BIGINT NOT NULL,
    position_id   BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    planned       INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, position_id, department_id),
    FOREIGN KEY (tenant_id, position_id) REFERENCES org_positions (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, department_id) REFERENCES org_departments (tenant_id, id)
);
CREATE INDEX org_headcount_plans_department ON org_headcount_plans (tenant_id, department_id);

-- +goose Down
-- Forward-only: restore from backup instead of migrating down.
SELECT 1;
