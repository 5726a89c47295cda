"""The README's curl + openssl signing example works as printed against a real server."""
import html
import re
import shlex
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
import requests

from helpers import ADMIN_TOKEN, csrf_token_from
from servers import gunicorn, served_env

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_block(after: str) -> str:
    """Return the first ```sh block that follows a sentence of the README."""
    text = README.read_text()
    return re.search(r"```sh\n(.*?)```", text[text.index(after):], re.S).group(1)


def signed_notification(base: str, secret: str) -> dict:
    """Create, on a served app, a notification whose calls must be signed with `secret`."""
    return requests.post(f"{base}/api/notifications", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                         json={"name": "n", "type": "stream", "signing_secret": secret}, timeout=30).json()


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("openssl") and shutil.which("curl")), reason="needs openssl and curl")
def test_the_readme_signing_example_is_accepted_and_a_wrong_secret_is_not(tmp_path, geoip_path):
    script = readme_block("Signing your own calls")
    database = tmp_path / "served.sqlite3"
    env = served_env(database, geoip_path)
    with gunicorn(env) as (base, _process):
        created = signed_notification(base, "my-signing-secret")
        run = [["bash", "-euc", source] for source in (script, script.replace("my-signing-secret", "other"))]
        good, bad = (subprocess.run(cmd, env={"URL": created["webhook_url"], "PATH": "/usr/bin:/bin"},
                                    capture_output=True, text=True, timeout=30) for cmd in run)
    assert '"status":"created"' in good.stdout.replace(" ", ""), good.stdout + good.stderr
    assert '"code":401' in bad.stdout.replace(" ", ""), bad.stdout + bad.stderr
    assert sqlite3.connect(database).execute("SELECT COUNT(*) FROM events").fetchone()[0] == 1


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("openssl") and shutil.which("curl")), reason="needs openssl and curl")
def test_the_pages_signed_example_works_once_the_secret_is_filled_in(tmp_path, geoip_path):
    database = tmp_path / "served.sqlite3"
    env = served_env(database, geoip_path)
    with gunicorn(env) as (base, _process):
        created = signed_notification(base, "it's $ecret")
        browser = requests.Session()
        login = browser.get(f"{base}/login", timeout=30).text
        browser.post(f"{base}/login", data={"token": ADMIN_TOKEN, "csrf_token": csrf_token_from(login)}, timeout=30)
        page = browser.get(created["preview_url"], timeout=30).text
        blocks = [html.unescape(code) for code in re.findall(r"<pre><code>(.*?)</code></pre>", page, re.S)]
        signed = next(block for block in blocks if "X-Proofhook-Signature" in block)
        assert "it's $ecret" not in page
        script = signed.replace("SECRET='<your signing secret>'", "SECRET=" + shlex.quote("it's $ecret"))
        done = subprocess.run(["bash", "-euc", script], env={"PATH": "/usr/bin:/bin"}, capture_output=True,
                              text=True, timeout=30)
    assert '"status":"created"' in done.stdout.replace(" ", ""), done.stdout + done.stderr
    assert sqlite3.connect(database).execute("SELECT COUNT(*) FROM events").fetchone()[0] == 1
