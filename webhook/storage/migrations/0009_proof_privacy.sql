-- Proof and privacy (README, "Proof and privacy"): how each event arrived, and the owner's re-identification
-- guards and retention.
--
-- How an event arrived: 'verified' (a webhook whose signature was checked; signature_scheme names the header
-- that carried it), 'unsigned' (a webhook without a signing secret) or 'imported' (a history file). Events
-- stored before this migration have no arrival: their proof says it was not recorded, and never "verified".
ALTER TABLE events ADD COLUMN arrival TEXT;
ALTER TABLE events ADD COLUMN signature_scheme TEXT;

-- The "Verified" mark on popups, linking to each popup's public proof page; off by default (booleans are 0/1).
ALTER TABLE notifications ADD COLUMN show_verified BIGINT NOT NULL DEFAULT 0;
-- How precise a popup's place is: 'city', 'region', 'country' or 'none'.
ALTER TABLE notifications ADD COLUMN place_precision TEXT NOT NULL DEFAULT 'city';
-- The small-place guard: a city (or region) is shown only when this many events of the feed window come
-- from it; 1 turns the guard off.
ALTER TABLE notifications ADD COLUMN min_place_events BIGINT NOT NULL DEFAULT 3;
-- Time blur: events younger than this many minutes are held back, and "time ago" is coarse; 0 is off.
ALTER TABLE notifications ADD COLUMN time_blur_minutes BIGINT NOT NULL DEFAULT 0;
-- Events older than this many days are deleted automatically; NULL keeps them.
ALTER TABLE notifications ADD COLUMN retention_days BIGINT DEFAULT 365;
