"""GET /openapi.json: the webhook, the admin API and the pages, described from the marshmallow schemas."""
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app

from . import answers
from ...schemas import events, fields, settings
from ...storage import notification_store
from ...language import SUPPORTED as LANGUAGES
from ...looks import CORNER_CHOICES, PICTURE_CHOICES, SIZE_CHOICES, THEME_CHOICES

bp = Blueprint("openapi", __name__)

ERROR = {"$ref": "#/components/responses/Error"}
ADMIN = [{"bearer": []}, {"session": []}]
PAGE_SESSION = [{"session": []}]
NOTIFICATION_ID = {"name": "notification_id", "in": "path", "required": True, "schema": {"type": "integer"}}
PAGE_FORM = {"csrf_token": {"type": "string", "description": "from the page's form"}}


def json_content(schema) -> dict:
    """Return an OpenAPI `content` of one JSON schema."""
    return {"content": {"application/json": {"schema": schema}}}


def answer(description: str, schema=None) -> dict:
    """Return a response object, with a JSON body when a schema is given."""
    return {"description": description, **(json_content(schema) if schema is not None else {})}


def errors(*codes: int) -> dict:
    """Return the error responses an operation documents, each in the one error shape."""
    return {str(code): ERROR for code in codes} | {"default": ERROR}


def page(summary: str, form: dict | None = None, params: tuple = (), public: bool = False) -> dict:
    """Describe an HTML page or form post of the admin side."""
    operation = {
        "tags": ["pages"],
        "summary": summary,
        "parameters": list(params),
        "responses": {
            "200": {"description": "the page", "content": {"text/html": {"schema": {"type": "string"}}}},
            "302": {"description": "a redirect (to the login page without a session)"},
            "default": {
                "description": "an error page (JSON when the client asks for it)",
                "content": {"text/html": {"schema": {"type": "string"}},
                            "application/json": {"schema": "Error"}},
            },
        },
    }
    if form is not None:
        properties = PAGE_FORM | form
        operation["requestBody"] = {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": properties}}},
        }
    if not public:
        operation["security"] = PAGE_SESSION
    return operation


def rotatable_names() -> list[str]:
    """Return the secrets the page can rotate, as they appear in its URLs."""
    return [column.replace("_", "-") for column in notification_store.ROTATABLE]


def webhook_operation() -> dict:
    """Describe POST /webhooks/{token}."""
    return {
        "tags": ["webhook"],
        "summary": "Send one event",
        "description": (
            "Takes JSON (also `application/*+json`), urlencoded and multipart forms (bracket keys build structure)."
            " Stream notifications need `email`; conversions take any body. Shopify, WooCommerce, Stripe and"
            " Gumroad payloads are recognised. A notification with a signing secret needs one of"
            " X-Proofhook-Signature, X-Shopify-Hmac-Sha256, X-WC-Webhook-Signature, Stripe-Signature or Standard"
            " Webhooks' webhook-id/-timestamp/-signature (see the README)."
        ),
        "security": [],
        "parameters": [
            {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "dry_run", "in": "query", "schema": {"type": "string"},
             "description": "1/true/yes/on: validate and enrich, store nothing"},
            {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"},
             "description": "a retry with the same key is stored once"},
            {"name": "X-Proofhook-Signature", "in": "header", "schema": {"type": "string"},
             "description": "sha256=<hex HMAC-SHA256 of the raw body with the signing secret>"},
        ],
        "requestBody": {"required": False, **json_content(events.StreamEventSchema)},
        "responses": {
            "201": answer("stored", answers.WebhookAnswerSchema),
            "200": answer("a duplicate, a dry run, or a platform call that was ignored or cancels an event",
                          answers.WebhookAnswerSchema),
            **errors(400, 401, 404, 413, 415, 422, 429, 503),
        },
    }


def api_paths() -> dict:
    """Describe the admin JSON API."""
    notification = answer("the notification", answers.NotificationObjectSchema)
    one = {"parameters": [NOTIFICATION_ID]}  # Path-level: spec.path() takes them apart from the operations.
    return {
        "/api/notifications": {
            "get": {"tags": ["api"], "summary": "List notifications", "security": ADMIN,
                    "responses": {"200": answer("every notification", answers.NotificationListSchema),
                                  **errors(401)}},
            "post": {"tags": ["api"], "summary": "Create a notification", "security": ADMIN,
                     "requestBody": {"required": True, **json_content(settings.NotificationSchema)},
                     "responses": {"201": notification, **errors(400, 401, 415, 422)}},
        },
        "/api/notifications/{notification_id}": {
            **one,
            "get": {"tags": ["api"], "summary": "Show a notification", "security": ADMIN,
                    "responses": {"200": notification, **errors(401, 404)}},
            "patch": {"tags": ["api"], "summary": "Change a notification's settings", "security": ADMIN,
                      "description": "Fields not sent stay as they are; `signing_secret` \"\" or null removes it.",
                      "requestBody": {"required": True, **json_content(settings.notification_update_schema)},
                      "responses": {"200": notification, **errors(400, 401, 404, 415, 422)}},
            "delete": {"tags": ["api"], "summary": "Delete a notification and its events", "security": ADMIN,
                       "responses": {"204": answer("deleted"), **errors(401, 404)}},
        },
        "/api/notifications/{notification_id}/events": {
            **one,
            "get": {"tags": ["api"], "summary": "List a notification's events, newest first", "security": ADMIN,
                    "parameters": [{"name": "limit", "in": "query",
                                    "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}}],
                    "responses": {"200": answer("the events", answers.EventListSchema), **errors(401, 404, 422)}},
        },
        "/api/notifications/{notification_id}/events.csv": {
            **one,
            "get": {"tags": ["api"], "summary": "Export a notification's events as CSV, oldest first",
                    "security": ADMIN,
                    "parameters": [{"name": "raw", "in": "query", "schema": {"type": "string"},
                                    "description": "1: add the payloads as received"}],
                    "responses": {"200": {"description": "the events",
                                          "content": {"text/csv": {"schema": {"type": "string"}}}},
                                  **errors(401, 404)}},
        },
        "/api/notifications/{notification_id}/stats": {
            **one,
            "get": {"tags": ["api"], "summary": "Impressions, clicks and events received per UTC day",
                    "security": ADMIN,
                    "parameters": [{"name": "days", "in": "query",
                                    "schema": {"type": "integer", "minimum": 1, "maximum": 365, "default": 30}}],
                    "responses": {"200": answer("the stats", answers.StatsSchema), **errors(401, 404, 422)}},
        },
        "/api/notifications/{notification_id}/goals": {
            **one,
            "get": {"tags": ["api"], "summary": "Visits and goals per group, and each goal's lift with its interval",
                    "security": ADMIN,
                    "parameters": [{"name": "days", "in": "query",
                                    "schema": {"type": "integer", "minimum": 1, "maximum": 365, "default": 30}}],
                    "responses": {"200": answer("the goals", answers.GoalStatsSchema), **errors(401, 404, 422)}},
        },
        "/api/notifications/{notification_id}/rotate-webhook-token": {
            **one,
            "post": {"tags": ["api"], "summary": "Give a notification a new webhook URL (the old one 404s)",
                     "security": ADMIN, "responses": {"200": notification, **errors(401, 404)}},
        },
    }


def feed_paths() -> dict:
    """Describe what sites' visitors read: the public feed and the widget."""
    key = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"},
           "description": "the notification's public key"}
    return {
        "/feed/{key}.json": {
            "get": {"tags": ["feed"], "summary": "The popups a visitor may see (CORS: any origin)", "security": [],
                    "parameters": [key, {"name": "guid", "in": "query", "schema": {"type": "string"}},
                                   {"name": "If-None-Match", "in": "header", "schema": {"type": "string"}}],
                    "responses": {"200": answer("the feed", answers.FeedSchema),
                                  "304": {"description": "unchanged since the ETag sent"},
                                  **errors(404)}},
        },
        "/feed/{key}/activity": {
            "post": {"tags": ["feed"], "summary": "The widget's impressions and clicks (sent with sendBeacon)",
                     "description": "Always 204, whatever the body: reports for unknown keys or ids, junk and"
                                    " bursts are dropped without a word, and nothing about the sender is kept.",
                     "security": [], "parameters": [key],
                     "requestBody": {"required": False, "content": {"text/plain": {"schema": {"type": "string"}}}},
                     "responses": {"204": {"description": "received (or quietly dropped)"}}},
        },
        "/feed/{key}/goals": {
            "post": {"tags": ["feed"], "summary": "The widget's visits and goals reached (sent with sendBeacon)",
                     "description": "Always 204, whatever the body. A report carries a group (shown or holdout)"
                                    " and (goal, kind) pairs only; it is counted on today's counters and nothing"
                                    " about the sender is kept.",
                     "security": [], "parameters": [key],
                     "requestBody": {"required": False, "content": {"text/plain": {"schema": {"type": "string"}}}},
                     "responses": {"204": {"description": "received (or quietly dropped)"}}},
        },
        "/proof/{key}": {"get": proof_page("How these popups are made: the window's events by arrival, the rules",
                                           key)},
        "/proof/{key}/{item}": {"get": proof_page(
            "One popup's proof: what it was, when it arrived, what it shows", key,
            {"name": "item", "in": "path", "required": True, "schema": {"type": "string"},
             "description": "the popup's id in the feed"},
        )},
        "/widget.js": {
            "get": {"tags": ["feed"], "summary": "The embeddable widget script", "security": [],
                    "responses": {"200": {"description": "the script",
                                          "content": {"text/javascript": {"schema": {"type": "string"}}}},
                                  "304": {"description": "unchanged since the ETag sent"}}},
        },
    }


def proof_page(summary: str, *params: dict) -> dict:
    """Describe a public proof page: static HTML, cacheable, there only with the Verified mark on."""
    html = {"text/html": {"schema": {"type": "string"}}}
    return {"tags": ["feed"], "summary": summary, "security": [], "parameters": list(params),
            "responses": {"200": {"description": "the page", "content": html},
                          "304": {"description": "unchanged since the ETag sent"},
                          "default": {"description": "an error page (JSON when the client asks for it)",
                                      "content": {**html, "application/json": {"schema": "Error"}}}}}


def look_params() -> list[dict]:
    """Describe the live preview's query parameters: the language and look settings."""
    choices = {"language": LANGUAGES, "theme": THEME_CHOICES, "corners": CORNER_CHOICES, "size": SIZE_CHOICES,
               "picture": PICTURE_CHOICES}
    params = [{"name": name, "in": "query", "schema": {"type": "string", "enum": list(values)}}
              for name, values in choices.items()]
    return [*params, {"name": "accent", "in": "query", "schema": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"}}]


def page_paths() -> dict:
    """Describe the owner's pages and forms."""
    notification_form = {"name": {"type": "string"}, "type": {"type": "string"}, "message": {"type": "string"}}
    which = {"name": "which", "in": "path", "required": True, "schema": {"type": "string", "enum": rotatable_names()}}
    return {
        "/": {"get": page("Go to the notification list", public=True)},
        "/login": {
            "get": page("The login form", public=True),
            "post": page("Log in with the admin token (429 after 10 failures a minute)",
                         form={"token": {"type": "string"}}, public=True),
        },
        "/logout": {"post": page("Log out", form={}, public=True)},
        "/notifications": {
            "get": page("The notification list"),
            "post": page("Create a notification", form=notification_form),
        },
        "/notifications/{notification_id}": {"get": page("A notification, its preview and settings",
                                                         params=(NOTIFICATION_ID,))},
        "/notifications/{notification_id}/preview": {"get": page(
            "The preview in a language and look not saved yet (an HTML fragment)",
            params=(NOTIFICATION_ID, *look_params()))},
        "/notifications/{notification_id}/settings": {
            "post": page("Save the settings", params=(NOTIFICATION_ID,),
                         form={**notification_form, "signing_secret": {"type": "string"},
                               "clear_signing_secret": {"type": "string"}}),
        },
        "/notifications/{notification_id}/rotate/{which}": {
            "post": page("Replace a secret with a fresh one", params=(NOTIFICATION_ID, which), form={}),
        },
        "/notifications/{notification_id}/import": {
            "post": {**page("Import history from a CSV or JSON-lines file", params=(NOTIFICATION_ID,)),
                     "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                         "type": "object",
                         "properties": PAGE_FORM | {"file": {"type": "string", "format": "binary"},
                                                    "dry_run": {"type": "string"}}}}}}},
        },
        "/notifications/{notification_id}/delete": {
            "post": page("Delete a notification and its events", params=(NOTIFICATION_ID,), form={}),
        },
    }


def build_spec() -> dict:
    """Return the OpenAPI 3.1 description of every route."""
    marshmallow_plugin = MarshmallowPlugin()
    spec = APISpec(
        title="Proofhook",
        version="1",
        openapi_version="3.1.0",
        plugins=[marshmallow_plugin],
        info={"description": "Social-proof notifications fed by webhooks. Times are UTC milliseconds."},
    )
    # Our own fields that take more than one JSON type.
    marshmallow_plugin.map_to_openapi_type(fields.Identifier, ["string", "integer"], None)
    marshmallow_plugin.map_to_openapi_type(fields.Timestamp, ["number", "string"], None)
    marshmallow_plugin.map_to_openapi_type(fields.Email, "string", "email")
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "description": "the admin token"})
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": "proofhook_session",
                                                "description": "the admin's browser session (writes need X-CSRFToken)"})
    spec.components.schema("Error", schema=answers.ErrorSchema)
    spec.components.response("Error", {"description": "an error, in the one error shape",
                                        **json_content("Error")})
    paths = {
        "/webhooks/{token}": {"post": webhook_operation()},
        **api_paths(),
        **feed_paths(),
        **page_paths(),
        "/openapi.json": {"get": {"tags": ["meta"], "summary": "This description", "security": [],
                                  "responses": {"200": {"description": "OpenAPI 3.1",
                                                        **json_content({"type": "object"})}}}},
    }
    for path, operations in paths.items():
        operations = dict(operations)
        spec.path(path=path, parameters=operations.pop("parameters", None), operations=operations)
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi_json():
    """Serve the OpenAPI description, built once per app."""
    if "openapi" not in current_app.extensions:
        current_app.extensions["openapi"] = build_spec()
    return current_app.extensions["openapi"]
