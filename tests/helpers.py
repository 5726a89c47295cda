"""Small helpers the test modules share."""
import re
from contextlib import closing
from urllib.parse import urlsplit

from webhook.db import open_database, target

ADMIN_TOKEN = "test-admin-token-0123456789"


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


def stored(app, sql: str = "SELECT * FROM events", params=()) -> list[dict]:
    """Read the app's database directly, on a connection of its own, as another process would."""
    with closing(open_database(target(app.config), app.config)) as conn:
        return [dict(row) for row in conn.execute(sql, params)]
