"""Mailchimp audience webhooks (form bodies): a subscribe is a sign-up; profile updates and leaving are skipped.

Recognised by a form with type, fired_at and data[list_id]. The person is data[merges][FNAME]/[LNAME] and
data[email]; data[ip_opt], where they confirmed, places them by GeoIP. Dedup key: the list and the member's
id, so a re-sent subscribe is shown once. Mailchimp signs nothing: the webhook URL is the secret.
"""

from .common import Mapped, ignore, lookup, pick_fields, text, tidy, utc_iso

NAME = "mailchimp"
KIND = "a Mailchimp sign-up"  # what a proof page calls its events

# Paths inside data.
FIELDS = {
    "email": ("email", "merges.EMAIL"),
    "firstName": ("merges.FNAME",),
    "lastName": ("merges.LNAME",),
    "ip": ("ip_opt", "ip_signup"),
}


def detect(headers: dict, data: dict) -> bool:
    """Tell whether Mailchimp sent this."""
    return "fired_at" in data and "type" in data and lookup(data, "data.list_id") is not None


def convert(headers: dict, data: dict) -> Mapped:
    """Map a Mailchimp subscribe to our vocabulary."""
    kind = text(data.get("type"))
    if kind != "subscribe":
        return ignore(NAME, f"Mailchimp {kind} is not a sign-up.")
    member = data["data"] if isinstance(data.get("data"), dict) else {}
    # fired_at ("2014-11-04 09:42:31") is UTC without an offset.
    fields = pick_fields(member, FIELDS) | {
        "timestamp": utc_iso(data.get("fired_at")),
        "id": f"{member.get('list_id')}:{member.get('id')}" if member.get("id") else None,
    }
    return Mapped(NAME, tidy(fields))
