"""Each platform fixture posted to a real webhook with its own headers: shown, skipped or hiding an order."""
import json
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

import pytest

from geo import MOUNTAIN_VIEW
from helpers import PLATFORM_FIXTURES, log_in, made_recent, platform_request, webhook_path
from webhook import create_app
from webhook.storage import event_store
from webhook.present import place_line

PLACE = ("city", "state", "stateCode", "country", "countryCode")
NO_LINK = "has no link in this {} payload; it is shown without one."


def ms(iso: str) -> int:
    """Return UTC milliseconds for an ISO-8601 time with an offset."""
    return int(datetime.fromisoformat(iso).timestamp() * 1000)


def place(city, state, state_code, country, country_code) -> dict:
    """Return a place dict in the event's vocabulary."""
    return dict(zip(PLACE, (city, state, state_code, country, country_code)))


# What each purchase fixture shows: the visitor's name, place and product, and where they came from. Stripe's and
# Gumroad's mappings give the buyer's full name: its source "name" says the name came from the mapping.
SHOWN = {
    "shopify_orders_create.json": {
        "displayName": "John S.", **place("Miami", "Florida", "FL", "United States", "US"),
        "productName": "Runner Sneakers", "productLink": None, "total": 114, "currency": "USD",
        "timestamp": ms("2025-11-03T09:22:27-05:00"),
        "sources": {"mapping": "shopify", "email": "email", "name": "payload", "location": "payload"},
    },
    "woocommerce_order_created.json": {
        "displayName": "Olivia B.", **place("London", None, None, "United Kingdom", "GB"),
        "productName": "Canvas Tote Bag", "productLink": None,
        "productImage": "https://totes.example.com/wp-content/uploads/2025/03/canvas-tote.jpg",
        "total": 37, "currency": "GBP", "timestamp": ms("2025-11-03T14:05:12+00:00"),
        "sources": {"mapping": "woocommerce", "email": "email", "name": "payload", "location": "payload"},
    },
    "woocommerce_order_updated_completed.json": {
        "displayName": "Carlos R.", **place("Miami Beach", "Florida", "FL", "United States", "US"),
        "productName": "Weekender Duffel", "productLink": None, "productImage": None,
        "total": 58.5, "currency": "USD", "timestamp": ms("2025-11-04T14:31:40+00:00"),
        "sources": {"mapping": "woocommerce", "email": "email", "name": "payload", "location": "payload"},
    },
    "stripe_checkout_session_completed.json": {
        "displayName": "Maria G.", **place("Austin", "Texas", "TX", "United States", "US"),
        "productName": None, "total": 25, "currency": "USD", "timestamp": 1762183441000,
        "sources": {"mapping": "stripe", "email": "email", "name": "name",
                    "location": "payload"},
    },
    "stripe_charge_succeeded.json": {
        "displayName": "Lena S.", **place("Berlin", None, None, "Germany", "DE"),
        "productName": None, "total": 49, "currency": "EUR", "timestamp": 1762190124000,
        "sources": {"mapping": "stripe", "email": "email", "name": "name",
                    "location": "payload"},
    },
    "stripe_payment_intent_succeeded.json": {
        "displayName": "Yuki T.", **place("Shibuya-ku", "Tokyo", None, "Japan", "JP"),
        "productName": None, "total": 5000, "currency": "JPY", "timestamp": 1762221604000,
        "sources": {"mapping": "stripe", "email": "email", "name": "name",
                    "location": "payload"},
    },
    "gumroad_sale.txt": {
        "displayName": "Ana S.", **place(None, None, None, "Brazil", "BR"),
        "productName": "Pencil Sketch Brushes", "productLink": "https://sketchlab.gumroad.com/l/brushes",
        "total": 15, "currency": "USD", "timestamp": ms("2025-11-03T15:40:07+00:00"),
        "sources": {"mapping": "gumroad", "email": "email", "name": "name", "location": "payload"},
    },
    # A PayPal IPN has no time of its own that says its zone plainly: it is dated when it arrives.
    "paypal_ipn_completed.txt": {
        "displayName": "John S.", **place("San Jose", "California", "CA", "United States", "US"),
        "productName": "something", "productLink": None, "total": 12.34, "currency": "USD",
        "sources": {"mapping": "paypal", "email": "email", "name": "payload", "location": "payload"},
    },
    # A capture names no buyer: "Someone", and never the merchant's (payee's) email.
    "paypal_payment_capture_completed.json": {
        "displayName": "Someone", **place(None, None, None, None, None), "email": None,
        "productName": None, "total": 30, "currency": "USD", "timestamp": ms("2022-08-23T18:29:50+00:00"),
        "sources": {"mapping": "paypal"},
    },
    "paddle_transaction_completed.json": {
        "displayName": "Michael M.", **place(None, None, None, None, None), "email": None,
        "productName": "AeroEdit Pro", "productLink": None,
        "productImage": "https://paddle.s3.amazonaws.com/user/165798/bT1XUOJAQhOUxGs83cbk_pro.png",
        "total": 652.15, "currency": "USD", "timestamp": ms("2024-04-12T10:18:48.294633+00:00"),
        "sources": {"mapping": "paddle", "name": "payload"},
    },
    # The same transaction's transaction.paid, sent before transaction.completed: the same popup.
    "paddle_transaction_paid.json": {
        "displayName": "Michael M.", **place(None, None, None, None, None), "email": None,
        "productName": "AeroEdit Pro", "productLink": None,
        "productImage": "https://paddle.s3.amazonaws.com/user/165798/bT1XUOJAQhOUxGs83cbk_pro.png",
        "total": 652.15, "currency": "USD", "timestamp": ms("2024-04-12T10:18:48.294633+00:00"),
        "sources": {"mapping": "paddle", "name": "payload"},
    },
    "paddle_classic_payment_succeeded.txt": {
        "displayName": "Someone", **place(None, None, None, "Australia", "AU"),
        "productName": "Example String", "total": 906.3, "currency": "GBP", "timestamp": ms("2018-11-06T20:14:19+00:00"),
        "sources": {"mapping": "paddle", "email": "email", "location": "payload"},
    },
    # Lemon Squeezy's documented order names no product.
    "lemonsqueezy_order_created.json": {
        "displayName": "Darlene D.", **place(None, None, None, None, None),
        "productName": None, "total": 11.99, "currency": "USD", "timestamp": ms("2021-08-11T13:47:29+00:00"),
        "sources": {"mapping": "lemonsqueezy", "email": "email", "name": "payload"},
    },
    # Square's documented payment carries a card but no buyer's name, address or email.
    "square_payment_updated.json": {
        "displayName": "Someone", **place(None, None, None, None, None), "email": None,
        "productName": None, "total": 1, "currency": "USD", "timestamp": ms("2020-11-22T21:16:51.086+00:00"),
        "sources": {"mapping": "square"},
    },
    "kit_purchase_create.json": {
        "displayName": "Someone", **place(None, None, None, None, None),
        "productName": "Telephone Cord (data)", "total": 21, "currency": "JPY", "timestamp": ms("2018-03-17T11:28:04+00:00"),
        "sources": {"mapping": "kit", "email": "email"},
    },
    # Sign-ups: the person's first name (and last initial), nothing about what they signed up for.
    "kit_subscriber_activate.json": {
        "displayName": "John", **place(None, None, None, None, None), "productName": None, "total": None,
        "timestamp": ms("2018-02-15T19:40:24.913+00:00"),
        "sources": {"mapping": "kit", "email": "email", "name": "payload"},
    },
    "mailchimp_subscribe.txt": {
        "displayName": "MailChimp A.", **place(None, None, None, None, None), "productName": None,
        "timestamp": ms("2009-03-26T21:35:57+00:00"),
        "sources": {"mapping": "mailchimp", "email": "email", "name": "payload"},
    },
    # The invitee (John Doe), never the host (John Smith) whose email the booking also carries.
    "calendly_invitee_created.json": {
        "displayName": "John D.", "email": "test@example.com", **place(None, None, None, None, None),
        "productName": None, "timestamp": ms("2020-11-23T17:51:18.327602+00:00"),
        "sources": {"mapping": "calendly", "email": "email", "name": "payload"},
    },
    "typeform_form_response.json": {
        "displayName": "Laura", "email": "laura@example.com", **place(None, None, None, None, None),
        "productName": None, "timestamp": ms("2018-01-18T18:17:02+00:00"),
        "sources": {"mapping": "typeform", "email": "email", "name": "payload"},
    },
    # Zapier's payload has only an IP for a place: the test GeoIP database finds it.
    "generic_zapier.json": {
        "displayName": "Sam", **MOUNTAIN_VIEW,
        "productName": "Yoga Mat", "productLink": "https://mats.example.com/yoga-mat",
        "total": 39, "currency": "USD", "timestamp": 1762183441000,
        "sources": {"mapping": "generic", "email": "email", "name": "payload", "location": "geoip"},
    },
}  # fmt: skip
# The warnings each purchase fixture's answer carries, in order.
WARNINGS = {
    "shopify_orders_create.json": [f"Product 'Runner Sneakers' {NO_LINK.format('shopify')}"],
    "woocommerce_order_created.json": [f"Product 'Canvas Tote Bag' {NO_LINK.format('woocommerce')}"],
    "woocommerce_order_updated_completed.json": [
        "Dropped image '/wp-content/uploads/2025/05/weekender-duffel.jpg' of product 'Weekender Duffel':"
        " not an absolute http(s) URL.",
        f"Product 'Weekender Duffel' {NO_LINK.format('woocommerce')}",
    ],
    "paypal_ipn_completed.txt": [f"Product 'something' {NO_LINK.format('paypal')}"],
    "paddle_transaction_completed.json": [f"Product 'AeroEdit Pro' {NO_LINK.format('paddle')}"],
    "paddle_transaction_paid.json": [f"Product 'AeroEdit Pro' {NO_LINK.format('paddle')}"],
    "paddle_classic_payment_succeeded.txt": [f"Product 'Example String' {NO_LINK.format('paddle')}"],
    "kit_purchase_create.json": [f"Product 'Telephone Cord (data)' {NO_LINK.format('kit')}"],
}
ZAPIER_ADVICE = "webhooks carry only the order's {}, not the buyer or the products: connect {} through Zapier" \
    " (its New Order trigger fetches the order) and send that to this webhook instead."
IGNORED = {
    "shopify_orders_create_pending.json": "Shopify order 5940139524002 is not paid (financial_status pending).",
    "woocommerce_order_created_pending.json": "WooCommerce order 4833 is not paid (status pending).",
    "woocommerce_ping.txt": "WooCommerce ping for webhook 12: nothing to show.",
    "paypal_ipn_pending.txt": "PayPal IPN 9JH877021V814904L is not a completed payment (payment_status Pending).",
    "paypal_checkout_order_approved.json": "PayPal event CHECKOUT.ORDER.APPROVED: approved or pending, not yet paid.",
    # Recognised by its shape alone: PayPal's SDK test event, sent without PayPal's headers.
    "paypal_payment_authorization_created.json":
        "PayPal event PAYMENT.AUTHORIZATION.CREATED: approved or pending, not yet paid.",
    "paddle_adjustment_created.json":
        "Paddle refund adj_01hvgf2s84dr6reszzg29zbvcm is not approved (status pending_approval).",
    "square_payment_created_approved.json":
        "Square payment hYy9pRFVxpDsO1FB05SunFWUe9JZY is not completed (status APPROVED).",
    "square_test_notification.json": "Square event type webhooks.test_notification is not a payment.",
    "mailchimp_unsubscribe.txt": "Mailchimp unsubscribe is not a sign-up.",
    "bigcommerce_store_order_created.json":
        "store/order/created: BigCommerce " + ZAPIER_ADVICE.format("id", "BigCommerce"),
    "ecwid_order_created.json": "order.created: Ecwid " + ZAPIER_ADVICE.format("number", "Ecwid"),
    "ecwid_order_updated.json": "order.updated: Ecwid " + ZAPIER_ADVICE.format("number", "Ecwid"),
}
# Each cancelling fixture and the purchase fixture whose order it hides.
CANCELS = {
    "shopify_orders_cancelled.json": "shopify_orders_create.json",
    "shopify_refunds_create.json": "shopify_orders_create.json",
    "woocommerce_order_updated_refunded.json": "woocommerce_order_created.json",
    "stripe_charge_refunded.json": "stripe_charge_succeeded.json",
    "gumroad_refund.txt": "gumroad_sale.txt",
    "paypal_ipn_refunded.txt": "paypal_ipn_completed.txt",
    "paypal_ipn_reversed.txt": "paypal_ipn_completed.txt",
    "paypal_payment_capture_refunded.json": "paypal_payment_capture_completed.json",
    "paddle_adjustment_updated_approved.json": "paddle_transaction_completed.json",
    "lemonsqueezy_order_refunded.json": "lemonsqueezy_order_created.json",
    "calendly_invitee_canceled.json": "calendly_invitee_created.json",
}
# A platform's own refund sample may name another sale than its own purchase sample: that purchase is then sent
# under the id the refund names (its one change), so that the two are one store's sale and its refund.
SOLD_AS = {
    "paypal_ipn_refunded.txt": ("txn_id", "84J11393WC835693U"),
    "paypal_ipn_reversed.txt": ("txn_id", "SOMEPRIORTXNID002"),
    "paypal_payment_capture_refunded.json": ("resource.id", "0JF852973C016714D"),
    "paddle_adjustment_updated_approved.json": ("data.id", "txn_01h8bxpvx398a7zbawb77y0kp5"),
}


def send(client, notification, fixture: str, query: str = "", recent: bool = False, **extra_headers):
    """POST a fixture to the notification's webhook with the platform's own headers (dated now if `recent`)."""
    headers, body = platform_request(fixture)
    if recent:
        body = made_recent(body)
    return client.post(webhook_path(notification) + query, data=body, headers={**headers, **extra_headers})


def with_value(body: bytes, path: str, value: str, form: bool) -> bytes:
    """Set one dotted path of a JSON body (or one field of a form body) to a new value."""
    if form:
        return urlencode([(key, value if key == path else old) for key, old in parse_qsl(body.decode())]).encode()
    data = json.loads(body)
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[part]
    target[last] = value
    return json.dumps(data).encode()


def send_sale(client, notification, cancelling: str, recent: bool = False):
    """POST the purchase a cancelling fixture hides, under the order id that cancellation names."""
    fixture = CANCELS[cancelling]
    headers, body = platform_request(fixture)
    if cancelling in SOLD_AS:
        body = with_value(body, *SOLD_AS[cancelling], form=fixture.endswith(".txt"))
    if recent:
        body = made_recent(body)
    return client.post(webhook_path(notification), data=body, headers=headers)


def stored(app, notification, shown_only: bool = False) -> list[dict]:
    """Return the notification's stored events, newest first."""
    with app.app_context():
        return event_store.list_events(notification["id"], shown_only=shown_only)


def test_every_fixture_has_an_end_to_end_test():
    tested = set(SHOWN) | set(IGNORED) | set(CANCELS)
    assert {path.name for path in PLATFORM_FIXTURES.iterdir()} - {"SOURCES.md"} == tested
    assert set(CANCELS.values()) <= set(SHOWN)


@pytest.mark.parametrize("fixture", sorted(SHOWN))
def test_a_dry_run_shows_the_name_place_and_product(client, app, stream, fixture):
    response = send(client, stream, fixture, "?dry_run=1")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "valid"
    event = body["event"]
    assert {key: event.get(key) for key in SHOWN[fixture]} == SHOWN[fixture]
    assert body["warnings"] == WARNINGS.get(fixture, [])
    assert "raw" not in event
    assert stored(app, stream) == []


@pytest.mark.parametrize("fixture", sorted(SHOWN))
def test_the_popup_a_visitor_sees(client, app, city_stream, fixture):
    assert send(client, city_stream, fixture, recent=True).status_code == 201
    items = client.get(f"/feed/{city_stream['public_key']}.json").get_json()["items"]
    expected = SHOWN[fixture]
    assert [(item["name"], item["place"], item["product"]["name"]) for item in items] == [
        (expected["displayName"], place_line(expected), expected.get("productName"))
    ]


@pytest.mark.parametrize("fixture", sorted(SHOWN))
def test_a_purchase_is_stored_once_and_its_repeat_is_a_duplicate(client, app, stream, fixture):
    # Platforms send their order id; a Zap has none, so it is set up to send an Idempotency-Key.
    key = {"Idempotency-Key": "zap-run-42"} if fixture.startswith("generic") else {}
    first = send(client, stream, fixture, **key)
    assert first.status_code == 201 and first.get_json()["status"] == "created"
    again = send(client, stream, fixture, **key)
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    assert again.get_json()["event"]["id"] == first.get_json()["event"]["id"]
    events = stored(app, stream)
    assert len(events) == 1
    assert events[0]["sources"]["mapping"] == SHOWN[fixture]["sources"]["mapping"]


@pytest.mark.parametrize("query", ["", "?dry_run=1"])
@pytest.mark.parametrize("fixture", sorted(IGNORED))
def test_skipped_events_answer_200_ignored_and_store_nothing(client, app, stream, fixture, query):
    response = send(client, stream, fixture, query)
    assert response.status_code == 200
    assert response.get_json() == {"status": "ignored", "reason": IGNORED[fixture], "warnings": []}
    assert stored(app, stream) == []


@pytest.mark.parametrize("content_type", [None, "application/x-www-form-urlencoded", "text/plain"])
def test_the_woocommerce_ping_gets_200_whatever_its_content_type(client, app, stream, content_type):
    headers = {"User-Agent": "WooCommerce/9.4.2 Hookshot (WordPress/6.7.1)"}
    if content_type:
        headers["Content-Type"] = content_type
    response = client.post(webhook_path(stream), data=b"webhook_id=12", headers=headers)
    assert response.status_code == 200
    assert response.get_json()["status"] == "ignored"
    assert stored(app, stream) == []


@pytest.mark.parametrize("body", [b"webhook_id=12&email=a@example.com", b"webhook_id=x", b"email=a@example.com"])
def test_other_form_bodies_without_a_content_type_are_still_415(client, stream, body):
    assert client.post(webhook_path(stream), data=body).status_code == 415


@pytest.mark.parametrize("cancelling", sorted(CANCELS))
def test_a_cancellation_hides_the_order_from_the_preview(client, app, stream, cancelling):
    assert send_sale(client, stream, cancelling, recent=True).status_code == 201
    name = SHOWN[CANCELS[cancelling]]["displayName"]
    log_in(client)
    assert name in client.get(f"/notifications/{stream['id']}").text

    response = send(client, stream, cancelling)
    assert response.status_code == 200
    assert response.get_json() == {"status": "cancelled", "cancelled": True, "warnings": []}
    assert stored(app, stream, shown_only=True) == []
    assert stored(app, stream)[0]["cancelledAt"] is not None
    page = client.get(f"/notifications/{stream['id']}").text
    preview = page.split("<h2>Preview</h2>", 1)[1].split("</section>", 1)[0]
    assert name not in preview and "Nothing to show yet" in preview
    assert "(cancelled)" in page


@pytest.mark.parametrize("cancelling", sorted(CANCELS))
def test_a_dry_run_cancellation_says_what_it_would_hide_and_hides_nothing(client, app, stream, cancelling):
    send_sale(client, stream, cancelling)
    response = send(client, stream, cancelling, "?dry_run=1")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "valid" and body["cancels"] == stored(app, stream)[0]["dedupKey"]
    assert len(stored(app, stream, shown_only=True)) == 1


def test_a_cancellation_of_an_unknown_order_hides_nothing(client, app, stream):
    send(client, stream, "woocommerce_order_created.json")
    response = send(client, stream, "shopify_orders_cancelled.json")
    assert response.get_json()["cancelled"] is False
    assert len(stored(app, stream, shown_only=True)) == 1


def test_a_purchase_is_hidden_from_another_notification_only_by_its_own_cancellation(client, app, make_notification):
    shop, other = make_notification(name="Shop"), make_notification(name="Other")
    send(client, shop, "shopify_orders_create.json")
    send(client, other, "shopify_orders_create.json")
    send(client, other, "shopify_orders_cancelled.json")
    assert len(stored(app, shop, shown_only=True)) == 1
    assert stored(app, other, shown_only=True) == []


def test_line_items_without_links_are_shown_by_name_never_refused(client, app, stream):
    response = send(client, stream, "shopify_orders_create.json")
    assert response.status_code == 201
    event = response.get_json()["event"]
    assert event["productLink"] is None
    assert [product.get("link") for product in event["products"]] == [None, None]
    assert any("has no link" in warning for warning in response.get_json()["warnings"])
    log_in(client)
    page = client.get(f"/notifications/{stream['id']}").text
    assert "Runner Sneakers" in page and 'href="None"' not in page


def test_a_conversion_notification_counts_a_platform_purchase(client, app, conversion):
    response = send(client, conversion, "stripe_charge_succeeded.json")
    assert response.status_code == 201
    assert response.get_json()["event"]["sources"] == {"mapping": "stripe"}
    assert send(client, conversion, "stripe_charge_succeeded.json").get_json()["status"] == "duplicate"


def test_the_embedded_db_ip_database_locates_a_zapier_order_and_is_credited(app_config, admin_headers,
                                                                           embedded_geoip_path):
    client = create_app({**app_config, "GEOIP_DATABASE": embedded_geoip_path}).test_client()
    created = client.post("/api/notifications", json={"name": "Mats", "type": "stream", "min_place_events": 1},
                          headers=admin_headers)  # one event shows its region: the small-place guard off
    response = send(client, created.get_json(), "generic_zapier.json", recent=True)
    assert response.status_code == 201, response.get_json()
    event = response.get_json()["event"]
    assert (event["countryCode"], event["state"], event["stateCode"]) == ("US", "California", "CA")
    assert event["sources"]["location"] == "geoip"
    log_in(client)
    page = client.get(f"/notifications/{event['notificationId']}").text
    preview = page.split("<h2>Preview</h2>", 1)[1].split("</section>", 1)[0]
    assert "California" in preview
    assert '<a href="https://db-ip.com">DB-IP</a>' in preview


def test_a_platforms_own_order_id_wins_over_an_unsigned_idempotency_key(client, app, stream):
    answers = [send(client, stream, "shopify_orders_create.json", **{"Idempotency-Key": f"new-key-{n}"})
               for n in range(4)]
    assert [answer.status_code for answer in answers] == [201, 200, 200, 200]
    assert len(stored(app, stream)) == 1


def test_standard_webhooks_redeliveries_share_their_webhook_id(client, app, stream):
    for attempt in range(3):
        headers = {"webhook-id": "msg_2Lh9KRb", "webhook-timestamp": str(1_760_000_000 + attempt)}
        answer = client.post(webhook_path(stream), json={"email": "jo.king@example.com"}, headers=headers)
        assert answer.status_code == (201 if attempt == 0 else 200), answer.get_json()
    assert len(stored(app, stream)) == 1
