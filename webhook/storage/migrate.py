"""The schema's migrations: read the numbered .sql files of migrations/ and apply those a database lacks.

The runner applies the files it finds in the order of their numbers and allows gaps: it asks only whether
each file's number was applied, never whether the numbers before it exist.
"""
from importlib import resources

# A schema change alone shows visitors nothing new, so upgrade keeps the feeds' cached bodies valid.
from .connection import transaction
from .feed_versions import keeps_feed


def migrations() -> list[tuple[int, str, str]]:
    """Return the numbered migration files as (version, name, sql), in order."""
    found = []
    for entry in resources.files("webhook.storage.migrations").iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


@keeps_feed
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


def applied_versions(conn) -> list[int]:
    """Return the migrations a database has applied."""
    return [row[0] for row in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]


def schema_version(conn) -> int | None:
    """Return the newest migration a database has applied, or None before the first."""
    return conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
