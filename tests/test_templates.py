"""Message templates: checked on save, filled in from the event and its payload, never leaking, always escaped."""
import sqlite3
from importlib import resources

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import csrf_token_from, log_in, made_recent, platform_request, webhook_path
from webhook import create_app
from webhook.present import popup_text, stream_popup, template_values
from webhook.keys import words
from webhook.templating import problems, payload_value, render, shown_path

NOW = 1_762_200_000_000
EVENT = {
    "firstName": "John", "lastName": "Smith", "email": "john.smith@example.com", "ip": "8.8.8.8",
    "city": "Miami", "state": "Florida", "stateCode": "FL", "country": "United States", "countryCode": "US",
    "productName": "Runner Sneakers", "productLink": "https://shop.example.com/sneakers", "total": 58.5,
    "currency": "USD", "timestamp": NOW - 3 * 60_000,
}  # fmt: skip
NOTIFICATION = {"message": "purchased", "template": None}
# A payload as stores send it: much of it must never reach a visitor.
PAYLOAD = {
    "email": "john.smith@example.com",
    "contact_email": "john.smith@example.com",
    "browser_ip": "8.8.8.8",
    "client_details": {"browser_ip": "8.8.8.8", "user_agent": "Mozilla/5.0"},
    "customer_ip_address": "8.8.8.8",
    "order_key": "wc_order_Q6tuhq12KJOel",
    "cart_token": "Z2NwLXVzLWVhc3QxOjAx",
    "client_secret": "pi_3SQ_secret_Qr",
    "full_name": "John Smith",
    "name": "John Smith",
    "customer": {"first_name": "John", "last_name": "Smith", "lastName": "Smith", "name": "John Smith",
                 "phone": "+1 305 555 0100", "id": 7212358303906},
    "billing": {"address_1": "1200 Brickell Ave", "postcode": "33131", "phone": "+1 305 555 0100",
                "city": "Miami"},
    "billing_address": {"address1": "1200 Brickell Ave", "zip": "33131", "latitude": 25.76, "name": "John Smith"},
    "customer_details": {"address": {"line1": "600 Congress Ave", "city": "Austin"}},
    "receipt_url": "https://pay.stripe.com/receipts/payment/CAcaFwoVYWNjdF8x",
    "payment_url": "https://shop.example.com/checkout/order-pay/4821/?key=wc_order_Q6tuhq12KJOel",
    "order": {"note": "Gift wrap, please", "number": 1042, "gift": True, "discount": 12.0},
    "line_items": [{"name": "Runner Sneakers", "title": "Runner Sneakers", "quantity": 1},
                   {"name": "Crew Socks", "title": "Crew Socks", "quantity": 2}],
    "notes": {"mail_me": "x", "contact": "write to john.smith@example.com", "where": "from 8.8.8.8 today"},
    # Private data under keys no deny-list names, and values that hide an address or a number in text.
    "LNAME": "Smith", "nachname": "Smith",
    "person": {"name": {"first": "John", "last": "Smith"}, "display_name": "John Smith", "cell": "3055550100",
               "dob": "1990-04-01", "mobile": "3055550100", "birthday": "1990-04-01"},
    "extras": [{"title": "seen at 2001:db8::8a2e:370:7334 today"}, {"title": "call +1 (305) 555-0100"}],
}  # fmt: skip


def text(template, event=None, payload=PAYLOAD):
    """Render a template for an event (EVENT by default) with its payload as received (stored under "raw")."""
    event = {**(event or EVENT), "raw": payload}
    return popup_text(event, {**NOTIFICATION, "template": template}, NOW)


# Checking


@pytest.mark.parametrize(
    "template",
    ["", "Hello", "{{name}}", "{{ name }} from {{location.city}}", "{{line_items.0.title}}", "a { b } c",
     "{{name}}}", "x" * 500, "{{a-b_c.0.d}}"],
)  # fmt: skip
def test_good_templates_have_no_problems(template):
    assert problems(template) == []


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{{name", "Opens a {{ at character 1 that is never closed with }}."),
        ("Hi {{name}} {{city", "Opens a {{ at character 13 that is never closed with }}."),
        ("name}} bought", "Closes a }} at character 5 that was never opened with {{."),
        ("{{ {{name}} }}", "Opens a {{ at character 1 that is never closed with }}."),
        ("{{}}", "'{{}}' is not a variable"),
        ("{{first name}}", "'{{first name}}' is not a variable"),
        ("{{name|upper}}", "'{{name|upper}}' is not a variable"),
        ("{{a..b}}", "'{{a..b}}' is not a variable"),
        ("x" * 501, "Must be at most 500 characters."),
    ],
)
def test_bad_templates_are_explained(template, problem):
    found = problems(template)
    assert found and found[0].startswith(problem)


# Filling in


def test_without_a_template_the_default_text_stands():
    assert text(None) is None
    keyed = Flask(__name__)
    keyed.config["SECRET_KEY"] = "test"  # popup ids are HMACs keyed with it
    with keyed.app_context():
        popup = stream_popup({"id": 1, **EVENT}, NOTIFICATION, NOW)
    assert (popup["text"], popup["message"], popup["product"]["name"]) == (None, "purchased", "Runner Sneakers")


def test_known_variables():
    template = (
        "{{name}}|{{firstName}}|{{lastName}}|{{city}}|{{state}}|{{stateCode}}|{{country}}|{{countryCode}}|"
        "{{location}}|{{location.city}}|{{location.country}}|{{product.name}}|{{product.link}}|{{total}}|"
        "{{currency}}|{{time}}|{{timeAgo}}|{{message}}"
    )
    assert text(template).split("|") == [
        "John S.", "John", "S.", "Miami", "Florida", "FL", "United States", "US", "Miami, Florida", "Miami",
        "United States", "Runner Sneakers", "https://shop.example.com/sneakers", "58.50", "USD",
        "3 minutes ago", "3 minutes ago", "purchased",
    ]  # fmt: skip


def test_a_nameless_event_is_someone():
    anonymous = {key: value for key, value in EVENT.items() if key not in ("firstName", "lastName")}
    assert text("{{name}}/{{firstName}}/{{lastName}}.", anonymous) == "Someone/Someone/."


@pytest.mark.parametrize(("total", "shown"), [(114.0, "114"), (58.5, "58.50"), (12.345, "12.345"), (5000, "5000")])
def test_totals_read_as_people_write_them(total, shown):
    assert template_values({**EVENT, "total": total}, NOTIFICATION, NOW)["total"] == shown


def test_unknown_variables_render_empty_without_double_spaces():
    assert text("{{firstName}} {{nickname}} bought {{product.colour}} {{product.name}}") == "John bought Runner Sneakers"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("order.gift", "true"),
        ("order.discount", "12"),
        ("line_items.0.title", "Runner Sneakers"),
        ("line_items.1.name", "Crew Socks"),
        ("line_items.1.quantity", "2"),
        ("customer.first_name", "John"),
    ],
)
def test_dot_paths_read_the_payload(path, value):
    assert payload_value(PAYLOAD, path) == value
    assert text(f"[{{{{{path}}}}}]") == f"[{value}]"


@pytest.mark.parametrize(
    "path",
    ["line_items.2.title", "line_items.01.title", "line_items.x", "order.note.more", "nothing", "order",
     "line_items", "customer"],
)  # fmt: skip
def test_missing_paths_objects_and_lists_render_empty(path):
    assert payload_value(PAYLOAD, path) is None


@pytest.mark.parametrize(
    "path",
    [
        "email", "contact_email", "browser_ip", "client_details.browser_ip", "client_details.user_agent",
        "customer_ip_address", "order_key", "cart_token", "client_secret", "full_name", "name.0",
        "customer.last_name", "customer.lastName", "customer.name", "customer.phone", "billing.address_1",
        "billing.postcode", "billing.phone", "billing_address.address1", "billing_address.zip",
        "billing_address.latitude", "billing_address.name", "customer_details.address.line1", "receipt_url",
        "payment_url", "notes.mail_me", "notes.contact", "notes.where", "name.last", "LNAME", "nachname",
        "person.name.last", "person.name.first", "person.display_name", "person.cell", "person.dob",
        "person.mobile", "person.birthday", "extras.0.title", "extras.1.title", "order.note", "order.number",
        "customer.id", "billing.city", "billing.state", "billing.country",
    ],
)  # fmt: skip
def test_private_payload_values_never_render(path):
    assert payload_value(PAYLOAD, path) is None
    assert text(f"[{{{{{path}}}}}]") == "[]"


def test_email_ip_and_last_name_are_never_variables():
    rendered = text("{{email}} {{ip}} {{lastName}} {{full_name}} {{customer.last_name}}")
    assert "Smith" not in rendered and "@" not in rendered and "8.8.8.8" not in rendered
    assert rendered == "S."


@pytest.mark.parametrize(
    ("path", "split", "shown"),
    [
        ("line_items.0.variant_title", ["variant", "title"], True),
        ("order.productName", ["product", "name"], True),
        ("products.0.name", ["name"], True),
        ("billingLastName", ["billing", "last", "name"], False),
        ("customer.name", ["name"], False),
        ("shipping_lines", ["shipping", "lines"], False),
        ("recipient", ["recipient"], False),
        ("monkey", ["monkey"], False),
        ("note", ["note"], False),
    ],
)
def test_only_listed_keys_are_shown(path, split, shown):
    steps = path.split(".")
    assert words(steps[-1]) == split
    assert shown_path(steps) is shown


def test_long_payload_values_are_cut():
    value = payload_value({"title": "word " * 100}, "title")
    assert len(value) == 200 and value.endswith("…")


def test_render_collapses_runs_of_spaces_it_creates():
    assert render("{{a}}  {{b}} c", {"a": None, "b": "B"}, None) == "B c"


# Through the API, the settings form and the preview


def test_the_api_creates_changes_and_clears_a_template(client, admin_headers, make_notification):
    created = make_notification(template="  {{name}} bought {{product.name}}  ")
    assert created["template"] == "{{name}} bought {{product.name}}"
    url = f"/api/notifications/{created['id']}"
    changed = client.patch(url, json={"template": "{{firstName}} got it"}, headers=admin_headers).get_json()
    assert changed["template"] == "{{firstName}} got it" and changed["message"] == created["message"]
    assert client.patch(url, json={"name": "Orders"}, headers=admin_headers).get_json()["template"] == changed["template"]
    assert client.patch(url, json={"template": ""}, headers=admin_headers).get_json()["template"] is None
    assert client.patch(url, json={"template": None}, headers=admin_headers).get_json()["template"] is None
    assert make_notification()["template"] is None


@pytest.mark.parametrize("template", ["{{name", "x" * 501, "{{first name}}", 7])
def test_a_bad_template_is_422_naming_it_and_changes_nothing(client, admin_headers, stream, template):
    url = f"/api/notifications/{stream['id']}"
    response = client.patch(url, json={"template": template, "name": "Changed"}, headers=admin_headers)
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["template"]
    assert client.get(url, headers=admin_headers).get_json() == stream
    created = client.post("/api/notifications", json={"name": "n", "type": "stream", "template": template},
                          headers=admin_headers)  # fmt: skip
    assert created.status_code == 422 and "template" in created.get_json()["errors"]
    assert len(client.get("/api/notifications", headers=admin_headers).get_json()["notifications"]) == 1


def preview_of(client, notification) -> str:
    """Return the Preview section of a notification's page."""
    page = client.get(f"/notifications/{notification['id']}").text
    return page.split("<h2>Preview</h2>", 1)[1].split("</section>", 1)[0]


def test_the_settings_form_saves_a_template_and_the_preview_uses_it(client, city_stream):
    headers, body = platform_request("shopify_orders_create.json")
    client.post(webhook_path(city_stream), data=made_recent(body), headers=headers)
    log_in(client)
    page = client.get(f"/notifications/{city_stream['id']}").text
    assert '<textarea id="template" name="template"' in page
    assert "purchased" in preview_of(client, city_stream)
    template = "{{firstName}} {{lastName}} ({{location}}) got {{product.name}} for {{total}} {{currency}} {{email}}"
    saved = client.post(
        f"/notifications/{city_stream['id']}/settings",
        data={"name": city_stream["name"], "message": "purchased", "template": template, "csrf_token": csrf_token_from(page)},
    )  # fmt: skip
    assert saved.status_code == 302
    preview = preview_of(client, city_stream)
    assert "John S. (Miami, Florida) got Runner Sneakers for 114 USD" in preview
    assert "john.smith@example.com" not in preview and "purchased" not in preview
    assert "{{firstName}}" in client.get(f"/notifications/{city_stream['id']}").text  # shown back in the textarea


def test_the_settings_form_reports_a_bad_template_and_keeps_it(client, stream):
    log_in(client)
    token = csrf_token_from(client.get(f"/notifications/{stream['id']}").text)
    response = client.post(
        f"/notifications/{stream['id']}/settings",
        data={"name": stream["name"], "message": "purchased", "template": "{{name", "csrf_token": token},
    )
    assert response.status_code == 422
    assert "never closed" in response.text and ">{{name</textarea>" in response.text


def test_templates_and_payload_values_are_escaped_and_links_stay_text(client, admin_headers, make_notification):
    template = "<script>alert(1)</script>{{firstName}} {{order.title}} {{product.link}}"
    stream = make_notification(template=template)
    client.post(
        webhook_path(stream),
        json={"email": "x@example.com", "firstName": "<img src=x onerror=alert(1)>", "productName": "Mat",
              "productLink": "https://mats.example.com/m?a=1&b=<2>", "order": {"title": "<b>bold</b>\"'"}},
    )  # fmt: skip
    log_in(client)
    preview = preview_of(client, stream)
    assert "<script>" not in preview and "<img" not in preview and "<b>" not in preview
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in preview
    assert "&lt;b&gt;bold&lt;/b&gt;&#34;&#39;" in preview
    assert "https://mats.example.com/m?a=1&amp;b=&lt;2&gt;" in preview
    popups = preview.split("IP geolocation by", 1)[0]
    assert "<a " not in popups  # a link in a template is text, never a link


def test_a_template_is_ignored_by_conversion_popups(client, make_notification):
    conversion = make_notification("conversion", template="{{name}} did it")
    client.post(webhook_path(conversion), json={})
    log_in(client)
    assert "1 person signed up in the last 24 hours" in preview_of(client, conversion)


@pytest.mark.backends("sqlite")  # builds an SQLite file as it was before the migration
def test_an_older_database_gains_the_template_column(tmp_path, app_config, admin_headers):
    database = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(database)
    conn.executescript(resources.files("webhook.storage.migrations").joinpath("0001_initial.sql").read_text())
    conn.executescript(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT);"
        "INSERT INTO schema_migrations VALUES (1, '0001_initial.sql', '2026-01-01');"
        "INSERT INTO notifications (name, type, message, webhook_token, created_at, updated_at)"
        " VALUES ('Old', 'stream', 'purchased', 'old-token', 1, 1);"
    )
    conn.close()
    client = create_app({**app_config, "DATABASE": str(database)}).test_client()
    (old,) = client.get("/api/notifications", headers=admin_headers).get_json()["notifications"]
    assert (old["name"], old["template"]) == ("Old", None)


# Any payload, any template

KEYS = st.sampled_from(["email", "order", "note", "customer", "name", "first_name", "items", "0", "1", "ip", "city"])
SECRETS = st.sampled_from(["jane.roe@example.com", "mail me: jane.roe@example.com", "203.0.113.9", "2001:db8::1",
                           "https://shop.example.com/orders/abc?key=secret"])  # fmt: skip
VALUES = st.recursive(
    st.one_of(SECRETS, st.text(max_size=20), st.integers(), st.booleans(), st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=20,
)
PATHS = st.lists(KEYS, min_size=1, max_size=4).map(".".join)


@settings(max_examples=300, deadline=None)
@given(payload=st.dictionaries(KEYS, VALUES, max_size=5), paths=st.lists(PATHS, max_size=6), glue=st.text(max_size=10))
def test_no_payload_path_ever_shows_an_email_ip_or_link(payload, paths, glue):
    template = glue.replace("{", "").replace("}", "").join(f"{{{{{path}}}}}" for path in paths)
    assert problems(template) == []
    rendered = render(template, {}, payload)
    for secret in ("jane.roe@example.com", "203.0.113.9", "2001:db8::1", "key=secret"):
        assert secret not in rendered
