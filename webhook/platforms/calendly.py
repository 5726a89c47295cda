"""Calendly bookings: invitee.created is a sign-up (the invitee's, never the host's name), invitee.canceled hides it.

Recognised by an event of "invitee.*" with a payload. Webhooks v2 put the invitee in the payload itself
(name, first_name, email, uri); the older v1 format nests it in payload.invitee (uuid). Dedup key: the
invitee's uri (v2) or uuid (v1), which its cancellation names too. Calendly's own signature
(Calendly-Webhook-Signature: t=…,v1=…) is checked when the notification has a signing secret.
"""

from .common import Mapped, cancel, full_name, ignore, lookup, pick, pick_fields, text, tidy

NAME = "calendly"
KIND = "a Calendly booking"  # what a proof page calls its events
# The invitee: v2 in the payload itself, v1 under payload.invitee.
INVITEE = ("payload.invitee", "payload")
FIELDS = {
    "email": ("email",),
    "firstName": ("first_name",),
    "lastName": ("last_name",),
    "timestamp": ("created_at",),
    "id": ("uri", "uuid"),
}


def detect(headers: dict, data: dict) -> bool:
    """Tell whether Calendly sent this."""
    return str(data.get("event")).startswith("invitee.") and isinstance(data.get("payload"), dict)


def convert(headers: dict, data: dict) -> Mapped:
    """Map a Calendly invitee webhook to our vocabulary."""
    kind = text(data.get("event"))
    invitee = next(found for path in INVITEE if isinstance(found := lookup(data, path), dict))
    if kind == "invitee.canceled":
        return cancel(NAME, pick(invitee, ("uri", "uuid")), "Calendly cancellation")
    if kind != "invitee.created":
        return ignore(NAME, f"Calendly event {kind} is not a booking.")
    # Explicit first and last names beat the split of the full one.
    return Mapped(NAME, tidy(full_name(invitee.get("name")) | pick_fields(invitee, FIELDS)))
