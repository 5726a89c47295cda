"""Lemon Squeezy orders: order_created shows once paid, order_refunded (or a refunded order) hides it.

Recognised by the X-Event-Name header or a JSON:API body whose meta names the event and whose data is
an "orders" resource. Amounts (total) are in the currency's minor units; the buyer is user_name and
user_email; the product is first_order_item's product (and variant) name. Dedup key: the order's id.
Other events (subscriptions, license keys) are skipped.
"""

from .common import Mapped, cancel, from_minor_units, full_name, ignore, lookup, pick_fields, text, tidy, truthy

NAME = "lemonsqueezy"
KIND = "a paid Lemon Squeezy order"  # what a proof page calls its events
CANCELLED = {"refunded", "partial_refund"}

# Paths inside data.attributes.
FIELDS = {
    "email": ("user_email",),
    "productName": ("first_order_item.product_name",),
    "total": ("total",),
    "currency": ("currency",),
    "timestamp": ("created_at",),
}


def detect(headers: dict, data: dict) -> bool:
    """Tell whether Lemon Squeezy sent this."""
    return "x-event-name" in headers or (
        isinstance(lookup(data, "meta.event_name"), str) and isinstance(lookup(data, "data.attributes"), dict)
    )


def convert(headers: dict, data: dict) -> Mapped:
    """Map a Lemon Squeezy order webhook to our vocabulary."""
    kind = text(lookup(data, "meta.event_name")) or headers.get("x-event-name")
    order, attributes = lookup(data, "data.id"), lookup(data, "data.attributes")
    attributes = attributes if isinstance(attributes, dict) else {}
    if lookup(data, "data.type") != "orders" or kind not in ("order_created", "order_refunded"):
        return ignore(NAME, f"Lemon Squeezy event {kind} is not an order.")
    status = text(attributes.get("status"))
    if kind == "order_refunded" or status in CANCELLED or truthy(attributes.get("refunded")):
        return cancel(NAME, order, "Lemon Squeezy refund")
    if status != "paid":
        return ignore(NAME, f"Lemon Squeezy order {order} is not paid (status {status}).")
    fields = pick_fields(attributes, FIELDS) | full_name(attributes.get("user_name")) | {"id": order}
    fields["total"] = from_minor_units(fields.get("total"), fields.get("currency"))
    return Mapped(NAME, tidy(fields))
