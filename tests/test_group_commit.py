"""Group commit: threads' write jobs share one SQLite transaction, and each still learns its own outcome."""
import fcntl
import gc
import os
import sqlite3
import threading
import time
from contextlib import closing

import pytest

from helpers import ADMIN_TOKEN, stored, webhook_path
from webhook import create_app
from webhook.storage import connection
from webhook.storage.group_commit import GroupCommit

@pytest.fixture
def database(tmp_path) -> str:
    """Return a fresh SQLite file with a plain table and one whose foreign key is checked only at commit."""
    path = str(tmp_path / "jobs.sqlite3")
    with closing(connection.connect(path)) as conn:
        conn.executescript(
            "CREATE TABLE items (name TEXT PRIMARY KEY);"
            "CREATE TABLE parents (id INTEGER PRIMARY KEY);"
            "CREATE TABLE children (id INTEGER PRIMARY KEY,"
            " parent_id INTEGER REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED);"
        )
    return path


def names(path: str) -> list[str]:
    """Return the stored item names, read through a connection of its own."""
    with closing(connection.connect(path)) as conn:
        return sorted(row[0] for row in conn.execute("SELECT name FROM items"))


def insert(name: str):
    """Return a job that stores one item and answers with the connection it ran on."""

    def job(conn):
        """Store the item."""
        conn.execute("INSERT INTO items (name) VALUES (?)", (name,))
        return conn

    return job


class Caller(threading.Thread):
    """A request thread: its own connection, one job handed to the group commit, its outcome kept."""

    def __init__(self, group: GroupCommit, path: str, job):
        """Prepare to run `job` through `group` on a connection of this thread's own."""
        super().__init__()
        self.group, self.path, self.job = group, path, job
        self.result = self.error = None
        self.conn = None

    def run(self) -> None:
        """Run the job and keep what came of it."""
        self.conn = connection.connect(self.path)
        commits = []
        self.conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
        self.commits = commits
        try:
            self.result = self.group.run(self.conn, self.job)
        except Exception as exc:  # the outcome under test
            self.error = exc


def hold_the_lead(group: GroupCommit, path: str, then_queued: int):
    """Start a leader whose job waits until `then_queued` more jobs have queued behind its commit."""
    started = threading.Event()

    def slow_job(conn):
        """Store an item, then wait for the others to queue."""
        started.set()
        deadline = time.monotonic() + 10
        while len(group._queued) < then_queued and time.monotonic() < deadline:
            time.sleep(0.001)
        return insert("first")(conn)

    leader = Caller(group, path, slow_job)
    leader.start()
    assert started.wait(10)
    return leader


def queue_behind_a_commit(database: str, jobs) -> tuple[Caller, list[Caller]]:
    """Run `jobs` from threads of their own, all queued while a leader's commit is under way; return all callers."""
    group = GroupCommit(connection.transaction, 5)
    leader = hold_the_lead(group, database, then_queued=len(jobs))
    callers = [Caller(group, database, job) for job in jobs]
    for caller in callers:
        caller.start()
    for thread in (leader, *callers):
        thread.join(10)
    return leader, callers


@pytest.mark.backends("sqlite")
def test_jobs_queued_during_a_commit_share_the_next_and_a_failing_job_fails_alone(database):
    def fails_after_writing(conn):
        """Write, then fail: its write must be undone and the others kept."""
        conn.execute("INSERT INTO items (name) VALUES ('never')")
        raise ValueError("this job went wrong")

    leader, callers = queue_behind_a_commit(database, [insert("b"), fails_after_writing, insert("c")])
    ok_b, failed, ok_c = callers
    assert isinstance(failed.error, ValueError) and ok_b.error is None and ok_c.error is None
    assert names(database) == ["b", "c", "first"]
    # The three queued jobs ran in one transaction, on one of their own connections, with one COMMIT.
    assert ok_b.result is ok_c.result and ok_b.result in {c.conn for c in callers}
    commits = [len(c.commits) for c in (leader, *callers)]
    assert commits[0] == 1 and sorted(commits[1:]) == [0, 0, 1]


@pytest.mark.backends("sqlite")
def test_a_failed_commit_fails_every_job_in_it_and_stores_none_of_them(database):
    def orphan(conn):
        """Insert a child whose parent doesn't exist: accepted now, refused when the transaction commits."""
        conn.execute("INSERT INTO children (id, parent_id) VALUES (1, 99)")

    leader, callers = queue_behind_a_commit(database, [insert("innocent"), orphan])
    assert leader.error is None
    assert all(isinstance(c.error, sqlite3.IntegrityError) for c in callers)
    assert names(database) == ["first"]


def test_webhook_calls_from_many_threads_are_each_stored_once(app, client, stream):
    path = webhook_path(stream)
    answers, lock = [], threading.Lock()

    def send(thread: int) -> None:
        """Post a series of events from one thread, as concurrent senders do."""
        own = app.test_client()
        for i in range(15):
            response = own.post(path, json={"email": f"t{thread}n{i}@example.com", "orderId": f"{thread}-{i}"})
            with lock:
                answers.append((response.status_code, response.get_json()["event"]["id"]))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert {status for status, _id in answers} == {201} and len(answers) == 120
    assert len({event_id for _status, event_id in answers}) == 120
    rows = stored(app)
    assert sorted(row["id"] for row in rows) == sorted(event_id for _status, event_id in answers)


@pytest.mark.backends("sqlite")
def test_a_dropped_group_commit_closes_its_lock_file(database):
    def open_files() -> set[str]:
        """Return what this process's file descriptors point at."""
        found = set()
        for fd in os.listdir("/proc/self/fd"):
            try:
                found.add(os.readlink(f"/proc/self/fd/{fd}"))
            except OSError:
                pass  # closed while listing
        return found

    lock_file = f"{database}-writer.lock"
    with closing(connection.connect(database)) as conn:
        group = GroupCommit(connection.transaction, 5)
        group.run(conn, insert("a"))
        assert lock_file in open_files()
        del group
        gc.collect()
    assert lock_file not in open_files() and names(database) == ["a"]


@pytest.fixture
def writers_lock_held(database):
    """Hold the database's writer lock file as another process's leader in the middle of a commit would."""
    descriptor = os.open(f"{database}-writer.lock", os.O_RDONLY | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)  # another open file: it excludes this process's own opens too
    yield
    os.close(descriptor)


@pytest.mark.backends("sqlite")
def test_a_turn_not_given_within_the_timeout_fails_the_jobs_queued_for_it_at_once(database, writers_lock_held):
    group = GroupCommit(connection.transaction, 0.5)
    leader = Caller(group, database, insert("first"))
    started = time.monotonic()
    leader.start()
    while not group._leading:
        time.sleep(0.001)
    callers = [Caller(group, database, insert(name)) for name in ("b", "c")]
    for caller in callers:
        caller.start()
    for thread in (leader, *callers):
        thread.join(10)
    waited = time.monotonic() - started
    assert all(isinstance(c.error, sqlite3.OperationalError) and "locked" in str(c.error) for c in (leader, *callers))
    # One busy timeout for all three, not one after another.
    assert waited < 1.0, waited
    assert names(database) == []


@pytest.mark.backends("sqlite")
def test_a_webhook_that_cannot_get_its_turn_answers_503_and_stores_nothing(app_config):
    app = create_app({**app_config, "BUSY_TIMEOUT_MS": 300})
    client = app.test_client()
    stream = client.post("/api/notifications", json={"name": "n", "type": "stream"},
                         headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).get_json()
    descriptor = os.open(f"{app.config['DATABASE']}-writer.lock", os.O_RDONLY | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        busy = client.post(webhook_path(stream), json={"email": "busy@example.com"})
    finally:
        os.close(descriptor)
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
    assert "busy" in busy.get_json()["message"]
    assert stored(app) == []
    assert client.post(webhook_path(stream), json={"email": "later@example.com"}).status_code == 201
    assert [row["email"] for row in stored(app)] == ["later@example.com"]


@pytest.mark.backends("sqlite")
def test_the_writes_of_all_threads_run_on_one_writer_connection_closed_when_dropped(app):
    def write_from_a_thread() -> tuple:
        """Write from a thread of its own; return the connection the job ran on and the thread's own."""
        found = {}

        def run() -> None:
            """Run one write job in an app context, as a request thread does."""
            with app.app_context():
                found["writer"] = connection.write(lambda conn: conn)
                found["own"] = connection.get_db()

        thread = threading.Thread(target=run)
        thread.start()
        thread.join(10)
        return found["writer"], found["own"]

    (first, first_own), (second, second_own) = write_from_a_thread(), write_from_a_thread()
    assert first is second and first is not first_own and first is not second_own
    with app.app_context():
        connection.drop_thread_connection(app)
    with pytest.raises(sqlite3.ProgrammingError):
        first.execute("SELECT 1")  # closed: a disk can be remounted, a fork finds no connection open
    assert write_from_a_thread()[0] is not first


@pytest.mark.backends("sqlite")
def test_a_retention_sweep_keeps_the_process_writer_unless_it_failed(app):
    def writer():
        """Return the connection this process's write jobs run on."""
        with app.app_context():
            return connection.write(lambda conn: conn)

    sweeper = app.extensions["proofhook_retention"]
    first = writer()
    assert sweeper.sweep() == {}
    assert writer() is first and first.execute("SELECT 1").fetchone()[0] == 1
    sweeper.clock = lambda: 1 / 0  # a sweep that fails lets the writer go: it may have been opened in an outage
    assert sweeper.sweep() == {}
    assert writer() is not first


@pytest.mark.backends("sqlite")
def test_a_threads_own_connection_has_a_small_page_cache_and_the_writer_sqlites_default(app):
    # A thread's (a greenlet's) cache is emptied by every commit of the writer; the writer's stays warm.
    with app.app_context():
        writer, own = connection.write(lambda conn: conn), connection.get_db()
        assert own.execute("PRAGMA cache_size").fetchone()[0] == -connection.READER_CACHE_KIB
        assert writer.execute("PRAGMA cache_size").fetchone()[0] == -2000
