"""gunicorn settings for `make run` and production: `gunicorn -c python:webhook.gunicorn_conf app:app`."""
import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
accesslog = "-"
# Several gunicorns on one machine (tests, benchmarks) must not fight over one control socket.
control_socket_disable = True
