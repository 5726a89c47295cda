"""Hostile and broken input through the whole app: never a 5xx, and a rejected request changes nothing.

Every request goes through the Flask test client into a real SQLite file. A second connection watches the
file: `PRAGMA data_version` moves on any commit by another connection, and a digest of every table's rows
shows what changed. A 4xx (and a dry run) must leave both exactly as they were.
"""
import hashlib
import json
import math
import os
import sqlite3
import time
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import PLATFORM_FIXTURES, platform_fixture, webhook_path

# FUZZ_EXAMPLES=5000 for a long hunt; the default keeps `make test` quick.
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "100")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MiB = 1024 * 1024


class Watch:
    """A second connection to the database file that sees every commit made through the app."""

    def __init__(self, path: str):
        """Open the watching connection (autocommit, so each read sees the latest commit)."""
        self.conn = sqlite3.connect(path, isolation_level=None)

    def state(self) -> tuple[int, str]:
        """Return (data_version, a digest of every table's rows in rowid order)."""
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        digest = hashlib.sha256()
        tables = self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
        for (name,) in tables:
            digest.update(name.encode())
            for row in self.conn.execute(f'SELECT * FROM "{name}" ORDER BY rowid'):
                digest.update(repr(row).encode("utf-8", "surrogatepass"))
        return version, digest.hexdigest()

    def count(self) -> int:
        """Return how many events are stored."""
        return self.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]


# The watch reads SQLite's own change counter; what it guards (parsing, validation) is the same on both backends.
pytestmark = pytest.mark.backends("sqlite")


@pytest.fixture
def app_config(app_config):
    """Turn the rate limit off: its counter commits on every call, and these tests catch any commit."""
    return {**app_config, "RATE_LIMIT": 0}


@pytest.fixture
def watch(app):
    """Watch the test app's database file."""
    watcher = Watch(app.config["DATABASE"])
    yield watcher
    watcher.conn.close()


def check(client, watch, method: str, path: str, **kwargs):
    """Send one request and assert the house rules: no 5xx, errors in the one shape, rejects change nothing."""
    before, rows_before = watch.state(), watch.count()
    response = client.open(path, method=method, **kwargs)
    after = watch.state()
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    if response.status_code == 204:
        return response
    body = response.get_json(silent=True)
    assert isinstance(body, dict), response.get_data()[:300]
    if response.status_code >= 400:
        assert body["code"] == response.status_code
        assert isinstance(body["message"], str) and body["message"].strip()
        assert after == before, f"a {response.status_code} changed the database: {body}"
    elif body.get("status") in ("valid", "duplicate", "ignored"):
        assert after == before, f"a {body.get('status')} answer changed the database"
    elif body.get("status") == "created":
        assert response.status_code == 201 and watch.count() == rows_before + 1
    return response


# --- values ------------------------------------------------------------------------------------

TRICKY_TEXT = [
    "", " ", "\x00", "\ud800", "\udfff", "a\ud800b", "NaN", "Infinity", "-Infinity", "1e400", "-1", "0", "-0",
    "1_000", "０１２", "١٢٣", " 12.5 ", "0x1A", "9" * 400, "1" * 5000, "2024-02-30T00:00:00", "0001-01-01",
    "9999-12-31T23:59:59+14:00", "2024-01-01T00:00:00+25:00", "1528611279398", "1e15", "http://", "https://x",
    "https://example.com/" + "a" * 3000, "javascript:alert(1)", "//evil.example", "a@b", "@", "john@example.com",
    "a" * 1000, "\u202egnp.exe", "İstanbul", "ß", "ǅ", "\ufeff", "null", "[]", "{}", "::ffff:1.2.3.4",
    "fe80::1%eth0", "256.1.1.1", "10.0.0.1", "8.8.8.8", "US", "us", "XX", "Florida", "FL", "usd", "€€€",
    "<script>alert(1)</script>", "' OR 1=1 --", "%s%s%n", "\r\n", "gid://shopify/Order/1", "wc_order_1",
    "orders/cancelled", "charge.refunded", "cancelled", "refunded", "processing", "true", "paid",
]
KEYS = [
    "email", "timestamp", "ip", "firstName", "lastName", "name", "fullName", "full_name", "city", "state",
    "stateCode", "country", "countryCode", "guid", "productName", "productLink", "productImage", "total",
    "currency", "products", "location", "id", "orderId", "order_id", "external_id", "event_id", "line_items",
    "order_number", "admin_graphql_api_id", "cancelled_at", "financial_status", "customer", "billing",
    "billing_address", "object", "type", "data", "status", "order_key", "webhook_id", "date_paid_gmt",
    "refunded", "payment_intent", "price", "link", "image", "quantity", "title", "",
]
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([0, -1, 2**63, -(2**63) - 1, 10**15, 10**300, 10**4000]),
    st.floats(),  # NaN and ±Infinity too: they go out as the JSON extensions Python writes
)
LEAVES = st.one_of(
    st.none(), st.booleans(), NUMBERS, st.sampled_from(TRICKY_TEXT), st.text(max_size=20),
)


class Pairs(list):
    """An object written as given, so that a key may repeat."""


def objects(children):
    """Return objects keyed mostly by names the app reads, sometimes with a repeated key."""
    keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=8))
    return st.one_of(
        st.dictionaries(keys, children, max_size=6),
        st.lists(st.tuples(keys, children), max_size=6).map(Pairs),
    )


VALUES = st.recursive(LEAVES, lambda children: st.lists(children, max_size=4) | objects(children), max_leaves=25)
TOP = objects(VALUES)


def to_json(value, ascii_only: bool) -> str:
    """Write JSON the way careless senders do: NaN, Infinity, huge ints, lone surrogates, repeated keys."""
    if isinstance(value, Pairs):
        inner = ",".join(f"{to_json(k, ascii_only)}:{to_json(v, ascii_only)}" for k, v in value)
        return "{" + inner + "}"
    if isinstance(value, dict):
        return to_json(Pairs(value.items()), ascii_only)
    if isinstance(value, list):
        return "[" + ",".join(to_json(v, ascii_only) for v in value) + "]"
    if isinstance(value, float) and not math.isfinite(value):
        return json.dumps(value)  # NaN, Infinity, -Infinity
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # beyond json's own digit limit too
    return json.dumps(value, ensure_ascii=ascii_only)


def encode_json(value, ascii_only: bool) -> bytes:
    """Encode to bytes; a lone surrogate becomes invalid UTF-8 (CESU-style) when not escaped."""
    return to_json(value, ascii_only).encode("utf-8", "surrogatepass")


CONTENT_TYPES = st.one_of(
    st.sampled_from([
        "application/json", "application/json; charset=utf-8", "application/json; charset=latin-1",
        "application/json; charset=utf-16", "application/vnd.api+json", "text/plain", None, "",
        "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=",
        "text/html", "application/xml", "application/json; charset=punycode", "application/json; charset=\x00",
        "*/*", "application/", ";;;", "application/json; boundary=x; charset",
    ]),
    st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40),
)
# Header values as a real server hands them over: latin-1 text decoded from the raw bytes (the test client
# refuses line breaks, which no server passes on either).
HEADER_TEXT = st.one_of(
    st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=30),
    st.text(max_size=30).map(lambda t: t.encode("utf-8", "surrogatepass").decode("latin-1")),
    st.sampled_from(["x" * 256, "x" * 255, "x" * 5000, " ", "\t", "é" * 200, "1", "0"]),
).filter(lambda text: len(text.splitlines()) <= 1 and "\n" not in text and "\r" not in text)
HEADERS = st.dictionaries(
    st.sampled_from([
        "Idempotency-Key", "X-Shopify-Topic", "X-WC-Webhook-Topic", "X-WC-Webhook-Source", "Stripe-Signature",
        "X-Forwarded-For", "Accept", "Content-Encoding", "Transfer-Encoding-Junk",
    ]),
    st.one_of(HEADER_TEXT, st.sampled_from([
        "orders/create", "orders/paid", "orders/cancelled", "refunds/create", "order.created", "order.updated",
        "order.deleted", "product.updated", "t=1,v1=abc", "application/json",
    ])),
    max_size=4,
)
DRY_RUN = st.sampled_from(["", "?dry_run=1", "?dry_run=true", "?dry_run=0", "?dry_run=%FF", "?dry_run=1&dry_run=0"])


@pytest.fixture
def targets(stream, conversion):
    """Both kinds of notification, so that every input meets both intakes."""
    return [stream, conversion]


@FUZZ
@given(value=TOP, ascii_only=st.booleans(), kind=st.sampled_from([0, 1]), headers=HEADERS, query=DRY_RUN)
def test_any_json_object_is_answered_without_5xx_and_rejects_change_nothing(
    client, watch, targets, value, ascii_only, kind, headers, query
):
    raw = encode_json(value, ascii_only)
    headers = {**headers, "Content-Type": "application/json"}
    check(client, watch, "POST", webhook_path(targets[kind]) + query, data=raw, headers=headers)


@FUZZ
@given(value=VALUES, content_type=CONTENT_TYPES, kind=st.sampled_from([0, 1]), headers=HEADERS, query=DRY_RUN)
def test_any_json_value_with_any_content_type_is_answered_without_5xx(
    client, watch, targets, value, content_type, kind, headers, query
):
    raw = encode_json(value, ascii_only=False)
    headers = {key: v for key, v in headers.items() if key != "Content-Type"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    check(client, watch, "POST", webhook_path(targets[kind]) + query, data=raw, headers=headers)


SEGMENTS = st.sampled_from(["[0]", "[1]", "[]", "[name]", "[link]", "[price]", "[city]", "[b]", "[1001]", "[", "]"])
FORM_KEYS = st.tuples(st.one_of(st.sampled_from(KEYS), st.text(max_size=5)), st.lists(SEGMENTS, max_size=4)).map(
    lambda parts: parts[0] + "".join(parts[1])
)
FORM_VALUES = st.one_of(
    st.sampled_from(TRICKY_TEXT), st.text(max_size=20), VALUES.map(lambda v: to_json(v, ascii_only=False))
)
FORM_PAIRS = st.lists(st.tuples(FORM_KEYS, FORM_VALUES), max_size=10)


def multipart_body(pairs, boundary: str = "HostileBoundary") -> bytes:
    """Encode pairs as multipart/form-data by hand, keeping lone surrogates as the bytes they become."""
    out = []
    for key, value in pairs:
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n')
    out.append(f"--{boundary}--\r\n")
    return "".join(out).encode("utf-8", "surrogatepass")


@FUZZ
@given(pairs=FORM_PAIRS, multipart=st.booleans(), charset=st.sampled_from(["", "; charset=utf-16", "; charset=latin-1"]),
       kind=st.sampled_from([0, 1]), headers=HEADERS, query=DRY_RUN)
def test_any_form_is_answered_without_5xx_and_rejects_change_nothing(
    client, watch, targets, pairs, multipart, charset, kind, headers, query
):
    if multipart:
        raw, content_type = multipart_body(pairs), "multipart/form-data; boundary=HostileBoundary" + charset
    else:
        codec = "utf-16" if "16" in charset else "utf-8"
        raw = urlencode(pairs, encoding=codec, errors="surrogatepass").encode("ascii")
        content_type = "application/x-www-form-urlencoded" + charset
    headers = {**headers, "Content-Type": content_type}
    check(client, watch, "POST", webhook_path(targets[kind]) + query, data=raw, headers=headers)


@FUZZ
@given(raw=st.binary(max_size=300), content_type=CONTENT_TYPES, kind=st.sampled_from([0, 1]), query=DRY_RUN)
def test_any_bytes_are_answered_without_5xx(client, watch, targets, raw, content_type, kind, query):
    headers = {"Content-Type": content_type} if content_type is not None else {}
    check(client, watch, "POST", webhook_path(targets[kind]) + query, data=raw, headers=headers)


# --- regressions the fuzzing found -------------------------------------------------------------

BLANKABLE = ["firstName", "lastName", "city", "state", "stateCode", "country", "countryCode", "productName",
             "productLink", "productImage", "total", "currency"]


@pytest.mark.parametrize("field", BLANKABLE)
@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_field_counts_as_absent(client, watch, stream, field, blank):
    # Length, Range and URL validators used to run on the None a blank field loads as: a 500.
    path = webhook_path(stream) + "?dry_run=1"
    seed = {"email": "jo.king@example.com", "timestamp": 1700000000}
    with_blank = check(client, watch, "POST", path, json={**seed, field: blank})
    without = check(client, watch, "POST", path, json=seed)
    assert with_blank.status_code == without.status_code == 200
    assert with_blank.get_json()["event"] == without.get_json()["event"]


def test_a_blank_product_link_in_a_form_is_no_link(client, watch, stream):
    form = {"email": "jo@example.com", "products[0][name]": "Hat", "products[0][link]": " "}
    response = check(client, watch, "POST", webhook_path(stream), data=form)
    assert response.status_code == 201
    assert response.get_json()["event"]["products"] == [{"name": "Hat"}]
    assert response.get_json()["warnings"] == ["Product 'Hat' has no link in this generic payload; it is shown without one."]


# --- plausible payloads with one bad part --------------------------------------------------------

PLATFORM_SAMPLES = sorted(path.name for path in PLATFORM_FIXTURES.glob("*.json"))


def leaf_paths(value, path=()):
    """Return the path of every value inside a JSON document, containers included."""
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += leaf_paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += leaf_paths(child, (*path, index))
    return found


def replaced(document, path, value):
    """Return a copy of a JSON document with the value at path replaced."""
    if not path:
        return value
    copy = json.loads(json.dumps(document))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


@FUZZ
@given(data=st.data(), sample=st.sampled_from(PLATFORM_SAMPLES), kind=st.sampled_from([0, 1]), query=DRY_RUN)
def test_real_platform_payloads_with_any_part_broken_are_answered_without_5xx(
    client, watch, targets, data, sample, kind, query
):
    fixture = platform_fixture(sample)
    body = fixture["body"]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(leaf_paths(body)))
        body = replaced(body, path, data.draw(VALUES))
    headers = {**fixture["headers"], "Content-Type": "application/json"}
    raw = encode_json(body, ascii_only=data.draw(st.booleans()))
    check(client, watch, "POST", webhook_path(targets[kind]) + query, data=raw, headers=headers)


PRODUCT = st.fixed_dictionaries(
    {}, optional={key: LEAVES for key in ("name", "link", "image", "price", "quantity", "id")}
)
PLAUSIBLE = st.fixed_dictionaries(
    {"email": st.sampled_from(["john.smith@example.com", "INFO@Example.COM", " x@example.com "])},
    optional={
        **{key: LEAVES for key in KEYS if key != "email"},
        "products": st.lists(PRODUCT, max_size=5),
        "location": st.dictionaries(st.sampled_from(["city", "state", "country", "countryCode"]), LEAVES),
    },
)


@FUZZ
@given(value=PLAUSIBLE, kind=st.sampled_from([0, 1]), headers=HEADERS, query=DRY_RUN)
def test_plausible_events_with_odd_fields_are_answered_without_5xx(client, watch, targets, value, kind, headers,
                                                                   query):
    raw = encode_json(value, ascii_only=True)
    headers = {**headers, "Content-Type": "application/json"}
    check(client, watch, "POST", webhook_path(targets[kind]) + query, data=raw, headers=headers)


@pytest.mark.parametrize("timestamp", [10**400, -(10**400), "1e400", "0001-01-01T00:00:00+01:00", "1969-12-31"])
def test_an_out_of_range_timestamp_is_a_422_for_streams_and_dropped_for_conversions(
    client, watch, stream, conversion, timestamp
):
    # A huge integer used to reach math.isfinite, which raises OverflowError: a 500.
    body = json.dumps({"email": "jo@example.com", "timestamp": timestamp})
    headers = {"Content-Type": "application/json"}
    refused = check(client, watch, "POST", webhook_path(stream), data=body, headers=headers)
    assert refused.status_code == 422 and "timestamp" in refused.get_json()["errors"]
    counted = check(client, watch, "POST", webhook_path(conversion), data=body, headers=headers)
    assert counted.status_code == 201 and counted.get_json()["warnings"][0].startswith("Ignored timestamp")


# --- the admin API -------------------------------------------------------------------------------

NOTIFICATION_FIELDS = st.fixed_dictionaries(
    {}, optional={"name": LEAVES, "type": st.sampled_from(["stream", "conversion", "popup", ""]) | LEAVES,
                  "message": LEAVES, "id": LEAVES, "webhook_token": LEAVES},
)


@FUZZ
@given(value=st.one_of(NOTIFICATION_FIELDS, VALUES), ascii_only=st.booleans(), method=st.sampled_from(["POST", "PATCH"]),
       content_type=st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain"]))
def test_any_admin_api_body_is_answered_without_5xx(client, watch, stream, admin_headers, value, ascii_only, method,
                                                     content_type):
    path = "/api/notifications" if method == "POST" else f"/api/notifications/{stream['id']}"
    if content_type.endswith("urlencoded") and isinstance(value, dict):
        raw = urlencode({str(k): str(v) for k, v in value.items()}, errors="surrogatepass").encode()
    else:
        raw = encode_json(value, ascii_only)
    check(client, watch, method, path, data=raw, headers={**admin_headers, "Content-Type": content_type})


ID_TEXT = st.one_of(
    st.integers(min_value=-5, max_value=10**30).map(str),
    st.sampled_from(["99999999999999999999", str(2**63), str(2**63 - 1), "0", "-1", "1.5", "١", "²", "%FF", "1e3"]),
)
LIMIT_TEXT = st.one_of(ID_TEXT, st.text(max_size=6), st.just("9" * 5000))


@FUZZ
@given(notification_id=ID_TEXT, limit=LIMIT_TEXT,
       method=st.sampled_from(["GET", "DELETE", "PATCH"]), events=st.booleans())
def test_any_id_and_limit_in_admin_urls_are_answered_without_5xx(client, watch, stream, admin_headers,
                                                                 notification_id, limit, method, events):
    path = f"/api/notifications/{notification_id}" + ("/events" if events else "")
    query = {"limit": limit} if events else {}
    response = check(client, watch, method if not events else "GET", path, query_string=query,
                     headers=admin_headers, json={})
    if method == "DELETE" and response.status_code == 204:
        client.post("/api/notifications", json={"name": "again", "type": "stream"}, headers=admin_headers)


@pytest.mark.parametrize("path", ["/api/notifications/99999999999999999999", "/notifications/99999999999999999999",
                                  "/api/notifications/99999999999999999999/events"])
def test_an_id_beyond_64_bits_is_not_found(client, admin_headers, path):
    # sqlite3 raised OverflowError binding it: a 500.
    assert client.get(path, headers=admin_headers).status_code == 404


@pytest.mark.parametrize("limit", ["²", "9" * 5000, "٣", "0", "1001"])
def test_a_limit_that_is_not_plain_digits_in_range_is_a_422(client, stream, admin_headers, limit):
    # "²".isdigit() is true and int("²") raises; int() of 5000 digits raises too: both were 500s.
    response = client.get(f"/api/notifications/{stream['id']}/events", query_string={"limit": limit},
                          headers=admin_headers)
    assert response.status_code == 422 and "limit" in response.get_json()["errors"]


# --- the big and the deep: each answered quickly, in the one shape -------------------------------


def nested_json(levels: int) -> bytes:
    """Return a JSON object nested `levels` deep."""
    return b'{"a":' * levels + b"1" + b"}" * levels


def timed_check(client, watch, path, seconds=1.5, **kwargs):
    """Check a POST and that it was answered within `seconds` (on a slow shared machine)."""
    started = time.monotonic()
    response = check(client, watch, "POST", path, **kwargs)
    assert time.monotonic() - started < seconds, f"took {time.monotonic() - started:.1f} s"
    return response


@pytest.mark.parametrize(("raw", "content_type", "status"), [
    (nested_json(10_000), "application/json", 400),
    (b"[" * 10_000 + b"]" * 10_000, "application/json", 400),
    (b"a" + b"[b]" * 10_000 + b"=1", "application/x-www-form-urlencoded", 400),
    (b"a" + b"[" * 10_000 + b"=1", "application/x-www-form-urlencoded", 422),
    (b"email=" + b"%5B" * 10_000, "application/x-www-form-urlencoded", 422),
    (b'{"email":"jo@example.com","n":' + b"9" * 5000 + b"}", "application/json", 400),
    (b'{"email":"jo@example.com","n":1e999}', "application/json", 400),
    (b'{"email":"jo@example.com","n":NaN}', "application/json", 400),
    (b'{"email":"jo@example.com","n":-Infinity}', "application/json", 400),
    (b'{"email":"jo@example.com","n":"\\ud800"}', "application/json", 400),
    (b'{"email":"jo@example.com","n":"\xed\xa0\x80"}', "application/json", 400),
    (b'{"email":"jo@example.com","n":"\xff"}', "application/json", 400),
    (b'{"email":"jo@example.com","email":"b@example.com"}', "application/json", 400),
    (b"email=jo%40example.com&n=%ED%A0%80", "application/x-www-form-urlencoded", 400),
    (b"e\x00=\x00a\x00&\x00n\x00=\x00%\x000\x000\x00%\x00D\x008\x00", "application/x-www-form-urlencoded; charset=utf-16le", 400),
    (b"a=1&a[b]=2", "application/x-www-form-urlencoded", 400),
    (b"a[b]=2&a=1", "application/x-www-form-urlencoded", 400),
    (b"a[0]=1&a[b]=2", "application/x-www-form-urlencoded", 400),
    (b"&".join(b"k%d=x" % i for i in range(100_000)), "application/x-www-form-urlencoded", 400),
    (b"x" * (MiB + 1), "application/json", 413),
])
def test_hostile_bodies_get_their_4xx_quickly(client, watch, stream, raw, content_type, status):
    response = timed_check(client, watch, webhook_path(stream), data=raw, headers={"Content-Type": content_type})
    assert response.status_code == status, response.get_json()


def test_10k_products_are_refused_at_once_with_a_short_answer(client, watch, stream):
    # Loading every item first took seconds and answered with every item's error (README, "Bodies").
    body = {"email": "jo@example.com", "products": [{}] * 10_000}
    response = timed_check(client, watch, webhook_path(stream), json=body)
    assert response.status_code == 422 and len(response.get_data()) < 500
    assert response.get_json()["errors"]["products"] == ["Must have at most 100 items; it has 10000."]
    # 100,000 of them are more objects than any body may hold: refused by the parser, as shortly.
    response = timed_check(client, watch, webhook_path(stream), json={**body, "products": [{}] * 100_000})
    assert response.status_code == 400 and len(response.get_data()) < 500


def test_a_real_order_with_more_than_100_line_items_is_shown_from_the_first_ones(client, watch, stream):
    order = platform_fixture("shopify_orders_create.json")
    order["body"]["line_items"] = [{"title": "Hat", "price": "1.00"}] * 5000
    response = timed_check(client, watch, webhook_path(stream), json=order["body"], headers=order["headers"])
    assert response.status_code == 201
    assert "Read the first 100 of 5000 line items." in response.get_json()["warnings"]


@pytest.mark.parametrize("body", [
    {"email": "jo@example.com", "name": "a " * 500_000},  # a name of a megabyte took 4 s to split
    {"email": "a" * 1_000_000 + "@example.com"},  # email-validator took 2 s over it
    {"lead": {str(i): "x" for i in range(70_000)}},  # the email search walked every key of one wide object
    {"email": "jo@example.com", "productName": "p" * (MiB - 100), "productLink": "https://example.com/"},
    {"email": "jo@example.com", "products": [0] * 100_000},
    {"email": "jo@example.com", "n": ["a@b"] * 100_000},
])
def test_big_bodies_near_the_limit_are_answered_quickly(client, watch, stream, body):
    raw = json.dumps(body).encode()
    assert len(raw) <= MiB
    response = timed_check(client, watch, webhook_path(stream), data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code in (201, 413, 422)


def test_a_dry_run_cancellation_hides_nothing(client, watch, stream):
    order = platform_fixture("shopify_orders_create.json")
    assert check(client, watch, "POST", webhook_path(stream), json=order["body"], headers=order["headers"]).status_code == 201
    headers = {**order["headers"], "X-Shopify-Topic": "orders/cancelled"}
    dry = check(client, watch, "POST", webhook_path(stream) + "?dry_run=1", json=order["body"], headers=headers)
    assert dry.status_code == 200 and dry.get_json()["status"] == "valid"
    assert watch.conn.execute("SELECT cancelled_at FROM events").fetchone()[0] is None
