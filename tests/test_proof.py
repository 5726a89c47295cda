"""Proof and privacy: how events arrived and their public proof pages, the re-identification guards, retention."""
import base64
import hashlib
import hmac
import json
import re
import time
from datetime import datetime, timezone
from urllib.parse import urlsplit

import pytest
import requests

from helpers import (ADMIN_TOKEN, csrf_token_from, log_in, made_recent, platform_request, post_event, stored,
                     webhook_path)
from servers import gunicorn, served_env
from webhook import create_app, history, signatures
from webhook.blueprints import proof
from webhook.storage import notification_store
from webhook.headers import CONTENT_SECURITY_POLICY
from webhook.vocabulary import now_ms

SECRET = "shpss_proof-test-secret"
DAY_S = 24 * 60 * 60
ANN = {"email": "ann.lee@example.com"}  # the buyer of the events these tests post


def feed(client, notification) -> list[dict]:
    """Return the items of a notification's feed."""
    response = client.get(urlsplit(notification["feed_url"]).path)
    assert response.status_code == 200
    return response.get_json()["items"]


def shopify_order(client, notification, secret: str | None = None):
    """Send the Shopify orders/create fixture (dated a minute ago), signed with `secret` as Shopify signs."""
    headers, body = platform_request("shopify_orders_create.json")
    body = made_recent(body)
    del headers["X-Shopify-Hmac-Sha256"]
    if secret is not None:
        digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
        headers["X-Shopify-Hmac-Sha256"] = base64.b64encode(digest).decode()
    response = client.post(webhook_path(notification), data=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return json.loads(body)


def proof_path(notification, item) -> str:
    """Return the path of a popup's proof page, as the widget builds it."""
    return f"/proof/{notification['public_key']}/{item['id']}"


def places(client, notification) -> list:
    """Return the place line of every popup of a notification's feed, newest first."""
    return [item["place"] for item in feed(client, notification)]


# --- how an event arrived, and its proof ------------------------------------------------------------------------


def test_a_signed_shopify_order_is_verified_and_its_proof_shows_nothing_private(client, app, make_notification):
    notification = make_notification(signing_secret=SECRET, show_verified=True)
    order = shopify_order(client, notification, SECRET)
    [item] = feed(client, notification)
    assert item["proof"] == {"kind": "verified", "label": "\u2713 Verified"}
    [row] = stored(app)
    assert (row["arrival"], row["signature_scheme"]) == ("verified", "x-shopify-hmac-sha256")

    response = client.get(proof_path(notification, item))
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "A paid Shopify order, signature verified (Shopify&#39;s X-Shopify-Hmac-Sha256)." in page
    received = datetime.fromtimestamp(row["received_at"] // 60_000 * 60, timezone.utc)
    assert received.strftime("%d %B %Y, %H:%M UTC") in page
    assert "<strong><bdi>John S.</bdi></strong>" in page and "Runner Sneakers" in page and item["timeAgo"] in page
    # One order from Miami: the small-place guard (k = 3) shows the country, and so does its proof.
    assert item["place"] == "United States" and "from <bdi>United States</bdi>" in page
    private = [order["email"], order["billing_address"]["address1"], order["billing_address"]["address2"],
               order["billing_address"]["zip"], "Smith", "Miami", "Florida", order["name"], "@"]
    for text in private:
        assert text not in page, text
    for number in (order["id"], order["order_number"], order["total_price"], "114", "101.5"):
        assert not re.search(rf"\b{re.escape(str(number))}\b", page), number
    assert "<script" not in page
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "public, max-age=60" and response.headers["ETag"]
    assert "Set-Cookie" not in response.headers
    again = client.get(proof_path(notification, item), headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_an_unsigned_order_never_says_verified(client, app, make_notification):
    notification = make_notification(show_verified=True)
    shopify_order(client, notification)
    [item] = feed(client, notification)
    assert item["proof"]["kind"] == "unsigned" and "verified" not in item["proof"]["label"].lower()
    page = client.get(proof_path(notification, item)).get_data(as_text=True)
    assert "A paid Shopify order, sent to the webhook without a signature." in page
    assert "verified" not in page.lower()


def test_an_imported_order_says_imported_from_history_never_verified(client, app, make_notification):
    notification = make_notification(signing_secret=SECRET, show_verified=True)
    line = json.dumps({"email": "ann.lee@example.com", "city": "London", "countryCode": "GB", "id": "h1",
                       "productName": "Tote", "timestamp": int(time.time()) - 600})
    with app.app_context():
        report = history.import_history(notification_store.get_notification(notification["id"]), line.encode(), "jsonl")
    assert report.totals["imported"] == 1
    [item] = feed(client, notification)
    assert item["proof"] == {"kind": "imported", "label": "Imported from history"}
    page = client.get(proof_path(notification, item)).get_data(as_text=True)
    assert "An event sent to Proofhook, imported from history." in page
    assert "verified" not in page.lower()


def test_the_mark_is_off_by_default_and_its_pages_with_it(client, stream):
    post_event(client, stream, ANN)
    [item] = feed(client, stream)
    assert "proof" not in item
    assert client.get(proof_path(stream, item)).status_code == 404
    assert client.get(f"/proof/{stream['public_key']}").status_code == 404


def test_a_proof_is_only_for_a_popup_the_feed_shows(client, make_notification):
    notification = make_notification(show_verified=True)
    post_event(client, notification, ANN)
    assert client.get(f"/proof/{notification['public_key']}/AiF49f-_JPPCkeHx").status_code == 404
    assert client.get("/proof/no-such-key").status_code == 404


def test_how_these_popups_are_made_counts_each_kind_and_states_the_rules(client, app, make_notification):
    notification = make_notification(signing_secret=SECRET, show_verified=True, feed_days=3, time_blur_minutes=0)
    shopify_order(client, notification, SECRET)
    line = json.dumps({"email": "ann.lee@example.com", "id": "h1", "timestamp": int(time.time()) - 600})
    old = json.dumps({"email": "old@example.com", "id": "h2", "timestamp": int(time.time()) - 5 * DAY_S})
    with app.app_context():
        history.import_history(notification_store.get_notification(notification["id"]), f"{line}\n{old}".encode(), "jsonl")
    [item, _] = feed(client, notification)
    proof = client.get(proof_path(notification, item)).get_data(as_text=True)
    assert f'href="/proof/{notification["public_key"]}"' in proof  # the proof links to the page below
    response = client.get(f"/proof/{notification['public_key']}")
    assert response.status_code == 200 and response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    page = response.get_data(as_text=True)
    cells = dict(re.findall(r'<th scope="row">([^<]+)</th><td class="num">(\d+)</td>', page))
    # The 5-day-old import is outside the 3-day window.
    assert cells == {"Webhook calls with a verified signature": "1", "Webhook calls without a signature": "0",
                     "Imported from history": "1"}
    assert "Nothing can be typed in by hand" in page and "last 3 days" in page
    assert "at least 3 of these events" in page and "deleted 365 days after" in page
    assert "<script" not in page and "john.smith" not in page


def test_how_these_popups_are_made_keeps_a_conversion_count_below_its_minimum_to_itself(client, make_notification):
    notification = make_notification("conversion", show_verified=True, conversion_min_count=5)
    for _ in range(3):
        post_event(client, notification, ANN)
    assert feed(client, notification) == []
    page = client.get(f"/proof/{notification['public_key']}").get_data(as_text=True)
    assert not re.search(r'<td class="num">', page) and "Fewer than 5" in page
    for _ in range(2):
        post_event(client, notification, ANN)
    page = client.get(f"/proof/{notification['public_key']}").get_data(as_text=True)
    assert '<th scope="row">Webhook calls without a signature</th><td class="num">5</td>' in page


# --- re-identification guards ----------------------------------------------------------------------------------


def test_a_city_with_fewer_than_k_events_falls_back_and_one_with_k_shows(client, make_notification):
    notification = make_notification()  # k = 3 by default
    assert notification["min_place_events"] == 3 and notification["place_precision"] == "city"
    miami = {"city": "Miami", "state": "Florida", "countryCode": "US"}
    post_event(client, notification, {**ANN, **miami})
    post_event(client, notification, {**ANN, "city": "Austin", "state": "Texas", "countryCode": "US"})
    post_event(client, notification, {**ANN, "city": "Tampa", "state": "Florida", "countryCode": "US"})
    # Miami has 1 event, Florida 2, Texas 1: every popup names the country only.
    assert places(client, notification) == ["United States"] * 3
    post_event(client, notification, {**ANN, **miami})
    # Florida now has 3 (Miami 2): its popups fall back to the region; Texas still to the country.
    assert places(client, notification) == ["Florida", "Florida", "United States", "Florida"]
    post_event(client, notification, {**ANN, **miami})
    assert places(client, notification) == ["Miami, Florida", "Miami, Florida", "Florida", "United States",
                                            "Miami, Florida"]
    [first, *_] = feed(client, notification)
    assert (first["city"], first["state"], first["countryCode"]) == ("Miami", "Florida", "US")
    tampa = feed(client, notification)[2]
    assert (tampa["city"], tampa["state"]) == (None, "Florida")  # the city is gone from every field


def test_a_template_s_payload_path_cannot_name_a_hidden_city(client, make_notification):
    notification = make_notification(template="ordered from {{billing.city}} in {{billing.state}}")
    post_event(client, notification, {**ANN, "billing": {"city": "Miami", "state": "FL"}, "city": "Miami",
                                      "state": "Florida", "countryCode": "US"})
    [item] = feed(client, notification)
    assert item["place"] == "United States" and item["text"] == "ordered from in"


def test_no_payload_path_names_a_place_the_precision_hides(client, make_notification):
    notification = make_notification(place_precision="none", min_place_events=1,
                                     template="shipped to {{shipping_address.city}}, {{shipping_address.country}}")
    post_event(client, notification, {**ANN, "city": "Miami", "state": "Florida", "countryCode": "US",
                                      "shipping_address": {"city": "Tinytown", "country": "Norway"}})
    [item] = feed(client, notification)
    assert item["place"] is None and item["text"] == "shipped to ,"


def test_the_preview_shows_what_visitors_will_see(client, make_notification):
    notification = make_notification()
    post_event(client, notification, {**ANN, "city": "Miami", "state": "Florida", "countryCode": "US"})
    log_in(client)
    page = client.get(f"/notifications/{notification['id']}").text
    preview = page.split("<h2>Preview</h2>", 1)[1].split("</section>", 1)[0]
    assert "from <bdi>United States</bdi>" in preview and "Miami" not in preview


def test_k_of_one_turns_the_guard_off(client, make_notification):
    notification = make_notification(min_place_events=1)
    post_event(client, notification, {**ANN, "city": "Miami", "state": "Florida", "countryCode": "US"})
    assert places(client, notification) == ["Miami, Florida"]


@pytest.mark.parametrize("precision, place, kept", [
    ("city", "Miami, Florida", ("Miami", "Florida", "US")),
    ("region", "Florida", (None, "Florida", "US")),
    ("country", "United States", (None, None, "US")),
    ("none", None, (None, None, None)),
])
def test_place_precision(client, make_notification, precision, place, kept):
    notification = make_notification(min_place_events=1, place_precision=precision)
    post_event(client, notification, {**ANN, "city": "Miami", "state": "Florida", "countryCode": "US"})
    [item] = feed(client, notification)
    assert item["place"] == place and (item["city"], item["state"], item["countryCode"]) == kept


def test_time_blur_holds_a_new_event_back_and_coarsens_the_time(client, app, make_notification):
    notification = make_notification(time_blur_minutes=30)
    before = stored(app, "SELECT feed_version FROM notifications")[0]["feed_version"]
    post_event(client, notification, {**ANN, "productName": "Tote"})
    assert feed(client, notification) == []
    # Held back, it changes nothing a visitor can see: not even the feed's ETag moves when it arrives.
    assert stored(app, "SELECT feed_version FROM notifications")[0]["feed_version"] == before
    sent = time.time() - 40 * 60
    post_event(client, notification, {**ANN, "productName": "Hat", "timestamp": sent})
    [item] = feed(client, notification)
    assert item["product"]["name"] == "Hat" and item["timeAgo"] == "within the last hour"
    assert item["timestamp"] == int(sent * 1000) // 3_600_000 * 3_600_000
    unblurred = make_notification(name="plain")
    post_event(client, unblurred, {**ANN, "productName": "Tote"})
    assert [i["timeAgo"] for i in feed(client, unblurred)] == ["just now"]


def test_time_blur_holds_a_new_sign_up_back_from_the_conversion_count(client, make_notification):
    notification = make_notification("conversion", time_blur_minutes=30)
    post_event(client, notification, {**ANN, "timestamp": time.time() - 40 * 60})
    post_event(client, notification, ANN)  # just now: held back
    [item] = feed(client, notification)
    assert item["count"] == 1


def test_with_time_blur_a_proof_tells_the_hour_of_arrival_not_the_minute(client, app, make_notification):
    notification = make_notification(time_blur_minutes=30, show_verified=True)
    post_event(client, notification, {**ANN, "timestamp": time.time() - 40 * 60})
    [item] = feed(client, notification)
    page = client.get(proof_path(notification, item)).get_data(as_text=True)
    received = datetime.fromtimestamp(stored(app)[0]["received_at"] / 1000, timezone.utc)
    assert received.strftime("%d %B %Y, in the hour from %H:00 UTC") in page
    assert received.strftime("%H:%M UTC") not in page or received.minute == 0


def test_the_options_are_checked_and_saved(client, admin_headers, make_notification):
    notification = make_notification()
    assert (notification["show_verified"], notification["time_blur_minutes"], notification["retention_days"]) == \
        (False, 0, 365)
    path = f"/api/notifications/{notification['id']}"
    for bad in ({"place_precision": "street"}, {"min_place_events": 0}, {"time_blur_minutes": -1},
                {"retention_days": 0}):
        response = client.patch(path, json=bad, headers=admin_headers)
        assert response.status_code == 422 and set(response.get_json()["errors"]) == set(bad)
    changed = client.patch(path, json={"retention_days": None, "place_precision": "region"}, headers=admin_headers)
    assert changed.get_json()["retention_days"] is None and changed.get_json()["place_precision"] == "region"


# --- automatic retention ---------------------------------------------------------------------------------------


def test_expired_events_vanish_without_any_command(app_config):
    app = create_app({**app_config, "RETENTION_INTERVAL_SECONDS": 0.05})
    sweeper = app.extensions["proofhook_retention"]
    now = [now_ms()]
    sweeper.clock = lambda: now[0]  # a clock the test moves
    client = app.test_client()
    headers = {"Authorization": f"Bearer {app_config['ADMIN_TOKEN']}"}
    try:
        made = [client.post("/api/notifications", json={"name": name, "type": "stream", "retention_days": days},
                            headers=headers).get_json() for name, days in (("short", 1), ("kept", None))]
        short, kept = made
        for notification in made:
            post_event(client, notification, ANN)
        time.sleep(0.3)  # several sweeps: nothing has expired yet
        assert len(stored(app)) == 2
        version = stored(app, "SELECT feed_version FROM notifications WHERE id = ?", (short["id"],))
        now[0] += 2 * DAY_S * 1000  # two days later, by the sweeper's clock
        deadline = time.monotonic() + 10
        while len(stored(app)) == 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [row["notification_id"] for row in stored(app)] == [kept["id"]]
        # Its feed's ETag changes with what it shows.
        assert stored(app, "SELECT feed_version FROM notifications WHERE id = ?", (short["id"],)) != version
    finally:
        sweeper.stop()


def test_the_settings_form_saves_the_privacy_options(client, make_notification):
    notification = make_notification()
    log_in(client)
    page = client.get(f"/notifications/{notification['id']}").text
    assert 'name="place_precision"' in page and 'name="retention_days"' in page and 'value="365"' in page
    form = {"name": "n", "message": "purchased", "place_precision": "country", "min_place_events": "5",
            "time_blur_minutes": "15", "show_verified": "1", "retention_days": "", "csrf_token": csrf_token_from(page)}
    assert client.post(f"/notifications/{notification['id']}/settings", data=form).status_code == 302
    page = client.get(f"/notifications/{notification['id']}").text
    assert f'href="/proof/{notification["public_key"]}"' in page  # the public page, linked for the owner
    saved = client.get(f"/api/notifications/{notification['id']}",
                       headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).get_json()
    assert {key: saved[key] for key in ("place_precision", "min_place_events", "time_blur_minutes",
                                        "show_verified", "retention_days")} == \
        {"place_precision": "country", "min_place_events": 5, "time_blur_minutes": 15, "show_verified": True,
         "retention_days": None}


def test_gunicorn_deletes_expired_events_by_itself(tmp_path, geoip_path):
    # The default setup, served: no command, no cron line; the workers' own threads delete what expired.
    database = tmp_path / "served.sqlite3"
    with gunicorn(served_env(database, geoip_path, RETENTION_INTERVAL_SECONDS=0.2)) as (base, _process):
        auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        made = requests.post(f"{base}/api/notifications", json={"name": "n", "type": "stream", "retention_days": 1},
                             headers=auth, timeout=30).json()
        for age_days in (3, 0):
            answer = requests.post(made["webhook_url"], json={"email": "ann.lee@example.com",
                                                              "timestamp": time.time() - age_days * DAY_S}, timeout=30)
            assert answer.status_code == 201
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            events = requests.get(f"{base}/api/notifications/{made['id']}/events", headers=auth, timeout=30).json()
            if len(events["events"]) == 1:
                break
            time.sleep(0.1)
        assert [e["timestamp"] > (time.time() - DAY_S) * 1000 for e in events["events"]] == [True]


def test_every_signature_scheme_has_a_name_a_proof_page_can_tell():
    assert set(signatures.SCHEMES) <= set(proof.SCHEME_NAMES)


def test_a_proof_page_marks_the_popup_with_its_language_and_direction(client, make_notification):
    notification = make_notification(show_verified=True, language="ar")
    post_event(client, notification, {**ANN, "productName": "Tote"})
    [item] = feed(client, notification)
    page = client.get(proof_path(notification, item)).get_data(as_text=True)
    assert '<div class="previews" lang="ar" dir="rtl">' in page
