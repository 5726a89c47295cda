"""The database connection: one per worker thread, reused by its requests; pragmas; the schema migrations."""
import fcntl
import os
import sqlite3
import threading
import weakref
from contextlib import contextmanager, nullcontext
from importlib import resources

import click
from flask import current_app, g
from flask.cli import AppGroup


class WriteLock:
    """One writer at a time per database file, across threads and processes, queued by the kernel."""

    # Without it, concurrent writers meet in SQLite's busy handler, which polls with sleeps of 1, 2, 5,
    # 10 … ms, so a writer that just missed a 0.1 ms transaction waits 1 ms or more, and longer each
    # retry (two processes in a loop of inserts: worst transaction 55–240 ms without, 41–56 ms with it,
    # on a loaded 2-core box). flock waiters wake the moment the lock is free. The thread lock is needed
    # too: flock doesn't exclude threads sharing one open file.
    _open = weakref.WeakValueDictionary()
    _open_lock = threading.Lock()

    def __init__(self, path: str):
        """Open (creating) the lock file beside the database."""
        self._threads = threading.Lock()
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    @classmethod
    def for_database(cls, database: str) -> "WriteLock | None":
        """Return this process's lock for a database file (None for in-memory databases)."""
        if database in ("", ":memory:") or database.startswith("file:"):
            return None
        key = (os.getpid(), os.path.abspath(database))
        with cls._open_lock:
            lock = cls._open.get(key)
            if lock is None:
                lock = cls._open[key] = cls(key[1] + "-writer")
            return lock

    def __enter__(self):
        """Wait until no other thread or process writes."""
        self._threads.acquire()
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise
        return self

    def __exit__(self, *_exc):
        """Let the next writer in."""
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()

    def __del__(self):
        """Close the lock file once no connection uses it."""
        os.close(self._fd)


class Connection(sqlite3.Connection):
    """A connection that carries its database's write lock."""

    write_lock: WriteLock | None = None


def connect(path: str, synchronous: str = "NORMAL", busy_timeout_ms: int = 5000) -> sqlite3.Connection:
    """Open a connection with the pragmas every Proofhook connection needs."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, factory=Connection)
    conn.write_lock = WriteLock.for_database(path)
    conn.row_factory = sqlite3.Row
    # WAL lets feed reads run while a webhook writes; busy_timeout makes writers queue instead of failing.
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def get_db() -> sqlite3.Connection:
    """Return the connection this request uses: its worker thread's own, opened on the thread's first request."""
    if "db" not in g:
        g.db = thread_connection(current_app)
    return g.db


def thread_connection(app) -> sqlite3.Connection:
    """Return this thread's connection for the app's current settings, opening it if needed."""
    # Opening costs more than a whole insert (pragmas, and closing the last connection checkpoints and
    # deletes the WAL), so each thread keeps one. The pid is in the key: a connection never crosses a fork.
    cfg = app.config
    key = (os.getpid(), cfg["DATABASE"], cfg["SQLITE_SYNCHRONOUS"], cfg["BUSY_TIMEOUT_MS"])
    local = app.extensions["proofhook_db"]
    if getattr(local, "key", None) != key:
        if getattr(local, "key", (None,))[0] == key[0]:
            local.conn.close()
        local.conn, local.key = connect(*key[1:]), key
    return local.conn


def close_db(_exc=None) -> None:
    """End this request's use of the connection: anything it left uncommitted is rolled back."""
    conn = g.pop("db", None)
    if conn is not None and conn.in_transaction:
        conn.rollback()


@contextmanager
def transaction(conn: sqlite3.Connection):
    """Run a block as one write transaction: all of it is committed, or none of it."""
    with getattr(conn, "write_lock", None) or nullcontext():
        # IMMEDIATE takes the write lock up front, so two writers never deadlock upgrading a read lock.
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


def migrations() -> list[tuple[int, str, str]]:
    """Return the numbered migration files as (version, name, sql), in order."""
    found = []
    for entry in resources.files("webhook.migrations").iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def upgrade(conn: sqlite3.Connection) -> list[str]:
    """Apply the migrations this database has not seen yet; return their names."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations"
        " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
    )
    applied = []
    with transaction(conn):
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        for version, name, sql in migrations():
            if version in done:
                continue
            for statement in split_statements(sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", (version, name))
            applied.append(name)
    return applied


def split_statements(sql: str) -> list[str]:
    """Split a migration file into statements (they hold no semicolons inside strings)."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


db_cli = AppGroup("db", help="Manage the database.")


@db_cli.command("upgrade")
def upgrade_command():
    """Create the database or bring its schema up to date."""
    applied = upgrade(get_db())
    click.echo(f"Applied {', '.join(applied)}." if applied else "The database schema is up to date.")


def init_app(app) -> None:
    """Register teardown and the `db` commands, and bring the schema up to date."""
    app.extensions["proofhook_db"] = threading.local()
    app.teardown_appcontext(close_db)
    app.cli.add_command(db_cli)
    cfg = app.config
    # A connection of its own, closed at once, so none is open when a pre-forking server forks.
    conn = connect(cfg["DATABASE"], cfg["SQLITE_SYNCHRONOUS"], cfg["BUSY_TIMEOUT_MS"])
    try:
        upgrade(conn)
    finally:
        conn.close()
