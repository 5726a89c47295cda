"""Insight: the widget's activity reports (what counts, what is dropped), the daily counters and the stats API."""
import json
import re
import time

import pytest

from helpers import log_in, post_event, stored
from webhook import create_app
from webhook.storage import activity_store, event_store
from webhook.insight import MAX_REPORT_BYTES, MAX_REPORT_ITEMS, Bucket, parse_report, stats
from webhook.vocabulary import now_ms

DAY = 86_400_000  # written out, not imported: the test checks the app's idea of a day
TABLES = ("notifications", "events", "activity", "rate_counters", "login_failures")


def feed_items(client, notification, query: str = "") -> list[dict]:
    """Return the items of a notification's public feed."""
    return client.get(f"/feed/{notification['public_key']}.json{query}").get_json()["items"]


def report(client, notification, items, key: str | None = None, **extra):
    """Send a report as the widget does (a text/plain JSON string); return the answer."""
    body = json.dumps({"v": 1, "items": items, **extra})
    return client.post(f"/feed/{key or notification['public_key']}/activity", data=body,
                       content_type="text/plain;charset=UTF-8")


def seen(*ids, kind="impression") -> list[dict]:
    """Return report items of one kind for these popup ids."""
    return [{"id": item_id, "kind": kind} for item_id in ids]


def counters(app) -> list[tuple]:
    """Return every activity row as (notification, day, event, impressions, clicks)."""
    rows = stored(app, "SELECT notification_id, day, event_id, impressions, clicks FROM activity"
                       " ORDER BY notification_id, day, event_id")
    return [tuple(row.values()) for row in rows]


def dump(app) -> list[str]:
    """Return every row of every table, to prove a request changed nothing (on either backend)."""
    return [repr(row) for table in TABLES for row in stored(app, f"SELECT * FROM {table} ORDER BY 1, 2")]


def event_ids(app, notification) -> list[int]:
    """Return the stored event ids of a notification, newest first."""
    with app.app_context():
        return [event["id"] for event in event_store.list_events(notification["id"])]


def today() -> int:
    """Return today's UTC midnight in milliseconds."""
    return now_ms() // DAY * DAY


@pytest.fixture
def shop(client, stream):
    """Return a stream notification with two shown events (John newest) and its feed items."""
    post_event(client, stream, {"email": "ann.lee@example.com", "productName": "Tote", "timestamp": time.time() - 600})
    post_event(client, stream, {"email": "john.smith@example.com", "productName": "Sneakers"})
    return stream, feed_items(client, stream)


# --- the public item id -----------------------------------------------------------------------------------------


def test_feed_items_carry_an_opaque_id_not_the_event_id(app, client, shop, app_config, admin_headers, tmp_path):
    stream, items = shop
    ids = [item["id"] for item in items]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{16}", item_id) for item_id in ids) and len(set(ids)) == 2
    assert ids == [item["id"] for item in feed_items(client, stream)]  # stable: reports can name them later
    assert not any(str(event_id) in item_id for event_id in event_ids(app, stream) for item_id in ids)
    # Keyed by SECRET_KEY: another installation's ids for the same event ids are different.
    other = create_app({**app_config, "DATABASE": str(tmp_path / "other.sqlite3"), "SECRET_KEY": "another"})
    other_client = other.test_client()
    made = other_client.post("/api/notifications", json={"name": "x", "type": "stream"}, headers=admin_headers)
    made = made.get_json()
    post_event(other_client, made, {"email": "ann.lee@example.com", "timestamp": time.time() - 600})
    post_event(other_client, made, {"email": "john.smith@example.com"})
    assert set(ids).isdisjoint(item["id"] for item in feed_items(other_client, made))


# --- what counts ---------------------------------------------------------------------------------------------------


def test_impressions_and_clicks_count_per_event_and_day(app, client, shop):
    stream, (john, ann) = shop
    answer = report(client, stream, seen(john["id"], ann["id"]) + seen(john["id"], kind="click"))
    assert answer.status_code == 204 and answer.get_data() == b""
    report(client, stream, seen(john["id"]))
    john_id, ann_id = event_ids(app, stream)
    assert counters(app) == sorted([(stream["id"], today(), john_id, 2, 1), (stream["id"], today(), ann_id, 1, 0)])


def test_a_conversion_popup_counts_under_its_one_pseudo_item(app, client, conversion):
    post_event(client, conversion, {})
    [popup] = feed_items(client, conversion)
    report(client, conversion, seen(popup["id"]) + seen(popup["id"], kind="click"))
    assert counters(app) == [(conversion["id"], today(), 0, 1, 1)]


def test_a_pair_repeated_in_one_report_counts_once(app, client, shop):
    stream, (john, _ann) = shop
    report(client, stream, seen(john["id"]) * 10 + seen(john["id"], kind="click") * 10)
    assert [row[3:] for row in counters(app)] == [(1, 1)]


def test_a_popup_shown_under_a_guid_filter_counts_with_that_guid(app, client, stream, admin_headers):
    client.patch(f"/api/notifications/{stream['id']}", json={"feed_max_items": 1}, headers=admin_headers)
    post_event(client, stream, {"email": "ann.lee@example.com", "guid": "tote", "timestamp": time.time() - 600})
    post_event(client, stream, {"email": "john.smith@example.com", "guid": "shoes"})
    [ann] = feed_items(client, stream, "?guid=tote")  # not in the unfiltered feed (one item: John)
    report(client, stream, seen(ann["id"]))
    assert counters(app) == []
    report(client, stream, seen(ann["id"]), guid="tote")
    assert [row[2:] for row in counters(app)] == [(event_ids(app, stream)[1], 1, 0)]


def test_activity_leaves_the_feed_etag_alone(client, shop):
    stream, (john, _ann) = shop
    before = client.get(f"/feed/{stream['public_key']}.json").headers["ETag"]
    report(client, stream, seen(john["id"]) + seen(john["id"], kind="click"))
    after = client.get(f"/feed/{stream['public_key']}.json", headers={"If-None-Match": before})
    assert after.status_code == 304 and after.headers["ETag"] == before


def test_no_address_agent_or_cookie_is_kept_or_given(app, client, shop):
    stream, (john, _ann) = shop
    log_in(client)  # even an admin's session cookie riding along is neither read nor refreshed
    agent = "Mozilla/5.0 ProofhookProbe/9.9"
    answer = client.post(f"/feed/{stream['public_key']}/activity", data=json.dumps({"v": 1, "items": seen(john["id"])}),
                         content_type="text/plain", headers={"User-Agent": agent},
                         environ_base={"REMOTE_ADDR": "203.0.113.77"})
    assert answer.status_code == 204 and "Set-Cookie" not in answer.headers and "Content-Type" not in answer.headers
    feed = client.get(f"/feed/{stream['public_key']}.json")
    assert feed.status_code == 200 and "Set-Cookie" not in feed.headers and "Cookie" not in feed.vary
    assert answer.headers["Access-Control-Allow-Origin"] == "*" and answer.headers["Cache-Control"] == "no-store"
    text = "\n".join(dump(app))
    assert counters(app) and "203.0.113" not in text and "ProofhookProbe" not in text
    columns = set(stored(app, "SELECT * FROM activity")[0])
    assert columns == {"notification_id", "day", "event_id", "impressions", "clicks"}


def test_it_needs_no_csrf_token_and_answers_a_preflight(client, shop):
    stream, _items = shop
    answer = client.options(f"/feed/{stream['public_key']}/activity",
                            headers={"Origin": "https://shop.example.com", "Access-Control-Request-Method": "POST",
                                     "Access-Control-Request-Headers": "content-type"})
    assert answer.status_code == 204 and answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.headers["Access-Control-Allow-Methods"] == "POST"
    assert answer.headers["Access-Control-Allow-Headers"] == "Content-Type"


# --- what is dropped: always 204, nothing stored -----------------------------------------------------------------


def assert_dropped(app, answer, before):
    """Check a report was answered 204 with an empty body and changed nothing in the database."""
    assert answer.status_code == 204 and answer.get_data() == b""
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert dump(app) == before


@pytest.mark.parametrize("body", [
    b"", b"not json", b"\xff\xfe\x00", b"null", b"[]", b"42", b'"text"', b"{}",
    b'{"items": [{"id": "x", "kind": "impression"}]}',                      # no version
    b'{"v": 2, "items": []}', b'{"v": 1, "items": {}}', b'{"v": 1, "items": "abc"}',
    b'{"v": 1, "items": [null, 1, "x", [], {"id": 5, "kind": "click"}, {"id": "x"}, {"kind": "click"}]}',
    b"[" * 4000 + b"]" * 4000,                                               # deeper than the JSON parser goes
    b'{"v": 1, "items": [{"id": "x", "kind": "impression"' + b"}" * 3,       # cut short
])
def test_junk_is_dropped(app, client, shop, body):
    stream, _items = shop
    before = dump(app)
    answer = client.post(f"/feed/{stream['public_key']}/activity", data=body, content_type="text/plain")
    assert_dropped(app, answer, before)


def test_unknown_keys_and_forged_or_foreign_ids_are_dropped(app, client, shop, make_notification):
    stream, (john, _ann) = shop
    other = make_notification("stream", name="Other shop")
    post_event(client, other, {"email": "zoe.ray@example.com"})
    [zoe] = feed_items(client, other)
    before = dump(app)
    assert_dropped(app, report(client, stream, seen(john["id"]), key="no-such-key"), before)
    assert_dropped(app, report(client, stream, seen(john["id"]), key=other["webhook_url"].rsplit("/", 1)[1]), before)
    forged = seen("AAAAAAAAAAAAAAAA", "1", "2", john["id"].swapcase(), john["id"][:-1])
    assert_dropped(app, report(client, stream, forged), before)
    assert_dropped(app, report(client, stream, seen(zoe["id"])), before)  # another notification's popup
    assert_dropped(app, report(client, stream, [{"id": john["id"], "kind": "hover"}]), before)


def test_popups_the_feed_no_longer_shows_are_dropped(app, client, shop, admin_headers):
    stream, (john, ann) = shop
    client.patch(f"/api/notifications/{stream['id']}", json={"feed_max_items": 1}, headers=admin_headers)
    before = dump(app)
    assert_dropped(app, report(client, stream, seen(ann["id"])), before)  # pushed out of the feed


def test_a_cancelled_order_no_longer_counts(app, client, stream):
    post_event(client, stream, {"email": "ann.lee@example.com", "orderId": "A-1"})
    [ann] = feed_items(client, stream)
    with app.app_context():
        assert event_store.hide_event(stream["id"], "A-1")
    before = dump(app)
    assert_dropped(app, report(client, stream, seen(ann["id"])), before)


def test_oversize_and_overlong_reports_are_dropped(app, client, shop):
    stream, (john, _ann) = shop
    before = dump(app)
    padded = {"v": 1, "items": seen(john["id"]), "pad": "x" * MAX_REPORT_BYTES}
    answer = client.post(f"/feed/{stream['public_key']}/activity", data=json.dumps(padded), content_type="text/plain")
    assert_dropped(app, answer, before)
    huge = client.post(f"/feed/{stream['public_key']}/activity", data=b"x" * (2 * 1024 * 1024))  # over the app limit
    assert_dropped(app, huge, before)
    too_many = seen(john["id"]) + seen(*(f"filler{n}" for n in range(MAX_REPORT_ITEMS)))
    assert_dropped(app, report(client, stream, too_many), before)
    assert report(client, stream, too_many[:MAX_REPORT_ITEMS]).status_code == 204  # exactly the limit still counts
    assert [row[3:] for row in counters(app)] == [(1, 0)]


def test_a_burst_from_one_client_is_cut_off(app_config, tmp_path):
    app = create_app({**app_config, "ACTIVITY_BURST": 3, "ACTIVITY_PER_MINUTE": 1})
    client = app.test_client()
    made = client.post("/api/notifications", json={"name": "Shop", "type": "stream"},
                       headers={"Authorization": f"Bearer {app.config['ADMIN_TOKEN']}"}).get_json()
    post_event(client, made, {"email": "john.smith@example.com"})
    [john] = feed_items(client, made)
    for _ in range(3):
        assert report(client, made, seen(john["id"])).status_code == 204
    before = dump(app)
    assert_dropped(app, report(client, made, seen(john["id"])), before)
    # Another address has its own allowance.
    other = client.post(f"/feed/{made['public_key']}/activity", data=json.dumps({"v": 1, "items": seen(john["id"])}),
                        content_type="text/plain", environ_base={"REMOTE_ADDR": "198.51.100.4"})
    assert other.status_code == 204 and counters(app)[0][3] == 4


def test_the_bucket_refills_and_stays_bounded():
    bucket = Bucket(burst=2, per_minute=600)  # ten a second
    assert [bucket.allow("a") for _ in range(3)] == [True, True, False]
    time.sleep(0.15)
    assert bucket.allow("a") is True
    small = Bucket(burst=1, per_minute=1, max_clients=3)
    for n in range(10):
        assert small.allow(f"10.0.0.{n}") is True  # every new client gets its burst…
        assert len(small.clients) <= 3            # …and the table never outgrows its bound
    assert b"10.0.0" not in b"".join(small.clients)  # keys are salted hashes, not addresses


def test_parse_report_keeps_distinct_well_formed_pairs():
    body = {"v": 1, "guid": "tote", "items": [{"id": "a", "kind": "impression"}, {"id": "a", "kind": "impression"},
                                             {"id": "a", "kind": "click"}, {"id": "b", "kind": "bogus"}]}
    assert parse_report(json.dumps(body).encode()) == ("tote", {("a", "impression"), ("a", "click")})
    assert parse_report(b'{"v": 1, "guid": 5, "items": []}') == (None, set())


# --- aggregation and the stats API -------------------------------------------------------------------------------


def backdate_received(app, notification, days_ago: list[int]) -> None:
    """Move a notification's events' arrival back by these many days, newest first (tests can't wait a day)."""
    rows = stored(app, "SELECT id FROM events WHERE notification_id = ? ORDER BY id DESC", (notification["id"],))
    for row, ago in zip(rows, days_ago):
        stored(app, "UPDATE events SET received_at = received_at - ? WHERE id = ? RETURNING id", (ago * DAY, row["id"]))


def test_stats_add_up_per_day_and_fill_empty_days_with_zero(app, client, stream):
    for n in range(4):
        post_event(client, stream, {"email": f"buyer{n}@example.com"})
    backdate_received(app, stream, [0, 0, 2, 40])  # two today, one two days ago, one outside the window
    now = now_ms()
    day0 = now // DAY * DAY
    with app.app_context():
        activity_store.record_activity(stream["id"], day0, {1: (10, 1), 2: (5, 0)})
        activity_store.record_activity(stream["id"], day0, {1: (2, 1)})
        activity_store.record_activity(stream["id"], day0 - 2 * DAY, {0: (4, 0)})
        activity_store.record_activity(stream["id"], day0 - 40 * DAY, {1: (99, 99)})  # before the window
        result = stats(stream["id"], days=7, now=now)
    assert result["days"] == 7 and len(result["daily"]) == 7
    assert [d["impressions"] for d in result["daily"]] == [0, 0, 0, 0, 4, 0, 17]
    assert [d["clicks"] for d in result["daily"]] == [0, 0, 0, 0, 0, 0, 2]
    assert [d["events_received"] for d in result["daily"]] == [0, 0, 0, 0, 1, 0, 2]
    assert [d["ctr"] for d in result["daily"]] == [None, None, None, None, 0.0, None, round(2 / 17, 4)]
    assert result["totals"] == {"impressions": 21, "clicks": 2, "ctr": round(2 / 21, 4), "events_received": 3}
    dates = [d["date"] for d in result["daily"]]
    assert dates == sorted(dates) and len(set(dates)) == 7
    assert (result["from"], result["to"]) == (dates[0], dates[-1])
    assert dates[-1] == time.strftime("%Y-%m-%d", time.gmtime(now / 1000))


def test_the_stats_api(client, admin_headers, shop):
    stream, (john, _ann) = shop
    report(client, stream, seen(john["id"]) + seen(john["id"], kind="click"))
    answer = client.get(f"/api/notifications/{stream['id']}/stats", headers=admin_headers)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["notification_id"] == stream["id"] and body["days"] == 30 and len(body["daily"]) == 30
    assert body["daily"][-1] == {"date": body["to"], "impressions": 1, "clicks": 1, "ctr": 1.0, "events_received": 2}
    assert body["totals"] == {"impressions": 1, "clicks": 1, "ctr": 1.0, "events_received": 2}
    assert len(client.get(f"/api/notifications/{stream['id']}/stats?days=365", headers=admin_headers)
               .get_json()["daily"]) == 365
    assert client.get(f"/api/notifications/{stream['id']}/stats?days=1", headers=admin_headers).get_json()["totals"] \
        == body["totals"]


@pytest.mark.parametrize("days", ["0", "366", "-1", "abc", "1.5", ""])
def test_the_stats_api_refuses_other_day_counts(client, admin_headers, stream, days):
    answer = client.get(f"/api/notifications/{stream['id']}/stats?days={days}", headers=admin_headers)
    assert answer.status_code == 422 and "days" in answer.get_json()["errors"]


def test_the_stats_api_needs_the_admin_and_an_existing_notification(client, admin_headers, stream):
    assert client.get(f"/api/notifications/{stream['id']}/stats").status_code == 401
    missing = client.get("/api/notifications/999/stats", headers=admin_headers)
    assert missing.status_code == 404 and missing.get_json()["code"] == 404


def test_deleting_a_notification_deletes_its_counters(app, client, admin_headers, shop):
    stream, (john, _ann) = shop
    report(client, stream, seen(john["id"]))
    assert counters(app)
    assert client.delete(f"/api/notifications/{stream['id']}", headers=admin_headers).status_code == 204
    assert counters(app) == []
