-- Goals, attribution and a measured lift (README, "Is it working?").
--
-- A notification's goals, one a line: a page pattern (the display rules' syntax), a space, and the goal's name,
-- e.g. "/checkout/thank-you* Purchase" ('' is none).
ALTER TABLE notifications ADD COLUMN goals TEXT NOT NULL DEFAULT '';
-- A goal counts as after a popup was seen or clicked when that happened within this many days on the device.
ALTER TABLE notifications ADD COLUMN attribution_days BIGINT NOT NULL DEFAULT 7;
-- The share of browsers (0 to 50 %) that never see the popups, to compare with; 0 is no holdout.
ALTER TABLE notifications ADD COLUMN holdout_percent BIGINT NOT NULL DEFAULT 0;

-- What the widget reports, as counters only: per notification, UTC day (midnight in ms), group ('shown' or
-- 'holdout'), goal name ('' for a visit) and kind ('visit'; 'goal', and of those 'seen' and 'clicked': after a
-- popup was seen or clicked). No visitor is recorded: no id, no IP address, no user agent, no cookie.
CREATE TABLE goal_counts (
    notification_id BIGINT NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    day BIGINT NOT NULL,
    grp TEXT NOT NULL,
    goal TEXT NOT NULL,
    kind TEXT NOT NULL,
    count BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (notification_id, day, grp, goal, kind)
);
