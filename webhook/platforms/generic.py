"""Senders we don't recognise (Zapier, Make, shop exports): our own vocabulary first, then the names everybody uses.

A field of our vocabulary (email, firstName, country, total, …) always wins. Where it is missing, the
common shapes are read: a person as first_name/last_name, given_name/family_name, firstname/lastname or
Mailchimp's FNAME/LNAME, at the top level or inside a person object (customer, buyer, payer, invitee,
billing, contact, subscriber, merges), whose email then beats any other address in the body; a country
as residence_country, country_code or address.country; an amount as amount, gross, mc_gross or price
with currency, mc_currency or currency_code (in the currency's major unit, "49.00").

A body that says what it is (event_type, type, event, topic, status, payment_status) and says it is not
a completed payment or sign-up ("customer.created", "CHECKOUT.ORDER.APPROVED", "pending", "refunded")
is ignored with its reason, never shown as a purchase.
"""

import re

from .common import Mapped, ignore, lookup, pick, pick_fields, present, text, to_number

NAME = "generic"
KIND = "an event sent to Proofhook"  # what a proof page calls its events

# Where a body says what it is; the first of them that is text decides.
KIND_KEYS = ("event_type", "type", "event", "topic", "status", "payment_status")
# Words that say a payment or sign-up is not (or no longer) done.
NOT_DONE = frozenset("""
    pending unpaid failed failure declined denied cancelled canceled cancel voided void expired approved
    authorized refunded refund refunds reversed disputed dispute chargeback abandoned draft deleted hold
    unsubscribe unsubscribed incomplete
""".split())
# An event name ("customer.created") must be about one of these to be a purchase or a sign-up.
CONVERSION_SUBJECTS = frozenset("""
    order orders payment payments charge sale sales purchase purchases checkout transaction transactions
    invoice subscription subscribe subscribed subscriber sign signup signed registration register registered
    enroll enrolled enrollment booking booked appointment invitee form response lead donation ticket
    completed complete paid succeeded success captured capture
""".split())
# An event name: words joined by dots, slashes or colons ("customer.created", "CHECKOUT.ORDER.APPROVED"), or by
# _ and - when it ends in what happened ("customer_created"); "e-book", "gift_card" or "t-shirt" are no events.
EVENT_NAME = re.compile(r"[A-Za-z_]+(?:[./:][A-Za-z_]+)+")
HAPPENED = re.compile(r"[A-Za-z]+(?:[_-][A-Za-z]+)*[_-](?:created|updated|deleted|changed|added|removed|completed|"
                      r"succeeded|paid|failed|activated|approved|captured|refunded|cancell?ed)", re.I)
WORD = re.compile(r"[a-z]+")

PERSON_OBJECTS = ("", "customer", "buyer", "payer", "invitee", "billing", "contact", "subscriber", "merges")
PERSON_FIELDS = {
    "email": ("email", "email_address", "EMAIL"),
    "firstName": ("first_name", "firstname", "given_name", "FNAME", "name.given_name"),
    "lastName": ("last_name", "lastname", "family_name", "surname", "LNAME", "name.surname"),
}
SHAPES = {
    "country": ("residence_country", "country_code", "address.country", "address.country_code"),
    "total": ("amount.value", "amount", "gross", "mc_gross", "price"),  # an amount object before a plain amount
    "currency": ("currency", "mc_currency", "currency_code", "amount.currency_code"),
}


def not_done(data: dict) -> str | None:
    """Return why a body that names its kind is not a completed payment or sign-up, or None."""
    for key in KIND_KEYS:
        kind = text(data.get(key)) or ""
        words = set(WORD.findall(kind.lower()))
        named = EVENT_NAME.fullmatch(kind.strip()) or HAPPENED.fullmatch(kind.strip())
        if words & NOT_DONE or (named and not words & CONVERSION_SUBJECTS):
            return f"The payload's {key} is {kind!r}: not a completed payment or sign-up."
    return None


def person(data: dict) -> dict:
    """Take the person's name and email from the first place that names them."""
    for prefix in PERSON_OBJECTS:
        found = pick_fields(lookup(data, prefix) if prefix else data, PERSON_FIELDS)
        if "firstName" in found or "lastName" in found:
            return found
    return {}


def convert(headers: dict, data: dict) -> Mapped:
    """Read a body in our vocabulary, filling what it leaves out from the common shapes."""
    reason = not_done(data)
    if reason:
        return ignore(NAME, reason)
    found = person(data) | pick_fields(data, SHAPES)
    if "total" in found:
        found["total"] = to_number(found["total"])
    if "country" in found and pick(data, ("countryCode", "location.countryCode")) is not None:
        del found["country"]  # our vocabulary's code says it already
    # The email of the person named beats any other address in the body (a booking's host, a shop's owner).
    filled = {key: value for key, value in found.items() if present(value) and not present(data.get(key))}
    return Mapped(NAME, {**data, **filled})
