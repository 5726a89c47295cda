"""The owner's pages: login, the notification list, one notification with its preview."""
import html
import json
import shlex
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from . import chart, insight, intake, store
from .api import notification_json
from .links import absolute_url
from .auth import has_session, log_in, log_out, page_auth_required, token_matches
from .present import popups, time_ago
from .schemas import notification_schema, notification_update_schema

bp = Blueprint("admin", __name__)

PREVIEW_EVENTS = 5
CURL_JSON_EXAMPLE = {
    "email": "john.smith@example.com",
    "city": "Miami",
    "state": "Florida",
    "countryCode": "US",
    "productName": "Sneakers",
    "productLink": "https://example.com/sneakers",
}
CURL_FORM_EXAMPLE = {
    "email": "jane.doe@example.com",
    "city": "London",
    "countryCode": "GB",
    "products[0][name]": "T-Shirt",
    "products[0][link]": "https://example.com/t-shirt",
    "products[0][price]": "25",
}


def safe_next(target: str | None) -> str:
    """Return a same-site path to go to after login (never another host)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("admin.notifications")


@bp.get("/")
def index():
    """Send visitors of the root to the notification list."""
    return redirect(url_for("admin.notifications"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; on a right token, start an admin session."""
    error = None
    if request.method == "POST":
        if token_matches(request.form.get("token", "")):
            log_in()
            return redirect(safe_next(request.args.get("next")))
        error = "That is not the admin token."
    elif has_session():
        return redirect(safe_next(request.args.get("next")))
    return render_template("login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    """End the admin session."""
    log_out()
    return redirect(url_for("admin.login"))


@bp.get("/notifications")
@page_auth_required
def notifications():
    """List the notifications, with a form to create one."""
    return render_notifications()


def render_notifications(form: dict | None = None, errors: dict | None = None):
    """Render the list page, keeping what was typed into the create form after an error."""
    rows = [notification_json(n) for n in store.list_notifications()]
    for row in rows:
        row["last_event_ago"] = time_ago(row["last_event_at"]) if row["last_event_at"] else None
    status = 422 if errors else 200
    return render_template("notifications.html", notifications=rows, form=form or {}, errors=errors or {}), status


def form_fields() -> dict:
    """Return the submitted form without its CSRF token."""
    return {key: value for key, value in request.form.items() if key != "csrf_token"}


@bp.post("/notifications")
@page_auth_required
def create_notification():
    """Create a notification from the form and open its page."""
    try:
        fields = notification_schema.load(form_fields())
    except ValidationError as exc:
        return render_notifications(form_fields(), exc.messages)
    notification = store.create_notification(**fields)
    flash(f"Created “{notification['name']}”. Point your store at its webhook URL.")
    return redirect(url_for("admin.notification", notification_id=notification["id"]))


@bp.get("/notifications/<int:notification_id>")
@page_auth_required
def notification(notification_id: int):
    """Show a notification: its webhook URL, curl examples and the live preview."""
    return render_notification(existing_notification(notification_id))


def existing_notification(notification_id: int) -> dict:
    """Return the notification with this id, or answer 404."""
    found = store.get_notification(notification_id)
    if found is None:
        abort(404, f"There is no notification {notification_id}.")
    return found


def render_notification(found: dict, form: dict | None = None, errors: dict | None = None):
    """Render a notification's page, keeping what was typed into its settings form after an error."""
    stats = insight.stats(found["id"])
    page = render_template(
        "notification.html",
        notification=notification_json(found),
        popups=preview_popups(found),
        curl=curl_examples(found),
        snippet=widget_snippet(found),
        events=store.list_events(found["id"], limit=20),
        geoip_credit=geoip_credit(),
        stats=stats,
        chart=chart.svg(stats),
        form=form or {},
        errors=errors or {},
    )
    return page, 422 if errors else 200


@bp.post("/notifications/<int:notification_id>/settings")
@page_auth_required
def update_settings(notification_id: int):
    """Save the settings form."""
    found = existing_notification(notification_id)
    try:
        changes = notification_update_schema.load(form_fields())
    except ValidationError as exc:
        return render_notification(found, form_fields(), exc.messages)
    store.update_notification(notification_id, **changes)
    flash("Saved the settings.")
    return redirect(url_for("admin.notification", notification_id=notification_id))


def curl_examples(notification: dict) -> dict:
    """Return ready-to-paste curl commands (JSON and form) that work against this notification."""
    url = shlex.quote(absolute_url("hooks.receive", token=notification["webhook_token"]))
    is_stream = notification["type"] == "stream"
    body = json.dumps(CURL_JSON_EXAMPLE if is_stream else {"email": "jane.doe@example.com"})
    fields = CURL_FORM_EXAMPLE if is_stream else {}
    form_args = (f"-d {shlex.quote(f'{key}={value}')}" for key, value in fields.items())
    return {
        "json": f"curl -X POST {url} \\\n  -H 'Content-Type: application/json' \\\n  -d {shlex.quote(body)}",
        "form": " \\\n  ".join([f"curl -X POST {url}", *form_args]),
    }


def geoip_credit() -> dict | None:
    """Return the GeoIP database's credit line (DB-IP's licence asks for it where places are shown)."""
    reader = intake.geoip()
    return reader.credit if reader else None


def preview_popups(notification: dict) -> list[dict]:
    """Describe the first popups a visitor would see now: the feed's own function, so the two never differ."""
    return popups(notification)[:PREVIEW_EVENTS]


def widget_snippet(notification: dict) -> str:
    """Return the one line an owner pastes into their site."""
    src, key = html.escape(absolute_url("feed.widget")), html.escape(notification["public_key"])
    return f'<script src="{src}" data-key="{key}" async></script>'



@bp.post("/notifications/<int:notification_id>/delete")
@page_auth_required
def delete_notification(notification_id: int):
    """Delete a notification and its events."""
    if not store.delete_notification(notification_id):
        abort(404, f"There is no notification {notification_id}.")
    flash("Deleted the notification and its events.")
    return redirect(url_for("admin.notifications"))


@bp.app_template_filter("number")
def number_filter(value: int) -> str:
    """Render 12345 as "12,345" in templates."""
    return chart.number(value)


@bp.app_template_filter("percent")
def percent_filter(ctr: float | None) -> str:
    """Render a click-through rate as "1.9%" (or "—" when nothing was shown) in templates."""
    return chart.percent(ctr)


@bp.app_template_filter("time_ago")
def time_ago_filter(ms: int) -> str:
    """Render a UTC-ms time as "3 minutes ago" in templates."""
    return time_ago(ms)
