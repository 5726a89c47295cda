"""The app under real gunicorn, spoken to over HTTP."""
import html
import http.client
import json
import re
import sqlite3
import subprocess

import requests

from helpers import ADMIN_TOKEN, csrf_token_from
from servers import gunicorn, served_env


def test_events_posted_over_http_are_stored(tmp_path, geoip_path):
    database = tmp_path / "served.sqlite3"
    env = served_env(database, geoip_path)
    with gunicorn(env) as (base, _process):
        auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        created = requests.post(f"{base}/api/notifications", json={"name": "n", "type": "stream"}, headers=auth)
        assert created.status_code == 201
        url = created.json()["webhook_url"]
        assert url.startswith(base + "/webhooks/")
        answers = [
            requests.post(url, json={"email": f"user{i}@example.com", "productName": "Hat"}) for i in range(10)
        ]
        form = requests.post(url, data={"email": "form@example.com", "products[0][name]": "Cap",
                                        "products[0][link]": "https://example.com/cap"})
        bad = requests.post(url, data=b"{", headers={"Content-Type": "application/json"})
        assert [a.status_code for a in answers] == [201] * 10
        assert form.status_code == 201 and form.json()["event"]["productName"] == "Cap"
        assert bad.status_code == 400 and bad.json()["code"] == 400
        assert requests.get(url).headers["Allow"] == "POST"
    count = sqlite3.connect(database).execute("SELECT COUNT(*) FROM events").fetchone()[0]
    assert count == 11


def test_the_curl_examples_on_the_page_work_as_printed(tmp_path, geoip_path):
    env = served_env(tmp_path / "curl.sqlite3", geoip_path)
    with gunicorn(env) as (base, _process):
        browser = requests.Session()
        login = browser.get(f"{base}/login")
        browser.post(f"{base}/login", data={"token": ADMIN_TOKEN, "csrf_token": csrf_token_from(login.text)})
        for kind in ("stream", "conversion"):
            created = browser.post(
                f"{base}/api/notifications",
                json={"name": kind, "type": kind},
                headers={"X-CSRFToken": csrf_token_from(browser.get(f"{base}/notifications").text)},
            ).json()
            page = browser.get(created["preview_url"]).text
            codes = [html.unescape(code) for code in re.findall(r"<pre><code>(.*?)</code></pre>", page, re.S)]
            commands = [code for code in codes if code.startswith("curl ")]
            assert len(commands) == 2
            for command in commands:
                done = subprocess.run(["bash", "-c", command + " --silent --show-error"], capture_output=True, text=True)
                assert done.returncode == 0, done.stderr
                assert json.loads(done.stdout)["status"] == "created", done.stdout
            events = browser.get(f"{base}/api/notifications/{created['id']}/events").json()["events"]
            assert len(events) == 2


def test_the_access_log_never_holds_a_webhook_token(tmp_path, geoip_path):
    log = tmp_path / "access.log"
    with gunicorn(served_env(tmp_path / "log.sqlite3", geoip_path), extra_args=("--access-logfile", str(log))) as (
        base,
        _process,
    ):
        created = requests.post(
            f"{base}/api/notifications", json={"name": "n", "type": "stream"},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        ).json()
        token = created["webhook_url"].rsplit("/", 1)[1]
        assert requests.post(created["webhook_url"] + "?dry_run=1", json={"email": "a@example.com"}).status_code == 200
        # The same path percent-encoded two ways (both are served), and the URL as a Referer.
        connection = http.client.HTTPConnection(base.removeprefix("http://"))
        for path in (f"/%77ebhooks/{token}?dry_run=1", f"/webhooks%2F{token}?dry_run=1"):
            connection.request("POST", path, body=b'{"email": "a@example.com"}', headers={
                "Content-Type": "application/json", "Referer": created["webhook_url"].replace("/webhooks/", "/%77ebhooks/")})
            answer = connection.getresponse()
            answer.read()
            assert answer.status == 200
        connection.close()
    written = log.read_text()
    assert "POST /webhooks/…?dry_run=1 HTTP/1.1" in written
    assert token not in written


def test_the_access_log_keeps_no_address_user_agent_or_referer_of_a_site_visitor(tmp_path, geoip_path):
    log = tmp_path / "access.log"
    with gunicorn(served_env(tmp_path / "log.sqlite3", geoip_path), extra_args=("--access-logfile", str(log))) as (
        base,
        _process,
    ):
        visitor = {"User-Agent": "VisitorBrowser/123", "Referer": "https://shop.example/thank-you?order=991"}
        for path in ("/feed/somekey/goals", "/feed/somekey/activity"):
            assert requests.post(base + path, data=b"{}", headers=visitor).status_code == 204
        assert requests.get(base + "/widget.js", headers=visitor).status_code == 200
        requests.get(base + "/login", headers={"User-Agent": "OwnerBrowser/1"})
    lines = log.read_text().splitlines()
    visits = [line for line in lines if "/feed/" in line or "/widget.js" in line]
    assert len(visits) == 3 and all(line.startswith("- ") for line in visits)
    assert not any(word in "\n".join(visits) for word in ("VisitorBrowser", "shop.example", "127.0.0.1"))
    assert any("OwnerBrowser/1" in line for line in lines)  # the admin side's lines are as before


def test_a_chunked_body_over_the_limit_is_413_like_one_with_a_content_length(tmp_path, geoip_path):
    database = tmp_path / "chunked.sqlite3"
    with gunicorn(served_env(database, geoip_path, MAX_BODY_BYTES=1000)) as (base, _process):
        url = requests.post(f"{base}/api/notifications", json={"name": "n", "type": "stream"},
                            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json()["webhook_url"]
        answers = []
        for size in (1000, 1001, 5000):
            body = json.dumps({"email": "a@example.com", "productName": "Hat", "pad": ""}).encode()
            body = body.replace(b'"pad": ""', b'"pad": "' + b"x" * (size - len(body)) + b'"')
            chunks = (body[at:at + 100] for at in range(0, len(body), 100))  # a generator: sent chunked
            answers.append(requests.post(url, data=chunks, headers={"Content-Type": "application/json"}).status_code)
    assert answers == [201, 413, 413]
    assert sqlite3.connect(database).execute("SELECT COUNT(*) FROM events").fetchone()[0] == 1
