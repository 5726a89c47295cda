"""The `flask` commands and the app factory's configuration."""
import os

import pytest

from helpers import stored
from webhook import create_app, config
from webhook.storage.migrate import migrations


def test_create_prints_the_webhook_url_and_list_shows_it(runner):
    result = runner.invoke(args=["notifications", "create", "--name", "Shop", "--type", "stream"])
    assert result.exit_code == 0, result.output
    url = result.output.strip()
    assert url.startswith("http://127.0.0.1:8000/webhooks/")
    listed = runner.invoke(args=["notifications", "list"]).output
    assert "Shop" in listed and url in listed and "stream" in listed


def test_create_refuses_bad_input(runner):
    result = runner.invoke(args=["notifications", "create", "--name", "", "--type", "stream"])
    assert result.exit_code != 0 and "name" in result.output
    result = runner.invoke(args=["notifications", "create", "--name", "x", "--type", "popup"])
    assert result.exit_code != 0


def test_created_notifications_take_events(runner, app):
    url = runner.invoke(args=["notifications", "create", "--name", "x", "--type", "conversion"]).output.strip()
    response = app.test_client().post(url.split("8000", 1)[1])
    assert response.status_code == 201


def test_db_upgrade_is_idempotent(runner):
    assert "up to date" in runner.invoke(args=["db", "upgrade"]).output


def test_info_prints_the_admin_url_and_where_the_token_is_never_the_token(runner, app):
    output = runner.invoke(args=["info"]).output
    assert "http://127.0.0.1:8000/notifications" in output
    assert app.config["ADMIN_TOKEN"] not in output and "the PROOFHOOK_ADMIN_TOKEN you set" in output


def test_a_generated_admin_token_is_printed_once_when_generated(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("PROOFHOOK_ADMIN_TOKEN", raising=False)
    settings = config.load(str(tmp_path), {"DATABASE": str(tmp_path / "db.sqlite3")})
    assert f"Generated the admin token (kept in {tmp_path / 'admin-token'}): {settings['ADMIN_TOKEN']}" in (
        capsys.readouterr().err)
    again = config.load(str(tmp_path), {"DATABASE": str(tmp_path / "db.sqlite3")})
    assert again["ADMIN_TOKEN"] == settings["ADMIN_TOKEN"] and settings["ADMIN_TOKEN"] not in capsys.readouterr().err
    assert again["ADMIN_TOKEN_FILE"] == str(tmp_path / "admin-token")


def test_an_admin_token_is_generated_once_and_kept(tmp_path):
    first = config.kept_secret(str(tmp_path), "admin-token")
    assert len(first) >= 32
    assert config.kept_secret(str(tmp_path), "admin-token") == first
    assert oct(os.stat(tmp_path / "admin-token").st_mode & 0o777) == "0o600"


def test_the_environment_configures_the_app(tmp_path, monkeypatch, geoip_path):
    monkeypatch.setenv("PROOFHOOK_DATABASE", str(tmp_path / "env.sqlite3"))
    monkeypatch.setenv("PROOFHOOK_ADMIN_TOKEN", "12345")
    monkeypatch.setenv("PROOFHOOK_SECRET_KEY", "env-secret")  # else one is generated into the checkout's instance/
    monkeypatch.setenv("PROOFHOOK_MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("PROOFHOOK_GEOIP_DATABASE", "")
    monkeypatch.setenv("PROOFHOOK_PUBLIC_URL", "https://p.example.com/")
    app = create_app()
    assert app.config["DATABASE"] == str(tmp_path / "env.sqlite3")
    assert app.config["ADMIN_TOKEN"] == "12345"  # a string, even when it looks like a number
    assert app.config["MAX_CONTENT_LENGTH"] == 2048
    assert app.config["GEOIP_DATABASE"] == ""
    assert app.config["PUBLIC_URL"] == "https://p.example.com"
    assert (tmp_path / "env.sqlite3").exists()


def test_every_migration_is_applied_and_recorded(app):
    applied = [row["version"] for row in stored(app, "SELECT version FROM schema_migrations ORDER BY version")]
    assert applied == [version for version, _name, _sql in migrations()] and applied[0] == 1


@pytest.mark.backends("sqlite")
def test_the_sqlite_database_uses_wal(app):
    assert stored(app, "PRAGMA journal_mode") == [{"journal_mode": "wal"}]
