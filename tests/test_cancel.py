"""Cancelled and refunded orders disappear from display: the preview page and event_store.list_events(shown_only)."""
import json
from html.parser import HTMLParser

import pytest

from helpers import log_in, made_recent, platform_fixture, post, post_bytes
from webhook.storage import event_store


def sample(name: str, **body_changes) -> tuple[dict, bytes]:
    """Return (headers, body bytes) of a platform sample, top-level body fields changed, dated now for the preview."""
    fixture = platform_fixture(name)
    return fixture["headers"], made_recent(json.dumps({**fixture["body"], **body_changes}).encode())


def shown(app, notification) -> list[dict]:
    """Return the events a visitor may see."""
    with app.app_context():
        return event_store.list_events(notification["id"], shown_only=True)


VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class PreviewNames(HTMLParser):
    """Collect the buyers' names (<strong><bdi>) in the popups of the page's preview (div#preview)."""

    def __init__(self):
        super().__init__()
        self.names, self.open = [], []

    def handle_starttag(self, tag, attrs):
        """Keep the tags open inside the preview, and start one there."""
        if tag in VOID_TAGS:
            return
        if self.open or tag == "div" and ("id", "preview") in attrs:
            self.open.append(tag)
            if self.open[-2:] == ["strong", "bdi"]:
                self.names.append("")

    def handle_data(self, data):
        """Take a name's text."""
        if self.open[-2:] == ["strong", "bdi"]:
            self.names[-1] += data

    def handle_endtag(self, tag):
        """Close a tag open inside the preview (and any left unclosed within it)."""
        if tag in self.open:
            while self.open.pop() != tag:
                pass


def preview_names(client, notification) -> list[str]:
    """Return the names in the popups of the admin preview page."""
    parser = PreviewNames()
    parser.feed(client.get(f"/notifications/{notification['id']}").get_data(as_text=True))
    return parser.names


CASES = {
    "shopify orders/cancelled": (("shopify_orders_create.json", {}), ("shopify_orders_cancelled.json", {})),
    "shopify refunds/create": (("shopify_orders_create.json", {}), ("shopify_refunds_create.json", {})),
    "stripe charge.refunded": (("stripe_charge_succeeded.json", {}), ("stripe_charge_refunded.json", {})),
    "woocommerce refunded": (("woocommerce_order_updated_completed.json", {"id": 4821}),
                             ("woocommerce_order_updated_refunded.json", {})),
    "woocommerce cancelled": (("woocommerce_order_updated_completed.json", {}),
                              ("woocommerce_order_updated_completed.json", {"status": "cancelled"})),
}


@pytest.mark.parametrize("case", CASES)
def test_a_cancelled_or_refunded_order_disappears_from_display(app, client, stream, case):
    (bought, bought_changes), (cancelled, cancelled_changes) = CASES[case]
    other = post(client, stream, json={"email": "jane.doe@example.com", "productName": "Scarf"})
    created = post_bytes(client, stream, *sample(bought, **bought_changes))
    assert created.status_code == 201, created.get_json()
    log_in(client)
    name = created.get_json()["event"]["displayName"]
    assert sorted(e["id"] for e in shown(app, stream)) == [other.get_json()["event"]["id"],
                                                          created.get_json()["event"]["id"]]
    assert name in preview_names(client, stream)

    answer = post_bytes(client, stream, *sample(cancelled, **cancelled_changes))
    assert answer.status_code == 200 and answer.get_json()["status"] == "cancelled", answer.get_json()
    assert answer.get_json()["cancelled"] is True
    assert [e["id"] for e in shown(app, stream)] == [other.get_json()["event"]["id"]]
    assert preview_names(client, stream) == ["Jane D."]
    # It is kept, marked, for the owner: only display leaves it out.
    assert "(cancelled)" in client.get(f"/notifications/{stream['id']}").get_data(as_text=True)


@pytest.mark.parametrize("cancelled", ["shopify_orders_cancelled.json", "stripe_charge_refunded.json",
                                       "woocommerce_order_updated_refunded.json"])
def test_a_cancellation_of_an_unknown_order_hides_nothing_and_answers_200(app, client, stream, cancelled):
    created = post(client, stream, json={"email": "jane.doe@example.com", "productName": "Scarf", "id": "42"})
    answer = post_bytes(client, stream, *sample(cancelled))
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "cancelled" and answer.get_json()["cancelled"] is False
    assert [e["id"] for e in shown(app, stream)] == [created.get_json()["event"]["id"]]


def test_a_repeated_cancellation_is_answered_alike_and_changes_nothing_more(app, client, stream):
    post_bytes(client, stream, *sample("shopify_orders_create.json"))
    first = post_bytes(client, stream, *sample("shopify_orders_cancelled.json"))
    with app.app_context():
        hidden_at = event_store.list_events(stream["id"])[0]["cancelledAt"]
    again = post_bytes(client, stream, *sample("shopify_orders_cancelled.json"))
    assert first.get_json()["cancelled"] is True and again.status_code == 200
    assert again.get_json()["cancelled"] is False
    with app.app_context():
        assert event_store.list_events(stream["id"])[0]["cancelledAt"] == hidden_at


def test_a_refund_lowers_a_conversion_count(app, client, conversion):
    post_bytes(client, conversion, *sample("stripe_charge_succeeded.json"))
    with app.app_context():
        assert event_store.count_shown_events(conversion["id"], 0) == 1
    post_bytes(client, conversion, *sample("stripe_charge_refunded.json"))
    with app.app_context():
        assert event_store.count_shown_events(conversion["id"], 0) == 0


def test_a_cancellation_only_hides_the_order_in_its_own_notification(app, client, make_notification):
    first, second = make_notification("stream", name="one"), make_notification("stream", name="two")
    for notification in (first, second):
        post_bytes(client, notification, *sample("shopify_orders_create.json"))
    post_bytes(client, first, *sample("shopify_orders_cancelled.json"))
    assert shown(app, first) == [] and len(shown(app, second)) == 1
