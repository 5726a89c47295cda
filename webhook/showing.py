"""Which events a notification shows now, under its owner's feed options, and the feed body that carries them.

The feed, the admin preview, the proof page and the reports all ask here, so what they show never differs;
present.py words each popup.
"""
from .storage import event_store
from .language import say, text_direction
from .looks import look
from .present import conversion_popup, stream_popup
from .rules import feed_rules
from .vocabulary import DAY_MS, HOUR_MS, MINUTE_MS, PLACE_FIELDS, now_ms

# Bump when the feed's JSON changes shape, so no cache keeps serving the old shape under a valid ETag.
FEED_FORMAT = 5


def popups(notification: dict, guid: str | None = None, now: int | None = None,
           language: str | None = None) -> list[dict]:
    """Describe every popup a visitor sees now, under the notification's feed options (the feed and the preview)."""
    now = now if now is not None else now_ms()
    language = language or notification["language"]
    if notification["type"] == "conversion":
        since = now - notification["conversion_window_hours"] * HOUR_MS
        until = feed_window(notification, now)[1]  # time blur holds the newest sign-ups back from the count too
        count = event_store.count_shown_events(notification["id"], since, guid=guid, until_ms=until)
        if count < notification["conversion_min_count"]:
            return []
        return [conversion_popup(count, notification, language)]
    guard = place_guard(notification, now)
    return [stream_popup(guard(event), notification, now, language) for event in shown_events(notification, guid, now)]


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
    return event_store.list_events(
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
    "none": PLACE_FIELDS,
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
        for country_code, country, state, city, count in event_store.count_window_places(
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
        """Return the event with the place parts it may not show left out."""
        return {**event, **dict.fromkeys(PLACE_LEVELS[level(event)])}

    return guard


def feed(notification: dict, guid: str | None = None, now: int | None = None, language: str | None = None) -> dict:
    """Return the public feed document: the popups, their language and look, and the moment "time ago" counts from."""
    now = now if now is not None else now_ms()
    language = language or notification["language"]
    return {
        "type": notification["type"],
        "now": now,
        "lang": language,
        "dir": text_direction(language),
        "look": look(notification),
        # Where, when and how often: the widget checks them on the visitor's page, so the server never learns it.
        "rules": feed_rules(notification),
        # The widget's own words: it carries none, so a language adds nothing to its weight.
        "labels": {"close": say(language, "Close"), "region": say(language, "Recent activity")},
        "items": popups(notification, guid, now, language),
    }
