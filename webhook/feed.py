"""The public side: GET /feed/<public key>.json for visitors' browsers and GET /widget.js that shows it."""
import functools
import hashlib
import hmac
from pathlib import Path

from flask import Blueprint, abort, current_app, request

from . import insight, store
from .auth import csrf
from .present import MINUTE_MS, feed

bp = Blueprint("feed", __name__)

STATIC = Path(__file__).parent / "static"
# Browsers and proxies may reuse a feed this long without asking; then they revalidate with If-None-Match.
FEED_MAX_AGE = 30
WIDGET_MAX_AGE = 300
# Bump when the feed's JSON changes shape, so no cache keeps serving the old shape under a valid ETag.
FEED_FORMAT = 2
# Feed bodies kept per process, by ETag.
FEED_CACHE_SIZE = 1000
NO_SUCH_KEY = "No notification has this public key; check the data-key of the snippet."


def feed_clock() -> int:
    """Return the moment a feed is computed for: now, rounded down to the minute."""
    # "3 minutes ago" and the days-back/conversion windows move with the clock. Computing them as of the start
    # of the minute makes the body a function of (feed_version, this minute, guid), which the ETag names.
    return store.now_ms() // MINUTE_MS * MINUTE_MS


def feed_etag(notification_id: int, feed_version: int, clock: int, guid: str | None) -> str:
    """Return the feed's ETag: an HMAC, so the public never learns the change counter (a sales count)."""
    name = f"{FEED_FORMAT}|{notification_id}|{feed_version}|{clock}|{guid}"
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, name.encode(), hashlib.sha256).hexdigest()[:32]


@bp.get("/feed/<key>.json")
def show_feed(key: str):
    """Answer the popups a visitor may see, or 304 when the browser's copy is current."""
    # The ETag needs two columns of one indexed row; the whole notification only when a body must be built.
    found = store.feed_version_by_public_key(key)
    if found is None:
        abort(404, NO_SUCH_KEY)
    guid = request.args.get("guid") or None
    clock = feed_clock()
    etag = feed_etag(found[0], found[1], clock, guid)
    # Weak comparison, lists and `*` as RFC 9110 says for If-None-Match; the 304 costs the one lookup above.
    if request.if_none_match.contains_weak(etag):
        response = current_app.response_class(status=304)
    else:
        response = current_app.response_class(feed_body(key, guid, clock, etag), mimetype="application/json")
    return cacheable(response, etag, FEED_MAX_AGE)


def feed_body(key: str, guid: str | None, clock: int, etag: str) -> str:
    """Return the feed's JSON, built once per ETag in each process: the ETag names all the body depends on."""
    # Every change a visitor could see (an event, a cancellation, a purge, the settings) bumps feed_version,
    # and the minute and guid are in the ETag too, so a body cached under it can't be stale. Many visitors
    # read the same feed, so most 200s cost no more than a 304. A change landing between the ETag's lookup
    # and this one only makes the body newer than its ETag says, never older.
    cache = current_app.extensions["proofhook_feeds"]
    body = cache.get(etag)
    if body is None:
        notification = store.notification_by_public_key(key)
        if notification is None:
            abort(404, NO_SUCH_KEY)  # deleted since the ETag's lookup
        if len(cache) >= FEED_CACHE_SIZE:
            cache.clear()  # a minute later every entry is stale anyway
        body = cache[etag] = current_app.json.dumps(feed(notification, guid, clock), separators=(",", ":"))
    return body


def cacheable(response, etag: str, max_age: int):
    """Mark a public answer as cacheable by anyone for max_age seconds, then to be revalidated by its ETag."""
    response.set_etag(etag)
    # Written out: werkzeug's cache_control object parses and re-serialises the header, a twentieth of a 304.
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


@functools.cache
def widget_script() -> tuple[bytes, str]:
    """Return the widget's bytes and their ETag, read once per process (every visitor of every site asks)."""
    script = (STATIC / "widget.js").read_bytes()
    return script, hashlib.sha256(script).hexdigest()[:32]


@bp.route("/feed/<key>/activity", methods=["POST", "OPTIONS"])
@csrf.exempt
def report_activity(key: str):
    """Count a widget's impressions and clicks; answer 204 to anything, so a page never sees an error."""
    # Fire-and-forget: the widget never reads the answer, and junk, forged ids, unknown keys and bursts are
    # dropped the same quiet way. Cheapest checks first: size, then the rate limit, then the database.
    if request.method == "POST":
        data = report_body()
        if data is not None and current_app.extensions["proofhook_activity"].allow(request.remote_addr):
            notification = store.notification_by_public_key(key)
            if notification is not None:
                insight.record_report(notification, data, feed_clock())
    response = current_app.response_class(status=204)
    del response.headers["Content-Type"]
    response.headers["Cache-Control"] = "no-store"
    # The widget sends text/plain (no preflight); a hand-written client sending JSON gets its preflight answered.
    response.headers["Access-Control-Allow-Methods"] = "POST"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


def report_body() -> bytes | None:
    """Return the request's body if it is small enough to be a report, reading no more than that; else None."""
    limit = insight.MAX_REPORT_BYTES
    if request.content_length is not None and request.content_length > limit:
        return None
    data = request.stream.read(limit + 1)
    return data if len(data) <= limit else None


@bp.get("/widget.js")
def widget():
    """Serve the embeddable widget script."""
    script, etag = widget_script()
    response = cacheable(current_app.response_class(script, mimetype="text/javascript"), etag, WIDGET_MAX_AGE)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)


@bp.after_request
def allow_any_origin(response):
    """Let any site's pages read the feed (and its errors): it holds nothing but public popups."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def init_app(app) -> None:
    """Register the blueprint, start the activity rate limit, and give older notifications their public keys."""
    app.register_blueprint(bp)
    app.extensions["proofhook_feeds"] = {}
    burst, per_minute = app.config["ACTIVITY_BURST"], app.config["ACTIVITY_PER_MINUTE"]
    app.extensions["proofhook_activity"] = insight.Bucket(burst, per_minute)
    with app.app_context():
        store.ensure_public_keys()
