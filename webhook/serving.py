"""The gunicorn worker of `make run`: gevent's, with a deadline on each request body as gunicorn puts on its head."""
import time

import gevent
from gunicorn.workers.ggevent import GeventWorker
from werkzeug.exceptions import RequestTimeout

# A body must arrive within twice the time its head may take (gunicorn's `keepalive`), plus time per byte at
# 64 KiB/s: a webhook sender or a form on a slow phone link stays well inside it; a client trickling bytes to
# hold a connection does not.
BODY_BYTES_PER_SECOND = 64 * 1024


def body_seconds(head_seconds: float, content_length: str | None) -> float:
    """Return how long a request may take to send its body: twice its head's allowance, plus its length's time."""
    length = int(content_length) if content_length and content_length.isdigit() else 0
    return 2 * head_seconds + length / BODY_BYTES_PER_SECOND


class DeadlineBody:
    """A request body that refuses to wait past its deadline: a read after it raises 408 Request Timeout."""

    def __init__(self, req, seconds: float):
        """Wrap a gunicorn request's body reader, to be read within `seconds` from now."""
        self.req = req
        self.body = req.body
        self.deadline = time.monotonic() + seconds

    def within_deadline(self, read, *args):
        """Run one read of the body, or raise RequestTimeout when the deadline passes first."""
        left = self.deadline - time.monotonic()
        if left > 0:
            with gevent.Timeout(left, False):
                return read(*args)
        self.req.must_close = True  # what is left of the body is not worth waiting for
        raise RequestTimeout("The request body arrived too slowly; nothing was read. Send it at once.")

    def read(self, size=None):
        """Read up to `size` bytes (all, without one)."""
        return self.within_deadline(self.body.read, size)

    def readline(self, size=None):
        """Read one line."""
        return self.within_deadline(self.body.readline, size)

    def readlines(self, size=None):
        """Read the lines that are left."""
        return self.within_deadline(self.body.readlines, size)

    def __iter__(self):
        """Iterate over lines, each within the deadline."""
        return iter(self.readline, b"")


class Worker(GeventWorker):
    """gevent's worker: a waiting client costs a greenlet, not a thread; a slow body is cut off at its deadline."""

    def handle_request(self, listener_name, req, sock, addr):
        """Serve one request with its body behind a deadline; gunicorn drains what is left with its own."""
        body = req.body
        length = next((value for name, value in req.headers if name == "CONTENT-LENGTH"), None)
        req.body = DeadlineBody(req, body_seconds(self.cfg.keepalive, length))
        try:
            return super().handle_request(listener_name, req, sock, addr)
        finally:
            req.body = body
            # A kept-alive client that sends its next request at once would be read without a wait, so without
            # a turn given here one fast connection could keep the loop to itself (every other client's p99 grew).
            gevent.sleep(0)
