"""Automatic retention: each server process deletes expired events in the background, a small batch at a time.

No cron line to remember: the first request a process serves starts its sweeper thread (after gunicorn's fork,
so no connection crosses it). Each notification's `retention_days` decides what has expired.
"""
import logging
import os
import threading

from .storage import connection, event_purge
from .vocabulary import now_ms

log = logging.getLogger(__name__)

# Rows per transaction, and the pause between two, so that a webhook waits at most one small batch.
BATCH = 500
PAUSE_SECONDS = 0.05


class Sweeper:
    """Delete expired events every `interval_s` seconds in a daemon thread of this process."""

    def __init__(self, app, interval_s: float, clock=now_ms):
        """Prepare a sweeper for `app`; `clock` returns the time in UTC ms (tests give one they control)."""
        self.app = app
        self.interval_s = interval_s
        self.clock = clock
        self.pid = None
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread = None

    def ensure_started(self) -> None:
        """Start this process's sweeper thread unless it runs already (one pid comparison per request)."""
        if self.pid == os.getpid():
            return
        with self.lock:
            if self.pid != os.getpid():
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self.run, name="proofhook-retention", daemon=True)
                self.thread.start()

    def run(self) -> None:
        """Sweep now, then every interval, until stopped."""
        while not self.stopped.is_set():
            self.sweep()
            self.stopped.wait(self.interval_s)

    def sweep(self) -> dict[int, int]:
        """Delete what has expired as of the clock; return {notification id: events deleted}."""
        with self.app.app_context():
            failed = True
            try:
                expired = event_purge.expire_events(self.clock(), BATCH, PAUSE_SECONDS)
                failed = False
            except Exception:  # the thread must outlive a database outage; the next sweep tries again
                log.exception("Retention: expired events could not be deleted this time")
                return {}
            finally:
                # Held between sweeps, a connection opened during an outage (a read-only disk) would keep
                # SQLite's shared memory of the file read-only for the whole process after the disk is back.
                # The process's writer goes too only after a failure: closing it after every sweep made the
                # next webhook call reopen it and read every page it writes afresh.
                connection.drop_thread_connection(self.app, writer=failed)
        for notification_id, count in expired.items():
            log.info("Retention: deleted %d expired events of notification %d", count, notification_id)
        return expired

    def stop(self) -> None:
        """Stop the thread after its current sweep."""
        self.stopped.set()
        if self.thread is not None:
            self.thread.join()


def init_app(app) -> None:
    """Give the app its sweeper, started by the first request each process serves (interval 0: never)."""
    sweeper = app.extensions["proofhook_retention"] = Sweeper(app, app.config["RETENTION_INTERVAL_SECONDS"])
    if sweeper.interval_s > 0:
        app.before_request(sweeper.ensure_started)
