"""The event's vocabulary: its fields and their columns, the place fields, the limits, and the clock.

Every layer imports these from here, so adding an event field starts in this module:
1. add it to EVENT_FIELDS (its kind, what it is, its column; `exported`, `place`): the storage columns, the
   history export and the OpenAPI event schema follow from the entry;
2. add a migration in webhook/storage/migrations/ that adds the column;
3. declare how it is read in webhook/schemas/events.py (StreamEventSchema), and show it where it is really
   used: a platform mapping in webhook/platforms/, enrich/, present.py, a template variable.
"""
import time
from dataclasses import dataclass

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS


def now_ms() -> int:
    """Return the current time in UTC milliseconds."""
    return int(time.time() * 1000)


@dataclass(frozen=True)
class Field:
    """One event field: what kind of value it holds, what it is, and where it lives."""

    kind: str  # "ms", "text", "email", "ip", "url", "id", "amount", "code", "list" or "object"
    what: str
    column: str | None = None  # None: a JSON column of the field's own name
    exported: bool = True  # a history export writes it (and the import reads it back)
    place: bool = False  # part of the place: given together, or else found by GeoIP


# The event's fields, in the order an export writes them (README, "History in and out"). A stored event, the
# webhook's answer and the OpenAPI event schema list them in this order too.
EVENT_FIELDS = {
    "timestamp": Field("ms", "when it happened, UTC ms", "timestamp"),
    "email": Field("email", "the buyer's address, domain lower-cased", "email"),
    "firstName": Field("text", "the buyer's first name", "first_name"),
    "lastName": Field("text", "the buyer's last name", "last_name"),
    "ip": Field("ip", "the buyer's IP address, for GeoIP", "ip"),
    "city": Field("text", "the buyer's city", "city", place=True),
    "state": Field("text", "the state, region or province", "state", place=True),
    "stateCode": Field("code", "the state's code (FL)", "state_code", place=True),
    "country": Field("text", "the country's name", "country", place=True),
    "countryCode": Field("code", "ISO 3166 alpha-2", "country_code", place=True),
    "productName": Field("text", "the product shown", "product_name"),
    "productLink": Field("url", "its http(s) page", "product_link"),
    "productImage": Field("url", "its http(s) image", "product_image"),
    "total": Field("amount", "the order's total", "total"),
    "currency": Field("code", "ISO 4217, upper case", "currency"),
    "products": Field("list", "the line items: name, link, id, image, price, quantity"),
    "guid": Field("id", "the sender's id of the buyer or order", "guid"),
    # How it arrived (migration 0009_proof_privacy): "verified", "unsigned" or "imported", and the signature's header.
    "arrival": Field("text", "verified, unsigned or imported", "arrival", exported=False),
    "signatureScheme": Field("text", "the signature header it was verified with", "signature_scheme", exported=False),
    "sources": Field("object", "where each filled-in field came from", exported=False),
}
# Event dict key → column, for the fields with a column of their own: the INSERT's column order.
EVENT_COLUMNS = {name: field.column for name, field in EVENT_FIELDS.items() if field.column}
# Event keys stored as JSON text.
JSON_COLUMNS = tuple(name for name, field in EVENT_FIELDS.items() if not field.column)
# The place fields: a payload gives them (flat or in `location`), or GeoIP fills them all.
PLACE_FIELDS = tuple(name for name, field in EVENT_FIELDS.items() if field.place)
# The columns a place line is built from: a state code alone only abbreviates the state.
PLACE_COLUMNS = tuple(EVENT_COLUMNS[name] for name in PLACE_FIELDS if name != "stateCode")
# Keys of a stored event that never leave the admin side or the sender's own answer.
INTERNAL_KEYS = ("raw", "dedupKey", "cancelledAt")

MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a deliverable address
MAX_PRODUCTS = 100  # a bigger real order is read in part
