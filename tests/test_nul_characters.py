"""A NUL character (\\u0000) anywhere in a request: PostgreSQL can't store one, so each is refused, never a 500.

Found by the OpenAPI fuzzer on PostgreSQL: a notification named "\\u0000" was a 500 there and fine on SQLite.
Every test runs on both backends and expects the same answer from each.
"""
import json
from urllib.parse import urlsplit

import pytest

from helpers import stored, webhook_path

NUL = "\x00"


def feed_path(notification: dict) -> str:
    """Return the path part of a notification's feed URL."""
    return urlsplit(notification["feed_url"]).path


@pytest.mark.parametrize("field", ["name", "message", "template", "signing_secret"])
def test_notification_text_with_nul_is_a_422_naming_the_field(client, admin_headers, field):
    body = {"name": "Shop", "type": "stream", field: f"a{NUL}b"}
    response = client.post("/api/notifications", json=body, headers=admin_headers)
    assert response.status_code == 422, response.get_json()
    assert "NUL" in " ".join(response.get_json()["errors"][field])
    assert client.get("/api/notifications", headers=admin_headers).get_json()["notifications"] == []


@pytest.mark.parametrize("payload, field", [
    ({"email": "a@example.com", "firstName": f"Jo{NUL}hn"}, "firstName"),
    ({"email": "a@example.com", "city": NUL}, "city"),
    ({"email": "a@example.com", "guid": f"x{NUL}"}, "guid"),
    ({"email": "a@example.com", "orderId": f"o-{NUL}1"}, "orderId"),
    ({"email": "a@example.com", "products": [{"name": f"Hat{NUL}", "link": "https://example.com/h"}]}, "products"),
    ({"email": "a@example.com", "productName": "Hat", "productLink": f"https://example.com/h{NUL}"}, "productLink"),
    ({"email": "a@example.com", "productName": "Hat", "productImage": f"https://example.com/{NUL}.png"},
     "productImage"),
    ({"email": "a@example.com", "products": [{"name": "Hat", "link": f"https://example.com/h{NUL}x"}]}, "products"),
])
def test_a_webhook_field_with_nul_is_a_422_naming_it_and_stores_nothing(app, client, stream, payload, field):
    response = client.post(webhook_path(stream), json=payload)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert "NUL" in json.dumps(response.get_json()["errors"][field])
    assert stored(app) == []


def test_nul_in_a_token_or_key_is_not_found(client, stream):
    assert client.post("/webhooks/abc%00def", json={"email": "a@example.com"}).status_code == 404
    assert client.get("/feed/abc%00def.json").status_code == 404
    assert client.post("/feed/abc%00def/activity", data=b'{"v": 1, "items": []}').status_code == 204


def test_nul_in_the_feeds_guid_is_a_400_and_in_a_report_is_dropped(app, client, stream):
    response = client.get(feed_path(stream) + "?guid=a%00b")
    assert response.status_code == 400 and "NUL" in response.get_json()["message"]
    report = json.dumps({"v": 1, "guid": f"a{NUL}", "items": [{"id": "e1", "kind": "impression"}]})
    activity = feed_path(stream).removesuffix(".json") + "/activity"
    assert client.post(activity, data=report, content_type="text/plain").status_code == 204
    assert stored(app, "SELECT * FROM activity") == []
