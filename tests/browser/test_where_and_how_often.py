"""Where, when and how often, in Chromium on a customer's site (another origin), against Proofhook under gunicorn."""
import json
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from display_rules import cases
from helpers import ADMIN_TOKEN
from servers import gunicorn, served_env
from test_widget import HOST_PAGE, POPUP, site, snippet  # noqa: F401 (site is a fixture)

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 800}
# Storage switched off, as a browser blocking site data does it: touching either store throws.
NO_STORAGE = """
for (const name of ["localStorage", "sessionStorage"]) {
  Object.defineProperty(window, name, {get() { throw new DOMException("The access is denied for this document.",
                                                                      "SecurityError"); }});
}
"""
# Counts the popups in the page every 10 ms, across every corner's shadow root, and notes each new one's key.
SAMPLER = """
window.samples = {most: 0, keys: [], seen: new Set()};
setInterval(() => {
  const popups = [...document.querySelectorAll("proofhook-popups")].flatMap(h => [...h.shadowRoot.querySelectorAll(".pop")]);
  samples.most = Math.max(samples.most, popups.length);
  for (const p of popups) if (!samples.seen.has(p)) { samples.seen.add(p); samples.keys.push(p.dataset.key); }
}, 10);
"""


@pytest.fixture(scope="module")
def proofhook(tmp_path_factory, geoip_path):
    """Run Proofhook under gunicorn; yield its base URL and a function making a notification with one event."""
    env = served_env(tmp_path_factory.mktemp("rules") / "proofhook.sqlite3", geoip_path)
    with gunicorn(env) as (base, _process):

        def notification(events=1, **settings) -> dict:
            made = requests.post(f"{base}/api/notifications", headers=AUTH,
                                 json={"name": "Shop", "type": "stream", **settings})
            assert made.status_code == 201, made.json()
            for n in range(events):
                payload = {"email": f"buyer{n}@example.com", "firstName": f"Buyer{n}", "productName": "Tote",
                           "timestamp": time.time() - 60 * (n + 1)}
                assert requests.post(made.json()["webhook_url"], json=payload).status_code == 201
            return made.json()

        yield {"base": base, "notification": notification}


@pytest.fixture
def browse(chromium, site):
    """Return a function that writes a customer page and opens it, once the widget has read its feeds."""
    root, base = site
    contexts = []

    def open_page(name: str, snippets: list[str], context=None, feeds: int = 1, init_script: str | None = None,
                  **context_options):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(HOST_PAGE.format(snippets="\n".join(snippets)), encoding="utf-8")
        if context is None:
            context = chromium.new_context(**context_options)
            contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(5000)
        page.errors, page.feeds = [], []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("requestfinished", lambda request: "/feed/" in request.url and page.feeds.append(request.url))
        if init_script:
            page.add_init_script(init_script)
        page.goto(f"{base}/{name}")
        page.wait_for_function(f"() => window.Proofhook && performance.getEntriesByType('resource')"
                               f".filter(e => e.name.includes('/feed/')).length >= {feeds}")
        return page

    yield open_page
    for context in contexts:
        context.close()


def shown_none(page, wait_ms: int = 700) -> bool:
    """Return whether no popup came up in the time one would have (the snippets' delay is 0.05 s)."""
    page.wait_for_timeout(wait_ms)
    # A popup that came and went leaves its corner's element behind: none means none was shown.
    return page.evaluate("document.querySelectorAll('proofhook-popups').length") == 0


def test_the_shared_cases_hold_in_the_browser(browse, proofhook):
    # The same cases as tests/test_display_rules.py's, through widget.js's own function, on each case's own rules.
    checked = []
    for case in cases():
        made = proofhook["notification"](events=0, **case["settings"])
        rules = requests.get(made["feed_url"]).json()["rules"]
        checked.append({**case, "rules": rules})
    page = browse("cases.html", [snippet(proofhook["base"], made["public_key"])])
    results = page.evaluate("""cases => cases.map(c => [c.name,
        Proofhook.fits(c.rules, new URL(c.url), c.now, c.width)])""", checked)
    assert results == [[case["name"], case["shows"]] for case in checked]


def test_a_page_of_an_include_rule_shows_and_an_excluded_one_doesnt(browse, proofhook):
    made = proofhook["notification"](pages_include=["/shop/*"], pages_exclude=["/shop/cart*"])
    line = snippet(proofhook["base"], made["public_key"])
    browse("shop/tote.html", [line]).locator(POPUP).first.wait_for()
    assert shown_none(browse("shop/cart.html", [line]))
    assert shown_none(browse("blog/post.html", [line]))


def test_mobile_only_doesnt_show_on_a_desktop_and_a_snippet_can_narrow(browse, proofhook):
    phones = proofhook["notification"](devices="mobile")
    line = snippet(proofhook["base"], phones["public_key"])
    assert shown_none(browse("phones.html", [line], viewport=DESKTOP))
    browse("phones.html", [line], viewport=PHONE).locator(POPUP).first.wait_for()
    anywhere = proofhook["notification"]()
    narrowed = snippet(proofhook["base"], anywhere["public_key"], devices="mobile")
    assert shown_none(browse("narrowed.html", [narrowed], viewport=DESKTOP))
    browse("narrowed.html", [narrowed], viewport=PHONE).locator(POPUP).first.wait_for()


def hours_around(zone: str, start: int, end: int) -> dict:
    """Return schedule hours from `start` to `end` hours away from now, on the clock of `zone`."""
    local = datetime.now(ZoneInfo(zone))
    return {"time_zone": zone, "schedule_from": (local + timedelta(hours=start)).strftime("%H:%M"),
            "schedule_until": (local + timedelta(hours=end)).strftime("%H:%M")}


def test_a_schedule_outside_its_hours_shows_nothing(browse, proofhook):
    # Kolkata is 5:30 from UTC: a browser reading the hours in UTC, or its own zone, gets both of these wrong.
    later = proofhook["notification"](**hours_around("Asia/Kolkata", 2, 3))
    assert shown_none(browse("later.html", [snippet(proofhook["base"], later["public_key"])]))
    now = proofhook["notification"](**hours_around("Asia/Kolkata", -1, 1))
    browse("now.html", [snippet(proofhook["base"], now["public_key"])]).locator(POPUP).first.wait_for()
    gone = proofhook["notification"](time_zone="Asia/Kolkata", schedule_end=(datetime.now(ZoneInfo("Asia/Kolkata"))
                                                                             - timedelta(days=1)).date().isoformat())
    assert shown_none(browse("gone.html", [snippet(proofhook["base"], gone["public_key"])]))


def shifted_clock(minutes: int) -> str:
    """Return an init script that puts the page's clock `minutes` ahead: the visitor coming back later."""
    return f"{{ const real = Date.now; Date.now = () => real.call(Date) + {minutes * 60_000}; }}"


def test_a_popup_seen_once_waits_for_its_window(browse, proofhook, chromium):
    made = proofhook["notification"](repeat_hours=1)  # the window shortened to an hour
    line = snippet(proofhook["base"], made["public_key"], display=0.3)
    context = chromium.new_context()
    try:
        first = browse("seen.html", [line], context=context)
        first.locator(POPUP).first.wait_for()
        first.locator(POPUP).first.wait_for(state="detached")
        assert shown_none(browse("seen.html", [line], context=context))  # the next page load, within the hour
        assert shown_none(browse("seen.html", [line], context=context, init_script=shifted_clock(59)))
        back = browse("seen.html", [line], context=context, init_script=shifted_clock(61))
        back.locator(POPUP).first.wait_for()
        # Remembered on the device alone: no cookie, and the feed was asked for with nothing about the visitor.
        assert context.cookies() == [] and back.evaluate("document.cookie") == ""
        assert all(url.endswith(f"/feed/{made['public_key']}.json") for url in back.feeds)
        assert list(json.loads(back.evaluate("localStorage.getItem('proofhook')"))) == ["seen"]
    finally:
        context.close()


def test_two_notifications_on_one_page_take_turns_and_never_overlap(browse, proofhook):
    first = proofhook["notification"](events=2, priority=5)
    second = proofhook["notification"](events=2, priority=1)
    base = proofhook["base"]
    # The lower priority's snippet comes first on the page, and in another corner: priority decides, not order.
    page = browse("turns.html", [snippet(base, second["public_key"], delay=0.6, display=0.3, gap=0.1),
                                 snippet(base, first["public_key"], delay=0.6, display=0.3, gap=0.1,
                                         position="top-right")],
                  feeds=2, init_script=SAMPLER)
    page.wait_for_function("samples.keys.length === 4", timeout=10_000)
    page.locator(POPUP).first.wait_for(state="detached")
    page.wait_for_timeout(500)
    samples = page.evaluate("[samples.most, samples.keys]")
    assert samples == [1, [first["public_key"], second["public_key"], first["public_key"], second["public_key"]]]
    assert page.errors == []


def shown_in_all(page, expected: int) -> int:
    """Wait for `expected` popups to have come and gone, then long enough for one more; return how many came."""
    page.wait_for_function(f"samples.keys.length >= {expected}")
    page.locator(POPUP).first.wait_for(state="detached")
    page.wait_for_timeout(700)
    return page.evaluate("samples.keys.length")


def test_a_snippet_added_later_joins_the_same_queue(browse, proofhook):
    early, late = proofhook["notification"](events=2), proofhook["notification"](events=2)
    base = proofhook["base"]
    page = browse("later-snippet.html", [snippet(base, early["public_key"], display=0.4, gap=0.1)],
                  init_script=SAMPLER)
    page.wait_for_function("samples.keys.length === 1")
    # A page adding a snippet as it goes: the script loads and runs a second time, for the new one.
    page.evaluate("""html => document.body.appendChild(document.createRange().createContextualFragment(html))""",
                  snippet(base, late["public_key"], display=0.4, gap=0.1, position="top-right"))
    page.wait_for_function("samples.keys.length === 4", timeout=10_000)
    samples = page.evaluate("[samples.most, samples.keys]")
    assert samples[0] == 1 and sorted(samples[1]) == sorted([early["public_key"]] * 2 + [late["public_key"]] * 2)


def test_at_most_n_per_view_and_starting_over(browse, proofhook):
    capped = proofhook["notification"](events=3, max_per_view=2, repeat_hours=0)
    page = browse("capped.html", [snippet(proofhook["base"], capped["public_key"], display=0.2, gap=0.05)],
                  init_script=SAMPLER)
    assert shown_in_all(page, 2) == 2
    total = browse("total.html", [snippet(proofhook["base"], capped["public_key"], display=0.2, gap=0.05,
                                          **{"max-total": 1})], init_script=SAMPLER)
    assert shown_in_all(total, 1) == 1
    looping = proofhook["notification"](events=1, after_last="loop", repeat_hours=0)
    again = browse("loop.html", [snippet(proofhook["base"], looping["public_key"], display=0.2, gap=0.05)],
                   init_script=SAMPLER)
    again.wait_for_function("samples.keys.length >= 3")


def test_closing_for_days_outlasts_the_visit(browse, proofhook, chromium):
    made = proofhook["notification"](close_days=7, repeat_hours=0)
    line = snippet(proofhook["base"], made["public_key"])
    context = chromium.new_context()
    try:
        page = browse("close.html", [line], context=context)
        page.locator(POPUP).first.locator("button.x").click()
        page.locator(POPUP).first.wait_for(state="detached")
        # The same device with the browser reopened: a new visit, which the close for the visit doesn't reach.
        fresh = chromium.new_context(storage_state=context.storage_state())
        try:
            assert shown_none(browse("close.html", [line], context=fresh))
            assert shown_none(browse("close.html", [line], context=fresh, init_script=shifted_clock(6 * 24 * 60)))
            browse("close.html", [line], context=fresh, init_script=shifted_clock(7 * 24 * 60 + 1)) \
                .locator(POPUP).first.wait_for()
        finally:
            fresh.close()
    finally:
        context.close()


def test_with_storage_disabled_the_widget_still_works(browse, proofhook, chromium):
    made = proofhook["notification"](events=2)
    line = snippet(proofhook["base"], made["public_key"], display=0.3, gap=0.05)
    context = chromium.new_context()
    try:
        for _ in range(2):  # nothing is remembered, so the next page load shows the same popups again
            page = browse("nostorage.html", [line], context=context, init_script=NO_STORAGE)
            assert page.evaluate("(() => { try { localStorage; return 'on'; } catch (e) { return e.name; } })()") \
                == "SecurityError"
            page.locator(POPUP, has_text="Buyer0").wait_for()
            page.locator(POPUP, has_text="Buyer1").wait_for()
            assert page.errors == []
        page = browse("nostorage.html", [snippet(proofhook["base"], made["public_key"], display=30)],
                      context=context, init_script=NO_STORAGE)
        page.locator(POPUP).first.locator("button.x").click()  # closing still hides them for this page
        page.locator(POPUP).first.wait_for(state="detached")
        assert shown_none(page) and page.errors == []  # closing took the corner away, and nothing came back
    finally:
        context.close()
