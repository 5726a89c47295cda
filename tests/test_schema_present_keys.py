"""The webhook schemas' load, which visits only the keys a body sent, against marshmallow's own loop."""
import pytest
from marshmallow import ValidationError

from webhook.schemas.events import conversion_event_schema, platform_event_schema, stream_event_schema

BODIES = [
    {"email": "a@example.com"},
    {},
    {"email": None, "ip": "8.8.8.8"},
    {"email": "not an email", "total": -1, "currency": "dollars", "productLink": "ftp://x"},
    {"email": "a@example.com", "firstName": "  Ann ", "city": "", "timestamp": "2026-01-01T00:00:00Z",
     "products": [{"name": "Sneakers", "price": "89.5", "quantity": 1, "link": "https://shop.example.com/p/1"},
                  {"name": "Cap", "price": 120, "image": "https://shop.example.com/c.jpg"}]},
    {"email": "a@example.com", "products": [{"price": 3}, {"name": "", "link": "javascript:alert(1)"}]},
    {"email": "a@example.com", "products": "many"},
    {"email": "a@example.com", "location": {"city": "Berlin", "country": "Germany"}, "guid": 12},
    {"email": "a@example.com", "guid": True, "timestamp": True, "stateCode": "x" * 11, "unused": 1},
    {"timestamp": 10**20, "guid": "g" * 256},
]


def outcome(schema, body, **options):
    """Return what a load gives: the data, or the field messages."""
    try:
        return "data", schema.load(body, **options)
    except ValidationError as error:
        return "errors", error.messages


@pytest.mark.parametrize("schema", [stream_event_schema, platform_event_schema, conversion_event_schema])
@pytest.mark.parametrize("body", BODIES)
def test_load_matches_marshmallows_own_loop(schema, body):
    # partial=() loads nothing partially, and sends the load through marshmallow's own loop over every field.
    assert outcome(schema, body) == outcome(schema, body, partial=())
