"""Find and normalise the email address in an arbitrary payload."""

import collections
import functools
import re

from email_validator import EmailNotValidError, validate_email

from webhook.keys import snake_case
from webhook.vocabulary import MAX_EMAIL_LENGTH

# Stop walking absurd payloads; a real order has a few hundred values at most.
MAX_NODES = 20_000
_EMAIL_KEY = re.compile(r"(?:^|_)(?:e_?)?mail(?:_?address)?$")


# An unquoted ASCII local part (a dot-atom): email-validator returns it unchanged, so for such addresses
# only the domain needs its slower IDNA-aware check, and senders use few domains, so that is cached.
DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")


@functools.lru_cache(maxsize=4096)
def normalized_domain(domain: str) -> str:
    """Return email-validator's normal form of a mail domain, or raise EmailNotValidError."""
    return validate_email("a@" + domain, check_deliverability=False).domain


def normalized_email(text: str) -> str:
    """Return an address as email-validator normalizes it (offline: no DNS), or raise EmailNotValidError."""
    local, at, domain = text.rpartition("@")
    if at and len(local) <= 64 and DOT_ATOM.match(local):
        try:
            normalized = f"{local}@{normalized_domain(domain)}"
        except EmailNotValidError:
            normalized = None  # the full check below says why, in its own words
        if normalized is not None and len(normalized) <= MAX_EMAIL_LENGTH:
            return normalized
    return validate_email(text, check_deliverability=False).normalized


def email_or_none(text: str) -> str | None:
    """Return the address in its normal form, or None if it is not one."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if "@" not in text or len(text) > MAX_EMAIL_LENGTH:
        return None
    try:
        return normalized_email(text)
    except EmailNotValidError:
        return None


def mention_pattern(address: str) -> re.Pattern:
    """Return a pattern that finds this address in any text, in any case, but not inside a longer address."""
    # "jo@example.com" must not match "bojo@example.com" or "jo@example.com.au"; a full stop after it may end
    # a sentence.
    return re.compile(
        r"(?<![\w.!#$%&'*+/=?^`{|}~-])" + re.escape(address) + r"(?![\w-]|\.[\w-])",
        re.IGNORECASE,
    )


def find_email(data: dict) -> tuple[str, str] | None:
    """Return (address, dotted path) of the payload's email, keys named like email first."""
    values = list(_walk(data))
    for path, key, value in values:
        if isinstance(key, str) and _is_email_key(key) and (email := email_or_none(value)):
            return email, path
    for path, _key, value in values:
        if email := email_or_none(value):
            return email, path
    return None


def _is_email_key(key):
    """Tell whether a key names an email: email, e_mail, emailAddress, receipt_email…"""
    return bool(_EMAIL_KEY.search(snake_case(key)))


def _walk(data):
    """Yield (dotted path, key, value) for every string, breadth-first, shallowest first."""
    queue = collections.deque([("", data)] if isinstance(data, (dict, list)) else [])
    seen = 0
    while queue and seen < MAX_NODES:
        prefix, node = queue.popleft()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            seen += 1
            if seen > MAX_NODES:
                return  # checked per value: one object with 100,000 keys is as absurd as deep nesting
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, str):
                yield path, key, value
            elif isinstance(value, (dict, list)):
                queue.append((path, value))
