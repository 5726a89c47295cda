"""Goals: the widget's visit and goal reports, the daily counters per group, the lift and its interval."""
import json
import random

import pytest

from helpers import log_in, stored
from test_display_rules import saved_untouched
from webhook import create_app, goals
from webhook.storage import notification_store
from webhook.lift import MIN_VISITS, lift, newcombe, z_value
from webhook.vocabulary import now_ms

GOALS = ["/checkout/thank-you* Purchase", "/welcome Sign-up"]


def report(client, notification, group, items, key: str | None = None):
    """Send a visit/goal report as the widget does (a text/plain JSON string); return the answer."""
    body = json.dumps({"v": 1, "group": group, "items": [{"goal": goal, "kind": kind} for goal, kind in items]})
    return client.post(f"/feed/{key or notification['public_key']}/goals", data=body,
                       content_type="text/plain;charset=UTF-8")


def rows(app) -> list[tuple]:
    """Return every goal counter as (group, goal, kind, count)."""
    found = stored(app, "SELECT grp, goal, kind, count FROM goal_counts ORDER BY grp, goal, kind")
    return [tuple(row.values()) for row in found]


@pytest.fixture
def with_goals(make_notification) -> dict:
    """Return a stream notification with two goals and a 20 % holdout."""
    return make_notification("stream", goals=GOALS, holdout_percent=20)


# Newcombe, R. G. (1998), "Interval estimation for the difference between independent proportions: comparison of
# eleven methods", Statistics in Medicine 17, 873-890, Table II: method 10 (score interval, hybrid of Wilson
# intervals) and method 1 (the simple asymptotic Wald interval) for his worked examples (a) to (d).
@pytest.mark.parametrize("x1, n1, x2, n2, low, high", [
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (6, 7, 2, 7, 0.0582, 0.8062),
    (5, 56, 0, 29, -0.0381, 0.1926),
])
def test_the_interval_is_newcombes_method_10_as_published(x1, n1, x2, n2, low, high):
    found = newcombe(x1, n1, x2, n2)
    assert (round(found[0], 4), round(found[1], 4)) == (low, high)


def test_the_95_percent_quantile_is_the_textbook_one():
    assert round(z_value(), 4) == 1.96


def test_too_few_visits_in_either_group_is_not_enough_data():
    assert lift(10, MIN_VISITS - 1, 5, 1000)["enough_data"] is False
    assert lift(10, 1000, 5, MIN_VISITS - 1)["difference"] is None
    assert lift(10, MIN_VISITS, 5, MIN_VISITS)["enough_data"] is True


def test_the_interval_covers_the_true_difference_about_95_times_in_100():
    # 1000 synthetic experiments of 1000 + 1000 visitors at 10 % vs 7 %: the share of intervals that cover
    # the true 3 points is the method's coverage, published as close to the nominal 95 %.
    chance = random.Random(15)
    covered = 0
    for _ in range(1000):
        shown = sum(chance.random() < 0.10 for _ in range(1000))
        holdout = sum(chance.random() < 0.07 for _ in range(1000))
        low, high = newcombe(shown, 1000, holdout, 1000)
        covered += low <= 0.03 <= high
    assert 930 <= covered <= 970


def test_synthetic_visitors_with_a_known_lift_come_out_of_the_counting_code_inside_the_interval(app, with_goals):
    # 4000 browsers, a fifth in the holdout: each reports its visit, and converts at 12 % if shown popups, 8 %
    # if not (a true lift of 4 points), through the same code the beacon's reports go through.
    chance = random.Random(1998)
    with app.app_context():
        notification = notification_store.get_notification(with_goals["id"])
        for _ in range(4000):
            group = "holdout" if chance.random() < 0.2 else "shown"
            items = [{"goal": "", "kind": "visit"}]
            if chance.random() < (0.12 if group == "shown" else 0.08):
                items.append({"goal": "Purchase", "kind": "goal"})
            goals.record_report(notification, json.dumps({"v": 1, "group": group, "items": items}).encode(),
                                now_ms())
        found = goals.goal_stats(notification)
    purchase = found["goals"][0]["lift"]
    assert found["visits"]["shown"] + found["visits"]["holdout"] == 4000 and purchase["enough_data"]
    assert purchase["low"] <= 0.04 <= purchase["high"]
    assert purchase["low"] > 0  # a 4-point lift over 4000 visitors is more than chance


def test_reports_count_per_group_goal_and_kind_and_the_api_answers_the_same(client, app, with_goals, admin_headers):
    assert report(client, with_goals, "shown", [("", "visit")]).status_code == 204
    report(client, with_goals, "shown", [("", "visit"), ("Purchase", "goal"), ("Purchase", "seen")])
    report(client, with_goals, "holdout", [("", "visit"), ("Sign-up", "goal")])
    assert rows(app) == [("holdout", "", "visit", 1), ("holdout", "Sign-up", "goal", 1),
                         ("shown", "", "visit", 2), ("shown", "Purchase", "goal", 1), ("shown", "Purchase", "seen", 1)]
    answer = client.get(f"/api/notifications/{with_goals['id']}/goals?days=7", headers=admin_headers).get_json()
    assert answer["visits"] == {"shown": 2, "holdout": 1} and answer["days"] == 7
    purchase, sign_up = answer["goals"]
    assert purchase["name"] == "Purchase" and purchase["groups"]["shown"] == {"goal": 1, "seen": 1, "clicked": 0}
    assert purchase["lift"]["shown_rate"] == 0.5 and purchase["lift"]["enough_data"] is False
    assert sign_up["groups"]["holdout"]["goal"] == 1
    assert set(stored(app, "SELECT * FROM goal_counts")[0]) == {"notification_id", "day", "grp", "goal", "kind",
                                                                "count"}  # nothing about a visitor


def test_the_insight_card_shows_each_goal_and_not_enough_data_yet(client, app, with_goals):
    log_in(client)
    report(client, with_goals, "shown", [("", "visit"), ("Purchase", "goal"), ("Purchase", "clicked")])
    page = client.get(f"/notifications/{with_goals['id']}").get_data(as_text=True)
    assert "Purchase" in page and "Sign-up" in page and "Not enough data yet" in page
    assert f"/api/notifications/{with_goals['id']}/goals" in page
    client.patch(f"/api/notifications/{with_goals['id']}", json={"holdout_percent": 0},
                 headers={"Authorization": f"Bearer {app.config['ADMIN_TOKEN']}"})
    assert "No holdout: set one to measure the lift" in client.get(f"/notifications/{with_goals['id']}").text


@pytest.mark.parametrize("body", [
    b"", b"null", b"[]", b'{"v":1}', b'{"v":2,"group":"shown","items":[{"goal":"","kind":"visit"}]}',
    b'{"v":1,"group":"everyone","items":[{"goal":"","kind":"visit"}]}',
    b'{"v":1,"group":"shown","items":[{"goal":"Refund","kind":"goal"},{"goal":"","kind":"goal"}]}',
    b'{"v":1,"group":"shown","items":[{"goal":"Purchase","kind":"visit"},{"goal":1,"kind":"goal"}]}',
    b"\xff\xfe", b"[" * 100_000,
])
def test_junk_and_unknown_goals_count_nothing_and_still_answer_204(client, app, with_goals, body):
    response = client.post(f"/feed/{with_goals['public_key']}/goals", data=body, content_type="text/plain")
    assert response.status_code == 204 and rows(app) == []


def test_an_oversized_report_is_dropped_unread(client, app, with_goals):
    items = [("", "visit")] + [("Purchase", "goal")] * 1000
    assert report(client, with_goals, "shown", items).status_code == 204 and rows(app) == []


def test_an_unknown_key_counts_nothing(client, app, with_goals):
    assert report(client, with_goals, "shown", [("", "visit")], key="nope").status_code == 204
    assert rows(app) == []


def test_a_burst_of_reports_is_cut_by_its_own_token_bucket(app_config):
    app = create_app({**app_config, "ACTIVITY_BURST": 3, "ACTIVITY_PER_MINUTE": 1})
    client = app.test_client()
    made = client.post("/api/notifications", json={"name": "n", "type": "stream", "goals": GOALS},
                       headers={"Authorization": f"Bearer {app_config['ADMIN_TOKEN']}"}).get_json()
    for _ in range(5):
        report(client, made, "shown", [("", "visit")])
    assert rows(app) == [("shown", "", "visit", 3)]


@pytest.mark.parametrize("goals_sent, problem", [
    (["/thank-you"], "a space, and the goal's name"),
    (["https://shop.example/thanks Purchase"], "not the whole address"),
    (["/a Purchase", "/b Purchase"], "a name of its own"),
    ("x" * 10, "start with /"),
])
def test_a_goal_that_cant_be_used_is_refused_naming_the_field(client, admin_headers, stream, goals_sent, problem):
    response = client.patch(f"/api/notifications/{stream['id']}", json={"goals": goals_sent}, headers=admin_headers)
    assert response.status_code == 422 and problem in json.dumps(response.get_json()["errors"]["goals"])


def test_goals_and_the_holdout_are_settings_the_feed_carries(client, admin_headers, stream):
    changed = client.patch(f"/api/notifications/{stream['id']}", headers=admin_headers,
                           json={"goals": "/checkout/thank-you* Purchase", "holdout_percent": 10,
                                 "attribution_days": 3}).get_json()
    assert changed["goals"] == ["/checkout/thank-you* Purchase"] and changed["holdout_percent"] == 10
    rules = client.get(f"/feed/{stream['public_key']}.json").get_json()["rules"]
    assert rules["goals"] == [{"name": "Purchase", "page": "^/checkout/thank-you[^?]*(?:\\?.*)?$"}]
    assert (rules["holdout"], rules["attributionDays"]) == (10, 3)
    too_many = client.patch(f"/api/notifications/{stream['id']}", json={"holdout_percent": 51}, headers=admin_headers)
    assert too_many.status_code == 422 and "holdout_percent" in too_many.get_json()["errors"]


def test_the_settings_form_sets_goals_and_the_holdout_and_saves_untouched_as_it_was(client, admin_headers,
                                                                                     with_goals):
    form = saved_untouched(client, admin_headers, with_goals, notification_store.GOAL_OPTIONS)
    path = f"/notifications/{with_goals['id']}"
    form["goals"], form["holdout_percent"], form["attribution_days"] = "/thanks* Order\r\n/hello Sign-up", "5", "14"
    assert client.post(f"{path}/settings", data=form).status_code == 302
    saved = client.get(f"/api/notifications/{with_goals['id']}", headers=admin_headers).get_json()
    assert (saved["goals"], saved["holdout_percent"], saved["attribution_days"]) == \
        (["/thanks* Order", "/hello Sign-up"], 5, 14)
    form["goals"] = "/thanks*"
    bad = client.post(f"{path}/settings", data=form)
    assert bad.status_code == 422 and "a space, and the goal" in bad.text
