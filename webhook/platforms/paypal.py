"""PayPal: the classic IPN form and REST webhooks. A completed payment shows; a refund or reversal hides it.

IPN is recognised by txn_id with payment_status or txn_type (or PayPal's verify_sign); payment_status
Completed shows, Refunded and Reversed hide the payment their parent_txn_id names, anything else
(Pending, Denied, Failed, a subscription sign-up without a payment) is skipped. Dedup key: txn_id.

REST webhooks are recognised by the PAYPAL-TRANSMISSION-ID header or an event's shape (an upper-case
dotted event_type, a resource and its resource_type, or an id of "WH-..."). PAYMENT.CAPTURE.COMPLETED and PAYMENT.SALE.COMPLETED
show; CHECKOUT.ORDER.APPROVED is approved but not yet paid (PayPal sends PAYMENT.CAPTURE.COMPLETED when
it is); PAYMENT.CAPTURE.REFUNDED/REVERSED and PAYMENT.SALE.REFUNDED/REVERSED hide the payment. Dedup
key: the capture's (or sale's) id, which a refund names in its "up" link (or sale_id). A capture names
no buyer, so it is shown as "Someone" with its amount.

PayPal checks its signatures only through its own API (verify-webhook-signature, or posting an IPN
back), so a notification fed by PayPal must not have a signing secret.
"""

import re

from .common import Mapped, cancel, ignore, pick, pick_fields, text, tidy

NAME = "paypal"
KIND = "a completed PayPal payment"  # what a proof page calls its events
EVENT_TYPE = re.compile(r"[A-Z]+(?:\.[A-Z_-]+)+")

IPN_FIELDS = {
    "email": ("payer_email",),
    "firstName": ("first_name",),
    "lastName": ("last_name",),
    "city": ("address_city",),
    "state": ("address_state",),
    "countryCode": ("address_country_code", "residence_country"),
    "productName": ("item_name", "item_name1", "transaction_subject"),
    "total": ("mc_gross", "payment_gross"),
    "currency": ("mc_currency",),
    "id": ("txn_id",),
}
IPN_REFUNDS = {"Refunded", "Reversed"}

REST_PURCHASES = {"PAYMENT.CAPTURE.COMPLETED", "PAYMENT.SALE.COMPLETED"}
REST_REFUNDS = {
    "PAYMENT.CAPTURE.REFUNDED",
    "PAYMENT.CAPTURE.REVERSED",
    "PAYMENT.SALE.REFUNDED",
    "PAYMENT.SALE.REVERSED",
}
NOT_YET_PAID = {"CHECKOUT.ORDER.APPROVED", "PAYMENT.CAPTURE.PENDING", "PAYMENT.AUTHORIZATION.CREATED"}
# Paths inside the event's resource.
REST_FIELDS = {
    "email": ("payer.email_address",),
    "firstName": ("payer.name.given_name",),
    "lastName": ("payer.name.surname",),
    "countryCode": ("payer.address.country_code",),
    "total": ("amount.value", "amount.total"),
    "currency": ("amount.currency_code", "amount.currency"),
    "timestamp": ("create_time",),
    "id": ("id",),
}


def is_rest(headers: dict, data: dict) -> bool:
    """Tell whether this is a REST webhook event (not an IPN form)."""
    return "paypal-transmission-id" in headers or (
        EVENT_TYPE.fullmatch(text(data.get("event_type")) or "") is not None
        and isinstance(data.get("resource"), dict)
        and ("resource_type" in data or str(data.get("id")).startswith("WH-"))
    )


def detect(headers: dict, data: dict) -> bool:
    """Tell whether PayPal sent this."""
    ipn = "txn_id" in data and ("payment_status" in data or "txn_type" in data or "verify_sign" in data)
    return ipn or is_rest(headers, data)


def refunded_payment(resource: dict):
    """Return the id of the capture or sale a refund took back: its sale_id or its "up" link's last part."""
    links = resource.get("links") if isinstance(resource.get("links"), list) else []
    up = next((link.get("href") for link in links if isinstance(link, dict) and link.get("rel") == "up"), None)
    return resource.get("sale_id") or (up.rstrip("/").rpartition("/")[2] if isinstance(up, str) else None)


def convert_rest(data: dict) -> Mapped:
    """Map a PayPal REST webhook event."""
    kind, resource = text(data.get("event_type")), data.get("resource")
    resource = resource if isinstance(resource, dict) else {}
    if kind in REST_REFUNDS:
        return cancel(NAME, refunded_payment(resource), f"PayPal {kind}")
    if kind in NOT_YET_PAID:
        return ignore(NAME, f"PayPal event {kind}: approved or pending, not yet paid.")
    if kind not in REST_PURCHASES:
        return ignore(NAME, f"PayPal event type {kind} is not a completed payment.")
    return Mapped(NAME, tidy(pick_fields(resource, REST_FIELDS)))


def convert_ipn(data: dict) -> Mapped:
    """Map a PayPal IPN form."""
    status = text(data.get("payment_status"))
    if status in IPN_REFUNDS:
        return cancel(NAME, pick(data, ("parent_txn_id",)), f"PayPal IPN {status.lower()} payment")
    if status != "Completed":
        what = f"payment_status {status}" if status else f"txn_type {data.get('txn_type')}"
        return ignore(NAME, f"PayPal IPN {data.get('txn_id')} is not a completed payment ({what}).")
    return Mapped(NAME, tidy(pick_fields(data, IPN_FIELDS)))


def convert(headers: dict, data: dict) -> Mapped:
    """Map a PayPal IPN or REST webhook to our vocabulary."""
    return convert_rest(data) if is_rest(headers, data) else convert_ipn(data)
