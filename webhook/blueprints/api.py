"""The admin JSON API: notifications and their events, behind the admin token."""
from flask import Blueprint, Response, abort, request, stream_with_context
from marshmallow import ValidationError

from .. import goals, history, insight
from ..storage import event_store, notification_store
from ..auth import api_auth_required, csrf
from ..body import parse_body
from .hooks import TRUE_WORDS
from ..links import absolute_url
from ..present import event_json
from ..rules import days, patterns
from ..schemas import check_schedule, notification_schema, notification_update_schema

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
        "template": notification["template"],
        "webhook_url": absolute_url("hooks.receive", token=notification["webhook_token"]),
        "preview_url": absolute_url("admin.notification", notification_id=notification["id"]),
        "created_at": notification["created_at"],
        "event_count": notification["event_count"],
        "event_count_24h": notification["event_count_24h"],
        "last_event_at": notification["last_event_at"],
        # The secret itself is never echoed back; whether calls must be signed is.
        "signed": bool(notification.get("signing_secret")),
        "signing_scheme": notification.get("signing_scheme"),
        "public_key": notification["public_key"],
        "feed_url": absolute_url("feed.show_feed", key=notification["public_key"]),
        **feed_options(notification),
        **{name: notification[name] for name in notification_store.PRIVACY_OPTIONS},
        "show_verified": bool(notification["show_verified"]),
        **{name: notification[name] for name in notification_store.LOOK_OPTIONS},
        **{name: notification[name] for name in notification_store.DISPLAY_OPTIONS},
        "pages_include": patterns(notification["pages_include"]),
        "pages_exclude": patterns(notification["pages_exclude"]),
        "schedule_days": days(notification["schedule_days"]),
        "goals": patterns(notification["goals"]),
        "attribution_days": notification["attribution_days"],
        "holdout_percent": notification["holdout_percent"],
    }


def validated_changes(notification: dict, data) -> dict:
    """Return the settings changes `data` asks for, checked alone and, for the schedule, with what stays."""
    changes = notification_update_schema.load(data)
    check_schedule({**notification, **changes})
    return changes


def feed_options(notification: dict) -> dict:
    """Return the feed's options as the API shows them: flags as true/false, the rest as numbers."""
    return {
        name: bool(notification[name]) if name.startswith("feed_hide_") else notification[name]
        for name in notification_store.FEED_OPTIONS
    }


def no_such_notification(notification_id: int):
    """Answer 404 for a notification id that doesn't exist (the pages use it too)."""
    abort(404, f"There is no notification {notification_id}.")


def existing_notification(notification_id: int) -> dict:
    """Return the notification with this id, or answer 404."""
    notification = notification_store.get_notification(notification_id)
    if notification is None:
        no_such_notification(notification_id)
    return notification


def query_limit(default: int = 50) -> int:
    """Return the `limit` query parameter, 1..MAX_EVENTS, or raise a 422 naming it."""
    return query_number("limit", default, MAX_EVENTS)


def query_number(name: str, default: int, highest: int) -> int:
    """Return a whole-number query parameter, 1..highest, or raise a 422 naming it."""
    raw = request.args.get(name, str(default))
    # ASCII digits, few of them: "²".isdigit() is true but int("²") raises, and int() of 5000 digits too.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6) or not 1 <= int(raw) <= highest:
        raise ValidationError({name: [f"Must be a whole number from 1 to {highest}."]})
    return int(raw)


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
    raw = request.args.get("raw", "").lower() in TRUE_WORDS
    lines = history.csv_lines(history.export_records(notification_id, raw), raw)
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
