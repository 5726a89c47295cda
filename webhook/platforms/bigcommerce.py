"""BigCommerce webhooks: they carry only an id (store/order/created → data.id), so there is nothing to show.

Recognised by a scope of "store/..." with a producer of "stores/...". Every such call answers 200 ignored
with what to do instead, so BigCommerce neither retries nor disables the hook.
"""

from .common import Mapped, ignore

NAME = "bigcommerce"
KIND = "a BigCommerce order"  # what a proof page calls its events
ADVICE = (
    "BigCommerce webhooks carry only the order's id, not the buyer or the products: connect BigCommerce"
    " through Zapier (its New Order trigger fetches the order) and send that to this webhook instead."
)


def detect(headers: dict, data: dict) -> bool:
    """Tell whether BigCommerce sent this."""
    return str(data.get("scope")).startswith("store/") and str(data.get("producer")).startswith("stores/")


def convert(headers: dict, data: dict) -> Mapped:
    """Answer a BigCommerce webhook with what to do instead."""
    return ignore(NAME, f"{data.get('scope')}: {ADVICE}")
