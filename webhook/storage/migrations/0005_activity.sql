-- Insight: how often each popup was shown (impressions) and clicked, per notification and UTC day.
--
-- No visitor is recorded: no IP address, no user agent, no cookie, no visitor id — only counters. `day` is the
-- UTC midnight of the day in milliseconds (computed in Python); `event_id` is the event the popup showed, or 0
-- for a conversion notification's one pseudo-popup ("127 people signed up…"), hence no foreign key on it.
-- The primary key is what the widget's reports UPSERT into (INSERT … ON CONFLICT DO UPDATE).
CREATE TABLE activity (
    notification_id BIGINT NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    day BIGINT NOT NULL,
    event_id BIGINT NOT NULL,
    impressions BIGINT NOT NULL DEFAULT 0,
    clicks BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (notification_id, day, event_id)
);

-- "Events received per day" on the stats page reads a notification's events by arrival time.
CREATE INDEX events_by_received ON events (notification_id, received_at);
