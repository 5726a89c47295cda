"""The admin JSON API: auth, the notification object, events, delete."""
import pytest

from helpers import ADMIN_TOKEN, csrf_token_from, log_in, stored, webhook_path

NOTIFICATION_KEYS = {
    "id", "name", "type", "message", "webhook_url", "preview_url", "created_at", "event_count", "event_count_24h",
}


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/api/notifications"),
        ("POST", "/api/notifications"),
        ("GET", "/api/notifications/1"),
        ("GET", "/api/notifications/1/events"),
        ("DELETE", "/api/notifications/1"),
    ],
)
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {ADMIN_TOKEN}"}])
def test_every_api_call_needs_the_admin_token(client, method, path, headers):
    response = client.open(path, method=method, headers=headers, json={"name": "x", "type": "stream"})
    assert response.status_code == 401
    body = response.get_json()
    assert (body["code"], body["status"]) == (401, "Unauthorized") and body["message"]


def test_create_returns_the_notification_object(client, admin_headers):
    response = client.post(
        "/api/notifications", json={"name": "Purchases", "type": "stream", "message": "bought"}, headers=admin_headers
    )
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) >= NOTIFICATION_KEYS
    assert (body["name"], body["type"], body["message"]) == ("Purchases", "stream", "bought")
    assert body["webhook_url"].startswith("http://localhost/webhooks/")
    token = body["webhook_url"].rsplit("/", 1)[1]
    assert len(token) >= 22  # ≥ 128 random bits, URL-safe base64
    assert body["preview_url"] == f"http://localhost/notifications/{body['id']}"
    assert (body["event_count"], body["event_count_24h"]) == (0, 0)


def test_each_type_has_a_default_message(make_notification):
    assert make_notification("stream")["message"] == "purchased"
    assert make_notification("conversion")["message"] == "signed up"


def test_webhook_tokens_are_unique(make_notification):
    urls = {make_notification()["webhook_url"] for _ in range(5)}
    assert len(urls) == 5


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"type": "stream"}, "name"),
        ({"name": "", "type": "stream"}, "name"),
        ({"name": "x", "type": "popup"}, "type"),
        ({"name": "x"}, "type"),
        ({"name": "x", "type": "stream", "colour": "red"}, "colour"),
        ({"name": "x" * 101, "type": "stream"}, "name"),
    ],
)
def test_invalid_notifications_are_422(client, admin_headers, payload, field):
    response = client.post("/api/notifications", json=payload, headers=admin_headers)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert client.get("/api/notifications", headers=admin_headers).get_json() == {"notifications": []}


def test_list_and_get_show_counts(client, admin_headers, stream):
    client.post(webhook_path(stream), json={"email": "a@example.com"})
    client.post(webhook_path(stream), json={"email": "b@example.com", "timestamp": 1528611279})
    listed = client.get("/api/notifications", headers=admin_headers).get_json()["notifications"]
    assert [n["id"] for n in listed] == [stream["id"]]
    one = client.get(f"/api/notifications/{stream['id']}", headers=admin_headers).get_json()
    assert (one["event_count"], one["event_count_24h"]) == (2, 1)
    assert listed[0] == one


def test_events_are_newest_first_and_limited(client, admin_headers, stream):
    for i in range(5):
        client.post(webhook_path(stream), json={"email": f"user{i}@example.com", "timestamp": 1_600_000_000 + i})
    url = f"/api/notifications/{stream['id']}/events"
    events = client.get(url, headers=admin_headers).get_json()["events"]
    assert [e["email"] for e in events] == [f"user{i}@example.com" for i in reversed(range(5))]
    assert len(client.get(url + "?limit=2", headers=admin_headers).get_json()["events"]) == 2
    for bad in ("0", "1001", "x", "-1"):
        response = client.get(url + f"?limit={bad}", headers=admin_headers)
        assert response.status_code == 422 and "limit" in response.get_json()["errors"]


def test_missing_notifications_are_404(client, admin_headers):
    for method, path in [("GET", "/api/notifications/99"), ("GET", "/api/notifications/99/events"),
                         ("DELETE", "/api/notifications/99")]:
        response = client.open(path, method=method, headers=admin_headers)
        assert response.status_code == 404 and response.get_json()["code"] == 404


def test_delete_removes_the_notification_and_its_events(client, app, admin_headers, stream):
    client.post(webhook_path(stream), json={"email": "a@example.com"})
    assert client.delete(f"/api/notifications/{stream['id']}", headers=admin_headers).status_code == 204
    assert client.get(f"/api/notifications/{stream['id']}", headers=admin_headers).status_code == 404
    assert client.post(webhook_path(stream), json={"email": "a@example.com"}).status_code == 404
    assert stored(app, "SELECT COUNT(*) AS n FROM events") == [{"n": 0}]


def test_a_browser_session_reads_the_api_but_writes_only_with_csrf(client):
    log_in(client)
    assert client.get("/api/notifications").status_code == 200
    refused = client.post("/api/notifications", json={"name": "x", "type": "stream"})
    assert refused.status_code == 400
    token = csrf_token_from(client.get("/notifications").text)
    accepted = client.post("/api/notifications", json={"name": "x", "type": "stream"}, headers={"X-CSRFToken": token})
    assert accepted.status_code == 201


def test_public_url_is_the_base_of_handed_out_urls(app_config):
    from webhook import create_app

    app = create_app({**app_config, "PUBLIC_URL": "https://proof.example.com/"})
    client = app.test_client()
    body = client.post(
        "/api/notifications", json={"name": "n", "type": "stream"}, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    ).get_json()
    assert body["webhook_url"].startswith("https://proof.example.com/webhooks/")
    assert body["preview_url"] == f"https://proof.example.com/notifications/{body['id']}"


def test_unknown_api_routes_answer_in_the_error_shape(client, admin_headers):
    response = client.get("/api/nothing-here", headers=admin_headers)
    assert response.status_code == 404 and response.get_json()["status"] == "Not Found"


def test_patch_changes_only_what_is_sent(client, admin_headers, stream):
    url = f"/api/notifications/{stream['id']}"
    response = client.patch(url, json={"message": "bought"}, headers=admin_headers)
    assert response.status_code == 200
    assert (response.get_json()["name"], response.get_json()["message"]) == (stream["name"], "bought")
    assert client.get(url, headers=admin_headers).get_json()["message"] == "bought"


@pytest.mark.parametrize("payload, field", [({"type": "conversion"}, "type"), ({"name": ""}, "name"), ({"x": 1}, "x")])
def test_patch_refuses_bad_changes(client, admin_headers, stream, payload, field):
    response = client.patch(f"/api/notifications/{stream['id']}", json=payload, headers=admin_headers)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert client.get(f"/api/notifications/{stream['id']}", headers=admin_headers).get_json() == stream


def test_patch_of_a_missing_notification_is_404(client, admin_headers):
    assert client.patch("/api/notifications/404", json={"name": "x"}, headers=admin_headers).status_code == 404
