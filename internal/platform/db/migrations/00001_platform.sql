-- Platform foundation: tenants, users, sessions, tokens, roles, audit,
-- keys and jobs. Written once for SQLite and PostgreSQL (see migrate.go).
-- Business tables lead with tenant_id and include it in every key so the
-- schema can be distributed by tenant (Citus).

-- +goose Up
CREATE TABLE platform_tenants (
    id                   BIGINT PRIMARY KEY,
    code                 TEXT NOT NULL,
    name                 TEXT NOT NULL,
    time_zone            TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    locale               TEXT NOT NULL DEFAULT 'zh-CN',
    status               TEXT NOT NULL DEFAULT 'active',
    require_admin_totp   BOOLEAN NOT NULL DEFAULT FALSE,
    password_min_length  INTEGER NOT NULL DEFAULT 10,
    session_idle_minutes INTEGER NOT NULL DEFAULT 120,
    session_max_hours    INTEGER NOT NULL DEFAULT 12,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX platform_tenants_code ON platform_tenants (code);

CREATE TABLE auth_users (
    tenant_id            BIGINT NOT NULL REFERENCES platform_tenants (id),
    id                   BIGINT NOT NULL,
    login                TEXT NOT NULL,
    display_name         TEXT NOT NULL,
    email                TEXT NOT NULL DEFAULT '',
    mobile_enc           TEXT NOT NULL DEFAULT '',
    mobile_hash          TEXT NOT NULL DEFAULT '',
    id_number_enc        TEXT NOT NULL DEFAULT '',
    id_number_hash       TEXT NOT NULL DEFAULT '',
    password_hash        TEXT NOT NULL,
    password_changed_at  TIMESTAMPTZ NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    status               TEXT NOT NULL DEFAULT 'active',
    locale               TEXT NOT NULL DEFAULT '',
    employee_id          BIGINT,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         TIMESTAMPTZ,
    last_login_at        TIMESTAMPTZ,
    totp_secret_enc      TEXT NOT NULL DEFAULT '',
    totp_enabled         BOOLEAN NOT NULL DEFAULT FALSE,
    totp_last_step       BIGINT NOT NULL DEFAULT 0,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX auth_users_login ON auth_users (tenant_id, login);
CREATE INDEX auth_users_mobile_hash ON auth_users (tenant_id, mobile_hash);
CREATE INDEX auth_users_id_number_hash ON auth_users (tenant_id, id_number_hash);

-- Sessions are looked up by (tenant_id, id); id is the SHA-256 of the
-- cookie secret, so a copy of this table cannot be replayed as cookies.
CREATE TABLE auth_sessions (
    tenant_id       BIGINT NOT NULL,
    id              TEXT NOT NULL,
    user_id         BIGINT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    last_seen_at    TIMESTAMPTZ NOT NULL,
    idle_expires_at TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    mfa_pending     BOOLEAN NOT NULL DEFAULT FALSE,
    ip              TEXT NOT NULL DEFAULT '',
    user_agent      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES auth_users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX auth_sessions_user ON auth_sessions (tenant_id, user_id);
CREATE INDEX auth_sessions_expiry ON auth_sessions (expires_at);

CREATE TABLE auth_tokens (
    tenant_id    BIGINT NOT NULL,
    id           BIGINT NOT NULL,
    user_id      BIGINT NOT NULL,
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    permissions  TEXT NOT NULL DEFAULT '[]',
    expires_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES auth_users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX auth_tokens_user ON auth_tokens (tenant_id, user_id);

CREATE TABLE rbac_roles (
    tenant_id     BIGINT NOT NULL REFERENCES platform_tenants (id),
    id            BIGINT NOT NULL,
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    builtin       BOOLEAN NOT NULL DEFAULT FALSE,
    default_scope TEXT NOT NULL DEFAULT 'self',
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX rbac_roles_code ON rbac_roles (tenant_id, code);

CREATE TABLE rbac_role_permissions (
    tenant_id  BIGINT NOT NULL,
    role_id    BIGINT NOT NULL,
    permission TEXT NOT NULL,
    PRIMARY KEY (tenant_id, role_id, permission),
    FOREIGN KEY (tenant_id, role_id) REFERENCES rbac_roles (tenant_id, id) ON DELETE CASCADE
);

-- A grant gives a user a role with a data scope.
CREATE TABLE rbac_grants (
    tenant_id      BIGINT NOT NULL,
    id             BIGINT NOT NULL,
    user_id        BIGINT NOT NULL,
    role_id        BIGINT NOT NULL,
    scope          TEXT NOT NULL,
    department_ids TEXT NOT NULL DEFAULT '[]',
    created_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES auth_users (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, role_id) REFERENCES rbac_roles (tenant_id, id)
);
CREATE UNIQUE INDEX rbac_grants_user_role ON rbac_grants (tenant_id, user_id, role_id);
CREATE INDEX rbac_grants_role ON rbac_grants (tenant_id, role_id);

-- The audit log is append-only and hash-chained per tenant; audit_heads
-- holds each chain's tip so deleting the newest rows is detected too, and
-- its row lock serialises appends on PostgreSQL.
CREATE TABLE audit_log (
    tenant_id   BIGINT NOT NULL,
    id          BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    actor_id    BIGINT NOT NULL DEFAULT 0,
    actor_login TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL DEFAULT '',
    diff        TEXT NOT NULL DEFAULT '{}',
    request_id  TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX audit_log_seq ON audit_log (tenant_id, seq);
CREATE INDEX audit_log_at ON audit_log (tenant_id, at);
CREATE INDEX audit_log_object ON audit_log (tenant_id, object_type, object_id);
CREATE INDEX audit_log_actor ON audit_log (tenant_id, actor_id);

CREATE TABLE audit_heads (
    tenant_id BIGINT NOT NULL PRIMARY KEY,
    seq       BIGINT NOT NULL,
    hash      TEXT NOT NULL
);

-- Data-encryption keys, each wrapped (AES-256-GCM) under the master key
-- that never touches the database. Global: one key ring per installation.
CREATE TABLE crypto_keys (
    id         TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL,
    wrapped    TEXT NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);

-- Durable background jobs (ADR 0001). tenant_id 0 holds platform jobs.
CREATE TABLE platform_jobs (
    tenant_id        BIGINT NOT NULL,
    id               BIGINT NOT NULL,
    kind             TEXT NOT NULL,
    args             TEXT NOT NULL DEFAULT '{}',
    state            TEXT NOT NULL,
    attempt          INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL DEFAULT 5,
    run_at           TIMESTAMPTZ NOT NULL,
    lease_owner      TEXT NOT NULL DEFAULT '',
    lease_until      TIMESTAMPTZ,
    progress         INTEGER NOT NULL DEFAULT 0,
    message          TEXT NOT NULL DEFAULT '',
    result           TEXT NOT NULL DEFAULT '',
    last_error       TEXT NOT NULL DEFAULT '',
    unique_key       TEXT,
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    created_by       BIGINT NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL,
    started_at       TIMESTAMPTZ,
    finished_at      TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX platform_jobs_unique ON platform_jobs (tenant_id, unique_key);
CREATE INDEX platform_jobs_ready ON platform_jobs (state, run_at);
CREATE INDEX platform_jobs_list ON platform_jobs (tenant_id, created_at);

-- +goose Down
-- Forward-only: restore from backup instead of migrating down.
SELECT 1;
