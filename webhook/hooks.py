"""The webhook blueprint: POST /webhooks/<token> turns a request into a stored event."""
from flask import Blueprint, abort, request

from . import intake, store
from .auth import csrf
from .links import absolute_url
from .body import parse_body
from .present import event_json

bp = Blueprint("hooks", __name__)
csrf.exempt(bp)  # Senders are programs that prove themselves by the secret URL (and signatures), not cookies.

TRUE_WORDS = ("1", "true", "yes", "on")


@bp.route("/webhooks/<token>", methods=["POST"], provide_automatic_options=False)
def receive(token: str):
    """Validate, enrich and store one event; answer only after it is committed."""
    notification = store.notification_by_token(token)
    if notification is None:
        abort(404, "No notification has this webhook URL; check the token in it.")
    data, warnings = parse_body(request.get_data(), request.headers.get("Content-Type"))
    outcome = intake.build_event(notification, data, request.headers, intake.geoip())
    warnings += outcome.warnings
    if outcome.ignored:
        return {"status": "ignored", "reason": outcome.ignored, "warnings": warnings}, 200
    dry_run = request.args.get("dry_run", "").lower() in TRUE_WORDS
    if outcome.cancels and dry_run:
        # A dry run changes nothing, cancellations included.
        return {"status": "valid", "cancels": outcome.cancels, "warnings": warnings}, 200
    if outcome.cancels:
        hidden = store.hide_event(notification["id"], outcome.cancels)
        return {"status": "cancelled", "cancelled": hidden, "warnings": warnings}, 200
    if dry_run:
        return {"status": "valid", "event": event_json(outcome.event), "warnings": warnings}, 200
    event, created = store.insert_event(notification["id"], outcome.event, data, outcome.dedup_key)
    if not created:
        return {"status": "duplicate", "event": event_json(event), "warnings": warnings}, 200
    preview = absolute_url("admin.notification", notification_id=notification["id"])
    return {"status": "created", "event": event_json(event), "preview_url": preview, "warnings": warnings}, 201
