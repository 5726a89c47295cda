"""Events: store one or many (deduplicated), hide a cancelled one, and read them back as event dicts."""
import json

from .connection import get_db, transaction, write
from .feed_versions import BUMP_FEED, bump_feeds, changes_feed
from ..jsontext import compact
from ..vocabulary import EVENT_COLUMNS, JSON_COLUMNS, PLACE_COLUMNS, now_ms


@changes_feed
def insert_event(notification_id: int, event: dict, payload: dict, dedup_key: str | None) -> tuple[dict, bool]:
    """Store an event unless its dedup key was seen; return (the stored event, whether it is new).

    A new event's `raw` is the payload it was given (or the bounded copy kept), not a copy parsed back.
    """
    columns, values, kept = event_values(notification_id, event, payload, dedup_key)

    def insert(conn) -> tuple:
        """Insert the row, or find the one stored under its dedup key."""
        row = insert_event_row(conn, columns, values)
        if row is not None:
            bump_feed_for_new_event(conn, notification_id, event["timestamp"])
            return row, True
        return row_by_dedup_key(conn, notification_id, dedup_key), False

    row, created = write(insert)
    # A new row's JSON columns hold what was just written: the event's own values, not parsed back.
    decoded = ({key: event.get(key) for key in JSON_COLUMNS} | {"raw": kept}) if created else None
    return event_from_row(row, decoded), created


def row_by_dedup_key(conn, notification_id: int, dedup_key: str):
    """Return the events row stored under a notification's dedup key, or None."""
    return conn.execute(
        "SELECT * FROM events WHERE notification_id = ? AND dedup_key = ?", (notification_id, dedup_key)
    ).fetchone()


def event_by_dedup_key(notification_id: int, dedup_key: str) -> dict | None:
    """Return the event stored under a dedup key, or None: a repeat is known before it is validated."""
    row = row_by_dedup_key(get_db(), notification_id, dedup_key)
    return event_from_row(row) if row is not None else None


@changes_feed
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


@changes_feed
def insert_events(notification_id: int, items, keep: bool = True) -> list[bool]:
    """Store many (event, payload, dedup_key) in ONE transaction, each as insert_event would; return which are new.

    `keep=False` rolls everything back: a dry run sees exactly what a real one would, duplicates too.
    """
    # JSON encoding happens before the write lock is taken: the lock is held only for the inserts.
    prepared = [event_values(notification_id, *item) for item in items]
    conn = get_db()
    created = []
    try:
        with transaction(conn):
            created = [insert_event_row(conn, columns, values) is not None for columns, values, _kept in prepared]
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


def kept_payload(payload: dict) -> tuple[str, dict]:
    """Return (the JSON to store, the value it holds) of a payload: all of it when small, else a bounded copy."""
    # Compact like the other JSON columns: orjson writes it for a fraction of json.dumps's cost.
    text = compact(payload).decode()
    if len(text) <= MAX_KEPT_PAYLOAD:
        return text, payload
    kept = trimmed(payload)
    text = compact(kept).decode()
    return (text, kept) if len(text) <= MAX_KEPT_PAYLOAD else ("{}", {})


def trimmed(value):
    """Return a copy of a payload with each list cut to its first items and long strings left out."""
    if isinstance(value, dict):
        return {key: trimmed(child) for key, child in value.items()}
    if isinstance(value, list):
        return [trimmed(child) for child in value[:KEPT_LIST_ITEMS]]
    if isinstance(value, str) and len(value) > KEPT_STRING_CHARS:
        return None
    return value


# The columns every stored event has a value for, in event_values's order.
ROW_COLUMNS = ("notification_id", "received_at", *EVENT_COLUMNS.values(), *JSON_COLUMNS, "raw", "dedup_key")


def event_values(notification_id: int, event: dict, payload: dict, dedup_key: str | None) -> tuple[list, list, dict]:
    """Return the events columns and values that store one event, and the payload they keep (see kept_payload)."""
    raw, kept = kept_payload(payload)
    columns = list(ROW_COLUMNS)
    values = [
        notification_id,
        now_ms(),
        *(event.get(key) for key in EVENT_COLUMNS),
        *(compact(event[key]).decode() if event.get(key) is not None else None for key in JSON_COLUMNS),
        raw,
        dedup_key,
    ]
    if event.get("cancelledAt") is not None:
        # Only imported history arrives already cancelled; the webhook hides events with hide_event.
        columns.append("cancelled_at")
        values.append(event["cancelledAt"])
    return columns, values, kept


@changes_feed
def insert_event_row(conn, columns: list, values: list):
    """Insert one event inside the caller's transaction; return its row, or None if its dedup key was seen."""
    return conn.execute(
        f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        " ON CONFLICT (notification_id, dedup_key) DO NOTHING RETURNING *",
        values,
    ).fetchone()


@changes_feed
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
    """Turn an events row into an event dict in the seed's vocabulary; `decoded`: its JSON columns and raw, if known."""
    event = {"id": row["id"], "notificationId": row["notification_id"], "receivedAt": row["received_at"]}
    event.update({key: row[column] for key, column in EVENT_COLUMNS.items()})
    for key in JSON_COLUMNS:
        if decoded is not None:
            event[key] = decoded[key]
        else:
            event[key] = json.loads(row[key]) if row[key] is not None else None
    if decoded is not None:
        event["raw"] = decoded["raw"]
    else:
        event["raw"] = json.loads(row["raw"]) if row["raw"] is not None else None
    event["dedupKey"] = row["dedup_key"]
    event["cancelledAt"] = row["cancelled_at"]
    return event
