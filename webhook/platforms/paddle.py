"""Paddle Billing events and Paddle Classic alerts: a completed transaction shows, a refund hides it.

Billing is recognised by the Paddle-Signature header or an event's shape (an event_id of "evt_...", an
event_type and data). transaction.completed and transaction.paid show (one transaction fires both: the
dedup key is the transaction's id, "txn_..."); an approved refund or chargeback adjustment
(adjustment.created/updated) hides the transaction it names; anything else is skipped. Amounts are in
the currency's minor units. A transaction carries the customer's id but not their email or address, so
the name is the card holder's and the place is left to the visitor's guess (nothing).

Classic alerts are form bodies recognised by alert_name with p_signature or alert_id: payment_succeeded
and subscription_payment_succeeded show (sale_gross, in major units; dedup key order_id), payment_refunded
hides the order. Classic signs with an RSA key (p_signature) that Proofhook does not check.
"""

from .common import (
    Mapped,
    cancel,
    from_minor_units,
    full_name,
    ignore,
    lookup,
    pick,
    pick_fields,
    products,
    text,
    tidy,
    utc_iso,
)

NAME = "paddle"
KIND = "a completed Paddle transaction"  # what a proof page calls its events
TRANSACTION_EVENTS = {"transaction.completed", "transaction.paid"}
ADJUSTMENT_EVENTS = {"adjustment.created", "adjustment.updated"}
REFUND_ACTIONS = {"refund", "chargeback"}
CLASSIC_PURCHASES = {"payment_succeeded", "subscription_payment_succeeded"}

# Paths inside a Billing event's data (a transaction).
FIELDS = {
    "total": ("details.totals.grand_total", "details.totals.total"),
    "currency": ("currency_code", "details.totals.currency_code"),
    "timestamp": ("billed_at", "created_at"),
    "id": ("id",),
}
CARD_HOLDER = ("payments.0.method_details.card.cardholder_name",)
PRODUCT_FIELDS = {
    "name": ("product.name",),
    "id": ("product.id",),
    "image": ("product.image_url",),
    "price": ("totals.total",),
    "quantity": ("quantity",),
}
CLASSIC_FIELDS = {
    "email": ("email",),
    "ip": ("ip",),
    "countryCode": ("country",),
    "productName": ("product_name", "plan_name"),
    "total": ("sale_gross",),
    "currency": ("currency",),
    "id": ("order_id",),
}


def is_classic(data: dict) -> bool:
    """Tell whether this is a Paddle Classic alert (a form with alert_name)."""
    return "alert_name" in data and ("p_signature" in data or "alert_id" in data)


def detect(headers: dict, data: dict) -> bool:
    """Tell whether Paddle sent this."""
    billing = (
        str(data.get("event_id")).startswith("evt_")
        and isinstance(data.get("event_type"), str)
        and isinstance(data.get("data"), dict)
    )
    return "paddle-signature" in headers or billing or is_classic(data)


def convert_billing(data: dict) -> Mapped:
    """Map a Paddle Billing event."""
    kind, entity = text(data.get("event_type")), data.get("data")
    entity = entity if isinstance(entity, dict) else {}
    if kind in ADJUSTMENT_EVENTS and text(entity.get("action")) in REFUND_ACTIONS:
        if entity.get("status") != "approved":
            return ignore(
                NAME, f"Paddle {entity.get('action')} {entity.get('id')} is not approved (status {entity.get('status')})."
            )
        return cancel(NAME, entity.get("transaction_id"), f"Paddle {entity.get('action')}")
    if kind not in TRANSACTION_EVENTS:
        return ignore(NAME, f"Paddle event type {kind} is not a completed transaction.")
    warnings: list[str] = []
    fields = pick_fields(entity, FIELDS) | full_name(pick(entity, CARD_HOLDER))
    currency = fields.get("currency")
    fields |= {
        "total": from_minor_units(fields.get("total"), currency),
        "products": products(lookup(entity, "details.line_items"), PRODUCT_FIELDS, warnings, currency or "USD"),
    }
    return Mapped(NAME, tidy(fields), warnings=warnings)


def convert_classic(data: dict) -> Mapped:
    """Map a Paddle Classic alert."""
    alert = text(data.get("alert_name"))
    if alert == "payment_refunded":
        return cancel(NAME, data.get("order_id"), "Paddle payment_refunded")
    if alert not in CLASSIC_PURCHASES:
        return ignore(NAME, f"Paddle alert {alert} is not a payment.")
    # Classic's event_time ("2017-11-30 09:52:45") is UTC without an offset.
    fields = pick_fields(data, CLASSIC_FIELDS) | {"timestamp": utc_iso(data.get("event_time"))}
    return Mapped(NAME, tidy(fields))


def convert(headers: dict, data: dict) -> Mapped:
    """Map a Paddle Billing event or Classic alert to our vocabulary."""
    return convert_classic(data) if is_classic(data) else convert_billing(data)
