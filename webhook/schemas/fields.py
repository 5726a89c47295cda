"""Custom marshmallow fields: strings without NUL, blank-is-absent, ids, URLs, amounts, emails, IPs, times."""
import functools
import ipaddress
import time
from datetime import datetime, timezone

from email_validator import EmailNotValidError
from marshmallow import ValidationError, fields, validate

from ..enrich.emails import normalized_email
from ..vocabulary import DAY_MS, MAX_EMAIL_LENGTH

# A sender's clock may run ahead of ours, but not by more than a day.
MAX_FUTURE_MS = DAY_MS
# Seconds this large would be past the year 5138: such a number can only be milliseconds.
MS_THRESHOLD = 10**11


# marshmallow's validators that refuse with a message string, never a dict of them.
ONE_MESSAGE_VALIDATORS = (validate.Length, validate.Range, validate.Regexp, validate.URL)

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

    @functools.cached_property
    def _validate_all(self):
        """Return the field's validators combined once, where marshmallow combines them anew for every value."""
        if len(self.validators) == 1 and isinstance(self.validators[0], ONE_MESSAGE_VALIDATORS):
            # And would re-raise the one validator's list of messages as they are: the validator alone says the same.
            return self.validators[0]
        return validate.And(*self.validators)

    def _validate(self, value):
        """Run the validators on a value, or refuse a blank where null is not allowed."""
        # Length, Range and URL checks can't take None: without this, a blank field would be a 500.
        # Field._validate only calls _validate_all, so it is called here directly, one call less a field.
        if value is not None:
            self._validate_all(value)
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


class HttpUrlCheck(validate.URL):
    """marshmallow's URL check for absolute URLs, which formats its message only for a URL it refuses."""

    def __init__(self, **kwargs):
        """Take URL's options; only absolute URLs, so that "://" is always needed."""
        super().__init__(**kwargs)
        if self.relative or not self.absolute or "file" in self.schemes:
            raise ValueError("HttpUrlCheck is for absolute URLs of schemes other than file.")
        self.pattern = self._regex(relative=False, absolute=True, require_tld=self.require_tld)

    def __call__(self, value: str) -> str:
        """Return value if it is a URL validate.URL accepts, else raise its message."""
        # validate.URL formats its message and looks its pattern up on every call, before knowing it is needed,
        # a good part of a URL field's load. Without relative URLs or file's special case, it accepts exactly
        # what this accepts: a known scheme before "://" and a match of the same pattern
        # (tests/test_http_url_check.py compares the two over many URLs).
        if "://" in value and value.split("://", 1)[0].lower() in self.schemes and self.pattern.search(value):
            return value
        raise ValidationError(self._format_error(value))


class HttpUrl(BlankIsAbsent, fields.Url):
    """An absolute http(s) URL; nothing else is ever rendered as a link or an image."""

    def __init__(self, **kwargs):
        super().__init__(schemes={"http", "https"}, require_tld=False, **kwargs)
        # fields.Url puts its validate.URL first; the same check, cheaper, takes its place.
        self.validators[0] = HttpUrlCheck(schemes={"http", "https"}, require_tld=False,
                                          error=self.error_messages["invalid"])

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
