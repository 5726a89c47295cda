"""Kit (formerly ConvertKit): an activated subscriber is a sign-up, a paid purchase is a purchase.

Recognised by a subscriber object with email_address and state, or by a purchase (transaction_id,
email_address and products, at the top level or inside "purchase"). A subscriber shows only when
active (subscriber.subscriber_activate); cancelled, bounced and complained ones are skipped. Purchase
totals are in the currency's major unit. Dedup key: the subscriber's or purchase's transaction id.
"""

from .common import Mapped, ignore, pick_fields, products, text, tidy

NAME = "kit"
KIND = "a Kit sign-up or purchase"  # what a proof page calls its events

SUBSCRIBER_FIELDS = {
    "email": ("email_address",),
    "firstName": ("first_name",),
    "timestamp": ("created_at",),
    "id": ("id",),
}
PURCHASE_FIELDS = {
    "email": ("email_address",),
    "firstName": ("first_name",),
    "total": ("total",),
    "currency": ("currency",),
    "timestamp": ("transaction_time",),
    "id": ("transaction_id",),
}
PRODUCT_FIELDS = {"name": ("name",), "id": ("sku", "pid"), "price": ("unit_price",), "quantity": ("quantity",)}


def purchase(data: dict) -> dict | None:
    """Return the purchase a body carries, wrapped in "purchase" or not, or None."""
    body = data.get("purchase") if isinstance(data.get("purchase"), dict) else data
    return body if {"transaction_id", "email_address", "products"} <= set(body) else None


def detect(headers: dict, data: dict) -> bool:
    """Tell whether Kit sent this."""
    subscriber = data.get("subscriber")
    return (isinstance(subscriber, dict) and {"email_address", "state"} <= set(subscriber)) or purchase(data) is not None


def convert(headers: dict, data: dict) -> Mapped:
    """Map a Kit subscriber or purchase webhook to our vocabulary."""
    bought = purchase(data)
    if bought is not None:
        if text(bought.get("status")) not in (None, "paid"):
            return ignore(NAME, f"Kit purchase {bought.get('transaction_id')} is not paid (status {bought['status']}).")
        warnings: list[str] = []
        fields = pick_fields(bought, PURCHASE_FIELDS) | {
            "products": products(bought.get("products"), PRODUCT_FIELDS, warnings)
        }
        return Mapped(NAME, tidy(fields), warnings=warnings)
    subscriber = data["subscriber"]
    if subscriber.get("state") != "active":
        return ignore(NAME, f"Kit subscriber {subscriber.get('id')} is not active (state {subscriber.get('state')}).")
    return Mapped(NAME, tidy(pick_fields(subscriber, SUBSCRIBER_FIELDS)))
