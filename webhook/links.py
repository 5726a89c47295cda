"""The absolute URLs we hand out: based on PROOFHOOK_PUBLIC_URL when set, else on the request's host."""
import os

from flask import current_app, has_request_context, request
from werkzeug.routing import IntegerConverter

# The largest id a database row can have (a signed 64-bit integer, in SQLite and PostgreSQL alike).
MAX_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    """The `<int:…>` URL part: a number beyond any database id is not found (404), never sent to SQL."""

    def __init__(self, map, *args, **kwargs):
        """Bound the number to MAX_ID unless a route asks otherwise."""
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def local_default() -> str:
    """Return where `make run` serves: 127.0.0.1 on $PORT (8000)."""
    return f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"


def absolute_url(endpoint: str, **values) -> str:
    """Return the absolute URL of an endpoint as the outside world should call it."""
    # Built from the URL map directly so the CLI (no request, no SERVER_NAME) can hand out URLs too; the bound
    # map is made once per app (it only builds paths, and each build sees routes added since).
    app = current_app._get_current_object()  # one context lookup, not one per attribute below
    adapter = app.extensions.get("links.path_builder")
    if adapter is None:
        adapter = app.extensions["links.path_builder"] = app.url_map.bind("localhost")
    path = adapter.build(endpoint, values)
    base = app.config["PUBLIC_URL"]
    if not base:
        # Not request.host_url: it converts the URL to an IRI (costly: README, "Performance"), and the
        # host as sent (punycode for a non-ASCII name) is what curl and senders want anyway.
        if has_request_context():
            sent = request._get_current_object()
            base = f"{sent.scheme}://{sent.host}{sent.script_root}"
        else:
            base = local_default()
    return base + path


def init_app(app) -> None:
    """Make `<int:…>` in every route an id that fits the database; call before routes are added."""
    # sqlite3 raises OverflowError for an int beyond 64 bits: /api/notifications/99999999999999999999 was a 500.
    app.url_map.converters["int"] = IdConverter
