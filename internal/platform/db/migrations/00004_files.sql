-- File metadata; the bytes live in the file storage (local disk by
-- default, or an S3-compatible store behind the same interface).

-- +goose Up
CREATE TABLE platform_files (
    tenant_id    BIGINT NOT NULL,
    id           BIGINT NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    storage_key  TEXT NOT NULL,
    created_by   BIGINT NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- +goose Down
SELECT 1;
