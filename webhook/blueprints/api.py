"""The admin JSON API: notifications and their events, behind the admin token."""
from flask import Blueprint, Response, request, stream_with_context
from marshmallow import ValidationError

from .. import goals, history, insight
from ..storage import event_store, notification_store
from ..auth import api_auth_required, check_csrf
from ..body import parse_body
from ..present import event_json
from ..schemas.settings import notification_schema
from ..web import TRUE_WORDS, existing_notification, no_such_notification, notification_json, validated_changes

bp = Blueprint("api", __name__, url_prefix="/api")
# Calls signed in by the admin's browser session are cookie-authenticated writes (auth.py, "CSRF has one path").
bp.before_request(check_csrf)

MAX_EVENTS = 1000


def query_limit(default: int = 50) -> int:
    """Return the `limit` query parameter, 1..MAX_EVENTS, or raise a 422 naming it."""
    return query_number("limit", default, MAX_EVENTS)


def query_number(name: str, default: int, highest: int) -> int:
    """Return a whole-number query parameter, 1..highest, or raise a 422 naming it."""
    given = request.args.get(name, str(default))
    # ASCII digits, few of them: "²".isdigit() is true but int("²") raises, and int() of 5000 digits too.
    if not (given.isascii() and given.isdigit() and len(given) <= 6) or not 1 <= int(given) <= highest:
        raise ValidationError({name: [f"Must be a whole number from 1 to {highest}."]})
    return int(given)


@bp.post("/notifications")
@api_auth_required
def create_notification():
    """Create a notification from `{"name","type","message"?,"template"?}`."""
    data, _warnings = parse_body(request.get_data(), request.headers.get("Content-Type"))
    fields = notification_schema.load(data)
    return notification_json(notification_store.create_notification(**fields)), 201


@bp.get("/notifications")
@api_auth_required
def list_notifications():
    """List every notification."""
    return {"notifications": [notification_json(n) for n in notification_store.list_notifications()]}


@bp.get("/notifications/<int:notification_id>")
@api_auth_required
def get_notification(notification_id: int):
    """Show one notification."""
    return notification_json(existing_notification(notification_id))


@bp.get("/notifications/<int:notification_id>/events")
@api_auth_required
def list_events(notification_id: int):
    """List a notification's events, newest first."""
    existing_notification(notification_id)
    events = event_store.list_events(notification_id, limit=query_limit())
    return {"events": [event_json(event) for event in events]}


@bp.get("/notifications/<int:notification_id>/events.csv")
@api_auth_required
def export_events(notification_id: int):
    """Stream all of a notification's events as CSV, oldest first; `?raw=1` adds the received payloads."""
    existing_notification(notification_id)
    with_payload = request.args.get("raw", "").lower() in TRUE_WORDS
    lines = history.csv_lines(history.export_records(notification_id, with_payload), with_payload)
    filename = f"proofhook-notification-{notification_id}-events.csv"
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.get("/notifications/<int:notification_id>/stats")
@api_auth_required
def notification_stats(notification_id: int):
    """Show impressions, clicks, click-through rate and events received per UTC day of the last `days` (30)."""
    existing_notification(notification_id)
    return insight.stats(notification_id, query_number("days", insight.DEFAULT_DAYS, insight.MAX_DAYS))


@bp.get("/notifications/<int:notification_id>/goals")
@api_auth_required
def notification_goals(notification_id: int):
    """Show visits and goals per group of the last `days` (30), and each goal's lift with its 95 % interval."""
    found = existing_notification(notification_id)
    return goals.goal_stats(found, query_number("days", insight.DEFAULT_DAYS, insight.MAX_DAYS))


@bp.patch("/notifications/<int:notification_id>")
@api_auth_required
def update_notification(notification_id: int):
    """Change a notification's settings; fields not sent stay as they are."""
    found = existing_notification(notification_id)
    data, _warnings = parse_body(request.get_data(), request.headers.get("Content-Type"))
    changes = validated_changes(found, data)
    return notification_json(notification_store.update_notification(notification_id, **changes))


@bp.post("/notifications/<int:notification_id>/rotate-webhook-token")
@api_auth_required
def rotate_webhook_token(notification_id: int):
    """Give a notification a new webhook URL; the old one answers 404 from now on."""
    rotated = notification_store.rotate_secret(notification_id, "webhook_token")
    if rotated is None:
        no_such_notification(notification_id)
    return notification_json(rotated)


@bp.delete("/notifications/<int:notification_id>")
@api_auth_required
def delete_notification(notification_id: int):
    """Delete a notification and all its events."""
    if not notification_store.delete_notification(notification_id):
        no_such_notification(notification_id)
    return "", 204
