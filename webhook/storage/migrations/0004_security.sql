-- Security: signed webhooks, the login throttle and the per-notification rate limit.

-- The owner's signing secret (NULL: unsigned calls are accepted). Kept as given: an HMAC needs the key itself.
ALTER TABLE notifications ADD COLUMN signing_secret TEXT;

-- One row per failed admin login; rows older than the throttle's window are pruned as new ones arrive.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    client TEXT NOT NULL,
    failed_at BIGINT NOT NULL
);
CREATE INDEX login_failures_by_client ON login_failures (client, failed_at);

-- Webhook calls per notification per fixed one-minute window (window_start in UTC ms); shared by every worker
-- and instance because it lives in the database. No foreign key: the hot path should not pay for its check.
CREATE TABLE rate_counters (
    notification_id BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (notification_id, window_start)
);
