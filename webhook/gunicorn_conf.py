"""gunicorn settings for `make run` and production: `gunicorn -c python:webhook.gunicorn_conf app:app`."""
import os
import re

from gunicorn.glogging import Logger

WEBHOOK_TOKEN = re.compile(r"(/webhooks/)[^/?\s]+")


class RedactingLogger(Logger):
    """gunicorn's logger, with webhook tokens cut out of the access log: they are secrets, and logs travel."""

    def atoms(self, resp, req, environ, request_time):
        """Return the access log's fields with `/webhooks/<token>` written as `/webhooks/…`."""
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U"):
            if isinstance(atoms.get(key), str):
                atoms[key] = WEBHOOK_TOKEN.sub(r"\1…", atoms[key])
        return atoms


bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
# One process per core (the development box has 2), each with 2 threads. On a quiet 2-core box gthread
# served bare Flask at 8.6-9.0k req/s against sync's 6.4-6.5k (keep-alive instead of a TCP handshake per
# request; a thread waiting on fsync leaves the core to another request). `make bench` on the quiet box
# (2026-11-27, ingest, 2 x 5 s): 2 threads 1,434 req/s with p99 72 ms, 4 threads 1,322 req/s with p99 162 ms,
# 1 thread 1,339 req/s with p99 60 ms, sync x 3 workers 1,352 req/s with p99 193 ms: more threads per process
# only queue more requests behind one GIL. With group commit (group_commit.py), medians of 3 rounds x 8 s: 2 threads
# 1,590 req/s NORMAL and 1,270 FULL, 3 threads 1,400 and 1,126, 4 threads 1,546 and 1,032 (p99 54-100 ms): larger
# batches did not pay for the extra queueing. Each thread keeps its own SQLite connection (db.py); the GeoIP
# database is mmapped once and shared.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = 2  # override with GUNICORN_CMD_ARGS="--threads N", like any gunicorn setting
# Build the app once in the master and fork: workers share the imported code, name lists and the GeoIP
# mapping copy-on-write. `make bench`: peak Pss per worker 35 MB instead of 50, cold start 0.65 s not 0.82.
# Safe because create_app leaves no database connection open (db.py opens them per worker thread).
preload_app = True
accesslog = "-"
logger_class = RedactingLogger
# Several gunicorns on one machine (tests, benchmarks) must not fight over one control socket.
control_socket_disable = True
