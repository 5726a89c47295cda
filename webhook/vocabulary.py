"""The event's vocabulary: its fields and their columns, the place fields, the limits, and the clock.

Every layer imports these from here, so adding an event field starts in this module.
"""
import time

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS


def now_ms() -> int:
    """Return the current time in UTC milliseconds."""
    return int(time.time() * 1000)


# Event dict key (the seed's vocabulary) → column. Order matters: it is the INSERT's column order.
EVENT_COLUMNS = {
    "timestamp": "timestamp",
    "email": "email",
    "firstName": "first_name",
    "lastName": "last_name",
    "ip": "ip",
    "city": "city",
    "state": "state",
    "stateCode": "state_code",
    "country": "country",
    "countryCode": "country_code",
    "guid": "guid",
    "productName": "product_name",
    "productLink": "product_link",
    "productImage": "product_image",
    "total": "total",
    "currency": "currency",
    # How it arrived (migration 0009_proof_privacy): "verified", "unsigned" or "imported", and the signature's header.
    "arrival": "arrival",
    "signatureScheme": "signature_scheme",
}
# Event keys stored as JSON text.
JSON_COLUMNS = ("products", "sources")
# The columns a place line is built from.
PLACE_COLUMNS = ("city", "state", "country", "country_code")
# Keys of a stored event that never leave the admin side or the sender's own answer.
INTERNAL_KEYS = ("raw", "dedupKey", "cancelledAt")

MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a deliverable address
MAX_PRODUCTS = 100  # a bigger real order is read in part
