"""Message templates: `{{variable}}` placeholders, checked when saved and filled in for visitors.

present.py supplies the known variables (`{{name}}`, `{{city}}`, `{{product.name}}`, …). Any other
name is a dot path into the event's raw payload (`{{order.note}}`, `{{line_items.0.title}}`), with
one rule that protects buyers: a path renders empty when any of its keys looks like contact
details, a network address, a last or full name, or a secret (see `private_key`), and so does a
value that holds an email or IP address or a link, whatever its key. Unknown variables render empty too.
The result is plain text: whoever shows it escapes it.
"""
import ipaddress
import re
from collections.abc import Mapping

MAX_LENGTH = 500
MAX_VALUE_LENGTH = 200
TAG = re.compile(r"\{\{(.*?)\}\}", re.S)
VARIABLE = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+){0,9}")
INDEX = re.compile(r"0|[1-9][0-9]{0,5}")
EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
IPV4 = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])")
SPACES = re.compile(r"[ \t]{2,}")
CAMEL_HUMP = re.compile(r"([a-z0-9])([A-Z])")
NON_WORD = re.compile(r"[^a-z0-9]+")
# Links in a payload are often private pages: receipts, order status, payment and invoice URLs.
URL = re.compile(r"[a-z][a-z0-9+.-]*://|www\.", re.I)

# A key is private when one of its words is one of these ("browser_ip", "address_1", "api_key")…
PRIVATE_WORDS = {
    "ip", "ips", "ipv4", "ipv6", "addr", "tel", "fax", "mobile", "zip", "street", "line1", "line2",
    "line3", "lat", "lng", "lon", "key", "keys", "pin", "cvc", "cvv", "ssn", "card", "last4", "hash",
    "agent", "session", "cookie", "auth", "authorization", "credentials", "fingerprint", "passport",
}  # fmt: skip
# …or when its words run together contain one of these ("contact_email", "billingLastName").
PRIVATE_PARTS = (
    "mail", "phone", "address", "lastname", "surname", "familyname", "fullname", "maidenname",
    "password", "passwd", "secret", "token", "signature", "hmac", "postcode", "postalcode",
    "zipcode", "latitude", "longitude", "iban", "birth", "taxid",
)  # fmt: skip
# A bare "name" is a person's full name unless the path goes through a product or line item.
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


def render(template: str, known: Mapping[str, str | None], raw) -> str:
    """Fill in a template: known variables first, else a permitted path into the raw payload."""

    def fill(match: re.Match) -> str:
        """Return the text of one placeholder."""
        name = match.group(1).strip()
        value = known[name] if name in known else raw_value(raw, name)
        return value or ""

    # An empty variable must not leave a double space behind ("John from  bought").
    return SPACES.sub(" ", TAG.sub(fill, template)).strip()


def raw_value(raw, path: str) -> str | None:
    """Return the text at a dot path of the payload, or None if absent, not text or private."""
    if not VARIABLE.fullmatch(path):
        return None
    steps = path.split(".")
    if any(private_key(step) for step in steps) or is_person_name(steps):
        return None
    value = raw
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
    """Tell whether text holds an email or IP address or a link, wherever in the payload it was found."""
    if EMAIL.search(text) or IPV4.search(text) or URL.search(text):
        return True
    try:
        ipaddress.ip_address(text.strip())
    except ValueError:
        return False
    return True


def words(key: str) -> list[str]:
    """Split a key into lower-case words: "billingAddress_1" → ["billing", "address", "1"]."""
    spaced = CAMEL_HUMP.sub(r"\1 \2", key)
    return [word for word in NON_WORD.split(spaced.lower()) if word]


def private_key(key: str) -> bool:
    """Tell whether a payload key may hold contact details, an address, a last name or a secret."""
    parts = words(key)
    joined = "".join(parts)
    return any(word in PRIVATE_WORDS for word in parts) or any(part in joined for part in PRIVATE_PARTS)


def is_person_name(steps: list[str]) -> bool:
    """Tell whether a path ends in a plain name that belongs to a person, not to a product."""
    if "".join(words(steps[-1])) not in ("name", "names"):
        return False
    return not any("".join(words(step)) in THING_KEYS for step in steps[:-1])
