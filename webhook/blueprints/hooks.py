"""The webhook blueprint: POST /webhooks/<token> turns a request into a stored event."""
import time

from flask import Blueprint, Request, abort, current_app, request

from .. import intake, limits
from ..storage import event_store, notification_store
from ..auth import csrf
from ..links import absolute_url
from ..present import event_json
from ..signatures import SignatureError, verify
from ..vocabulary import now_ms
from ..web import TRUE_WORDS

bp = Blueprint("hooks", __name__)
csrf.exempt(bp)  # Senders are programs that prove themselves by the secret URL (and signatures), not cookies.

# What the answer to a repeat tells of the stored event.
DUPLICATE_SHOWS = ("id", "timestamp", "displayName")


@bp.route("/webhooks/<token>", methods=["POST"], provide_automatic_options=False)
def receive(token: str):
    """Validate, enrich and store one event; answer only after it is committed."""
    sent = request._get_current_object()  # bound once: each use of the `request` proxy is a context lookup
    notification = notification_store.notification_by_token(token)
    if notification is None:
        abort(404, "No notification has this webhook URL; check the token in it.")
    check_rate(notification["id"])
    body = read_body(sent)
    scheme = None
    if notification["signing_secret"]:
        scheme = check_signature(body, notification, absolute_url("hooks.receive", token=token))
    headers = sent.headers
    data, warnings = intake.read_body(body, headers.get("Content-Type"))
    outcome = intake.build_event(notification, data, headers, intake.geoip(), signed=scheme is not None)
    warnings += outcome.warnings
    if outcome.ignored:
        return {"status": "ignored", "reason": outcome.ignored, "warnings": warnings}, 200
    if outcome.duplicate is not None:
        return duplicate(outcome.duplicate, warnings)
    # Without a query string there is no dry_run to find: the args need not be parsed.
    dry_run = bool(sent.environ.get("QUERY_STRING")) and sent.args.get("dry_run", "").lower() in TRUE_WORDS
    if outcome.cancels and dry_run:
        # A dry run changes nothing, cancellations included.
        return {"status": "valid", "cancels": outcome.cancels, "warnings": warnings}, 200
    if outcome.cancels:
        hidden = event_store.hide_event(notification["id"], outcome.cancels)
        return {"status": "cancelled", "cancelled": hidden, "warnings": warnings}, 200
    # How it arrived is part of the event, so its proof page can say so (README, "Proof and privacy").
    outcome.event.update(arrival="verified" if scheme else "unsigned", signatureScheme=scheme)
    if dry_run:
        return {"status": "valid", "event": event_json(outcome.event), "warnings": warnings}, 200
    event, created = event_store.insert_event(notification["id"], outcome.event, data, outcome.dedup_key)
    if not created:
        return duplicate(event, warnings)
    preview = absolute_url("admin.notification", notification_id=notification["id"])
    return {"status": "created", "event": event_json(event), "preview_url": preview, "warnings": warnings}, 201


def read_body(sent: Request) -> bytes:
    """Return the body as received; a chunked one longer than the limit is a 413, like one whose Content-Length is."""
    body = sent.get_data()
    if sent.content_length is None:
        limit = current_app.config["MAX_BODY_BYTES"]
        # werkzeug stops reading a chunked body at the limit without a word: is there more behind it?
        if len(body) >= limit and sent.environ["wsgi.input"].read(1):
            abort(413, f"The body is larger than {limit} bytes; nothing was stored.")
    return body


def duplicate(event: dict, warnings: list[str]):
    """Answer a repeat with what a popup shows of the stored event: its caller need not be its sender."""
    # A repeat is known by its key before the body is validated, so an empty body with a guessed order id
    # would otherwise be answered with that buyer's email, full name and IP.
    shown = event_json(event)
    return {"status": "duplicate", "event": {key: shown[key] for key in DUPLICATE_SHOWS}, "warnings": warnings}, 200


def check_rate(notification_id: int) -> None:
    """Answer 429 with Retry-After when a notification's calls this minute are over the limit."""
    # Every call counts, unsigned and invalid ones too: a flood of junk is abuse as much as a flood of events.
    settings = current_app.config
    wait = limits.webhook_retry_after(notification_id, settings["RATE_LIMIT"], now_ms(),
                                      settings["RATE_LIMIT_WINDOW_SECONDS"] * 1000)
    if wait is not None:
        abort(429, f"Too many calls to this webhook; nothing was stored. Retry in {wait} seconds.", retry_after=wait)


def check_signature(body: bytes, notification: dict, url: str) -> str:
    """Answer 401 unless the raw body (with `url`, the webhook URL, for Square) is signed with the notification's
    secret and scheme; return the scheme."""
    bound = notification["signing_scheme"]
    try:
        scheme = verify(request.headers, body, notification["signing_secret"], time.time(), bound, url)
    except SignatureError as exc:
        abort(401, str(exc))
    if bound is None:
        # The first valid call chooses the scheme for good: a signature made for another can't be replayed here.
        notification_store.bind_signing_scheme(notification["id"], scheme)
    return scheme
