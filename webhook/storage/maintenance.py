"""Keeping a database: copy it to another (SQLite ↔ PostgreSQL), scrub what was erased, back an SQLite file up."""
import sqlite3
from contextlib import contextmanager

from . import postgres
from .connection import transaction
from .feed_versions import keeps_feed
from .migrate import applied_versions, upgrade


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


# No bump: the copy's rows carry the source's feed_version, and a database is copied into before any server
# is switched to it (the README's "Moving an SQLite installation"), so no cached body of the target outlives it.
@keeps_feed
def clear_tables(conn) -> None:
    """Delete every row of every data table and restart the ids (run it inside a transaction)."""
    for table in reversed(data_tables(conn)):
        conn.execute(f'DELETE FROM "{table}"')
    conn.reset_ids()


class CopyError(Exception):
    """A copy that was refused or did not verify; nothing was written."""


@keeps_feed
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
