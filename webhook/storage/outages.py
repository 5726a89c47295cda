"""Outages told from bugs: which database errors mean "retry later", "a race", or "a value we can't store"."""
import sqlite3

import psycopg


# Any error either driver raises, for commands that report it rather than classify it.
DATABASE_ERRORS = (sqlite3.Error, psycopg.Error)
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
