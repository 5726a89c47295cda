"""The owner's pages: login, the notification list, one notification with its preview."""
import html
import json
import re
import shlex
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from .. import chart, goals, history, insight, intake, rules
from ..storage import event_store, notification_store
from ..widget import widget_integrity, widget_version
from ..links import absolute_url
from ..auth import (
    check_csrf, check_token_guessing, has_session, larger_body, log_in, log_out, page_auth_required, right_token_given,
    sign_in_first, token_matches, wrong_token_given,
)
from ..language import SUPPORTED as LANGUAGES, language_name, text_direction
from ..looks import look
from ..present import pattern_pieces, time_ago
from ..schemas.settings import notification_schema, notification_update_schema
from ..showing import popups
from ..vocabulary import now_ms
from ..web import existing_notification, no_such_notification, notification_json, validated_changes

bp = Blueprint("admin", __name__)
# The pages' forms are cookie-authenticated writes (auth.py, "CSRF has one path").
bp.before_request(check_csrf)

PREVIEW_EVENTS = 5
# Room for the multipart envelope and the CSRF field around an import file of the largest allowed size.
UPLOAD_OVERHEAD = 64 * 1024
# Werkzeug feeds multipart data in 64 KiB chunks and refuses a chunk above the form memory limit, which
# follows PROOFHOOK_MAX_BODY_BYTES: a small webhook limit must not refuse every upload.
UPLOAD_FORM_MEMORY = 128 * 1024
# An import report lists every row of a small file; of a large one, only the rows that were not imported.
REPORT_ALL_ROWS, REPORT_MAX_ROWS = 100, 1000
CURL_JSON_EXAMPLE = {
    "email": "john.smith@example.com",
    "city": "Miami",
    "state": "Florida",
    "countryCode": "US",
    "productName": "Sneakers",
    "productLink": "https://example.com/sneakers",
}
SIGNED_CURL = (
    "SECRET='<your signing secret>'\n"
    "BODY={body}\n"
    "SIGNATURE=$(printf '%s' \"$BODY\" | openssl dgst -sha256 -hmac \"$SECRET\" | sed 's/^.*= //')\n"
    "curl -X POST {url} -H 'Content-Type: application/json' \\\n"
    "  -H \"X-Proofhook-Signature: sha256=$SIGNATURE\" --data-raw \"$BODY\""
)
CURL_FORM_EXAMPLE = {
    "email": "jane.doe@example.com",
    "city": "London",
    "countryCode": "GB",
    "products[0][name]": "T-Shirt",
    "products[0][link]": "https://example.com/t-shirt",
    "products[0][price]": "25",
}


# A path on this site, in the characters a URL may hold as they are: no scheme or host, no "//" or "/\\" start
# (browsers read both as another host), no control character (a CR/LF would split the Location header).
LOCAL_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*")


def safe_next(target: str | None) -> str:
    """Return a same-site path to go to after login; anything else goes to the notification list."""
    if target and LOCAL_PATH.fullmatch(target) and not urlsplit(target).netloc:
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
        check_token_guessing()
        if token_matches(request.form.get("token", "")):
            right_token_given()
            log_in()
            return redirect(safe_next(request.args.get("next")))
        wrong_token_given()
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
    rows = [notification_json(n) for n in notification_store.list_notifications()]
    for row in rows:
        row["last_event_ago"] = time_ago(row["last_event_at"]) if row["last_event_at"] else None
    status = 422 if errors else 200
    return render_template("notifications.html", notifications=rows, form=form or {}, errors=errors or {}), status


def form_fields() -> dict:
    """Return the submitted form without its CSRF token; the weekday boxes as one comma-separated field."""
    fields = {key: value for key, value in request.form.items() if key != "csrf_token"}
    if "schedule_days" in request.form:
        fields["schedule_days"] = ",".join(request.form.getlist("schedule_days"))
    return fields


@bp.post("/notifications")
@page_auth_required
def create_notification():
    """Create a notification from the form and open its page."""
    try:
        fields = notification_schema.load(form_fields())
    except ValidationError as exc:
        return render_notifications(form_fields(), exc.messages)
    notification = notification_store.create_notification(**fields)
    flash(f"Created “{notification['name']}”. Point your store at its webhook URL.")
    return redirect(url_for("admin.notification", notification_id=notification["id"]))


@bp.get("/notifications/<int:notification_id>")
@page_auth_required
def notification(notification_id: int):
    """Show a notification: its webhook URL, curl examples and the live preview."""
    return render_notification(existing_notification(notification_id))


def render_notification(found: dict, form: dict | None = None, errors: dict | None = None, **sections):
    """Render a notification's page, keeping what was typed into its settings form after an error."""
    stats = insight.stats(found["id"])
    goal_stats = goals.goal_stats(found)
    page = render_template(
        "notification.html",
        notification=notification_json(found),
        **preview(found),
        display_rules=rules.described(found),
        url_test=url_test(found, request.args.get("test_url", "")),
        mobile_below=rules.MOBILE_BELOW,
        weekdays=rules.WEEKDAYS,
        languages=[(code, f"{language_name(code)} ({code})") for code in LANGUAGES],
        curl=curl_examples(found),
        snippet=widget_snippet(found),
        pinned_snippet=widget_snippet(found, pinned=True),
        events=event_store.list_events(found["id"], limit=20),
        geoip_credit=geoip_credit(),
        stats=stats,
        chart=chart.svg(stats),
        goal_stats=goal_stats,
        form=form or {},
        errors=errors or {},
        **sections,
    )
    return page, 422 if errors or sections.get("import_error") else 200


@bp.post("/notifications/<int:notification_id>/settings")
@page_auth_required
def update_settings(notification_id: int):
    """Save the settings form."""
    found = existing_notification(notification_id)
    fields = form_fields()
    # The secret field is never pre-filled, so leaving it blank keeps the secret; a separate button clears it.
    if not fields.get("signing_secret", "").strip():
        fields.pop("signing_secret", None)
    if fields.pop("clear_signing_secret", None):
        fields["signing_secret"] = None
    try:
        changes = validated_changes(found, fields)
    except ValidationError as exc:
        return render_notification(found, fields, exc.messages)
    notification_store.update_notification(notification_id, **changes)
    flash("Saved the settings.")
    return redirect(url_for("admin.notification", notification_id=notification_id))


def import_body_limits(config) -> tuple[int, int]:
    """Return the history import's (body, form memory) limits: room for a file of the largest allowed size."""
    return config["MAX_IMPORT_BYTES"] + UPLOAD_OVERHEAD, max(config["MAX_FORM_MEMORY_SIZE"], UPLOAD_FORM_MEMORY)


@bp.post("/notifications/<int:notification_id>/import")
@page_auth_required
@sign_in_first
@larger_body(import_body_limits)
def import_history(notification_id: int):
    """Import an uploaded history file and show what became of each row."""
    found = existing_notification(notification_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_notification(found, import_error="Choose a CSV or JSON-lines file to import.")
    content = upload.stream.read(current_app.config["MAX_IMPORT_BYTES"] + 1)
    dry_run = "dry_run" in request.form
    try:
        report = history.import_history(found, content, history.format_for(upload.filename, None, content), dry_run)
    except history.FileRejected as exc:
        return render_notification(found, import_error=f"{upload.filename}: {exc} Nothing was imported.")
    listed = report.rows
    if len(listed) > REPORT_ALL_ROWS:
        listed = [row for row in listed if row.status != "imported"]
    # Counts changed: read the notification again so the page shows them.
    return render_notification(
        existing_notification(notification_id),
        import_report=report,
        import_rows=listed[:REPORT_MAX_ROWS],
        import_filename=upload.filename,
    )


def url_test(notification: dict, url: str) -> dict | None:
    """Answer the "test a URL" box: would the page show the popups, by the very rules the widget gets?"""
    url = url.strip()[:2000]
    if not url:
        return None
    carried = rules.feed_rules(notification)
    try:
        shows, reason = rules.page_fits(carried, url)
    except ValueError as exc:  # urlsplit's word for "http://[::1" and the like
        return {"url": url, "shows": False, "reason": f"That is not a URL a browser would open ({exc}).", "other": ""}
    other = []
    if notification["devices"] != "all":
        other.append(f"On {'phones' if notification['devices'] == 'mobile' else 'computers'} only.")
    if carried["schedule"] is not None:
        now = "in" if rules.schedule_fits(carried["schedule"], now_ms()) else "outside"
        other.append(f"Right now is {now} the schedule.")
    return {"url": url, "shows": shows, "reason": reason, "other": " ".join(other)}


def curl_examples(notification: dict) -> dict:
    """Return ready-to-paste curl commands (JSON and form) that work against this notification."""
    url = shlex.quote(absolute_url("hooks.receive", token=notification["webhook_token"]))
    is_stream = notification["type"] == "stream"
    body = json.dumps(CURL_JSON_EXAMPLE if is_stream else {"email": "jane.doe@example.com"})
    fields = CURL_FORM_EXAMPLE if is_stream else {}
    form_args = (f"-d {shlex.quote(f'{key}={value}')}" for key, value in fields.items())
    examples = {
        "json": f"curl -X POST {url} \\\n  -H 'Content-Type: application/json' \\\n  -d {shlex.quote(body)}",
        "form": " \\\n  ".join([f"curl -X POST {url}", *form_args]),
    }
    if notification.get("signing_secret"):
        # The secret is never printed: the owner fills it in.
        examples["signed"] = SIGNED_CURL.format(body=shlex.quote(body), url=url)
    return examples


def geoip_credit() -> dict | None:
    """Return the GeoIP database's credit line (DB-IP's licence asks for it where places are shown)."""
    reader = intake.geoip()
    return reader.credit if reader else None


def preview_popups(notification: dict) -> list[dict]:
    """Describe the first popups a visitor would see now: the feed's own function, so the two never differ."""
    return popups(notification)[:PREVIEW_EVENTS]


def preview(notification: dict) -> dict:
    """Return what _preview.html shows: the first popups in the notification's language, and its look."""
    return {
        "popups": preview_popups(notification),
        "look": look(notification),
        "language": notification["language"],
        "direction": text_direction(notification["language"]),
        "event_count": notification["event_count"],
        "public_key": notification["public_key"],
    }


@bp.get("/notifications/<int:notification_id>/preview")
@page_auth_required
def live_preview(notification_id: int):
    """Render the preview with the language and look being chosen in the settings form, before it is saved."""
    found = existing_notification(notification_id)
    chosen = {name: request.args[name] for name in notification_store.LOOK_OPTIONS if name in request.args}
    changes = notification_update_schema.load(chosen)  # a 422 naming the field, in the one error shape
    return render_template("_preview.html", **preview({**found, **changes}))


def widget_snippet(notification: dict, pinned: bool = False) -> str:
    """Return the one line an owner pastes into their site; pinned: this exact script, checked by its SRI hash."""
    key = html.escape(notification["public_key"])
    if not pinned:
        return f'<script src="{html.escape(absolute_url("feed.widget"))}" data-key="{key}" async></script>'
    src = html.escape(absolute_url("feed.widget", v=widget_version()))
    return (f'<script src="{src}" data-key="{key}" integrity="{widget_integrity()}" crossorigin="anonymous"'
            " async></script>")


# What an owner must do after rotating each secret.
AFTER_ROTATION = {
    "webhook_token": "Update the URL in your store's webhook settings.",
    "public_key": "Paste the new snippet into your site.",
}


@bp.post("/notifications/<int:notification_id>/rotate/<which>")
@page_auth_required
def rotate(notification_id: int, which: str):
    """Replace a notification's webhook token (or another rotatable secret) with a fresh one."""
    column = which.replace("-", "_")
    if column not in notification_store.ROTATABLE:
        abort(404, f"There is no secret called {which!r} to rotate.")
    if notification_store.rotate_secret(notification_id, column) is None:
        no_such_notification(notification_id)
    flash(f"Rotated the {which.replace('-', ' ')}: the old one stopped working just now. {AFTER_ROTATION[column]}")
    return redirect(url_for("admin.notification", notification_id=notification_id))


@bp.post("/notifications/<int:notification_id>/delete")
@page_auth_required
def delete_notification(notification_id: int):
    """Delete a notification and its events."""
    if not notification_store.delete_notification(notification_id):
        no_such_notification(notification_id)
    flash("Deleted the notification and its events.")
    return redirect(url_for("admin.notifications"))


@bp.app_template_filter("pattern_pieces")
def pattern_pieces_filter(pattern: str) -> list[tuple[str, str]]:
    """Split a popup line into its text and {slot} pieces in templates."""
    return pattern_pieces(pattern)


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
