"""The admin JSON API: notifications and their events, behind the admin token."""
from flask import Blueprint, abort, request
from marshmallow import ValidationError

from . import store
from .auth import api_auth_required, csrf
from .body import parse_body
from .links import absolute_url
from .present import event_json
from .schemas import notification_schema, notification_update_schema

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)  # api_auth_required asks for the CSRF token when a browser session is used instead.

MAX_EVENTS = 1000


def notification_json(notification: dict) -> dict:
    """Return the one notification object every API answer uses."""
    return {
        "id": notification["id"],
        "name": notification["name"],
        "type": notification["type"],
        "message": notification["message"],
        "webhook_url": absolute_url("hooks.receive", token=notification["webhook_token"]),
        "preview_url": absolute_url("admin.notification", notification_id=notification["id"]),
        "created_at": notification["created_at"],
        "event_count": notification["event_count"],
        "event_count_24h": notification["event_count_24h"],
        "last_event_at": notification["last_event_at"],
    }


def existing_notification(notification_id: int) -> dict:
    """Return the notification with this id, or answer 404."""
    notification = store.get_notification(notification_id)
    if notification is None:
        abort(404, f"There is no notification {notification_id}.")
    return notification


def query_limit(default: int = 50) -> int:
    """Return the `limit` query parameter, 1..MAX_EVENTS, or raise a 422 naming it."""
    raw = request.args.get("limit", str(default))
    # ASCII digits, few of them: "²".isdigit() is true but int("²") raises, and int() of 5000 digits too.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4) or not 1 <= int(raw) <= MAX_EVENTS:
        raise ValidationError({"limit": [f"Must be a whole number from 1 to {MAX_EVENTS}."]})
    return int(raw)


@bp.post("/notifications")
@api_auth_required
def create_notification():
    """Create a notification from `{"name","type","message"?}`."""
    data, _warnings = parse_body(request.get_data(), request.headers.get("Content-Type"))
    fields = notification_schema.load(data)
    return notification_json(store.create_notification(**fields)), 201


@bp.get("/notifications")
@api_auth_required
def list_notifications():
    """List every notification."""
    return {"notifications": [notification_json(n) for n in store.list_notifications()]}


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
    events = store.list_events(notification_id, limit=query_limit())
    return {"events": [event_json(event) for event in events]}


@bp.patch("/notifications/<int:notification_id>")
@api_auth_required
def update_notification(notification_id: int):
    """Change a notification's settings; fields not sent stay as they are."""
    existing_notification(notification_id)
    data, _warnings = parse_body(request.get_data(), request.headers.get("Content-Type"))
    changes = notification_update_schema.load(data)
    return notification_json(store.update_notification(notification_id, **changes))


@bp.delete("/notifications/<int:notification_id>")
@api_auth_required
def delete_notification(notification_id: int):
    """Delete a notification and all its events."""
    if not store.delete_notification(notification_id):
        abort(404, f"There is no notification {notification_id}.")
    return "", 204
