-- Approvals (module approval): flow definitions per request type
-- (versioned: a save adds a version, running instances keep theirs),
-- instances with their tasks, timeline and CC recipients, and
-- delegations. Written once for SQLite and PostgreSQL; keys lead with
-- tenant_id (see 00001_platform.sql). Accounts are referenced by id and
-- their names copied for lists (accounts are disabled, never deleted);
-- employees and departments belong to other modules and are not keys here.

-- +goose Up
CREATE TABLE approval_flows (
    tenant_id    BIGINT NOT NULL REFERENCES platform_tenants (id),
    id           BIGINT NOT NULL,
    request_type TEXT NOT NULL,
    version      INTEGER NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    definition   TEXT NOT NULL,
    created_by   BIGINT NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX approval_flows_version ON approval_flows (tenant_id, request_type, version);

-- An instance is one request; node_index is the current node of the
-- chosen branch (-1 before the first; the node count for the fallback
-- step). version is the optimistic lock every action bumps.
CREATE TABLE approval_instances (
    tenant_id             BIGINT NOT NULL REFERENCES platform_tenants (id),
    id                    BIGINT NOT NULL,
    request_type          TEXT NOT NULL,
    flow_id               BIGINT NOT NULL,
    flow_version          INTEGER NOT NULL,
    title                 TEXT NOT NULL DEFAULT '',
    applicant_user_id     BIGINT NOT NULL,
    applicant_name        TEXT NOT NULL DEFAULT '',
    subject_employee_id   BIGINT,
    subject_department_id BIGINT,
    object_id             TEXT NOT NULL DEFAULT '',
    fields                TEXT NOT NULL DEFAULT '{}',
    state                 TEXT NOT NULL,
    round                 INTEGER NOT NULL DEFAULT 1,
    branch                INTEGER NOT NULL DEFAULT 0,
    node_index            INTEGER NOT NULL DEFAULT -1,
    node_name             TEXT NOT NULL DEFAULT '',
    request_key           TEXT,
    reminded_at           TIMESTAMPTZ,
    submitted_at          TIMESTAMPTZ NOT NULL,
    finished_at           TIMESTAMPTZ,
    updated_at            TIMESTAMPTZ NOT NULL,
    version               INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, flow_id) REFERENCES approval_flows (tenant_id, id)
);
-- A client's request key makes a submission idempotent (NULLs never clash).
CREATE UNIQUE INDEX approval_instances_key ON approval_instances (tenant_id, applicant_user_id, request_key);
CREATE INDEX approval_instances_applicant ON approval_instances (tenant_id, applicant_user_id, submitted_at, id);
CREATE INDEX approval_instances_submitted ON approval_instances (tenant_id, submitted_at, id);
CREATE INDEX approval_instances_object ON approval_instances (tenant_id, request_type, object_id);

-- Tasks: one approver's part in one node of one round. Tasks sharing a
-- slot are alternatives (one approval settles the slot).
CREATE TABLE approval_tasks (
    tenant_id        BIGINT NOT NULL,
    id               BIGINT NOT NULL,
    instance_id      BIGINT NOT NULL,
    round            INTEGER NOT NULL,
    node_index       INTEGER NOT NULL,
    node_name        TEXT NOT NULL DEFAULT '',
    slot             BIGINT NOT NULL,
    parent_id        BIGINT,
    origin           TEXT NOT NULL,
    approver_user_id BIGINT NOT NULL,
    approver_name    TEXT NOT NULL DEFAULT '',
    on_behalf_of     BIGINT,
    state            TEXT NOT NULL,
    comment          TEXT NOT NULL DEFAULT '',
    due_at           TIMESTAMPTZ,
    escalated        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       TIMESTAMPTZ NOT NULL,
    acted_at         TIMESTAMPTZ,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, instance_id) REFERENCES approval_instances (tenant_id, id)
);
-- "My to-do" reads this index in order: a page and its count stay a
-- short range scan however many instances the tenant has. "Done" (the
-- user's decisions, newest first) has its own partial index.
CREATE INDEX approval_tasks_approver ON approval_tasks (tenant_id, approver_user_id, state, created_at, id);
CREATE INDEX approval_tasks_done ON approval_tasks (tenant_id, approver_user_id, acted_at, id)
    WHERE state IN ('approved', 'rejected', 'transferred');
CREATE INDEX approval_tasks_instance ON approval_tasks (tenant_id, instance_id);
-- Deadlines are cleared once a task is acted on or escalated: the
-- escalation job reads a tiny partial index across tenants.
CREATE INDEX approval_tasks_due ON approval_tasks (due_at, tenant_id) WHERE due_at IS NOT NULL;

-- The timeline. A client's request key on an action makes it idempotent.
CREATE TABLE approval_events (
    tenant_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    instance_id   BIGINT NOT NULL,
    round         INTEGER NOT NULL DEFAULT 1,
    at            TIMESTAMPTZ NOT NULL,
    actor_user_id BIGINT NOT NULL DEFAULT 0,
    actor_name    TEXT NOT NULL DEFAULT '',
    action        TEXT NOT NULL,
    comment       TEXT NOT NULL DEFAULT '',
    detail        TEXT NOT NULL DEFAULT '{}',
    request_key   TEXT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, instance_id) REFERENCES approval_instances (tenant_id, id)
);
CREATE INDEX approval_events_instance ON approval_events (tenant_id, instance_id, at);
CREATE UNIQUE INDEX approval_events_key ON approval_events (tenant_id, actor_user_id, request_key);

-- CC recipients of approved instances ("CC'd to me" reads the key).
CREATE TABLE approval_ccs (
    tenant_id   BIGINT NOT NULL,
    user_id     BIGINT NOT NULL,
    instance_id BIGINT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, user_id, instance_id),
    FOREIGN KEY (tenant_id, instance_id) REFERENCES approval_instances (tenant_id, id)
);

CREATE TABLE approval_delegations (
    tenant_id        BIGINT NOT NULL,
    id               BIGINT NOT NULL,
    user_id          BIGINT NOT NULL,
    delegate_user_id BIGINT NOT NULL,
    request_type     TEXT NOT NULL DEFAULT '',
    start_date       DATE NOT NULL,
    end_date         DATE NOT NULL,
    note             TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES auth_users (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, delegate_user_id) REFERENCES auth_users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX approval_delegations_user ON approval_delegations (tenant_id, user_id, end_date);
CREATE INDEX approval_delegations_days ON approval_delegations (tenant_id, end_date, start_date);

-- +goose Down
-- Forward-only: restore from backup instead of migrating down.
SELECT 1;
