-- Notifications and their events. Types are the ones SQLite and PostgreSQL both read the same way;
-- times are UTC milliseconds since the epoch.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('stream', 'conversion')),
    message TEXT NOT NULL,
    webhook_token TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    notification_id BIGINT NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    received_at BIGINT NOT NULL,
    timestamp BIGINT NOT NULL,
    email TEXT,
    first_name TEXT,
    last_name TEXT,
    ip TEXT,
    city TEXT,
    state TEXT,
    state_code TEXT,
    country TEXT,
    country_code TEXT,
    guid TEXT,
    product_name TEXT,
    product_link TEXT,
    product_image TEXT,
    total DOUBLE PRECISION,
    currency TEXT,
    products TEXT,
    sources TEXT,
    raw TEXT,
    -- The sender's idempotency key; unique per notification, so a retry can never store twice.
    dedup_key TEXT,
    -- Set when the order was cancelled or refunded: the event stays stored but is never shown.
    cancelled_at BIGINT,
    UNIQUE (notification_id, dedup_key)
);

-- Every read is "this notification's events, newest first".
CREATE INDEX events_by_time ON events (notification_id, timestamp DESC, id DESC);
