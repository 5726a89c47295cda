"""The notification settings schemas: what an owner may set when creating a notification and later."""
import re
from datetime import datetime

from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from ..language import DEFAULT_MESSAGES, SUPPORTED as LANGUAGES, supported as supported_language
from ..looks import CORNER_CHOICES, PICTURE_CHOICES, SIZE_CHOICES, THEME_CHOICES
from ..showing import PLACE_LEVELS
from ..rules import (
    AFTER_LAST_CHOICES, DEVICE_CHOICES, HOURS, MAX_PATTERNS, ORDER_CHOICES, WEEKDAYS, normal_pattern,
    pattern_problem, time_zones,
)
from ..templating import problems as template_problems
from .fields import Flag, String, WholeNumber, refuse_nul


def check_template(template: str) -> None:
    """Refuse a message template with unbalanced braces, a bad variable name or too many characters."""
    if found := template_problems(template):
        raise ValidationError(found)


def choice(choices: tuple[str, ...]) -> validate.OneOf:
    """Return a validator that names the allowed words when a setting is none of them."""
    return validate.OneOf(choices, error=f"Must be one of: {', '.join(choices)}.")


class Colour(String):
    """A colour as #rrggbb (any case; stored in lower case)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", text):
            raise ValidationError("Must be a colour written #rrggbb, e.g. #3046c5.")
        return text.lower()


class Language(String):
    """A BCP 47 language tag of a language popups speak, stored as its supported code ("de-AT" → "de")."""

    def _deserialize(self, value, attr, data, **kwargs):
        code = supported_language(super()._deserialize(value, attr, data, **kwargs))
        if code is None:
            raise ValidationError(f"Must be a language tag of one of: {', '.join(LANGUAGES)} (e.g. de or de-AT).")
        return code


class PagePatterns(fields.Field):
    """Page patterns, as a list or one a line (a textarea); stored one a line, encoded as browsers encode URLs."""

    def _deserialize(self, value, attr, data, **kwargs):
        lines = value.split("\n") if isinstance(value, str) else value
        if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
            raise ValidationError("Must be a list of page patterns such as /shop/*.")
        found = [refuse_nul(line.strip()) for line in lines if line.strip()]
        if len(found) > MAX_PATTERNS:
            raise ValidationError(f"At most {MAX_PATTERNS} patterns.")
        if problems := [problem for line in found if (problem := pattern_problem(line))]:
            raise ValidationError(problems)
        return "\n".join(normal_pattern(line) for line in found)


class Goals(fields.Field):
    """Goals, as a list or one a line: a page pattern, a space and a name ("/thank-you* Purchase")."""

    def _deserialize(self, value, attr, data, **kwargs):
        lines = value.split("\n") if isinstance(value, str) else value
        if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
            raise ValidationError("Must be a list of goals such as \"/checkout/thank-you* Purchase\".")
        found = [refuse_nul(line.strip()).split(None, 1) for line in lines if line.strip()]
        if len(found) > MAX_PATTERNS:
            raise ValidationError(f"At most {MAX_PATTERNS} goals.")
        problems = [f"{parts[0]}: write the page, a space, and the goal's name (/thank-you* Purchase)."
                    for parts in found if len(parts) < 2]
        problems += [problem for parts in found if (problem := pattern_problem(parts[0]))]
        problems += [f"{parts[1][:40]}: a goal's name has at most 60 characters." for parts in found
                     if len(parts) == 2 and len(parts[1]) > 60]
        names = [parts[1] for parts in found if len(parts) == 2]
        if len(set(names)) < len(names):
            problems.append("Each goal needs a name of its own.")
        if problems:
            raise ValidationError(problems)
        return "\n".join(f"{normal_pattern(parts[0])} {parts[1]}" for parts in found)


class TimeZone(String):
    """An IANA time zone name such as Europe/Berlin."""

    def _deserialize(self, value, attr, data, **kwargs):
        name = super()._deserialize(value, attr, data, **kwargs)
        if name not in time_zones():
            raise ValidationError(f"{name[:60]} is not an IANA time zone; write one such as Europe/Berlin or UTC.")
        return name


class Day(String):
    """A calendar date, YYYY-MM-DD; blank is none."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return datetime.strptime(text, "%Y-%m-%d").date().isoformat()
        except ValueError:
            raise ValidationError("Must be a date written YYYY-MM-DD, e.g. 2026-12-24.") from None


class ClockTime(String):
    """A time of day, HH:MM on a 24-hour clock; blank is none."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not HOURS.fullmatch(text):
            raise ValidationError("Must be a time written HH:MM, from 00:00 to 23:59.")
        return text


class Weekdays(fields.Field):
    """Days of the week, as a list or comma-separated (mon, tue, …); stored comma-separated, Monday first."""

    def _deserialize(self, value, attr, data, **kwargs):
        names = value.split(",") if isinstance(value, str) else value
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise ValidationError("Must be a list of weekdays: " + ", ".join(WEEKDAYS) + ".")
        chosen = {name.strip().lower()[:3] for name in names if name.strip()}
        if unknown := chosen - set(WEEKDAYS):
            raise ValidationError(f"Not weekdays: {', '.join(sorted(unknown))}; use " + ", ".join(WEEKDAYS) + ".")
        if not chosen:
            raise ValidationError("Choose at least one day.")
        return ",".join(day for day in WEEKDAYS if day in chosen)


def check_schedule(settings: dict) -> None:
    """Refuse a schedule that ends before it starts, or hours with only one end."""
    if settings.get("schedule_start") and settings.get("schedule_end") \
            and settings["schedule_end"] < settings["schedule_start"]:
        raise ValidationError({"schedule_end": ["The end date is before the start date."]})
    start, until = settings.get("schedule_from"), settings.get("schedule_until")
    if bool(start) != bool(until):
        missing = "schedule_until" if start else "schedule_from"
        raise ValidationError({missing: ["Give both hours (from and until), or neither for all day."]})
    if start and start == until:
        raise ValidationError({"schedule_until": ["From and until are the same time; blank both for all day."]})


# Settings a blank form field sets to none: retention keeps events, a blank date or hour is open.
BLANK_IS_NONE = ("retention_days", "schedule_start", "schedule_end", "schedule_from", "schedule_until")


class NotificationSchema(Schema):
    """What an owner sends to create a notification."""

    name = String(required=True, validate=validate.Length(min=1, max=100))
    type = String(required=True, validate=validate.OneOf(["stream", "conversion"]))
    message = String(validate=validate.Length(min=1, max=200))
    # The feed's options; when not sent, the database defaults apply (migration 0003_feed).
    feed_days = WholeNumber(1, 365)
    feed_max_items = WholeNumber(1, 100)
    feed_hide_anonymous = Flag()
    feed_hide_placeless = Flag()
    conversion_window_hours = WholeNumber(1, 720)
    conversion_min_count = WholeNumber(1, 1_000_000)
    template = String(allow_none=True, validate=check_template)
    # Proof and privacy (migration 0009_proof_privacy; README, "Proof and privacy").
    show_verified = Flag()
    place_precision = String(validate=validate.OneOf(list(PLACE_LEVELS)))
    min_place_events = WholeNumber(1, 1000)
    time_blur_minutes = WholeNumber(0, 1440)
    retention_days = WholeNumber(1, 36500, allow_none=True)
    # The popup's language and look (migration 0008_popup_looks_language); database defaults when not sent.
    language = Language()
    theme = String(validate=choice(THEME_CHOICES))
    accent = Colour()
    corners = String(validate=choice(CORNER_CHOICES))
    size = String(validate=choice(SIZE_CHOICES))
    picture = String(validate=choice(PICTURE_CHOICES))
    # Where, when and how often (migration 0010_display_rules; README, "Where and how often").
    pages_include = PagePatterns()
    pages_exclude = PagePatterns()
    devices = String(validate=choice(DEVICE_CHOICES))
    time_zone = TimeZone()
    schedule_start = Day(allow_none=True)
    schedule_end = Day(allow_none=True)
    schedule_days = Weekdays()
    schedule_from = ClockTime(allow_none=True)
    schedule_until = ClockTime(allow_none=True)
    max_per_view = WholeNumber(0, 100)
    repeat_hours = WholeNumber(0, 8760)
    after_last = String(validate=choice(AFTER_LAST_CHOICES))
    popup_order = String(validate=choice(ORDER_CHOICES))
    close_days = WholeNumber(0, 365)
    priority = WholeNumber(0, 100)
    # Goals, attribution and the holdout (migration 0012_goals; README, "Is it working?").
    goals = Goals()
    attribution_days = WholeNumber(1, 365)
    holdout_percent = WholeNumber(0, 50)
    # Load-only: once set, a signing secret is used, never shown again (the notification object says `signed`).
    signing_secret = String(allow_none=True, load_only=True, validate=validate.Length(max=500))

    @pre_load
    def strip(self, data, **kwargs):
        """Trim the text fields; a blank message means the default, a blank signing secret means none."""
        if not isinstance(data, dict):
            return data
        data = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        if data.get("message") == "":
            del data["message"]
        if data.get("template") == "":
            data["template"] = None  # an emptied template field goes back to the default text
        if data.get("signing_secret") == "":
            data["signing_secret"] = None
        for name in BLANK_IS_NONE:
            if data.get(name) == "":
                data[name] = None
        return data

    @validates_schema
    def schedule_makes_sense(self, data, **kwargs):
        """Refuse an end date before the start date, and hours with one end only."""
        check_schedule(data)

    @post_load
    def default_message(self, data, **kwargs):
        """Give the type's default message when none was sent."""
        data.setdefault("message", DEFAULT_MESSAGES[data["type"]])
        return data


class NotificationUpdateSchema(NotificationSchema):
    """What an owner may change later (PATCH, the settings form): any field but the type."""

    type = String(validate=validate.OneOf(["stream", "conversion"]), load_only=True)

    @post_load
    def default_message(self, data, **kwargs):
        """Leave the message alone when none was sent."""
        return data

    def schedule_makes_sense(self, data, **kwargs):
        """Leave the schedule to check_schedule over the stored settings: a change may send one end only."""

    @validates_schema
    def type_is_fixed(self, data, **kwargs):
        """Refuse to change the type: its events would no longer mean the same thing."""
        if "type" in data:
            raise ValidationError("The type of a notification can't change; create a new one.", "type")


notification_schema = NotificationSchema()
notification_update_schema = NotificationUpdateSchema(partial=True)
