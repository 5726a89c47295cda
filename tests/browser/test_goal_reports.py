"""Goals and the holdout in Chromium on a customer's site (another origin), against Proofhook under gunicorn."""
import json
import time

import requests

from test_where_and_how_often import AUTH, browse, proofhook, shown_none  # noqa: F401 (fixtures)
from test_widget import POPUP, site, snippet  # noqa: F401 (site is a fixture)

GOALS = ["/thank-you* Purchase"]
# The dice of the holdout draw: Math.random() at 0 puts a browser in the holdout of any share above 0.
ALWAYS_HOLDOUT = "Math.random = () => 0;"
ALLOWED_HEADERS = {"accept", "accept-encoding", "accept-language", "content-type", "origin", "referer", "user-agent",
                   "content-length", "connection", "host", "cache-control", "pragma", "sec-ch-ua",
                   "sec-ch-ua-mobile", "sec-ch-ua-platform", "sec-fetch-dest", "sec-fetch-mode", "sec-fetch-site",
                   "if-none-match", "priority"}


def counted(proofhook, made, expected: dict, timeout: float = 5) -> dict:
    """Return the goals API's answer once its visits and Purchase counts are `expected` (beacons are async)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = requests.get(f"{proofhook['base']}/api/notifications/{made['id']}/goals", headers=AUTH).json()
        found = {"visits": answer["visits"], "purchase": answer["goals"][0]["groups"]}
        if found == expected or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_a_goal_after_seeing_a_popup_counts_as_after_seen_once_a_day(browse, proofhook, chromium):
    made = proofhook["notification"](goals=GOALS)
    line = snippet(proofhook["base"], made["public_key"])
    context = chromium.new_context()
    shop = browse("shop.html", [line], context=context)
    shop.locator(POPUP).first.wait_for()
    for name in ("thank-you.html", "shop.html", "thank-you.html"):  # the same day again: nothing new
        browse(name, [line], context=context).wait_for_timeout(300)
    assert counted(proofhook, made, {}, timeout=1.5) == {
        "visits": {"shown": 1, "holdout": 0},
        "purchase": {"shown": {"goal": 1, "seen": 1, "clicked": 0}, "holdout": {"goal": 0, "seen": 0, "clicked": 0}}}
    context.close()


def test_a_goal_after_clicking_a_popup_counts_as_after_clicked(browse, proofhook, chromium):
    made = proofhook["notification"](goals=GOALS)
    line = snippet(proofhook["base"], made["public_key"])
    context = chromium.new_context()
    shop = browse("shop.html", [line], context=context)
    shop.locator(f"{POPUP} .tx").first.click()
    browse("thank-you.html", [line], context=context)
    expected = {"visits": {"shown": 1, "holdout": 0},
                "purchase": {"shown": {"goal": 1, "seen": 1, "clicked": 1},
                             "holdout": {"goal": 0, "seen": 0, "clicked": 0}}}
    assert counted(proofhook, made, expected) == expected
    context.close()


def test_a_goal_without_any_popup_seen_counts_as_a_goal_only(browse, proofhook):
    made = proofhook["notification"](goals=GOALS)
    browse("thank-you.html", [snippet(proofhook["base"], made["public_key"], delay=5)])
    expected = {"visits": {"shown": 1, "holdout": 0},
                "purchase": {"shown": {"goal": 1, "seen": 0, "clicked": 0},
                             "holdout": {"goal": 0, "seen": 0, "clicked": 0}}}
    assert counted(proofhook, made, expected) == expected


def test_a_holdout_browser_sees_no_popup_but_counts_in_the_holdout(browse, proofhook, chromium):
    made = proofhook["notification"](goals=GOALS, holdout_percent=50)
    line = snippet(proofhook["base"], made["public_key"])
    context = chromium.new_context()
    context.add_init_script(ALWAYS_HOLDOUT)
    assert shown_none(browse("shop.html", [line], context=context))
    assert shown_none(browse("thank-you.html", [line], context=context))
    expected = {"visits": {"shown": 0, "holdout": 1},
                "purchase": {"shown": {"goal": 0, "seen": 0, "clicked": 0},
                             "holdout": {"goal": 1, "seen": 0, "clicked": 0}}}
    assert counted(proofhook, made, expected) == expected
    context.close()


def test_nothing_the_widget_sends_identifies_the_browser(browse, proofhook, chromium):
    made = proofhook["notification"](goals=GOALS, holdout_percent=50)
    line = snippet(proofhook["base"], made["public_key"], flush=0.1)
    requests_of = []
    for _browser in range(2):  # two browsers doing the same thing must send the same bytes
        context = chromium.new_context()
        sent = []
        context.on("request", lambda request, sent=sent: request.url.startswith(proofhook["base"]) and sent.append(request))
        # Both drew "shown" (the draw itself is the group a report says, nothing more).
        context.add_init_script("localStorage.getItem('proofhook') || localStorage.setItem('proofhook', %s)"
                                % json.dumps(json.dumps({"group": {made["public_key"]: "shown"}})))
        shop = browse("shop.html", [line], context=context)
        shop.locator(f"{POPUP} .tx").first.click()
        browse("thank-you.html", [line], context=context).wait_for_timeout(500)
        for request in sent:
            headers = request.all_headers()
            assert set(headers) <= ALLOWED_HEADERS, set(headers) - ALLOWED_HEADERS
            assert "cookie" not in headers and "authorization" not in headers
        goal_bodies = [json.loads(r.post_data) for r in sent if r.url.endswith("/goals")]
        assert goal_bodies and all(set(body) == {"v", "group", "items"} for body in goal_bodies)
        assert all(set(item) == {"goal", "kind"} for body in goal_bodies for item in body["items"])
        requests_of.append([(r.method, r.url, r.post_data) for r in sent])
        context.close()
    assert requests_of[0] == requests_of[1]
