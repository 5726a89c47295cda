"""Display rules: set through the API (422s that name the field), carried by the feed, and matched as specified."""
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from werkzeug.datastructures import MultiDict

from display_rules import cases
from helpers import log_in
from webhook import rules
from webhook.storage import notification_store


def feed_rules(client, notification: dict) -> dict:
    """Return the rules a notification's feed carries to the widget."""
    return client.get(urlsplit(notification["feed_url"]).path).get_json()["rules"]


@pytest.mark.parametrize("case", cases(), ids=lambda case: case["name"])
def test_the_shared_cases_hold_for_the_server(client, make_notification, case):
    # The same cases run in Chromium against widget.js (tests/browser/test_where_and_how_often.py).
    made = make_notification("stream", **case["settings"])
    assert rules.shows(feed_rules(client, made), case["url"], case["now"], case["width"]) is case["shows"]


def test_no_rules_means_every_page_at_any_time(client, stream):
    carried = feed_rules(client, stream)
    assert carried == {"include": [], "exclude": [], "devices": "all", "schedule": None, "maxPerView": 0,
                       "repeatHours": 24, "afterLast": "stop", "order": "newest", "closeDays": 0, "priority": 0,
                       "goals": [], "attributionDays": 7, "holdout": 0}
    assert stream["pages_include"] == [] and stream["schedule_days"] == list(rules.WEEKDAYS)


def test_the_rules_are_set_shown_and_changed_through_the_api(client, admin_headers, make_notification):
    made = make_notification("stream", pages_include=["/shop/*", "  "], pages_exclude="/shop/cart\n/shop/checkout*",
                             devices="mobile", time_zone="Europe/Berlin", schedule_days="Sat,sun",
                             schedule_from="10:00", schedule_until="18:00", max_per_view=3, repeat_hours=12,
                             after_last="loop", popup_order="shuffle", close_days=7, priority=5)
    assert made["pages_include"] == ["/shop/*"] and made["pages_exclude"] == ["/shop/cart", "/shop/checkout*"]
    assert made["schedule_days"] == ["sat", "sun"] and made["time_zone"] == "Europe/Berlin"
    carried = feed_rules(client, made)
    assert carried["schedule"] == {"tz": "Europe/Berlin", "start": None, "end": None, "days": ["sat", "sun"],
                                   "from": "10:00", "until": "18:00"}
    assert (carried["maxPerView"], carried["repeatHours"], carried["afterLast"], carried["order"],
            carried["closeDays"], carried["priority"]) == (3, 12, "loop", "shuffle", 7, 5)
    # A change to the rules is a change of the feed: its ETag moves, so no cache keeps the old rules.
    before = client.get(urlsplit(made["feed_url"]).path).headers["ETag"]
    client.patch(f"/api/notifications/{made['id']}", json={"schedule_until": "20:00"}, headers=admin_headers)
    assert client.get(urlsplit(made["feed_url"]).path).headers["ETag"] != before


@pytest.mark.parametrize("field, value, words", [
    ("pages_include", ["/shop/**"], "single *"),
    ("pages_include", ["https://shop.example/shop"], "not the whole address"),
    ("pages_exclude", ["shop"], "start with /"),
    ("pages_include", ["/a b"], "no spaces"),
    ("pages_include", "x" * 300, "200 characters"),
    ("pages_include", [1], "list of page patterns"),
    ("time_zone", "Mars/Olympus_Mons", "not an IANA time zone"),
    ("time_zone", "../../etc/passwd", "not an IANA time zone"),
    ("schedule_start", "24.12.2026", "YYYY-MM-DD"),
    ("schedule_end", "2026-02-30", "YYYY-MM-DD"),
    ("schedule_from", "25:00", "HH:MM"),
    ("schedule_days", ["mon", "funday"], "Not weekdays"),
    ("schedule_days", [], "at least one day"),
    ("devices", "tablet", "Must be one of"),
    ("max_per_view", -1, "greater than or equal"),
    ("repeat_hours", 1.5, "Not a valid integer"),
])
def test_a_bad_rule_is_a_422_naming_the_field(client, admin_headers, stream, field, value, words):
    answer = client.patch(f"/api/notifications/{stream['id']}", json={field: value}, headers=admin_headers)
    assert answer.status_code == 422 and list(answer.get_json()["errors"]) == [field]
    assert words in " ".join(answer.get_json()["errors"][field]), answer.get_json()
    again = client.get(f"/api/notifications/{stream['id']}", headers=admin_headers).get_json()
    assert again[field] == stream[field]  # nothing half-written


def test_an_end_before_the_start_is_refused_alone_and_against_what_is_stored(client, admin_headers, stream):
    path = f"/api/notifications/{stream['id']}"
    both = client.patch(path, json={"schedule_start": "2026-12-24", "schedule_end": "2026-12-01"},
                        headers=admin_headers)
    assert both.status_code == 422 and both.get_json()["errors"] == {
        "schedule_end": ["The end date is before the start date."]}
    assert client.patch(path, json={"schedule_start": "2026-12-01"}, headers=admin_headers).status_code == 200
    end = client.patch(path, json={"schedule_end": "2026-11-30"}, headers=admin_headers)
    assert end.status_code == 422 and list(end.get_json()["errors"]) == ["schedule_end"]
    one_hour = client.patch(path, json={"schedule_from": "09:00"}, headers=admin_headers)
    assert one_hour.status_code == 422 and list(one_hour.get_json()["errors"]) == ["schedule_until"]
    created = client.post("/api/notifications", json={"name": "x", "type": "stream", "schedule_from": "09:00",
                                                      "schedule_until": "09:00"}, headers=admin_headers)
    assert created.status_code == 422 and list(created.get_json()["errors"]) == ["schedule_until"]


def test_the_rules_in_plain_words():
    notification = {"pages_include": "/shop*\n/pricing", "pages_exclude": "*sale*\n/blog/*/x", "devices": "mobile",
                    "time_zone": "Europe/Berlin", "schedule_start": "2026-12-01", "schedule_end": None,
                    "schedule_days": "sat,sun", "schedule_from": "22:00", "schedule_until": "02:00",
                    "max_per_view": 2, "repeat_hours": 0, "after_last": "loop", "popup_order": "shuffle",
                    "close_days": 7, "priority": 3}
    words = "\n".join(rules.described(notification))
    for expected in ["Pages: pages starting with /shop; the page /pricing exactly.",
                     "Never on any page whose address contains sale; pages matching /blog/*/x (* is anything).",
                     "phones only (viewports narrower than 768 pixels)",
                     "When: from 2026-12-01 until further notice, on Sat, Sun, from 22:00 to 02:00 (Europe/Berlin",
                     "At most 2 popups", "may show again on every page view", "start over", "shuffled",
                     "for 7 days", "Priority 3"]:
        assert expected in words


class SettingsForm(HTMLParser):
    """Collect what a browser would submit from the notification page's settings form, as it stands."""

    def __init__(self):
        super().__init__()
        self.fields, self.inside, self.select, self.textarea = [], False, None, None

    def handle_starttag(self, tag, attrs):
        """Note each field's value as the browser would send it."""
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action", "").endswith("/settings") and not self.fields
        elif not self.inside:
            return
        elif tag == "input" and attrs.get("type") not in ("checkbox", "password") or \
                tag == "input" and "checked" in attrs:
            self.fields.append((attrs["name"], attrs.get("value", "")))
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append((self.select, attrs["value"]))
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.fields.append((self.textarea, ""))

    def handle_data(self, data):
        """Take a textarea's text."""
        if self.textarea:
            self.fields[-1] = (self.textarea, self.fields[-1][1] + data)

    def handle_endtag(self, tag):
        """Close the field or the form."""
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def submitted(page: str) -> MultiDict:
    """Return the settings form of a notification page as a browser submits it untouched."""
    form = SettingsForm()
    form.feed(page)
    return MultiDict(form.fields)


def saved_untouched(client, admin_headers, notification: dict, options) -> MultiDict:
    """Submit a notification's settings form as the page fills it; check `options` kept their values; return it."""
    log_in(client)
    path = f"/notifications/{notification['id']}"
    form = submitted(client.get(path).text)
    assert client.post(f"{path}/settings", data=form).status_code == 302
    unchanged = client.get(f"/api/notifications/{notification['id']}", headers=admin_headers).get_json()
    assert {name: unchanged[name] for name in options} == {name: notification[name] for name in options}
    return form


def test_the_settings_form_sets_the_rules_and_saves_untouched_as_it_was(client, admin_headers, stream):
    form = saved_untouched(client, admin_headers, stream, notification_store.DISPLAY_OPTIONS)
    path = f"/notifications/{stream['id']}"
    changed = {"pages_include": "/shop*\r\n/pricing", "devices": "mobile", "time_zone": "Europe/Berlin",
               "schedule_from": "22:00", "schedule_until": "02:00", "priority": "4"}
    for name, value in changed.items():
        form[name] = value  # replaces (MultiDict.update would add a second value)
    form.setlist("schedule_days", ["", "sat", "sun"])
    assert client.post(f"{path}/settings", data=form).status_code == 302
    saved = client.get(f"/api/notifications/{stream['id']}", headers=admin_headers).get_json()
    assert (saved["pages_include"], saved["devices"], saved["schedule_days"], saved["schedule_until"],
            saved["priority"]) == (["/shop*", "/pricing"], "mobile", ["sat", "sun"], "02:00", 4)
    page = client.get(path).text
    assert "Pages: pages starting with /shop; the page /pricing exactly." in page
    assert "from 22:00 to 02:00 (Europe/Berlin time)" in page
    form["schedule_start"], form["schedule_end"] = "2026-12-24", "2026-12-01"
    bad = client.post(f"{path}/settings", data=form)
    assert bad.status_code == 422 and "The end date is before the start date." in bad.text
    form.setlist("schedule_days", [""])
    assert "Choose at least one day." in client.post(f"{path}/settings", data=form).text


def test_the_test_a_url_box_answers_by_the_feed_s_rules(client, admin_headers, stream):
    log_in(client)
    client.patch(f"/api/notifications/{stream['id']}", headers=admin_headers,
                 json={"pages_include": ["/shop*"], "pages_exclude": ["/shop/cart"], "devices": "mobile"})
    path = f"/notifications/{stream['id']}"
    shown = client.get(path, query_string={"test_url": "https://shop.example/shop/tote?x=1"}).text
    assert "Shows the popups</strong>: /shop/tote?x=1 shows the popups." in shown and "On phones only." in shown
    cart = client.get(path, query_string={"test_url": "shop.example/shop/cart#top"}).text
    assert "No popups</strong>: /shop/cart is excluded." in cart
    other = client.get(path, query_string={"test_url": "/blog"}).text
    assert "No popups</strong>: /blog matches none of the pages to show on." in other
    hostile = client.get(path, query_string={"test_url": "/<script>alert(1)</script>"}).text
    assert "<script>alert(1)" not in hostile


@pytest.mark.parametrize("url", ["http://[::1", "shop.example]/cart", "//[x"])
def test_a_url_no_browser_would_open_gets_an_answer_in_the_box_not_a_500(client, stream, url):
    log_in(client)
    page = client.get(f"/notifications/{stream['id']}", query_string={"test_url": url})
    assert page.status_code == 200 and "That is not a URL a browser would open" in page.text
