"""The database connection: SQLite (one per worker thread) or PostgreSQL (a pool), and the numbered migrations.

Both backends hand out a connection with the same small interface (sqlite3.Connection's): `execute(sql, params)`
with `?` or `:name` placeholders, rows read by name or position, `.rowcount`, `.fetchone()`; plus `BEGIN`,
`ddl()`, `lock_schema()` and the table helpers `db copy` uses. Only this module and postgres.py know which one
is in use.
"""
import os
import sqlite3
import threading
import time
from contextlib import closing, contextmanager
from importlib import resources

import click
import psycopg
from flask import current_app, g
from flask.cli import AppGroup

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
    # deletes the WAL), so each thread keeps one. The pid is in the key: a connection never crosses a fork.
    cfg = app.config
    key = (os.getpid(), cfg["DATABASE"], cfg["SQLITE_SYNCHRONOUS"], cfg["BUSY_TIMEOUT_MS"])
    local = app.extensions["proofhook_db"]
    if getattr(local, "key", None) != key:
        if getattr(local, "key", (None,))[0] == key[0]:
            local.conn.close()
        local.conn, local.key = connect(*key[1:]), key
    return local.conn


def drop_thread_connection(app) -> None:
    """Close this thread's SQLite connection, so its next request opens a fresh one (after a fault, say)."""
    local = app.extensions["proofhook_db"]
    conn = local.__dict__.pop("conn", None)
    local.__dict__.pop("key", None)
    if conn is not None:
        if g.get("db") is conn:
            g.pop("db")
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


# Errors that mean "the database can't serve right now" (the client may retry), never "your request is wrong".
# The base class for SQLite: the message decides (a fault reported under another subclass stays covered).
UNAVAILABLE_ERRORS = (sqlite3.DatabaseError, psycopg.OperationalError, psycopg.errors.ReadOnlySqlTransaction)


def unavailable_message(exc: Exception) -> str | None:
    """Say why the database can't serve right now, or None when the error is a bug rather than an outage."""
    if isinstance(exc, psycopg.errors.ReadOnlySqlTransaction):
        # A standby, or a primary being failed over: writes come back once a writable primary answers.
        return "The database is read-only; nothing was stored. Retry later."
    if isinstance(exc, psycopg.errors.DiskFull):
        return "The database server's disk is full; nothing was stored. Retry later."
    if isinstance(exc, psycopg.OperationalError):
        # Connection refused or lost, a server restarting, a pool with no free connection, a lock timeout.
        return "The database is unavailable; nothing was stored. Retry shortly."
    text = str(exc).lower()
    return next((said for words, said in SQLITE_UNAVAILABLE if any(word in text for word in words)), None)


# What SQLite says (lower-cased) → what the client is told. Each is a passing state of the server, not of the
# request: "database is locked" after busy_timeout, SQLITE_FULL, SQLITE_READONLY, SQLITE_CANTOPEN (a read-only
# mount refuses even to open a WAL database), SQLITE_IOERR.
SQLITE_UNAVAILABLE = (
    (("locked", "busy"), "The database is busy; nothing was stored. Retry shortly."),
    (("full",), "The server's disk is full; nothing was stored. Retry later."),
    (("readonly", "read-only"), "The database is read-only; nothing was stored. Retry later."),
    (("unable to open",), "The database can't be opened; nothing was stored. Retry later."),
    (("disk i/o error",), "The server's disk refused a write (is it full?); nothing was stored. Retry later."),
)


# Errors raised when a write would break a UNIQUE constraint: two requests racing to store the same thing.
CONFLICT_ERRORS = (sqlite3.IntegrityError, psycopg.errors.UniqueViolation)
# PostgreSQL refuses text with a NUL character; the schemas refuse it first, field by field. This is the net
# for any path they don't cover, so that such a request is a 400, never a 500.
REFUSED_VALUE_ERRORS = (psycopg.DataError,)


def refused_value_message(exc: Exception) -> str | None:
    """Say what in the request the database refused, or None when the error is a bug of ours."""
    if "NUL" in str(exc):
        return "The request holds a NUL character (\\u0000), which can't be stored; nothing was stored."
    return None


def is_conflict(exc: Exception) -> bool:
    """Tell whether an integrity error is a unique violation (the other constraints are bugs, not races)."""
    return isinstance(exc, psycopg.errors.UniqueViolation) or "UNIQUE constraint failed" in str(exc)


def write(job):
    """Run job(conn) in a write transaction and return its result once committed.

    On SQLite the jobs of a process's threads share transactions (group_commit.py): one commit, and one
    wait for the disk, for all of them. PostgreSQL groups its commits itself.
    """
    conn = get_db()
    if conn.dialect == "sqlite":
        return current_app.extensions["proofhook_group_commit"].run(conn, job)
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


def migrations() -> list[tuple[int, str, str]]:
    """Return the numbered migration files as (version, name, sql), in order."""
    found = []
    for entry in resources.files("webhook.storage.migrations").iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def upgrade(conn) -> list[str]:
    """Apply the migrations this database has not seen yet; return their names."""
    applied = []
    # One transaction under the schema lock: instances starting together migrate one after the other, and the
    # later ones find the work done. PostgreSQL's DDL is transactional, so a failed migration leaves nothing.
    with transaction(conn):
        conn.lock_schema()
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations"
            " (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        )
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        for version, name, sql in migrations():
            if version in done:
                continue
            for statement in split_statements(sql):
                conn.execute(conn.ddl(statement))
            conn.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", (version, name))
            applied.append(name)
    return applied


def split_statements(sql: str) -> list[str]:
    """Split a migration file into statements (they hold no semicolons inside strings)."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def dependency_order(tables: dict[str, list[str]]) -> list[str]:
    """Order tables so that each comes after the tables it references."""
    ordered: list[str] = []

    def visit(name: str, path: tuple) -> None:
        """Place a table after its parents (a cycle through `path` is cut)."""
        if name in ordered or name in path or name not in tables:
            return
        for parent in tables[name]:
            visit(parent, (*path, name))
        ordered.append(name)

    for name in sorted(tables):
        visit(name, ())
    return ordered


def data_tables(conn) -> list[str]:
    """Return the tables that hold data (every one but schema_migrations), referenced tables first."""
    return [name for name in dependency_order(conn.tables()) if name != "schema_migrations"]


def count_rows(conn, table: str) -> int:
    """Return how many rows a table holds."""
    return conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]


def clear_tables(conn) -> None:
    """Delete every row of every data table and restart the ids (run it inside a transaction)."""
    for table in reversed(data_tables(conn)):
        conn.execute(f'DELETE FROM "{table}"')
    conn.reset_ids()


class CopyError(Exception):
    """A copy that was refused or did not verify; nothing was written."""


def applied_versions(conn) -> list[int]:
    """Return the migrations a database has applied."""
    return [row[0] for row in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]


def copy_database(source, target, force: bool = False) -> dict[str, int]:
    """Copy every row of every table from one database to another, ids and times as they are; return the counts.

    The target gets the schema first; it must be empty unless `force`, which empties it. The copy is one
    transaction on the target, read from one snapshot of the source, and is committed only when every table's
    row count in the target equals the source's.
    """
    upgrade(target)
    if applied_versions(source) != applied_versions(target):
        raise CopyError("The two databases are at different schema versions: run `flask --app app db upgrade`.")
    tables = data_tables(source)
    if sorted(tables) != sorted(data_tables(target)):
        raise CopyError(f"The target's tables differ from the source's: {sorted(data_tables(target))}")
    copied = {}
    with transaction(target):
        held = {table: n for table in tables if (n := count_rows(target, table))}
        if held and not force:
            found = ", ".join(f"{table}: {n}" for table, n in held.items())
            raise CopyError(f"The target already holds data ({found}); nothing was copied. "
                            "Add --force to replace it with this database's data.")
        clear_tables(target)
        source.execute(source.BEGIN_SNAPSHOT)
        try:
            for table in tables:
                columns = source.columns(table)
                if sorted(columns) != sorted(target.columns(table)):
                    raise CopyError(f"Table {table} has different columns in the target.")
                names = ", ".join(f'"{name}"' for name in columns)
                rows = source.execute(f'SELECT {names} FROM "{table}"')
                target.insert_rows(table, columns, (tuple(row) for row in rows))
                copied[table] = count_rows(source, table)
        finally:
            source.rollback()
        target.reset_ids()
        for table, n in copied.items():
            if count_rows(target, table) != n:
                raise CopyError(f"Table {table}: {count_rows(target, table)} rows arrived of {n}; nothing was copied.")
    return copied


@contextmanager
def scrubbing(conn):
    """Make deletes in the block overwrite the erased content, and push it out of the write-ahead log."""
    if isinstance(conn, postgres.PgConnection):
        yield conn
        # Deleted rows stay in the table's pages until vacuumed; VACUUM makes their space reusable now.
        conn.execute("VACUUM events")
        return
    # Without secure_delete a deleted row stays readable in free pages (and in the WAL) until reused:
    # not good enough for an erasure request.
    conn.execute("PRAGMA secure_delete=ON")
    try:
        yield conn
    finally:
        conn.execute("PRAGMA secure_delete=OFF")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def backup(source: sqlite3.Connection, target_path: str) -> str:
    """Copy the database to a new file with SQLite's online backup API; return the copy's integrity check."""
    target = sqlite3.connect(target_path)
    try:
        # One step (pages=-1): a consistent snapshot. In WAL mode it only reads, so writers carry on meanwhile.
        source.backup(target, pages=-1)
        return target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()


db_cli = AppGroup("db", help="Manage the database.")


@db_cli.command("upgrade")
def upgrade_command():
    """Create the database or bring its schema up to date."""
    conn = get_db()
    applied = upgrade(conn)
    version = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
    click.echo(f"Applied {', '.join(applied)}." if applied else f"The database schema is up to date (version {version}).")


@db_cli.command("copy")
@click.option("--to", "to", required=True, metavar="URL",
              help="The database to fill: postgresql://user:password@host/dbname (or an SQLite file).")
@click.option("--force", is_flag=True, help="Replace the data the target already holds.")
def copy_command(to: str, force: bool):
    """Copy this installation's data into another database (ids and timestamps kept), then verify the counts."""
    try:
        with closing(open_database(to, current_app.config)) as target_conn:
            copied = copy_database(get_db(), target_conn, force)
    except CopyError as exc:
        raise click.ClickException(str(exc)) from None
    except (sqlite3.Error, psycopg.Error) as exc:
        raise click.ClickException(f"Nothing was copied: {exc}") from None
    for table, n in copied.items():
        click.echo(f"{table}: {n} row{'' if n == 1 else 's'}")
    click.echo(f"Copied to {describe({'DATABASE': to})} and verified: the row counts match.")


@db_cli.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, writable=True))
@click.option("--force", is_flag=True, help="Overwrite TARGET if it exists.")
def backup_command(target: str, force: bool):
    """Copy the database to TARGET while the server keeps running (SQLite's online backup)."""
    if current_app.config.get("DATABASE_URL"):
        raise click.ClickException("This installation uses PostgreSQL: back it up with pg_dump (see the README).")
    if os.path.exists(target) and not force:
        raise click.UsageError(f"{target} exists; choose a new file or pass --force.")
    if os.path.exists(target):
        os.remove(target)
    check = backup(get_db(), target)
    if check != "ok":
        raise click.ClickException(f"The copy in {target} failed its integrity check: {check}")
    size = os.path.getsize(target)
    click.echo(f"Backed up {current_app.config['DATABASE']} to {target} ({size:,} bytes, integrity ok).")


def init_app(app) -> None:
    """Register teardown and the `db` commands, and bring the schema up to date."""
    app.extensions["proofhook_db"] = threading.local()
    app.extensions["proofhook_db_files"] = {}  # SQLite file → its (device, inode) when first opened
    app.extensions["proofhook_group_commit"] = GroupCommit(transaction, app.config["BUSY_TIMEOUT_MS"] / 1000)
    app.teardown_appcontext(close_db)
    app.cli.add_command(db_cli)
    # A connection of its own, closed at once: no pool is opened before gunicorn forks its workers.
    with closing(open_database(target(app.config), app.config)) as conn:
        upgrade(conn)
    if not app.config.get("DATABASE_URL"):
        app.extensions["proofhook_db_files"][app.config["DATABASE"]] = file_identity(app.config["DATABASE"])
