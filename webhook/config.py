"""Defaults and the PROOFHOOK_ environment, each setting with its type."""
import os
import secrets
import sys
from pathlib import Path

from .enrich.geoip import default_database_path

# name: (parse, default). A default of None is filled in by `load()` from the instance folder.
SETTINGS = {
    "DATABASE": (str, None),
    # postgresql://user:password@host/dbname switches storage to PostgreSQL (several instances share it).
    "DATABASE_URL": (str, ""),
    # Connections each process keeps to PostgreSQL: a sync worker needs one, a gthread worker one per thread.
    "DATABASE_POOL_SIZE": (int, 4),
    "ADMIN_TOKEN": (str, None),
    "SECRET_KEY": (str, None),
    "PUBLIC_URL": (str, ""),
    "GEOIP_DATABASE": (str, None),
    "MAX_BODY_BYTES": (int, 1024 * 1024),
    # A history import is a file, not a webhook: larger, but bounded so that one upload is checked within
    # gunicorn's 30 s worker timeout and holds the write lock briefly (measured in the README's "History").
    "MAX_IMPORT_BYTES": (int, 20 * 1024 * 1024),
    "MAX_IMPORT_ROWS": (int, 20_000),
    "RATE_LIMIT": (int, 600),
    # The fixed window RATE_LIMIT counts in; tests widen it so that a burst never straddles two windows.
    "RATE_LIMIT_WINDOW_SECONDS": (int, 60),
    "TRUSTED_PROXIES": (int, 0),
    # NORMAL in WAL mode survives a process crash (kill -9) without losing committed rows;
    # FULL also survives a power cut, at the cost measured in the README's "Performance" (an fsync per
    # commit, shared by the events committed together).
    "SQLITE_SYNCHRONOUS": (str, "NORMAL"),
    "BUSY_TIMEOUT_MS": (int, 5000),
    # Widget activity reports one client address may send at once, and how fast that allowance refills.
    "ACTIVITY_BURST": (int, 20),
    "ACTIVITY_PER_MINUTE": (int, 30),
    # How often each server process deletes events past their notification's retention_days; 0 turns it off.
    "RETENTION_INTERVAL_SECONDS": (float, 600.0),
}


def from_environment(environ=os.environ) -> dict:
    """Return the settings given as PROOFHOOK_* variables, parsed to their types."""
    found = {}
    for name, (parse, _default) in SETTINGS.items():
        value = environ.get(f"PROOFHOOK_{name}")
        if value is None:
            continue
        try:
            found[name] = parse(value.strip())
        except ValueError:
            raise SystemExit(f"PROOFHOOK_{name}={value!r} is not a valid {parse.__name__}") from None
    return found


def kept_secret(instance_path: str, filename: str, announce: str | None = None) -> str:
    """Return a random secret generated once and kept in the instance folder; print it, if asked, when new."""
    path = Path(instance_path) / filename
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    # O_EXCL: when several workers start at once, the first one's secret wins for all.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(secret + "\n")
    if announce:
        # The one time it is printed: start-up logs are kept and shared, so later starts name the file instead.
        print(f"Generated {announce} (kept in {path}): {secret}", file=sys.stderr)
    return secret


def require_shared_secrets(settings: dict) -> None:
    """Refuse a PostgreSQL setup whose instances would each invent their own admin token and session key."""
    if not settings["DATABASE_URL"].startswith(("postgresql://", "postgres://")):
        raise SystemExit("PROOFHOOK_DATABASE_URL must be a postgresql:// URL (leave it unset for SQLite)")
    # Instances on several hosts share the database but not an instance folder: secrets generated there would
    # differ per host, and a session signed by one instance would be refused by the next.
    missing = [f"PROOFHOOK_{name}" for name in ("ADMIN_TOKEN", "SECRET_KEY") if not settings[name]]
    if missing:
        raise SystemExit(
            f"With PROOFHOOK_DATABASE_URL set, set {' and '.join(missing)} too, to the same value on every instance"
        )


def load(instance_path: str, overrides: dict | None = None) -> dict:
    """Layer defaults, the environment and test overrides into one settings dict.

    A test configuration (TESTING set) is sealed, as flaskr's test_config: the shell's PROOFHOOK_* stay out.
    """
    settings = {name: default for name, (_parse, default) in SETTINGS.items()}
    if not (overrides or {}).get("TESTING"):
        settings.update(from_environment())
    settings.update(overrides or {})
    if settings["DATABASE_URL"]:
        require_shared_secrets(settings)
    if not settings["DATABASE"]:
        settings["DATABASE"] = os.path.join(instance_path, "proofhook.sqlite3")
    settings["ADMIN_TOKEN_FILE"] = None  # where a generated admin token is kept (`flask info` names it)
    if not settings["ADMIN_TOKEN"]:
        settings["ADMIN_TOKEN"] = kept_secret(instance_path, "admin-token", announce="the admin token")
        settings["ADMIN_TOKEN_FILE"] = os.path.join(instance_path, "admin-token")
    if not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = kept_secret(instance_path, "secret-key")
    if settings["GEOIP_DATABASE"] is None:
        settings["GEOIP_DATABASE"] = default_database_path() or ""
    settings["PUBLIC_URL"] = settings["PUBLIC_URL"].rstrip("/")
    settings["SQLITE_SYNCHRONOUS"] = settings["SQLITE_SYNCHRONOUS"].upper()
    if settings["SQLITE_SYNCHRONOUS"] not in ("OFF", "NORMAL", "FULL", "EXTRA"):
        raise SystemExit("PROOFHOOK_SQLITE_SYNCHRONOUS must be NORMAL, FULL or EXTRA")
    # The rate limit's window divides the clock: zero would fail every webhook call, a negative one count nothing.
    if settings["RATE_LIMIT_WINDOW_SECONDS"] < 1:
        raise SystemExit("PROOFHOOK_RATE_LIMIT_WINDOW_SECONDS must be a whole number of seconds, 1 or more")
    # Flask/Werkzeug enforce these before our code reads a byte.
    settings["MAX_CONTENT_LENGTH"] = settings["MAX_BODY_BYTES"]
    settings["MAX_FORM_MEMORY_SIZE"] = settings["MAX_BODY_BYTES"]
    return settings
