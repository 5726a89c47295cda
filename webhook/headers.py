"""Security headers on every answer: a strict CSP and no framing for our pages, nosniff for everything."""
from flask import request

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    # Product images in the preview come from the owner's store, over any http(s) host.
    "img-src 'self' https: http: data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "connect-src 'self'",
])
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
# Made to be embedded in other people's sites: the page-only headers would get in their way.
EMBEDDABLE_PREFIXES = ("/feed/", "/widget.js")


def add_security_headers(response):
    """Add the security headers to an answer, leaving any a view set itself."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if not request.path.startswith(EMBEDDABLE_PREFIXES):
        for name, value in PAGE_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


def init_app(app) -> None:
    """Add the security headers to every answer the app gives."""
    app.after_request(add_security_headers)
