"""The abuse limits' counters: webhook calls per window, failed logins, admin sessions."""
from .connection import get_db, transaction, write
from .feed_versions import keeps_feed


@keeps_feed
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

    # Shares a commit with other calls' counts and events (connection.write): with synchronous=FULL a commit of its
    # own would double the waits for the disk per webhook call.
    return write(count_call)


@keeps_feed
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


@keeps_feed
def clear_login_failures(client: str) -> None:
    """Forget a client's failed logins (it has just logged in)."""
    conn = get_db()
    with transaction(conn):
        conn.execute("DELETE FROM login_failures WHERE client = ?", (client,))


@keeps_feed
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


@keeps_feed
def end_admin_session(id_hash: str) -> None:
    """Forget an admin session (its owner logged out)."""
    conn = get_db()
    with transaction(conn):
        conn.execute("DELETE FROM admin_sessions WHERE id_hash = ?", (id_hash,))
