"""Shared fixtures: an app on a fresh SQLite file and a real test GeoIP database."""
import pytest

from geo import build_city_mmdb
from helpers import ADMIN_TOKEN
from webhook import create_app


@pytest.fixture(scope="session")
def geoip_path(tmp_path_factory) -> str:
    """Build the small City database once for the whole run."""
    path = tmp_path_factory.mktemp("geoip") / "test-city.mmdb"
    build_city_mmdb(str(path))
    return str(path)


@pytest.fixture
def app_config(tmp_path, geoip_path) -> dict:
    """Return the settings of a test app: its own database file, a known admin token."""
    return {
        "TESTING": True,
        "DATABASE": str(tmp_path / "proofhook.sqlite3"),
        "ADMIN_TOKEN": ADMIN_TOKEN,
        "SECRET_KEY": "test-secret-key",
        "GEOIP_DATABASE": geoip_path,
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
def conversion(make_notification) -> dict:
    """Return a fresh conversion notification."""
    return make_notification("conversion", name="Sign-ups", message="signed up")
