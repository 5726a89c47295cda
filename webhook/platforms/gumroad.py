"""Gumroad sale pings (form-encoded): a sale shows, a refunded or charged-back one hides.

Recognised by sale_id together with product_permalink or seller_id. The price is in the
currency's minor units and the currency in lower case ("usd"); ip_country is a country name.
product_permalink is the product's full URL; the older permalink field (and a hand-made
payload) may hold just the short slug, which becomes https://gumroad.com/l/<slug>, the address
Gumroad itself serves every product under. Test sales (test=true, the seller buying their own
product) are shown: that's how owners check their setup.
"""

import re

from .common import (
    Mapped,
    cancel,
    drop_bad_urls,
    from_minor_units,
    pick_fields,
    tidy,
    truthy,
)

NAME = "gumroad"
KIND = "a Gumroad sale"  # what a proof page calls its events
SLUG = re.compile(r"[A-Za-z0-9_-]+")

FIELDS = {
    "email": ("email",),
    "name": ("full_name",),
    "country": ("ip_country",),
    "productName": ("product_name",),
    "productLink": ("product_permalink", "permalink"),
    "total": ("price",),
    "currency": ("currency",),
    "timestamp": ("sale_timestamp",),
    "id": ("sale_id",),
}


def detect(headers: dict, data: dict) -> bool:
    """Tell whether Gumroad sent this."""
    return "sale_id" in data and ("product_permalink" in data or "seller_id" in data)


def product_link(link):
    """Turn a bare product slug into its gumroad.com URL; leave anything else as sent."""
    if isinstance(link, str) and SLUG.fullmatch(link):
        return f"https://gumroad.com/l/{link}"
    return link


def convert(headers: dict, data: dict) -> Mapped:
    """Map a Gumroad sale ping to our vocabulary."""
    # A lost chargeback takes the money back just as a refund does.
    if truthy(data.get("refunded")) or (
        truthy(data.get("disputed")) and not truthy(data.get("dispute_won"))
    ):
        return cancel(NAME, data.get("sale_id"), "Gumroad refund")
    warnings: list[str] = []
    fields = pick_fields(data, FIELDS)
    fields |= {
        "productLink": product_link(fields.get("productLink")),
        "total": from_minor_units(fields.get("total"), fields.get("currency")),
    }
    fields = drop_bad_urls(tidy(fields), ("productLink",), warnings)
    return Mapped(NAME, fields, warnings=warnings)
