"""The public side: GET /feed/<public key>.json for visitors' browsers and GET /widget.js that shows it."""
import hashlib
import hmac
import re

from flask import Blueprint, abort, current_app, request
from flask_compress import Compress
from werkzeug.http import parse_etags, quote_etag

from .. import goals, insight, language
from ..storage import notification_store
from ..auth import csrf
from ..showing import FEED_FORMAT, feed
from ..widget import widget_script, widget_version
from ..vocabulary import MINUTE_MS, now_ms

bp = Blueprint("feed", __name__)

# Browsers and proxies may reuse a feed this long without asking; then they revalidate with If-None-Match.
FEED_MAX_AGE = 30
WIDGET_MAX_AGE = 300
# A versioned URL (/widget.js?v=…) names one exact script, so browsers may keep it for a year.
PINNED_WIDGET_MAX_AGE = 365 * 24 * 3600
# Only widget.js is compressed here: it is the one large public answer, fetched by every page of every site.
compress = Compress()
# Feed bodies kept per process, by ETag.
FEED_CACHE_SIZE = 1000
NO_SUCH_KEY = "No notification has this public key; check the data-key of the snippet."


def feed_clock() -> int:
    """Return the moment a feed is computed for: now, rounded down to the minute."""
    # "3 minutes ago" and the days-back/conversion windows move with the clock. Computing them as of the start
    # of the minute makes the body a function of (feed_version, this minute, guid), which the ETag names.
    return now_ms() // MINUTE_MS * MINUTE_MS


def feed_etag(key: str, notification_id: int, feed_version: int, clock: int, guid: str | None,
              lang: str | None = None) -> str:
    """Return the name of a feed body in this process's cache: an HMAC of all the body depends on."""
    # The public key too: SQLite gives a deleted notification's id to the next one made, whose change
    # counter starts again from 0. `lang` is the language asked for (None: the notification's own, which its
    # feed_version covers).
    name = f"{FEED_FORMAT}|{key}|{notification_id}|{feed_version}|{clock}|{guid}|{lang}"
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, name.encode(), hashlib.sha256).hexdigest()[:32]


# Every public answer carries these; errors and the activity beacon get them from the hooks below.
PUBLIC_HEADERS = [("Access-Control-Allow-Origin", "*"), ("X-Content-Type-Options", "nosniff")]


@bp.get("/feed/<key>.json")
def show_feed(key: str):
    """Answer the popups a visitor may see, or 304 when the browser's copy is current."""
    guid = request.args.get("guid") or None
    if guid is not None and "\x00" in guid:
        abort(400, "guid must not contain a NUL character (%00).")
    # A language the widget asks for (data-lang, or the browser's); one we don't speak means the notification's.
    lang = language.supported(request.args.get("lang"))
    answer = read_feed(key, guid, request.headers.get("If-None-Match"), lang=lang)
    if answer is None:
        abort(404, NO_SUCH_KEY)
    status, headers, body = answer
    return current_app.response_class(body, status, headers)


def read_feed(key: str, guid: str | None, if_none_match: str | None, build: bool = True, lang: str | None = None):
    """Return a feed read's (status, headers, body), or None for an unknown key."""
    # With `build` false (FeedShortcut's case), a body this process hasn't built yet is None as well.
    # The cache key needs two columns of one indexed row; the whole notification only when a body must be built.
    found = notification_store.feed_version_by_public_key(key)
    if found is None:
        return None
    clock = feed_clock()
    built = feed_body(key, guid, clock, feed_etag(key, found[0], found[1], clock, guid, lang), build, lang)
    if built is None:
        return None
    etag, body = built
    headers = [*cache_headers(etag, FEED_MAX_AGE), *PUBLIC_HEADERS]
    # Weak comparison, lists and `*` as RFC 9110 says for If-None-Match.
    if parse_etags(if_none_match).contains_weak(etag):
        return 304, headers, b""
    return 200, [("Content-Type", "application/json"), *headers], body


def feed_body(key: str, guid: str | None, clock: int, name: str, build: bool = True,
              lang: str | None = None) -> tuple[str, bytes] | None:
    """Return the feed's (ETag, JSON), built once per name in each process: the name says all the body depends on."""
    # Every change a visitor could see (an event, a cancellation, a purge, the settings) bumps feed_version,
    # and the minute and guid are in the name too, so a body cached under it can't be stale. Many visitors
    # read the same feed, so most reads cost no more than a lookup. A change landing between the version's
    # lookup and this one only makes the body newer than its name says, never older. The ETag is a MAC of
    # the body itself: an event the feed doesn't show (too few conversions, hidden, another guid) bumps the
    # version but leaves the ETag as it was, so visitors can't count what the owner chose not to show.
    cache = current_app.extensions["proofhook_feeds"]
    built = cache.get(name)
    if built is None and build:
        notification = notification_store.notification_by_public_key(key)
        if notification is None:
            abort(404, NO_SUCH_KEY)  # deleted since the version's lookup
        if len(cache) >= FEED_CACHE_SIZE:
            cache.clear()  # a minute later every entry is stale anyway
        document = feed(notification, guid, clock, lang)
        body = current_app.json.dumps(document, separators=(",", ":")).encode()
        secret = current_app.config["SECRET_KEY"].encode()
        built = cache[name] = (hmac.new(secret, body, hashlib.sha256).hexdigest()[:32], body)
    return built


def cache_headers(etag: str, max_age: int) -> list[tuple[str, str]]:
    """Return the headers that let anyone cache a public answer for max_age seconds, then revalidate it."""
    # Written out: werkzeug's cache_control object parses and re-serialises the header, a cost on every 304.
    return [("ETag", quote_etag(etag)), ("Cache-Control", f"public, max-age={max_age}")]


class FeedShortcut:
    """WSGI layer in front of Flask that answers the commonest request of all, a visitor's feed read."""

    # Every page view of every owner's site reads a feed, and Flask's request machinery (context, session,
    # routing, hooks) cost more than the read itself (measured in the README's "Performance"). This takes
    # only a plain GET of a well-formed key whose body (and so its ETag, for a 304 too)
    # this process has already built, through the same read_feed and the same headers. Anything else (a query
    # string, HEAD, an unknown key, a body still to build, any error) goes on to Flask, which answers it.
    PATH = re.compile(rf"/feed/({notification_store.TOKEN_PATTERN})\.json")
    STATUS_LINES = {200: "200 OK", 304: "304 Not Modified"}

    def __init__(self, app, wsgi_app):
        """Wrap `wsgi_app`, the Flask app's WSGI callable."""
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        """Answer the request here if it is a feed read we can, else pass it on."""
        answer = self.shortcut(environ)
        if answer is None:
            return self.wsgi_app(environ, start_response)
        status, headers, body = answer
        if body:
            headers = [*headers, ("Content-Length", str(len(body)))]
        start_response(self.STATUS_LINES[status], headers)
        return [body]

    def shortcut(self, environ):
        """Return the feed read's (status, headers, body) if this layer can answer it, else None."""
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("QUERY_STRING"):
            return None
        match = self.PATH.fullmatch(environ.get("PATH_INFO", ""))
        if match is None:
            return None
        try:
            with self.app.app_context():
                return read_feed(match[1], None, environ.get("HTTP_IF_NONE_MATCH"), build=False)
        except Exception:  # whatever it is, Flask meets it again and answers it the one way
            return None


@bp.route("/feed/<key>/activity", methods=["POST", "OPTIONS"])
@csrf.exempt
def report_activity(key: str):
    """Count a widget's impressions and clicks; answer 204 to anything, so a page never sees an error."""
    return count_report(key, "proofhook_activity", insight.MAX_REPORT_BYTES, insight.record_report)


@bp.route("/feed/<key>/goals", methods=["POST", "OPTIONS"])
@csrf.exempt
def report_goals(key: str):
    """Count a widget's visit and goals reached; answer 204 to anything, as the activity beacon does."""
    return count_report(key, "proofhook_goals", goals.MAX_REPORT_BYTES, goals.record_report)


def count_report(key: str, bucket: str, limit: int, record):
    """Count one beacon report with `record` within its size and rate limits; answer 204 whatever came."""
    # Fire-and-forget: the widget never reads the answer, and junk, forged ids, unknown keys and bursts are
    # dropped the same quiet way. Cheapest checks first: size, then the rate limit, then the database.
    if request.method == "POST":
        data = report_body(limit)
        if data is not None and current_app.extensions[bucket].allow(request.remote_addr):
            notification = notification_store.notification_by_public_key(key)
            if notification is not None:
                record(notification, data, feed_clock())
    response = current_app.response_class(status=204)
    del response.headers["Content-Type"]
    response.headers["Cache-Control"] = "no-store"
    # The widget sends text/plain (no preflight); a hand-written client sending JSON gets its preflight answered.
    response.headers["Access-Control-Allow-Methods"] = "POST"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


def report_body(limit: int) -> bytes | None:
    """Return the request's body if it is at most `limit` bytes, reading no more than that; else None."""
    if request.content_length is not None and request.content_length > limit:
        return None
    data = request.stream.read(limit + 1)
    return data if len(data) <= limit else None


@bp.get("/widget.js")
@compress.compressed()
def widget():
    """Serve the embeddable widget script, compressed when the browser accepts it."""
    script, etag = widget_script()
    pinned = request.args.get("v") == widget_version()
    headers = cache_headers(etag, PINNED_WIDGET_MAX_AGE if pinned else WIDGET_MAX_AGE)
    response = current_app.response_class(script, mimetype="text/javascript", headers=headers)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)


@bp.after_request
def allow_any_origin(response):
    """Let any site's pages read the feed (and its errors): it holds nothing but public popups."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


class DictCache(dict):
    """The cache Flask-Compress keeps compressed bodies in: a dict with its get/set."""

    def set(self, key, value) -> None:
        """Keep one compressed body."""
        self[key] = value


def dict_cache() -> DictCache:
    """Return a fresh cache for Flask-Compress (it calls this once per app)."""
    return DictCache()


def init_app(app) -> None:
    """Register the blueprint, wrap the app in the feed shortcut, and start the activity rate limits."""
    app.register_blueprint(bp)
    app.config.setdefault("COMPRESS_REGISTER", False)  # no app-wide hook: only the views marked compressed
    app.config.setdefault("COMPRESS_MIMETYPES", ["text/javascript"])
    # The script is the same for every request, so it is compressed once per process and encoding, as hard as
    # each encoding goes (README, "Put it on your site": the budget).
    app.config.setdefault("COMPRESS_CACHE_BACKEND", dict_cache)
    app.config.setdefault("COMPRESS_CACHE_KEY", lambda request: request.path)
    app.config.setdefault("COMPRESS_LEVEL", 9)
    app.config.setdefault("COMPRESS_BR_LEVEL", 11)
    app.config.setdefault("COMPRESS_ZSTD_LEVEL", 19)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "zstd", "gzip", "deflate"])  # smallest first
    compress.init_app(app)
    app.wsgi_app = FeedShortcut(app, app.wsgi_app)
    app.extensions["proofhook_feeds"] = {}
    burst, per_minute = app.config["ACTIVITY_BURST"], app.config["ACTIVITY_PER_MINUTE"]
    app.extensions["proofhook_activity"] = insight.Bucket(burst, per_minute)
    app.extensions["proofhook_goals"] = insight.Bucket(burst, per_minute)
