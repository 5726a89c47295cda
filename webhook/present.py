"""What people see: display names, place lines, "time ago" and the popup, shared by every page and feed."""
import base64
import hashlib
import hmac
import re
import unicodedata

from flask import current_app

from . import store
from .store import DAY_MS, now_ms
from .templating import render

MINUTE_MS, HOUR_MS = 60_000, 3_600_000
# Keys of a stored event that never leave the admin side or the sender's own answer.
INTERNAL_KEYS = ("raw", "dedupKey", "cancelledAt")
# Characters that change how the text around them reads without being seen: bidi embeddings, overrides and
# isolates (U+202E turns "gpj.exe" around), marks, zero-width spaces and joiners, the BOM. A buyer's text
# reaches every visitor of the owner's site, so none of them are passed on.
INVISIBLE = re.compile("[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# Combining marks kept on one letter: enough for any language's accents and tone marks, not for a tower of them.
MAX_COMBINING_MARKS = 3


def visible_text(text: str) -> str:
    """Return text without invisible formatting characters and with at most a few combining marks per letter."""
    if text.isascii():
        return text
    kept, marks = [], 0
    for char in INVISIBLE.sub("", text):
        marks = marks + 1 if unicodedata.combining(char) else 0
        if marks <= MAX_COMBINING_MARKS:
            kept.append(char)
    return "".join(kept)


def neutralised(popup: dict) -> dict:
    """Return a popup with visible_text applied to every text in it, nested ones included."""
    return {
        key: visible_text(value) if isinstance(value, str) else neutralised(value) if isinstance(value, dict) else value
        for key, value in popup.items()
    }


def display_name(first: str | None, last: str | None) -> str:
    """Return "John S." (first name + last initial), "John", or "Someone"."""
    if not first:
        return "Someone"
    return f"{first} {last[0].upper()}." if last else first


def initials(first: str | None, last: str | None) -> str:
    """Return the avatar's initials, e.g. "JS", or "?" without a name."""
    letters = "".join(part[0].upper() for part in (first, last) if part)
    return letters or "?"


def place_line(event: dict) -> str | None:
    """Return "Miami, Florida" in the US, "London, United Kingdom" elsewhere, or None."""
    region = event.get("country") or event.get("countryCode")
    if event.get("countryCode") == "US" and event.get("state"):
        region = event["state"]
    parts = [part for part in (event.get("city"), region) if part]
    return ", ".join(dict.fromkeys(parts)) or None


def plural(count: int, unit: str) -> str:
    """Return "1 minute" or "3 minutes"."""
    return f"{count} {unit}{'' if count == 1 else 's'}"


def time_ago(ms: int, now: int | None = None) -> str:
    """Return "just now", "N minutes ago", "N hours ago" or "N days ago"."""
    elapsed = max(0, (now if now is not None else now_ms()) - ms)
    if elapsed < MINUTE_MS:
        return "just now"
    if elapsed < HOUR_MS:
        return plural(elapsed // MINUTE_MS, "minute") + " ago"
    if elapsed < DAY_MS:
        return plural(elapsed // HOUR_MS, "hour") + " ago"
    return plural(elapsed // DAY_MS, "day") + " ago"


def safe_url(url: str | None) -> str | None:
    """Return the URL if it is http(s), else None: nothing else is ever rendered."""
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return url
    return None


def event_json(event: dict) -> dict:
    """Return a stored or validated event as the API shows it to its owner."""
    shown = {key: value for key, value in event.items() if key not in INTERNAL_KEYS}
    shown["displayName"] = display_name(event.get("firstName"), event.get("lastName"))
    return shown


def item_id(kind: str, number: int) -> str:
    """Return a popup's opaque public id: an HMAC of what it shows, so no sequential event id (a sales count) leaks."""
    # The widget reports impressions and clicks by this id; insight.visible_items maps it back by recomputing it
    # for the popups the feed shows now. 96 bits: unguessable, and short in every report.
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, f"popup|{kind}:{number}".encode(), hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(digest).decode()


def stream_popup(event: dict, notification: dict, now: int | None = None) -> dict:
    """Describe one stream popup: only what a site visitor may see, and none of it invisible."""
    return neutralised({
        "id": item_id("event", event["id"]),
        "type": "stream",
        "name": display_name(event.get("firstName"), event.get("lastName")),
        "initials": initials(event.get("firstName"), event.get("lastName")),
        "place": place_line(event),
        "city": event.get("city"),
        "state": event.get("state"),
        "stateCode": event.get("stateCode"),
        "country": event.get("country"),
        "countryCode": event.get("countryCode"),
        "message": notification["message"],
        "product": {
            "name": event.get("productName"),
            "link": safe_url(event.get("productLink")),
            "image": safe_url(event.get("productImage")),
        },
        "timestamp": event["timestamp"],
        "timeAgo": time_ago(event["timestamp"], now),
        "text": popup_text(event, notification, now),
    })


def amount(total: float | None) -> str | None:
    """Return a total as people write it: "114", "58.50", "12.345"."""
    if total is None:
        return None
    if float(total).is_integer():
        return str(int(total))
    return f"{total:.2f}" if round(total, 2) == total else str(total)


def template_values(event: dict, notification: dict, now: int | None = None) -> dict:
    """Return the known template variables of an event: only what a visitor may see."""
    last = event.get("lastName")
    place = {key: event.get(key) for key in ("city", "state", "stateCode", "country", "countryCode")}
    product = {
        "product.name": event.get("productName"),
        "product.link": safe_url(event.get("productLink")),
        "product.image": safe_url(event.get("productImage")),
    }
    ago = time_ago(event["timestamp"], now)
    return {
        "name": display_name(event.get("firstName"), last),
        "firstName": event.get("firstName") or "Someone",
        # Never the whole last name: a visitor sees "S.", as in the display name.
        "lastName": f"{last[0].upper()}." if last else None,
        **place,
        "location": place_line(event),
        **{f"location.{key}": value for key, value in place.items()},
        **product,
        "total": amount(event.get("total")),
        "currency": event.get("currency"),
        "time": ago,
        "timeAgo": ago,
        "message": notification["message"],
    }


def popup_text(event: dict, notification: dict, now: int | None = None) -> str | None:
    """Return the notification's template filled in for this event, or None without a template."""
    template = notification.get("template")
    if not template:
        return None
    return render(template, template_values(event, notification, now), event.get("raw"))


def conversion_popup(count: int, notification: dict) -> dict:
    """Describe the conversion popup: "N people signed up in the last 24 hours"."""
    window_hours = notification["conversion_window_hours"]
    window = plural(window_hours, "hour")
    people = "1 person" if count == 1 else f"{count} people"
    return neutralised({
        "id": item_id("conversion", notification["id"]),
        "type": "conversion",
        "count": count,
        "message": notification["message"],
        "windowHours": window_hours,
        "text": f"{people} {notification['message']} in the last {window}",
    })


def popups(notification: dict, guid: str | None = None, now: int | None = None) -> list[dict]:
    """Describe every popup a visitor sees now, under the notification's feed options (the feed and the preview)."""
    now = now if now is not None else now_ms()
    if notification["type"] == "conversion":
        since = now - notification["conversion_window_hours"] * HOUR_MS
        count = store.count_shown_events(notification["id"], since, guid=guid)
        return [conversion_popup(count, notification)] if count >= notification["conversion_min_count"] else []
    return [stream_popup(event, notification, now) for event in shown_events(notification, guid, now)]


def shown_events(notification: dict, guid: str | None = None, now: int | None = None) -> list[dict]:
    """Return the events a stream notification's popups show now, newest first, under its feed options."""
    now = now if now is not None else now_ms()
    return store.list_events(
        notification["id"],
        limit=notification["feed_max_items"],
        since_ms=now - notification["feed_days"] * DAY_MS,
        shown_only=True,
        guid=guid,
        named=bool(notification["feed_hide_anonymous"]),
        placed=bool(notification["feed_hide_placeless"]),
    )


def feed(notification: dict, guid: str | None = None, now: int | None = None) -> dict:
    """Return the public feed document: the popups and the moment their "time ago" is counted from."""
    now = now if now is not None else now_ms()
    return {"type": notification["type"], "now": now, "items": popups(notification, guid, now)}
