"""All of Proofhook's SQL. Takes and returns plain dicts; nothing else in the app writes SQL."""
import json
import re
import secrets
import time

from .db import get_db, transaction, write
from ..jsontext import compact
from ..vocabulary import DAY_MS, EVENT_COLUMNS, JSON_COLUMNS, PLACE_COLUMNS, now_ms

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


# Every write that can change what the feed shows runs this in its transaction (see feed_etag in feed.py).
BUMP_FEED = "feed_version = feed_version + 1"


def bump_feeds(conn, notification_id: int | None = None) -> None:
    """Change one notification's feed ETag (all of them without an id), inside the caller's transaction."""
    if notification_id is None:
        conn.execute(f"UPDATE notifications SET {BUMP_FEED}")
    else:
        conn.execute(f"UPDATE notifications SET {BUMP_FEED} WHERE id = ?", (notification_id,))

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
    columns, values = event_values(notification_id, event, raw, dedup_key)

    def insert(conn) -> tuple:
        """Insert the row, or find the one stored under its dedup key."""
        row = insert_event_row(conn, columns, values)
        if row is not None:
            bump_feed_for_new_event(conn, notification_id, event["timestamp"])
            return row, True
        return row_by_dedup_key(conn, notification_id, dedup_key), False

    row, created = write(insert)
    # A new row's JSON columns hold what was just written: the event's own values, not parsed back.
    return event_from_row(row, {key: event.get(key) for key in JSON_COLUMNS} if created else None), created


def row_by_dedup_key(conn, notification_id: int, dedup_key: str):
    """Return the events row stored under a notification's dedup key, or None."""
    return conn.execute(
        "SELECT * FROM events WHERE notification_id = ? AND dedup_key = ?", (notification_id, dedup_key)
    ).fetchone()


def event_by_dedup_key(notification_id: int, dedup_key: str) -> dict | None:
    """Return the event stored under a dedup key, or None: a repeat is known before it is validated."""
    row = row_by_dedup_key(get_db(), notification_id, dedup_key)
    return event_from_row(row) if row is not None else None


def bump_feed_for_new_event(conn, notification_id: int, timestamp: int) -> None:
    """Change a feed's ETag for a new event, unless time blur holds the event back from it for now."""
    # A held-back event changes nothing a visitor sees until it is old enough, and by then the feed's minute
    # (part of the ETag) has moved on too. Bumping now would let anyone polling the ETag time the purchase.
    minute = now_ms() // 60_000 * 60_000  # the feed's clock (feed.feed_clock)
    conn.execute(
        f"UPDATE notifications SET {BUMP_FEED} WHERE id = ? AND (time_blur_minutes = 0"
        " OR ? <= ? - time_blur_minutes * 60000)",
        (notification_id, timestamp, minute),
    )


def insert_events(notification_id: int, items, keep: bool = True) -> list[bool]:
    """Store many (event, raw, dedup_key) in ONE transaction, each as insert_event would; return which are new.

    `keep=False` rolls everything back: a dry run sees exactly what a real one would, duplicates too.
    """
    # JSON encoding happens before the write lock is taken: the lock is held only for the inserts.
    prepared = [event_values(notification_id, *item) for item in items]
    conn = get_db()
    created = []
    try:
        with transaction(conn):
            created = [insert_event_row(conn, columns, values) is not None for columns, values in prepared]
            if any(created):
                bump_feeds(conn, notification_id)
            if not keep:
                raise RolledBack
    except RolledBack:
        pass
    return created


class RolledBack(Exception):
    """Raised inside a transaction to undo it on purpose."""


# The received payload is kept for templates' payload paths, `?raw=1` exports and erasure; an event needs a
# fraction of a large one. Above this many bytes of JSON, lists keep their first items and long strings go
# (never cut: half an email address would escape erasure); a payload still too large is kept as {}.
MAX_KEPT_PAYLOAD = 64 * 1024
KEPT_LIST_ITEMS = 100
KEPT_STRING_CHARS = 1000


def kept_payload(raw: dict) -> str:
    """Return the JSON of the payload to store: all of it when small, else a bounded copy of it."""
    text = json.dumps(raw, ensure_ascii=False)
    if len(text) <= MAX_KEPT_PAYLOAD:
        return text
    text = json.dumps(trimmed(raw), ensure_ascii=False)
    return text if len(text) <= MAX_KEPT_PAYLOAD else "{}"


def trimmed(value):
    """Return a copy of a payload with each list cut to its first items and long strings left out."""
    if isinstance(value, dict):
        return {key: trimmed(child) for key, child in value.items()}
    if isinstance(value, list):
        return [trimmed(child) for child in value[:KEPT_LIST_ITEMS]]
    if isinstance(value, str) and len(value) > KEPT_STRING_CHARS:
        return None
    return value


def event_values(notification_id: int, event: dict, raw: dict, dedup_key: str | None) -> tuple[list, list]:
    """Return the events columns and values that store one event."""
    columns = ["notification_id", "received_at", *EVENT_COLUMNS.values(), *JSON_COLUMNS, "raw", "dedup_key"]
    values = [
        notification_id,
        now_ms(),
        *(event.get(key) for key in EVENT_COLUMNS),
        *(compact(event[key]).decode() if event.get(key) is not None else None for key in JSON_COLUMNS),
        kept_payload(raw),
        dedup_key,
    ]
    if event.get("cancelledAt") is not None:
        # Only imported history arrives already cancelled; the webhook hides events with hide_event.
        columns.append("cancelled_at")
        values.append(event["cancelledAt"])
    return columns, values


def insert_event_row(conn, columns: list, values: list):
    """Insert one event inside the caller's transaction; return its row, or None if its dedup key was seen."""
    return conn.execute(
        f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        " ON CONFLICT (notification_id, dedup_key) DO NOTHING RETURNING *",
        values,
    ).fetchone()


def hide_event(notification_id: int, dedup_key: str) -> bool:
    """Mark the event with this dedup key as cancelled so it is never shown; return whether one was."""
    conn = get_db()
    with transaction(conn):
        changed = conn.execute(
            "UPDATE events SET cancelled_at = ? WHERE notification_id = ? AND dedup_key = ? AND cancelled_at IS NULL",
            (now_ms(), notification_id, dedup_key),
        ).rowcount
        if changed:
            bump_feeds(conn, notification_id)
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


# The end of a time window that has none.
NO_END = 2**62


def count_window_places(notification_id: int, since_ms: int, until_ms: int | None) -> list[tuple]:
    """Return (country_code, country, state, city, count) of a notification's shown events in a time window."""
    rows = get_db().execute(
        "SELECT country_code, country, state, city, COUNT(*) FROM events WHERE notification_id = ?"
        " AND timestamp >= ? AND timestamp <= ? AND cancelled_at IS NULL GROUP BY country_code, country, state, city",
        (notification_id, since_ms, NO_END if until_ms is None else until_ms),
    )
    return [(*row[:4], int(row[4])) for row in rows]


def count_window_arrivals(notification_id: int, since_ms: int, until_ms: int | None) -> dict[str | None, int]:
    """Return {arrival: count} of a notification's shown events in a time window (None: not recorded)."""
    rows = get_db().execute(
        "SELECT arrival, COUNT(*) FROM events WHERE notification_id = ? AND timestamp >= ? AND timestamp <= ?"
        " AND cancelled_at IS NULL GROUP BY arrival",
        (notification_id, since_ms, NO_END if until_ms is None else until_ms),
    )
    return {arrival: int(count) for arrival, count in rows}


def get_event(notification_id: int, event_id: int) -> dict | None:
    """Return one of a notification's events, or None."""
    row = get_db().execute(
        "SELECT * FROM events WHERE notification_id = ? AND id = ?", (notification_id, event_id)
    ).fetchone()
    return event_from_row(row) if row else None


def count_shown_events(notification_id: int, since_ms: int, **filters) -> int:
    """Return how many shown events (conversions) a notification has with a timestamp since `since_ms`."""
    where, params = event_filters(**filters)
    row = get_db().execute(
        "SELECT COUNT(*) FROM events WHERE notification_id = ? AND timestamp >= ? AND cancelled_at IS NULL" + where,
        (notification_id, since_ms, *params),
    ).fetchone()
    return row[0]


def event_filters(
    guid: str | None = None, named: bool = False, placed: bool = False, until_ms: int | None = None
) -> tuple[str, tuple]:
    """Return the extra WHERE conditions and parameters of the feed's filters."""
    where, params = "", ()
    if guid is not None:
        where, params = " AND guid = ?", (guid,)
    if until_ms is not None:  # time blur holds the newest events back
        where, params = where + " AND timestamp <= ?", (*params, until_ms)
    if named:
        where += " AND COALESCE(first_name, '') <> ''"
    if placed:
        where += " AND (" + " OR ".join(f"COALESCE({c}, '') <> ''" for c in PLACE_COLUMNS) + ")"
    return where, params


def iter_events(notification_id: int, batch: int = 1000):
    """Yield all of a notification's events, oldest first, a batch per query (no long-held cursor)."""
    after = (-1, -1)
    while True:
        rows = get_db().execute(
            "SELECT * FROM events WHERE notification_id = ? AND (timestamp > ? OR (timestamp = ? AND id > ?))"
            " ORDER BY timestamp, id LIMIT ?",
            (notification_id, after[0], after[0], after[1], batch),
        ).fetchall()
        yield from (event_from_row(row) for row in rows)
        if len(rows) < batch:
            return
        after = (rows[-1]["timestamp"], rows[-1]["id"])


def event_from_row(row, decoded: dict | None = None) -> dict:
    """Turn an events row into an event dict in the seed's vocabulary; `decoded`: its JSON columns, if known."""
    event = {"id": row["id"], "notificationId": row["notification_id"], "receivedAt": row["received_at"]}
    event.update({key: row[column] for key, column in EVENT_COLUMNS.items()})
    for key in JSON_COLUMNS:
        if decoded is not None:
            event[key] = decoded[key]
        else:
            event[key] = json.loads(row[key]) if row[key] is not None else None
    event["raw"] = json.loads(row["raw"]) if row["raw"] is not None else None
    event["dedupKey"] = row["dedup_key"]
    event["cancelledAt"] = row["cancelled_at"]
    return event


# --- abuse limits ------------------------------------------------------------------------------


def count_webhook_call(notification_id: int, window_start: int) -> int:
    """Count one webhook call in a notification's current window; return the window's count so far."""

    def count_call(conn) -> int:
        """Add the call to its window's counter; return the new count."""
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

    # Shares a commit with other calls' counts and events (db.write): with synchronous=FULL a commit of its
    # own would double the waits for the disk per webhook call.
    return write(count_call)


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


def add_admin_session(id_hash: str, now: int, lifetime_ms: int) -> None:
    """Remember a new admin session, and forget those older than a session's lifetime."""
    conn = get_db()
    with transaction(conn):
        conn.execute("DELETE FROM admin_sessions WHERE created_at < ?", (now - lifetime_ms,))
        conn.execute("INSERT INTO admin_sessions (id_hash, created_at) VALUES (?, ?)", (id_hash, now))


def admin_session_exists(id_hash: str, since: int) -> bool:
    """Tell whether an admin session is known and began after `since`."""
    row = get_db().execute(
        "SELECT 1 FROM admin_sessions WHERE id_hash = ? AND created_at >= ?", (id_hash, since)
    ).fetchone()
    return row is not None


def end_admin_session(id_hash: str) -> None:
    """Forget an admin session (its owner logged out)."""
    conn = get_db()
    with transaction(conn):
        conn.execute("DELETE FROM admin_sessions WHERE id_hash = ?", (id_hash,))


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


# --- goals: visits and goals per group (migration 0012_goals) --------------------------------


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


# --- keeping data tidy -------------------------------------------------------------------------

# Rows deleted per transaction: a big purge never holds the write lock long enough to make webhooks wait.
DELETE_BATCH = 2000


def purge_events(before_ms: int) -> int:
    """Delete every event whose timestamp is before `before_ms`, in small transactions; return how many."""
    deleted = delete_in_batches("timestamp < ?", (before_ms,))
    if deleted:
        conn = get_db()
        with transaction(conn):  # what the feeds show may have changed: let their ETags change too
            bump_feeds(conn)
    return deleted


def delete_in_batches(where: str, params: tuple, batch: int | None = None, pause_s: float = 0) -> int:
    """Delete the events matching `where`, a batch per transaction (pausing between them); return how many."""
    conn, deleted, batch = get_db(), 0, batch or DELETE_BATCH
    while True:
        with transaction(conn):
            done = conn.execute(
                f"DELETE FROM events WHERE id IN (SELECT id FROM events WHERE {where} LIMIT ?)", (*params, batch)
            ).rowcount
        deleted += done
        if done < batch:
            return deleted
        time.sleep(pause_s)  # other writers (webhooks) get the lock between two batches


def expire_events(now: int, batch: int, pause_s: float) -> dict[int, int]:
    """Delete each notification's events older than its retention_days, in small batches; return {id: deleted}."""
    kept = get_db().execute("SELECT id, retention_days FROM notifications WHERE retention_days IS NOT NULL")
    expired = {}
    for notification_id, days in kept.fetchall():
        deleted = delete_in_batches(
            "notification_id = ? AND timestamp < ?", (notification_id, now - int(days) * DAY_MS), batch, pause_s
        )
        if deleted:
            conn = get_db()
            with transaction(conn):  # what its feed shows may have changed
                bump_feeds(conn, notification_id)
            expired[notification_id] = deleted
    return expired


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
    if deleted:
        with transaction(conn):  # what the feeds show may have changed: let their ETags change too
            bump_feeds(conn)
    return deleted
