"""The widget on a customer's site (another origin), driven in headless Chromium against Proofhook under gunicorn."""
import base64
import functools
import hashlib
import hmac
import json
import re
import sqlite3
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from helpers import ADMIN_TOKEN, made_recent, platform_request
from servers import free_port, gunicorn, served_env

WIDGET_JS = Path(__file__).resolve().parents[2] / "webhook" / "static" / "widget.js"
POPUP = "proofhook-popups .pop"  # Playwright's CSS selectors pierce open shadow roots
XSS_NAME = "<img src=x onerror=alert(1)>"
XSS_PRODUCT = "<script>window.pwned = 1</script>"
# The customer's own styles: if ours leaked out, or theirs in, the checks on these would see it.
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Customer shop</title>
<style>
  body {{ color: rgb(255, 0, 0); font: 30px serif; }}
  p {{ margin: 40px; color: rgb(255, 0, 0); }}
  a {{ color: rgb(0, 255, 0); }}
</style></head>
<body>
<h1>Totes &amp; Co.</h1>
<p id="host-text">Our own paragraph.</p>
<div class="pop" id="host-pop">A block of ours that happens to share a class name with the widget.</div>
<button id="host-button" type="button" onclick="this.textContent = 'clicked'">Host button</button>
{snippets}
<script>window.hostReady = true;</script>
</body></html>
"""


class QuietHandler(SimpleHTTPRequestHandler):
    """Serve files without logging each request to stderr."""

    def log_message(self, *args):
        """Log nothing."""


@pytest.fixture(scope="module")
def proofhook(tmp_path_factory, geoip_path):
    """Run Proofhook under gunicorn with three notifications and their events; yield base URL and keys."""
    database = tmp_path_factory.mktemp("served") / "proofhook.sqlite3"
    env = served_env(database, geoip_path)
    with gunicorn(env) as (base, _process):
        auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

        def notification(name, type):
            # One event shows its city: the small-place guard off (tests/test_proof.py tests it).
            guard_off = {"min_place_events": 1} if type == "stream" else {}
            answer = requests.post(f"{base}/api/notifications", json={"name": name, "type": type, **guard_off},
                                   headers=auth)
            assert answer.status_code == 201
            return answer.json()

        stream, signups, hostile = notification("Purchases", "stream"), notification("Sign-ups", "conversion"), \
            notification("Hostile", "stream")
        now = time.time()
        events = [
            (stream, {"email": "ann.lee@example.com", "city": "London", "countryCode": "GB",
                      "productName": "Tote", "productLink": "https://example.com/tote", "timestamp": now - 7200}),
            (stream, {"email": "john.smith@example.com", "city": "Miami", "state": "Florida", "countryCode": "US",
                      "productName": "Sneakers", "productLink": "https://example.com/sneakers",
                      "timestamp": now - 180}),
            (hostile, {"email": "x@example.com", "firstName": XSS_NAME, "productName": XSS_PRODUCT,
                       "productLink": "https://example.com/x"}),
            *[(signups, {}) for _ in range(3)],
        ]
        for target, payload in events:
            assert requests.post(target["webhook_url"], json=payload).status_code == 201
        # A row written before links were checked (or by hand): the feed itself must drop what isn't http(s).
        with sqlite3.connect(database) as conn:
            conn.execute("UPDATE events SET product_link = 'javascript:alert(1)', product_image = 'javascript:x'"
                         " WHERE notification_id = ?", (hostile["id"],))
        conn.close()
        yield {"base": base, "stream": stream["public_key"], "signups": signups["public_key"],
               "hostile": hostile["public_key"], "database": database}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Serve a customer's static site on its own port (another origin); yield (its folder, its base URL)."""
    root = tmp_path_factory.mktemp("customer-site")
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), functools.partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def visit(chromium, site):
    """Return a function that writes a customer page with the given snippets and opens it in a fresh context."""
    root, base = site
    contexts = []

    def open_page(name: str, snippets: list[str], **context_options):
        (root / name).write_text(HOST_PAGE.format(snippets="\n".join(snippets)), encoding="utf-8")
        context = chromium.new_context(**context_options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(5000)
        page.dialogs, page.errors = [], []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.goto(f"{base}/{name}")
        return page

    yield open_page
    for context in contexts:
        context.close()


def snippet(base: str, key: str, delay=0.05, display=30, gap=0.1, **extra) -> str:
    """Return the owner's snippet with fast timings for tests."""
    attributes = "".join(f' data-{name}="{value}"' for name, value in extra.items())
    return (f'<script src="{base}/widget.js" data-key="{key}" data-delay="{delay}" data-display="{display}"'
            f' data-gap="{gap}"{attributes} async></script>')


def no_javascript_links(page) -> bool:
    """Tell whether no link or image on the page (shadow roots included) points anywhere but http(s)."""
    return page.evaluate("""() => {
        const roots = [document, ...[...document.querySelectorAll('proofhook-popups')].map(h => h.shadowRoot)];
        return roots.every(root => [...root.querySelectorAll('a, img')].every(
            node => /^https?:/.test(node.getAttribute('href') || node.getAttribute('src') || 'http:')));
    }""")


def test_a_popup_shows_name_place_product_and_time(visit, proofhook, tmp_path):
    page = visit("shop.html", [snippet(proofhook["base"], proofhook["stream"])])
    popup = page.locator(POPUP).first
    popup.wait_for()
    text = popup.inner_text()
    assert "John S." in text and "from Miami, Florida" in text and "purchased" in text
    assert re.search(r"\b[23] minutes ago\b", text)
    link = popup.locator("a")
    assert link.inner_text() == "Sneakers" and link.get_attribute("href") == "https://example.com/sneakers"
    assert link.get_attribute("rel") == "nofollow noopener"
    assert popup.locator(".av").inner_text() == "JS"
    # Styles neither leak in (the host's red paragraphs with 40px margins) nor out (the host's .pop stays shown).
    style = popup.locator("p").first.evaluate("p => [getComputedStyle(p).color, getComputedStyle(p).marginTop]")
    assert style == ["rgb(29, 35, 48)", "0px"]
    host = page.evaluate("""() => [getComputedStyle(document.getElementById('host-pop')).opacity,
                                   getComputedStyle(document.getElementById('host-text')).marginTop]""")
    assert host == ["1", "40px"]
    page.screenshot(path=tmp_path / "widget.png")
    assert (tmp_path / "widget.png").stat().st_size > 1000
    assert page.errors == [] and page.dialogs == []


def test_popups_follow_one_another(visit, proofhook):
    page = visit("sequence.html", [snippet(proofhook["base"], proofhook["stream"], display=0.4, gap=0.1)])
    page.locator(POPUP, has_text="John S.").wait_for()
    page.locator(POPUP, has_text="Ann L.").wait_for()
    assert "from London, United Kingdom" in page.locator(POPUP, has_text="Ann L.").inner_text()
    page.locator(POPUP).first.wait_for(state="detached")  # after the last one, nothing stays up


def test_the_conversion_count_shows(visit, proofhook):
    page = visit("signup.html", [snippet(proofhook["base"], proofhook["signups"], position="top-right")])
    popup = page.locator(POPUP).first
    popup.wait_for()
    assert popup.inner_text().startswith("3")
    assert "3 people signed up in the last 24 hours" in popup.inner_text()
    box, width = popup.bounding_box(), page.viewport_size["width"]
    assert box["y"] < 100 and box["x"] + box["width"] > width - 100  # the top-right corner


def test_hostile_names_show_as_text_and_run_nothing(visit, proofhook):
    page = visit("hostile.html", [snippet(proofhook["base"], proofhook["hostile"])])
    popup = page.locator(POPUP).first
    popup.wait_for()
    assert XSS_NAME in popup.inner_text() and XSS_PRODUCT in popup.inner_text()
    assert popup.locator("a, img").count() == 0  # the stored javascript: link and image were dropped
    page.wait_for_timeout(300)  # time for an injected onerror to have fired
    assert page.evaluate("window.pwned") is None and page.dialogs == [] and page.errors == []
    assert no_javascript_links(page)


def test_the_widget_itself_drops_links_that_are_not_http(visit, site, proofhook):
    # A feed that doesn't come from Proofhook (a proxy rewrote it, a bug): the widget must still hold the line.
    root, base = site
    (root / "evil" / "feed").mkdir(parents=True)
    (root / "evil" / "widget.js").write_bytes(WIDGET_JS.read_bytes())
    item = {"type": "stream", "name": XSS_NAME, "initials": "<b>", "place": "<i>x</i>", "message": "bought",
            "product": {"name": "Trap", "link": "javascript:alert(1)", "image": "data:image/svg+xml,<svg/>"},
            "timeAgo": "just now"}
    (root / "evil" / "feed" / "evil.json").write_text(json.dumps({"items": [item]}))
    page = visit("evil.html", [snippet(f"{base}/evil", "evil")])
    popup = page.locator(POPUP).first
    popup.wait_for()
    assert "Trap" in popup.inner_text() and XSS_NAME in popup.inner_text()
    assert popup.locator("a, img").count() == 0 and no_javascript_links(page)
    assert page.dialogs == [] and page.errors == []


def test_close_hides_them_for_the_visit(visit, proofhook):
    page = visit("close.html", [snippet(proofhook["base"], proofhook["stream"], display=30),
                                snippet(proofhook["base"], proofhook["signups"], display=30)])
    page.locator(POPUP).first.locator("button.x").click()  # whichever of the two comes first
    page.locator(POPUP).first.wait_for(state="detached")
    assert page.evaluate("sessionStorage.getItem('proofhook-closed')") == "1"
    page.reload()
    page.wait_for_timeout(600)  # well past data-delay: a popup would be up by now
    assert page.locator(POPUP).count() == 0 and page.evaluate("window.hostReady") is True


def test_two_keys_on_one_page_both_show_in_turn(visit, proofhook):
    # One queue per page: one popup at a time (tests/browser/test_where_and_how_often.py samples a whole cycle).
    page = visit("two.html", [snippet(proofhook["base"], proofhook["stream"], delay=0.5, display=0.4),
                              snippet(proofhook["base"], proofhook["signups"], delay=0.5, display=0.4,
                                      position="bottom-right")])
    left = page.locator(POPUP, has_text="John S.")
    left.wait_for()
    assert page.locator(POPUP).count() == 1
    box = left.bounding_box()
    right = page.locator(POPUP, has_text="people signed up")
    right.wait_for()
    assert page.locator(POPUP).count() == 1
    assert box["x"] + box["width"] <= right.bounding_box()["x"]  # each in its own corner


def test_a_feed_error_leaves_the_host_page_working(visit, site, proofhook):
    root, base = site
    (root / "broken" / "feed").mkdir(parents=True)
    (root / "broken" / "widget.js").write_bytes(WIDGET_JS.read_bytes())
    (root / "broken" / "feed" / "bad.json").write_text("{not json")
    page = visit("errors.html", [
        snippet(proofhook["base"], "no-such-key"),                # 404 from Proofhook
        snippet(f"{base}/broken", "bad"),                         # a feed that isn't JSON
        snippet(f"{base}/broken", "missing"),                     # a feed that isn't there (HTML 404)
        snippet(f"http://127.0.0.1:{free_port()}", "down"),       # Proofhook down: the script never loads
        snippet(proofhook["base"], proofhook["stream"]),          # and one that works, on the same page
    ])
    page.locator(POPUP, has_text="John S.").wait_for()
    page.click("#host-button")
    assert page.inner_text("#host-button") == "clicked" and page.evaluate("window.hostReady") is True
    assert page.errors == [] and page.locator(POPUP).count() == 1


def test_readable_on_a_phone_and_still_with_reduced_motion(visit, proofhook):
    page = visit("phone.html", [snippet(proofhook["base"], proofhook["stream"])],
                 viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, reduced_motion="reduce")
    popup = page.locator(POPUP).first
    popup.wait_for()
    box = popup.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360 and box["width"] >= 300
    style = popup.evaluate("p => [getComputedStyle(p).transitionDuration, getComputedStyle(p).fontSize]")
    assert style[0] in ("0s", "0s, 0s") and float(style[1].rstrip("px")) >= 14
    assert popup.locator("button.x").bounding_box()["width"] >= 24  # big enough to tap


# --- impressions and clicks (Insight) --------------------------------------------------------------------------


def fresh_notification(proofhook, type: str = "stream", settings: dict | None = None, **payload) -> dict:
    """Create a notification of its own for one test (others' late beacons can't touch it), with one event."""
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    made = requests.post(f"{proofhook['base']}/api/notifications",
                         json={"name": "Beacons", "type": type, **(settings or {})}, headers=auth).json()
    assert requests.post(made["webhook_url"], json=payload).status_code == 201
    return made


def totals_become(proofhook, notification, expected: dict, timeout: float = 5) -> dict:
    """Poll the stats API until the totals show `expected` (a beacon lands when the browser sends it)."""
    url = f"{proofhook['base']}/api/notifications/{notification['id']}/stats?days=2"
    deadline = time.monotonic() + timeout
    while True:
        totals = requests.get(url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json()["totals"]
        if all(totals[name] == value for name, value in expected.items()) or time.monotonic() > deadline:
            return totals
        time.sleep(0.1)


def test_a_shown_popup_and_a_click_on_its_link_are_counted(visit, proofhook):
    made = fresh_notification(proofhook, email="ann.lee@example.com", productName="Tote",
                              productLink="https://example.com/tote")
    page = visit("beacon.html", [snippet(proofhook["base"], made["public_key"], flush=0.2)])
    page.context.route("https://example.com/**", lambda route: route.fulfill(body="the product page"))
    popup = page.locator(POPUP).first
    popup.wait_for()
    assert totals_become(proofhook, made, {"impressions": 1}) == \
        {"impressions": 1, "clicks": 0, "ctr": 0.0, "events_received": 1}
    with page.context.expect_page():
        popup.locator("a").click()  # the product opens in a new tab; the click is reported at once
    popup.locator("a").click()      # a second click on the same popup is not a second click-through
    assert totals_become(proofhook, made, {"clicks": 1}) == \
        {"impressions": 1, "clicks": 1, "ctr": 1.0, "events_received": 1}
    page.wait_for_timeout(400)  # two flush intervals: nothing more arrives
    assert totals_become(proofhook, made, {}, timeout=0)["clicks"] == 1
    assert page.errors == [] and page.dialogs == []


def test_what_is_queued_leaves_when_the_visitor_leaves(visit, site, proofhook):
    made = fresh_notification(proofhook, "conversion", {"repeat_hours": 0})  # shown again on the next page view
    page = visit("leave.html", [snippet(proofhook["base"], made["public_key"], flush=600)])
    page.locator(POPUP).first.wait_for()
    page.locator(POPUP).first.locator(".tx").click()  # a click on the popup itself counts too…
    assert totals_become(proofhook, made, {"clicks": 1})["impressions"] == 1  # …and takes the queue with it
    page.reload()  # the next page view, with a flush timer far away…
    page.locator(POPUP).first.wait_for()
    page.goto(f"{site[1]}/beacon.html")  # …until the visitor leaves: pagehide sends the impression
    assert totals_become(proofhook, made, {"impressions": 2}) == \
        {"impressions": 2, "clicks": 1, "ctr": 0.5, "events_received": 1}


def test_reports_store_no_address_or_agent(proofhook):
    with sqlite3.connect(proofhook["database"]) as conn:
        text = "\n".join(conn.iterdump())
    conn.close()
    assert "127.0.0.1" not in text and "HeadlessChrome" not in text and "Mozilla" not in text


# --- the Verified mark (Proof and privacy) --------------------------------------------------------------------


def test_the_verified_mark_links_to_the_popup_s_proof_page(visit, proofhook):
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    secret = "shpss_browser-proof"
    made = requests.post(f"{proofhook['base']}/api/notifications", headers=auth, json={
        "name": "Proof", "type": "stream", "signing_secret": secret, "show_verified": True}).json()
    headers, body = platform_request("shopify_orders_create.json")
    body = made_recent(body)
    headers["X-Shopify-Hmac-Sha256"] = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    assert requests.post(made["webhook_url"], data=body, headers=headers).status_code == 201
    page = visit("proof.html", [snippet(proofhook["base"], made["public_key"])])
    popup = page.locator(POPUP).first
    popup.wait_for()
    mark = popup.locator("a.vf")
    assert mark.inner_text() == "\u2713 Verified"
    href = mark.get_attribute("href")
    assert href.startswith(f"{proofhook['base']}/proof/{made['public_key']}/")  # Proofhook's origin, not the shop's
    console = []
    with page.context.expect_page() as opened:
        mark.click()
    proof = opened.value
    proof.on("console", lambda message: console.append(message.text))
    proof.wait_for_load_state()
    assert proof.url == href
    text = proof.inner_text("main")
    assert "A paid Shopify order, signature verified" in text and "John S." in text and "Runner Sneakers" in text
    html = proof.content()
    assert "john.smith" not in html and "Brickell" not in html and "5940139491234" not in html
    assert proof.locator("script").count() == 0 and [t for t in console if "Content Security Policy" in t] == []
    proof.click("text=How these popups are made")
    assert "Webhook calls with a verified signature" in proof.text_content("main")
    assert page.errors == [] and page.dialogs == []
