"""gunicorn settings for `make run` and production: `gunicorn -c python:webhook.gunicorn_conf app:app`."""
import os
import re
from urllib.parse import unquote

from gevent import monkey

# Before the app is preloaded, not only in the worker after the fork (gevent's worker patches there too): the
# thread-locals, locks and events create_app makes must already be gevent's, greenlet-local and yielding.
monkey.patch_all()

from gunicorn.glogging import Logger  # noqa: E402

WEBHOOK_TOKEN = re.compile(r"(/webhooks/)[^/?\s]+")
# A site visitor's browser asks for these. Their log lines keep no address, user agent or other request header
# (the Referer is the visitor's page): a visit and a goal report from one address would tell who converted.
VISITOR_PATHS = ("/feed/", "/proof/", "/widget.js")
VISITOR_ATOMS = ("h", "a", "f")


def redacted(text: str) -> str:
    """Return text with any webhook token cut out, however its path was percent-encoded."""
    # The router sees the path decoded once (/%77ebhooks/… and /webhooks%2F… are both served), so that is the
    # form checked; text without a token is logged as it came.
    decoded = unquote(text)
    return WEBHOOK_TOKEN.sub(r"\1…", decoded) if WEBHOOK_TOKEN.search(decoded) else text


class RedactingLogger(Logger):
    """gunicorn's logger, with webhook tokens and site visitors left out of the access log: logs travel."""

    def atoms(self, resp, req, environ, request_time):
        """Return the access log's fields: `/webhooks/<token>` as `/webhooks/…`, a visitor's request without its sender."""
        atoms = super().atoms(resp, req, environ, request_time)
        visitor = unquote(environ.get("PATH_INFO", "")).startswith(VISITOR_PATHS)
        for key, value in atoms.items():
            if visitor and (key in VISITOR_ATOMS or key.endswith("}i")):
                atoms[key] = "-"
            elif isinstance(value, str) and (key in ("r", "U", "f") or key.endswith("}i")):
                atoms[key] = redacted(value)
        return atoms


bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
# One process per core, each an event loop (gevent): a client that is slow to send, or idle between requests,
# holds a greenlet, not one of a few threads, so hundreds of them don't stop anyone else being served (the
# README's "Performance" has the figures that chose this). gunicorn gives each request head `keepalive` seconds
# (and an idle kept-alive connection as long); serving.py gives each body a deadline of its own.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "webhook.serving.Worker"
worker_connections = 1000
keepalive = 5
# Build the app once in the master and fork: workers share the imported code, name lists and the GeoIP
# mapping copy-on-write, so each worker takes less memory and starts sooner (figures in the README's "Performance").
# Safe because create_app leaves no database connection open (storage/connection.py opens them per greenlet,
# as per thread).
preload_app = True
accesslog = "-"
logger_class = RedactingLogger
# Several gunicorns on one machine (tests, benchmarks) must not fight over one control socket.
control_socket_disable = True
