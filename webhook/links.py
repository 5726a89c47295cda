"""The absolute URLs we hand out: based on PROOFHOOK_PUBLIC_URL when set, else on the request's host."""
import os

from flask import current_app, has_request_context, request


def local_default() -> str:
    """Return where `make run` serves: 127.0.0.1 on $PORT (8000)."""
    return f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"


def absolute_url(endpoint: str, **values) -> str:
    """Return the absolute URL of an endpoint as the outside world should call it."""
    # Built from the URL map directly so the CLI (no request, no SERVER_NAME) can hand out URLs too.
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    base = current_app.config["PUBLIC_URL"]
    if not base:
        base = request.host_url.rstrip("/") + request.script_root if has_request_context() else local_default()
    return base + path
