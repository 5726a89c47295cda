"""Where, when and how often popups show: page patterns, devices, a schedule, and the rules the widget follows."""
import functools
import re
import string
from datetime import datetime
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, available_timezones

# Below this viewport width (CSS pixels) a visitor is on a phone; the widget has the same number (README,
# "Where and how often"), and tests/fixtures/display_rules.json holds both to it.
MOBILE_BELOW = 768
DEVICE_CHOICES = ("all", "desktop", "mobile")
AFTER_LAST_CHOICES = ("stop", "loop")
ORDER_CHOICES = ("newest", "shuffle")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_PATTERNS, MAX_PATTERN_LENGTH = 20, 200
# What a browser's location.pathname percent-encodes, so a pattern with "é" or "{" matches the URL as it arrives.
PATH_SAFE = "".join(c for c in string.punctuation if c not in '"#<>`{} ')
# Characters that mean something in a regular expression; escaped the same way for Python's re and JavaScript.
REGEX_SPECIAL = re.compile(r"[\\^$.|?+()\[\]{}]")
HOURS = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def pattern_problem(pattern: str) -> str | None:
    """Return why a page pattern can't be used, or None."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"{pattern[:40]}…: at most {MAX_PATTERN_LENGTH} characters."
    if re.match(r"[a-z][a-z0-9+.-]*://", pattern, re.I):
        return f"{pattern}: write the path on your site (/shop/*), not the whole address."
    if not pattern.startswith(("/", "*")):
        return f"{pattern}: start with / (a path, e.g. /shop/*) or * (any beginning)."
    if "**" in pattern:
        return f"{pattern}: use a single * for any run of characters."
    if re.search(r"[\s#]", pattern):
        return f"{pattern}: no spaces or #; write a space as %20 (the part after # never reaches a page's URL)."
    return None


def normal_pattern(pattern: str) -> str:
    """Return a pattern percent-encoded the way the browser encodes the URL it is matched against."""
    return quote(pattern, safe=PATH_SAFE)


def page_regex(pattern: str) -> str:
    """Return the regular expression (valid in Python and JavaScript alike) a page pattern stands for."""
    # A pattern with a "?" is matched against the path and its query; without one, against the path alone,
    # so there * stops at the "?".
    any_char = "." if "?" in pattern else "[^?]"
    parts = [REGEX_SPECIAL.sub(r"\\\g<0>", part) for part in pattern.split("*")]
    regex = "^" + parts[0]
    # Each * but the last takes the first place where the text after it follows, and never gives it back (a
    # lookahead is atomic; the group repeats what it found): the leftmost choice is always a glob's best, and
    # a pattern of many *s can't make the browser or the server backtrack for ever on a long URL.
    for number, part in enumerate(parts[1:-1], start=1):
        regex += f"(?=({any_char}*?{part}))\\{number}"
    if len(parts) > 1:
        regex += f"{any_char}*{parts[-1]}"
    return regex + ("$" if any_char == "." else r"(?:\?.*)?$")


def in_words(pattern: str) -> str:
    """Return a page pattern in plain words: exactly, starting with, containing, or matching."""
    inner = pattern.strip("*")
    if "*" not in pattern:
        return f"the page {pattern} exactly"
    if "*" not in inner and pattern.startswith("*") and pattern.endswith("*") and inner:
        return f"any page whose address contains {inner}"
    if "*" not in inner and pattern.endswith("*") and not pattern.startswith("*"):
        return f"pages starting with {inner}"
    return f"pages matching {pattern} (* is anything)"


@functools.cache
def time_zones() -> frozenset[str]:
    """Return the IANA time zone names an owner may pick (those zoneinfo and browsers both know)."""
    return frozenset(available_timezones() - {"Factory", "localtime"})


def patterns(text: str) -> list[str]:
    """Return the stored patterns (one a line) as a list."""
    return [line for line in (text or "").split("\n") if line]


def goals(text: str) -> list[tuple[str, str]]:
    """Return the stored goals (one a line: a page pattern, a space, the name) as (pattern, name) pairs."""
    return [tuple(line.split(" ", 1)) for line in patterns(text)]


def days(text: str) -> list[str]:
    """Return the stored weekdays (comma-separated) as a list, Monday first."""
    return [day for day in (text or "").split(",") if day]


def schedule(notification: dict) -> dict | None:
    """Return the schedule the widget checks, or None when the notification shows at any time."""
    shown = days(notification["schedule_days"])
    if not (notification["schedule_start"] or notification["schedule_end"] or notification["schedule_from"]
            or len(shown) < len(WEEKDAYS)):
        return None
    return {
        "tz": notification["time_zone"],
        "start": notification["schedule_start"],
        "end": notification["schedule_end"],
        "days": shown,
        "from": notification["schedule_from"],
        "until": notification["schedule_until"],
    }


def feed_rules(notification: dict) -> dict:
    """Return the display rules the feed carries: the widget evaluates them on the visitor's page, in the browser."""
    return {
        "include": [page_regex(p) for p in patterns(notification["pages_include"])],
        "exclude": [page_regex(p) for p in patterns(notification["pages_exclude"])],
        "devices": notification["devices"],
        "schedule": schedule(notification),
        "maxPerView": notification["max_per_view"],
        "repeatHours": notification["repeat_hours"],
        "afterLast": notification["after_last"],
        "order": notification["popup_order"],
        "closeDays": notification["close_days"],
        "priority": notification["priority"],
        # Goals are counted on the visitor's device too: a goal page matches as the display rules' pages do.
        "goals": [{"name": name, "page": page_regex(pattern)} for pattern, name in goals(notification["goals"])],
        "attributionDays": notification["attribution_days"],
        "holdout": notification["holdout_percent"],
    }


def page_target(url: str) -> str:
    """Return what rules match a URL on: its path and query, encoded as the browser's location gives them."""
    if not re.match(r"[a-z][a-z0-9+.-]*://", url, re.I) and not url.startswith("/"):
        url = "//" + url  # "shop.example/cart": a host without a scheme
    parts = urlsplit(url)
    target = normal_pattern(parts.path or "/")
    return target + (f"?{parts.query}" if parts.query else "")


def page_fits(rules: dict, url: str) -> tuple[bool, str]:
    """Return whether the feed's rules show popups on a URL, and why in plain words."""
    target = page_target(url)
    matches = [r for r in rules["exclude"] if re.search(r, target, re.I)]
    if matches:
        return False, f"{target} is excluded."
    if rules["include"] and not any(re.search(r, target, re.I) for r in rules["include"]):
        return False, f"{target} matches none of the pages to show on."
    return True, f"{target} shows the popups."


def device_fits(devices: str, width: int) -> bool:
    """Return whether a viewport this wide gets the popups."""
    return devices == "all" or (devices == "mobile") == (width < MOBILE_BELOW)


def schedule_fits(plan: dict | None, now: int) -> bool:
    """Return whether the schedule shows popups at this moment (UTC ms), read in the owner's time zone."""
    if plan is None:
        return True
    local = datetime.fromtimestamp(now / 1000, ZoneInfo(plan["tz"]))
    day, clock = local.strftime("%Y-%m-%d"), local.strftime("%H:%M")
    if (plan["start"] and day < plan["start"]) or (plan["end"] and day > plan["end"]):
        return False
    if WEEKDAYS[local.weekday()] not in plan["days"]:
        return False
    start, until = plan["from"], plan["until"]
    if not start:
        return True
    # From 22:00 until 02:00 runs over midnight.
    return start <= clock < until if start < until else clock >= start or clock < until


def shows(rules: dict, url: str, now: int, width: int) -> bool:
    """Return whether a visitor on this URL, at this moment, with this viewport width, would get popups."""
    return page_fits(rules, url)[0] and device_fits(rules["devices"], width) and schedule_fits(rules["schedule"], now)


def described(notification: dict) -> list[str]:
    """Return the notification's display rules in plain words, for its page."""
    lines = []
    shown = [in_words(p) for p in patterns(notification["pages_include"])]
    hidden = [in_words(p) for p in patterns(notification["pages_exclude"])]
    lines.append("Pages: " + ("; ".join(shown) if shown else "every page") + ".")
    if hidden:
        lines.append("Never on " + "; ".join(hidden) + ".")
    lines.append({"all": "Devices: phones and computers.",
                  "mobile": f"Devices: phones only (viewports narrower than {MOBILE_BELOW} pixels).",
                  "desktop": f"Devices: computers only (viewports {MOBILE_BELOW} pixels wide or more)."}
                 [notification["devices"]])
    plan = schedule(notification)
    if plan is None:
        lines.append("When: at any time.")
    else:
        when = []
        if plan["start"] or plan["end"]:
            when.append(f"from {plan['start'] or 'now'} until {plan['end'] or 'further notice'}")
        if len(plan["days"]) < len(WEEKDAYS):
            when.append("on " + ", ".join(day.capitalize() for day in plan["days"]))
        if plan["from"]:
            when.append(f"from {plan['from']} to {plan['until']}")
        lines.append(f"When: {', '.join(when)} ({plan['tz']} time).")
    per_view = notification["max_per_view"]
    lines.append(f"At most {per_view} popups per page view." if per_view else "Every popup, one after another.")
    hours = notification["repeat_hours"]
    lines.append(f"A visitor doesn't see the same popup again for {hours} hours." if hours
                 else "A popup may show again on every page view.")
    lines.append("After the last popup: " + ("start over." if notification["after_last"] == "loop" else "stop."))
    lines.append("Order: " + ("shuffled." if notification["popup_order"] == "shuffle" else "newest first."))
    close = notification["close_days"]
    lines.append(f"Closing hides the popups for {close} days." if close
                 else "Closing hides the popups for the rest of the visit.")
    lines.append(f"Priority {notification['priority']} among the notifications of one page (highest first).")
    return lines
