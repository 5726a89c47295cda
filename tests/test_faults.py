"""A locked, full or read-only database: the webhook answers 503 with Retry-After, stores nothing half-way,
and works again once the fault is gone."""
import os
import sqlite3
import threading
import time

import pytest

from faults import CannotMount, fill, remount, small_disk
from webhook.storage.connection import drop_thread_connection
from helpers import ADMIN_TOKEN, webhook_path
from webhook import create_app
from webhook.storage.connection import connect, transaction

EVENT = {"email": "jo.king@example.com", "productName": "Hat"}

# Faults of an SQLite file: locks, a full or read-only disk, a failing COMMIT.
pytestmark = pytest.mark.backends("sqlite")


def stored(path) -> tuple[int, str]:
    """Return (events stored, integrity check) read through a fresh connection."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT COUNT(*) FROM events").fetchone()[0], conn.execute(
            "PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def assert_unavailable(response, words: tuple[str, ...]):
    """Check a 503 in the one shape, with Retry-After and a message that names the fault."""
    assert response.status_code == 503, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == 503 and "nothing was stored" in body["message"]
    assert any(word in body["message"] for word in words), body["message"]
    assert response.headers["Retry-After"] == "5"


def test_a_locked_database_waits_then_answers_503_and_then_works_again(app_config):
    app = create_app({**app_config, "BUSY_TIMEOUT_MS": 200})
    client = app.test_client()
    stream = client.post("/api/notifications", json={"name": "n", "type": "stream"},
                         headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).get_json()
    holder = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holding the write lock, for longer than the timeout
    started = time.monotonic()
    response = client.post(webhook_path(stream), json=EVENT)
    waited = time.monotonic() - started
    assert_unavailable(response, ("busy",))
    assert 0.2 <= waited < 3, waited  # it waited for the lock, then gave up within a bound
    holder.rollback()
    assert client.post(webhook_path(stream), json=EVENT).status_code == 201
    assert stored(app.config["DATABASE"]) == (1, "ok")


def test_a_lock_released_within_the_timeout_is_waited_for(app_config):
    app = create_app({**app_config, "BUSY_TIMEOUT_MS": 3000})
    client = app.test_client()
    stream = client.post("/api/notifications", json={"name": "n", "type": "stream"},
                         headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).get_json()
    holder = sqlite3.connect(app.config["DATABASE"], isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(0.3, holder.rollback).start()
    assert client.post(webhook_path(stream), json=EVENT).status_code == 201


def test_a_failure_at_commit_rolls_everything_back(tmp_path):
    conn = connect(str(tmp_path / "commit.sqlite3"))
    conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    # A deferred foreign key is checked at COMMIT: a real error raised by the commit itself.
    conn.execute("CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id BIGINT"
                 " REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)")
    with pytest.raises(sqlite3.IntegrityError):
        with transaction(conn):
            conn.execute("INSERT INTO parent (id) VALUES (1)")
            conn.execute("INSERT INTO child (parent_id) VALUES (2)")
    assert not conn.in_transaction
    assert conn.execute("SELECT COUNT(*) FROM parent").fetchone()[0] == 0
    with transaction(conn):  # and the connection is usable for the next transaction
        conn.execute("INSERT INTO parent (id) VALUES (1)")
    assert conn.execute("SELECT COUNT(*) FROM parent").fetchone()[0] == 1


@pytest.fixture
def disk(tmp_path):
    """Mount a 4 MiB tmpfs for the database, or skip saying why."""
    try:
        with small_disk(tmp_path / "disk") as mounted:
            yield mounted
    except CannotMount as reason:
        pytest.skip(f"needs a tmpfs mount (run as root): {reason}")


@pytest.fixture
def disk_app(disk, app_config):
    """An app whose database lives on the small disk, and a stream notification in it."""
    app = create_app({**app_config, "DATABASE": str(disk / "proofhook.sqlite3")})
    client = app.test_client()
    stream = client.post("/api/notifications", json={"name": "n", "type": "stream"},
                         headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).get_json()
    return app, client, webhook_path(stream)


def test_a_full_disk_answers_503_corrupts_nothing_and_service_resumes(disk, disk_app):
    app, client, path = disk_app
    assert client.post(path, json=EVENT).status_code == 201
    filler = fill(disk)
    big = {**EVENT, "productName": "x" * 300, "city": "y" * 200}
    answers = [client.post(path, json={**big, "email": f"u{i}@example.com"}) for i in range(20)]
    assert_unavailable(answers[-1], ("full",))
    assert {a.status_code for a in answers} <= {201, 503}
    filler.unlink()  # (on a full tmpfs even a new reader fails: its -shm needs a page)
    count, integrity = stored(app.config["DATABASE"])
    assert integrity == "ok" and count == 1 + sum(a.status_code == 201 for a in answers)
    assert client.post(path, json={**EVENT, "email": "after@example.com"}).status_code == 201
    assert stored(app.config["DATABASE"]) == (count + 1, "ok")


def test_a_read_only_database_answers_503_and_service_resumes(disk, disk_app):
    app, client, path = disk_app
    assert client.post(path, json=EVENT).status_code == 201
    with app.app_context():
        drop_thread_connection(app)  # a writer's open file would make the remount wait (EBUSY) for ever
    remount(disk, "ro")
    try:
        response = client.post(path, json={**EVENT, "email": "ro@example.com"})
    finally:
        remount(disk, "rw")
    assert_unavailable(response, ("read-only", "can't be opened"))
    assert client.post(path, json={**EVENT, "email": "rw@example.com"}).status_code == 201
    assert stored(app.config["DATABASE"]) == (2, "ok")


def test_a_503_is_logged_for_the_owner_without_the_webhook_token(app_config, caplog):
    app = create_app({**app_config, "BUSY_TIMEOUT_MS": 50})
    client = app.test_client()
    stream = client.post("/api/notifications", json={"name": "n", "type": "stream"},
                         headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).get_json()
    holder = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    assert client.post(webhook_path(stream), json=EVENT).status_code == 503
    holder.rollback()
    assert "Answered 503 to POST /webhooks/<token>: SQLite says 'database is locked'" in caplog.text
    assert webhook_path(stream).rsplit("/", 1)[1] not in caplog.text


@pytest.mark.parametrize("fault", ["deleted", "replaced"])
def test_a_database_file_deleted_or_replaced_under_the_server_answers_503(app_config, caplog, fault):
    app = create_app(app_config)
    client = app.test_client()
    stream = client.post("/api/notifications", json={"name": "n", "type": "stream"},
                         headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).get_json()
    assert client.post(webhook_path(stream), json=EVENT).status_code == 201
    path = app.config["DATABASE"]
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    if fault == "replaced":
        with open(path, "w") as other:
            other.write("not a database\n")
    for _ in range(3):
        response = client.post(webhook_path(stream), json=EVENT)
        assert_unavailable(response, ("can't be opened",))
    assert f"{path} was {'deleted' if fault == 'deleted' else 'replaced'}" in caplog.text
