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


# What every answer gets, and what a page gets: (name, lower-cased name, value), in the order they are added.
EVERY_ANSWER = (("X-Content-Type-Options", "x-content-type-options", "nosniff"),)
EVERY_PAGE = EVERY_ANSWER + tuple((name, name.lower(), value) for name, value in PAGE_HEADERS.items())


def add_security_headers(response):
    """Add the security headers to an answer, leaving any a view set itself."""
    # The names a view set are read in one pass: Headers.setdefault would search the whole list once a header.
    given = {name.lower() for name, _value in response.headers.items()}
    wanted = EVERY_ANSWER if request.path.startswith(EMBEDDABLE_PREFIXES) else EVERY_PAGE
    for name, lowered, value in wanted:
        if lowered not in given:
            response.headers.add(name, value)
    return response


def init_app(app) -> None:
    """Add the security headers to every answer the app gives."""
    app.after_request(add_security_headers)
