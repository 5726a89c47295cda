"""The popup's look: settings checked, carried by the feed, and an accent that always keeps AA contrast."""
import itertools
from urllib.parse import urlsplit

import pytest

from webhook.looks import MIN_CONTRAST, THEMES, contrast, look

# A grid over the colour cube, the primaries and greys included: every accent an owner might pick, roughly.
GRID = ["#" + "".join(f"{c:02x}" for c in rgb) for rgb in itertools.product(range(0, 256, 51), repeat=3)]


def test_contrast_is_wcags():
    assert round(contrast("#000000", "#ffffff"), 2) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48  # the well-known just-failing grey
    assert contrast("#3046c5", "#3046c5") == 1


def test_the_themes_own_text_passes_aa():
    for palette in THEMES.values():
        assert contrast(palette["text"], palette["background"]) >= MIN_CONTRAST
        assert contrast(palette["muted"], palette["background"]) >= MIN_CONTRAST
        assert contrast(palette["muted"], palette["border"]) >= MIN_CONTRAST  # the close button, hovered


@pytest.mark.parametrize("accent", GRID)
def test_any_accent_is_made_readable_in_both_themes(accent):
    shown = look({"accent": accent, "theme": "auto", "corners": "rounded", "size": "regular", "picture": "product"})
    for theme, palette in THEMES.items():
        colours = shown[theme]
        assert contrast(colours["accent"], palette["background"]) >= MIN_CONTRAST  # links on the popup
        assert contrast(colours["onAccent"], colours["accent"]) >= MIN_CONTRAST  # initials on their circle


def test_a_readable_accent_is_left_as_chosen():
    shown = look({"accent": "#3046c5", "theme": "light", "corners": "square", "size": "compact", "picture": "none"})
    assert shown["light"]["accent"] == "#3046c5"
    assert (shown["theme"], shown["corners"], shown["size"], shown["picture"]) == ("light", "square", "compact", "none")


def test_the_looks_are_set_by_the_api_and_carried_by_the_feed(client, admin_headers, make_notification):
    made = make_notification("stream")
    assert (made["theme"], made["accent"], made["corners"], made["size"], made["picture"]) == \
        ("light", "#3046c5", "rounded", "regular", "product")
    changes = {"theme": "dark", "accent": "#FFCC00", "corners": "square", "size": "compact", "picture": "initials"}
    changed = client.patch(f"/api/notifications/{made['id']}", json=changes, headers=admin_headers).get_json()
    assert changed["accent"] == "#ffcc00" and changed["theme"] == "dark"
    shown = client.get(urlsplit(made["feed_url"]).path).get_json()["look"]
    assert shown["theme"] == "dark" and shown["picture"] == "initials" and shown["dark"]["accent"] == "#ffcc00"
    assert shown["light"]["accent"] != "#ffcc00"  # too pale on white: darkened until it reads


@pytest.mark.parametrize("field, value", [
    ("theme", "neon"), ("accent", "red"), ("accent", "#12345"), ("accent", "#gggggg"), ("corners", "round"),
    ("size", "huge"), ("picture", "avatar"), ("accent", 12),
])
def test_a_bad_look_is_a_422_naming_the_field(client, admin_headers, make_notification, field, value):
    made = make_notification("stream")
    answer = client.patch(f"/api/notifications/{made['id']}", json={field: value}, headers=admin_headers)
    assert answer.status_code == 422 and list(answer.get_json()["errors"]) == [field]
    again = client.get(f"/api/notifications/{made['id']}", headers=admin_headers).get_json()
    assert again[field] == made[field]  # nothing half-written
