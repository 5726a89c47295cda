"""Marshmallow schemas: what a webhook event and a notification may hold, coerced and checked."""
import functools
import ipaddress
import re
import time
from datetime import datetime, timezone

from email_validator import EmailNotValidError, validate_email
from marshmallow import (
    EXCLUDE, INCLUDE, Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema,
)

from .language import DEFAULT_MESSAGES, SUPPORTED as LANGUAGES, supported as supported_language
from .looks import CORNER_CHOICES, PICTURE_CHOICES, SIZE_CHOICES, THEME_CHOICES
from .present import PLACE_LEVELS
from .rules import (
    AFTER_LAST_CHOICES, DEVICE_CHOICES, HOURS, MAX_PATTERNS, ORDER_CHOICES, WEEKDAYS, normal_pattern,
    pattern_problem, time_zones,
)
from .templating import problems as template_problems
from .vocabulary import MAX_EMAIL_LENGTH, MAX_PRODUCTS

MAX_FUTURE_MS = 24 * 60 * 60 * 1000
# Seconds this large would be past the year 5138: such a number can only be milliseconds.
MS_THRESHOLD = 10**11


NUL_MESSAGE = "Must not contain a NUL character (\\u0000)."


def refuse_nul(text: str) -> str:
    """Return text, or refuse it if it holds a NUL, which PostgreSQL can't store in a text column."""
    if "\x00" in text:
        raise ValidationError(NUL_MESSAGE)
    return text


class String(fields.String):
    """A string field that refuses NUL characters, so both databases take every string it lets through."""

    def _deserialize(self, value, attr, data, **kwargs):
        """Load the string and check it."""
        return refuse_nul(super()._deserialize(value, attr, data, **kwargs))


class BlankIsAbsent:
    """A field where blank text and null mean "absent" (optional unless allow_none=False is given)."""

    def __init__(self, **kwargs):
        """Make the field optional-by-null unless told otherwise."""
        kwargs.setdefault("allow_none", True)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        """Load blank text as None; anything else as the field does."""
        if isinstance(value, str) and not value.strip():
            return None
        return super()._deserialize(value, attr, data, **kwargs)

    def _validate(self, value):
        """Run the validators on a value, or refuse a blank where null is not allowed."""
        # Length, Range and URL checks can't take None: without this, a blank field would be a 500.
        if value is not None:
            super()._validate(value)
        elif not self.allow_none:
            raise ValidationError("Must not be blank.")


class Text(BlankIsAbsent, String):
    """A trimmed string; empty counts as absent."""

    def __init__(self, max_length: int = 200, **kwargs):
        checks = [validate.Length(max=max_length), *([kwargs.pop("validate")] if "validate" in kwargs else [])]
        super().__init__(validate=checks, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        return text.strip() if text is not None else None


class Identifier(fields.Field):
    """An id given as a string or an integer, kept as a string."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValidationError("Must be a string or an integer.")
        text = str(value).strip()
        if len(text) > 255:
            raise ValidationError("Must be at most 255 characters.")
        return refuse_nul(text) or None


class HttpUrl(BlankIsAbsent, fields.Url):
    """An absolute http(s) URL; nothing else is ever rendered as a link or an image."""

    def __init__(self, **kwargs):
        super().__init__(schemes={"http", "https"}, require_tld=False, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = refuse_nul(value.strip())  # marshmallow's URL pattern lets a NUL through in the path
            if len(value) > 2048:
                raise ValidationError("Must be at most 2048 characters.")
        return super()._deserialize(value, attr, data, **kwargs)


class Amount(BlankIsAbsent, fields.Float):
    """A non-negative finite number, given as a number or a numeric string."""

    def __init__(self, **kwargs):
        super().__init__(allow_nan=False, validate=validate.Range(min=0), **kwargs)


# An unquoted ASCII local part (a dot-atom): email-validator returns it unchanged, so for such addresses
# only the domain needs its slower IDNA-aware check, and senders use few domains, so that is cached (its
# cost is in the README's "Performance").
DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")


@functools.lru_cache(maxsize=4096)
def normalized_domain(domain: str) -> str:
    """Return email-validator's normal form of a mail domain, or raise EmailNotValidError."""
    return validate_email("a@" + domain, check_deliverability=False).domain


def normalized_email(text: str) -> str:
    """Return an address as email-validator normalizes it (no DNS), or raise EmailNotValidError."""
    local, at, domain = text.rpartition("@")
    if at and len(local) <= 64 and DOT_ATOM.match(local):
        try:
            normalized = f"{local}@{normalized_domain(domain)}"
        except EmailNotValidError:
            normalized = None  # the full check below says why, in its own words
        if normalized is not None and len(normalized) <= 254:
            return normalized
    return validate_email(text, check_deliverability=False).normalized


class Email(String):
    """An email address, checked for shape only (no DNS), domain lower-cased."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if len(text) > MAX_EMAIL_LENGTH:
            # Checked first: email-validator takes seconds over a megabyte-long address.
            raise ValidationError(f"Not a valid email address: longer than {MAX_EMAIL_LENGTH} characters.")
        try:
            return normalized_email(text)
        except EmailNotValidError as exc:
            raise ValidationError(f"Not a valid email address: {exc}") from None


class IPAddress(BlankIsAbsent, String):
    """An IPv4 or IPv6 address, kept in its canonical text form."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if text is None:
            return None
        try:
            return str(ipaddress.ip_address(text.strip()))
        except ValueError:
            raise ValidationError("Not a valid IPv4 or IPv6 address.") from None


class Timestamp(fields.Field):
    """A time as epoch seconds or milliseconds (number or numeric string) or ISO-8601; loads as UTC ms."""

    def _deserialize(self, value, attr, data, **kwargs):
        ms = parse_timestamp(value)
        if ms > time.time() * 1000 + MAX_FUTURE_MS:
            raise ValidationError("Must not be more than a day in the future.")
        return ms


def parse_timestamp(value) -> int:
    """Return UTC milliseconds for a timestamp in any accepted form, or raise ValidationError."""
    if isinstance(value, bool) or value is None:
        raise ValidationError("Must be a number of seconds or milliseconds, or an ISO-8601 string.")
    if isinstance(value, str):
        text = value.strip()
        try:
            value = float(text)
        except ValueError:
            return parse_iso8601(text)
    # Compare, never convert: math.isfinite(10**400) raises OverflowError (a 500); NaN fails every comparison.
    if not isinstance(value, (int, float)) or not value >= 0:
        raise ValidationError("Must be a non-negative number of seconds or milliseconds.")
    if value >= 10**15:  # infinity too
        raise ValidationError("Is too large to be a time in seconds or milliseconds.")
    return int(value if value >= MS_THRESHOLD else value * 1000)


def parse_iso8601(text: str) -> int:
    """Return UTC milliseconds for an ISO-8601 string; without an offset it is UTC."""
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ValidationError("Must be a number of seconds or milliseconds, or an ISO-8601 string.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    ms = int(moment.timestamp() * 1000)
    if ms < 0:
        # The same rule as for numbers: a purchase before 1970 is a sender's bug (often "0001-01-01").
        raise ValidationError("Must not be before 1970.")
    return ms


class WebhookSchema(Schema):
    """The common base: webhook bodies carry many keys we don't use, and nulls mean 'absent'."""

    class Meta:
        unknown = EXCLUDE

    @post_load
    def drop_absent(self, data, **kwargs):
        """Leave out the fields that were null or empty."""
        return {key: value for key, value in data.items() if value is not None}


class ProductSchema(WebhookSchema):
    """One line item of `products[]`: a link is optional (shop exports have none), but must be http(s) if given."""

    name = Text(max_length=300, required=True, allow_none=False)
    link = HttpUrl()
    id = Identifier(allow_none=True)
    image = HttpUrl()
    price = Amount()
    quantity = Amount()


class BoundedList(fields.List):
    """A list with at most `max_items` items, counted before any item is loaded."""

    def __init__(self, inner, max_items: int, **kwargs):
        """Keep the bound; the items are loaded by `inner`."""
        super().__init__(inner, **kwargs)
        self.max_items = max_items

    def _deserialize(self, value, attr, data, **kwargs):
        """Refuse a list over the bound before loading its items."""
        # Loading a huge list's items first took seconds and answered with every item's error (README, "Bodies").
        if isinstance(value, list) and len(value) > self.max_items:
            raise ValidationError(f"Must have at most {self.max_items} items; it has {len(value)}.")
        return super()._deserialize(value, attr, data, **kwargs)


class StreamEventSchema(WebhookSchema):
    """A stream event: the seed's fields, coerced; the displayed product picked."""

    email = Email(required=True)
    timestamp = Timestamp(allow_none=True)
    ip = IPAddress()
    firstName = Text(max_length=100)
    lastName = Text(max_length=100)
    city = Text()
    state = Text()
    stateCode = Text(max_length=10)
    country = Text()
    countryCode = Text(max_length=3)
    guid = Identifier(allow_none=True)
    productName = Text(max_length=300)
    productLink = HttpUrl()
    productImage = HttpUrl()
    total = Amount()
    currency = Text(max_length=3, validate=validate.Regexp(r"^[A-Za-z]{3}$", error="Must be a 3-letter code."))
    products = BoundedList(fields.Nested(ProductSchema), MAX_PRODUCTS, allow_none=True)

    @pre_load
    def flatten_location(self, data, **kwargs):
        """Accept the place fields inside a `location` object too (`location[city]=…` in forms)."""
        location = data.get("location")
        if isinstance(location, dict):
            data = {**{k: v for k, v in location.items() if k in LOCATION_FIELDS}, **data}
        return data

    @post_load
    def pick_product(self, data, **kwargs):
        """Show the most expensive product (or the first); explicit product fields win."""
        data = {key: value for key, value in data.items() if value is not None}
        if "currency" in data:
            data["currency"] = data["currency"].upper()
        products = data.get("products")
        if products:
            priced = [p for p in products if p.get("price") is not None]
            shown = max(priced, key=lambda p: p["price"]) if priced else products[0]
            for field, key in (("productName", "name"), ("productLink", "link"), ("productImage", "image")):
                if field not in data and shown.get(key):
                    data[field] = shown[key]
        return data


class PlatformEventSchema(StreamEventSchema):
    """A stream event mapped from a recognised platform: a paid event without an email is shown as "Someone"."""

    # The email rule is for payloads in our own vocabulary; Stripe's charges often carry none.
    email = Email(allow_none=True)


class ConversionEventSchema(WebhookSchema):
    """A conversion: nothing is required; only its time and guid are kept."""

    timestamp = Timestamp(allow_none=True)
    guid = Identifier(allow_none=True)


class WholeNumber(fields.Integer):
    """A whole number within a range, as a number or numeric string; 7.5 is refused rather than cut to 7."""

    def __init__(self, low: int, high: int, **kwargs):
        super().__init__(validate=validate.Range(min=low, max=high), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, float) and not value.is_integer():
            raise ValidationError("Not a valid integer.")
        if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
            raise ValidationError("Not a valid integer.")
        return super()._deserialize(value, attr, data, **kwargs)


class Flag(fields.Boolean):
    """A yes/no option (true/false, 1/0, on/off, yes/no), stored as 0 or 1 (the schema's BIGINT booleans)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return int(super()._deserialize(value, attr, data, **kwargs))


LOCATION_FIELDS = ("city", "state", "stateCode", "country", "countryCode")


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


# --- answers: documentation only (see openapi.py); the views build these dicts themselves -------------


class ErrorSchema(Schema):
    """The one error shape every API and webhook error has."""

    code = fields.Integer(required=True, metadata={"description": "the HTTP status code"})
    status = fields.String(required=True, metadata={"description": "its reason phrase, e.g. Unprocessable Entity"})
    message = fields.String(required=True)
    errors = fields.Dict(metadata={"description": "per-field messages, nested like the request (422 only)"})


class EventSchema(Schema):
    """A stored (or, with dry_run, a validated) event as its owner sees it."""

    class Meta:
        unknown = INCLUDE  # Enrichment may add keys; the documented ones are stable.

    id = fields.Integer()
    notificationId = fields.Integer()
    receivedAt = fields.Integer(metadata={"description": "UTC ms"})
    timestamp = fields.Integer(required=True, metadata={"description": "UTC ms"})
    displayName = fields.String(required=True, metadata={"example": "John S."})
    email = fields.String(allow_none=True)
    firstName = fields.String(allow_none=True)
    lastName = fields.String(allow_none=True)
    ip = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    state = fields.String(allow_none=True)
    stateCode = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    countryCode = fields.String(allow_none=True)
    guid = fields.String(allow_none=True)
    productName = fields.String(allow_none=True)
    productLink = fields.String(allow_none=True)
    productImage = fields.String(allow_none=True)
    total = fields.Float(allow_none=True)
    currency = fields.String(allow_none=True)
    products = fields.List(fields.Dict(), allow_none=True)
    sources = fields.Dict(allow_none=True, metadata={"description": "where each filled-in field came from"})


class WebhookAnswerSchema(Schema):
    """What the webhook answers when it accepts a call."""

    status = fields.String(
        required=True, validate=validate.OneOf(["created", "duplicate", "valid", "ignored", "cancelled"])
    )
    event = fields.Nested(EventSchema)
    preview_url = fields.String()
    warnings = fields.List(fields.String(), required=True)
    reason = fields.String(metadata={"description": "why a platform call was ignored (status ignored)"})
    cancelled = fields.Boolean(metadata={"description": "whether a shown event was hidden (status cancelled)"})


class NotificationObjectSchema(Schema):
    """The notification object every admin API answer uses."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(["stream", "conversion"]))
    message = fields.String(required=True)
    webhook_url = fields.String(required=True)
    preview_url = fields.String(required=True)
    created_at = fields.Integer(required=True)
    event_count = fields.Integer(required=True)
    event_count_24h = fields.Integer(required=True)
    last_event_at = fields.Integer(required=True, allow_none=True)
    signed = fields.Boolean(required=True, metadata={"description": "whether calls must be signed"})
    signing_scheme = fields.String(allow_none=True, required=True, metadata={
        "description": "the signature header this notification takes, set by its first valid signed call"})
    template = fields.String(required=True, allow_none=True)
    public_key = fields.String(required=True, metadata={"description": "the feed's key; safe to publish"})
    feed_url = fields.String(required=True)
    feed_days = fields.Integer(required=True)
    feed_max_items = fields.Integer(required=True)
    feed_hide_anonymous = fields.Boolean(required=True)
    feed_hide_placeless = fields.Boolean(required=True)
    conversion_window_hours = fields.Integer(required=True)
    conversion_min_count = fields.Integer(required=True)
    show_verified = fields.Boolean(required=True, metadata={"description": "popups carry a mark linking to proof"})
    place_precision = fields.String(required=True, validate=validate.OneOf(list(PLACE_LEVELS)))
    min_place_events = fields.Integer(required=True, metadata={"description": "the small-place guard's k"})
    time_blur_minutes = fields.Integer(required=True, metadata={"description": "0: off"})
    retention_days = fields.Integer(required=True, allow_none=True, metadata={"description": "null: kept"})
    language = fields.String(required=True, metadata={"description": "BCP 47 tag of the popups' language"})
    theme = fields.String(required=True, validate=validate.OneOf(THEME_CHOICES))
    accent = fields.String(required=True, metadata={"description": "#rrggbb; made readable in each theme"})
    corners = fields.String(required=True, validate=validate.OneOf(CORNER_CHOICES))
    size = fields.String(required=True, validate=validate.OneOf(SIZE_CHOICES))
    picture = fields.String(required=True, validate=validate.OneOf(PICTURE_CHOICES))
    pages_include = fields.List(fields.String(), required=True, metadata={"description": "[] is every page"})
    pages_exclude = fields.List(fields.String(), required=True, metadata={"description": "exclude wins"})
    devices = fields.String(required=True, validate=validate.OneOf(DEVICE_CHOICES))
    time_zone = fields.String(required=True, metadata={"description": "IANA name the schedule is read in"})
    schedule_start = fields.String(required=True, allow_none=True, metadata={"description": "YYYY-MM-DD"})
    schedule_end = fields.String(required=True, allow_none=True, metadata={"description": "YYYY-MM-DD, inclusive"})
    schedule_days = fields.List(fields.String(validate=validate.OneOf(WEEKDAYS)), required=True)
    schedule_from = fields.String(required=True, allow_none=True, metadata={"description": "HH:MM; null: all day"})
    schedule_until = fields.String(required=True, allow_none=True, metadata={"description": "HH:MM, exclusive"})
    max_per_view = fields.Integer(required=True, metadata={"description": "0: all"})
    repeat_hours = fields.Integer(required=True, metadata={"description": "0: a popup may show on every view"})
    after_last = fields.String(required=True, validate=validate.OneOf(AFTER_LAST_CHOICES))
    popup_order = fields.String(required=True, validate=validate.OneOf(ORDER_CHOICES))
    close_days = fields.Integer(required=True, metadata={"description": "0: closing lasts the visit"})
    priority = fields.Integer(required=True, metadata={"description": "higher shows first on a shared page"})
    goals = fields.List(fields.String(), required=True, metadata={"description": "\"<page pattern> <name>\" each"})
    attribution_days = fields.Integer(required=True, metadata={"description": "window for after seen/clicked"})
    holdout_percent = fields.Integer(required=True, metadata={"description": "0: no holdout; at most 50"})


class ShownProductSchema(Schema):
    """The product a popup shows: only http(s) links and images."""

    name = fields.String(allow_none=True)
    link = fields.String(allow_none=True)
    image = fields.String(allow_none=True)


class ProofMarkSchema(Schema):
    """How a popup's event arrived, for its mark."""

    kind = fields.String(allow_none=True, validate=validate.OneOf(["verified", "unsigned", "imported"]))
    label = fields.String()


class PopupSchema(Schema):
    """One popup of the public feed: a stream event or the conversion count, nothing admin-only."""

    type = fields.String(required=True, validate=validate.OneOf(["stream", "conversion"]))
    name = fields.String(metadata={"description": "first name + last initial, or Someone"})
    initials = fields.String()
    place = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    state = fields.String(allow_none=True)
    stateCode = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    countryCode = fields.String(allow_none=True)
    message = fields.String()
    who = fields.String(metadata={"description": "first line, in the feed's language, with {name} and {place} slots"})
    what = fields.String(metadata={"description": "second line, with {product} and {message} slots"})
    text = fields.String(allow_none=True, metadata={"description": "the filled-in template, when there is one"})
    product = fields.Nested(ShownProductSchema)
    timestamp = fields.Integer()
    timeAgo = fields.String()
    count = fields.Integer()
    windowHours = fields.Integer()
    proof = fields.Nested(
        ProofMarkSchema, metadata={"description": "with the Verified mark on: links to /proof/<public key>/<id>"}
    )


class FeedSchema(Schema):
    """GET /feed/<public key>.json."""

    type = fields.String(required=True, validate=validate.OneOf(["stream", "conversion"]))
    now = fields.Integer(required=True, metadata={"description": "the moment 'time ago' is counted from"})
    lang = fields.String(required=True, metadata={"description": "BCP 47 tag of the language the feed is in"})
    dir = fields.String(required=True, validate=validate.OneOf(["ltr", "rtl"]))
    look = fields.Dict(required=True, metadata={"description": "theme, corners, size, picture, each theme's colours"})
    rules = fields.Dict(required=True, metadata={
        "description": "where, when and how often (README, 'Where and how often'): include and exclude as regular"
                       " expressions over the page's path and query, devices, schedule (null: any time), maxPerView,"
                       " repeatHours, afterLast, order, closeDays, priority, goals ({name, page}: page a"
                       " regular expression), attributionDays, holdout (percent)"})
    labels = fields.Dict(required=True, metadata={"description": "the widget's own words: close, region"})
    items = fields.List(fields.Nested(PopupSchema), required=True)


class DayStatsSchema(Schema):
    """One UTC day (or the totals) of a notification's insight."""

    date = fields.String(metadata={"description": "YYYY-MM-DD, UTC (absent in the totals)"})
    impressions = fields.Integer(required=True)
    clicks = fields.Integer(required=True)
    ctr = fields.Float(required=True, allow_none=True, metadata={"description": "clicks / impressions; null without"})
    events_received = fields.Integer(required=True)


class StatsSchema(Schema):
    """GET /api/notifications/<id>/stats."""

    notification_id = fields.Integer(required=True)
    days = fields.Integer(required=True)
    from_ = fields.String(required=True, data_key="from")
    to = fields.String(required=True)
    daily = fields.List(fields.Nested(DayStatsSchema), required=True)
    totals = fields.Nested(DayStatsSchema, required=True)


class LiftSchema(Schema):
    """One goal's conversion rates per group and the lift (shown minus holdout) with its 95 % interval."""

    shown_rate = fields.Float(required=True, allow_none=True)
    holdout_rate = fields.Float(required=True, allow_none=True)
    difference = fields.Float(required=True, allow_none=True, metadata={"description": "null: not enough data"})
    low = fields.Float(required=True, allow_none=True)
    high = fields.Float(required=True, allow_none=True)
    enough_data = fields.Boolean(required=True)


class GoalSchema(Schema):
    """One goal of GET /api/notifications/<id>/goals."""

    name = fields.String(required=True)
    groups = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer()),
                         required=True, metadata={"description": "per group: goal, seen, clicked"})
    lift = fields.Nested(LiftSchema, required=True)


class GoalStatsSchema(Schema):
    """GET /api/notifications/<id>/goals."""

    notification_id = fields.Integer(required=True)
    days = fields.Integer(required=True)
    from_ = fields.String(required=True, data_key="from")
    to = fields.String(required=True)
    holdout_percent = fields.Integer(required=True)
    attribution_days = fields.Integer(required=True)
    visits = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    goals = fields.List(fields.Nested(GoalSchema), required=True)
    min_visits = fields.Integer(required=True, metadata={"description": "per group, before a lift is shown"})
    method = fields.String(required=True)


class NotificationListSchema(Schema):
    """GET /api/notifications."""

    notifications = fields.List(fields.Nested(NotificationObjectSchema), required=True)


class EventListSchema(Schema):
    """GET /api/notifications/<id>/events."""

    events = fields.List(fields.Nested(EventSchema), required=True)


stream_event_schema = StreamEventSchema()
platform_event_schema = PlatformEventSchema()
conversion_event_schema = ConversionEventSchema()
notification_schema = NotificationSchema()
notification_update_schema = NotificationUpdateSchema(partial=True)
