"""Abuse limits, counted in the database so that every worker and every instance shares them."""
import math

from .storage import counter_store

WINDOW_MS = 60_000
# Failed admin logins one client may make within a minute before POST /login answers 429.
LOGIN_FAILURES_ALLOWED = 10


def seconds_until(moment_ms: int, now_ms: int) -> int:
    """Return whole seconds (at least 1) from now until a moment: the Retry-After value."""
    return max(1, math.ceil((moment_ms - now_ms) / 1000))


def webhook_retry_after(notification_id: int, per_window: int, now_ms: int, window_ms: int = WINDOW_MS) -> int | None:
    """Count one call to a notification's webhook; return seconds to wait if it is over the limit, else None."""
    if per_window <= 0:
        return None  # Disabled: no database work at all on the hot path.
    # A fixed window (a minute unless configured): one UPSERT per call. A burst straddling two windows may get up
    # to twice the limit through in a window, which is still a bound, at half the cost of a sliding window.
    window_start = now_ms - now_ms % window_ms
    if counter_store.count_webhook_call(notification_id, window_start) <= per_window:
        return None
    return seconds_until(window_start + window_ms, now_ms)


def login_retry_after(client: str, now_ms: int) -> int | None:
    """Return seconds until a client may try to log in again, or None if it may now."""
    failures = counter_store.recent_login_failures(client, now_ms - WINDOW_MS + 1, LOGIN_FAILURES_ALLOWED)
    if len(failures) < LOGIN_FAILURES_ALLOWED:
        return None
    # Sliding window: a try is allowed again once the oldest of the last ten failures is a minute old.
    return seconds_until(failures[-1] + WINDOW_MS, now_ms)


def login_failed(client: str, now_ms: int) -> None:
    """Count a failed login from a client."""
    counter_store.record_login_failure(client, now_ms, WINDOW_MS)


def login_succeeded(client: str) -> None:
    """Forget a client's failed logins once it has logged in."""
    counter_store.clear_login_failures(client)
