-- Spreadsheet imports (module imports): batches (one uploaded file and
-- what became of it), the problems found per cell, the records a commit
-- changed (with their previous values, for rollback) and saved column
-- mappings. Written once for SQLite and PostgreSQL; keys lead with
-- tenant_id (see 00001_platform.sql). The uploaded file itself is kept in
-- platform_files; accounts are referenced by id with their names copied.

-- +goose Up
CREATE TABLE imports_batches (
    tenant_id          BIGINT NOT NULL REFERENCES platform_tenants (id),
    id                 BIGINT NOT NULL,
    target             TEXT NOT NULL,
    file_id            BIGINT NOT NULL,
    file_name          TEXT NOT NULL,
    file_size          BIGINT NOT NULL DEFAULT 0,
    format             TEXT NOT NULL DEFAULT '',
    encoding           TEXT NOT NULL DEFAULT '',
    sheets             TEXT NOT NULL DEFAULT '[]',
    sheet              TEXT NOT NULL DEFAULT '',
    header_line        INTEGER NOT NULL DEFAULT 0,
    header             TEXT NOT NULL DEFAULT '[]',
    mapping            TEXT NOT NULL DEFAULT '{}',
    mapping_name       TEXT NOT NULL DEFAULT '',
    upsert_key         TEXT NOT NULL DEFAULT '',
    mode               TEXT NOT NULL DEFAULT 'all',
    create_departments BOOLEAN NOT NULL DEFAULT FALSE,
    state              TEXT NOT NULL,
    phase              TEXT NOT NULL DEFAULT '',
    total_rows         INTEGER NOT NULL DEFAULT 0,
    count_new          INTEGER NOT NULL DEFAULT 0,
    count_updated      INTEGER NOT NULL DEFAULT 0,
    count_unchanged    INTEGER NOT NULL DEFAULT 0,
    count_failed       INTEGER NOT NULL DEFAULT 0,
    error_count        INTEGER NOT NULL DEFAULT 0,
    change_count       INTEGER NOT NULL DEFAULT 0,
    failure            TEXT NOT NULL DEFAULT '',
    failure_params     TEXT NOT NULL DEFAULT '{}',
    job_id             BIGINT NOT NULL DEFAULT 0,
    created_by         BIGINT NOT NULL DEFAULT 0,
    created_by_name    TEXT NOT NULL DEFAULT '',
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    checked_at         TIMESTAMPTZ,
    imported_at        TIMESTAMPTZ,
    rolled_back_at     TIMESTAMPTZ,
    version            INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id)
);
-- History: newest first, narrowed by target and by who uploaded.
CREATE INDEX imports_batches_created ON imports_batches (tenant_id, created_at, id);
CREATE INDEX imports_batches_target ON imports_batches (tenant_id, target, created_at);

-- One problem with one cell (column_key '' for the row as a whole).
-- cell_value is the cell's text, masked when the column is sensitive.
CREATE TABLE imports_errors (
    tenant_id  BIGINT NOT NULL,
    batch_id   BIGINT NOT NULL,
    seq        INTEGER NOT NULL,
    line       INTEGER NOT NULL,
    col_index  INTEGER NOT NULL DEFAULT -1,
    column_key TEXT NOT NULL DEFAULT '',
    header     TEXT NOT NULL DEFAULT '',
    cell_value TEXT NOT NULL DEFAULT '',
    code       TEXT NOT NULL,
    params     TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, batch_id, seq),
    FOREIGN KEY (tenant_id, batch_id) REFERENCES imports_batches (tenant_id, id)
);
CREATE INDEX imports_errors_line ON imports_errors (tenant_id, batch_id, line);

-- What a commit wrote, in order; a rollback undoes it newest first.
CREATE TABLE imports_changes (
    tenant_id   BIGINT NOT NULL,
    batch_id    BIGINT NOT NULL,
    seq         INTEGER NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    action      TEXT NOT NULL,
    before_json TEXT NOT NULL DEFAULT '',
    after_json  TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, batch_id, seq),
    FOREIGN KEY (tenant_id, batch_id) REFERENCES imports_batches (tenant_id, id)
);

-- Named column mappings a tenant saved for a target ({header: column key}).
CREATE TABLE imports_mappings (
    tenant_id  BIGINT NOT NULL REFERENCES platform_tenants (id),
    id         BIGINT NOT NULL,
    target     TEXT NOT NULL,
    name       TEXT NOT NULL,
    mapping    TEXT NOT NULL DEFAULT '{}',
    upsert_key TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX imports_mappings_name ON imports_mappings (tenant_id, target, name);

-- +goose Down
-- Forward-only: restore from backup instead of migrating down.
SELECT 1;
