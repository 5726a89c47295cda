-- The public feed: a public key per notification, its display options, and a change counter for ETags.
--
-- public_key is separate from webhook_token: the key is printed into every page of the owner's site, the token
-- lets anyone add events. It is added nullable because random keys can't be generated portably in SQL
-- (SQLite's randomblob() and PostgreSQL's gen_random_bytes() differ); notification_store.ensure_public_keys()
-- gives every row without one a key when the app starts, and new notifications get theirs on insert. A UNIQUE index
-- allows any number of NULLs in both databases.
ALTER TABLE notifications ADD COLUMN public_key TEXT;
CREATE UNIQUE INDEX notifications_by_public_key ON notifications (public_key);

-- What the feed shows (README, "Put it on your site"); booleans are 0/1.
ALTER TABLE notifications ADD COLUMN feed_days BIGINT NOT NULL DEFAULT 7;
ALTER TABLE notifications ADD COLUMN feed_max_items BIGINT NOT NULL DEFAULT 20;
ALTER TABLE notifications ADD COLUMN feed_hide_anonymous BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN feed_hide_placeless BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN conversion_window_hours BIGINT NOT NULL DEFAULT 24;
ALTER TABLE notifications ADD COLUMN conversion_min_count BIGINT NOT NULL DEFAULT 1;

-- Bumped in the same transaction as every change that can alter the feed (new event, hidden event, settings),
-- so answering If-None-Match costs one indexed lookup of the notification row.
ALTER TABLE notifications ADD COLUMN feed_version BIGINT NOT NULL DEFAULT 0;
