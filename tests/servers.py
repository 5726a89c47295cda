"""Run Proofhook under real gunicorn for tests that are about serving."""
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from helpers import ADMIN_TOKEN

ROOT = Path(__file__).resolve().parent.parent


def served_env(database, geoip_path: str, **settings) -> dict:
    """Return the environment of a served Proofhook: its own database, the test admin token and GeoIP file."""
    env = {
        "PROOFHOOK_DATABASE": str(database),
        "PROOFHOOK_ADMIN_TOKEN": ADMIN_TOKEN,
        "PROOFHOOK_SECRET_KEY": "served-secret",
        "PROOFHOOK_GEOIP_DATABASE": geoip_path,
    }
    return env | {f"PROOFHOOK_{name}": str(value) for name, value in settings.items()}


def sealed(env: dict) -> dict:
    """Return this process's environment without the shell's PROOFHOOK_* settings, plus a served app's own."""
    # As create_app's sealed test config: a PROOFHOOK_RATE_LIMIT in the shell must not change what tests assert.
    return {name: value for name, value in os.environ.items() if not name.startswith("PROOFHOOK_")} | env


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 20) -> None:
    """Wait for a server to answer, failing early if its process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {process.stderr.read().decode()[-2000:]}")
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:  # not listening yet, or still starting under load
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up in {timeout} s")


@contextmanager
def gunicorn(env: dict, workers: int = 2, extra_args: tuple = ()):
    """Serve app:app with gunicorn on a free port; yield its base URL; stop it after."""
    port = free_port()
    bin_dir = Path(sys.executable).parent
    process = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "-c", "python:webhook.gunicorn_conf", "app:app",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--access-logfile", "/dev/null",
         *extra_args],
        cwd=ROOT,
        env=sealed(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/login", process)
        yield base, process
    finally:
        # SIGQUIT, gunicorn's quick shutdown: the test is over, and a graceful one waits out kept-alive connections.
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()
