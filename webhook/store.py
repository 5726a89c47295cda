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
NOTIFICATION_SETTINGS = ("name", "type", "message", "signing_secret")
# The secrets an owner may replace with fresh random ones (each feature that adds one adds its column here).
ROTATABLE = ("webhook_token",)


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


def rotate_secret(notification_id: int, column: str) -> dict | None:
    """Replace one of a notification's secrets with a fresh one; return it, or None if it doesn't exist."""
    if column not in ROTATABLE:
        raise ValueError(f"{column!r} is not a rotatable secret")
    conn = get_db()
    with transaction(conn):
        changed = conn.execute(
            f"UPDATE notifications SET {column} = ?, updated_at = ? WHERE id = ?",
            (new_token(), now_ms(), notification_id),
        ).rowcount
    return get_notification(notification_id) if changed else None


def delete_notification(notification_id: int) -> bool:
    """Delete a notification and its events; return whether it existed."""
    conn = get_db()
    with transaction(conn):
        conn.execute("DELETE FROM events WHERE notification_id = ?", (notification_id,))
        conn.execute("DELETE FROM rate_counters WHERE notification_id = ?", (notification_id,))
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


# --- abuse limits ------------------------------------------------------------------------------


def count_webhook_call(notification_id: int, window_start: int) -> int:
    """Count one webhook call in a notification's current window; return the window's count so far."""
    conn = get_db()
    with transaction(conn):
        count = conn.execute(
            "INSERT INTO rate_counters (notification_id, window_start, count) VALUES (?, ?, 1)"
            " ON CONFLICT (notification_id, window_start) DO UPDATE SET count = rate_counters.count + 1"
            " RETURNING count",
            (notification_id, window_start),
        ).fetchone()[0]
        if count == 1:
            # The first call of a window clears this notification's older windows: one DELETE a minute at most.
            conn.execute(
                "DELETE FROM rate_counters WHERE notification_id = ? AND window_start < ?",
                (notification_id, window_start),
            )
    return count


def record_login_failure(client: str, now: int, window_ms: int) -> None:
    """Remember a failed login from a client, and forget every failure older than the window."""
    conn = get_db()
    with transaction(conn):
        conn.execute("DELETE FROM login_failures WHERE failed_at < ?", (now - window_ms,))
        conn.execute("INSERT INTO login_failures (client, failed_at) VALUES (?, ?)", (client, now))


def recent_login_failures(client: str, since: int, limit: int) -> list[int]:
    """Return the times of a client's latest failed logins since `since`, newest first, at most `limit`."""
    rows = get_db().execute(
        "SELECT failed_at FROM login_failures WHERE client = ? AND failed_at >= ? ORDER BY failed_at DESC LIMIT ?",
        (client, since, limit),
    )
    return [row[0] for row in rows]


def clear_login_failures(client: str) -> None:
    """Forget a client's failed logins (it has just logged in)."""
    conn = get_db()
    with transaction(conn):
        conn.execute("DELETE FROM login_failures WHERE client = ?", (client,))
