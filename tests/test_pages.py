"""The owner's pages: login, list, create, the notification page and its preview."""
import re
import time

import pytest

from helpers import ADMIN_TOKEN, csrf_token_from, log_in, webhook_path


@pytest.mark.parametrize("path", ["/notifications", "/notifications/1"])
def test_pages_send_strangers_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_root_goes_to_the_list(client):
    assert client.get("/").headers["Location"] == "/notifications"


def test_login_form_has_one_password_field(client):
    page = client.get("/login").text
    assert page.count("<input") == 2  # the password and the hidden CSRF token
    assert 'type="password"' in page


def test_a_wrong_token_is_refused(client):
    page = client.get("/login")
    response = client.post("/login", data={"token": "wrong", "csrf_token": csrf_token_from(page.text)})
    assert response.status_code == 401
    assert "not the admin token" in response.text
    assert client.get("/notifications").status_code == 302


def test_login_without_the_csrf_token_is_refused(client):
    response = client.post("/login", data={"token": ADMIN_TOKEN})
    assert response.status_code == 400
    assert client.get("/notifications").status_code == 302


def test_login_sets_an_http_only_cookie_secure_only_over_https(app, client):
    page = client.get("/login")
    response = client.post("/login", data={"token": ADMIN_TOKEN, "csrf_token": csrf_token_from(page.text)})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    client = app.test_client()
    page = client.get("/login", base_url="https://localhost")
    response = client.post(
        "/login",
        base_url="https://localhost",
        data={"token": ADMIN_TOKEN, "csrf_token": csrf_token_from(page.text)},
        headers={"Referer": "https://localhost/login"},  # over https, CSRF checks also want a same-site Referer
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_login_returns_to_the_page_asked_for_but_never_off_site(client):
    page = client.get("/login")
    token = csrf_token_from(page.text)
    response = client.post("/login?next=/notifications/7", data={"token": ADMIN_TOKEN, "csrf_token": token})
    assert response.headers["Location"] == "/notifications/7"
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/notifications").text)})
    page = client.get("/login")
    response = client.post(
        "/login?next=//evil.example.com/", data={"token": ADMIN_TOKEN, "csrf_token": csrf_token_from(page.text)}
    )
    assert response.headers["Location"] == "/notifications"


@pytest.mark.parametrize("target", ["/%0d%0aX:1", "/\\evil.example.com", "/a\tb", "javascript:alert(1)", "/\u00e9"])
def test_a_next_that_is_not_a_plain_local_path_goes_to_the_list(client, target):
    log_in(client)
    response = client.get("/login", query_string={"next": target.replace("%0d%0a", "\r\n")})
    assert response.status_code == 302 and response.headers["Location"] == "/notifications"


def test_the_list_shows_name_type_url_and_counts(client, stream):
    client.post(webhook_path(stream), json={"email": "a@example.com"})
    log_in(client)
    page = client.get("/notifications").text
    assert stream["name"] in page
    assert stream["webhook_url"] in page
    assert "just now" in page
    assert re.search(r'<td class="num">1</td>', page)


def test_creating_from_the_form_opens_the_new_page(client):
    log_in(client)
    token = csrf_token_from(client.get("/notifications").text)
    response = client.post("/notifications", data={"name": "Sign-ups", "type": "conversion", "csrf_token": token})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "Sign-ups" in page and "signed up" in page


def test_a_bad_form_shows_the_errors_and_keeps_the_input(client):
    log_in(client)
    token = csrf_token_from(client.get("/notifications").text)
    response = client.post("/notifications", data={"name": "", "type": "stream", "message": "bought", "csrf_token": token})
    assert response.status_code == 422
    assert 'value="bought"' in response.text
    assert "Shorter than minimum length" in response.text or "Length must be" in response.text


def test_the_notification_page_shows_url_curl_examples_and_the_preview(client, city_stream):
    client.post(
        webhook_path(city_stream),
        json={
            "email": "john.smith@example.com",
            "city": "Miami",
            "state": "Florida",
            "countryCode": "US",
            "productName": "Sneakers",
            "productLink": "https://example.com/sneakers",
            "timestamp": time.time() - 180,
        },
    )
    log_in(client)
    page = client.get(f"/notifications/{city_stream['id']}").text
    assert city_stream["webhook_url"] in page
    assert f"curl -X POST {city_stream['webhook_url']}" in page
    assert "Content-Type: application/json" in page
    assert "<strong><bdi>John S.</bdi></strong> from <bdi>Miami, Florida</bdi>" in page
    assert '<a href="https://example.com/sneakers"' in page and ">Sneakers</a>" in page
    assert "3 minutes ago" in page
    assert ">JS<" in page  # the initials avatar, as there is no product image


def test_the_preview_escapes_everything(client, stream):
    client.post(
        webhook_path(stream),
        json={"email": "x@example.com", "firstName": "<img src=x onerror=alert(1)>", "productName": "<b>bold</b>"},
    )
    log_in(client)
    page = client.get(f"/notifications/{stream['id']}").text
    assert "<img src=x" not in page and "<b>bold</b>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_conversion_preview_shows_the_count(client, conversion):
    for _ in range(3):
        client.post(webhook_path(conversion))
    client.post(webhook_path(conversion), json={"timestamp": 1528611279})  # too old to count
    log_in(client)
    page = client.get(f"/notifications/{conversion['id']}").text
    assert "3 people signed up in the last 24 hours" in page


def test_deleting_from_the_page(client, stream):
    log_in(client)
    page = client.get(f"/notifications/{stream['id']}").text
    response = client.post(f"/notifications/{stream['id']}/delete", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert client.get(f"/notifications/{stream['id']}").status_code == 404


def test_browsers_get_html_error_pages(client):
    log_in(client)
    response = client.get("/notifications/12345", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "text/html" and "12345" in response.text


def test_logout_ends_the_session(client):
    log_in(client)
    token = csrf_token_from(client.get("/notifications").text)
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/notifications").status_code == 302


def test_the_settings_form_saves_and_reports_errors(client, stream):
    log_in(client)
    page = client.get(f"/notifications/{stream['id']}").text
    token = csrf_token_from(page)
    bad = client.post(f"/notifications/{stream['id']}/settings", data={"name": "", "csrf_token": token})
    assert bad.status_code == 422 and "error" in bad.text
    good = client.post(
        f"/notifications/{stream['id']}/settings", data={"name": "Orders", "message": "ordered", "csrf_token": token}
    )
    assert good.status_code == 302
    page = client.get(f"/notifications/{stream['id']}").text
    assert "Orders" in page and "ordered" in page
