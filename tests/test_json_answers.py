"""The JSON answers orjson writes mean exactly what Flask's standard-library provider wrote, key order included.

Non-ASCII text now goes out as UTF-8 instead of `\\u` escapes: the same JSON to any parser, not the same bytes.
"""
import datetime
import json

import pytest
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup

from helpers import stored, webhook_path

ODD_VALUES = {
    "names": ["Zoë", "東京", "José 🎉", "Ünïcödé"], "floats": [0.1, 89.0, 1e16, 1.5e-7, -0.0, 123456789.123],
    "ints": [0, -1, 2**63 - 1, -(2**63)], "flags": [True, False, None], "nested": {"a": [{"b": []}, {}]},
    "html": Markup("<b>x</b>"), "date": datetime.datetime(2026, 12, 2, 1, 2, 3, tzinfo=datetime.timezone.utc),
    "order": {"z": 1, "a": 2, "m": 3},
}
# What orjson refuses, which the standard library still writes.
REFUSED_BY_ORJSON = [{"big": 2**70}, {1: "non-string key"}, {"lone": "\ud800"}]


def ordered(body: bytes):
    """Decode JSON keeping each object's key order (as lists of pairs)."""
    return json.loads(body, object_pairs_hook=list)


def standard_answer(app, obj) -> bytes:
    """Return the answer body Flask's own provider writes for obj, as the app's did before orjson."""
    provider = DefaultJSONProvider(app)
    provider.sort_keys = False
    with app.app_context():
        return provider.response(obj).get_data()


@pytest.mark.parametrize("obj", [ODD_VALUES, *REFUSED_BY_ORJSON], ids=["odd values", "big int", "int key", "surrogate"])
def test_the_provider_writes_what_the_standard_library_wrote(app, obj):
    with app.app_context():
        ours = app.json.response(obj).get_data()
    assert ordered(ours) == ordered(standard_answer(app, obj))
    assert ours.endswith(b"\n")


def test_non_ascii_goes_out_as_utf8_and_means_the_same(app):
    with app.app_context():
        ours = app.json.response({"name": "Zoë"}).get_data()
    assert ours == '{"name":"Zoë"}\n'.encode()
    assert standard_answer(app, {"name": "Zoë"}) == b'{"name":"Zo\\u00eb"}\n'


WEBHOOK_BODIES = [
    ({"email": "zoë.müller@example.com", "firstName": "Zoë", "lastName": "Müller", "timestamp": 1_700_000_000_000,
      "ip": "81.2.69.160", "products": [{"name": "Café crème 東京", "link": "https://shop.example.com/p/1",
                                         "price": 4.5, "quantity": 2}], "total": 9.0, "currency": "EUR"}, ""),
    ({"email": "zoë@example.com", "timestamp": 1_700_000_000_000}, "?dry_run=1"),
    ({"email": 3, "timestamp": "soon"}, ""),
    ({"event_type": "payment.refunded", "email": "a@example.com"}, ""),
]
# What differs between two notifications' answers for one body: the ids, the arrival time and the preview link.
PER_NOTIFICATION = {"id", "notificationId", "receivedAt", "preview_url"}


def comparable(body: bytes):
    """Decode an answer in key order with the per-notification values blanked."""

    def blank(pairs):
        """Blank the values that differ between notifications."""
        return [(key, None if key in PER_NOTIFICATION else value) for key, value in pairs]

    return json.loads(body, object_pairs_hook=blank)


@pytest.mark.parametrize("payload, query", WEBHOOK_BODIES, ids=["created", "dry run", "invalid", "ignored"])
def test_webhook_answers_mean_what_they_did_with_the_standard_library(app, client, make_notification, payload, query):
    before, after = make_notification(name="Before"), make_notification(name="After")
    app.json, ours = DefaultJSONProvider(app), app.json
    app.json.sort_keys = False
    old = client.post(webhook_path(before) + query, json=payload)
    app.json = ours
    new = client.post(webhook_path(after) + query, json=payload)
    assert new.status_code == old.status_code
    assert new.headers["Content-Type"] == old.headers["Content-Type"]
    assert comparable(new.get_data()) == comparable(old.get_data())


def test_a_payload_orjson_refuses_is_stored_with_its_text_as_utf8_as_before(app, client, make_notification):
    payload = {"email": "big@example.com", "productName": "Café 東京", "extra": {"big": 2**70}}
    assert client.post(webhook_path(make_notification()), json=payload).status_code == 201
    [row] = stored(app)
    assert json.loads(row["raw"]) == payload and "Café 東京" in row["raw"]
