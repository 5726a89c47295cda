"""Notifications: their settings, their secrets (webhook token, public key) and the lookups by either."""
import re
import secrets

from .connection import get_db, transaction
from .feed_versions import BUMP_FEED, changes_feed, keeps_feed
from ..vocabulary import DAY_MS, now_ms


# What new_token and new_public_key make (token_urlsafe's alphabet). A lookup for anything else finds nothing
# without asking the database: PostgreSQL refuses text with a NUL in it, and `/webhooks/%00` was a 500.
TOKEN_PATTERN = r"[A-Za-z0-9_-]{1,128}"


TOKEN = re.compile(TOKEN_PATTERN)


def new_token() -> str:
    """Return a fresh secret: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def new_public_key() -> str:
    """Return a fresh public feed key: 128 random bits, URL-safe, unrelated to any secret."""
    return secrets.token_urlsafe(16)


NOTIFICATION_SELECT = """
    SELECT n.*,
           (SELECT COUNT(*) FROM events e WHERE e.notification_id = n.id) AS event_count,
           (SELECT COUNT(*) FROM events e WHERE e.notification_id = n.id AND e.timestamp >= :since)
               AS event_count_24h,
           (SELECT MAX(e.timestamp) FROM events e WHERE e.notification_id = n.id) AS last_event_at
    FROM notifications n
"""


# The columns an owner may set; each feature's migration that adds a setting adds its name here.
NOTIFICATION_SETTINGS = ("name", "type", "message", "template", "signing_secret")


# The feed's options (migration 0003_feed).
FEED_OPTIONS = (
    "feed_days", "feed_max_items", "feed_hide_anonymous", "feed_hide_placeless",
    "conversion_window_hours", "conversion_min_count",
)


NOTIFICATION_SETTINGS += FEED_OPTIONS


# Proof and privacy (migration 0009_proof_privacy).
PRIVACY_OPTIONS = ("show_verified", "place_precision", "min_place_events", "time_blur_minutes", "retention_days")


NOTIFICATION_SETTINGS += PRIVACY_OPTIONS


# The popup's language and look (migration 0008_popup_looks_language).
LOOK_OPTIONS = ("language", "theme", "accent", "corners", "size", "picture")


NOTIFICATION_SETTINGS += LOOK_OPTIONS


# The signature scheme a notification takes (migration 0006_hardening): set by its first valid signed call.
NOTIFICATION_SETTINGS += ("signing_scheme",)


# Where, when and how often popups show (migration 0010_display_rules).
DISPLAY_OPTIONS = (
    "pages_include", "pages_exclude", "devices", "time_zone", "schedule_start", "schedule_end", "schedule_days",
    "schedule_from", "schedule_until", "max_per_view", "repeat_hours", "after_last", "popup_order", "close_days",
    "priority",
)


NOTIFICATION_SETTINGS += DISPLAY_OPTIONS


# Goals, attribution and the holdout (migration 0012_goals).
GOAL_OPTIONS = ("goals", "attribution_days", "holdout_percent")


NOTIFICATION_SETTINGS += GOAL_OPTIONS


# The secrets an owner may replace with fresh random ones, and how each is made.
ROTATABLE = {"webhook_token": new_token, "public_key": new_public_key}


# A new notification's feed has never been served, so nothing cached can be stale.
@keeps_feed
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


@changes_feed
def update_notification(notification_id: int, **settings) -> dict | None:
    """Change some of a notification's settings; return it, or None if it doesn't exist."""
    if "signing_secret" in settings:
        settings["signing_scheme"] = None  # a new secret may come from another sender: its first call tells
    columns = [name for name in NOTIFICATION_SETTINGS if name in settings]
    assignments = "".join(f"{name} = ?, " for name in columns)
    conn = get_db()
    with transaction(conn):
        changed = conn.execute(
            f"UPDATE notifications SET {assignments}updated_at = ?, {BUMP_FEED} WHERE id = ?",
            (*(settings[name] for name in columns), now_ms(), notification_id),
        ).rowcount
    return get_notification(notification_id) if changed else None


@keeps_feed
def bind_signing_scheme(notification_id: int, scheme: str) -> None:
    """Bind a notification to the signature scheme of its first valid call, unless one is bound already."""
    conn = get_db()
    with transaction(conn):
        conn.execute(
            "UPDATE notifications SET signing_scheme = ? WHERE id = ? AND signing_scheme IS NULL",
            (scheme, notification_id),
        )


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


WEBHOOK_COLUMNS = "id, type, signing_secret, signing_scheme"


def notification_by_token(token: str) -> dict | None:
    """Return the id, type and signing settings of the notification a webhook token belongs to (the hot path)."""
    # Only what a webhook call reads: building the whole row's dict was a good part of the lookup.
    row = row_by_token(WEBHOOK_COLUMNS, "webhook_token", token)
    return dict(row) if row else None


def notification_by_public_key(key: str) -> dict | None:
    """Return the notification a public feed key belongs to, without counts (one indexed lookup)."""
    row = row_by_token("*", "public_key", key)
    return dict(row) if row else None


def feed_version_by_public_key(key: str):
    """Return (id, feed_version) of the notification a public key belongs to, or None: all a feed's ETag needs."""
    return row_by_token("id, feed_version", "public_key", key)


def row_by_token(columns: str, column: str, value: str):
    """Return `columns` of the notification whose token `column` holds value; a malformed one finds nothing."""
    if not TOKEN.fullmatch(value):
        return None
    return get_db().execute(f"SELECT {columns} FROM notifications WHERE {column} = ?", (value,)).fetchone()


# A key given now opens a feed that was never served before.
@keeps_feed
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


# A new public key is a new feed URL; the old key finds nothing, so no cached body of it is served again.
@keeps_feed
def rotate_secret(notification_id: int, column: str) -> dict | None:
    """Replace one of a notification's secrets with a fresh one; return it, or None if it doesn't exist."""
    if column not in ROTATABLE:
        raise ValueError(f"{column!r} is not a rotatable secret")
    conn = get_db()
    with transaction(conn):
        changed = conn.execute(
            f"UPDATE notifications SET {column} = ?, updated_at = ? WHERE id = ?",
            (ROTATABLE[column](), now_ms(), notification_id),
        ).rowcount
    return get_notification(notification_id) if changed else None


# Afterwards the feed's key finds nothing (a 404), so no cached body of it is served again.
@keeps_feed
def delete_notification(notification_id: int) -> bool:
    """Delete a notification and its events; return whether it existed."""
    conn = get_db()
    with transaction(conn):
        conn.execute("DELETE FROM events WHERE notification_id = ?", (notification_id,))
        conn.execute("DELETE FROM rate_counters WHERE notification_id = ?", (notification_id,))
        deleted = conn.execute("DELETE FROM notifications WHERE id = ?", (notification_id,)).rowcount
    return deleted > 0
