"""The admin side: security headers, the login throttle, rotating the webhook token."""
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from helpers import ADMIN_TOKEN, csrf_token_from, log_in, stored, webhook_path
from webhook.storage import counter_store, notification_store
from webhook.headers import CONTENT_SECURITY_POLICY
from webhook.vocabulary import now_ms

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


# --- headers -----------------------------------------------------------------------------------


def test_the_policy_is_the_strict_one():
    assert CONTENT_SECURITY_POLICY == (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: http: data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"
    )


@pytest.mark.parametrize("path", ["/login", "/notifications", "/notifications/1", "/nowhere", "/static/copy.js"])
def test_pages_get_the_security_headers(client, stream, path):
    log_in(client)
    response = client.get(path, headers={"Accept": "text/html"})
    response.close()
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_json_answers_are_nosniff(client, admin_headers, stream):
    for response in (
        client.get("/api/notifications", headers=admin_headers),
        client.post(webhook_path(stream), json={"email": "a@example.com"}),
        client.post("/webhooks/unknown", json={}),
    ):
        assert response.is_json
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_embeddable_paths_carry_no_framing_or_page_policy(client, stream):
    # The feed and the widget are read by other sites' pages: no page policy may stop them there.
    for path in (urlsplit(stream["feed_url"]).path, "/widget.js"):
        with client.get(path) as response:
            assert response.status_code == 200
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            for header in ("Content-Security-Policy", "X-Frame-Options", "Cross-Origin-Resource-Policy"):
                assert header not in response.headers


INLINE = [
    (re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "a style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on…= handler"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_templates_need_nothing_the_policy_forbids(template):
    text = (TEMPLATES / template).read_text()
    for pattern, what in INLINE:
        assert not pattern.search(text), f"{template} has {what}; the Content-Security-Policy blocks it"


def test_rendered_pages_have_no_inline_code(client, stream):
    log_in(client)
    client.post(webhook_path(stream), json={"email": "a@example.com", "productImage": "https://example.com/a.png"})
    for path in ("/login", "/notifications", f"/notifications/{stream['id']}"):
        html = client.get(path).text
        for pattern, what in INLINE:
            assert not pattern.search(html), f"{path} has {what}"


# --- the login throttle ------------------------------------------------------------------------


def try_token(client, token: str, address: str = "203.0.113.7"):
    """Submit the login form with a token, as if from the given address."""
    page = client.get("/login")
    return client.post(
        "/login", data={"token": token, "csrf_token": csrf_token_from(page.text)},
        environ_base={"REMOTE_ADDR": address},
    )


def failures_in_database(app) -> int:
    """Return how many failed logins the database holds."""
    return stored(app, "SELECT COUNT(*) AS n FROM login_failures")[0]["n"]


def test_ten_failures_in_a_minute_lock_the_client_out_even_with_the_right_token(app, client):
    for _ in range(10):
        assert try_token(client, "guess").status_code == 401
    assert failures_in_database(app) == 10
    locked = try_token(client, ADMIN_TOKEN)
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["Retry-After"]) <= 60
    assert "Too many wrong admin tokens" in locked.text
    assert client.get("/notifications").status_code == 302  # still not logged in
    # Another client is not affected.
    assert try_token(client, ADMIN_TOKEN, address="198.51.100.9").status_code == 302


def test_wrong_bearer_tokens_count_as_failed_logins(app, client, admin_headers):
    for _ in range(10):
        answer = client.get("/api/notifications", headers={"Authorization": "Bearer guess"},
                            environ_base={"REMOTE_ADDR": "203.0.113.7"})
        assert answer.status_code == 401
    locked = client.get("/api/notifications", headers=admin_headers, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert locked.status_code == 429 and locked.get_json()["code"] == 429
    assert 1 <= int(locked.headers["Retry-After"]) <= 60
    assert try_token(client, ADMIN_TOKEN).status_code == 429  # the login form too
    assert client.get("/api/notifications", headers=admin_headers).status_code == 200  # another client


def test_an_ipv6_client_is_counted_by_its_slash_64(app, client):
    for host in range(10):  # ten addresses of one /64, as one IPv6 host may use
        assert try_token(client, "guess", address=f"2001:db8:1:2::{host + 1:x}").status_code == 401
    assert try_token(client, ADMIN_TOKEN, address="2001:db8:1:2:ffff::9").status_code == 429
    assert try_token(client, ADMIN_TOKEN, address="2001:db8:1:3::1").status_code == 302  # the next /64


def test_a_session_cookie_copied_before_logout_is_dead_after_it(app, client):
    assert try_token(client, ADMIN_TOKEN).status_code == 302
    copied = client.get_cookie("proofhook_session").value
    page = client.get("/notifications")
    assert page.status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf_token_from(page.text)}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("proofhook_session", copied)
    assert thief.get("/notifications").status_code == 302
    assert thief.get("/api/notifications").status_code == 401


def test_nine_failures_still_let_the_right_token_in_and_success_clears_them(app, client):
    for _ in range(9):
        try_token(client, "guess")
    assert try_token(client, ADMIN_TOKEN).status_code == 302
    assert failures_in_database(app) == 0


def test_the_window_frees_after_a_minute(app, client):
    # Ten failures 61 seconds ago no longer count.
    with app.app_context():
        old = now_ms() - 61_000
        for _ in range(10):
            counter_store.record_login_failure("203.0.113.7", old, 10**12)
    assert try_token(client, "guess").status_code == 401
    assert failures_in_database(app) == 1  # the old ones were pruned when the new one came
    assert try_token(client, ADMIN_TOKEN).status_code == 302


def test_retry_after_counts_down_to_when_the_oldest_failure_expires(app, client):
    with app.app_context():
        now = now_ms()
        for age in (50_000, *[1_000] * 9):
            counter_store.record_login_failure("203.0.113.7", now - age, 60_000)
    locked = try_token(client, "guess")
    assert locked.status_code == 429
    assert 9 <= int(locked.headers["Retry-After"]) <= 11


def test_behind_a_trusted_proxy_the_throttle_sees_the_forwarded_address(app_config):
    from webhook import create_app

    client = create_app({**app_config, "TRUSTED_PROXIES": 1}).test_client()

    def attempt(forwarded: str, token: str = "guess"):
        """Submit the login form through the proxy on behalf of a forwarded address."""
        page = client.get("/login")
        return client.post("/login", data={"token": token, "csrf_token": csrf_token_from(page.text)},
                           headers={"X-Forwarded-For": forwarded}, environ_base={"REMOTE_ADDR": "127.0.0.1"})

    for _ in range(10):
        attempt("203.0.113.7")
    assert attempt("203.0.113.7", ADMIN_TOKEN).status_code == 429
    assert attempt("198.51.100.9", ADMIN_TOKEN).status_code == 302


# --- rotation ----------------------------------------------------------------------------------


def test_rotating_on_the_page_retires_the_old_url_at_once(client, admin_headers, stream):
    log_in(client)
    page = client.get(f"/notifications/{stream['id']}").text
    assert "New webhook URL" in page
    response = client.post(
        f"/notifications/{stream['id']}/rotate/webhook-token", data={"csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 302
    fresh = client.get(f"/api/notifications/{stream['id']}", headers=admin_headers).get_json()
    assert fresh["webhook_url"] != stream["webhook_url"]
    assert client.post(webhook_path(stream), json={"email": "a@example.com"}).status_code == 404
    assert client.post(webhook_path(fresh), json={"email": "a@example.com"}).status_code == 201
    assert fresh["webhook_url"] in client.get(f"/notifications/{stream['id']}").text


def test_rotating_needs_csrf_a_session_and_a_known_secret(client, stream):
    path = f"/notifications/{stream['id']}/rotate/webhook-token"
    assert client.post(path).status_code in (302, 400)
    log_in(client)
    token = csrf_token_from(client.get(f"/notifications/{stream['id']}").text)
    assert client.post(path).status_code == 400  # no CSRF token
    for which in ("admin-token", "signing-secret", "name", "id"):
        assert client.post(f"/notifications/{stream['id']}/rotate/{which}", data={"csrf_token": token}).status_code == 404
    assert client.post("/notifications/999/rotate/webhook-token", data={"csrf_token": token}).status_code == 404
    assert client.post(webhook_path(stream), json={"email": "a@example.com"}).status_code == 201


def test_rotate_secret_refuses_columns_outside_the_whitelist(app):
    with app.app_context():
        with pytest.raises(ValueError):
            notification_store.rotate_secret(1, "name; DROP TABLE events")


def test_the_api_rotates_the_webhook_token(client, admin_headers, stream):
    response = client.post(f"/api/notifications/{stream['id']}/rotate-webhook-token", headers=admin_headers)
    assert response.status_code == 200
    fresh = response.get_json()
    assert fresh["webhook_url"] != stream["webhook_url"] and fresh["id"] == stream["id"]
    assert client.post(webhook_path(stream), json={"email": "a@example.com"}).status_code == 404
    assert client.post(webhook_path(fresh), json={"email": "a@example.com"}).status_code == 201
    assert client.post("/api/notifications/999/rotate-webhook-token", headers=admin_headers).status_code == 404
    assert client.post(f"/api/notifications/{stream['id']}/rotate-webhook-token").status_code == 401
