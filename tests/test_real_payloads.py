"""What real stores send and once got wrong: paid events without an email, a payment's second event, escaped names,
the names everybody uses, bodies that say they are no purchase, products without links."""
import json

import pytest

from helpers import made_recent, platform_request, webhook_path
from test_platform_webhooks import send, stored
from test_platforms import DELETE, mapped
from webhook.platforms import map_payload


@pytest.fixture
def stream(city_stream) -> dict:
    """Return a stream notification whose popups show a single event's city, for every test here."""
    return city_stream


def post_fixture(client, notification, fixture: str, edits: dict, recent: bool = False):
    """POST a JSON fixture with dotted paths of its body set to new values (DELETE removes them)."""
    headers, raw = platform_request(fixture)
    body = json.loads(made_recent(raw) if recent else raw)
    for path, value in edits.items():
        *parents, last = path.split(".")
        target = body
        for part in parents:
            target = target[int(part) if isinstance(target, list) else part]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return client.post(webhook_path(notification), json=body, headers=headers)


def popup(client, notification) -> dict:
    """Return the one popup the notification's public feed shows."""
    feed = client.get(f"/feed/{notification['public_key']}.json").get_json()
    assert len(feed["items"]) == 1, feed
    item = feed["items"][0]
    return {"name": item["name"], "place": item["place"], "product": item["product"]["name"]}


# --- a recognised platform's paid event is never refused for a missing email ---------------------------------

NO_EMAIL = {"data.object.receipt_email": None, "data.object.billing_details.email": None}


def test_a_stripe_charge_without_any_email_is_shown_as_someone_from_its_place(client, app, stream):
    edits = {**NO_EMAIL, "data.object.billing_details.name": None}
    response = post_fixture(client, stream, "stripe_charge_succeeded.json", edits, recent=True)
    assert response.status_code == 201, response.get_json()
    event = response.get_json()["event"]
    assert (event["displayName"], event["email"], event["country"], event["total"], event["currency"]) == (
        "Someone", None, "Germany", 49, "EUR"
    )
    assert popup(client, stream) == {"name": "Someone", "place": "Berlin, Germany", "product": None}


def test_a_malformed_email_from_a_platform_is_dropped_with_a_warning_not_refused(client, stream):
    response = post_fixture(client, stream, "stripe_charge_succeeded.json", {"data.object.receipt_email": "lena@"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["event"]["email"] is None
    assert response.get_json()["warnings"][0].startswith("Ignored email 'lena@': Not a valid email address")


def test_our_own_vocabulary_still_needs_an_email(client, stream):
    response = client.post(webhook_path(stream), json={"firstName": "Jo", "total": 5, "currency": "USD"})
    assert response.status_code == 422 and "email" in response.get_json()["errors"]


# --- dedup before validation ---------------------------------------------------------------------------------


def test_a_payments_second_event_is_a_duplicate_even_when_it_would_not_validate(client, app, stream):
    first = send(client, stream, "stripe_checkout_session_completed.json")
    assert first.status_code == 201
    payment_intent = stored(app, stream)[0]["dedupKey"]
    # The same payment seen through payment_intent.succeeded, dated next century: alone, a 422.
    edits = {"data.object.id": payment_intent, "created": 4102444800}
    again = post_fixture(client, stream, "stripe_payment_intent_succeeded.json", edits)
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["status"] == "duplicate"
    assert again.get_json()["event"]["id"] == first.get_json()["event"]["id"]
    alone = post_fixture(client, stream, "stripe_payment_intent_succeeded.json", edits)
    assert alone.status_code == 200  # still the same payment
    other = post_fixture(client, stream, "stripe_payment_intent_succeeded.json", {"created": 4102444800})
    assert other.status_code == 422 and "timestamp" in other.get_json()["errors"]
    assert len(stored(app, stream)) == 1


def test_a_dry_run_of_a_repeat_says_duplicate_and_stores_nothing(client, app, stream):
    send(client, stream, "paddle_transaction_paid.json")
    response = send(client, stream, "paddle_transaction_completed.json", "?dry_run=1")
    assert response.get_json()["status"] == "duplicate"
    assert len(stored(app, stream)) == 1


# --- HTML entities from platforms that escape -----------------------------------------------------------------


def test_woocommerce_line_item_names_are_decoded(client, stream):
    edits = {"line_items.0.name": "Ship Your Idea &ndash; Color: Black &amp; White", "line_items.0.price": 99}
    response = post_fixture(client, stream, "woocommerce_order_created.json", edits, recent=True)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["event"]["productName"] == "Ship Your Idea – Color: Black & White"
    assert popup(client, stream)["product"] == "Ship Your Idea – Color: Black & White"


# --- the generic reading: the names everybody uses ------------------------------------------------------------


@pytest.mark.parametrize(
    "body, person",
    [
        ({"first_name": "Ada", "last_name": "Lovelace"}, ("Ada", "Lovelace")),
        ({"given_name": "Ada", "family_name": "Lovelace"}, ("Ada", "Lovelace")),
        ({"firstname": "Ada", "lastname": "Lovelace"}, ("Ada", "Lovelace")),
        ({"merges": {"FNAME": "Ada", "LNAME": "Lovelace"}}, ("Ada", "Lovelace")),
        ({"customer": {"first_name": "Ada", "last_name": "Lovelace"}}, ("Ada", "Lovelace")),
        ({"buyer": {"given_name": "Ada", "surname": "Lovelace"}}, ("Ada", "Lovelace")),
        ({"payer": {"name": {"given_name": "Ada", "surname": "Lovelace"}}}, ("Ada", "Lovelace")),
        ({"billing": {"firstname": "Ada"}}, ("Ada", None)),
        ({"subscriber": {"first_name": "Ada"}}, ("Ada", None)),
        ({"firstName": "Grace", "customer": {"first_name": "Ada"}}, ("Grace", None)),
    ],
)
def test_the_generic_reading_takes_common_name_shapes(body, person):
    data = map_payload({}, {"email": "a.b@example.com", **body}).data
    assert (data.get("firstName"), data.get("lastName")) == person


def test_the_person_named_beats_another_email_in_the_body(client, stream):
    booking = {
        "host": {"email": "xavier.host@example.com"},
        "invitee": {"first_name": "Bob", "last_name": "Test", "email": "bob.test@example.com"},
    }
    response = client.post(webhook_path(stream), json=booking)
    assert response.status_code == 201, response.get_json()
    event = response.get_json()["event"]
    assert (event["displayName"], event["email"]) == ("Bob T.", "bob.test@example.com")


@pytest.mark.parametrize(
    "body, place, amount",
    [
        ({"residence_country": "US", "mc_gross": "12.34", "mc_currency": "USD"}, "United States", (12.34, "USD")),
        ({"country_code": "DE", "amount": 49, "currency": "eur"}, "Germany", (49, "EUR")),
        ({"address": {"country": "France"}, "gross": "7.5", "currency_code": "EUR"}, "France", (7.5, "EUR")),
        ({"address": {"country_code": "JP"}, "price": "5000", "currency": "JPY"}, "Japan", (5000, "JPY")),
        ({"country_code": "DE", "amount": {"value": "12.50", "currency_code": "EUR"}}, "Germany", (12.5, "EUR")),
    ],
)
def test_the_generic_reading_takes_common_country_and_amount_shapes(client, stream, body, place, amount):
    response = client.post(webhook_path(stream), json={"email": "ada@example.com", "first_name": "Ada", **body})
    assert response.status_code == 201, response.get_json()
    event = response.get_json()["event"]
    assert (event["total"], event["currency"]) == amount
    assert popup(client, stream) == {"name": "Ada", "place": place, "product": None}


def test_our_vocabulary_wins_over_the_common_shapes():
    body = {"email": "a@example.com", "total": 10, "amount": 999, "countryCode": "GB", "country_code": "US"}
    data = map_payload({}, body).data
    assert (data["total"], data["countryCode"], "country" in data) == (10, "GB", False)


# --- the generic reading: bodies that say they are no purchase ------------------------------------------------


@pytest.mark.parametrize(
    "key, kind",
    [
        ("type", "customer.created"),
        ("event_type", "CHECKOUT.ORDER.APPROVED"),
        ("event", "subscription_cancelled"),
        ("topic", "orders/cancelled"),
        ("status", "pending"),
        ("status", "refunded"),
        ("payment_status", "failed"),
        ("status", "on-hold"),
        ("event", "customer_created"),
    ],
)
def test_a_body_that_says_it_is_no_purchase_is_ignored(client, app, stream, key, kind):
    response = client.post(webhook_path(stream), json={"email": "ada@example.com", "total": 5, key: kind})
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ignored",
        "reason": f"The payload's {key} is {kind!r}: not a completed payment or sign-up.",
        "warnings": [],
    }
    assert stored(app, stream) == []


@pytest.mark.parametrize(
    "key, kind",
    [("type", "order.created"), ("event", "form_response"), ("status", "completed"), ("payment_status", "paid"),
     ("type", "purchase"), ("topic", "orders/paid"), ("type", "sign_up"), ("event", "payment_intent.succeeded"),
     ("type", "e-book"), ("type", "gift_card"), ("type", "one-time"), ("type", "t-shirt")],
)
def test_a_body_that_says_it_is_a_purchase_or_sign_up_is_shown(client, stream, key, kind):
    response = client.post(webhook_path(stream), json={"email": "ada@example.com", key: kind})
    assert response.status_code == 201, response.get_json()


# --- products without links -----------------------------------------------------------------------------------


def test_generic_products_without_links_are_shown_with_a_warning(client, stream):
    products = [{"name": "Mug", "price": 9}, {"name": "Poster", "price": 19}]
    response = client.post(webhook_path(stream), json={"email": "ada@example.com", "products": products})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["event"]["productName"], body["event"]["productLink"]) == ("Poster", None)
    assert body["warnings"] == ["Product 'Poster' has no link in this generic payload; it is shown without one."]


def test_a_generic_product_link_when_given_must_still_be_http(client, app, stream):
    products = [{"name": "Mug", "link": "javascript:alert(1)"}]
    response = client.post(webhook_path(stream), json={"email": "ada@example.com", "products": products})
    assert response.status_code == 422
    assert "link" in response.get_json()["errors"]["products"]["0"]
    assert stored(app, stream) == []


# --- platform rules beyond the fixtures -----------------------------------------------------------------------


@pytest.mark.parametrize("fixture, parent", [("paypal_ipn_reversed.txt", "SOMEPRIORTXNID002"),
                                             ("paypal_ipn_refunded.txt", "84J11393WC835693U")])
def test_a_reversed_or_refunded_ipn_hides_its_parent_payment(fixture, parent):
    assert mapped(fixture).cancels == parent


@pytest.mark.parametrize("status", ["Denied", "Failed", "Canceled_Reversal"])
def test_other_ipn_statuses_are_ignored(status):
    assert mapped("paypal_ipn_completed.txt", {"payment_status": status}).ignored == (
        f"PayPal IPN 3812231718 is not a completed payment (payment_status {status})."
    )


def test_a_square_payment_created_already_completed_shows_and_its_update_is_a_duplicate(client, app, stream):
    # No real payment.created that is already COMPLETED was found (tests/fixtures/platforms/SOURCES.md).
    created = post_fixture(client, stream, "square_payment_created_approved.json",
                           {"data.object.payment.status": "COMPLETED"})
    assert created.status_code == 201, created.get_json()
    assert send(client, stream, "square_payment_updated.json").get_json()["status"] == "duplicate"
    assert len(stored(app, stream)) == 1


def test_a_completed_square_refund_hides_the_payment(client, app, stream):
    send(client, stream, "square_payment_updated.json")
    refund = {"merchant_id": "ML82H4QPKMGXY", "type": "refund.updated", "event_id": "e1",
              "data": {"type": "refund", "id": "r1", "object": {"refund": {
                  "id": "r1", "status": "COMPLETED", "payment_id": "hYy9pRFVxpDsO1FB05SunFWUe9JZY"}}}}
    response = client.post(webhook_path(stream), json=refund)
    assert response.get_json() == {"status": "cancelled", "cancelled": True, "warnings": []}


def test_a_sign_up_counts_as_a_conversion(client, conversion):
    response = send(client, conversion, "mailchimp_subscribe.txt")
    assert response.status_code == 201
    assert response.get_json()["event"]["sources"] == {"mapping": "mailchimp"}


def test_a_long_typed_first_name_from_a_platform_is_dropped_with_a_warning_not_refused(client, stream):
    headers, raw = platform_request("kit_subscriber_activate.json")
    body = json.loads(raw)
    body["subscriber"]["first_name"] = "A" * 150
    response = client.post(webhook_path(stream), json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["warnings"][0].startswith("Ignored firstName: ")
    event = response.get_json()["event"]
    assert "A" * 150 not in json.dumps(event) and event["sources"]["name"] == "email"  # the name from the address


def test_a_paypal_ipn_is_read_in_the_charset_its_own_charset_field_names(client, stream):
    headers, raw = platform_request("paypal_ipn_completed.txt")
    assert b"charset=windows-1252" in raw and "charset" not in headers["Content-Type"]
    raw = raw.replace(b"first_name=John&", b"first_name=J%FCrgen&")  # windows-1252, as PayPal sends it
    response = client.post(webhook_path(stream), data=raw, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["event"]["firstName"] == "Jürgen"
