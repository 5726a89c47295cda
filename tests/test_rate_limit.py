"""The per-notification rate limit: counted in the database, shared by every worker."""
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import pytest
import requests

from helpers import ADMIN_TOKEN, ONE_WINDOW_SECONDS, stored, webhook_path
from servers import gunicorn, served_env
from webhook import config, create_app
from webhook.storage import counter_store
from webhook.vocabulary import now_ms


@pytest.fixture
def limited(app_config):
    """Return an app that allows 5 calls per notification in one window that no test run crosses."""
    return create_app({**app_config, "RATE_LIMIT": 5, "RATE_LIMIT_WINDOW_SECONDS": ONE_WINDOW_SECONDS})


def count(app, sql: str) -> int:
    """Return the single number a query gives, on the app's database."""
    return next(iter(stored(app, sql)[0].values()))


def make(client, name="n"):
    """Create a stream notification through the API."""
    answer = client.post("/api/notifications", json={"name": name, "type": "stream"},
                         headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    return answer.get_json()


def test_calls_over_the_limit_are_429_with_retry_after_and_store_nothing(limited):
    client = limited.test_client()
    notification = make(client)
    answers = [client.post(webhook_path(notification), json={"email": f"u{i}@example.com"}) for i in range(8)]
    assert [a.status_code for a in answers] == [201] * 5 + [429] * 3
    over = answers[-1]
    assert over.get_json()["code"] == 429 and "nothing was stored" in over.get_json()["message"]
    window_ms = ONE_WINDOW_SECONDS * 1000
    until_next_window_s = (window_ms - now_ms() % window_ms) / 1000
    assert abs(int(over.headers["Retry-After"]) - until_next_window_s) <= 2
    assert count(limited, "SELECT COUNT(*) FROM events") == 5


def test_each_notification_has_its_own_limit(limited):
    client = limited.test_client()
    first, second = make(client, "a"), make(client, "b")
    for _ in range(6):
        client.post(webhook_path(first), json={"email": "a@example.com"})
    assert client.post(webhook_path(first), json={"email": "a@example.com"}).status_code == 429
    assert client.post(webhook_path(second), json={"email": "b@example.com"}).status_code == 201


def test_invalid_and_unsigned_calls_count_too(limited):
    client = limited.test_client()
    notification = make(client)
    for _ in range(5):
        assert client.post(webhook_path(notification), data=b"{junk", content_type="application/json").status_code == 400
    assert client.post(webhook_path(notification), json={"email": "a@example.com"}).status_code == 429


def test_a_new_window_starts_afresh_and_prunes_the_old_ones(limited):
    client = limited.test_client()
    notification = make(client)
    with limited.app_context():
        window_ms = ONE_WINDOW_SECONDS * 1000
        old_window = now_ms() // window_ms * window_ms - 2 * window_ms
        for _ in range(50):
            counter_store.count_webhook_call(notification["id"], old_window)
    assert client.post(webhook_path(notification), json={"email": "a@example.com"}).status_code == 201
    rows = count(limited, "SELECT COUNT(*) FROM rate_counters")
    assert rows == 1


def test_zero_disables_the_limit_and_touches_no_counter(app_config):
    app = create_app({**app_config, "RATE_LIMIT": 0})
    client = app.test_client()
    notification = make(client)
    for i in range(30):
        assert client.post(webhook_path(notification), json={"email": f"u{i}@example.com"}).status_code == 201
    assert count(app, "SELECT COUNT(*) FROM rate_counters") == 0


def test_deleting_a_notification_drops_its_counters(limited, admin_headers):
    client = limited.test_client()
    notification = make(client)
    client.post(webhook_path(notification), json={"email": "a@example.com"})
    client.delete(f"/api/notifications/{notification['id']}", headers=admin_headers)
    assert count(limited, "SELECT COUNT(*) FROM rate_counters") == 0


@pytest.mark.slow
def test_the_limit_is_shared_by_gunicorn_workers(tmp_path, geoip_path):
    database, log = tmp_path / "served.sqlite3", tmp_path / "access.log"
    # One window for the whole test (the next one begins in 2033): every call counts against the same 20.
    env = served_env(database, geoip_path, RATE_LIMIT=20, RATE_LIMIT_WINDOW_SECONDS=ONE_WINDOW_SECONDS)
    # The access log names the worker (pid) that answered each call.
    logging = ("--access-logfile", str(log), "--access-logformat", "%(p)s %(s)s %(U)s")
    with gunicorn(env, workers=2, extra_args=logging) as (base, _process):
        auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        url = requests.post(f"{base}/api/notifications", json={"name": "n", "type": "stream"}, headers=auth,
                            timeout=30).json()["webhook_url"]

        def call(i: int) -> int:
            """Post one event; return the status code."""
            return requests.post(url, json={"email": f"u{i}@example.com"}, timeout=30).status_code

        def workers_that_answered() -> set[str]:
            """Return the pids in the access log that answered a webhook call."""
            return {line.split()[0] for line in log.read_text().splitlines() if "/webhooks/" in line}

        # Which worker accepts a connection is the kernel's choice, and now and then one takes a whole batch:
        # keep calling (over the limit by then) until both have answered, so the other worker's 429s show it
        # saw the first one's counts.
        statuses = []
        with ThreadPoolExecutor(max_workers=8) as pool:
            while len(statuses) < 400 and (len(statuses) < 40 or len(workers_that_answered()) < 2):
                statuses += pool.map(call, range(len(statuses), len(statuses) + 40))
    assert len(workers_that_answered()) == 2, "both workers should have taken calls"
    assert sorted(statuses) == [201] * 20 + [429] * (len(statuses) - 20)
    with closing(sqlite3.connect(database)) as served:
        assert served.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 20
        assert served.execute("SELECT SUM(count) FROM rate_counters").fetchone()[0] == len(statuses)


@pytest.mark.parametrize("seconds", ["0", "-60"])
def test_a_window_of_no_seconds_stops_the_start_instead_of_failing_every_call(monkeypatch, tmp_path, seconds):
    monkeypatch.setenv("PROOFHOOK_RATE_LIMIT_WINDOW_SECONDS", seconds)
    with pytest.raises(SystemExit, match="PROOFHOOK_RATE_LIMIT_WINDOW_SECONDS must be"):
        config.load(str(tmp_path), {"ADMIN_TOKEN": ADMIN_TOKEN, "SECRET_KEY": "k", "DATABASE_URL": ""})
