"""The database connection: one per request, pragmas, and the numbered schema migrations."""
import os
import sqlite3
from contextlib import contextmanager
from importlib import resources

import click
from flask import current_app, g
from flask.cli import AppGroup


def connect(path: str, synchronous: str = "NORMAL", busy_timeout_ms: int = 5000) -> sqlite3.Connection:
    """Open a connection with the pragmas every Proofhook connection needs."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    # WAL lets feed reads run while a webhook writes; busy_timeout makes writers queue instead of failing.
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def get_db() -> sqlite3.Connection:
    """Return this request's connection, opening it on first use."""
    if "db" not in g:
        cfg = current_app.config
        g.db = connect(cfg["DATABASE"], cfg["SQLITE_SYNCHRONOUS"], cfg["BUSY_TIMEOUT_MS"])
    return g.db


def close_db(_exc=None) -> None:
    """Close this request's connection, if one was opened."""
    conn = g.pop("db", None)
    if conn is not None:
        if conn.in_transaction:
            conn.rollback()
        conn.close()


@contextmanager
def transaction(conn: sqlite3.Connection):
    """Run a block as one write transaction: all of it is committed, or none of it."""
    # IMMEDIATE takes the write lock up front, so two writers never deadlock upgrading a read lock.
    conn.execute("BEGIN IMMEDIATE")
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


@contextmanager
def scrubbing(conn: sqlite3.Connection):
    """Make deletes in the block overwrite the erased content, and push it out of the write-ahead log."""
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
    applied = upgrade(get_db())
    click.echo(f"Applied {', '.join(applied)}." if applied else "The database schema is up to date.")


@db_cli.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, writable=True))
@click.option("--force", is_flag=True, help="Overwrite TARGET if it exists.")
def backup_command(target: str, force: bool):
    """Copy the database to TARGET while the server keeps running (SQLite's online backup)."""
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
    app.teardown_appcontext(close_db)
    app.cli.add_command(db_cli)
    with app.app_context():
        upgrade(get_db())
