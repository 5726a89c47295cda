"""The answers /openapi.json describes: documentation only; the views build these dicts themselves."""
from marshmallow import INCLUDE, Schema, fields, validate

from ...looks import CORNER_CHOICES, PICTURE_CHOICES, SIZE_CHOICES, THEME_CHOICES
from ...showing import PLACE_LEVELS
from ...vocabulary import EVENT_FIELDS
from ...rules import AFTER_LAST_CHOICES, DEVICE_CHOICES, ORDER_CHOICES, WEEKDAYS


class ErrorSchema(Schema):
    """The one error shape every API and webhook error has."""

    code = fields.Integer(required=True, metadata={"description": "the HTTP status code"})
    status = fields.String(required=True, metadata={"description": "its reason phrase, e.g. Unprocessable Entity"})
    message = fields.String(required=True)
    errors = fields.Dict(metadata={"description": "per-field messages, nested like the request (422 only)"})


# The marshmallow field that documents each kind of value in the vocabulary.
KIND_FIELDS = {"ms": fields.Integer, "amount": fields.Float, "list": lambda **kw: fields.List(fields.Dict(), **kw),
               "object": fields.Dict}


def documented(name: str, field) -> fields.Field:
    """Return the documentation field of one event field of the vocabulary."""
    kind = KIND_FIELDS.get(field.kind, fields.String)
    if name == "timestamp":
        return kind(required=True, metadata={"description": field.what})
    return kind(allow_none=True, metadata={"description": field.what})


class EventSchema(Schema.from_dict({name: documented(name, field) for name, field in EVENT_FIELDS.items()})):
    """A stored (or, with dry_run, a validated) event as its owner sees it."""

    class Meta:
        unknown = INCLUDE  # Enrichment may add keys; the documented ones are stable.

    id = fields.Integer()
    notificationId = fields.Integer()
    receivedAt = fields.Integer(metadata={"description": "UTC ms"})
    displayName = fields.String(required=True, metadata={"example": "John S."})


class WebhookAnswerSchema(Schema):
    """What the webhook answers when it accepts a call."""

    status = fields.String(
        required=True, validate=validate.OneOf(["created", "duplicate", "valid", "ignored", "cancelled"])
    )
    event = fields.Nested(EventSchema)
    preview_url = fields.String()
    warnings = fields.List(fields.String(), required=True)
    reason = fields.String(metadata={"description": "why a platform call was ignored (status ignored)"})
    cancelled = fields.Boolean(metadata={"description": "whether a shown event was hidden (status cancelled)"})


class NotificationObjectSchema(Schema):
    """The notification object every admin API answer uses."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(["stream", "conversion"]))
    message = fields.String(required=True)
    webhook_url = fields.String(required=True)
    preview_url = fields.String(required=True)
    created_at = fields.Integer(required=True)
    event_count = fields.Integer(required=True)
    event_count_24h = fields.Integer(required=True)
    last_event_at = fields.Integer(required=True, allow_none=True)
    signed = fields.Boolean(required=True, metadata={"description": "whether calls must be signed"})
    signing_scheme = fields.String(allow_none=True, required=True, metadata={
        "description": "the signature header this notification takes, set by its first valid signed call"})
    template = fields.String(required=True, allow_none=True)
    public_key = fields.String(required=True, metadata={"description": "the feed's key; safe to publish"})
    feed_url = fields.String(required=True)
    feed_days = fields.Integer(required=True)
    feed_max_items = fields.Integer(required=True)
    feed_hide_anonymous = fields.Boolean(required=True)
    feed_hide_placeless = fields.Boolean(required=True)
    conversion_window_hours = fields.Integer(required=True)
    conversion_min_count = fields.Integer(required=True)
    show_verified = fields.Boolean(required=True, metadata={"description": "popups carry a mark linking to proof"})
    place_precision = fields.String(required=True, validate=validate.OneOf(list(PLACE_LEVELS)))
    min_place_events = fields.Integer(required=True, metadata={"description": "the small-place guard's k"})
    time_blur_minutes = fields.Integer(required=True, metadata={"description": "0: off"})
    retention_days = fields.Integer(required=True, allow_none=True, metadata={"description": "null: kept"})
    language = fields.String(required=True, metadata={"description": "BCP 47 tag of the popups' language"})
    theme = fields.String(required=True, validate=validate.OneOf(THEME_CHOICES))
    accent = fields.String(required=True, metadata={"description": "#rrggbb; made readable in each theme"})
    corners = fields.String(required=True, validate=validate.OneOf(CORNER_CHOICES))
    size = fields.String(required=True, validate=validate.OneOf(SIZE_CHOICES))
    picture = fields.String(required=True, validate=validate.OneOf(PICTURE_CHOICES))
    pages_include = fields.List(fields.String(), required=True, metadata={"description": "[] is every page"})
    pages_exclude = fields.List(fields.String(), required=True, metadata={"description": "exclude wins"})
    devices = fields.String(required=True, validate=validate.OneOf(DEVICE_CHOICES))
    time_zone = fields.String(required=True, metadata={"description": "IANA name the schedule is read in"})
    schedule_start = fields.String(required=True, allow_none=True, metadata={"description": "YYYY-MM-DD"})
    schedule_end = fields.String(required=True, allow_none=True, metadata={"description": "YYYY-MM-DD, inclusive"})
    schedule_days = fields.List(fields.String(validate=validate.OneOf(WEEKDAYS)), required=True)
    schedule_from = fields.String(required=True, allow_none=True, metadata={"description": "HH:MM; null: all day"})
    schedule_until = fields.String(required=True, allow_none=True, metadata={"description": "HH:MM, exclusive"})
    max_per_view = fields.Integer(required=True, metadata={"description": "0: all"})
    repeat_hours = fields.Integer(required=True, metadata={"description": "0: a popup may show on every view"})
    after_last = fields.String(required=True, validate=validate.OneOf(AFTER_LAST_CHOICES))
    popup_order = fields.String(required=True, validate=validate.OneOf(ORDER_CHOICES))
    close_days = fields.Integer(required=True, metadata={"description": "0: closing lasts the visit"})
    priority = fields.Integer(required=True, metadata={"description": "higher shows first on a shared page"})
    goals = fields.List(fields.String(), required=True, metadata={"description": "\"<page pattern> <name>\" each"})
    attribution_days = fields.Integer(required=True, metadata={"description": "window for after seen/clicked"})
    holdout_percent = fields.Integer(required=True, metadata={"description": "0: no holdout; at most 50"})


class ShownProductSchema(Schema):
    """The product a popup shows: only http(s) links and images."""

    name = fields.String(allow_none=True)
    link = fields.String(allow_none=True)
    image = fields.String(allow_none=True)


class ProofMarkSchema(Schema):
    """How a popup's event arrived, for its mark."""

    kind = fields.String(allow_none=True, validate=validate.OneOf(["verified", "unsigned", "imported"]))
    label = fields.String()


class PopupSchema(Schema):
    """One popup of the public feed: a stream event or the conversion count, nothing admin-only."""

    type = fields.String(required=True, validate=validate.OneOf(["stream", "conversion"]))
    name = fields.String(metadata={"description": "first name + last initial, or Someone"})
    initials = fields.String()
    place = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    state = fields.String(allow_none=True)
    stateCode = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    countryCode = fields.String(allow_none=True)
    message = fields.String()
    who = fields.String(metadata={"description": "first line, in the feed's language, with {name} and {place} slots"})
    what = fields.String(metadata={"description": "second line, with {product} and {message} slots"})
    text = fields.String(allow_none=True, metadata={"description": "the filled-in template, when there is one"})
    product = fields.Nested(ShownProductSchema)
    timestamp = fields.Integer()
    timeAgo = fields.String()
    count = fields.Integer()
    windowHours = fields.Integer()
    proof = fields.Nested(
        ProofMarkSchema, metadata={"description": "with the Verified mark on: links to /proof/<public key>/<id>"}
    )


class FeedSchema(Schema):
    """GET /feed/<public key>.json."""

    type = fields.String(required=True, validate=validate.OneOf(["stream", "conversion"]))
    now = fields.Integer(required=True, metadata={"description": "the moment 'time ago' is counted from"})
    lang = fields.String(required=True, metadata={"description": "BCP 47 tag of the language the feed is in"})
    dir = fields.String(required=True, validate=validate.OneOf(["ltr", "rtl"]))
    look = fields.Dict(required=True, metadata={"description": "theme, corners, size, picture, each theme's colours"})
    rules = fields.Dict(required=True, metadata={
        "description": "where, when and how often (README, 'Where and how often'): include and exclude as regular"
                       " expressions over the page's path and query, devices, schedule (null: any time), maxPerView,"
                       " repeatHours, afterLast, order, closeDays, priority, goals ({name, page}: page a"
                       " regular expression), attributionDays, holdout (percent)"})
    labels = fields.Dict(required=True, metadata={"description": "the widget's own words: close, region"})
    items = fields.List(fields.Nested(PopupSchema), required=True)


class DayStatsSchema(Schema):
    """One UTC day (or the totals) of a notification's insight."""

    date = fields.String(metadata={"description": "YYYY-MM-DD, UTC (absent in the totals)"})
    impressions = fields.Integer(required=True)
    clicks = fields.Integer(required=True)
    ctr = fields.Float(required=True, allow_none=True, metadata={"description": "clicks / impressions; null without"})
    events_received = fields.Integer(required=True)


class StatsSchema(Schema):
    """GET /api/notifications/<id>/stats."""

    notification_id = fields.Integer(required=True)
    days = fields.Integer(required=True)
    from_ = fields.String(required=True, data_key="from")
    to = fields.String(required=True)
    daily = fields.List(fields.Nested(DayStatsSchema), required=True)
    totals = fields.Nested(DayStatsSchema, required=True)


class LiftSchema(Schema):
    """One goal's conversion rates per group and the lift (shown minus holdout) with its 95 % interval."""

    shown_rate = fields.Float(required=True, allow_none=True)
    holdout_rate = fields.Float(required=True, allow_none=True)
    difference = fields.Float(required=True, allow_none=True, metadata={"description": "null: not enough data"})
    low = fields.Float(required=True, allow_none=True)
    high = fields.Float(required=True, allow_none=True)
    enough_data = fields.Boolean(required=True)


class GoalSchema(Schema):
    """One goal of GET /api/notifications/<id>/goals."""

    name = fields.String(required=True)
    groups = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer()),
                         required=True, metadata={"description": "per group: goal, seen, clicked"})
    lift = fields.Nested(LiftSchema, required=True)


class GoalStatsSchema(Schema):
    """GET /api/notifications/<id>/goals."""

    notification_id = fields.Integer(required=True)
    days = fields.Integer(required=True)
    from_ = fields.String(required=True, data_key="from")
    to = fields.String(required=True)
    holdout_percent = fields.Integer(required=True)
    attribution_days = fields.Integer(required=True)
    visits = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    goals = fields.List(fields.Nested(GoalSchema), required=True)
    min_visits = fields.Integer(required=True, metadata={"description": "per group, before a lift is shown"})
    method = fields.String(required=True)


class NotificationListSchema(Schema):
    """GET /api/notifications."""

    notifications = fields.List(fields.Nested(NotificationObjectSchema), required=True)


class EventListSchema(Schema):
    """GET /api/notifications/<id>/events."""

    events = fields.List(fields.Nested(EventSchema), required=True)
