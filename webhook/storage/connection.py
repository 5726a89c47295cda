"""The database connection: SQLite (a connection per thread, a writer per process) or PostgreSQL (a pool), and writes.

Both backends hand out a connection with the same small interface (sqlite3.Connection's): `execute(sql, params)`
with `?` or `:name` placeholders, rows read by name or position, `.rowcount`, `.fetchone()`; plus `BEGIN`,
`ddl()`, `lock_schema()` and the table helpers `db copy` uses. Only this module and postgres.py know which one
is in use.
"""
import os
import sqlite3
import threading
import time
import types
from contextlib import contextmanager

import psycopg
from flask import current_app, g

from . import postgres
from .group_commit import GroupCommit


POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class SqliteConnection(sqlite3.Connection):
    """sqlite3's connection, plus what the PostgreSQL one has too."""

    dialect = "sqlite"
    # IMMEDIATE takes the write lock up front, so two writers never deadlock upgrading a read lock.
    BEGIN = "BEGIN IMMEDIATE"
    # In WAL mode a deferred transaction reads one snapshot from its first read to its end.
    BEGIN_SNAPSHOT = "BEGIN"

    def ddl(self, statement: str) -> str:
        """Return a migration statement in this backend's dialect (ours is written in SQLite's)."""
        return statement

    def lock_schema(self) -> None:
        """Serialise migrations: BEGIN IMMEDIATE has already taken the one write lock."""

    def tables(self) -> dict[str, list[str]]:
        """Return every table with the tables it references."""
        names = [row[0] for row in self.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
        )]
        return {name: [row[2] for row in self.execute(f'PRAGMA foreign_key_list("{name}")')] for name in names}

    def columns(self, table: str) -> list[str]:
        """Return a table's column names in order."""
        return [row[1] for row in self.execute(f'PRAGMA table_info("{table}")')]

    def insert_rows(self, table: str, columns: list[str], rows) -> None:
        """Insert many rows into a table."""
        names = ", ".join(f'"{name}"' for name in columns)
        self.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})', rows)

    def reset_ids(self) -> None:
        """Nothing to do: SQLite's next id is always past the largest one stored."""


def is_postgres(target: str) -> bool:
    """Tell whether a database setting names a PostgreSQL server rather than an SQLite file."""
    return target.startswith(POSTGRES_SCHEMES)


def connect(path: str, synchronous: str = "NORMAL", busy_timeout_ms: int = 5000) -> SqliteConnection:
    """Open an SQLite connection with the pragmas every Proofhook connection needs."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, factory=SqliteConnection)
    conn.row_factory = sqlite3.Row
    conn.path = path  # where group_commit.py keeps the writers' lock file
    # busy_timeout first: it makes writers queue instead of failing, and switching a new file to WAL (which lets
    # feed reads run while a webhook writes) needs a lock that another worker starting at once may hold.
    conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    use_wal(conn, busy_timeout_ms)
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def use_wal(conn: sqlite3.Connection, busy_timeout_ms: int) -> None:
    """Switch the file to WAL (it stays so), retrying while another connection opening at once holds the lock."""
    # The switch needs the exclusive lock, and when two connections race for it SQLite answers "database is
    # locked" at once instead of calling the busy handler (its deadlock rule), so the timeout is honoured here.
    deadline = time.monotonic() + busy_timeout_ms / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.005)


def target(config) -> str:
    """Return the database an app's settings name: the PostgreSQL URL if there is one, else the SQLite file."""
    return config.get("DATABASE_URL") or config["DATABASE"]


def open_database(where: str, config=None):
    """Open a connection of its own (outside any pool) to a PostgreSQL URL or an SQLite file."""
    config = config or {}
    timeout_ms = config.get("BUSY_TIMEOUT_MS", 5000)
    if is_postgres(where):
        return postgres.connect(where, timeout_ms / 1000)
    return connect(where, config.get("SQLITE_SYNCHRONOUS", "NORMAL"), timeout_ms)


def get_db():
    """Return this request's connection, opening it (or borrowing it from the pool) on first use."""
    if "db" not in g:
        cfg = current_app.config
        if cfg.get("DATABASE_URL"):
            g.db = postgres.pooled(cfg["DATABASE_URL"], cfg["DATABASE_POOL_SIZE"], cfg["BUSY_TIMEOUT_MS"] / 1000)
        else:
            check_same_file(current_app)
            g.db = thread_connection(current_app)
    return g.db


def file_identity(path: str) -> tuple[int, int] | None:
    """Return a file's (device, inode), or None when there is no file at the path."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


def check_same_file(app) -> None:
    """Refuse to go on when the SQLite file was deleted or replaced since this app first opened it."""
    # An open connection writes on into a deleted file (lost at the next start), and a file moved in its place
    # is another database, or none: either way, acknowledging an event now would be a lie. The 503 says why.
    path = app.config["DATABASE"]
    known = app.extensions["proofhook_db_files"]
    found = file_identity(path)
    if known.setdefault(path, found) != found:
        what = "deleted" if found is None else "replaced by another file"
        raise sqlite3.OperationalError(
            f"unable to open database file: {path} was {what} while the server ran; restart it to use the file now there"
        )


def thread_connection(app) -> sqlite3.Connection:
    """Return this thread's connection for the app's current settings, opening it if needed."""
    # Opening costs more than a whole insert (pragmas, and closing the last connection checkpoints and
    # deletes the WAL), so each thread keeps one. Each greenlet keeps one too, and the writer's commits empty its
    # page cache anyway: a small cache keeps a gevent worker's heap down (a read needs few pages at a time).
    return held_connection(app.extensions["proofhook_db"], app, READER_CACHE_KIB)


def writer_connection(app) -> sqlite3.Connection:
    """Return this process's connection for the group commit's writes, opening it if needed."""
    # Only the group commit's leader writes on it, one leader at a time, so one serves all of a process's threads
    # (greenlets, under gevent: one per open client connection). SQLite drops a connection's page cache whenever
    # another connection has written, so with a writer per thread every insert read the tables' pages afresh.
    return held_connection(app.extensions["proofhook_writer"], app)


# The page cache of a thread's (a greenlet's) own connection; the writer, whose cache stays warm, keeps SQLite's.
READER_CACHE_KIB = 512


def held_connection(holder, app, cache_kib: int | None = None) -> sqlite3.Connection:
    """Return the connection kept on `holder` (a thread's or the process's) for the app's current settings."""
    # The pid is in the key: a connection never crosses a fork. Key and connection are one attribute, so a
    # thread letting go of the writer never leaves one without the other.
    cfg = app.config
    key = (os.getpid(), cfg["DATABASE"], cfg["SQLITE_SYNCHRONOUS"], cfg["BUSY_TIMEOUT_MS"])
    held_key, conn = getattr(holder, "held", (None, None))
    if held_key != key:
        if held_key is not None and held_key[0] == key[0]:
            conn.close()
        conn = connect(*key[1:])
        if cache_kib is not None:
            conn.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
        holder.held = (key, conn)
    return conn


def drop_thread_connection(app, writer: bool = True) -> None:
    """Close this thread's SQLite connection and, with `writer`, let go of the process's writer; fresh ones follow."""
    _key, conn = app.extensions["proofhook_db"].__dict__.pop("held", (None, None))
    if conn is not None:
        if g.get("db") is conn:
            g.pop("db")
        conn.close()
    if not writer:
        return
    # The writer is closed only while no leader commits on it; in the middle of a commit it is let go of instead,
    # and closes once that commit is done and the garbage collector gets to it. Either way the next leader opens
    # a fresh one.
    writer = app.extensions["proofhook_writer"]
    if not app.extensions["proofhook_group_commit"].when_idle(lambda: close_held(writer)):
        writer.__dict__.pop("held", None)


def close_held(holder) -> None:
    """Close the connection kept on `holder`, if there is one."""
    _key, conn = holder.__dict__.pop("held", (None, None))
    if conn is not None:
        conn.close()


def close_db(_exc=None) -> None:
    """End this request's use of its connection: roll back what it left open; give a pooled one back."""
    conn = g.pop("db", None)
    if conn is None:
        return
    if conn.in_transaction:
        conn.rollback()
    if isinstance(conn, postgres.PgConnection):
        conn.close()  # back to the pool; an SQLite connection stays with its thread for the next request


def describe(config) -> str:
    """Say which database an app uses, without its password."""
    where = target(config)
    if not is_postgres(where):
        return where
    info = psycopg.conninfo.conninfo_to_dict(where)
    return f"PostgreSQL {info.get('user', '')}@{info.get('host', 'localhost')}:{info.get('port', 5432)}/" + (
        info.get("dbname", "")
    )


def write(job):
    """Run job(conn) in a write transaction and return its result once committed.

    On SQLite the jobs of a process's threads share transactions (group_commit.py): one commit, and one
    wait for the disk, for all of them. PostgreSQL groups its commits itself.
    """
    conn = get_db()
    if conn.dialect == "sqlite":
        # The leader asks for the writer: it is never closed while a leader holds it (drop_thread_connection).
        app = current_app._get_current_object()
        return app.extensions["proofhook_group_commit"].run_on(lambda: writer_connection(app), job)
    with transaction(conn):
        return job(conn)


@contextmanager
def transaction(conn):
    """Run a block as one write transaction: all of it is committed, or none of it."""
    conn.execute(conn.BEGIN)
    try:
        yield conn
        # Inside the try: COMMIT itself can fail (disk full, I/O error, a deferred constraint), and then
        # the transaction must be rolled back here, not left open for the next statement to extend.
        conn.commit()
    except BaseException:
        if conn.in_transaction:
            try:
                conn.rollback()
            except sqlite3.Error:
                pass  # the error being raised says more; SQLite rolls back an unfinished WAL write anyway
        raise


def init_app(app) -> None:
    """Prepare the app's connections: one per thread (SQLite) or a pool (PostgreSQL), closed on teardown."""
    app.extensions["proofhook_db"] = threading.local()
    app.extensions["proofhook_writer"] = types.SimpleNamespace()  # the process's writer: writer_connection
    app.extensions["proofhook_db_files"] = {}  # SQLite file → its (device, inode) when first opened
    app.extensions["proofhook_group_commit"] = GroupCommit(transaction, app.config["BUSY_TIMEOUT_MS"] / 1000)
    app.teardown_appcontext(close_db)


def remember_file(app) -> None:
    """Note the SQLite file's identity now, so that check_same_file sees it deleted or replaced later."""
    if not app.config.get("DATABASE_URL"):
        app.extensions["proofhook_db_files"][app.config["DATABASE"]] = file_identity(app.config["DATABASE"])
