"""All of Proofhook's SQL. Takes and returns plain dicts; nothing else in the app writes SQL."""
import json
import re
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


def now_ms() -> int:
    """Return the current time in UTC milliseconds."""
    return int(time.time() * 1000)


def new_token() -> str:
    """Return a fresh secret: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


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


def create_notification(**settings) -> dict:
    """Store a new notification with a fresh webhook token and return it."""
    columns = [name for name in NOTIFICATION_SETTINGS if name in settings]
    now = now_ms()
    conn = get_db()
    with transaction(conn):
        row = conn.execute(
            f"INSERT INTO notifications ({', '.join(columns)}, webhook_token, created_at, updated_at)"
            f" VALUES ({', '.join('?' * len(columns))}, ?, ?, ?) RETURNING id",
            (*(settings[name] for name in columns), new_token(), now, now),
        ).fetchone()
    return get_notification(row["id"])


def update_notification(notification_id: int, **settings) -> dict | None:
    """Change some of a notification's settings; return it, or None if it doesn't exist."""
    columns = [name for name in NOTIFICATION_SETTINGS if name in settings]
    assignments = "".join(f"{name} = ?, " for name in columns)
    conn = get_db()
    with transaction(conn):
        changed = conn.execute(
            f"UPDATE notifications SET {assignments}updated_at = ? WHERE id = ?",
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
        if not created:
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
    return changed > 0


def list_events(notification_id: int, limit: int = 50, since_ms: int = 0, shown_only: bool = False) -> list[dict]:
    """Return a notification's events, newest first; `shown_only` leaves out cancelled orders."""
    hidden = " AND cancelled_at IS NULL" if shown_only else ""
    rows = get_db().execute(
        f"SELECT * FROM events WHERE notification_id = ? AND timestamp >= ?{hidden}"
        " ORDER BY timestamp DESC, id DESC LIMIT ?",
        (notification_id, since_ms, limit),
    )
    return [event_from_row(row) for row in rows]


def count_shown_events(notification_id: int, since_ms: int) -> int:
    """Return how many shown events (conversions) a notification has with a timestamp since `since_ms`."""
    row = get_db().execute(
        "SELECT COUNT(*) FROM events WHERE notification_id = ? AND timestamp >= ? AND cancelled_at IS NULL",
        (notification_id, since_ms),
    ).fetchone()
    return row[0]


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


# --- keeping data tidy -------------------------------------------------------------------------

# Rows deleted per transaction: a big purge never holds the write lock long enough to make webhooks wait.
DELETE_BATCH = 2000


def purge_events(before_ms: int) -> int:
    """Delete every event whose timestamp is before `before_ms`, in small transactions; return how many."""
    conn, deleted = get_db(), 0
    while True:
        with transaction(conn):
            done = conn.execute(
                "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE timestamp < ? LIMIT ?)",
                (before_ms, DELETE_BATCH),
            ).rowcount
        deleted += done
        if done < DELETE_BATCH:
            return deleted


def events_matching(pattern: re.Pattern) -> list[int]:
    """Return the ids of events where `pattern` matches in any text column, the raw payload included."""
    # Scanned in Python, not with LIKE: SQLite's lower() folds ASCII only, and the match needs word boundaries.
    found, after = [], 0
    conn = get_db()
    while True:
        rows = conn.execute("SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?", (after, DELETE_BATCH)).fetchall()
        if not rows:
            return found
        found += [row["id"] for row in rows if any(isinstance(v, str) and pattern.search(v) for v in row)]
        after = rows[-1]["id"]


def delete_events(ids: list[int]) -> int:
    """Delete the events with these ids, in small transactions; return how many were deleted."""
    conn, deleted = get_db(), 0
    for start in range(0, len(ids), DELETE_BATCH):
        batch = ids[start:start + DELETE_BATCH]
        with transaction(conn):
            deleted += conn.execute(
                f"DELETE FROM events WHERE id IN ({', '.join('?' * len(batch))})", batch
            ).rowcount
    return deleted


def count_events() -> int:
    """Return how many events are stored, in all notifications."""
    return get_db().execute("SELECT COUNT(*) FROM events").fetchone()[0]
