"""The public proof pages: how one popup's event arrived, and how a notification's popups are made.

Static HTML, no script, cacheable, under the admin pages' Content-Security-Policy; shown only when the owner
turned the Verified mark on. They show what the popups show and how events arrived, nothing private.
"""
import hashlib
from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, render_template, request

from ..storage import event_store, notification_store
from ..language import text_direction
from ..looks import look
from ..platforms import KINDS
from ..present import item_id, stream_popup
from ..showing import feed_window, place_guard, shown_events
from ..vocabulary import HOUR_MS, MINUTE_MS, now_ms

bp = Blueprint("proof", __name__)

# Browsers and proxies may keep a page this long: it changes when the popup's minute turns.
PROOF_MAX_AGE = 60
# A popup's proof is looked for among this many of the newest events its feed window holds.
LOOKUP_LIMIT = 1000
# Notifications whose {popup id: event id} index each process keeps (for this minute and feed version).
INDEX_CACHE_SIZE = 100
NO_PROOF = "This notification has no public proof pages (its owner has not turned on the Verified mark)."
NOT_SHOWN = "No popup of this notification shows this id now; a popup's proof goes when the popup does."
# Signature headers (as recorded, lower case) as their senders write them.
SCHEME_NAMES = {
    "x-shopify-hmac-sha256": "Shopify's X-Shopify-Hmac-Sha256",
    "x-wc-webhook-signature": "WooCommerce's X-WC-Webhook-Signature",
    "stripe-signature": "Stripe-Signature",
    "webhook-signature": "Standard Webhooks",
    "svix-signature": "Standard Webhooks (Svix)",
    "x-proofhook-signature": "X-Proofhook-Signature",
    "paddle-signature": "Paddle-Signature",
    "calendly-webhook-signature": "Calendly-Webhook-Signature",
    "typeform-signature": "Typeform-Signature",
    "x-square-hmacsha256-signature": "Square's x-square-hmacsha256-signature",
    "x-signature": "Lemon Squeezy's X-Signature",
}
# How each way of arriving is told.
ARRIVALS = {
    "verified": "signature verified",
    "unsigned": "sent to the webhook without a signature",
    "imported": "imported from history",
    None: "stored before Proofhook recorded how events arrive",
}
PLACE_WORDS = {"city": "the city", "region": "the region", "country": "the country only", "none": "no place"}


def public_notification(key: str) -> dict:
    """Return the notification with this public key if its proof pages are public, else answer 404."""
    notification = notification_store.notification_by_public_key(key)
    if notification is None or not notification["show_verified"]:
        abort(404, NO_PROOF)
    return notification


def page_clock() -> int:
    """Return the moment a page is computed for: now, rounded down to the minute (as the feed is)."""
    return now_ms() // MINUTE_MS * MINUTE_MS


def describe_event(event: dict) -> str:
    """Return what an event was and how it arrived: "a paid Shopify order, signature verified (…)"."""
    kind = KINDS.get((event.get("sources") or {}).get("mapping"), KINDS["generic"])
    arrival = event.get("arrival")
    told = ARRIVALS.get(arrival, ARRIVALS[None])
    if arrival == "verified":
        scheme = event.get("signatureScheme")
        told += f" ({SCHEME_NAMES.get(scheme, scheme)})"
    return f"{kind}, {told}"


def received_text(event: dict, notification: dict) -> str:
    """Return when an event was received: to the minute, or to the hour when time blur is on."""
    step = HOUR_MS if notification["time_blur_minutes"] else MINUTE_MS
    moment = datetime.fromtimestamp(event["receivedAt"] // step * step / 1000, timezone.utc)
    if step == HOUR_MS:
        return moment.strftime("%d %B %Y, in the hour from %H:%M UTC")
    return moment.strftime("%d %B %Y, %H:%M UTC")


def public_page(template: str, **context):
    """Render a public page with the headers that let anyone cache it (ETag, Cache-Control)."""
    body = render_template(template, **context)
    response = current_app.response_class(body, mimetype="text/html")
    response.headers["Cache-Control"] = f"public, max-age={PROOF_MAX_AGE}"
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    return response.make_conditional(request)


def popup_index(notification: dict, now: int) -> dict[str, int]:
    """Return {popup id: event id} of the events a proof is shown for now, built once per feed version and minute."""
    # Popup ids are HMACs: finding one means computing them all. Every change to what the feed shows bumps
    # feed_version, so an index kept under it (and the minute) can't be stale, and unknown ids cost one lookup.
    cache = current_app.extensions["proofhook_proof_index"]
    name = (notification["id"], notification["public_key"], notification["feed_version"], now)
    if name not in cache:
        if len(cache) >= INDEX_CACHE_SIZE:
            cache.clear()
        events = shown_events(notification, None, now, limit=LOOKUP_LIMIT) if notification["type"] == "stream" else []
        cache[name] = {item_id("event", event["id"]): event["id"] for event in events}
    return cache[name]


@bp.get("/proof/<key>/<item>")
def popup(key: str, item: str):
    """Show one popup's proof: what kind of event it was, when it arrived, and what the popup shows."""
    notification = public_notification(key)
    now = page_clock()
    event_id = popup_index(notification, now).get(item)
    event = event_store.get_event(notification["id"], event_id) if event_id is not None else None
    if event is None:
        abort(404, NOT_SHOWN)
    shown = stream_popup(place_guard(notification, now)(event), notification, now)
    return public_page(
        "proof.html", notification=notification, popup=shown, look=look(notification),
        direction=text_direction(notification["language"]), kind=describe_event(event),
        received=received_text(event, notification),
    )


@bp.get("/proof/<key>")
def how(key: str):
    """Show how a notification's popups are made: the events its window holds by arrival, and the owner's rules."""
    notification = public_notification(key)
    now = page_clock()
    if notification["type"] == "stream":
        since, until = feed_window(notification, now)
    else:
        since, until = now - notification["conversion_window_hours"] * HOUR_MS, None
    counts = event_store.count_window_arrivals(notification["id"], since, until)
    if notification["type"] == "conversion" and sum(counts.values()) < notification["conversion_min_count"]:
        counts = None  # the owner shows no count below the minimum, so neither does this page
    return public_page(
        "how.html", notification=notification, counts=counts, arrivals=ARRIVALS,
        place=PLACE_WORDS[notification["place_precision"]],
    )


def init_app(app) -> None:
    """Register the proof pages and this process's popup indexes."""
    app.register_blueprint(bp)
    app.extensions["proofhook_proof_index"] = {}
