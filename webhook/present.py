"""What people see: display names, place lines, "time ago" and the popup, shared by every page and feed."""
import base64
import hashlib
import hmac
import re
import unicodedata

from flask import current_app

from .storage import event_store
from .language import DEFAULT, DEFAULT_MESSAGES, ago, country_name, pattern, say, say_count, state_name, text_direction
from .looks import look
from .rules import feed_rules
from .vocabulary import DAY_MS, HOUR_MS, INTERNAL_KEYS, MINUTE_MS, now_ms
from .templating import render

# A {slot} in a popup line's pattern ("{name} from {place}").
SLOT = re.compile(r"\{(\w+)\}")

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


def display_name(first: str | None, last: str | None, language: str = DEFAULT) -> str:
    """Return "John S." (first name + last initial), "John", or "Someone" in the language."""
    if not first:
        return say(language, "Someone")
    return f"{first} {last[0].upper()}." if last else first


def initials(first: str | None, last: str | None) -> str:
    """Return the avatar's initials, e.g. "JS", or "?" without a name."""
    letters = "".join(part[0].upper() for part in (first, last) if part)
    return letters or "?"


def place_names(event: dict, language: str = DEFAULT) -> dict:
    """Return the event's state and country names in the language; the city stays as sent."""
    code = event.get("countryCode")
    return {
        "state": state_name(language, code, event.get("stateCode"), event.get("state")),
        "country": country_name(language, code, event.get("country")),
    }


def place_line(event: dict, language: str = DEFAULT) -> str | None:
    """Return "Miami, Florida" in the US, "London, United Kingdom" elsewhere, or None."""
    names = place_names(event, language)
    region = names["country"] or event.get("countryCode")
    if event.get("countryCode") == "US" and names["state"]:
        region = names["state"]
    parts = [part for part in (event.get("city"), region) if part]
    return ", ".join(dict.fromkeys(parts)) or None


def time_ago(ms: int, now: int | None = None, language: str = DEFAULT, coarse: bool = False) -> str:
    """Return "just now", "N minutes ago", "N hours ago" or "N days ago" in the language (CLDR's words).

    Coarse (time blur): anything younger than an hour is "within the last hour".
    """
    elapsed = max(0, (now if now is not None else now_ms()) - ms)
    if coarse and elapsed < HOUR_MS:
        return say(language, "within the last hour")
    if elapsed < MINUTE_MS:
        return say(language, "just now")
    if elapsed < HOUR_MS:
        return ago(language, elapsed // MINUTE_MS * 60, "minute")
    if elapsed < DAY_MS:
        return ago(language, elapsed // HOUR_MS * 3600, "hour")
    return ago(language, elapsed // DAY_MS * 86400, "day")


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


def popup_time(ms: int, notification: dict, now: int | None, language: str) -> tuple[int, str]:
    """Return the (timestamp, time ago) a popup shows: to the hour, in coarse steps, when time blur is on."""
    if notification.get("time_blur_minutes"):
        return ms // HOUR_MS * HOUR_MS, time_ago(ms, now, language, coarse=True)
    return ms, time_ago(ms, now, language)


# The mark's words per way of arrival (README, "Proof and privacy"); None: stored before arrivals were recorded.
PROOF_LABELS = {"verified": "\u2713 Verified", "unsigned": "Unsigned webhook", "imported": "Imported from history",
                None: "How it arrived"}


def message(notification: dict, language: str) -> str:
    """Return the notification's message: the type's default in the language, or the owner's own words."""
    own = notification["message"]
    return say(language, own) if own == DEFAULT_MESSAGES.get(notification.get("type", "stream")) else own


def action_pattern(notification: dict, language: str, has_product: bool) -> str:
    """Return the popup's second line with a {product} or {message} slot: a whole sentence with or without a product."""
    if notification.get("type", "stream") == "stream" and notification["message"] == DEFAULT_MESSAGES["stream"]:
        return pattern(language, "purchased {product}") if has_product else say(language, "made a purchase")
    return "{message} {product}" if has_product else "{message}"


def pattern_pieces(line: str) -> list[tuple[str, str]]:
    """Split a popup line's pattern into ("text", words) and ("slot", name) pieces, as the widget does."""
    pieces = SLOT.split(line)
    return [("slot" if i % 2 else "text", piece) for i, piece in enumerate(pieces) if piece]


def stream_popup(event: dict, notification: dict, now: int | None = None, language: str | None = None) -> dict:
    """Describe one stream popup: only what a site visitor may see, in the language (the notification's)."""
    language = language or notification.get("language", DEFAULT)
    place = place_line(event, language)
    product_name = event.get("productName")
    timestamp, ago = popup_time(event["timestamp"], notification, now, language)
    popup = {
        "id": item_id("event", event["id"]),
        "type": "stream",
        "name": display_name(event.get("firstName"), event.get("lastName"), language),
        "initials": initials(event.get("firstName"), event.get("lastName")),
        "place": place,
        "city": event.get("city"),
        "stateCode": event.get("stateCode"),
        "countryCode": event.get("countryCode"),
        **place_names(event, language),
        "message": message(notification, language),
        # The two lines as sentences of the language, with {name}, {place}, {product} and {message} slots that
        # the widget (and the preview) fill with isolated text: word order is the language's, never ours.
        "who": pattern(language, "{name} from {place}") if place else "{name}",
        "what": action_pattern(notification, language, bool(product_name)),
        "product": {
            "name": product_name,
            "link": safe_url(event.get("productLink")),
            "image": safe_url(event.get("productImage")),
        },
        "timestamp": timestamp,
        "timeAgo": ago,
        "text": popup_text(event, notification, now, language),
    }
    if notification.get("show_verified"):
        # The widget links the mark to /proof/<public key>/<id>, which says how the event arrived.
        arrival = event.get("arrival")
        popup["proof"] = {"kind": arrival, "label": say(language, PROOF_LABELS.get(arrival, PROOF_LABELS[None]))}
    return neutralised(popup)


def amount(total: float | None) -> str | None:
    """Return a total as people write it: "114", "58.50", "12.345"."""
    if total is None:
        return None
    if float(total).is_integer():
        return str(int(total))
    return f"{total:.2f}" if round(total, 2) == total else str(total)


def template_values(event: dict, notification: dict, now: int | None = None, language: str = DEFAULT) -> dict:
    """Return the known template variables of an event: only what a visitor may see, in the language."""
    last = event.get("lastName")
    place = {key: event.get(key) for key in ("city", "stateCode", "countryCode")} | place_names(event, language)
    product = {
        "product.name": event.get("productName"),
        "product.link": safe_url(event.get("productLink")),
        "product.image": safe_url(event.get("productImage")),
    }
    ago = popup_time(event["timestamp"], notification, now, language)[1]
    return {
        "name": display_name(event.get("firstName"), last, language),
        "firstName": event.get("firstName") or say(language, "Someone"),
        # Never the whole last name: a visitor sees "S.", as in the display name.
        "lastName": f"{last[0].upper()}." if last else None,
        **place,
        "location": place_line(event, language),
        **{f"location.{key}": value for key, value in place.items()},
        **product,
        "total": amount(event.get("total")),
        "currency": event.get("currency"),
        "time": ago,
        "timeAgo": ago,
        "message": message(notification, language),
    }


def popup_text(event: dict, notification: dict, now: int | None = None, language: str = DEFAULT) -> str | None:
    """Return the notification's template filled in for this event, or None without a template."""
    template = notification.get("template")
    if not template:
        return None
    return render(template, template_values(event, notification, now, language), event.get("raw"))


def conversion_popup(count: int, notification: dict, language: str | None = None) -> dict:
    """Describe the conversion popup: "N people signed up in the last 24 hours", in the language's plural forms."""
    language = language or notification["language"]
    window_hours = notification["conversion_window_hours"]
    window = say_count(language, "in the last hour", "in the last {count} hours", window_hours)
    if notification["message"] == DEFAULT_MESSAGES["conversion"]:
        text = say_count(language, "{count} person signed up {window}", "{count} people signed up {window}",
                         count, window=window)
    else:
        text = say_count(language, "{count} person {message} {window}", "{count} people {message} {window}",
                         count, message=notification["message"], window=window)
    return neutralised({
        "id": item_id("conversion", notification["id"]),
        "type": "conversion",
        "count": count,
        "message": message(notification, language),
        "windowHours": window_hours,
        "text": text,
    })


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
