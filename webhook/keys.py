"""Payload keys compared by meaning, whatever their spelling: fullName, full-name and full_name alike."""
import functools
import re

CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
SEPARATORS = re.compile(r"[\s-]+")


@functools.lru_cache(maxsize=4096)
def snake_case(key) -> str:
    """Return a key in snake_case (cached: senders repeat the same few keys in every payload)."""
    return SEPARATORS.sub("_", CAMEL_HUMP.sub("_", str(key)).strip()).lower()


def words(key) -> list[str]:
    """Split a key into lower-case words: "billingAddress_1" → ["billing", "address", "1"]."""
    return [word for word in snake_case(key).split("_") if word]
