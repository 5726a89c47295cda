"""All of Proofhook's SQL. Takes and returns plain dicts; nothing else in the app writes SQL."""
import json
import secrets
import time

from .db import get_db, transaction

DAY_MS = 24 * 60 * 60 * 1000

# Event dict key (the seed's vocabulary) → column. Order matters: it is the INSERT's column order.
EVENT_COLUMNS = {
    "timestamp": "timestamp",
    "email": "email",
    "firstName": "first_name",
    "lastName": "last_name",
    "ip": "ip",
    "city": "city",
    "state": "state",
    "stateCode": "state_code",
    "country": "country",
    "countryCode": "country_code",
    "guid": "guid",
    "productName": "product_name",
    "productLink": "product_link",
    "productImage": "product_image",
    "total": "total",
    "currency": "currency",
}
JSON_COLUMNS = ("products", "sources")
# The columns present.place_line builds a place from.
PLACE_COLUMNS = ("city", "state", "country", "country_code")


def now_ms() -> int:
    """Return the current time in UTC milliseconds."""
    return int(time.time() * 1000)


def new_token() -> str:
    """Return a fresh secret: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def new_public_key() -> str:
    """Return a fresh public feed key: 128 random bits, URL-safe, unrelated to any secret."""
    return secrets.token_urlsafe(16)


# Every write that can change what the feed shows runs this in its transaction (see feed_etag in feed.py).
BUMP_FEED = "feed_version = feed_version + 1"

# --- notifications -----------------------------------------------------------------------------

NOTIFICATION_SELECT = """
    SELECT n.*,
           (SELECT COUNT(*) FROM events e WHERE e.notification_id = n.id) AS event_count,
           (SELECT COUNT(*) FROM events e WHERE e.notification_id = n.id AND e.timestamp >= :since)
               AS event_count_24h,
           (SELECT MAX(e.timestamp) FROM events e WHERE e.notification_id = n.id) AS last_event_at
    FROM notifications n
"""


# The columns an owner may set; each feature's migration that adds a setting adds its name here.
NOTIFICATION_SETTINGS = ("name", "type", "message")
# The feed's options (migration 0003_feed).
FEED_OPTIONS = (
    "feed_days", "feed_max_items", "feed_hide_anonymous", "feed_hide_placeless",
    "conversion_window_hours", "conversion_min_count",
)
NOTIFICATION_SETTINGS += FEED_OPTIONS


def create_notification(**settings) -> dict:
    """Store a new notification with a fresh webhook token and return it."""
    columns = [name for name in NOTIFICATION_SETTINGS if name in settings]
    now = now_ms()
    conn = get_db()
    with transaction(conn):
        row = conn.execute(
            f"INSERT INTO notifications ({', '.join(columns)}, webhook_token, public_key, created_at, updated_at)"
            f" VALUES ({', '.join('?' * len(columns))}, ?, ?, ?, ?) RETURNING id",
            (*(settings[name] for name in columns), new_token(), new_public_key(), now, now),
        ).fetchone()
    return get_notification(row["id"])


def update_notification(notification_id: int, **settings) -> dict | None:
    """Change some of a notification's settings; return it, or None if it doesn't exist."""
    columns = [name for name in NOTIFICATION_SETTINGS if name in settings]
    assignments = "".join(f"{name} = ?, " for name in columns)
    conn = get_db()
    with transaction(conn):
        changed = conn.execute(
            f"UPDATE notifications SET {assignments}updated_at = ?, {BUMP_FEED} WHERE id = ?",
            (*(settings[name] for name in columns), now_ms(), notification_id),
        ).rowcount
    return get_notification(notification_id) if changed else None


def list_notifications() -> list[dict]:
    """Return every notification with its event counts, newest first."""
    rows = get_db().execute(NOTIFICATION_SELECT + " ORDER BY n.id DESC", {"since": now_ms() - DAY_MS})
    return [dict(row) for row in rows]


def get_notification(notification_id: int) -> dict | None:
    """Return one notification with its event counts, or None."""
    row = get_db().execute(
        NOTIFICATION_SELECT + " WHERE n.id = :id", {"since": now_ms() - DAY_MS, "id": notification_id}
    ).fetchone()
    return dict(row) if row else None


def notification_by_token(token: str) -> dict | None:
    """Return the notification a webhook token belongs to, without counts (the hot path)."""
    row = get_db().execute("SELECT * FROM notifications WHERE webhook_token = ?", (token,)).fetchone()
    return dict(row) if row else None


def notification_by_public_key(key: str) -> dict | None:
    """Return the notification a public feed key belongs to, without counts (one indexed lookup)."""
    row = get_db().execute("SELECT * FROM notifications WHERE public_key = ?", (key,)).fetchone()
    return dict(row) if row else None


def ensure_public_keys() -> int:
    """Give every notification that has no public key yet (made before migration 0003) one; return how many."""
    conn = get_db()
    missing = [row[0] for row in conn.execute("SELECT id FROM notifications WHERE public_key IS NULL")]
    if not missing:
        return 0
    with transaction(conn):
        # `IS NULL` again: another worker starting at the same moment may have filled it already.
        for notification_id in missing:
            conn.execute(
                "UPDATE notifications SET public_key = ? WHERE id = ? AND public_key IS NULL",
                (new_public_key(), notification_id),
            )
    return len(missing)


def delete_notification(notification_id: int) -> bool:
    """Delete a notification and its events; return whether it existed."""
    conn = get_db()
    with transaction(conn):
        conn.execute("DELETE FROM events WHERE notification_id = ?", (notification_id,))
        deleted = conn.execute("DELETE FROM notifications WHERE id = ?", (notification_id,)).rowcount
    return deleted > 0


# --- events ------------------------------------------------------------------------------------


def insert_event(notification_id: int, event: dict, raw: dict, dedup_key: str | None) -> tuple[dict, bool]:
    """Store an event unless its dedup key was seen; return (the stored event, whether it is new)."""
    columns = ["notification_id", "received_at", *EVENT_COLUMNS.values(), *JSON_COLUMNS, "raw", "dedup_key"]
    values = [
        notification_id,
        now_ms(),
        *(event.get(key) for key in EVENT_COLUMNS),
        *(json.dumps(event.get(key)) if event.get(key) is not None else None for key in JSON_COLUMNS),
        json.dumps(raw, ensure_ascii=False),
        dedup_key,
    ]
    conn = get_db()
    with transaction(conn):
        row = conn.execute(
            f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            " ON CONFLICT (notification_id, dedup_key) DO NOTHING RETURNING *",
            values,
        ).fetchone()
        created = row is not None
        if created:
            conn.execute(f"UPDATE notifications SET {BUMP_FEED} WHERE id = ?", (notification_id,))
        else:
            row = conn.execute(
                "SELECT * FROM events WHERE notification_id = ? AND dedup_key = ?", (notification_id, dedup_key)
            ).fetchone()
    return event_from_row(row), created


def hide_event(notification_id: int, dedup_key: str) -> bool:
    """Mark the event with this dedup key as cancelled so it is never shown; return whether one was."""
    conn = get_db()
    with transaction(conn):
        changed = conn.execute(
            "UPDATE events SET cancelled_at = ? WHERE notification_id = ? AND dedup_key = ? AND cancelled_at IS NULL",
            (now_ms(), notification_id, dedup_key),
        ).rowcount
        if changed:
            conn.execute(f"UPDATE notifications SET {BUMP_FEED} WHERE id = ?", (notification_id,))
    return changed > 0


def list_events(
    notification_id: int, limit: int = 50, since_ms: int = 0, shown_only: bool = False, **filters
) -> list[dict]:
    """Return a notification's events, newest first; `shown_only` leaves out cancelled orders."""
    hidden = " AND cancelled_at IS NULL" if shown_only else ""
    where, params = event_filters(**filters)
    rows = get_db().execute(
        f"SELECT * FROM events WHERE notification_id = ? AND timestamp >= ?{hidden}{where}"
        " ORDER BY timestamp DESC, id DESC LIMIT ?",
        (notification_id, since_ms, *params, limit),
    )
    return [event_from_row(row) for row in rows]


def count_shown_events(notification_id: int, since_ms: int, **filters) -> int:
    """Return how many shown events (conversions) a notification has with a timestamp since `since_ms`."""
    where, params = event_filters(**filters)
    row = get_db().execute(
        "SELECT COUNT(*) FROM events WHERE notification_id = ? AND timestamp >= ? AND cancelled_at IS NULL" + where,
        (notification_id, since_ms, *params),
    ).fetchone()
    return row[0]


def event_filters(guid: str | None = None, named: bool = False, placed: bool = False) -> tuple[str, tuple]:
    """Return the extra WHERE conditions and parameters of the feed's filters."""
    where, params = "", ()
    if guid is not None:
        where, params = " AND guid = ?", (guid,)
    if named:
        where += " AND COALESCE(first_name, '') <> ''"
    if placed:
        where += " AND (" + " OR ".join(f"COALESCE({c}, '') <> ''" for c in PLACE_COLUMNS) + ")"
    return where, params


def event_from_row(row) -> dict:
    """Turn an events row into an event dict in the seed's vocabulary."""
    event = {"id": row["id"], "notificationId": row["notification_id"], "receivedAt": row["received_at"]}
    event.update({key: row[column] for key, column in EVENT_COLUMNS.items()})
    for key in JSON_COLUMNS:
        event[key] = json.loads(row[key]) if row[key] is not None else None
    event["raw"] = json.loads(row["raw"]) if row["raw"] is not None else None
    event["dedupKey"] = row["dedup_key"]
    event["cancelledAt"] = row["cancelled_at"]
    return event


# --- activity: impressions and clicks (migration 0005_activity) --------------------------------


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


def events_received_by_day(notification_id: int, since_day: int) -> dict[int, int]:
    """Return {UTC day (ms): events received that day} of a notification from `since_day` on (by arrival time)."""
    # Integer division by the day's length buckets by UTC day in both SQLite and PostgreSQL (BIGINT / BIGINT).
    rows = get_db().execute(
        f"SELECT received_at / {DAY_MS}, COUNT(*) FROM events WHERE notification_id = ? AND received_at >= ?"
        f" GROUP BY received_at / {DAY_MS}",
        (notification_id, since_day),
    )
    return {int(day_number) * DAY_MS: int(count) for day_number, count in rows}
