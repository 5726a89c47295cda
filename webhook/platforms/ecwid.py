"""Ecwid webhooks: they carry only ids (order.created → entityId), so there is nothing to show.

Recognised by eventType with storeId and entityId. Every such call answers 200 ignored with what to do
instead, so Ecwid neither retries nor disables the hook.
"""

from .common import Mapped, ignore

NAME = "ecwid"
KIND = "an Ecwid order"  # what a proof page calls its events
ADVICE = (
    "Ecwid webhooks carry only the order's number, not the buyer or the products: connect Ecwid"
    " through Zapier (its New Order trigger fetches the order) and send that to this webhook instead."
)


def detect(headers: dict, data: dict) -> bool:
    """Tell whether Ecwid sent this."""
    return "eventType" in data and "storeId" in data and "entityId" in data


def convert(headers: dict, data: dict) -> Mapped:
    """Answer an Ecwid webhook with what to do instead."""
    return ignore(NAME, f"{data.get('eventType')}: {ADVICE}")
