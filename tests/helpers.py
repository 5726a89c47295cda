"""Small helpers the test modules share."""
import json
import re
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

from webhook.storage.connection import open_database, target

ADMIN_TOKEN = "test-admin-token-0123456789"
# A rate-limit window no test straddles: windows start at multiples of it since 1970, the next in May 2033.
ONE_WINDOW_SECONDS = 10**9


def webhook_path(notification: dict) -> str:
    """Return the path part of a notification's webhook URL."""
    return urlsplit(notification["webhook_url"]).path


def post(client, notification, query: str = "", **kwargs):
    """POST to a notification's webhook (with a query string, if given); return the answer."""
    return client.post(webhook_path(notification) + query, **kwargs)


def post_event(client, notification, payload: dict, **kwargs) -> dict:
    """POST an event's JSON to a notification's webhook, insist it was stored, and return the stored event."""
    response = post(client, notification, json=payload, **kwargs)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["event"]


def post_bytes(client, notification, headers: dict, body: bytes, query: str = ""):
    """POST body bytes to a notification's webhook, as JSON unless the headers say otherwise; return the answer."""
    return post(client, notification, query, data=body, headers={"Content-Type": "application/json", **headers})


def csrf_token_from(html: str) -> str:
    """Return the CSRF token embedded in a page's form."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(client) -> None:
    """Log the test client in through the real login form."""
    page = client.get("/login")
    response = client.post("/login", data={"token": ADMIN_TOKEN, "csrf_token": csrf_token_from(page.text)})
    assert response.status_code == 302


FIXTURES = Path(__file__).parent / "fixtures"
PLATFORM_FIXTURES = FIXTURES / "platforms"


def platform_fixture(name: str) -> dict:
    """Return a recorded platform webhook (a .json fixture): its "headers" and "body"."""
    return json.loads((PLATFORM_FIXTURES / name).read_text())


def platform_request(name: str) -> tuple[dict, bytes]:
    """Return a platform fixture as it goes over the wire: its headers and the raw body bytes."""
    path = PLATFORM_FIXTURES / name
    if path.suffix == ".json":
        fixture = platform_fixture(name)
        return dict(fixture["headers"]), json.dumps(fixture["body"]).encode()
    head, _, body = path.read_text().partition("\n\n")
    return dict(line.split(": ", 1) for line in head.splitlines()), body.strip().encode()


def made_recent(body: bytes) -> bytes:
    """Move every date in a fixture body to a minute ago, so its order falls inside the feed's window."""
    now = time.time() - 60
    iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now))
    # ISO dates in JSON or URL-encoded forms (`:` may be `%3A`, the space `+`), then Stripe's epoch seconds.
    body = re.sub(rb"\d{4}-\d\d-\d\d[T +]\d\d(:|%3A)\d\d(:|%3A)\d\d(\.\d+)?(Z|[+-]\d\d(:|%3A)\d\d)?",
                  (iso + "Z").encode(), body)
    def epoch(match):
        """Replace epoch seconds or milliseconds, keeping the unit."""
        value = int(now * 1000) if len(match.group(2)) == 13 else int(now)
        return match.group(1) + str(value).encode()

    return re.sub(rb'("(?:created|timestamp)": )(\d{13}|\d{10})\b', epoch, body)


def stored(app, sql: str = "SELECT * FROM events", params=()) -> list[dict]:
    """Read the app's database directly, on a connection of its own, as another process would."""
    with closing(open_database(target(app.config), app.config)) as conn:
        return [dict(row) for row in conn.execute(sql, params)]
