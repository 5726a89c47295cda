"""Find a person's full name anywhere in a payload, without mistaking products for people."""

import collections

from webhook.keys import snake_case
from webhook.enrich.names import split_full_name

# Keys that hold a person's whole name wherever they appear.
FULL_NAME_KEYS = frozenset("""
    full_name fullname customer_name customer_full_name billing_name billing_full_name
    buyer_name buyer_full_name client_name contact_name purchaser_name payer_name
    shipping_name subscriber_name member_name cardholder_name
""".split())
# A plain "name" is a person's only at the top level or inside these objects;
# elsewhere (products, line items, shops) it names a thing.
PERSON_OBJECTS = frozenset("""
    customer customer_details buyer billing billing_address billing_details shipping
    shipping_address shipping_details user contact purchaser payer client member
    subscriber lead person recipient
""".split())
MAX_NODES = 20_000


def find_full_name(data: dict) -> tuple[str, str | None, str] | None:
    """Return (first, last or None, dotted path) of the shallowest person's full name."""
    queue = collections.deque([("", "", data)] if isinstance(data, dict) else [])
    seen = 0
    while queue and seen < MAX_NODES:
        prefix, parent, node = queue.popleft()
        for key, value in node.items():
            seen += 1
            if seen > MAX_NODES:
                return None  # checked per value: one object with 100,000 keys is as absurd as deep nesting
            path = f"{prefix}.{key}" if prefix else str(key)
            snake = snake_case(key)
            if isinstance(value, dict):
                queue.append((path, snake, value))
            elif isinstance(value, str) and _is_name_key(snake, parent, prefix):
                if found := split_full_name(value):
                    return (*found, path)
    return None


def _is_name_key(snake, parent, prefix):
    """Tell whether a key (with its parent's key) names a person's full name."""
    if snake in FULL_NAME_KEYS:
        return True
    return snake == "name" and (not prefix or parent in PERSON_OBJECTS)


