"""The public feed: what visitors see, its options, CORS and caching; the widget script; public keys."""
import base64
import gzip
import hashlib
import re
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import request, request_started
from rjsmin import jsmin

from helpers import csrf_token_from, log_in, post_event, stored, webhook_path
from webhook import create_app, showing
from webhook.storage import connection, event_store, notification_store
from webhook.storage.connection import open_database, target, transaction
from webhook.blueprints.feed import feed_etag
from webhook.widget import widget_integrity, widget_version
from webhook.vocabulary import now_ms

WIDGET_JS = Path(__file__).parents[1] / "webhook" / "static" / "widget.js"
STREAM_ITEM_KEYS = {
    "id", "type", "name", "initials", "place", "city", "state", "stateCode", "country", "countryCode", "message",
    "product", "timestamp", "timeAgo", "text", "who", "what",
}
FULL_PAYLOAD = {
    "email": "john.zimmerman@example.com",
    "ip": "81.2.69.160",
    "firstName": "John",
    "lastName": "Zimmerman",
    "city": "Miami",
    "state": "Florida",
    "countryCode": "US",
    "productName": "Sneakers",
    "productLink": "https://example.com/sneakers",
    "productImage": "https://example.com/sneakers.jpg",
    "total": 55,
    "currency": "USD",
    "guid": "shoes",
    "phone": "+1 555 0100",
    "note": "raw-only-secret",
    "customer": {"email": "second.address@example.com", "password": "hunter2"},
}


def feed_path(notification: dict) -> str:
    """Return the path part of a notification's feed URL."""
    return urlsplit(notification["feed_url"]).path


def items(client, notification, query: str = "") -> list[dict]:
    """Return the items of a notification's feed."""
    response = client.get(feed_path(notification) + query)
    assert response.status_code == 200
    return response.get_json()["items"]


def cancel(app, notification, dedup_key: str) -> bool:
    """Hide an event as a cancelled order is hidden."""
    with app.app_context():
        return event_store.hide_event(notification["id"], dedup_key)


def patch(client, admin_headers, notification, **options) -> dict:
    """Change a notification's options through the API."""
    response = client.patch(f"/api/notifications/{notification['id']}", json=options, headers=admin_headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# --- contents and privacy -----------------------------------------------------------------------------------


def test_the_feed_shows_a_visitor_only_the_popup(client, city_stream):
    sent = time.time() - 180
    post_event(client, city_stream, {**FULL_PAYLOAD, "timestamp": sent})
    response = client.get(feed_path(city_stream))
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["type"] == "stream" and isinstance(body["now"], int)
    [item] = body["items"]
    assert set(item) == STREAM_ITEM_KEYS
    assert item["name"] == "John Z." and item["initials"] == "JZ"
    assert item["place"] == "Miami, Florida"
    assert (item["city"], item["stateCode"], item["countryCode"]) == ("Miami", "FL", "US")
    assert item["message"] == "purchased"
    assert item["product"] == {
        "name": "Sneakers", "link": "https://example.com/sneakers", "image": "https://example.com/sneakers.jpg",
    }
    assert item["timestamp"] == int(sent * 1000)
    assert item["timeAgo"] in ("2 minutes ago", "3 minutes ago")  # counted from the start of the minute


def test_the_feed_never_holds_email_ip_last_name_or_the_raw_payload(client, city_stream):
    post_event(client, city_stream, {**FULL_PAYLOAD})
    # Placed by GeoIP from the IP.
    post_event(client, city_stream, {"email": "jane.roe@example.com", "ip": "81.2.69.160"})
    text = client.get(feed_path(city_stream)).get_data(as_text=True)
    for secret in ("john.zimmerman", "@", "81.2.69", "Zimmerman", "Roe",
                   "555 0100", "raw-only-secret", "hunter2", "second.address", "USD",
                   urlsplit(city_stream["webhook_url"]).path.rsplit("/", 1)[1]):
        assert secret not in text, secret
    assert "London" in text  # the GeoIP place is shown, the IP it came from is not


def test_an_unknown_key_is_a_json_404_anyone_can_read(client, stream):
    for key in ("nope", urlsplit(stream["webhook_url"]).path.rsplit("/", 1)[1]):  # a webhook token is no key
        response = client.get(f"/feed/{key}.json")
        assert response.status_code == 404
        body = response.get_json()
        assert (body["code"], body["status"]) == (404, "Not Found") and "public key" in body["message"]
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_cancelled_events_are_not_in_the_feed(app, client, stream):
    post_event(client, stream, {"email": "a@example.com", "firstName": "Ann", "orderId": "o-1"})
    post_event(client, stream, {"email": "b@example.com", "firstName": "Bob", "orderId": "o-2"})
    assert cancel(app, stream, "o-1")
    assert [item["name"] for item in items(client, stream)] == ["Bob"]


# --- options ------------------------------------------------------------------------------------------------


def test_new_notifications_have_the_default_options(stream, conversion):
    assert (stream["feed_days"], stream["feed_max_items"]) == (7, 20)
    assert (stream["feed_hide_anonymous"], stream["feed_hide_placeless"]) == (False, False)
    assert (conversion["conversion_window_hours"], conversion["conversion_min_count"]) == (24, 1)


def test_days_back_and_max_items(client, admin_headers, stream):
    now = time.time()
    for days_ago, name in ((0.1, "New"), (2.5, "Older"), (8, "Oldest")):
        post_event(client, stream,
                   {"email": f"{name}@example.com", "firstName": name, "timestamp": now - days_ago * 86400})
    assert [i["name"] for i in items(client, stream)] == ["New", "Older"]  # 7 days by default
    patch(client, admin_headers, stream, feed_days=2)
    assert [i["name"] for i in items(client, stream)] == ["New"]
    patch(client, admin_headers, stream, feed_days=30, feed_max_items=2)
    assert [i["name"] for i in items(client, stream)] == ["New", "Older"]
    patch(client, admin_headers, stream, feed_max_items=3)
    assert [i["name"] for i in items(client, stream)] == ["New", "Older", "Oldest"]


def test_hiding_events_without_a_name_or_a_place(client, admin_headers, stream):
    # No name: "Someone".
    post_event(client, stream, {"email": "info@example.com", "city": "Paris", "countryCode": "FR"})
    post_event(client, stream, {"email": "x@example.com", "firstName": "Nora"})  # no place
    post_event(client, stream, {"email": "y@example.com", "firstName": "Pia", "countryCode": "DE"})
    assert {i["name"] for i in items(client, stream)} == {"Someone", "Nora", "Pia"}
    patch(client, admin_headers, stream, feed_hide_anonymous=True)
    assert {i["name"] for i in items(client, stream)} == {"Nora", "Pia"}
    patch(client, admin_headers, stream, feed_hide_anonymous=False, feed_hide_placeless="on")
    assert {i["name"] for i in items(client, stream)} == {"Someone", "Pia"}
    patch(client, admin_headers, stream, feed_hide_anonymous=1)
    assert [i["name"] for i in items(client, stream)] == ["Pia"]


def test_guid_filters_to_one_product(client, stream, conversion):
    post_event(client, stream, {"email": "a@example.com", "firstName": "Ann", "guid": "shoes"})
    post_event(client, stream, {"email": "b@example.com", "firstName": "Bob", "guid": "hats"})
    post_event(client, stream, {"email": "c@example.com", "firstName": "Cy"})
    assert [i["name"] for i in items(client, stream, "?guid=shoes")] == ["Ann"]
    assert items(client, stream, "?guid=socks") == []
    assert len(items(client, stream, "?guid=")) == 3  # empty means no filter
    for guid in ("plan-a", "plan-a", "plan-b"):
        post_event(client, conversion, {"guid": guid})
    assert items(client, conversion, "?guid=plan-a")[0]["count"] == 2
    assert items(client, conversion)[0]["count"] == 3


def test_conversion_count_window_and_minimum(client, admin_headers, conversion):
    now = time.time()
    for hours_ago in (0.5, 1, 30):
        post_event(client, conversion, {"timestamp": now - hours_ago * 3600})
    [item] = items(client, conversion)
    assert item.pop("id")  # the opaque id the widget reports by (tests/test_activity.py)
    assert item == {
        "type": "conversion", "count": 2, "message": "signed up", "windowHours": 24,
        "text": "2 people signed up in the last 24 hours",
    }
    patch(client, admin_headers, conversion, conversion_window_hours=48)
    assert items(client, conversion)[0]["text"] == "3 people signed up in the last 48 hours"
    patch(client, admin_headers, conversion, conversion_min_count=4)
    assert items(client, conversion) == []
    patch(client, admin_headers, conversion, conversion_min_count=3)
    assert items(client, conversion)[0]["count"] == 3


def test_an_empty_conversion_feed_has_no_popup(client, conversion):
    assert items(client, conversion) == []  # "0 people signed up" is no social proof


@pytest.mark.parametrize(
    "field, value",
    [
        ("feed_days", 0), ("feed_days", 366), ("feed_days", 7.5), ("feed_days", "abc"), ("feed_days", True),
        ("feed_days", None), ("feed_max_items", 0), ("feed_max_items", 101), ("feed_hide_anonymous", "maybe"),
        ("feed_hide_placeless", 2), ("conversion_window_hours", 0), ("conversion_window_hours", 721),
        ("conversion_min_count", 0), ("conversion_min_count", -1),
    ],
)
def test_options_out_of_range_are_422_and_change_nothing(client, admin_headers, stream, field, value):
    response = client.patch(f"/api/notifications/{stream['id']}", json={field: value}, headers=admin_headers)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert client.get(f"/api/notifications/{stream['id']}", headers=admin_headers).get_json() == stream


def test_options_can_be_given_at_creation(make_notification):
    made = make_notification("conversion", conversion_window_hours=72, conversion_min_count="5")
    assert (made["conversion_window_hours"], made["conversion_min_count"]) == (72, 5)


def test_the_settings_form_saves_the_options(client, admin_headers, stream):
    log_in(client)
    page = client.get(f"/notifications/{stream['id']}").text
    assert 'name="feed_days"' in page and 'name="feed_hide_placeless"' in page
    fields = {"name": "n", "feed_days": "3", "feed_max_items": "5", "feed_hide_anonymous": "1",
              "feed_hide_placeless": "0", "csrf_token": csrf_token_from(page)}
    assert client.post(f"/notifications/{stream['id']}/settings", data=fields).status_code == 302
    found = client.get(f"/api/notifications/{stream['id']}", headers=admin_headers)
    assert (found.get_json()["feed_days"], found.get_json()["feed_hide_anonymous"]) == (3, True)
    bad = client.post(f"/notifications/{stream['id']}/settings", data={**fields, "feed_days": "0"})
    assert bad.status_code == 422 and 'value="0"' in bad.text


# --- one description behind the preview and the feed ---------------------------------------------------------


def test_the_preview_shows_the_feed(client, admin_headers, stream):
    post_event(client, stream, {"email": "info@example.com"})
    post_event(client, stream,
               {"email": "a@example.com", "firstName": "Ann", "lastName": "Lee", "city": "Oslo", "countryCode": "NO"})
    patch(client, admin_headers, stream, feed_hide_anonymous=True)
    log_in(client)
    page = client.get(f"/notifications/{stream['id']}").text
    [item] = items(client, stream)
    assert f"<strong><bdi>{item['name']}</bdi></strong> from <bdi>{item['place']}</bdi>" in page
    assert "<strong><bdi>Someone</bdi></strong>" not in page


def test_the_page_shows_key_feed_url_and_snippet(client, stream):
    log_in(client)
    page = client.get(f"/notifications/{stream['id']}").text
    key = stream["public_key"]
    assert stream["feed_url"] == f"http://localhost/feed/{key}.json"
    assert f"<code>{key}</code>" in page and stream["feed_url"] in page
    assert f"&lt;script src=&#34;http://localhost/widget.js&#34; data-key=&#34;{key}&#34; async&gt;" in page


# --- caching and CORS ---------------------------------------------------------------------------------------


def test_the_feed_is_cacheable_and_open_to_any_origin(client, stream):
    response = client.get(feed_path(stream), headers={"Origin": "https://shop.example.com"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] in ("public, max-age=30", "max-age=30, public")
    assert response.headers["ETag"].startswith('"') and len(response.headers["ETag"]) > 20


@pytest.mark.parametrize(
    "header",
    ['{etag}', 'W/{etag}', '"other", {etag}', '"a",W/{etag} ,"b"', '*'],
)
def test_if_none_match_answers_304(client, stream, header):
    post_event(client, stream, {"email": "a@example.com"})
    etag = client.get(feed_path(stream)).headers["ETag"]
    response = client.get(feed_path(stream), headers={"If-None-Match": header.format(etag=etag)})
    assert response.status_code == 304 and response.get_data() == b""
    assert response.headers["ETag"] == etag and response.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=30" in response.headers["Cache-Control"]


@pytest.fixture
def flask_dispatches(app):
    """Count the requests that reach Flask's request handling (FeedShortcut answers the others before it)."""
    seen = []

    def count(sender, **extra) -> None:
        """Note one request Flask dispatched."""
        seen.append(request.path)

    request_started.connect(count, app)
    yield seen
    request_started.disconnect(count, app)


def test_a_feed_read_the_process_can_answer_skips_flask_and_answers_the_same(client, stream, flask_dispatches):
    post_event(client, stream, {"email": "ann.lee@example.com", "firstName": "Ann", "productName": "Hat",
                                "productLink": "https://example.com/hat"})
    path = feed_path(stream)
    flask_dispatches.clear()
    built = client.get(path)  # the first read builds the body, through Flask
    assert flask_dispatches == [path]
    again = client.get(path)
    revalidated = client.get(path, headers={"If-None-Match": built.headers["ETag"]})
    assert flask_dispatches == [path]  # both answered by the shortcut
    # `?guid=` (empty: no filter) always goes through Flask: its answers must be the shortcut's, byte for byte.
    through_flask = client.get(path + "?guid=")
    through_flask_304 = client.get(path + "?guid=", headers={"If-None-Match": built.headers["ETag"]})
    assert flask_dispatches == [path, path, path]
    for shortcut, flask in ((again, through_flask), (revalidated, through_flask_304)):
        assert (shortcut.status_code, shortcut.get_data()) == (flask.status_code, flask.get_data())
        assert sorted(shortcut.headers.items()) == sorted(flask.headers.items())
    assert again.status_code == 200 and again.get_json()["items"][0]["name"] == "Ann"
    assert revalidated.status_code == 304


@pytest.mark.parametrize("method, suffix", [("HEAD", ".json"), ("GET", ".json?guid=shoes"), ("GET", "x.json")])
def test_other_feed_requests_go_on_to_flask(client, stream, flask_dispatches, method, suffix):
    path = feed_path(stream)
    client.get(path)
    flask_dispatches.clear()
    response = client.open(path.removesuffix(".json") + suffix, method=method)
    assert len(flask_dispatches) == 1
    assert response.status_code == (404 if suffix == "x.json" else 200)


def test_a_new_event_is_seen_through_the_shortcut(client, stream, flask_dispatches):
    path = feed_path(stream)
    first = client.get(path)
    post_event(client, stream, {"email": "bo.diaz@example.com", "firstName": "Bo"})
    response = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert response.status_code == 200 and [i["name"] for i in response.get_json()["items"]] == ["Bo"]
    assert response.headers["ETag"] != first.headers["ETag"]


def test_another_etag_gets_the_whole_feed(client, stream):
    response = client.get(feed_path(stream), headers={"If-None-Match": '"stale", W/"older"'})
    assert response.status_code == 200 and response.get_json()["items"] == []


def test_every_change_a_visitor_can_see_gives_a_new_etag(app, client, admin_headers, stream):
    def etag(query=""):
        return client.get(feed_path(stream) + query).headers["ETag"]

    seen = [etag()]
    post_event(client, stream, {"email": "a@example.com", "orderId": "o-1"})
    seen.append(etag())
    duplicate = client.post(webhook_path(stream), json={"email": "a@example.com", "orderId": "o-1"})
    assert duplicate.get_json()["status"] == "duplicate" and etag() == seen[-1]  # nothing changed
    post_event(client, stream, {"email": "b@example.com", "firstName": "Bo", "orderId": "o-2"})
    seen.append(etag())
    patch(client, admin_headers, stream, feed_max_items=1)
    seen.append(etag())
    assert cancel(app, stream, "o-2")  # what a refund or cancellation webhook does
    seen.append(etag())
    assert all(earlier != later for earlier, later in zip(seen, seen[1:]))
    assert seen[-1] == seen[1]  # the same popups as then: the ETag names what is shown, not how it came to be


def test_events_the_feed_does_not_show_leave_its_etag_alone(client, admin_headers, stream, conversion):
    # Otherwise a visitor could count what the owner chose not to show.
    patch(client, admin_headers, stream, feed_hide_anonymous=True)
    patch(client, admin_headers, conversion, conversion_min_count=5)
    post_event(client, stream, {"email": "x@example.com", "firstName": "Nora", "guid": "hats"})
    before = {path: client.get(path).headers["ETag"]
              for path in (feed_path(stream), feed_path(stream) + "?guid=shoes", feed_path(conversion))}
    post_event(client, stream, {"email": "info@example.com", "city": "Paris", "countryCode": "FR"})  # anonymous: hidden
    # Another guid than shoes.
    post_event(client, stream, {"email": "y@example.com", "firstName": "Pia", "guid": "hats"})
    for _ in range(3):
        post_event(client, conversion, {})  # below the minimum of 5
    after = client.get(feed_path(stream)).headers["ETag"]
    assert after != before[feed_path(stream)]  # Pia is shown there
    for path in (feed_path(stream) + "?guid=shoes", feed_path(conversion)):
        answer = client.get(path, headers={"If-None-Match": before[path]})
        assert answer.status_code == 304 and answer.headers["ETag"] == before[path], path


def test_the_etag_follows_the_clock_and_hides_the_change_counter(app, stream):
    with app.app_context():
        key = stream["public_key"]
        notification_id, version = notification_store.feed_version_by_public_key(key)
        minute = 60_000 * 29_000_000
        etag = feed_etag(key, notification_id, version, minute, None)
        assert etag == feed_etag(key, notification_id, version, minute, None)
        assert etag != feed_etag(key, notification_id, version, minute + 60_000, None)
        assert etag != feed_etag(key, notification_id, version + 1, minute, None)
        assert etag != feed_etag(key, notification_id + 1, version, minute, None)
        assert etag != feed_etag(key, notification_id, version, minute, "shoes")
        assert etag != feed_etag(key + "x", notification_id, version, minute, None)
        assert re.fullmatch("[0-9a-f]{32}", etag)  # an HMAC: the event counter can't be read back from it


def test_a_new_notification_never_gets_a_deleted_ones_cached_feed(client, admin_headers, make_notification, backend):
    gone = make_notification("stream")
    post_event(client, gone, {"email": "ann.secret@example.com", "firstName": "Ann"})
    assert [i["name"] for i in items(client, gone)] == ["Ann"]  # its body is now cached under its ETag
    assert client.delete(f"/api/notifications/{gone['id']}", headers=admin_headers).status_code == 204
    new = make_notification("stream")
    if backend == "sqlite":
        assert new["id"] == gone["id"]  # SQLite hands the id on: the case this test is about
    # The same change count as the deleted one had.
    post_event(client, new, {"email": "bo.diaz@example.com", "firstName": "Bo"})
    assert [i["name"] for i in items(client, new)] == ["Bo"]


def test_reading_the_feed_never_waits_for_a_writer(client, app, stream):
    post_event(client, stream, {"email": "a@example.com", "firstName": "Ann"})
    with closing(open_database(target(app.config), app.config)) as writer:
        with transaction(writer):  # holds the write lock, as a webhook in the middle of its insert does
            writer.execute("UPDATE notifications SET feed_version = feed_version + 1")
            started = time.monotonic()
            assert [i["name"] for i in items(client, stream)] == ["Ann"]
            waited = time.monotonic() - started
    assert waited < 1  # the busy timeout is 5 s: a read that took the lock would wait


# --- public keys --------------------------------------------------------------------------------------------


def test_public_keys_are_random_unique_and_not_the_webhook_token(make_notification):
    made = [make_notification() for _ in range(5)]
    keys = {n["public_key"] for n in made}
    assert len(keys) == 5 and all(len(key) >= 22 for key in keys)  # ≥ 128 random bits, URL-safe base64
    assert not keys & {webhook_path(n).rsplit("/", 1)[1] for n in made}


def test_notifications_made_before_the_feed_get_a_key_at_start(app_config, client, stream):
    stored(client.application, "UPDATE notifications SET public_key = NULL RETURNING id")
    restarted = create_app(app_config)
    with restarted.app_context():
        [found] = notification_store.list_notifications()
        assert found["public_key"] and found["public_key"] != stream["public_key"]
        assert notification_store.ensure_public_keys() == 0


# --- the widget script --------------------------------------------------------------------------------------


def test_the_widget_is_small_cacheable_javascript(client):
    response = client.get("/widget.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert "public" in response.headers["Cache-Control"] and "max-age=300" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Encoding" not in response.headers  # a client that doesn't accept gzip gets it plain
    source = response.get_data(as_text=True)
    assert "innerHTML" not in source and "eval(" not in source and "textContent" in source
    response.close()


def test_the_widget_is_sent_compressed_within_its_budget(client):
    response = client.get("/widget.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in response.headers["Vary"]
    assert len(response.get_data()) <= 6 * 1024  # the published budget (README, "Put it on your site")
    assert gzip.decompress(response.get_data()) == jsmin(WIDGET_JS.read_bytes())  # the source, minified
    again = client.get("/widget.js", headers={"Accept-Encoding": "gzip", "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_a_versioned_widget_url_is_cached_for_a_year_and_its_integrity_hash_matches(client):
    script = client.get("/widget.js").get_data()
    with client.application.app_context():
        version, integrity = widget_version(), widget_integrity()
    pinned = client.get(f"/widget.js?v={version}")
    assert pinned.get_data() == script and "max-age=31536000" in pinned.headers["Cache-Control"]
    assert integrity == "sha384-" + base64.b64encode(hashlib.sha384(script).digest()).decode()
    assert "max-age=300" in client.get("/widget.js?v=stale").headers["Cache-Control"]


def test_the_notification_page_offers_the_pinned_snippet(client, stream):
    log_in(client)
    page = client.get(f"/notifications/{stream['id']}").text
    with client.application.app_context():
        version, integrity = widget_version(), widget_integrity()
    assert f"/widget.js?v={version}&#34; data-key=&#34;{stream['public_key']}&#34;" in page
    assert f"integrity=&#34;{integrity}&#34; crossorigin=&#34;anonymous&#34;" in page


@pytest.mark.backends("sqlite")
def test_a_feed_filtered_by_guid_reads_through_an_index(app, client, stream):
    for n in range(30):
        post_event(client, stream, {"email": f"user{n}@example.com", "firstName": "Ann", "guid": f"g{n % 3}"})
    with app.app_context():
        conn = connection.get_db()
        statements = []
        conn.set_trace_callback(statements.append)
        notification = notification_store.get_notification(stream["id"])
        showing.popups(notification, "random-guid-nobody-has", now_ms())
        conn.set_trace_callback(None)
        filtered = [sql for sql in statements if "guid = " in sql]
        assert filtered
        for sql in filtered:
            plan = " ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
            assert "events_by_guid" in plan, plan


def test_bidi_overrides_zero_width_characters_and_towers_of_marks_never_reach_visitors(client, city_stream):
    zalgo = "Z" + "\u0301\u0302\u0303\u0304\u0305\u0306" * 6
    post_event(client, city_stream, {"email": "x@example.com", "firstName": "Nora\u200b\u200d", "city": "Pa\u202eris",
                                     "productName": "Mat \u202egpj.exe\u2066\u2069" + zalgo + " Crème Phở"})
    [item] = items(client, city_stream)
    assert (item["name"], item["city"], item["place"]) == ("Nora", "Paris", "Paris")
    assert item["product"]["name"] == "Mat gpj.exe" + "Z\u0301\u0302\u0303" + " Crème Phở"
