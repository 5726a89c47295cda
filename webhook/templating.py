"""Message templates: `{{variable}}` placeholders, checked when saved and filled in for visitors.

present.py supplies the known variables (`{{name}}`, `{{city}}`, `{{product.name}}`, …). Any other
name is a dot path into the event's payload as received (`{{line_items.0.title}}`, `{{order.quantity}}`), and
it renders only when its last key is one of a short list of things about the order and its products
(SHOWN_KEYS): everything else a buyer's payload holds, named in any language, stays out by construction.
A value that holds an email or IP address, a link or a phone-like run of digits renders empty too, whatever
its key. Unknown variables render empty. The result is plain text: whoever shows it escapes it.
"""
import ipaddress
import re
from collections.abc import Mapping

from .keys import words

MAX_LENGTH = 500
MAX_VALUE_LENGTH = 200
TAG = re.compile(r"\{\{(.*?)\}\}", re.S)
VARIABLE = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+){0,9}")
INDEX = re.compile(r"0|[1-9][0-9]{0,5}")
EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
IPV4 = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])")
SPACES = re.compile(r"[ \t]{2,}")
# Links in a payload are often private pages: receipts, order status, payment and invoice URLs.
URL = re.compile(r"[a-z][a-z0-9+.-]*://|www\.", re.I)
# Candidates for an IPv6 address inside text (checked by ipaddress), and runs of digits long enough for a phone.
IPV6_CANDIDATE = re.compile(r"[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")
PHONE = re.compile(r"\d(?:[\s().-]*\d){6,}")

# The only payload keys a template may show (compared as their words run together, "variant_title" →
# "varianttitle"): about the order and what was bought, or a first name, which the popup shows anyway. An
# allow-list, not a list of bad words: a key nobody thought of ("nachname", "mobile") stays hidden. No place:
# {{city}}, {{state}}, {{country}} and {{location}} carry the place as the owner's precision and the
# small-place guard allow, where a payload's own (a shipping town, say) would name what they hide.
SHOWN_KEYS = {
    "title", "producttitle", "productname", "varianttitle", "variantname", "sku", "vendor", "brand",
    "category", "producttype", "quantity", "qty", "count", "price", "amount", "total", "subtotal",
    "discount", "currency", "plan", "planname", "interval", "color", "colour", "size", "gift",
    "firstname",
}  # fmt: skip
# A bare "name" is shown only on a product or line item: anywhere else it is a person's full name.
THING_KEYS = {"product", "products", "lineitems", "lineitem", "items", "item", "variant", "variants", "plan"}


def problems(template: str) -> list[str]:
    """Return what is wrong with a template (empty when it can be saved)."""
    if len(template) > MAX_LENGTH:
        return [f"Must be at most {MAX_LENGTH} characters."]
    found, end = [], 0
    for match in TAG.finditer(template):
        found += _stray_braces(template[end : match.start()], end)
        inner = match.group(1).strip()
        if "{" in inner or "}" in inner:
            found.append(f"Opens a {{{{ at character {match.start() + 1} that is never closed with }}}}.")
        elif not VARIABLE.fullmatch(inner):
            found.append(
                f"{match.group(0)!r} is not a variable: use names like {{{{name}}}} or {{{{product.name}}}}"
                " (letters, digits, _ and -, joined by dots)."
            )
        end = match.end()
    return found + _stray_braces(template[end:], end)


def _stray_braces(text: str, offset: int) -> list[str]:
    """Report a {{ or }} outside any placeholder, by its 1-based character position."""
    found = []
    if (at := text.find("{{")) >= 0:
        found.append(f"Opens a {{{{ at character {offset + at + 1} that is never closed with }}}}.")
    if (at := text.find("}}")) >= 0:
        found.append(f"Closes a }}}} at character {offset + at + 1} that was never opened with {{{{.")
    return found


def render(template: str, known: Mapping[str, str | None], payload) -> str:
    """Fill in a template: known variables first, else a permitted path into the payload as received."""

    def fill(match: re.Match) -> str:
        """Return the text of one placeholder."""
        name = match.group(1).strip()
        value = known[name] if name in known else payload_value(payload, name)
        return value or ""

    # An empty variable must not leave a double space behind ("John from  bought").
    return SPACES.sub(" ", TAG.sub(fill, template)).strip()


def payload_value(payload, path: str) -> str | None:
    """Return the text at a dot path of the payload, or None if absent, not text or private."""
    if not VARIABLE.fullmatch(path):
        return None
    steps = path.split(".")
    if not shown_path(steps):
        return None
    value = payload
    for step in steps:
        if isinstance(value, Mapping):
            value = value.get(step)
        elif isinstance(value, list) and INDEX.fullmatch(step) and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    return scalar_text(value)


def scalar_text(value) -> str | None:
    """Return a number, flag or string as short text; objects and lists are never shown whole."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if not isinstance(value, str) or looks_private(value):
        return None
    text = " ".join(value.split())
    return text if len(text) <= MAX_VALUE_LENGTH else text[: MAX_VALUE_LENGTH - 1] + "…"


def looks_private(text: str) -> bool:
    """Tell whether text holds an email or IP address, a link or a phone number, wherever it was found."""
    if EMAIL.search(text) or IPV4.search(text) or URL.search(text) or PHONE.search(text):
        return True
    return any(is_ip(candidate) for candidate in IPV6_CANDIDATE.findall(text))


def is_ip(text: str) -> bool:
    """Tell whether a piece of text is an IP address."""
    try:
        ipaddress.ip_address(text.strip(".:") if "::" not in text else text.rstrip("."))
    except ValueError:
        return False
    return True


def shown_path(steps: list[str]) -> bool:
    """Tell whether a payload path ends in a key a visitor may see (a bare name only on a product)."""
    leaf = "".join(words(steps[-1]))
    if leaf in ("name", "names"):
        return any("".join(words(step)) in THING_KEYS for step in steps[:-1])
    return leaf in SHOWN_KEYS
