"""Deleting events in small batches: purge by age, each notification's retention, a person's erasure."""
import re
import time

from .connection import get_db, transaction
from .feed_versions import bump_feeds, changes_feed
from ..vocabulary import DAY_MS


# Rows deleted per transaction: a big purge never holds the write lock long enough to make webhooks wait.
DELETE_BATCH = 2000


@changes_feed
def purge_events(before_ms: int) -> int:
    """Delete every event whose timestamp is before `before_ms`, in small transactions; return how many."""
    deleted = delete_in_batches("timestamp < ?", (before_ms,))
    if deleted:
        conn = get_db()
        with transaction(conn):  # what the feeds show may have changed: let their ETags change too
            bump_feeds(conn)
    return deleted


@changes_feed
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


@changes_feed
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


@changes_feed
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
