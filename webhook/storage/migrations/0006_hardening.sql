-- Hardening (issue 12).
--
-- The signature scheme a notification takes: the header of its first valid signed call (signatures.SCHEMES),
-- cleared when the signing secret changes. Signatures made for another scheme are refused, so a Stripe
-- signature can't be replayed as an X-Proofhook-Signature over "{t}.{body}".
ALTER TABLE notifications ADD COLUMN signing_scheme TEXT;

-- Admin sessions known to the server: the cookie carries a random id, this table its SHA-256 while the session
-- lasts. Logging out deletes the row, so a copy of the cookie taken before logout no longer works.
CREATE TABLE admin_sessions (
    id_hash TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);

-- The feed filtered by product (`?guid=`): any client may ask for any guid, so each read must be an indexed
-- lookup, not a scan of the notification's window.
CREATE INDEX events_by_guid ON events (notification_id, guid, timestamp DESC, id DESC);
