"""Instructions per webhook call, counted by valgrind, which a busy machine can't move: `python bench/instructions.py`.

Calls the WSGI app in-process (no server, no network) with bodies like bench/ingest.lua's JSON stream events, for
Proofhook and for the bare Flask app, once with N calls and once with 2N, each under `valgrind --tool=cachegrind`;
the difference of the two counts, divided by N, is what one call costs (start-up and imports cancel out).
`--native` runs the same calls without valgrind and prints CPU µs per call instead (noisy on a shared box).
"""
import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ADMIN_TOKEN = "bench-admin-token"


def body(i: int) -> bytes:
    """Return the i-th JSON stream event: a new email, a public IP for GeoIP, two products."""
    return json.dumps({
        "email": f"buyer.{i}@example.com", "ip": f"81.{i % 250 + 1}.{i % 199 + 1}.{i % 97 + 1}", "currency": "USD",
        "products": [{"name": "Sneakers", "link": f"https://shop.example.com/p/{i}",
                      "image": f"https://shop.example.com/i/{i}.jpg", "price": 89.0, "quantity": 1},
                     {"name": "Café crème", "link": "https://shop.example.com/p/2", "price": 4.5, "quantity": 2}],
    }).encode()


def environ(path: str, raw: bytes) -> dict:
    """Return the WSGI environ gunicorn would hand the app for this POST."""
    return {"REQUEST_METHOD": "POST", "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:8000", "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(raw)),
            "REMOTE_ADDR": "127.0.0.1", "wsgi.input": io.BytesIO(raw), "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True,
            "wsgi.run_once": False, "wsgi.version": (1, 0)}


def proofhook_app(workdir: str):
    """Return a Proofhook app on a fresh SQLite database and the path of a stream notification's webhook."""
    from webhook import create_app

    app = create_app({"DATABASE": os.path.join(workdir, "instructions.sqlite3"), "ADMIN_TOKEN": ADMIN_TOKEN,
                      "SECRET_KEY": "bench-secret", "RATE_LIMIT": 0, "SQLITE_SYNCHRONOUS": "NORMAL"})
    answer = app.test_client().post("/api/notifications", json={"name": "Bench stream", "type": "stream"},
                                    headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return app, "/webhooks/" + answer.get_json()["webhook_url"].rsplit("/", 1)[1]


def drive(which: str, calls: int, built: int) -> float:
    """Build `built` requests, then make the first `calls` of them; return the CPU seconds the calls took."""
    with tempfile.TemporaryDirectory(prefix="proofhook-instructions-") as workdir:
        if which == "bare":
            from bench.bare_app import app

            path = "/webhooks/bench"
        else:
            app, path = proofhook_app(workdir)
        expected = "204" if which == "bare" else "201"
        requests = [environ(path, body(i)) for i in range(built)]
        statuses = []

        def start_response(status, headers, exc_info=None):
            """Keep the status line."""
            statuses.append(status)

        # One warm-up call, in both runs alike, so first-call work (imports, caches) cancels out.
        b"".join(app.wsgi_app(environ(path, body(10**6)), start_response))
        started = time.process_time()
        for request in requests[:calls]:
            b"".join(app.wsgi_app(request, start_response))
        spent = time.process_time() - started
        wrong = [s for s in statuses if not s.startswith(expected)]
        if wrong:
            raise SystemExit(f"{which}: {len(wrong)} answers were not {expected}: {wrong[:3]}")
        return spent


def count_instructions(which: str, calls: int, built: int) -> int:
    """Run `drive` under cachegrind in a child process and return the instructions it executed."""
    with tempfile.NamedTemporaryFile(prefix="cachegrind-") as out:
        done = subprocess.run(
            ["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={out.name}",
             sys.executable, __file__, "--child", which, str(calls), str(built)],
            cwd=ROOT, capture_output=True, text=True, check=False)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"valgrind failed for {which}:\n{done.stderr[-3000:]}")
    return int(found.group(1).replace(",", ""))


def instructions_per_call(which: str, calls: int) -> float:
    """Return what one call costs: the instructions of 2N calls less those of N, divided by N."""
    return (count_instructions(which, 2 * calls, 2 * calls) - count_instructions(which, calls, 2 * calls)) / calls


def main(argv=None) -> int:
    """Print instructions (or, with --native, CPU µs) per call for Proofhook's webhook and the bare app's POST."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100, help="N: the runs make N and 2N calls (default 100)")
    parser.add_argument("--native", action="store_true", help="CPU µs per call without valgrind, 10 x 2N calls")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.child:
        which, calls, built = options.child
        drive(which, int(calls), int(built))
        return 0
    n = options.calls
    figures = {}
    for which in ("proofhook", "bare"):
        if options.native:
            figures[which] = min(drive(which, 2 * n, 2 * n) for _ in range(10)) / (2 * n) * 1e6
            print(f"{which:9} {figures[which]:10.0f} CPU µs per call (best of 10 runs of {2 * n} calls)")
        else:
            figures[which] = instructions_per_call(which, n)
            print(f"{which:9} {figures[which] / 1e6:10.2f} M instructions per call ({n} calls, valgrind)",
                  flush=True)
    print(f"ratio     {figures['proofhook'] / figures['bare']:10.1f} x bare's per-call work")
    return 0


if __name__ == "__main__":
    sys.exit(main())
