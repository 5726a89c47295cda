"""One event's way in: a parsed payload → mapped → validated → enriched, ready to store.

Shared by the webhook and by anything else that takes events in, so all of them apply the same rules.
"""
from dataclasses import dataclass, field

from flask import current_app
from marshmallow import ValidationError

from .storage import event_store
from .body import BodyError, parse_body
from .enrich import enrich, preload
from .enrich.emails import find_email
from .enrich.geoip import GeoIP
from .platforms import map_payload, woocommerce
from .schemas.events import conversion_event_schema, platform_event_schema, stream_event_schema
from .schemas.fields import Identifier
from .vocabulary import now_ms

# A dedup key obeys the rules of the schemas' id fields (at most 255 characters, no NUL).
DEDUP_KEY = Identifier()
# Top-level keys that senders use for "this order's id", in the order we trust them.
ID_KEYS = ("id", "orderId", "order_id", "external_id", "event_id")
# What a buyer typed into a platform's form: wrong there (a 150-letter first name, an address without an @), it is
# dropped with a warning, never a reason to refuse a platform's real event (which it would then retry for days).
TYPED_FIELDS = ("email", "firstName", "lastName", "city", "state", "country")


@dataclass
class Outcome:
    """What became of a payload: an event to store, or the reason it is skipped or cancels another."""

    event: dict | None = None
    dedup_key: str | None = None
    duplicate: dict | None = None  # the stored event this payload repeats
    ignored: str | None = None
    cancels: str | None = None
    warnings: list[str] = field(default_factory=list)


def read_body(body: bytes, content_type: str | None) -> tuple[dict, list[str]]:
    """Parse a webhook body; WooCommerce's `webhook_id=N` ping is read even without a Content-Type."""
    try:
        return parse_body(body, content_type)
    except BodyError as exc:
        # The ping must get its 200 or WooCommerce marks the webhook as failing, whatever it was sent as.
        ping = woocommerce.ping_body(body) if exc.status == 415 else None
        if ping is None:
            raise
        return ping, []


def dedup_key(headers, data: dict, own_id_wins: bool = False) -> str | None:
    """Return the idempotency key: a platform's or signed body's own id, webhook-id, Idempotency-Key, the id."""
    own = payload_id(data)
    if own_id_wins and own:
        # The order id is in the (signed) body; an Idempotency-Key header beside it is not signed by anyone, so
        # new keys would make a replayed signed call new each time.
        return own
    for name in ("webhook-id", "svix-id", "Idempotency-Key"):
        header = (headers.get(name) or "").strip()
        if header:
            # Standard Webhooks' message id is signed and stays the same on every redelivery.
            return bounded_key(name, header)
    return own


def payload_id(data: dict) -> str | None:
    """Return the payload's own id (the first of ID_KEYS it has), checked as a dedup key."""
    for key in ID_KEYS:
        value = data.get(key)
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, (str, int)) and str(value).strip():
            return bounded_key(key, str(value).strip())
    return None


def bounded_key(name: str, key: str) -> str:
    """Return a dedup key, or raise a 422 naming where it came from when it can't be stored (as an id field)."""
    try:
        return DEDUP_KEY.deserialize(key)
    except ValidationError as exc:
        raise ValidationError({name: exc.messages}) from None


def build_event(notification: dict, data: dict, headers, geoip: GeoIP | None, history: bool = False,
                signed: bool = False) -> Outcome:
    """Turn a parsed payload into an Outcome for this notification, or raise ValidationError.

    `history` is for imported past orders: each must bring its own time, and exported platform orders may
    hold line items that never had a link. `signed`: the body's signature was verified.
    """
    mapped = map_payload(headers, data)
    outcome = Outcome(ignored=mapped.ignored, cancels=mapped.cancels, warnings=list(mapped.warnings))
    if mapped.ignored or mapped.cancels:
        return outcome
    payload = mapped.data
    outcome.dedup_key = dedup_key(headers, payload, own_id_wins=signed or mapped.mapping != "generic")
    if outcome.dedup_key and not history:
        # Dedup first: a payment's second event (payment_intent.succeeded after checkout.session.completed)
        # is a duplicate even when it would not validate on its own.
        outcome.duplicate = event_store.event_by_dedup_key(notification["id"], outcome.dedup_key)
        if outcome.duplicate is not None:
            return outcome
    if notification["type"] == "conversion":
        outcome.event = load_conversion(payload, outcome.warnings)
        set_time(outcome.event, history)
        outcome.event["sources"] = {"mapping": mapped.mapping}
        return outcome
    sources = {"mapping": mapped.mapping}
    recognised = mapped.mapping != "generic" and not history
    if payload.get("email") is None and not recognised:
        # A platform's reading knows where its buyer's email is; any other address in its body (the merchant's,
        # a booking's host) is someone else's.
        found = find_email(data)
        if found:
            payload = {**payload, "email": found[0]}
            sources["email"] = found[1]
    elif payload.get("email") is not None:
        sources["email"] = "email"
    if recognised:
        event = load_dropping(platform_event_schema, payload, outcome.warnings, TYPED_FIELDS)
    else:
        event = stream_event_schema.load(payload)
    set_time(event, history)
    if not history and event.get("productName") and not event.get("productLink"):
        # Stores and exports don't put product URLs in their orders; the owner testing with dry_run should know why.
        outcome.warnings.append(
            f"Product {event['productName']!r} has no link in this {mapped.mapping} payload; it is shown without one."
        )
    # A platform's mapping may name the buyer in full ("name"): no event field holds it, so it is handed over.
    event, enriched_sources, enrich_warnings = enrich(event, data, geoip, full_name=payload.get("name"))
    event["sources"] = {**sources, **enriched_sources}
    outcome.warnings.extend(enrich_warnings)
    outcome.event = event
    return outcome


def set_time(event: dict, history: bool) -> None:
    """Give an event without a time the time it arrived; a history row without one would pass for new."""
    if "timestamp" not in event:
        if history:
            raise ValidationError({"timestamp": ["Missing: every history row needs the time of its order."]})
        event["timestamp"] = now_ms()


def load_conversion(payload: dict, warnings: list[str]) -> dict:
    """Load a conversion: any body counts; a field we can't use is dropped with a warning."""
    return load_dropping(conversion_event_schema, payload, warnings)


def load_dropping(schema, payload: dict, warnings: list[str], droppable: tuple[str, ...] | None = None) -> dict:
    """Load a payload; fields that fail (any, or only those of `droppable`) are dropped with a warning."""
    try:
        return schema.load(payload)
    except ValidationError as exc:
        bad = set(exc.messages) if isinstance(exc.messages, dict) else set()
        if not bad or (droppable is not None and not bad <= set(droppable)):
            raise
        for name in sorted(bad):
            value = payload.get(name)
            told = f" {value!r}" if isinstance(value, str) and len(value) <= 60 else ""
            warnings.append(f"Ignored {name}{told}: {' '.join(map(str, exc.messages[name]))}")
        return schema.load({k: v for k, v in payload.items() if k not in bad})


def geoip() -> GeoIP | None:
    """Return this process's GeoIP reader (opened once), or None when GeoIP is off."""
    return GeoIP.open(current_app.config["GEOIP_DATABASE"])


def init_app(app) -> None:
    """Open the GeoIP reader and build the lookup tables now, not on a visitor's first request."""
    path = app.config["GEOIP_DATABASE"]
    try:
        GeoIP.open(path)
    except (OSError, ValueError) as exc:
        # A bad path must stop the start with a clear word, not fail every webhook later.
        raise SystemExit(f"PROOFHOOK_GEOIP_DATABASE={path!r} can't be used: {exc}") from None
    preload()
