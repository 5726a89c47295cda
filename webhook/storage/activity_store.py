"""What visitors did and what arrived, counted per UTC day: impressions and clicks, goals, events received."""
from .connection import get_db, transaction
from .feed_versions import keeps_feed
from ..vocabulary import DAY_MS


@keeps_feed
def record_activity(notification_id: int, day: int, counts: dict[int, tuple[int, int]]) -> None:
    """Add (impressions, clicks) per event shown to a notification's counters of one UTC day, all or nothing."""
    # No feed_version bump: counters change nothing a visitor sees, so the feed's ETag must stay valid.
    conn = get_db()
    with transaction(conn):
        for event_id, (impressions, clicks) in counts.items():
            conn.execute(
                "INSERT INTO activity (notification_id, day, event_id, impressions, clicks) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (notification_id, day, event_id) DO UPDATE SET"
                " impressions = activity.impressions + excluded.impressions,"
                " clicks = activity.clicks + excluded.clicks",
                (notification_id, day, event_id, impressions, clicks),
            )


def activity_by_day(notification_id: int, since_day: int) -> dict[int, tuple[int, int]]:
    """Return {UTC day (ms): (impressions, clicks)} of a notification from `since_day` on; days without any left out."""
    rows = get_db().execute(
        "SELECT day, SUM(impressions), SUM(clicks) FROM activity WHERE notification_id = ? AND day >= ? GROUP BY day",
        (notification_id, since_day),
    )
    # int(): PostgreSQL's SUM of BIGINT is NUMERIC.
    return {int(day): (int(impressions), int(clicks)) for day, impressions, clicks in rows}


@keeps_feed
def record_goal_counts(notification_id: int, day: int, counts: dict[tuple[str, str, str], int]) -> None:
    """Add {(group, goal, kind): count} to a notification's counters of one UTC day, all or nothing."""
    conn = get_db()
    with transaction(conn):
        for (group, goal, kind), count in counts.items():
            conn.execute(
                "INSERT INTO goal_counts (notification_id, day, grp, goal, kind, count) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (notification_id, day, grp, goal, kind) DO UPDATE SET"
                " count = goal_counts.count + excluded.count",
                (notification_id, day, group, goal, kind, count),
            )


def goal_counts_since(notification_id: int, since_day: int) -> dict[tuple[str, str, str], int]:
    """Return {(group, goal, kind): count} of a notification, summed from `since_day` on."""
    rows = get_db().execute(
        "SELECT grp, goal, kind, SUM(count) FROM goal_counts WHERE notification_id = ? AND day >= ?"
        " GROUP BY grp, goal, kind",
        (notification_id, since_day),
    )
    return {(group, goal, kind): int(count) for group, goal, kind, count in rows}


def events_received_by_day(notification_id: int, since_day: int) -> dict[int, int]:
    """Return {UTC day (ms): events received that day} of a notification from `since_day` on (by arrival time)."""
    # Integer division by the day's length buckets by UTC day in both SQLite and PostgreSQL (BIGINT / BIGINT).
    rows = get_db().execute(
        f"SELECT received_at / {DAY_MS}, COUNT(*) FROM events WHERE notification_id = ? AND received_at >= ?"
        f" GROUP BY received_at / {DAY_MS}",
        (notification_id, since_day),
    )
    return {int(day_number) * DAY_MS: int(count) for day_number, count in rows}
