"""Recognise payloads from known platforms and map them to our vocabulary."""

from collections.abc import Mapping

from . import (
    bigcommerce,
    calendly,
    ecwid,
    generic,
    gumroad,
    kit,
    lemonsqueezy,
    mailchimp,
    paddle,
    paypal,
    shopify,
    square,
    stripe,
    typeform,
    woocommerce,
)
from .common import Mapped

__all__ = ["KINDS", "Mapped", "map_payload"]

# Each platform is recognised by its own headers or shape; the first that claims a call maps it.
PLATFORMS = (
    shopify, woocommerce, stripe, gumroad, paypal, paddle, lemonsqueezy, square,
    mailchimp, kit, calendly, typeform, bigcommerce, ecwid,
)  # fmt: skip
# What an event was, by the mapping that read it (its sources.mapping), as a proof page tells it.
KINDS = {platform.NAME: platform.KIND for platform in (*PLATFORMS, generic)}


def map_payload(headers: Mapping[str, str], data: dict) -> Mapped:
    """Detect the sender by headers and shape and map its payload to our vocabulary."""
    headers = {key.lower(): value for key, value in headers.items()}
    for platform in PLATFORMS:
        if platform.detect(headers, data):
            return platform.convert(headers, data)
    # Zapier and everything else: our own vocabulary, and the field names everybody uses.
    return generic.convert(headers, data)
