"""The popup in every shop's language and look, accessible and light: webhook to popup under gunicorn, in Chromium."""
import time
from pathlib import Path

import pytest
import requests

from helpers import ADMIN_TOKEN
from servers import gunicorn, served_env
from test_widget import POPUP, site, snippet  # noqa: F401 (site is a fixture)

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
BUDGET_BYTES = 6 * 1024
# A clean, accessible host page (unlike test_widget's deliberately garish one), so axe judges only the popups;
# it sums layout shifts from the first paint on, and can play a hidden tab.
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shop</title>
<script>
  window.shifts = 0;
  new PerformanceObserver(list => {{ for (const entry of list.getEntries()) window.shifts += entry.value; }})
    .observe({{type: "layout-shift", buffered: true}});
  window.startedAt = performance.now();
</script></head>
<body><main><h1>Shop</h1><p>Our own text, long enough to be laid out across the page.</p>
<button id="host-button" type="button">Host button</button></main>
{snippets}
</body></html>
"""


@pytest.fixture(scope="module")
def shops(tmp_path_factory, geoip_path):
    """Run Proofhook under gunicorn with a notification per language and look, each fed through its webhook."""
    env = served_env(tmp_path_factory.mktemp("looks") / "proofhook.sqlite3", geoip_path)
    with gunicorn(env) as (base, _process):
        auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

        def shop(type="stream", events=(), **settings):
            guard_off = {"min_place_events": 1} if type == "stream" else {}  # one event shows its city
            made = requests.post(f"{base}/api/notifications", json={"name": "Shop", "type": type, **guard_off,
                                                                    **settings}, headers=auth).json()
            for payload in events:
                assert requests.post(made["webhook_url"], json=payload).status_code == 201
            return made["public_key"]

        from_germany = {"email": "john.smith@example.com", "city": "Berlin", "countryCode": "DE",
                        "productName": "Sneakers", "productLink": "https://example.com/sneakers",
                        "timestamp": time.time() - 180}
        placeless = {"email": "ann.lee@example.com", "countryCode": "DE", "timestamp": time.time() - 7200}
        yield {
            "base": base,
            "de": shop(events=[from_germany, placeless], language="de"),
            "ja": shop(events=[from_germany], language="ja"),
            "ar": shop(events=[from_germany], language="ar"),
            "pl5": shop("conversion", [{}] * 5, language="pl"),
            "pl2": shop("conversion", [{}] * 2, language="pl"),
            "light": shop(events=[from_germany], theme="light", accent="#ffcc00"),
            "dark": shop(events=[from_germany], theme="dark", accent="#1a237e", corners="square"),
            "auto": shop(events=[from_germany], theme="auto", size="compact", picture="none"),
        }


@pytest.fixture
def show(chromium, site):  # noqa: F811 (the fixture imported above)
    """Return a function that opens a shop page with one snippet in a fresh context and waits for its popup."""
    root, site_base = site
    contexts = []

    def open_page(name, key, base, wait=True, init_script=None, sent=None, **context_options):
        snippets = snippet(base, key, **context_options.pop("data", {}))
        (root / name).write_text(PAGE.format(snippets=snippets), encoding="utf-8")
        context = chromium.new_context(**context_options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(5000)
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        if init_script:
            page.add_init_script(init_script)
        if sent is not None:
            page.on("request", lambda request: sent.append(request))
        page.goto(f"{site_base}/{name}")
        if wait:
            page.locator(POPUP).first.wait_for()
        return page

    yield open_page
    for context in contexts:
        context.close()


def colours(page) -> dict:
    """Return the first popup's background, text and link colours as the browser computed them."""
    return page.locator(POPUP).first.evaluate("""pop => ({
        background: getComputedStyle(pop).backgroundColor, text: getComputedStyle(pop).color,
        link: pop.querySelector('a') && getComputedStyle(pop.querySelector('a')).color,
        radius: getComputedStyle(pop).borderTopLeftRadius, picture: !!pop.querySelector('.av')})""")


def rgb(colour: str) -> str:
    """Return "#rrggbb" as the browser writes it, "rgb(r, g, b)"."""
    return "rgb({}, {}, {})".format(*(int(colour[i:i + 2], 16) for i in (1, 3, 5)))


def feed_look(shops, key: str) -> dict:
    """Return the look a notification's feed carries."""
    return requests.get(f"{shops['base']}/feed/{key}.json").json()["look"]


# --- looks -----------------------------------------------------------------------------------------------------


def test_the_light_theme_with_a_pale_accent_made_readable(show, shops):
    page = show("light.html", shops["light"], shops["base"])
    look = feed_look(shops, shops["light"])
    assert colours(page) == {"background": rgb("#ffffff"), "text": rgb("#1d2330"),
                             "link": rgb(look["light"]["accent"]), "radius": "12px", "picture": True}
    assert look["light"]["accent"] != "#ffcc00"


def test_the_dark_theme_with_square_corners(show, shops):
    page = show("dark.html", shops["dark"], shops["base"])
    look = feed_look(shops, shops["dark"])
    assert colours(page) == {"background": rgb("#1f2430"), "text": rgb("#f1f3f8"),
                             "link": rgb(look["dark"]["accent"]), "radius": "0px", "picture": True}


@pytest.mark.parametrize("scheme, background", [("light", "#ffffff"), ("dark", "#1f2430")])
def test_the_auto_theme_follows_the_visitors_setting(show, shops, scheme, background):
    page = show(f"auto-{scheme}.html", shops["auto"], shops["base"], color_scheme=scheme)
    shown = colours(page)
    assert shown["background"] == rgb(background) and shown["picture"] is False  # picture: none
    assert page.locator(POPUP).first.evaluate("p => p.classList.contains('compact')")


def test_a_sites_stylesheet_restyles_the_documented_parts(show, shops, site):  # noqa: F811
    page = show("parts.html", shops["de"], shops["base"])
    page.add_style_tag(content="proofhook-popups::part(popup) { background: rgb(1, 2, 3); }"
                               "proofhook-popups::part(name) { color: rgb(4, 5, 6); }")
    popup = page.locator(POPUP).first
    assert popup.evaluate("p => getComputedStyle(p).backgroundColor") == "rgb(1, 2, 3)"
    assert popup.locator("[part=name]").evaluate("n => getComputedStyle(n).color") == "rgb(4, 5, 6)"
    parts = popup.evaluate("p => [p, ...p.querySelectorAll('[part]')].map(n => n.getAttribute('part')).sort()")
    assert parts == sorted(["popup", "picture", "text", "name", "product", "time", "close"])


# --- languages, end to end -------------------------------------------------------------------------------------


def test_german_from_webhook_to_popup(show, shops):
    page = show("de.html", shops["de"], shops["base"], data={"display": 0.6, "gap": 0.1})
    first = page.locator(POPUP).first
    assert first.get_attribute("lang") == "de" and first.get_attribute("dir") == "ltr"
    text = first.inner_text()
    assert "John S. (Berlin, Deutschland)" in text and "hat Sneakers gekauft" in text and "vor " in text
    second = page.locator(POPUP, has_text="Ann L.")
    second.wait_for()
    assert "Ann L. (Deutschland)" in second.inner_text() and "hat etwas gekauft" in second.inner_text()
    assert page.locator(POPUP).first.locator("button.x").get_attribute("aria-label") == "Schließen"


@pytest.mark.parametrize("key, expected", [
    ("pl5", "5 osób zarejestrowało się w ciągu ostatnich 24 godzin"),
    ("pl2", "2 osoby zarejestrowały się w ciągu ostatnich 24 godzin"),
])
def test_polish_plurals_from_webhook_to_popup(show, shops, key, expected):
    page = show(f"{key}.html", shops[key], shops["base"])
    assert expected in page.locator(POPUP).first.inner_text()


def test_japanese_from_webhook_to_popup(show, shops):
    page = show("ja.html", shops["ja"], shops["base"])
    text = page.locator(POPUP).first.inner_text()
    assert "Berlin, ドイツのJohn S." in text and "Sneakersを購入しました" in text and "分前" in text


def test_arabic_reads_right_to_left_with_isolated_latin_names(show, shops):
    page = show("ar.html", shops["ar"], shops["base"])
    popup = page.locator(POPUP).first
    assert popup.get_attribute("dir") == "rtl" and popup.evaluate("p => getComputedStyle(p).direction") == "rtl"
    text = popup.inner_text()
    assert "John S. من Berlin, ألمانيا" in text and "اشترى Sneakers" in text
    assert popup.locator("bdi[part=name]").inner_text() == "John S."
    assert popup.locator("a[part=product]").get_attribute("dir") == "auto"
    box, close = popup.bounding_box(), popup.locator("button.x").bounding_box()
    assert close["x"] < box["x"] + box["width"] / 2  # the close button sits on the left in RTL
    assert popup.locator("button.x").get_attribute("aria-label") == "إغلاق"


def test_data_lang_auto_speaks_the_visitors_browser_language(show, shops):
    page = show("auto-lang.html", shops["de"], shops["base"], locale="ja-JP", data={"lang": "auto"})
    assert page.locator(POPUP).first.get_attribute("lang") == "ja"
    assert "ドイツ" in page.locator(POPUP).first.inner_text()


# --- accessible ------------------------------------------------------------------------------------------------


def test_keyboard_and_pointer_pause_the_popup_and_escape_dismisses_it(show, shops):
    page = show("keys.html", shops["de"], shops["base"], data={"display": 0.8, "gap": 5})
    popup = page.locator(POPUP).first
    for _ in range(6):  # Tab from the page into the popup: the product link, then the close button
        page.keyboard.press("Tab")
        if popup.evaluate("p => p.getRootNode().activeElement && p.getRootNode().activeElement.className") == "x":
            break
    close = popup.locator("button.x")
    assert close.evaluate("b => b.matches(':focus-visible') && getComputedStyle(b).outlineStyle") == "solid"
    page.wait_for_timeout(1500)  # well past data-display: focus holds it up (WCAG 2.2.2)
    assert popup.is_visible()
    page.keyboard.press("Escape")
    popup.wait_for(state="detached")
    assert page.evaluate("sessionStorage.getItem('proofhook-closed')") is None  # only this page view

    page = show("hover.html", shops["de"], shops["base"], data={"display": 0.8, "gap": 5})
    popup = page.locator(POPUP).first
    popup.hover()
    page.wait_for_timeout(1500)
    assert popup.is_visible()
    page.mouse.move(1, 1)
    popup.wait_for(state="detached")  # the time left runs out once the pointer leaves


def test_each_popup_is_announced_once_through_a_polite_live_region(show, shops):
    page = show("live.html", shops["de"], shops["base"])
    live = page.locator("proofhook-popups [aria-live=polite]")
    assert live.count() == 1 and "hat Sneakers gekauft" in live.inner_text()
    assert page.locator(POPUP).first.get_attribute("role") is None  # not a second live region of its own


@pytest.mark.parametrize("key, scheme", [("light", "light"), ("dark", "light"), ("auto", "light"), ("auto", "dark"),
                                         ("ar", "light")])
def test_axe_finds_no_violations(show, shops, key, scheme):
    if not AXE.exists():
        pytest.fail("axe-core is not installed: `make test` runs npm ci in tests/browser/axe", pytrace=False)
    page = show(f"axe-{key}-{scheme}.html", shops[key], shops["base"], reduced_motion="reduce", color_scheme=scheme)
    page.add_script_tag(path=str(AXE))  # from node_modules, never a CDN
    rules = "['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa', 'best-practice']"
    result = page.evaluate(f"axe.run(document, {{runOnly: {rules}}})")
    assert result["passes"], "axe checked nothing"
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]] == []


# --- light on the page -----------------------------------------------------------------------------------------


def test_the_budget_size_requests_and_no_layout_shift(show, shops):
    sent = []
    page = show("budget.html", shops["de"], shops["base"], wait=False, sent=sent,
                data={"delay": 0, "display": 0.3, "gap": 0.1})
    page.locator(POPUP, has_text="John S.").wait_for()
    first_popup_ms = page.evaluate("performance.now() - window.startedAt")
    page.locator(POPUP, has_text="Ann L.").wait_for()
    page.locator(POPUP).first.wait_for(state="detached")
    ours = [request for request in sent if request.url.startswith(shops["base"])]
    script = next(request for request in ours if "/widget.js" in request.url)
    encoding = script.response().headers.get("content-encoding")
    size = script.sizes()["responseBodySize"]
    feeds = [request.url for request in ours if "/feed/" in request.url and request.url.endswith(".json")]
    print(f"\nwidget.js: {size} bytes ({encoding}); requests: {len(ours)}; first popup after {first_popup_ms:.0f} ms;"
          f" layout shift: {page.evaluate('window.shifts')}")
    assert encoding in ("gzip", "br", "zstd") and size <= BUDGET_BYTES
    assert len(feeds) == 1 and len(ours) in (2, 3)  # widget.js, one feed read, and the beacon when one is due
    assert page.evaluate("window.shifts") == 0
    feed_started, page_loaded = page.evaluate("""() => [
        performance.getEntriesByType('resource').find(entry => entry.name.includes('/feed/')).startTime,
        performance.getEntriesByType('navigation')[0].loadEventEnd]""")
    assert feed_started >= page_loaded > 0  # the widget waits for the page's own load


def test_a_hidden_tab_asks_for_nothing_until_it_is_shown(show, shops):
    pretend_hidden = """
        window.tabHidden = true;
        Object.defineProperty(document, 'hidden', {get: () => window.tabHidden});
    """
    sent = []
    page = show("hidden.html", shops["de"], shops["base"], wait=False, init_script=pretend_hidden, sent=sent)
    page.wait_for_timeout(800)
    assert not [request for request in sent if "/feed/" in request.url] and page.locator(POPUP).count() == 0
    page.evaluate("window.tabHidden = false; document.dispatchEvent(new Event('visibilitychange'))")
    page.locator(POPUP).first.wait_for()
    assert page.errors == []


# --- the notification page -------------------------------------------------------------------------------------


def test_the_settings_preview_changes_live_under_the_pages_csp(chromium, shops):
    made = requests.get(f"{shops['base']}/api/notifications", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) \
        .json()["notifications"]
    notification = next(n for n in made if n["public_key"] == shops["de"])
    context = chromium.new_context()
    try:
        page = context.new_page()
        console = []
        page.on("console", lambda message: console.append(message.text))
        page.goto(f"{shops['base']}/notifications/{notification['id']}")
        page.fill("#token", ADMIN_TOKEN)
        page.click("button[type=submit]")
        page.wait_for_url(f"{shops['base']}/notifications/{notification['id']}")
        assert "hat Sneakers gekauft" in page.inner_text("#previews")
        page.select_option("#language", "he")
        page.locator("#previews[dir=rtl]").wait_for()
        assert "גרמניה" in page.inner_text("#previews")
        page.select_option("#theme", "dark")
        page.locator("#previews.look-dark").wait_for()
        background = page.evaluate("getComputedStyle(document.querySelector('#previews .popup')).backgroundColor")
        assert background == rgb("#1f2430")  # preview.js painted the dark theme's colours (CSSOM, allowed by CSP)
        saved = requests.get(f"{shops['base']}/feed/{shops['de']}.json").json()
        assert saved["lang"] == "de"  # nothing was saved by looking
        assert [text for text in console if "Content Security Policy" in text] == []
    finally:
        context.close()
