"""Marshmallow schemas: what a webhook event and a notification may hold, coerced and checked."""
import functools
import ipaddress
import math
import re
import time
from datetime import datetime, timezone

from email_validator import EmailNotValidError, validate_email
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

MAX_FUTURE_MS = 24 * 60 * 60 * 1000
# Seconds this large would be past the year 5138: such a number can only be milliseconds.
MS_THRESHOLD = 10**11


class Text(fields.String):
    """A trimmed string; empty counts as absent."""

    def __init__(self, max_length: int = 200, **kwargs):
        kwargs.setdefault("allow_none", True)
        checks = [validate.Length(max=max_length), *([kwargs.pop("validate")] if "validate" in kwargs else [])]
        super().__init__(validate=checks, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        return text or None


class Identifier(fields.Field):
    """An id given as a string or an integer, kept as a string."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValidationError("Must be a string or an integer.")
        text = str(value).strip()
        if len(text) > 255:
            raise ValidationError("Must be at most 255 characters.")
        return text or None


class HttpUrl(fields.Url):
    """An absolute http(s) URL; nothing else is ever rendered as a link or an image."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_none", True)
        super().__init__(schemes={"http", "https"}, require_tld=False, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            if len(value) > 2048:
                raise ValidationError("Must be at most 2048 characters.")
        return super()._deserialize(value, attr, data, **kwargs)


class Amount(fields.Float):
    """A non-negative finite number, given as a number or a numeric string."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_none", True)
        super().__init__(allow_nan=False, validate=validate.Range(min=0), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not value.strip():
            return None
        return super()._deserialize(value, attr, data, **kwargs)


# An unquoted ASCII local part (a dot-atom): email-validator returns it unchanged, so for such addresses
# only the domain needs its slower IDNA-aware check, and senders use few domains, so that is cached. It
# was a tenth of the CPU of an ingest request in `make bench`.
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


class Email(fields.String):
    """An email address, checked for shape only (no DNS), domain lower-cased."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        try:
            return normalized_email(text)
        except EmailNotValidError as exc:
            raise ValidationError(f"Not a valid email address: {exc}") from None


class IPAddress(fields.String):
    """An IPv4 or IPv6 address, kept in its canonical text form."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_none", True)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            return None
        try:
            return str(ipaddress.ip_address(text))
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
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValidationError("Must be a non-negative number of seconds or milliseconds.")
    if value >= 10**15:
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
    return int(moment.timestamp() * 1000)


class WebhookSchema(Schema):
    """The common base: webhook bodies carry many keys we don't use, and nulls mean 'absent'."""

    class Meta:
        unknown = EXCLUDE

    @post_load
    def drop_absent(self, data, **kwargs):
        """Leave out the fields that were null or empty."""
        return {key: value for key, value in data.items() if value is not None}


class ProductSchema(WebhookSchema):
    """One line item of `products[]`."""

    name = Text(max_length=300, required=True, allow_none=False)
    link = HttpUrl(required=True, allow_none=False)
    id = Identifier(allow_none=True)
    image = HttpUrl()
    price = Amount()
    quantity = Amount()


class PlatformProductSchema(ProductSchema):
    """A line item mapped from a store platform, which has no product URL to give."""

    link = HttpUrl()


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
    products = fields.List(fields.Nested(ProductSchema), allow_none=True, validate=validate.Length(max=100))

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
    """A stream event mapped from a store platform: line items may lack a link."""

    products = fields.List(fields.Nested(PlatformProductSchema), allow_none=True, validate=validate.Length(max=100))


class ConversionEventSchema(WebhookSchema):
    """A conversion: nothing is required; only its time and guid are kept."""

    timestamp = Timestamp(allow_none=True)
    guid = Identifier(allow_none=True)


LOCATION_FIELDS = ("city", "state", "stateCode", "country", "countryCode")
DEFAULT_MESSAGES = {"stream": "purchased", "conversion": "signed up"}


class NotificationSchema(Schema):
    """What an owner sends to create a notification."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    type = fields.String(required=True, validate=validate.OneOf(["stream", "conversion"]))
    message = fields.String(validate=validate.Length(min=1, max=200))

    @pre_load
    def strip(self, data, **kwargs):
        """Trim the text fields; a blank message means the default."""
        if not isinstance(data, dict):
            return data
        data = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        if data.get("message") == "":
            del data["message"]
        return data

    @post_load
    def default_message(self, data, **kwargs):
        """Give the type's default message when none was sent."""
        data.setdefault("message", DEFAULT_MESSAGES[data["type"]])
        return data


class NotificationUpdateSchema(NotificationSchema):
    """What an owner may change later (PATCH, the settings form): any field but the type."""

    type = fields.String(validate=validate.OneOf(["stream", "conversion"]), load_only=True)

    @post_load
    def default_message(self, data, **kwargs):
        """Leave the message alone when none was sent."""
        return data

    @validates_schema
    def type_is_fixed(self, data, **kwargs):
        """Refuse to change the type: its events would no longer mean the same thing."""
        if "type" in data:
            raise ValidationError("The type of a notification can't change; create a new one.", "type")


stream_event_schema = StreamEventSchema()
platform_event_schema = PlatformEventSchema()
conversion_event_schema = ConversionEventSchema()
notification_schema = NotificationSchema()
notification_update_schema = NotificationUpdateSchema(partial=True)
