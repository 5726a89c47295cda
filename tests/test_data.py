"""Keeping data tidy: `events purge`, `events erase` (GDPR) and `db backup` while the server writes."""
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from helpers import post_event, stored, webhook_path
from webhook.storage import event_purge

DAY_S = 86_400


def emails(app) -> list[str | None]:
    """Return the stored events' emails, oldest id first."""
    return [row["email"] for row in stored(app, "SELECT email FROM events ORDER BY id")]


# --- purge -------------------------------------------------------------------------------------


def test_purge_deletes_events_older_than_the_age_by_their_timestamp(client, runner, app, stream, conversion):
    now = time.time()
    for email, age_days in [("old1@example.com", 200), ("old2@example.com", 91), ("edge@example.com", 89),
                            ("new@example.com", 0)]:
        post_event(client, stream, {"email": email, "timestamp": int(now - age_days * DAY_S)})
    post_event(client, conversion, {"timestamp": int(now - 120 * DAY_S)})
    result = runner.invoke(args=["events", "purge", "--older-than", "90d"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Deleted 3 events from before ")
    assert emails(app) == ["edge@example.com", "new@example.com"]


def test_purge_takes_hours_and_many_batches(client, runner, app, stream, monkeypatch):
    monkeypatch.setattr(event_purge, "DELETE_BATCH", 3)  # several small transactions, as a big purge makes
    now = time.time()
    for i in range(10):
        post_event(client, stream, {"email": f"u{i}@example.com", "timestamp": int(now - 13 * 3600)})
    post_event(client, stream, {"email": "recent@example.com", "timestamp": int(now - 11 * 3600)})
    result = runner.invoke(args=["events", "purge", "--older-than", "12h"])
    assert "Deleted 10 events" in result.output
    assert emails(app) == ["recent@example.com"]


@pytest.mark.parametrize("age", ["90", "90x", "d", "-5d", "1e3d", ""])
def test_purge_refuses_an_age_it_cannot_read(runner, age):
    result = runner.invoke(args=["events", "purge", "--older-than", age])
    assert result.exit_code == 2 and "like 90d or 12h" in result.output


# --- erase -------------------------------------------------------------------------------------


def test_erase_deletes_every_event_holding_the_email_wherever_it_is(client, runner, app, stream, conversion):
    post_event(client, stream, {"email": "Jo.King@example.com", "productName": "Hat"})  # stored as sent, domain lowered
    post_event(client, stream, {"customer": {"contact": {"mail": "JO.KING@EXAMPLE.COM"}}})  # found nested, any case
    post_event(client, stream, {"email": "other@example.com", "note": "Referred by jo.king@example.com."})  # in a text
    post_event(client, conversion, {"email": "jo.king@example.com"})  # a conversion keeps its raw payload too
    post_event(client, stream, {"email": "jo.kingston@example.org", "productName": "Keep"},
               headers={"Idempotency-Key": "k"})
    post_event(client, stream, {"email": "bojo.king@example.com"})  # longer addresses that contain it are someone else
    post_event(client, stream, {"email": "jo.king@example.com.au"})
    post_event(client, stream, {"email": "someone@example.com"})
    result = runner.invoke(args=["events", "erase", "--email", " Jo.King@EXAMPLE.com "])
    assert result.exit_code == 0, result.output
    assert result.output == "Erased 4 events holding Jo.King@example.com.\n"
    assert emails(app) == ["jo.kingston@example.org", "bojo.king@example.com", "jo.king@example.com.au",
                           "someone@example.com"]
    # Overwritten, not just unlinked: the address is nowhere in the database files any more.
    for path in Path(app.config["DATABASE"]).parent.glob("proofhook.sqlite3*"):
        # What is left: bojo… and ….au, each in its email column and its raw payload.
        assert path.read_bytes().lower().count(b"jo.king@example.com") in (0, 4), path


def test_erase_of_an_unknown_email_erases_nothing(client, runner, app, stream):
    post_event(client, stream, {"email": "someone@example.com"})
    result = runner.invoke(args=["events", "erase", "--email", "nobody@example.com"])
    assert result.output == "Erased 0 events holding nobody@example.com.\n"
    assert emails(app) == ["someone@example.com"]


def test_erase_refuses_what_is_not_an_email(runner):
    result = runner.invoke(args=["events", "erase", "--email", "jo king"])
    assert result.exit_code == 2 and "not an email address" in result.output


# --- backup ------------------------------------------------------------------------------------


@pytest.mark.backends("sqlite")  # SQLite's online backup API; PostgreSQL has pg_dump
def test_backup_while_the_server_writes_is_a_sound_consistent_copy(app, stream, runner, tmp_path):
    app.config["RATE_LIMIT"] = 0  # the writers post as fast as they can, far past 600 a minute
    stop, written, errors = threading.Event(), [], []

    def writer(n: int):
        """Post events until told to stop, noting each answer."""
        client = app.test_client()
        i = 0
        while not stop.is_set():
            response = client.post(webhook_path(stream), json={"email": f"w{n}-{i}@example.com"})
            (written if response.status_code == 201 else errors).append(response.status_code)
            i += 1

    writers = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for thread in writers:
        thread.start()
    try:
        time.sleep(0.3)
        copies = []
        for k in range(3):
            target = tmp_path / f"backup-{k}.sqlite3"
            result = runner.invoke(args=["db", "backup", str(target)])
            assert result.exit_code == 0 and "integrity ok" in result.output, result.output
            copies.append(target)
            time.sleep(0.1)
    finally:
        stop.set()
        for thread in writers:
            thread.join()
    assert errors == [] and len(written) > 0
    counts = []
    for copy in copies:
        conn = sqlite3.connect(copy)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counts.append(conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])
        assert conn.execute("SELECT COUNT(*) FROM notifications").fetchone()[0] == 1
        conn.close()
    assert counts == sorted(counts) and 0 < counts[0] and counts[-1] <= len(written)


@pytest.mark.backends("sqlite")  # SQLite's online backup API; PostgreSQL has pg_dump
def test_a_backup_restores_as_a_working_database(app, client, stream, runner, tmp_path, app_config):
    post_event(client, stream, {"email": "kept@example.com"})
    target = tmp_path / "copy.sqlite3"
    assert runner.invoke(args=["db", "backup", str(target)]).exit_code == 0
    from webhook import create_app

    restored = create_app({**app_config, "DATABASE": str(target)})
    assert emails(restored) == ["kept@example.com"]
    assert restored.test_client().post(webhook_path(stream), json={"email": "new@example.com"}).status_code == 201


@pytest.mark.backends("sqlite")  # SQLite's online backup API; PostgreSQL has pg_dump
def test_backup_will_not_overwrite_a_file_unless_forced(runner, tmp_path):
    target = tmp_path / "exists.sqlite3"
    target.write_bytes(b"precious")
    result = runner.invoke(args=["db", "backup", str(target)])
    assert result.exit_code == 2 and "--force" in result.output and target.read_bytes() == b"precious"
    assert runner.invoke(args=["db", "backup", "--force", str(target)]).exit_code == 0
    assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.backends("postgres")
def test_backup_on_postgresql_points_to_pg_dump(runner, tmp_path):
    result = runner.invoke(args=["db", "backup", str(tmp_path / "copy.sqlite3")])
    assert result.exit_code != 0 and "pg_dump" in result.output
    assert not (tmp_path / "copy.sqlite3").exists()
