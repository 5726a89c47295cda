"""The app under real gunicorn, spoken to over HTTP."""
import sqlite3

import requests

from helpers import ADMIN_TOKEN
from servers import gunicorn


def test_events_posted_over_http_are_stored(tmp_path, geoip_path):
    database = tmp_path / "served.sqlite3"
    env = {
        "PROOFHOOK_DATABASE": str(database),
        "PROOFHOOK_ADMIN_TOKEN": ADMIN_TOKEN,
        "PROOFHOOK_SECRET_KEY": "served-secret",
        "PROOFHOOK_GEOIP_DATABASE": geoip_path,
    }
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
