"""A popup's look: its theme, corners, size and picture, and accent colours that keep WCAG AA contrast."""

# The popup's own colours per theme; every text colour here is at least 4.5:1 on its background.
THEMES = {
    "light": {"background": "#ffffff", "text": "#1d2330", "muted": "#5d6678", "border": "#e4e7ee"},
    "dark": {"background": "#1f2430", "text": "#f1f3f8", "muted": "#b4bccb", "border": "#3a4152"},
}
THEME_CHOICES = ("light", "dark", "auto")
CORNER_CHOICES = ("rounded", "square")
SIZE_CHOICES = ("regular", "compact")
PICTURE_CHOICES = ("product", "initials", "none")
# WCAG 2.2 AA for normal text (1.4.3).
MIN_CONTRAST = 4.5
WHITE, BLACK = "#ffffff", "#000000"


def channels(colour: str) -> tuple[int, int, int]:
    """Return the red, green and blue of "#rrggbb"."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def luminance(colour: str) -> float:
    """Return a colour's relative luminance, as WCAG defines it."""
    linear = [c / 255 / 12.92 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in channels(colour)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """Return the WCAG contrast ratio of two colours, 1 to 21."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def mix(colour: str, target: str, share: float) -> str:
    """Return `colour` moved `share` (0..1) of the way towards `target`."""
    mixed = (round(c + (t - c) * share) for c, t in zip(channels(colour), channels(target)))
    return "#" + "".join(f"{c:02x}" for c in mixed)


def readable_on(accent: str, background: str) -> str:
    """Return the accent, darkened or lightened just enough to read as text on the background (4.5:1)."""
    target = BLACK if luminance(background) > 0.5 else WHITE
    for step in range(21):
        candidate = mix(accent, target, step / 20)
        if contrast(candidate, background) >= MIN_CONTRAST:
            return candidate
    return target


def text_on(colour: str) -> str:
    """Return black or white, whichever reads better on the colour (always at least 4.5:1)."""
    return WHITE if contrast(WHITE, colour) >= contrast(BLACK, colour) else BLACK


def look(notification: dict) -> dict:
    """Return the look the feed carries: the settings, and each theme's colours with the accent made readable."""
    colours = {}
    for theme, palette in THEMES.items():
        accent = readable_on(notification["accent"], palette["background"])
        colours[theme] = {**palette, "accent": accent, "onAccent": text_on(accent)}
    return {
        "theme": notification["theme"],
        "corners": notification["corners"],
        "size": notification["size"],
        "picture": notification["picture"],
        **colours,
    }
