"""Shopify orders: orders/create and orders/paid show, orders/cancelled and refunds/create hide.

Recognised by the X-Shopify-Topic header, or, for a copy forwarded without it, by an order's
shape (line_items with order_number or an admin_graphql_api_id of gid://shopify/Order/...).
Line items carry no product URL or image, so products are shown by name only. An order whose
financial_status is pending (bank deposit, cash on delivery), voided or refunded is skipped;
such shops should also send orders/paid, which shows the order once the money is in (the
same order id, so it is never shown twice). refunds/create doesn't say whether the whole
order was refunded, so any refund hides the order: we would rather show nothing than a
purchase that was taken back.
"""

from .common import (
    Mapped,
    cancel,
    ignore,
    lookup,
    pick,
    pick_fields,
    pick_group,
    products,
    text,
    tidy,
)

NAME = "shopify"
KIND = "a paid Shopify order"  # what a proof page calls its events
PURCHASE_TOPICS = {"orders/create", "orders/paid"}
# The path of the order id in each cancelling topic's payload.
CANCEL_TOPICS = {"orders/cancelled": ("id",), "refunds/create": ("order_id",)}
UNPAID = {"pending", "voided", "refunded"}

FIELDS = {
    "email": ("email", "customer.email", "contact_email"),
    "ip": ("browser_ip", "client_details.browser_ip"),
    "total": ("total_price",),
    "currency": ("currency",),
    "timestamp": ("created_at",),
    "id": ("id",),
}
NAME_SOURCES = ("customer", "billing_address", "shipping_address")
NAME_FIELDS = {"firstName": ("first_name",), "lastName": ("last_name",)}
PLACE_SOURCES = ("billing_address", "shipping_address")
ADDRESS_FIELDS = {
    "city": ("city",),
    "state": ("province",),
    "stateCode": ("province_code",),
    "country": ("country",),
    "countryCode": ("country_code",),
}
PRODUCT_FIELDS = {
    "name": ("title", "name"),
    "id": ("product_id",),
    "price": ("price",),
    "quantity": ("quantity",),
}


def detect(headers: dict, data: dict) -> bool:
    """Tell whether Shopify sent this."""
    gid = lookup(data, "admin_graphql_api_id")
    return "x-shopify-topic" in headers or (
        "line_items" in data
        and ("order_number" in data or str(gid).startswith("gid://shopify/Order/"))
    )


def convert(headers: dict, data: dict) -> Mapped:
    """Map a Shopify order webhook to our vocabulary."""
    # A forwarded copy has no topic header; the order itself says whether it was cancelled.
    topic = headers.get("x-shopify-topic") or (
        "orders/cancelled" if data.get("cancelled_at") else "orders/create"
    )
    if topic in CANCEL_TOPICS:
        return cancel(NAME, pick(data, CANCEL_TOPICS[topic]), f"Shopify {topic}")
    if topic not in PURCHASE_TOPICS:
        return ignore(NAME, f"Shopify topic {topic} is not a purchase.")
    status = text(data.get("financial_status"))
    if status in UNPAID:
        return ignore(
            NAME, f"Shopify order {data.get('id')} is not paid (financial_status {status})."
        )
    warnings: list[str] = []
    fields = (
        pick_fields(data, FIELDS)
        | pick_group(data, NAME_SOURCES, NAME_FIELDS)
        | pick_group(data, PLACE_SOURCES, ADDRESS_FIELDS)
        | {"products": products(data.get("line_items"), PRODUCT_FIELDS, warnings)}
    )
    return Mapped(NAME, tidy(fields), warnings=warnings)
