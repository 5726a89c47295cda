"""WooCommerce order webhooks: the order's status decides whether it shows, hides or is skipped.

Recognised by the X-WC-Webhook-Topic or X-WC-Webhook-Source header, by an order_key of
"wc_order_...", or, for the ping WooCommerce sends when a webhook is saved, by a form body
holding only webhook_id (that ping carries no X-WC headers).

order.created often arrives while the order is still pending payment and order.updated
follows when it is paid, so both topics go by status: processing and completed are paid;
pending, failed, on-hold (awaiting payment by transfer or cheque) and checkout-draft are not
and are skipped; cancelled, refunded and trash hide the order, as does order.deleted.
A custom status from a plugin ("shipped") shows only if WooCommerce recorded a payment date.
Line-item names arrive HTML-escaped ("Ship Your Idea &ndash; Color: Black") and are decoded.
"""

import re

from .common import (
    Mapped,
    cancel,
    ignore,
    pick_fields,
    pick_group,
    present,
    products,
    split_state,
    text,
    tidy,
    unescape,
)

NAME = "woocommerce"
KIND = "a paid WooCommerce order"  # what a proof page calls its events
ORDER_TOPICS = {"order.created", "order.updated", "order.deleted"}
PAID = {"processing", "completed"}
UNPAID = {"pending", "failed", "on-hold", "checkout-draft"}
CANCELLED = {"cancelled", "refunded", "trash"}
# The whole ping body. WordPress may send it without a Content-Type, which no general rule reads.
PING_BODY = re.compile(rb"webhook_id=([0-9]{1,20})")

FIELDS = {
    "email": ("billing.email",),
    "ip": ("customer_ip_address",),
    "total": ("total",),
    "currency": ("currency",),
    # date_created is in the shop's own time zone with no offset; only the GMT one is usable.
    "timestamp": ("date_created_gmt",),
    "id": ("id",),
}
PERSON_SOURCES = ("billing", "shipping")
NAME_FIELDS = {"firstName": ("first_name",), "lastName": ("last_name",)}
ADDRESS_FIELDS = {"city": ("city",), "state": ("state",), "countryCode": ("country",)}
PRODUCT_FIELDS = {
    "name": ("name",),
    "id": ("product_id",),
    "price": ("price",),
    "quantity": ("quantity",),
    "image": ("image.src",),
}


def is_ping(data: dict) -> bool:
    """Tell whether this is the webhook_id=N ping sent when a webhook is saved."""
    return set(data) == {"webhook_id"}


def ping_body(body: bytes) -> dict | None:
    """Return the ping's fields if body is exactly WooCommerce's `webhook_id=N` body, else None."""
    found = PING_BODY.fullmatch(body.strip())
    return {"webhook_id": found.group(1).decode()} if found else None


def detect(headers: dict, data: dict) -> bool:
    """Tell whether WooCommerce sent this."""
    return (
        "x-wc-webhook-topic" in headers
        or "x-wc-webhook-source" in headers
        or is_ping(data)
        or str(data.get("order_key")).startswith("wc_order_")
    )


def convert(headers: dict, data: dict) -> Mapped:
    """Map a WooCommerce order webhook to our vocabulary."""
    if is_ping(data):
        return ignore(NAME, f"WooCommerce ping for webhook {data['webhook_id']}: nothing to show.")
    topic = headers.get("x-wc-webhook-topic")
    # Products have statuses too ("trash"), and their ids must never hide an order.
    if topic is not None and topic not in ORDER_TOPICS:
        return ignore(NAME, f"WooCommerce topic {topic} is not an order.")
    order, status = data.get("id"), text(data.get("status"))
    if topic == "order.deleted" or status in CANCELLED:
        return cancel(NAME, order, f"WooCommerce order {status or 'deletion'}")
    if status in UNPAID or (status not in PAID and not present(data.get("date_paid_gmt"))):
        return ignore(NAME, f"WooCommerce order {order} is not paid (status {status}).")
    warnings: list[str] = []
    fields = (
        pick_fields(data, FIELDS)
        | pick_group(data, PERSON_SOURCES, NAME_FIELDS)
        | split_state(pick_group(data, PERSON_SOURCES, ADDRESS_FIELDS))
        | {"products": products(data.get("line_items"), PRODUCT_FIELDS, warnings)}
    )
    fields["products"] = [{**item, "name": unescape(item["name"])} for item in fields["products"]]
    return Mapped(NAME, tidy(fields), warnings=warnings)
