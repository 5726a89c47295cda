"""What every platform mapping shares: the result type, path lookup, URLs, numbers, amounts."""

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from webhook.enrich.names import split_full_name
from webhook.vocabulary import MAX_PRODUCTS

# ISO 4217 minor units where they differ from 2 (the currencies Stripe and Gumroad bill in).
CURRENCY_EXPONENTS = {
    **dict.fromkeys(
        "BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split(), 0
    ),
    **dict.fromkeys("BHD JOD KWD OMR TND".split(), 3),
}

# Beyond this no amount is a price, and int(Decimal("1e999999999")) would take forever.
MAX_DIGITS = 15


# Platforms send subdivision codes ("FL", "ON", "NSW") and names ("Tokyo") in one field.
STATE_CODE = re.compile(r"[A-Z0-9]{1,3}")


@dataclass
class Mapped:
    """A payload mapped to our vocabulary, or the reason it stores nothing."""

    mapping: str  # the platform's module NAME ("shopify", "paypal", …) or "generic"
    data: dict | None  # None when ignored or when it cancels an earlier event
    ignored: str | None = None  # why we deliberately store nothing
    cancels: str | None = None  # the id of an earlier event to hide (cancelled, refunded)
    warnings: list[str] = field(default_factory=list)


def ignore(mapping: str, reason: str) -> Mapped:
    """Store nothing, and say why."""
    return Mapped(mapping, None, ignored=reason)


def cancel(mapping: str, key, what: str) -> Mapped:
    """Hide the earlier event with this id, or ignore a cancellation that names none."""
    if not present(key):
        return ignore(mapping, f"{what} names no order to hide.")
    return Mapped(mapping, None, cancels=str(key))


def lookup(data, path: str):
    """Return the value at a dotted path ("customer.email", "payments.0.amount"), or None."""
    if type(data) is dict and "." not in path:
        # Most candidate paths are one key of a parsed JSON object: the abstract Mapping check and the split
        # were most of the platform mapping's time.
        return data.get(path)
    for step in path.split("."):
        # A parsed JSON object or nothing is most steps: both answered before the abstract Mapping check.
        if type(data) is dict:
            data = data.get(step)
        elif data is None:
            return None
        elif isinstance(data, list) and step.isdigit():
            data = data[int(step)] if int(step) < len(data) else None
        elif isinstance(data, Mapping):
            data = data.get(step)
        else:
            return None
    return data


def present(value) -> bool:
    """Tell whether a value carries information (platforms send "" and null for unknown)."""
    return value is not None and value != "" and value != [] and value != {}


def pick(data, paths: Iterable[str]):
    """Return the first present value among candidate paths, or None."""
    for path in paths:
        value = lookup(data, path)
        if present(value):
            return value
    return None


def pick_fields(data, table: Mapping[str, tuple[str, ...]]) -> dict:
    """Map each of our keys to the first present value of its candidate paths."""
    if data is None or not (type(data) is dict or isinstance(data, (Mapping, list))):
        # No path leads anywhere from a missing object or a scalar; the person objects are mostly missing.
        return {}
    picked = {}
    for key, paths in table.items():
        value = pick(data, paths)
        if value is not None:  # pick returns only present values, or None
            picked[key] = value
    return picked


def pick_group(data, prefixes: Iterable[str], table: Mapping[str, tuple[str, ...]]) -> dict:
    """Take related fields (a name, an address) together from the first prefix that has any."""
    # Mixing a billing city with a shipping country would invent a place nobody lives in.
    for prefix in prefixes:
        fields = pick_fields(lookup(data, prefix), table)
        if fields:
            return fields
    return {}


def split_state(place: dict) -> dict:
    """Move a subdivision code found under "state" to "stateCode"."""
    state = place.get("state")
    if isinstance(state, str) and STATE_CODE.fullmatch(state):
        place = {key: value for key, value in place.items() if key != "state"}
        place["stateCode"] = state
    return place


def absolute_url(value) -> str | None:
    """Return value if it is an absolute http(s) URL, else None."""
    if not isinstance(value, str):
        return None
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def _plain(number: Decimal) -> int | float:
    """Turn a Decimal into an int when whole, else a float, for JSON and display."""
    return int(number) if number == number.to_integral_value() else float(number)


def _decimal(value) -> Decimal | None:
    """Parse a number sent as a number or a decimal string; None unless it can be a price."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() and number.adjusted() <= MAX_DIGITS else None


def to_number(value) -> int | float | None:
    """Parse a price sent as a number or a decimal string ("49.00"); None if it isn't one."""
    number = _decimal(value)
    return None if number is None else _plain(number)


def from_minor_units(amount, currency: str | None) -> int | float | None:
    """Convert an amount in minor units (cents, or yen for JPY) to the currency's major unit."""
    number = _decimal(amount)
    if number is None:
        return None
    return _plain(number.scaleb(-CURRENCY_EXPONENTS.get(str(currency).upper(), 2)))


def utc_iso(value) -> str | None:
    """Return an ISO-8601 string with an explicit offset; naive times are taken as UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.isoformat()


def text(value) -> str | None:
    """Return value if it is a string, else None: a status or type means nothing otherwise."""
    return value if isinstance(value, str) else None


def truthy(value) -> bool:
    """Read a flag sent as a JSON boolean or as a form string ("true")."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def drop_bad_urls(fields: dict, keys: Iterable[str], warnings: list[str]) -> dict:
    """Remove links and images that aren't absolute http(s) URLs, with a warning for each."""
    # A real order is never rejected for our display's sake: it is shown without them.
    kept = dict(fields)
    label = fields.get("productName", fields.get("name"))
    for key in keys:
        if key not in kept:
            continue
        url = absolute_url(kept.pop(key))
        if url:
            kept[key] = url
        else:
            warnings.append(
                f"Dropped {key} {fields[key]!r} of product {label!r}:"
                " not an absolute http(s) URL."
            )
    return kept


def full_name(value) -> dict:
    """Split a person's full name into firstName/lastName, or nothing if it isn't one."""
    # For names the enrichment's own search can't reach (inside lists, such as a card's holder).
    parts = split_full_name(value)
    return tidy({"firstName": parts[0], "lastName": parts[1]}) if parts else {}


def unescape(value):
    """Decode the HTML entities of a name sent HTML-escaped ("Tee &ndash; Black" is "Tee – Black")."""
    # Output is escaped again where it is shown: this only stops "&ndash;" being shown as text.
    return html.unescape(value) if isinstance(value, str) else value


def products(
    items, table: Mapping[str, tuple[str, ...]], warnings: list[str], minor_units: str | None = None
) -> list[dict]:
    """Build our product list from a platform's line items; items without a name are skipped.

    `minor_units` is the currency of prices sent in cents (or yen), converted to the major unit.
    """
    items = items if isinstance(items, list) else []
    if len(items) > MAX_PRODUCTS:
        # A real order is never refused for its size: the product shown comes from the first ones.
        warnings.append(f"Read the first {MAX_PRODUCTS} of {len(items)} line items.")
        items = items[:MAX_PRODUCTS]
    built = []
    for item in items:
        product = pick_fields(item, table)
        if "price" in product:
            product["price"] = (
                from_minor_units(product["price"], minor_units) if minor_units else to_number(product["price"])
            )
        product = drop_bad_urls(product, ("link", "image"), warnings)
        if "name" in product:
            built.append({key: value for key, value in product.items() if present(value)})
    return built


# How each picked value becomes our vocabulary's type; a None result drops the key.
TIDY = {
    "id": str,
    "total": to_number,
    "currency": lambda code: code.upper() if isinstance(code, str) else None,
    "timestamp": lambda moment: utc_iso(moment) if isinstance(moment, str) else moment,
}


def tidy(fields: dict) -> dict:
    """Bring picked values to our types: id as text, numbers, ISO times, upper-case currency."""
    converted = {key: TIDY.get(key, lambda value: value)(value) for key, value in fields.items()}
    return {key: value for key, value in converted.items() if present(value)}
