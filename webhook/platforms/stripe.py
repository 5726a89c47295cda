"""Stripe events: a succeeded payment shows, a full refund hides it.

Recognised by the Stripe-Signature header or by an event's shape (object "event", a type,
data.object). Purchases: checkout.session.completed and .async_payment_succeeded (when the
session is paid or needs no payment), charge.succeeded and payment_intent.succeeded.

Dedup key: the payment intent's id ("pi_..."), not the event id. One Checkout payment fires
checkout.session.completed, payment_intent.succeeded and charge.succeeded, each with its own
event id, and charge.refunded later carries a fourth; only the payment intent ties them all
together, so an owner subscribed to several types sees the sale once and a refund finds it.
Objects without a payment intent (a legacy charge, a free Checkout session) fall back to their
own id, so a legacy charge's refund still matches its charge.succeeded. A partial refund
(charge.refunded with refunded false) leaves the purchase shown.
"""

from .common import (
    Mapped,
    cancel,
    from_minor_units,
    ignore,
    lookup,
    pick,
    pick_fields,
    pick_group,
    split_state,
    text,
    tidy,
    truthy,
)

NAME = "stripe"
KIND = "a Stripe payment"  # what a proof page calls its events
PURCHASES = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "charge.succeeded",
    "payment_intent.succeeded",
}
PAID_SESSION = {"paid", "no_payment_required"}
KEY = ("payment_intent", "id")

# Paths inside the event's data.object.
FIELDS = {
    "email": (
        "customer_details.email",
        "customer_email",
        "receipt_email",
        "billing_details.email",
    ),
    "name": ("customer_details.name", "billing_details.name", "shipping.name"),
    "total": ("amount_total", "amount_received", "amount"),
    "currency": ("currency",),
}
PLACE_SOURCES = (
    "customer_details.address",
    "billing_details.address",
    "shipping.address",
    "shipping_details.address",
)
ADDRESS_FIELDS = {"city": ("city",), "state": ("state",), "countryCode": ("country",)}


def detect(headers: dict, data: dict) -> bool:
    """Tell whether Stripe sent this."""
    return "stripe-signature" in headers or (
        data.get("object") == "event"
        and isinstance(data.get("type"), str)
        and isinstance(lookup(data, "data.object"), dict)
    )


def convert(headers: dict, data: dict) -> Mapped:
    """Map a Stripe event to our vocabulary."""
    kind, payment = text(data.get("type")), lookup(data, "data.object")
    if not isinstance(payment, dict):
        payment = {}
    if kind == "charge.refunded":
        if not truthy(payment.get("refunded")):
            return ignore(NAME, f"Stripe charge {payment.get('id')} was only partly refunded.")
        return cancel(NAME, pick(payment, KEY), "Stripe charge.refunded")
    if kind not in PURCHASES:
        return ignore(NAME, f"Stripe event type {kind} is not a purchase.")
    status = text(payment.get("payment_status"))
    if payment.get("object") == "checkout.session" and status not in PAID_SESSION:
        return ignore(
            NAME,
            f"Stripe checkout session {payment.get('id')} is not paid (payment_status {status}).",
        )
    fields = pick_fields(payment, FIELDS) | split_state(
        pick_group(payment, PLACE_SOURCES, ADDRESS_FIELDS)
    )
    fields |= {
        "total": from_minor_units(fields.get("total"), fields.get("currency")),
        "timestamp": data.get("created"),
        "id": pick(payment, KEY),
    }
    return Mapped(NAME, tidy(fields))
