-- Notifications: the in-app inbox, email deliveries, per-user channel
-- preferences and the tenant's SMTP settings (docs/modules/notify.md).

-- +goose Up
-- One inbox row per recipient. dedupe_key is the sender's idempotency key
-- (an approval step, a reminder occasion): the unique index makes a second
-- send with the same key for the same user create nothing, whichever
-- process sends it. NULL keys never collide.
CREATE TABLE notify_notifications (
    tenant_id   BIGINT NOT NULL,
    id          BIGINT NOT NULL,
    user_id     BIGINT NOT NULL,
    template    TEXT NOT NULL,
    category    TEXT NOT NULL,
    params      TEXT NOT NULL DEFAULT '{}',
    link        TEXT NOT NULL DEFAULT '',
    object_type TEXT NOT NULL DEFAULT '',
    object_id   TEXT NOT NULL DEFAULT '',
    dedupe_key  TEXT,
    read_at     TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX notify_notifications_key ON notify_notifications (tenant_id, user_id, dedupe_key);
-- The inbox, newest first (ids are time-ordered), and its unread part:
-- the unread count reads only the small partial index.
CREATE INDEX notify_notifications_inbox ON notify_notifications (tenant_id, user_id, id);
CREATE INDEX notify_notifications_unread ON notify_notifications (tenant_id, user_id, id) WHERE read_at IS NULL;

-- One delivery per notification and outbound channel (email). The row is
-- the truth about sending: pending -> sending (claimed until a time) ->
-- sent | failed | skipped. A job that runs again finds it sent and does
-- nothing.
CREATE TABLE notify_deliveries (
    tenant_id       BIGINT NOT NULL,
    id              BIGINT NOT NULL,
    notification_id BIGINT NOT NULL,
    user_id         BIGINT NOT NULL,
    channel         TEXT NOT NULL,
    state           TEXT NOT NULL,
    address         TEXT NOT NULL DEFAULT '',
    message_id      TEXT NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    claim_token     TEXT NOT NULL DEFAULT '',
    claimed_until   TIMESTAMPTZ,
    job_id          BIGINT NOT NULL DEFAULT 0,
    sent_at         TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, notification_id) REFERENCES notify_notifications (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX notify_deliveries_notification ON notify_deliveries (tenant_id, notification_id, channel);
CREATE INDEX notify_deliveries_state ON notify_deliveries (tenant_id, state, id);

-- A user's choice per category; no row means the category's default.
CREATE TABLE notify_preferences (
    tenant_id  BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    category   TEXT NOT NULL,
    email      BOOLEAN NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, user_id, category)
);

-- The tenant's outgoing mail server; without a row the installation's
-- RENSHI_SMTP_URL applies. The password is sealed (crypto.RegisterColumn).
CREATE TABLE notify_smtp_settings (
    tenant_id    BIGINT NOT NULL,
    id           BIGINT NOT NULL,
    host         TEXT NOT NULL,
    port         INTEGER NOT NULL,
    username     TEXT NOT NULL DEFAULT '',
    password_enc TEXT NOT NULL DEFAULT '',
    from_address TEXT NOT NULL,
    from_name    TEXT NOT NULL DEFAULT '',
    tls_mode     TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    updated_by   BIGINT NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX notify_smtp_settings_tenant ON notify_smtp_settings (tenant_id);

-- +goose Down
-- Forward-only: restore from backup instead of migrating down.
SELECT 1;
