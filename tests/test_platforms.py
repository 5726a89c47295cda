"""Each platform's sample payloads map to exactly what we expect."""

import json
from urllib.parse import parse_qsl

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import Headers

from helpers import PLATFORM_FIXTURES, platform_fixture
from webhook.platforms import Mapped, map_payload
from webhook.platforms.common import absolute_url

DELETE = object()  # an edit that removes a key from a fixture's body


def nest(pairs):
    """Turn bracket keys (card[type]=visa) into nested dicts, as the form parser does."""
    data = {}
    for key, value in pairs:
        *parents, last = key.replace("]", "").split("[")
        target = data
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    return data


def load(name):
    """Return the headers and parsed body of a fixture (JSON, or headers and a form body)."""
    path = PLATFORM_FIXTURES / name
    if path.suffix == ".json":
        fixture = json.loads(path.read_text())
        return Headers(fixture["headers"]), fixture["body"]
    head, _, body = path.read_text().partition("\n\n")
    headers = Headers([line.split(": ", 1) for line in head.splitlines()])
    return headers, nest(parse_qsl(body.strip(), keep_blank_values=True))


def mapped(name, edits=None):
    """Map a fixture after setting dotted paths of its body to new values (DELETE removes)."""
    headers, body = load(name)
    for path, value in (edits or {}).items():
        *parents, last = path.split(".")
        target = body
        for part in parents:
            target = target[part]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return map_payload(headers, body)


def shown(result: Mapped, mapping: str) -> dict:
    """Assert the result is a purchase to show and return its data."""
    assert (result.mapping, result.ignored, result.cancels) == (mapping, None, None)
    return result.data


def test_every_fixture_is_recognised():
    for path in sorted(PLATFORM_FIXTURES.glob("*_*")):
        expected = path.name.split("_")[0]
        assert mapped(path.name).mapping == expected, path.name


# Shopify

SHOPIFY_ORDER = {
    "email": "john.smith@example.com",
    "firstName": "John",
    "lastName": "Smith",
    "ip": "8.8.8.8",
    "city": "Miami",
    "state": "Florida",
    "stateCode": "FL",
    "country": "United States",
    "countryCode": "US",
    "total": 114,
    "currency": "USD",
    "timestamp": "2025-11-03T09:22:27-05:00",
    "id": "5940139491234",
    "products": [
        {"name": "Runner Sneakers", "id": 8123456789012, "price": 89, "quantity": 1},
        {"name": "Crew Socks", "id": 8123456789045, "price": 12.5, "quantity": 2},
    ],
}


def test_shopify_order_created():
    result = mapped("shopify_orders_create.json")
    assert shown(result, "shopify") == SHOPIFY_ORDER
    assert result.warnings == []


def test_shopify_order_paid_topic_shows_too():
    headers, body = load("shopify_orders_create.json")
    headers["X-Shopify-Topic"] = "orders/paid"
    assert shown(map_payload(headers, body), "shopify") == SHOPIFY_ORDER


def test_shopify_detected_by_shape_without_headers():
    _, body = load("shopify_orders_create.json")
    assert shown(map_payload({}, body), "shopify") == SHOPIFY_ORDER


def test_shopify_detected_by_graphql_id_alone():
    _, body = load("shopify_orders_create.json")
    del body["order_number"]
    assert map_payload({}, body).mapping == "shopify"


def test_shopify_names_and_place_fall_back_to_addresses():
    guest_checkout = {
        "customer": DELETE,
        "billing_address": DELETE,
        "shipping_address.first_name": "Jane",
        "shipping_address.last_name": "Doe",
        "shipping_address.city": "Orlando",
    }
    data = shown(mapped("shopify_orders_create.json", guest_checkout), "shopify")
    assert (data["firstName"], data["lastName"], data["city"]) == ("Jane", "Doe", "Orlando")
    assert data["email"] == "john.smith@example.com"


def test_shopify_ip_falls_back_to_client_details():
    data = shown(mapped("shopify_orders_create.json", {"browser_ip": None}), "shopify")
    assert data["ip"] == "8.8.8.8"


def test_shopify_pending_order_is_ignored():
    result = mapped("shopify_orders_create_pending.json")
    assert (result.mapping, result.data, result.cancels) == ("shopify", None, None)
    assert result.ignored == "Shopify order 5940139524002 is not paid (financial_status pending)."


@pytest.mark.parametrize("status", ["voided", "refunded"])
def test_shopify_unpaid_statuses_are_ignored(status):
    result = mapped("shopify_orders_create.json", {"financial_status": status})
    assert result.data is None and "not paid" in result.ignored


def test_shopify_cancelled_order_hides_it():
    result = mapped("shopify_orders_cancelled.json")
    assert (result.mapping, result.data, result.cancels) == ("shopify", None, "5940139491234")


def test_shopify_cancelled_order_detected_by_shape_hides_it():
    _, body = load("shopify_orders_cancelled.json")
    assert map_payload({}, body).cancels == "5940139491234"


def test_shopify_refund_hides_its_order():
    result = mapped("shopify_refunds_create.json")
    assert (result.mapping, result.data, result.cancels) == ("shopify", None, "5940139491234")


def test_shopify_other_topics_are_ignored():
    headers, body = load("shopify_orders_create.json")
    headers["X-Shopify-Topic"] = "orders/fulfilled"
    result = map_payload(headers, body)
    assert result.data is None
    assert result.ignored == "Shopify topic orders/fulfilled is not a purchase."


# WooCommerce


def test_woocommerce_order_created():
    result = mapped("woocommerce_order_created.json")
    assert shown(result, "woocommerce") == {
        "email": "olivia.brown@example.com",
        "firstName": "Olivia",
        "lastName": "Brown",
        "ip": "81.2.69.160",
        "city": "London",
        "countryCode": "GB",
        "total": 37,
        "currency": "GBP",
        "timestamp": "2025-11-03T14:05:12+00:00",
        "id": "4821",
        "products": [
            {
                "name": "Canvas Tote Bag",
                "id": 93,
                "price": 24,
                "quantity": 1,
                "image": "https://totes.example.com/wp-content/uploads/2025/03/canvas-tote.jpg",
            },
            {"name": "Enamel Pin", "id": 97, "price": 6.5, "quantity": 2},
        ],
    }
    assert result.warnings == []


def test_woocommerce_completed_update_uses_shipping_and_drops_a_relative_image():
    result = mapped("woocommerce_order_updated_completed.json")
    assert shown(result, "woocommerce") == {
        "email": "carlos.ruiz@example.com",
        "firstName": "Carlos",
        "lastName": "Ruiz",
        "ip": "8.8.8.8",
        "city": "Miami Beach",
        "stateCode": "FL",
        "countryCode": "US",
        "total": 58.5,
        "currency": "USD",
        "timestamp": "2025-11-04T14:31:40+00:00",
        "id": "4830",
        "products": [{"name": "Weekender Duffel", "id": 101, "price": 58.5, "quantity": 1}],
    }
    assert result.warnings == [
        "Dropped image '/wp-content/uploads/2025/05/weekender-duffel.jpg' of product"
        " 'Weekender Duffel': not an absolute http(s) URL."
    ]


def test_woocommerce_state_name_stays_a_name():
    bavaria = {"billing.city": "München", "billing.state": "Bayern", "billing.country": "DE"}
    data = shown(mapped("woocommerce_order_created.json", bavaria), "woocommerce")
    assert (data["city"], data["state"], data["countryCode"]) == ("München", "Bayern", "DE")
    assert "stateCode" not in data


@pytest.mark.parametrize("status", ["pending", "failed", "on-hold", "checkout-draft"])
def test_woocommerce_unpaid_orders_are_ignored(status):
    result = mapped("woocommerce_order_created.json", {"status": status})
    assert (result.data, result.cancels) == (None, None)
    assert result.ignored == f"WooCommerce order 4821 is not paid (status {status})."


def test_woocommerce_pending_fixture_is_ignored():
    result = mapped("woocommerce_order_created_pending.json")
    assert result.data is None and "not paid" in result.ignored


@pytest.mark.parametrize("status", ["cancelled", "refunded", "trash"])
def test_woocommerce_cancelled_and_refunded_orders_hide_it(status):
    result = mapped("woocommerce_order_updated_refunded.json", {"status": status})
    assert (result.mapping, result.data, result.cancels) == ("woocommerce", None, "4821")


def test_woocommerce_deleted_order_hides_it():
    headers, _ = load("woocommerce_order_updated_refunded.json")
    headers["X-WC-Webhook-Topic"] = "order.deleted"
    assert map_payload(headers, {"id": 4821}).cancels == "4821"


def test_woocommerce_custom_status_shows_only_when_paid():
    paid = mapped("woocommerce_order_created.json", {"status": "shipped"})
    assert shown(paid, "woocommerce")["id"] == "4821"

    unpaid = {"status": "quote", "date_paid_gmt": None}
    assert mapped("woocommerce_order_created.json", unpaid).ignored.endswith("(status quote).")


def test_woocommerce_other_topics_are_ignored_even_when_trashed():
    headers, _ = load("woocommerce_order_created.json")
    headers["X-WC-Webhook-Topic"] = "product.updated"
    result = map_payload(headers, {"id": 93, "name": "Canvas Tote Bag", "status": "trash"})
    assert (result.data, result.cancels) == (None, None)
    assert result.ignored == "WooCommerce topic product.updated is not an order."


def test_woocommerce_ping_is_ignored():
    result = mapped("woocommerce_ping.txt")
    assert (result.mapping, result.data, result.cancels) == ("woocommerce", None, None)
    assert result.ignored == "WooCommerce ping for webhook 12: nothing to show."


def test_woocommerce_detected_by_source_header_or_order_key():
    _, body = load("woocommerce_order_created.json")
    source = {"X-WC-Webhook-Source": "https://totes.example.com/"}
    assert shown(map_payload(source, body), "woocommerce")["id"] == "4821"
    assert shown(map_payload({}, body), "woocommerce")["id"] == "4821"


# Stripe


def test_stripe_checkout_session_completed():
    assert shown(mapped("stripe_checkout_session_completed.json"), "stripe") == {
        "email": "maria.garcia@example.com",
        "name": "Maria Garcia",
        "city": "Austin",
        "stateCode": "TX",
        "countryCode": "US",
        "total": 25,
        "currency": "USD",
        "timestamp": 1762183441,
        "id": "pi_3SPqXbLkdIwHu7ix1Gd0Tq9R",
    }


def test_stripe_charge_succeeded():
    assert shown(mapped("stripe_charge_succeeded.json"), "stripe") == {
        "email": "lena.schmidt@example.com",
        "name": "Lena Schmidt",
        "city": "Berlin",
        "countryCode": "DE",
        "total": 49,
        "currency": "EUR",
        "timestamp": 1762190124,
        "id": "pi_3SPsFgLkdIwHu7ix0Qr8St9U",
    }


def test_stripe_payment_intent_succeeded_in_yen():
    assert shown(mapped("stripe_payment_intent_succeeded.json"), "stripe") == {
        "email": "yuki.tanaka@example.com",
        "name": "Yuki Tanaka",
        "city": "Shibuya-ku",
        "state": "Tokyo",
        "countryCode": "JP",
        "total": 5000,
        "currency": "JPY",
        "timestamp": 1762221604,
        "id": "pi_3SQ0aBLkdIwHu7ix1JkLmNoP",
    }


@pytest.mark.parametrize(
    ("currency", "amount", "total"),
    [("kwd", 12345, 12.345), ("jpy", 1500, 1500), ("usd", 1999, 19.99), ("bhd", 5000, 5)],
)
def test_stripe_amounts_follow_the_currency_exponent(currency, amount, total):
    priced = {"data.object.currency": currency, "data.object.amount": amount}
    data = shown(mapped("stripe_charge_succeeded.json", priced), "stripe")
    assert (data["total"], data["currency"]) == (total, currency.upper())


def test_stripe_full_refund_hides_the_payment_it_refunds():
    payment = mapped("stripe_charge_succeeded.json").data["id"]
    result = mapped("stripe_charge_refunded.json")
    assert (result.mapping, result.data, result.cancels) == ("stripe", None, payment)


def test_stripe_partial_refund_keeps_the_purchase():
    partial = {"data.object.refunded": False, "data.object.amount_refunded": 900}
    result = mapped("stripe_charge_refunded.json", partial)
    assert (result.data, result.cancels) == (None, None)
    assert result.ignored == "Stripe charge ch_3SPsFgLkdIwHu7ix0Hj4Kl5M was only partly refunded."


def test_stripe_charge_without_payment_intent_is_keyed_by_charge():
    legacy = {"data.object.payment_intent": None}
    charge = "ch_3SPsFgLkdIwHu7ix0Hj4Kl5M"
    assert mapped("stripe_charge_succeeded.json", legacy).data["id"] == charge
    assert mapped("stripe_charge_refunded.json", legacy).cancels == charge


def test_stripe_unpaid_checkout_session_is_ignored():
    unpaid = {"data.object.payment_status": "unpaid"}
    result = mapped("stripe_checkout_session_completed.json", unpaid)
    assert result.data is None
    assert result.ignored == (
        "Stripe checkout session cs_live_a1Bz9Xc8Vn7Mq6Lw5Ke4Jr3Ht2Gy1Fu0Di9So8Pa7Qb6Rc5"
        " is not paid (payment_status unpaid)."
    )


def test_stripe_delayed_checkout_payment_shows_when_it_succeeds():
    later = {"type": "checkout.session.async_payment_succeeded"}
    assert shown(mapped("stripe_checkout_session_completed.json", later), "stripe")["total"] == 25


def test_stripe_other_event_types_are_ignored():
    result = mapped("stripe_charge_succeeded.json", {"type": "customer.created"})
    assert result.data is None
    assert result.ignored == "Stripe event type customer.created is not a purchase."


def test_stripe_detected_by_shape_or_by_signature_header():
    _, body = load("stripe_charge_succeeded.json")
    assert map_payload({}, body).mapping == "stripe"
    assert map_payload({"stripe-signature": "t=1,v1=0"}, {"type": "ping"}).mapping == "stripe"


# Gumroad

GUMROAD_SALE = {
    "email": "ana.souza@example.com",
    "name": "Ana Souza",
    "country": "Brazil",
    "productName": "Pencil Sketch Brushes",
    "productLink": "https://sketchlab.gumroad.com/l/brushes",
    "total": 15,
    "currency": "USD",
    "timestamp": "2025-11-03T15:40:07+00:00",
    "id": "Mq3xkV9bYp7LrT2nWs4cDA==",
}


def test_gumroad_sale():
    result = mapped("gumroad_sale.txt")
    assert shown(result, "gumroad") == GUMROAD_SALE
    assert result.warnings == []


def test_gumroad_test_sale_is_shown():
    assert shown(mapped("gumroad_sale.txt", {"test": "true"}), "gumroad")


def test_gumroad_slug_becomes_a_gumroad_link():
    data = shown(mapped("gumroad_sale.txt", {"product_permalink": DELETE}), "gumroad")
    assert data["productLink"] == "https://gumroad.com/l/brushes"


def test_gumroad_bad_link_is_dropped_with_a_warning():
    result = mapped("gumroad_sale.txt", {"product_permalink": "sketchlab.gumroad.com/l/brushes"})
    assert shown(result, "gumroad") == {
        key: value for key, value in GUMROAD_SALE.items() if key != "productLink"
    }
    assert result.warnings == [
        "Dropped productLink 'sketchlab.gumroad.com/l/brushes' of product"
        " 'Pencil Sketch Brushes': not an absolute http(s) URL."
    ]


def test_gumroad_refund_hides_the_sale():
    result = mapped("gumroad_refund.txt")
    assert (result.mapping, result.data, result.cancels) == ("gumroad", None, GUMROAD_SALE["id"])


@pytest.mark.parametrize(
    ("flags", "cancels"),
    [
        ({"refunded": True}, True),
        ({"disputed": "true"}, True),
        ({"disputed": "true", "dispute_won": "true"}, False),
    ],
)
def test_gumroad_refund_and_lost_dispute_flags(flags, cancels):
    result = mapped("gumroad_sale.txt", flags)
    assert (result.cancels == GUMROAD_SALE["id"]) is cancels


# Generic


def test_generic_payload_passes_through_unchanged():
    headers, body = load("generic_zapier.json")
    result = map_payload(headers, body)
    assert result == Mapped("generic", body)
    assert result.data == platform_fixture("generic_zapier.json")["body"]


@pytest.mark.parametrize(
    "body",
    [
        {"email": "a@example.com", "line_items": [{"name": "Mug"}]},
        {"email": "a@example.com", "id": "order-7", "object": "event"},
        {"email": "a@example.com", "webhook_id": "3", "productName": "Mug"},
        {"email": "a@example.com", "sale_id": "9"},
    ],
)
def test_look_alikes_stay_generic(body):
    assert map_payload({"Content-Type": "application/json"}, body) == Mapped("generic", body)


def test_headers_are_matched_whatever_their_case():
    _, body = load("shopify_orders_create.json")
    result = map_payload({"x-shopify-topic": "orders/cancelled"}, body)
    assert result.cancels == "5940139491234"


# Any input

VOCABULARY = {
    "email", "firstName", "lastName", "name", "ip", "city", "state", "stateCode", "country",
    "countryCode", "timestamp", "total", "currency", "productName", "productLink",
    "productImage", "products", "guid", "id",
}  # fmt: skip
# The keys the mappings read, so that random bodies reach every rule.
KEYS = st.sampled_from(
    "id order_id email contact_email customer first_name last_name billing_address"
    " shipping_address client_details browser_ip city province province_code country"
    " country_code line_items order_number admin_graphql_api_id title price quantity"
    " product_id total_price currency created_at cancelled_at financial_status status"
    " billing shipping state customer_ip_address total date_created_gmt date_paid_gmt"
    " image src order_key webhook_id object type data payment_status payment_intent"
    " refunded amount amount_total amount_received customer_details billing_details"
    " receipt_email address full_name ip_country product_name product_permalink permalink"
    " sale_id seller_id sale_timestamp disputed dispute_won created"
    " event_type resource txn_id payment_status parent_txn_id alert_name p_signature event_id meta"
    " event_name attributes merchant_id fired_at list_id subscriber email_address form_response answers"
    " payload invitee event scope producer eventType storeId entityId first_name action".split()
)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=2) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=10,
)
HEADERS = st.sampled_from(
    [
        {},
        {"X-Shopify-Topic": "orders/create"},
        {"X-Shopify-Topic": "refunds/create"},
        {"X-WC-Webhook-Topic": "order.updated"},
        {"X-WC-Webhook-Topic": "order.deleted"},
        {"Stripe-Signature": "t=1,v1=0"},
        {"Paddle-Signature": "ts=1;h1=0"},
        {"X-Event-Name": "order_created"},
        {"X-Square-HmacSha256-Signature": "x"},
        {"PAYPAL-TRANSMISSION-ID": "x"},
    ]
)


# No deadline and no too-slow check, as for the other fuzzers: a loaded 2-core box is no measure of speed.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headers=HEADERS, body=st.dictionaries(KEYS, VALUES, max_size=6))
def test_any_body_maps_to_exactly_one_outcome_in_our_vocabulary(headers, body):
    result = map_payload(headers, body)
    outcomes = [result.data is not None, result.ignored is not None, result.cancels is not None]
    assert outcomes.count(True) == 1
    if result.mapping == "generic" and result.data is not None:
        # The body as sent, with what the common shapes gave added in our vocabulary.
        assert set(body) <= set(result.data)
        assert all((key in body and value is body[key]) or key in VOCABULARY for key, value in result.data.items())
    elif result.data is not None:
        assert set(result.data) <= VOCABULARY
        assert isinstance(result.data.get("total", 0), int | float)
        assert isinstance(result.data.get("id", ""), str)
        for product in result.data.get("products", []):
            assert "name" in product
            assert all(absolute_url(product[key]) for key in ("link", "image") if key in product)
