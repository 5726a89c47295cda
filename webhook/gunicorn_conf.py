"""gunicorn settings for `make run` and production: `gunicorn -c python:webhook.gunicorn_conf app:app`."""
import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
# One process per core (the development box has 2). Threads, not more processes: `make bench` on that box
# (2026-11, ingest mix, 32 connections) gave gthread 2x4 432 req/s at synchronous=NORMAL and 423 at FULL
# against sync 2 workers' 396 and 156: a thread waiting on fsync or on the writer lock leaves the core to
# another request, and keep-alive saves a TCP handshake per request. Those runs shared the box with other
# load (bare Flask reached only a third of its usual rate), so trust the direction, rerun for figures.
# Each thread keeps its own SQLite connection (db.py); the GeoIP database is mmapped once per process.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = 4  # override with GUNICORN_CMD_ARGS="--threads N", like any gunicorn setting
# Build the app once in the master and fork: workers share the imported code, name lists and the GeoIP
# mapping copy-on-write. `make bench`: peak Pss per worker 35 MB instead of 50, cold start 0.65 s not 0.82.
# Safe because create_app leaves no database connection open (db.py opens them per worker thread).
preload_app = True
accesslog = "-"
# Several gunicorns on one machine (tests, benchmarks) must not fight over one control socket.
control_socket_disable = True
