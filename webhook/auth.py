"""Admin authentication: a bearer token for the API, a session cookie for the pages, CSRF for cookie writes.

CSRF has one path: `check_csrf`, registered with `bp.before_request(check_csrf)` by each blueprint that takes
cookie-authenticated writes (the admin pages and the API). It sets the route's own body limit (`larger_body`)
before anything reads the form, then checks the token of every unsafe request, except an API call that carries
the admin token as a bearer token (no other site can make a browser send it), and a call without an admin
session to the API or to a view marked `sign_in_first` (the API answers 401, the view sends it to the login
page). The webhook and the feed register nothing, so they never pay for it.
"""
import functools
import hashlib
import hmac
import ipaddress
import secrets

from flask import abort, current_app, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from . import limits
from .storage import counter_store
from .vocabulary import now_ms

csrf = CSRFProtect()
# Blueprints that serve visitors' browsers (the feed, the widget, its activity reports): no session, no cookie.
PUBLIC_BLUEPRINTS = {"feed"}
# Blueprints whose views take the admin token as a bearer token too (api_auth_required).
TOKEN_BLUEPRINTS = {"api"}


class RequestAwareSessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure only when the request came over https (so plain-http `make run` works)."""

    def open_session(self, app, request):
        """Open the session; a request without its cookie gets an empty one without building the signer."""
        # Webhook senders and feed readers never send the cookie; building the signer costs a key derivation,
        # a good part of a feed 304's time.
        if self.get_cookie_name(app) not in request.environ.get("HTTP_COOKIE", ""):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        """Save the session, except on the public side: its answers never refresh or set a cookie."""
        # An empty session that no code read or changed sets, deletes and varies on nothing: Flask's own save
        # would only look up the cookie settings (and the scheme) to do nothing with them.
        if not (session or session.accessed or session.modified):
            return
        # Not in open_session: Flask opens the session before it matches the URL to a blueprint.
        if request.blueprint not in PUBLIC_BLUEPRINTS:
            super().save_session(app, session, response)

    def get_cookie_secure(self, app) -> bool:
        """Return whether this request is https (behind a proxy: as ProxyFix reports it)."""
        return request.is_secure


def token_matches(given: str) -> bool:
    """Compare a presented admin token with ours in constant time."""
    expected = current_app.config["ADMIN_TOKEN"]
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8"))


def session_marker() -> str:
    """Return a fingerprint of the admin token: changing the token logs every session out."""
    return hashlib.sha256(("session:" + current_app.config["ADMIN_TOKEN"]).encode()).hexdigest()[:32]


def bearer_token() -> str | None:
    """Return the token of an `Authorization: Bearer …` header, if any."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def session_id_hash(session_id: str) -> str:
    """Return what the server keeps of a session id: its SHA-256 (the database never holds a usable cookie)."""
    return hashlib.sha256(session_id.encode("utf-8", "surrogateescape")).hexdigest()


def session_lifetime_ms() -> int:
    """Return how long an admin session lasts, in milliseconds (Flask's permanent session lifetime)."""
    return int(current_app.permanent_session_lifetime.total_seconds() * 1000)


def log_in() -> None:
    """Mark this browser session as the admin's, and remember it on the server."""
    session.clear()
    session_id = secrets.token_urlsafe(32)
    counter_store.add_admin_session(session_id_hash(session_id), now_ms(), session_lifetime_ms())
    session["admin"] = session_marker()
    session["sid"] = session_id
    session.permanent = True


def log_out() -> None:
    """End this browser session, on the server too: a copy of its cookie is worth nothing from now on."""
    if isinstance(session.get("sid"), str):
        counter_store.end_admin_session(session_id_hash(session["sid"]))
    session.clear()


def has_session() -> bool:
    """Tell whether this browser session belongs to the admin and the server still knows it."""
    session_id = session.get("sid")
    if not (hmac.compare_digest(session.get("admin", ""), session_marker()) and isinstance(session_id, str)):
        return False
    return counter_store.admin_session_exists(session_id_hash(session_id), now_ms() - session_lifetime_ms())


def client_address() -> str:
    """Return the client's address as the login throttle counts it: an IPv6 client by its /64 network."""
    # Behind PROOFHOOK_TRUSTED_PROXIES proxies, as ProxyFix found it. One IPv6 host is usually given a whole
    # /64, so counting exact addresses would give a guesser 2**64 fresh starts.
    address = request.remote_addr or "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return address
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


def check_token_guessing() -> None:
    """Answer 429 to a client with 10 wrong admin tokens (API or login form) in the last minute."""
    # Checked before the token itself: even the right token waits, or the answer would tell a guesser it won.
    wait = limits.login_retry_after(client_address(), now_ms())
    if wait is not None:
        abort(429, f"Too many wrong admin tokens from your address. Try again in {wait} seconds.", retry_after=wait)


def wrong_token_given() -> None:
    """Count a wrong admin token against this client."""
    limits.login_failed(client_address(), now_ms())


def right_token_given() -> None:
    """Forget this client's wrong tokens."""
    limits.login_succeeded(client_address())


def api_auth_required(view):
    """Refuse an API call without admin credentials (401 JSON); check_csrf has checked cookie-authenticated writes."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        token = bearer_token()
        if token is not None:
            check_token_guessing()
            if not token_matches(token):
                wrong_token_given()
                abort(401, "The admin token is wrong.")
        elif not has_session():
            abort(401, "Send the admin token as `Authorization: Bearer <token>`.")
        return view(*args, **kwargs)

    return wrapped


def page_auth_required(view):
    """Send a browser without an admin session to the login page, then back."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not has_session():
            return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def init_app(app) -> None:
    """Set the cookie rules and set up CSRF protection (the blueprints that need it register check_csrf)."""
    app.session_interface = RequestAwareSessionInterface()
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="proofhook_session",
        # CSRF tokens live as long as the session (31 days), so a form left open overnight still submits.
        WTF_CSRF_TIME_LIMIT=None,
        # Our own hook below does the same check in a cheaper order (see check_csrf).
        WTF_CSRF_CHECK_DEFAULT=False,
    )
    csrf.init_app(app)


def larger_body(limits_for):
    """Mark a view as taking a larger body than a webhook's: `limits_for(config)` gives (body, form memory) limits."""

    def mark(view):
        """Give the view its limits, for check_csrf to set before the form is read."""
        view.body_limits = limits_for
        return view

    return mark


def sign_in_first(view):
    """Mark a view whose callers without an admin session are sent to sign in before any CSRF check."""
    view.sign_in_first = True
    return view


def check_csrf() -> None:
    """Set this route's body limit, then check the CSRF token of an unsafe cookie-authenticated request."""
    view = current_app.view_functions.get(request.endpoint)
    body_limits = getattr(view, "body_limits", None)
    if body_limits is not None:
        # Before anything reads the form (the CSRF check does): an upload may be far larger than a webhook body.
        request.max_content_length, request.max_form_memory_size = body_limits(current_app.config)
    # flask-wtf's own hook looks up the exemptions first, on every request; asking the method first makes a
    # page read skip it all.
    if not (current_app.config["WTF_CSRF_ENABLED"] and request.method in current_app.config["WTF_CSRF_METHODS"]):
        return
    takes_token = request.blueprint in TOKEN_BLUEPRINTS
    if takes_token and bearer_token() is not None:
        return  # another site can't make a browser send it
    if (takes_token or getattr(view, "sign_in_first", False)) and not has_session():
        return  # the view's own sign-in check answers
    csrf.protect(apply_exemptions=True)
