"""The admin pages work in a real browser under the Content-Security-Policy: no violations, CSS and JS load."""
import requests

from helpers import ADMIN_TOKEN
from servers import gunicorn, served_env


def test_the_notification_page_breaks_no_policy(chromium, tmp_path, geoip_path):
    env = served_env(tmp_path / "db.sqlite3", geoip_path)
    with gunicorn(env) as (base, _process):
        auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        created = requests.post(f"{base}/api/notifications", json={"name": "n", "type": "stream"}, headers=auth,
                                timeout=30).json()
        requests.post(created["webhook_url"], json={"email": "john.smith@example.com", "productName": "Hat",
                                                    "productImage": "data:image/gif;base64,R0lGODlhAQABAAAAACw="},
                      timeout=30)
        context = chromium.new_context()
        try:
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
            page = context.new_page()
            console = []
            page.on("console", lambda message: console.append(message.text))
            page.goto(f"{base}/notifications/{created['id']}")
            page.fill("#token", ADMIN_TOKEN)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/notifications/{created['id']}")
            assert page.evaluate("getComputedStyle(document.querySelector('.card')).display") != ""
            body_margin = page.evaluate("getComputedStyle(document.body).margin")
            page.click("button.copy")
            page.wait_for_function("document.querySelector('button.copy').textContent === 'Copied'", timeout=5000)
            copied = page.evaluate("navigator.clipboard.readText()")
            violations = [text for text in console if "Content Security Policy" in text]
        finally:
            context.close()
    assert copied == created["webhook_url"]  # copy.js ran under script-src 'self'
    assert body_margin != "8px"  # proofhook.css applied under style-src 'self' (the browser default is 8px)
    assert violations == []
