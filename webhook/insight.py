"""Insight: the widget's impression and click reports turned into daily counters, and the stats owners read."""
import hashlib
import json
import os
import threading
import time
from datetime import datetime, timezone

from .storage import activity_store
from .present import item_id
from .showing import popups, shown_events
from .vocabulary import DAY_MS, now_ms

KINDS = ("impression", "click")
# A real report is a few dozen bytes per popup; anything bigger or longer is not from our widget.
MAX_REPORT_BYTES = 8 * 1024
MAX_REPORT_ITEMS = 50
# The stats cover the last N UTC days, today included.
DEFAULT_DAYS, MAX_DAYS = 30, 365
# A conversion notification shows one pseudo-popup; its counters are kept under this event id.
CONVERSION_EVENT = 0


def parse_report(data: bytes) -> tuple[str | None, set[tuple[str, str]]]:
    """Return a report's guid and its distinct (item id, kind) pairs; anything malformed gives no pairs."""
    try:
        report = json.loads(data)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested deeper than the parser goes
        return None, set()
    items = report.get("items") if isinstance(report, dict) and report.get("v") == 1 else None
    if not isinstance(items, list) or len(items) > MAX_REPORT_ITEMS:
        return None, set()
    guid = report.get("guid") if isinstance(report.get("guid"), str) and report.get("guid") else None
    if guid is not None and "\x00" in guid:
        return None, set()  # no stored guid holds one, and PostgreSQL refuses to compare with it
    # A set: repeating a popup inside one report counts it once (the widget never sends a pair twice).
    pairs = {
        (item["id"], item["kind"])
        for item in items
        if isinstance(item, dict) and isinstance(item.get("id"), str) and item.get("kind") in KINDS
    }
    return guid, pairs


def visible_items(notification: dict, guid: str | None, now: int) -> dict[str, int]:
    """Return {public item id: event id} of the popups the notification's feed shows now (with this guid)."""
    if notification["type"] == "conversion":
        return {item["id"]: CONVERSION_EVENT for item in popups(notification, guid, now)}
    return {item_id("event", event["id"]): event["id"] for event in shown_events(notification, guid, now)}


def record_report(notification: dict, data: bytes, now: int) -> int:
    """Count a widget's report against the feed as of `now`; return how many (item, kind) pairs counted."""
    guid, pairs = parse_report(data)
    if not pairs:
        return 0
    # Only popups the feed shows now count: a forged or stale id adds no row, so junk can't grow the table.
    visible = visible_items(notification, guid, now)
    counts: dict[int, tuple[int, int]] = {}
    for item, kind in pairs:
        if item in visible:
            impressions, clicks = counts.get(visible[item], (0, 0))
            counts[visible[item]] = (impressions + (kind == "impression"), clicks + (kind == "click"))
    if counts:
        activity_store.record_activity(notification["id"], now_ms() // DAY_MS * DAY_MS, counts)
    return sum(impressions + clicks for impressions, clicks in counts.values())


class Bucket:
    """A token bucket per client address, in this process's memory only, keyed by a salted hash of the address."""

    def __init__(self, burst: int, per_minute: int, max_clients: int = 10_000):
        """Allow each client `burst` reports at once, refilled at `per_minute`."""
        self.burst, self.rate, self.max_clients = burst, per_minute / 60, max_clients
        # A random salt per process: the table can't be turned back into addresses, and nothing of it is stored.
        self.salt = os.urandom(16)
        self.clients: dict[bytes, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def allow(self, address: str | None) -> bool:
        """Take a token for this client; return False when its bucket is empty."""
        key = hashlib.blake2b((address or "").encode(), key=self.salt, digest_size=8).digest()
        now = time.monotonic()
        with self.lock:
            if key not in self.clients and len(self.clients) >= self.max_clients:
                self.forget_full(now)
            tokens, last = self.clients.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            allowed = tokens >= 1
            self.clients[key] = (tokens - 1 if allowed else tokens, now)
            return allowed

    def forget_full(self, now: float) -> None:
        """Drop clients whose bucket has refilled (they are like new); if none has, drop all to bound memory."""
        refilled = [k for k, (tokens, last) in self.clients.items() if tokens + (now - last) * self.rate >= self.burst]
        for key in refilled:
            del self.clients[key]
        if not refilled:
            self.clients.clear()


def day_label(day: int) -> str:
    """Return a UTC day (midnight in ms) as an ISO date, e.g. "2026-11-27"."""
    return datetime.fromtimestamp(day / 1000, tz=timezone.utc).date().isoformat()


def click_through_rate(clicks: int, impressions: int) -> float | None:
    """Return clicks per impression (0.0123 is 1.23%), or None when nothing was shown."""
    return round(clicks / impressions, 4) if impressions else None


def stats(notification_id: int, days: int = DEFAULT_DAYS, now: int | None = None) -> dict:
    """Return impressions, clicks, click-through rate and events received per UTC day of the last `days`, and totals."""
    today = (now if now is not None else now_ms()) // DAY_MS * DAY_MS
    first = today - (days - 1) * DAY_MS
    activity = activity_store.activity_by_day(notification_id, first)
    received = activity_store.events_received_by_day(notification_id, first)
    daily = []
    for day in range(first, today + 1, DAY_MS):
        impressions, clicks = activity.get(day, (0, 0))
        daily.append({
            "date": day_label(day),
            "impressions": impressions,
            "clicks": clicks,
            "ctr": click_through_rate(clicks, impressions),
            "events_received": received.get(day, 0),
        })
    impressions, clicks = sum(d["impressions"] for d in daily), sum(d["clicks"] for d in daily)
    totals = {
        "impressions": impressions,
        "clicks": clicks,
        "ctr": click_through_rate(clicks, impressions),
        "events_received": sum(d["events_received"] for d in daily),
    }
    return {"notification_id": notification_id, "days": days, "from": daily[0]["date"], "to": daily[-1]["date"],
            "daily": daily, "totals": totals}
