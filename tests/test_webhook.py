"""POST /webhooks/<token>: every rule of the contract, through the test client and a real database (each backend)."""
import json
import time

import pytest
from werkzeug.test import encode_multipart

from geo import LONDON_IP
from helpers import post, stored, webhook_path

SEED = {
    "email": "test@gmail.com",
    "timestamp": 1528611279398,
    "ip": "141.92.55.102",
    "firstName": "John",
    "lastName": "Smith",
    "guid": "id",
}


def test_seed_example_is_stored_and_answered_with_the_normalized_event(client, app, stream):
    response = post(client, stream, json=SEED)
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "created"
    assert body["warnings"] == []
    assert body["preview_url"].endswith(f"/notifications/{stream['id']}")
    event = body["event"]
    assert set(event) >= {
        "id", "notificationId", "receivedAt", "timestamp", "email", "firstName", "lastName", "displayName", "ip",
        "city", "state", "stateCode", "country", "countryCode", "guid", "productName", "productLink",
        "productImage", "total", "currency", "products", "sources",
    }
    assert "raw" not in event and "dedupKey" not in event
    assert event["timestamp"] == 1528611279398
    assert (event["firstName"], event["lastName"], event["displayName"]) == ("John", "Smith", "John S.")
    assert event["guid"] == "id"
    assert event["sources"]["email"] == "email"
    assert event["sources"]["name"] == "payload"
    events = stored(app)
    assert len(events) == 1
    assert events[0]["email"] == "test@gmail.com"
    assert json.loads(events[0]["raw"]) == SEED


def test_the_row_is_committed_before_the_answer(client, app, stream):
    response = post(client, stream, json={"email": "a@example.com"})
    event_id = response.get_json()["event"]["id"]
    assert [r["id"] for r in stored(app)] == [event_id]


@pytest.mark.parametrize(
    "given, expected_ms",
    [
        (1528611279, 1528611279000),
        (1528611279398, 1528611279398),
        ("1528611279", 1528611279000),
        ("1528611279398", 1528611279398),
        (1528611279.5, 1528611279500),
        ("2018-06-10T06:14:39Z", 1528611279000),
        ("2018-06-10T06:14:39", 1528611279000),
        ("2018-06-10T08:14:39+02:00", 1528611279000),
        ("2018-06-10T06:14:39.398Z", 1528611279398),
    ],
)
def test_timestamps_in_seconds_milliseconds_or_iso_become_utc_ms(client, stream, given, expected_ms):
    response = post(client, stream, json={"email": "a@example.com", "timestamp": given})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["event"]["timestamp"] == expected_ms


def test_a_missing_timestamp_is_the_time_of_receipt(client, stream):
    before = int(time.time() * 1000)
    event = post(client, stream, json={"email": "a@example.com"}).get_json()["event"]
    assert before <= event["timestamp"] <= int(time.time() * 1000)
    assert event["timestamp"] == event["receivedAt"] or abs(event["timestamp"] - event["receivedAt"]) < 1000


# The time as an explicit id: pytest-xdist insists that every worker collects the same test names.
@pytest.mark.parametrize("given", [pytest.param(time.time() + 2 * 86400, id="in-two-days"), "tomorrow", True, -5,
                                   [1], "1e400", 10**20])
def test_bad_or_far_future_timestamps_are_422(client, app, stream, given):
    response = post(client, stream, json={"email": "a@example.com", "timestamp": given})
    assert response.status_code == 422
    assert "timestamp" in response.get_json()["errors"]
    assert stored(app) == []


def test_a_form_body_with_bracket_keys_builds_products(client, stream):
    response = post(
        client,
        stream,
        data={
            "email": "jane@example.com",
            "firstName": "Jane",
            "products[0][name]": "Socks",
            "products[0][link]": "https://shop.example.com/socks",
            "products[0][price]": "5",
            "products[1][name]": "Boots",
            "products[1][link]": "https://shop.example.com/boots",
            "products[1][price]": "120.50",
            "products[1][image]": "https://shop.example.com/boots.jpg",
            "products[1][quantity]": "1",
            "location[city]": "Miami",
        },
    )
    assert response.status_code == 201, response.get_json()
    event = response.get_json()["event"]
    assert event["productName"] == "Boots"
    assert event["productLink"] == "https://shop.example.com/boots"
    assert event["productImage"] == "https://shop.example.com/boots.jpg"
    assert event["products"][1]["price"] == 120.5
    assert event["city"] == "Miami"


def test_a_json_string_in_a_form_field_is_decoded(client, stream):
    products = json.dumps([{"name": "T-Shirt", "link": "https://example.com/t", "id": 123}])
    response = post(client, stream, data={"email": "a@example.com", "products": products})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["event"]["products"][0]["id"] == "123"


def test_multipart_form_data_is_read_like_a_form(client, stream):
    boundary, payload = encode_multipart({"email": "m@example.com", "productName": "Hat"})
    response = post(
        client, stream, data=payload, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["event"]["productName"] == "Hat"


def test_the_first_product_is_shown_when_none_has_a_price(client, stream):
    products = [{"name": "A", "link": "https://example.com/a"}, {"name": "B", "link": "https://example.com/b"}]
    event = post(client, stream, json={"email": "a@example.com", "products": products}).get_json()["event"]
    assert (event["productName"], event["productLink"]) == ("A", "https://example.com/a")


def test_explicit_product_fields_win_over_products(client, stream):
    payload = {
        "email": "a@example.com",
        "productName": "Sneakers",
        "products": [{"name": "A", "link": "https://example.com/a", "image": "https://example.com/a.png"}],
    }
    event = post(client, stream, json=payload).get_json()["event"]
    assert event["productName"] == "Sneakers"
    assert event["productLink"] == "https://example.com/a"
    assert event["productImage"] == "https://example.com/a.png"


def test_purchase_fields_are_coerced(client, stream):
    payload = {"email": "a@example.com", "total": "55.90", "currency": "usd", "guid": 42}
    event = post(client, stream, json=payload).get_json()["event"]
    assert (event["total"], event["currency"], event["guid"]) == (55.9, "USD", "42")


@pytest.mark.parametrize(
    "field, value",
    [
        ("email", "not-an-email"),
        ("email", 42),
        ("productLink", "javascript:alert(1)"),
        ("productLink", "/relative/path"),
        ("productImage", "data:image/png;base64,AAAA"),
        ("total", -1),
        ("total", "NaN"),
        ("total", "lots"),
        ("currency", "dollars"),
        ("ip", "999.1.1.1"),
        ("firstName", {"nested": "object"}),
        ("products", "not a list"),
    ],
)
def test_invalid_fields_are_422_naming_the_field(client, app, stream, field, value):
    response = post(client, stream, json={"email": "a@example.com", field: value})
    assert response.status_code == 422
    body = response.get_json()
    assert (body["code"], body["status"]) == (422, "Unprocessable Entity")
    assert field in body["errors"]
    assert stored(app) == []


def test_product_errors_are_nested_by_index(client, app, stream):
    products = [{"name": "ok", "link": "https://example.com/ok"}, {"link": "ftp://example.com/x", "price": -3}]
    response = post(client, stream, json={"email": "a@example.com", "products": products})
    assert response.status_code == 422
    errors = response.get_json()["errors"]["products"]["1"]
    assert set(errors) == {"name", "link", "price"}
    assert stored(app) == []


def test_a_stream_event_needs_an_email(client, app, stream):
    response = post(client, stream, json={"firstName": "Nobody"})
    assert response.status_code == 422
    assert "email" in response.get_json()["errors"]
    assert stored(app) == []


def test_an_email_anywhere_in_the_payload_is_found(client, stream):
    payload = {"customer": {"contact": {"email": "deep@example.com"}}, "items": []}
    event = post(client, stream, json=payload).get_json()["event"]
    assert event["email"] == "deep@example.com"
    assert event["sources"]["email"] == "customer.contact.email"


def test_names_come_from_the_email_when_not_given(client, stream):
    event = post(client, stream, json={"email": "john.smith+promo@example.com"}).get_json()["event"]
    assert (event["firstName"], event["lastName"], event["displayName"]) == ("John", "Smith", "John S.")
    assert event["sources"]["name"] == "email"


def test_a_role_address_gives_no_name(client, stream):
    event = post(client, stream, json={"email": "info@example.com"}).get_json()["event"]
    assert event["firstName"] is None and event["displayName"] == "Someone"


def test_names_come_from_a_full_name_field(client, stream):
    event = post(client, stream, json={"email": "x1@example.com", "full_name": "mary o'brien"}).get_json()["event"]
    assert (event["firstName"], event["lastName"]) == ("Mary", "O'Brien")
    assert event["sources"]["name"] == "full_name"


def test_given_names_are_kept_as_given_but_trimmed(client, stream):
    event = post(client, stream, json={"email": "a@example.com", "firstName": "  de Wit "}).get_json()["event"]
    assert event["firstName"] == "de Wit"


def test_geoip_fills_the_place_when_none_is_given(client, stream):
    event = post(client, stream, json={"email": "a@example.com", "ip": LONDON_IP}).get_json()["event"]
    assert (event["city"], event["countryCode"], event["country"]) == ("London", "GB", "United Kingdom")
    assert event["sources"]["location"] == "geoip"


def test_an_explicit_place_turns_geoip_off(client, stream):
    event = post(client, stream, json={"email": "a@example.com", "ip": LONDON_IP, "city": "Paris"}).get_json()["event"]
    assert event["city"] == "Paris"
    assert event["countryCode"] is None
    assert event["sources"]["location"] == "payload"


def test_private_ips_give_no_place(client, stream):
    event = post(client, stream, json={"email": "a@example.com", "ip": "192.168.1.20"}).get_json()["event"]
    assert event["city"] is None and event["country"] is None
    assert event["ip"] == "192.168.1.20"


@pytest.mark.parametrize(
    "given, expected",
    [
        ({"country": "United States"}, {"country": "United States", "countryCode": "US"}),
        ({"countryCode": "gb"}, {"country": "United Kingdom", "countryCode": "GB"}),
        ({"countryCode": "US", "state": "Florida"}, {"state": "Florida", "stateCode": "FL"}),
        ({"countryCode": "US", "stateCode": "fl"}, {"state": "Florida", "stateCode": "FL"}),
    ],
)
def test_countries_and_us_states_resolve_both_ways(client, stream, given, expected):
    event = post(client, stream, json={"email": "a@example.com", **given}).get_json()["event"]
    assert {key: event[key] for key in expected} == expected


def test_an_unknown_place_is_kept_with_a_warning(client, stream):
    body = post(client, stream, json={"email": "a@example.com", "country": "Atlantis"}).get_json()
    assert body["event"]["country"] == "Atlantis" and body["event"]["countryCode"] is None
    assert any("Atlantis" in warning for warning in body["warnings"])


def test_json_without_content_type_is_taken_with_a_warning(client, stream):
    response = post(client, stream, data=json.dumps({"email": "a@example.com"}), content_type="text/plain")
    assert response.status_code == 201
    assert any("application/json" in w for w in response.get_json()["warnings"])
    response = client.post(webhook_path(stream), data=json.dumps({"email": "b@example.com"}).encode())
    assert response.status_code == 201


def test_vendor_json_types_are_json(client, stream):
    response = post(client, stream, data=json.dumps({"email": "a@example.com"}), content_type="application/vnd.x+json")
    assert response.status_code == 201


def test_an_empty_body_is_an_empty_object(client, app, stream, conversion):
    assert post(client, conversion, data=b"", content_type="application/json").status_code == 201
    response = post(client, stream, data=b"", content_type="text/csv")
    assert response.status_code == 422 and "email" in response.get_json()["errors"]


def test_conversion_counts_any_body(client, app, conversion):
    assert post(client, conversion).status_code == 201
    assert post(client, conversion, json={"anything": [1, 2, 3]}).status_code == 201
    response = post(client, conversion, json={"timestamp": 1528611279})
    assert response.get_json()["event"]["timestamp"] == 1528611279000
    assert len(stored(app)) == 3


def test_a_conversion_with_an_unusable_timestamp_still_counts(client, conversion):
    response = post(client, conversion, json={"timestamp": "soon"})
    assert response.status_code == 201
    assert any("timestamp" in w for w in response.get_json()["warnings"])


def test_dry_run_validates_and_stores_nothing(client, app, stream):
    response = post(client, stream, query_string={"dry_run": "1"}, json={"email": "john.smith@example.com"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "valid" and body["event"]["firstName"] == "John"
    assert stored(app) == []
    assert post(client, stream, query_string={"dry_run": "1"}, json={"email": "bad"}).status_code == 422


@pytest.mark.parametrize(
    "how",
    [
        {"headers": {"Idempotency-Key": "order-1001"}, "json": {"email": "a@example.com"}},
        {"json": {"email": "a@example.com", "id": 1001}},
        {"json": {"email": "a@example.com", "orderId": "A-1001"}},
        {"json": {"email": "a@example.com", "order_id": "A-1001"}},
        {"json": {"email": "a@example.com", "external_id": "X"}},
        {"json": {"email": "a@example.com", "event_id": "evt_1"}},
    ],
)
def test_a_repeat_is_answered_as_duplicate_and_stored_once(client, app, stream, how):
    first = post(client, stream, **how)
    second = post(client, stream, **how)
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.get_json()["status"] == "duplicate"
    assert second.get_json()["event"]["id"] == first.get_json()["event"]["id"]
    assert len(stored(app)) == 1


def test_dedup_is_per_notification_and_applies_to_conversions(client, app, stream, conversion):
    headers = {"Idempotency-Key": "same"}
    assert post(client, conversion, headers=headers).status_code == 201
    assert post(client, conversion, headers=headers).status_code == 200
    assert post(client, stream, headers=headers, json={"email": "a@example.com"}).status_code == 201
    assert len(stored(app)) == 2


def test_an_unknown_token_is_404_in_the_error_shape(client):
    response = client.post("/webhooks/nope", json={"email": "a@example.com"})
    assert response.status_code == 404
    body = response.get_json()
    assert (body["code"], body["status"]) == (404, "Not Found") and body["message"]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_are_405_with_allow_post(client, stream, method):
    response = client.open(webhook_path(stream), method=method)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.get_json()["code"] == 405


@pytest.mark.parametrize(
    "data, content_type",
    [
        (b'{"email": ', "application/json"),
        (b"[1, 2]", "application/json"),
        (b'"just a string"', "application/json"),
        (b'{"email": "\xff\xfe"}', "application/json"),
        (b"email=%FF%FE", "application/x-www-form-urlencoded"),
    ],
)
def test_undecodable_bodies_are_400(client, app, stream, data, content_type):
    response = post(client, stream, data=data, content_type=content_type)
    assert response.status_code == 400
    assert response.get_json()["message"]
    assert stored(app) == []


def test_an_unsupported_type_is_415_naming_the_accepted_ones(client, app, stream):
    response = post(client, stream, data=b"<xml/>", content_type="application/xml")
    assert response.status_code == 415
    assert "application/json" in response.get_json()["message"]
    assert stored(app) == []


def test_a_body_over_the_limit_is_413(app_config):
    from webhook import create_app

    app = create_app({**app_config, "MAX_BODY_BYTES": 1000})
    client = app.test_client()
    stream = client.post(
        "/api/notifications", json={"name": "n", "type": "stream"}, headers={"Authorization": f"Bearer {app.config['ADMIN_TOKEN']}"}
    ).get_json()
    response = client.post(webhook_path(stream), json={"email": "a@example.com", "pad": "x" * 2000})
    assert response.status_code == 413
    assert response.get_json()["code"] == 413
    assert stored(app) == []


@pytest.mark.parametrize("field", ["firstName", "city", "currency", "total", "productLink", "productName"])
def test_a_blank_string_is_absent_not_a_500(client, app, stream, field):
    response = post(client, stream, json={"email": "a@example.com", field: "  ", "products": [
        {"name": "Hat", "link": "https://example.com/h", "price": " ", "image": ""}]})
    assert response.status_code == 201, response.get_json()
    event = response.get_json()["event"]
    assert event["productName"] == "Hat" and event["products"] == [{"name": "Hat", "link": "https://example.com/h"}]
    # Blank counts as not sent: the shown product's fields come from products[], the others stay empty.
    assert event.get(field) == {"productName": "Hat", "productLink": "https://example.com/h"}.get(field)


def test_a_duplicate_answer_tells_only_the_stored_event_s_id(client, stream):
    first = post(client, stream, json={"email": "john.smith@example.com", "ip": "8.8.8.8", "id": "order-7"})
    # Anyone with the URL and a guessed order id, an empty body: known as a repeat before it is validated.
    again = post(client, stream, json={}, headers={"Idempotency-Key": "order-7"})
    stored_event = first.get_json()["event"]
    assert again.get_json() == {"status": "duplicate", "warnings": [], "event": {
        "id": stored_event["id"], "timestamp": stored_event["timestamp"], "displayName": "John S."}}
