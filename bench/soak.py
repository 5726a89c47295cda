"""Soak Proofhook under real gunicorn: concurrent load, a worker killed mid-run, racing retries, a full disk
and a read-only database. Writes a JSON report and prints a summary; exits 1 if any check failed.

    make soak                                   # the defaults below
    make soak SOAK_ARGS="--clients 16 --events 500 --workers 4"

tests/test_soak.py runs the same scenarios, small.
"""
import argparse
import json
import os
import platform
import signal
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
# The project (run as `python bench/soak.py`, only bench/ is on the path) and the tests' server helpers.
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from faults import CannotMount, fill, remount, small_disk  # noqa: E402
from servers import gunicorn  # noqa: E402

ADMIN_TOKEN = "soak-admin-token-0123456789"
REPORT = ROOT / "bench" / "results" / "soak-report.json"


# --- a server to soak -------------------------------------------------------------------------------


@contextmanager
def served(database: Path, workers: int, geoip: str | None = None, busy_timeout_ms: int | None = None):
    """Serve Proofhook on `database` with gunicorn; yield (webhook URL, gunicorn process)."""
    env = {
        "PROOFHOOK_DATABASE": str(database),
        "PROOFHOOK_ADMIN_TOKEN": ADMIN_TOKEN,
        "PROOFHOOK_SECRET_KEY": "soak-secret-key",
        "PROOFHOOK_RATE_LIMIT": "0",  # the soak is the flood; a rate limit would only measure itself
    }
    if geoip is not None:
        env["PROOFHOOK_GEOIP_DATABASE"] = geoip
    if busy_timeout_ms is not None:
        env["PROOFHOOK_BUSY_TIMEOUT_MS"] = str(busy_timeout_ms)
    # --preload: workers fork from a loaded app and start at once (connections are opened per request, after
    # the fork, so nothing is shared); a killed worker is replaced as quickly.
    with gunicorn(env, workers=workers, extra_args=("--preload",)) as (base, process):
        created = requests.post(f"{base}/api/notifications", json={"name": "Soak", "type": "stream"},
                                headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=30)
        created.raise_for_status()
        yield created.json()["webhook_url"], process


def worker_pids(master: int) -> list[int]:
    """Return the pids of a gunicorn master's workers (its child processes)."""
    children = []
    for task in Path(f"/proc/{master}/task").iterdir():
        children += [int(pid) for pid in (task / "children").read_text().split()]
    return children


def workers_back(master: int, workers: int, killed: list[int], timeout: float = 10) -> bool:
    """Wait until the master has replaced the killed workers; return whether it did in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = worker_pids(master)
        if len(pids) == workers and not set(pids) & set(killed):
            return True
        time.sleep(0.05)
    return False


def stored_keys(database: Path) -> Counter:
    """Return how many stored events each idempotency key has."""
    conn = sqlite3.connect(database)
    try:
        return Counter(key for (key,) in conn.execute("SELECT dedup_key FROM events"))
    finally:
        conn.close()


def integrity(database: Path) -> str:
    """Return SQLite's integrity check of the file ("ok" when sound)."""
    conn = sqlite3.connect(database)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


# --- clients ----------------------------------------------------------------------------------------


class Tally:
    """What the clients saw, gathered from many threads."""

    def __init__(self):
        """Start empty."""
        self.lock = threading.Lock()
        self.statuses = Counter()
        self.latencies = []
        self.acknowledged = set()  # keys answered 201 (created) or 200 (duplicate: stored earlier)
        self.locked_bodies = 0
        self.connection_errors = 0
        self.retries = 0

    def record(self, key: str, response: requests.Response, seconds: float) -> None:
        """Count one answer."""
        with self.lock:
            self.statuses[response.status_code] += 1
            self.latencies.append(seconds)
            if response.status_code in (200, 201):
                self.acknowledged.add(key)
            if "locked" in response.text.lower():
                self.locked_bodies += 1

    def summary(self) -> dict:
        """Return the counts and latency percentiles."""
        ordered = sorted(self.latencies) or [0.0]
        return {
            "statuses": {str(code): count for code, count in sorted(self.statuses.items())},
            "server_errors": sum(count for code, count in self.statuses.items() if code >= 500),
            "locked_in_a_body": self.locked_bodies,
            "connection_errors": self.connection_errors,
            "retries": self.retries,
            "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1),
        }


def event(key: str) -> dict:
    """Return a realistic event for an idempotency key."""
    return {"email": f"{key}@example.com", "firstName": "Soak", "city": "Miami", "state": "Florida",
            "countryCode": "US", "productName": "Sneakers", "productLink": "https://example.com/sneakers",
            "total": 49.5, "currency": "USD"}


def send(session: requests.Session, url: str, key: str, tally: Tally, attempts: int = 5) -> None:
    """POST one event as a careful sender does: retry with the same key on a dropped connection or a 503."""
    for attempt in range(attempts):
        started = time.monotonic()
        try:
            response = session.post(url, json=event(key), headers={"Idempotency-Key": key}, timeout=30)
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            # Refused, reset, or cut off mid-answer (a worker killed after its headers went out): retry.
            with tally.lock:
                tally.connection_errors += 1
                tally.retries += attempt < attempts - 1
            continue
        tally.record(key, response, time.monotonic() - started)
        if response.status_code != 503:
            return
        with tally.lock:
            tally.retries += attempt < attempts - 1
        time.sleep(0.2)


def run_clients(url: str, keys_per_client: list[list[str]], tally: Tally) -> float:
    """Send every client's keys from its own thread and keep-alive session; return the seconds taken."""
    def client(keys):
        """Send one client's events in order over one session."""
        with requests.Session() as session:
            for key in keys:
                send(session, url, key, tally)

    threads = [threading.Thread(target=client, args=(keys,)) for keys in keys_per_client]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def keys_for(run: str, clients: int, events: int) -> list[list[str]]:
    """Return distinct idempotency keys, one list per client."""
    return [[f"{run}-c{c}-e{e}" for e in range(events)] for c in range(clients)]


# --- scenarios --------------------------------------------------------------------------------------


def load(workdir: Path, clients: int, events: int, workers: int, geoip: str | None = None) -> dict:
    """N clients × M events: exactly N×M rows, no 5xx, no "database is locked" reaching a client."""
    database = workdir / "load.sqlite3"
    tally = Tally()
    with served(database, workers, geoip) as (url, _process):
        seconds = run_clients(url, keys_for("load", clients, events), tally)
    rows = stored_keys(database)
    report = {"clients": clients, "events_each": events, "workers": workers, "seconds": round(seconds, 2),
              "events_per_second": round(clients * events / seconds, 1), "rows": sum(rows.values()),
              "integrity": integrity(database), **tally.summary()}
    report["ok"] = (report["rows"] == clients * events and max(rows.values(), default=1) == 1
                    and report["server_errors"] == 0 and report["locked_in_a_body"] == 0
                    and report["integrity"] == "ok")
    return report


def kill_a_worker(workdir: Path, clients: int, events: int, workers: int, geoip: str | None = None,
                  after: float = 0.5, kills: int = 3) -> dict:
    """kill -9 a worker mid-run, `kills` times: every acknowledged event is stored, once; the file is sound."""
    database = workdir / "kill.sqlite3"
    tally = Tally()
    killed, mid_run = [], True
    with served(database, workers, geoip) as (url, process):
        loader = threading.Thread(target=run_clients, args=(url, keys_for("kill", clients, events), tally))
        loader.start()
        for _ in range(kills):
            # Several kills, so that some land while a worker is inside a request, not waiting in accept().
            time.sleep(after)
            mid_run = mid_run and loader.is_alive()
            killed.append(worker_pids(process.pid)[0])
            os.kill(killed[-1], signal.SIGKILL)
        loader.join()
        replaced = workers_back(process.pid, workers, killed)
    rows = stored_keys(database)
    lost = sorted(tally.acknowledged - set(rows))
    report = {"clients": clients, "events_each": events, "workers": workers, "killed_pids": killed,
              "killed_mid_run": mid_run, "workers_replaced": replaced, "acknowledged": len(tally.acknowledged), "rows": sum(rows.values()),
              "acknowledged_but_lost": lost[:20], "stored_twice": sum(1 for n in rows.values() if n > 1),
              "integrity": integrity(database), **tally.summary()}
    report["ok"] = (mid_run and replaced and not lost and report["stored_twice"] == 0 and report["integrity"] == "ok"
                    and report["rows"] == len(tally.acknowledged) == clients * events)
    return report


def racing_retries(workdir: Path, threads: int, rounds: int, workers: int, geoip: str | None = None) -> dict:
    """The same key sent by many threads at once, many times over: exactly one event per key."""
    database = workdir / "race.sqlite3"
    statuses = Counter()
    created_per_key = Counter()
    lock = threading.Lock()
    with served(database, workers, geoip) as (url, _process):
        for round_ in range(rounds):
            key = f"race-{round_}"
            barrier = threading.Barrier(threads)

            def racer():
                """Send the round's key the moment all racers are ready."""
                barrier.wait()
                response = requests.post(url, json=event(key), headers={"Idempotency-Key": key}, timeout=30)
                with lock:
                    statuses[response.status_code] += 1
                    created_per_key[key] += response.status_code == 201

            racers = [threading.Thread(target=racer) for _ in range(threads)]
            for racer_thread in racers:
                racer_thread.start()
            for racer_thread in racers:
                racer_thread.join()
    rows = stored_keys(database)
    report = {"threads": threads, "rounds": rounds, "statuses": {str(k): v for k, v in sorted(statuses.items())},
              "rows": sum(rows.values()), "keys_created_once": sum(1 for n in created_per_key.values() if n == 1),
              "integrity": integrity(database)}
    report["ok"] = (report["rows"] == rounds and all(n == 1 for n in rows.values())
                    and report["keys_created_once"] == rounds and set(statuses) <= {200, 201})
    return report


def post_one(url: str, key: str) -> requests.Response:
    """POST one event with its key."""
    return requests.post(url, json=event(key), headers={"Idempotency-Key": key}, timeout=30)


def held_lock(workdir: Path, workers: int, geoip: str | None = None, busy_timeout_ms: int = 300) -> dict:
    """Another process holds the write lock past the busy timeout: 503 with Retry-After, then 201 once released."""
    database = workdir / "lock.sqlite3"
    with served(database, workers, geoip, busy_timeout_ms=busy_timeout_ms) as (url, _process):
        holder = sqlite3.connect(database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        locked = post_one(url, "lock-held")
        waited = time.monotonic() - started
        holder.rollback()
        holder.close()
        after = post_one(url, "lock-released").status_code
    report = {"busy_timeout_ms": busy_timeout_ms, "while_held": locked.status_code,
              "waited_ms": round(waited * 1000), "message": locked.json().get("message"),
              "retry_after": locked.headers.get("Retry-After"), "after": after,
              "rows": sum(stored_keys(database).values())}
    report["ok"] = (locked.status_code == 503 and report["retry_after"] == "5" and after == 201
                    and report["rows"] == 1 and waited * 1000 >= busy_timeout_ms)
    return report


def first_503(responses: list):
    """Return the first answer that was a 503, or None (test it with `is None`: a 503 Response is falsy)."""
    return next((r for r in responses if r.status_code == 503), None)


def full_disk(workdir: Path, workers: int, geoip: str | None = None) -> dict:
    """A full disk: 503 with a clear message, nothing corrupted, service back when space returns."""
    with small_disk(workdir / "full-disk", size="4m") as disk:
        database = disk / "proofhook.sqlite3"
        with served(database, workers, geoip) as (url, _process):
            before = post_one(url, "disk-before").status_code
            filler = fill(disk)
            while_full = [post_one(url, f"disk-full-{i}") for i in range(20)]
            filler.unlink()
            after = post_one(url, "disk-after").status_code
        rows = stored_keys(database)
        refused = first_503(while_full)
        report = {"before": before, "while_full": dict(Counter(r.status_code for r in while_full)),
                  "message": refused.json()["message"] if refused is not None else None,
                  "retry_after": refused.headers.get("Retry-After") if refused is not None else None,
                  "after": after, "integrity": integrity(database),
                  "stored_while_full": sorted(k for k in rows if k.startswith("disk-full-")),
                  "created_while_full": sorted(f"disk-full-{i}" for i, r in enumerate(while_full)
                                               if r.status_code == 201)}
    report["ok"] = (before == after == 201 and report["while_full"].get(503, 0) > 0
                    and set(report["while_full"]) <= {201, 503} and report["retry_after"] == "5"
                    and report["integrity"] == "ok"
                    and report["stored_while_full"] == report["created_while_full"])
    return report


def read_only(workdir: Path, workers: int, geoip: str | None = None) -> dict:
    """A read-only database (the file system remounted ro): 503, and service back once it is writable."""
    with small_disk(workdir / "ro-disk", size="8m") as disk:
        database = disk / "proofhook.sqlite3"
        with served(database, workers, geoip) as (url, process):
            before = post_one(url, "ro-before").status_code
            # Workers keep their database open for writing, which makes a remount wait (EBUSY): HUP makes
            # gunicorn replace them with fresh ones that open it on their first request, after the remount.
            process.send_signal(signal.SIGHUP)
            remount(disk, "ro")
            try:
                while_ro = [post_one(url, f"ro-{i}") for i in range(5)]
            finally:
                remount(disk, "rw")
            after = post_one(url, "ro-after").status_code
        rows = stored_keys(database)
        refused = first_503(while_ro)
        report = {"before": before, "while_read_only": dict(Counter(r.status_code for r in while_ro)),
                  "message": refused.json()["message"] if refused is not None else None,
                  "after": after, "rows": sum(rows.values()), "integrity": integrity(database)}
    report["ok"] = (before == after == 201 and report["while_read_only"] == {503: 5} and report["rows"] == 2
                    and report["integrity"] == "ok")
    return report


OUTCOME = {True: "ok  ", False: "FAIL", None: "skip"}  # a scenario's "ok": passed, failed, not run


def faults_or_skip(scenario, *args, **kwargs) -> dict:
    """Run a scenario that needs a tmpfs; where mounting is not permitted, report it as skipped."""
    try:
        return scenario(*args, **kwargs)
    except CannotMount as reason:
        return {"skipped": str(reason), "ok": None}  # not run: neither passed nor failed


# --- the command ------------------------------------------------------------------------------------


def main(argv=None) -> int:
    """Run every scenario, write the report, print a summary; return 1 if a check failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent senders (default 8)")
    parser.add_argument("--events", type=int, default=250, help="events per sender (default 250)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--racers", type=int, default=16, help="threads racing with one key (default 16)")
    parser.add_argument("--rounds", type=int, default=20, help="keys raced (default 20)")
    parser.add_argument("--report", type=Path, default=REPORT, help=f"JSON report (default {REPORT.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="proofhook-soak-") as tmp:
        workdir = Path(tmp)
        scenarios = {
            "load": load(workdir, args.clients, args.events, args.workers),
            "kill_a_worker": kill_a_worker(workdir, args.clients, args.events, args.workers),
            "racing_retries": racing_retries(workdir, args.racers, args.rounds, args.workers),
            "held_lock": held_lock(workdir, args.workers),
            "full_disk": faults_or_skip(full_disk, workdir, args.workers),
            "read_only": faults_or_skip(read_only, workdir, args.workers),
        }
    report = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
              "seconds": round(time.time() - started, 1), "ok": all(s["ok"] is not False for s in scenarios.values()),
              "skipped": [name for name, s in scenarios.items() if s["ok"] is None], "scenarios": scenarios}
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, indent=2) + "\n")
    for name, result in scenarios.items():
        shown = {k: v for k, v in result.items() if k != "ok" and v not in ([], None)}
        print(f"{OUTCOME[result['ok']]} {name}: {json.dumps(shown)}")
    skipped = f" ({len(report['skipped'])} skipped: {', '.join(report['skipped'])})" if report["skipped"] else ""
    outcome = "All checks that ran passed" if report["ok"] else "Some checks FAILED"
    print(f"{outcome}{skipped} in {report['seconds']} s; report: {args.report}")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
