"""What the blueprints share: a notification's JSON shape, its settings changes, "404 if missing", true-words."""
from flask import abort

from .storage import notification_store
from .links import absolute_url
from .rules import days, patterns
from .schemas.settings import check_schedule, notification_update_schema

# Query-string words that mean yes (`?dry_run=1`, `?raw=true`).
TRUE_WORDS = ("1", "true", "yes", "on")


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
