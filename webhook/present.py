"""What people see: display names, place lines, "time ago" and the popup, shared by every page and feed."""
import base64
import hashlib
import hmac

from flask import current_app

from . import store
from .store import DAY_MS, now_ms
from .templating import render

MINUTE_MS, HOUR_MS = 60_000, 3_600_000
# Keys of a stored event that never leave the admin side or the sender's own answer.
INTERNAL_KEYS = ("raw", "dedupKey", "cancelledAt")


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


def time_ago(ms: int, now: int | None = None, coarse: bool = False) -> str:
    """Return "just now", "N minutes ago", "N hours ago" or "N days ago" ("within the last hour" if coarse)."""
    elapsed = max(0, (now if now is not None else now_ms()) - ms)
    if coarse and elapsed < HOUR_MS:
        return "within the last hour"
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


def popup_time(ms: int, notification: dict, now: int | None = None) -> tuple[int, str]:
    """Return the (timestamp, time ago) a popup shows: to the hour, in coarse steps, when time blur is on."""
    if notification.get("time_blur_minutes"):
        return ms // HOUR_MS * HOUR_MS, time_ago(ms, now, coarse=True)
    return ms, time_ago(ms, now)


# The mark's words per way of arrival (README, "Proof and privacy"); None: stored before arrivals were recorded.
PROOF_LABELS = {"verified": "\u2713 Verified", "unsigned": "Unsigned webhook", "imported": "Imported from history",
                None: "How it arrived"}


def stream_popup(event: dict, notification: dict, now: int | None = None) -> dict:
    """Describe one stream popup: only what a site visitor may see."""
    timestamp, ago = popup_time(event["timestamp"], notification, now)
    popup = {
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
        "timestamp": timestamp,
        "timeAgo": ago,
        "text": popup_text(event, notification, now),
    }
    if notification.get("show_verified"):
        # The widget links the mark to /proof/<public key>/<id>, which says how the event arrived.
        popup["proof"] = {"kind": event.get("arrival"), "label": PROOF_LABELS.get(event.get("arrival"))}
    return popup


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
    ago = popup_time(event["timestamp"], notification, now)[1]
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
    return {
        "id": item_id("conversion", notification["id"]),
        "type": "conversion",
        "count": count,
        "message": notification["message"],
        "windowHours": window_hours,
        "text": f"{people} {notification['message']} in the last {window}",
    }


def popups(notification: dict, guid: str | None = None, now: int | None = None) -> list[dict]:
    """Describe every popup a visitor sees now, under the notification's feed options (the feed and the preview)."""
    now = now if now is not None else now_ms()
    if notification["type"] == "conversion":
        since = now - notification["conversion_window_hours"] * HOUR_MS
        count = store.count_shown_events(notification["id"], since, guid=guid)
        return [conversion_popup(count, notification)] if count >= notification["conversion_min_count"] else []
    guard = place_guard(notification, now)
    return [stream_popup(guard(event), notification, now) for event in shown_events(notification, guid, now)]


def feed_window(notification: dict, now: int) -> tuple[int, int | None]:
    """Return the (first, last) event times a stream feed shows now: its days back, minus the time blur."""
    blur = notification["time_blur_minutes"]
    return now - notification["feed_days"] * DAY_MS, now - blur * MINUTE_MS if blur else None


def shown_events(
    notification: dict, guid: str | None = None, now: int | None = None, limit: int | None = None
) -> list[dict]:
    """Return the events a stream notification's popups show now, newest first, under its feed options."""
    now = now if now is not None else now_ms()
    since, until = feed_window(notification, now)
    return store.list_events(
        notification["id"],
        limit=limit or notification["feed_max_items"],
        since_ms=since,
        shown_only=True,
        guid=guid,
        named=bool(notification["feed_hide_anonymous"]),
        placed=bool(notification["feed_hide_placeless"]),
        until_ms=until,
    )


# Place precision, finest first, and the event fields each level leaves out.
PLACE_LEVELS = {
    "city": (),
    "region": ("city",),
    "country": ("city", "state", "stateCode"),
    "none": ("city", "state", "stateCode", "country", "countryCode"),
}


def place_keys(country_code, country, state, city) -> tuple[tuple, tuple]:
    """Return the keys an event's region and city are counted under by the small-place guard."""
    region = ((country_code or country or "").casefold(), (state or "").casefold())
    return region, (*region, (city or "").casefold())


def place_guard(notification: dict, now: int):
    """Return a function that cuts an event's place to the notification's precision and small-place guard."""
    # A city (or region) is shown only when at least k events of the feed window come from it, so a popup
    # can't point at the one shopper of a small town; otherwise the popup falls back to the region, the country.
    wanted, k = notification["place_precision"], notification["min_place_events"]
    counts: dict[tuple, int] = {}
    if k > 1 and wanted in ("city", "region"):
        for country_code, country, state, city, count in store.count_window_places(
            notification["id"], *feed_window(notification, now)
        ):
            region, town = place_keys(country_code, country, state, city)
            counts[region] = counts.get(region, 0) + count
            counts[town] = counts.get(town, 0) + count

    def level(event: dict) -> str:
        """Return the finest place level this event may show."""
        region, town = place_keys(event.get("countryCode"), event.get("country"), event.get("state"), event.get("city"))
        if wanted == "city" and event.get("city") and (k <= 1 or counts.get(town, 0) >= k):
            return "city"
        if wanted in ("city", "region") and event.get("state") and (k <= 1 or counts.get(region, 0) >= k):
            return "region"
        return "none" if wanted == "none" else "country"

    def guard(event: dict) -> dict:
        """Return the event with the place parts it may not show left out, of its payload too."""
        dropped = PLACE_LEVELS[level(event)]
        hidden = {str(event[key]).strip().casefold() for key in dropped if event.get(key)}
        guarded = {**event, **dict.fromkeys(dropped)}
        if hidden and notification.get("template"):
            # A template's payload path ({{billing.city}}) must not name what the guard hides.
            guarded["raw"] = without_values(event.get("raw"), hidden)
        return guarded

    return guard


def without_values(value, hidden: set[str]):
    """Return a payload with every text equal (case-folded) to one of `hidden` left out."""
    if isinstance(value, dict):
        return {key: without_values(item, hidden) for key, item in value.items()}
    if isinstance(value, list):
        return [without_values(item, hidden) for item in value]
    if isinstance(value, str) and value.strip().casefold() in hidden:
        return None
    return value


def feed(notification: dict, guid: str | None = None, now: int | None = None) -> dict:
    """Return the public feed document: the popups and the moment their "time ago" is counted from."""
    now = now if now is not None else now_ms()
    return {"type": notification["type"], "now": now, "items": popups(notification, guid, now)}
