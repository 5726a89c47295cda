"""The public side: GET /feed/<public key>.json for visitors' browsers and GET /widget.js that shows it."""
import functools
import hashlib
import hmac
from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, request

from . import store
from .present import MINUTE_MS, feed

bp = Blueprint("feed", __name__)

STATIC = Path(__file__).parent / "static"
# Browsers and proxies may reuse a feed this long without asking; then they revalidate with If-None-Match.
FEED_MAX_AGE = 30
WIDGET_MAX_AGE = 300
# Bump when the feed's JSON changes shape, so no cache keeps serving the old shape under a valid ETag.
FEED_FORMAT = 1


def feed_clock() -> int:
    """Return the moment a feed is computed for: now, rounded down to the minute."""
    # "3 minutes ago" and the days-back/conversion windows move with the clock. Computing them as of the start
    # of the minute makes the body a function of (feed_version, this minute, guid), which the ETag names.
    return store.now_ms() // MINUTE_MS * MINUTE_MS


def feed_etag(notification: dict, clock: int, guid: str | None) -> str:
    """Return the feed's ETag: an HMAC, so the public never learns the change counter (a sales count)."""
    name = f"{FEED_FORMAT}|{notification['id']}|{notification['feed_version']}|{clock}|{guid}"
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, name.encode(), hashlib.sha256).hexdigest()[:32]


@bp.get("/feed/<key>.json")
def show_feed(key: str):
    """Answer the popups a visitor may see, or 304 when the browser's copy is current."""
    notification = store.notification_by_public_key(key)
    if notification is None:
        abort(404, "No notification has this public key; check the data-key of the snippet.")
    guid = request.args.get("guid") or None
    clock = feed_clock()
    etag = feed_etag(notification, clock, guid)
    # Weak comparison, lists and `*` as RFC 9110 says for If-None-Match; the 304 costs the one lookup above.
    if request.if_none_match.contains_weak(etag):
        response = current_app.response_class(status=304)
    else:
        response = jsonify(feed(notification, guid, clock))
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = FEED_MAX_AGE
    return response


@functools.cache
def widget_script() -> tuple[bytes, str]:
    """Return the widget's bytes and their ETag, read once per process (every visitor of every site asks)."""
    script = (STATIC / "widget.js").read_bytes()
    return script, hashlib.sha256(script).hexdigest()[:32]


@bp.get("/widget.js")
def widget():
    """Serve the embeddable widget script."""
    script, etag = widget_script()
    response = current_app.response_class(script, mimetype="text/javascript")
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = WIDGET_MAX_AGE
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)


@bp.after_request
def allow_any_origin(response):
    """Let any site's pages read the feed (and its errors): it holds nothing but public popups."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def init_app(app) -> None:
    """Register the blueprint and give older notifications their public keys."""
    app.register_blueprint(bp)
    with app.app_context():
        store.ensure_public_keys()
