-- Where, when and how often a notification's popups show (README, "Where and how often"). The widget applies
-- these in the visitor's browser; the server never learns the visitor's page. Existing notifications keep
-- showing everywhere, at any time, but a visitor no longer sees the same popup again within 24 hours.
--
-- Page patterns, one a line ('' is none); * is any run of characters; exclude wins.
ALTER TABLE notifications ADD COLUMN pages_include TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN pages_exclude TEXT NOT NULL DEFAULT '';
-- 'all', 'desktop' or 'mobile', by the viewport's width.
ALTER TABLE notifications ADD COLUMN devices TEXT NOT NULL DEFAULT 'all';
-- The schedule, read in the owner's IANA time zone: dates as YYYY-MM-DD (inclusive; NULL is open), weekdays
-- as mon,tue,…, hours as HH:MM (NULL: all day; from after until runs over midnight).
ALTER TABLE notifications ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE notifications ADD COLUMN schedule_start TEXT;
ALTER TABLE notifications ADD COLUMN schedule_end TEXT;
ALTER TABLE notifications ADD COLUMN schedule_days TEXT NOT NULL DEFAULT 'mon,tue,wed,thu,fri,sat,sun';
ALTER TABLE notifications ADD COLUMN schedule_from TEXT;
ALTER TABLE notifications ADD COLUMN schedule_until TEXT;
-- How often: popups per page view (0: all), hours before a visitor sees one popup again (0: every view),
-- 'stop' or 'loop' after the last, 'newest' or 'shuffle', days a close lasts (0: the visit), and the
-- notification's turn among those of one page (higher first).
ALTER TABLE notifications ADD COLUMN max_per_view BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN repeat_hours BIGINT NOT NULL DEFAULT 24;
ALTER TABLE notifications ADD COLUMN after_last TEXT NOT NULL DEFAULT 'stop';
ALTER TABLE notifications ADD COLUMN popup_order TEXT NOT NULL DEFAULT 'newest';
ALTER TABLE notifications ADD COLUMN close_days BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN priority BIGINT NOT NULL DEFAULT 0;
