"""Small helpers the test modules share."""
import json
import re
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

from webhook.storage.db import open_database, target

ADMIN_TOKEN = "test-admin-token-0123456789"
# A rate-limit window no test straddles: windows start at multiples of it since 1970, the next in May 2033.
ONE_WINDOW_SECONDS = 10**9


def webhook_path(notification: dict) -> str:
    """Return the path part of a notification's webhook URL."""
    return urlsplit(notification["webhook_url"]).path


def csrf_token_from(html: str) -> str:
    """Return the CSRF token embedded in a page's form."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(client) -> None:
    """Log the test client in through the real login form."""
    page = client.get("/login")
    response = client.post("/login", data={"token": ADMIN_TOKEN, "csrf_token": csrf_token_from(page.text)})
    assert response.status_code == 302


PLATFORM_FIXTURES = Path(__file__).parent / "fixtures" / "platforms"


def platform_request(name: str) -> tuple[dict, bytes]:
    """Return a platform fixture as it goes over the wire: its headers and the raw body bytes."""
    path = PLATFORM_FIXTURES / name
    if path.suffix == ".json":
        fixture = json.loads(path.read_text())
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
