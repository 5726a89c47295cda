"""The feed's JSON shape is pinned to its FEED_FORMAT: a change of shape without a bump fails here."""
from urllib.parse import urlsplit

from helpers import post_event
from webhook.showing import FEED_FORMAT

# What every feed body holds around its items, under a notification's default options.
FRAME = {
    "dir", "items", "labels", "labels.close", "labels.region", "lang", "now", "type",
    "look", "look.corners", "look.picture", "look.size", "look.theme",
    *(f"look.{mode}{key}" for mode in ("dark", "light")
      for key in ("", ".accent", ".background", ".border", ".muted", ".onAccent", ".text")),
    "rules", *(f"rules.{key}" for key in ("afterLast", "attributionDays", "closeDays", "devices", "exclude", "goals",
                                          "holdout", "include", "maxPerView", "order", "priority", "repeatHours",
                                          "schedule")),
}
STREAM_ITEM = {"city", "country", "countryCode", "id", "initials", "message", "name", "place", "product",
               "product.image", "product.link", "product.name", "state", "stateCode", "text", "timeAgo", "timestamp",
               "type", "what", "who"}
CONVERSION_ITEM = {"count", "id", "message", "text", "type", "windowHours"}
# FEED_FORMAT → the (stream, conversion) feed shapes it names. A new shape is a new format: bump FEED_FORMAT in
# webhook/showing.py (so no cached body of the old shape keeps a valid ETag) and record the shape here.
SHAPES = {
    5: (FRAME | {f"items[].{key}" for key in STREAM_ITEM}, FRAME | {f"items[].{key}" for key in CONVERSION_ITEM}),
}


def shape(value, path: str = "") -> set[str]:
    """Return every key path of a JSON value (a list by its first item), e.g. "items[].product.name"."""
    if isinstance(value, dict):
        paths = set()
        for key, item in value.items():
            here = f"{path}.{key}" if path else key
            paths |= {here} | shape(item, here)
        return paths
    if isinstance(value, list) and value:
        return shape(value[0], f"{path}[]")
    return set()


def feed_shape(client, notification) -> set[str]:
    """Return the key paths of a notification's feed as a visitor's browser reads it."""
    response = client.get(urlsplit(notification["feed_url"]).path)
    assert response.status_code == 200, response.get_json()
    return shape(response.get_json())


def test_the_feed_has_the_shape_its_format_number_names(client, make_notification):
    stream = make_notification(min_place_events=1)
    post_event(client, stream, {"email": "john.zoe@example.com", "firstName": "John", "lastName": "Zoe",
                                "city": "Miami", "state": "Florida", "countryCode": "US", "productName": "Sneakers",
                                "productLink": "https://example.com/s", "productImage": "https://example.com/s.jpg"})
    conversion = make_notification("conversion", name="Sign-ups", message="signed up", conversion_min_count=1)
    post_event(client, conversion, {"email": "jane.doe@example.com"})
    assert FEED_FORMAT in SHAPES, f"record FEED_FORMAT {FEED_FORMAT}'s shape in SHAPES"
    stream_shape, conversion_shape = SHAPES[FEED_FORMAT]
    found = feed_shape(client, stream)
    assert found == stream_shape, ("the stream feed changed shape: bump FEED_FORMAT", sorted(found ^ stream_shape))
    found = feed_shape(client, conversion)
    assert found == conversion_shape, ("the conversion feed changed shape: bump FEED_FORMAT",
                                       sorted(found ^ conversion_shape))
