"""Square payments: a COMPLETED payment shows, a completed refund hides it.

Recognised by the x-square-hmacsha256-signature header or an event's shape (merchant_id, a type, data.object).
payment.updated fires when a payment completes; payment.created already COMPLETED (a card taken at once)
shows too: both carry the payment's id, the dedup key, so it is shown once. Any other status (APPROVED,
PENDING, CANCELED, FAILED) is skipped. refund.created/refund.updated with status COMPLETED hides the
payment it names. Amounts are in the currency's minor units; the buyer comes from the billing (or
shipping) address, the email from buyer_email_address.
"""

from .common import (
    Mapped,
    cancel,
    from_minor_units,
    ignore,
    lookup,
    pick_fields,
    pick_group,
    split_state,
    text,
    tidy,
)

NAME = "square"
KIND = "a completed Square payment"  # what a proof page calls its events
PAYMENT_EVENTS = {"payment.created", "payment.updated"}
REFUND_EVENTS = {"refund.created", "refund.updated"}

# Paths inside data.object.payment.
FIELDS = {
    "email": ("buyer_email_address",),
    "total": ("total_money.amount", "amount_money.amount"),
    "currency": ("total_money.currency", "amount_money.currency"),
    "timestamp": ("created_at",),
    "id": ("id",),
}
ADDRESSES = ("billing_address", "shipping_address")
NAME_FIELDS = {"firstName": ("first_name",), "lastName": ("last_name",)}
ADDRESS_FIELDS = {
    "city": ("locality",),
    "state": ("administrative_district_level_1",),
    "countryCode": ("country",),
}


def detect(headers: dict, data: dict) -> bool:
    """Tell whether Square sent this."""
    return "x-square-hmacsha256-signature" in headers or (
        "merchant_id" in data and isinstance(data.get("type"), str) and isinstance(lookup(data, "data.object"), dict)
    )


def convert(headers: dict, data: dict) -> Mapped:
    """Map a Square payment or refund event to our vocabulary."""
    kind = text(data.get("type"))
    if kind in REFUND_EVENTS:
        refund = lookup(data, "data.object.refund")
        refund = refund if isinstance(refund, dict) else {}
        if refund.get("status") != "COMPLETED":
            return ignore(NAME, f"Square refund {refund.get('id')} is not completed (status {refund.get('status')}).")
        return cancel(NAME, refund.get("payment_id"), "Square refund")
    if kind not in PAYMENT_EVENTS:
        return ignore(NAME, f"Square event type {kind} is not a payment.")
    payment = lookup(data, "data.object.payment")
    payment = payment if isinstance(payment, dict) else {}
    if payment.get("status") != "COMPLETED":
        return ignore(NAME, f"Square payment {payment.get('id')} is not completed (status {payment.get('status')}).")
    fields = (
        pick_fields(payment, FIELDS)
        | pick_group(payment, ADDRESSES, NAME_FIELDS)
        | split_state(pick_group(payment, ADDRESSES, ADDRESS_FIELDS))
    )
    fields["total"] = from_minor_units(fields.get("total"), fields.get("currency"))
    return Mapped(NAME, tidy(fields))
