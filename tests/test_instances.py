"""Several gunicorn instances sharing one PostgreSQL database: nothing correct depends on which one answers."""
import itertools
import queue
import threading
from collections import Counter
from contextlib import closing

import pytest
import requests

from helpers import ADMIN_TOKEN, ONE_WINDOW_SECONDS, csrf_token_from
from servers import gunicorn
from webhook.storage import connection, maintenance

pytestmark = pytest.mark.postgres
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def post_across(bases: list[str], calls: list[tuple], threads: int = 8) -> Counter:
    """POST each (path, json, headers) call from `threads` clients at once, instance after instance in turn.

    Neighbouring calls go to different instances at nearly the same moment, so calls that race each other (the
    same idempotency key, say) are put next to each other. Returns how many answers each status code got.
    """
    work: queue.Queue = queue.Queue()
    for base, (path, body, headers) in zip(itertools.cycle(bases), calls):
        work.put((base + path, body, headers))
    statuses: Counter = Counter()
    lock = threading.Lock()

    def client() -> None:
        with requests.Session() as session:
            while True:
                try:
                    url, body, headers = work.get_nowait()
                except queue.Empty:
                    return
                status = session.post(url, json=body, headers=headers, timeout=30).status_code
                with lock:
                    statuses[status] += 1

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return statuses


@pytest.fixture
def two_instances(request, postgres_url, geoip_path):
    """Start two gunicorn instances (two workers each) on one new PostgreSQL database; yield their base URLs.

    Parametrize it indirectly with a dict to change their environment, e.g. {"PROOFHOOK_RATE_LIMIT": "30"}.
    """
    env = {
        "PROOFHOOK_DATABASE_URL": postgres_url,
        "PROOFHOOK_ADMIN_TOKEN": ADMIN_TOKEN,
        "PROOFHOOK_SECRET_KEY": "one-secret-for-every-instance",
        "PROOFHOOK_GEOIP_DATABASE": geoip_path,
        # This test is about races between instances; the rate limit gets its own count.
        "PROOFHOOK_RATE_LIMIT": "0",
        **getattr(request, "param", {}),
    }
    with gunicorn(env) as (first, _), gunicorn(env) as (second, _):
        yield [first, second]


def test_two_instances_store_each_event_once_and_count_exactly(two_instances, postgres_url):
    first, second = two_instances
    stream = requests.post(f"{first}/api/notifications", json={"name": "s", "type": "stream"}, headers=AUTH).json()
    conversion = requests.post(f"{second}/api/notifications", json={"name": "c", "type": "conversion"},
                               headers=AUTH).json()
    stream_path = stream["webhook_url"].removeprefix(first)
    conversion_path = conversion["webhook_url"].removeprefix(second)

    keys, repeats, conversions = 40, 3, 60
    keyed = [(stream_path, {"email": f"buyer{k}@example.com", "productName": "Hat"}, {"Idempotency-Key": f"order-{k}"})
             for k in range(keys) for _ in range(repeats)]
    counted = [(conversion_path, {}, {}) for _ in range(conversions)]
    statuses = post_across(two_instances, keyed + counted)

    assert statuses == Counter({201: keys + conversions, 200: keys * (repeats - 1)})
    with closing(connection.open_database(postgres_url)) as conn:
        per_key = conn.execute(
            "SELECT dedup_key, COUNT(*) AS n FROM events WHERE notification_id = ? GROUP BY dedup_key",
            (stream["id"],),
        ).fetchall()
        assert sorted((row["dedup_key"], row["n"]) for row in per_key) == sorted((f"order-{k}", 1) for k in range(keys))
        assert maintenance.count_rows(conn, "events") == keys + conversions
    for base in two_instances:
        counts = {n["id"]: n["event_count"]
                  for n in requests.get(f"{base}/api/notifications", headers=AUTH).json()["notifications"]}
        assert counts == {stream["id"]: keys, conversion["id"]: conversions}


def test_a_session_opened_on_one_instance_is_good_on_the_other(two_instances):
    first, second = two_instances
    browser = requests.Session()
    page = browser.get(f"{first}/login")
    browser.post(f"{first}/login", data={"token": ADMIN_TOKEN, "csrf_token": csrf_token_from(page.text)})
    answer = browser.get(f"{second}/notifications", allow_redirects=False)
    assert answer.status_code == 200 and "csrf_token" in answer.text


# One window for the whole test (the next one begins in 2033): every call counts against the same 30.
@pytest.mark.parametrize("two_instances", [{"PROOFHOOK_RATE_LIMIT": "30",
                                            "PROOFHOOK_RATE_LIMIT_WINDOW_SECONDS": str(ONE_WINDOW_SECONDS)}],
                         indirect=True)
def test_the_rate_limit_holds_across_instances(two_instances):
    first, _second = two_instances
    created = requests.post(f"{first}/api/notifications", json={"name": "c", "type": "conversion"}, headers=AUTH)
    path = created.json()["webhook_url"].removeprefix(first)
    statuses = post_across(two_instances, [(path, {}, {})] * 50)
    assert statuses == Counter({201: 30, 429: 20})
