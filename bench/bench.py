"""Benchmark Proofhook against the ceiling of its own stack: `make bench` (or `python bench/bench.py --help`).

Starts Proofhook under gunicorn with its production config (rate limit off, a temporary database) and a bare
Flask app under the same config, drives both with wrk in turns (A/B/A/B, so drift on a shared machine cancels
out) and prints, per workload, throughput, latency, errors, the ratio to the bare app, peak memory per worker,
rows stored against 201s and the cold start. Writes the same figures as JSON under bench/results/.
"""
import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH = ROOT / "bench"
ADMIN_TOKEN = "bench-admin-token"
FEED_EVENTS = 10_000
# (workload, sync) → (min ratio to bare, max p99 as a multiple of bare's p99 under the same flags).
TARGETS = {("ingest", "NORMAL"): (0.50, 2.0), ("feed", "NORMAL"): (1.0, None), ("feed-304", "NORMAL"): (1.0, None),
           ("ingest", "FULL"): (0.35, None)}
MAX_WORKER_PSS_MB = 60
MAX_COLD_START_S = 1.0
# A run is unbalanced when one worker did less than this part of its fair share of the CPU (wrk's kept-alive
# connections are handed out once, at connect time); such a run is rerun, up to MAX_RERUNS times.
MIN_FAIR_SHARE = 0.5
MAX_RERUNS = 2
CLOCK_TICK_US = 1e6 / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(method: str, url: str, body: dict | None = None, headers: dict | None = None, timeout: float = 5):
    """Make one HTTP request; return (status, headers, parsed JSON body or None)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            status, answer_headers, raw = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as exc:
        status, answer_headers, raw = exc.code, exc.headers, exc.read()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return status, answer_headers, parsed


class Server:
    """One gunicorn (Proofhook or the bare app) on a free port, with its launch-to-first-success time."""

    def __init__(self, name: str, app: str, env: dict, gunicorn_args: list[str]):
        """Launch gunicorn serving `app` with the production config and wait for its first success."""
        self.name = name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.peaks: dict[int, dict] = {}
        gunicorn = Path(sys.executable).parent / "gunicorn"
        started = time.monotonic()
        self.process = subprocess.Popen(
            [str(gunicorn), "-c", "python:webhook.gunicorn_conf", app, "--bind", f"127.0.0.1:{self.port}",
             *gunicorn_args],
            cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        self.first = self.wait_for_first_success()
        self.cold_start_s = time.monotonic() - started

    def wait_for_first_success(self, timeout: float = 30):
        """Poll until the server answers its first success: a created notification, or the bare 204."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited with {self.process.returncode}:\n"
                                 f"{self.process.stderr.read().decode()[-3000:]}")
            try:
                if self.name == "bare":
                    status, _h, body = call("POST", self.base + "/webhooks/probe", {})
                else:
                    status, _h, body = call("POST", self.base + "/api/notifications",
                                            {"name": "Bench stream", "type": "stream"},
                                            {"Authorization": f"Bearer {ADMIN_TOKEN}"})
                if status in (201, 204):
                    return body
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.005)
        raise SystemExit(f"{self.name} gave no first success within {timeout} s")

    def workers(self) -> list[int]:
        """Return the pids of this gunicorn's workers (the master's children)."""
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(entry))
        return pids

    def cpu_us(self) -> dict[int, float]:
        """Return each worker's CPU time so far (user + system), in µs, by pid."""
        times = {}
        for pid in self.workers():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            times[pid] = (int(fields[11]) + int(fields[12])) * CLOCK_TICK_US  # utime, stime
        return times

    def sample_memory(self) -> None:
        """Record each worker's current Rss and Pss (smaps_rollup) and its VmHWM, keeping the peaks."""
        for pid in self.workers():
            try:
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            kb = {key: int(value) for key, value in re.findall(r"^(\w+):\s+(\d+) kB", rollup + status, re.M)}
            peak = self.peaks.setdefault(pid, {"rss_kb": 0, "pss_kb": 0, "hwm_kb": 0, "anon_kb": 0})
            peak["rss_kb"] = max(peak["rss_kb"], kb.get("Rss", 0))
            peak["pss_kb"] = max(peak["pss_kb"], kb.get("Pss", 0))
            peak["hwm_kb"] = max(peak["hwm_kb"], kb.get("VmHWM", 0))
            # RssAnon: the worker's own heap; Rss also counts mmdb pages every worker shares.
            peak["anon_kb"] = max(peak["anon_kb"], kb.get("RssAnon", 0))

    def peak_memory_mb(self) -> dict:
        """Return the largest worker's peak Rss (VmHWM or sampled), Pss and anonymous Rss, in MB."""
        if not self.peaks:
            return {"rss_mb": None, "pss_mb": None, "anon_mb": None}
        rss = max(max(p["rss_kb"], p["hwm_kb"]) for p in self.peaks.values())
        pss = max(p["pss_kb"] for p in self.peaks.values())
        anon = max(p["anon_kb"] for p in self.peaks.values())
        return {"rss_mb": round(rss / 1024, 1), "pss_mb": round(pss / 1024, 1), "anon_mb": round(anon / 1024, 1)}

    def stop(self) -> None:
        """Stop gunicorn and its workers."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stderr.close()


class Sampler(threading.Thread):
    """Sample the workers' memory of the servers under load every half second."""

    def __init__(self, servers):
        """Watch these servers until stopped."""
        super().__init__(daemon=True)
        self.servers = servers
        self.stopped = threading.Event()

    def run(self):
        """Sample until stopped."""
        while not self.stopped.wait(0.5):
            for server in self.servers:
                server.sample_memory()


def run_wrk(base: str, script: str, args: list[str], seconds: float, connections: int, threads: int) -> dict:
    """Run wrk with one of our Lua scripts and return the figures its done() printed."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency", "--timeout", "5s",
               "-s", str(BENCH / script), base, "--", *args]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    line = next((l for l in out.stdout.splitlines() if l.startswith("BENCH_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no figures:\n{out.stdout}\n{out.stderr}")
    figures = json.loads(line.removeprefix("BENCH_JSON "))
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


class Proofhook:
    """A Proofhook under test: its server plus an in-process app on the same database for setup and counts."""

    def __init__(self, synchronous: str, workdir: str, gunicorn_args: list[str], database_url: str = ""):
        """Start Proofhook with a fresh database and create the notifications the workloads post to."""
        self.synchronous = synchronous
        database = os.path.join(workdir, f"proofhook-{synchronous.lower()}.sqlite3")
        env = {"PROOFHOOK_DATABASE": database, "PROOFHOOK_ADMIN_TOKEN": ADMIN_TOKEN,
               "PROOFHOOK_SECRET_KEY": "bench-secret", "PROOFHOOK_RATE_LIMIT": "0",
               "PROOFHOOK_SQLITE_SYNCHRONOUS": synchronous, "PROOFHOOK_DATABASE_URL": database_url}
        if database_url:
            empty_postgres(database_url)
        self.server = Server("proofhook", "app:app", env, gunicorn_args)
        self.stream = self.server.first
        self.conversion = self.create("Bench conversions", "conversion")
        from webhook import create_app

        self.app = create_app({"DATABASE": database, "ADMIN_TOKEN": ADMIN_TOKEN, "SECRET_KEY": "bench-secret",
                               "SQLITE_SYNCHRONOUS": synchronous, "DATABASE_URL": database_url})

    def create(self, name: str, kind: str) -> dict:
        """Create a notification through the API and return it."""
        status, _h, body = call("POST", self.server.base + "/api/notifications", {"name": name, "type": kind},
                                {"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert status == 201, (status, body)
        return body

    def path(self, notification: dict, key: str) -> str:
        """Return the path part of one of a notification's URLs."""
        return urllib.parse.urlsplit(notification[key]).path

    def rows(self) -> int:
        """Return how many events the ingest notifications hold."""
        from webhook.storage import event_store

        with self.app.app_context():
            return sum(event_store.count_shown_events(n["id"], 0) for n in (self.stream, self.conversion))

    def feed_target(self) -> tuple[str, str] | None:
        """Fill a notification with FEED_EVENTS events; return its feed path and ETag, or None without a feed."""
        notification = self.create("Bench feed", "stream")
        if "feed_url" not in notification:
            return None
        path = self.path(notification, "feed_url")
        status, _h, _b = call("GET", self.server.base + path)
        if status == 404:
            return None
        from webhook import intake
        from webhook.storage import event_store
        from webhook.vocabulary import now_ms

        with self.app.app_context():
            now = now_ms()
            templates = []
            for i in range(50):
                payload = {"email": f"buyer{i}@example.com", "ip": f"81.2.69.{i + 1}",
                           "products": [{"name": f"Product {i}", "link": f"https://shop.example.com/p/{i}",
                                         "price": 10 + i}]}
                templates.append(intake.build_event(notification, payload, {}, intake.geoip()).event)
            for i in range(FEED_EVENTS):
                event = {**templates[i % len(templates)], "timestamp": now - i * 8000}
                event_store.insert_event(notification["id"], event, {}, None)
        status, headers, _b = call("GET", self.server.base + path)
        if status != 200:
            raise SystemExit(f"the feed answered {status} at {path}")
        return path, headers.get("ETag") or ""


def run_workload(name, proofhook, bare, script, args, options, record):
    """Drive Proofhook and the bare app in turns for one workload and append one result per server.

    `args` maps "proofhook"/"bare" to the script's arguments; "{tag}" in them becomes a per-run tag.
    """
    runs = {"proofhook": [], "bare": []}
    set_aside = {"proofhook": [], "bare": []}  # unbalanced runs that were rerun: their 201s stored rows too
    rows_before = proofhook.rows() if name == "ingest" else 0
    for round_number in range(options.rounds):
        for label, server in (("proofhook", proofhook.server), ("bare", bare)):
            tag = f"{proofhook.synchronous[0]}{round_number}{label[0]}"
            tagged = [a.replace("{tag}", tag) for a in args[label]]
            for attempt in range(MAX_RERUNS + 1):
                figures = measured_run(server, script, tagged, options)
                print(f"  {name:9} {proofhook.synchronous:6} round {round_number + 1} {label:9} "
                      f"{figures['rps']:8.0f} req/s  p99 {figures['p99_us'] / 1000:6.1f} ms  "
                      f"{figures['cpu_us_per_request']:6.0f} CPU µs/req  worker shares "
                      f"{'/'.join(f'{x:.2f}' for x in figures['worker_shares'])}"
                      f"{'' if figures['balanced'] else '  UNBALANCED'}", flush=True)
                if figures["balanced"]:
                    break
                if attempt < MAX_RERUNS:
                    print("  (rerun: one worker served too little of this run)", flush=True)
                    set_aside[label].append(figures)
            figures["reruns"] = attempt
            runs[label].append(figures)
    stored = proofhook.rows() - rows_before if name == "ingest" else None
    for label, server in (("proofhook", proofhook.server), ("bare", bare)):
        record.append(summarize(name, proofhook.synchronous, label, runs[label], server, stored if
                                label == "proofhook" else None, set_aside[label]))
    ours = record[-2]
    # Each round's pair ran back to back; the median pair's ratio ignores a round the shared box slowed down.
    pairs = list(zip(runs["proofhook"], runs["bare"]))
    ratios = [a["rps"] / b["rps"] for a, b in pairs]
    ours["round_ratios"] = [round(r, 3) for r in ratios]
    # Only pairs where both servers spread their load over every worker count; all of them if none did.
    balanced = [r for r, (a, b) in zip(ratios, pairs) if a["balanced"] and b["balanced"]]
    ours["balanced_rounds"] = len(balanced)
    ours["ratio"] = round(statistics.median(balanced or ratios), 3)
    ours["bare_p99_ms"] = record[-1]["p99_ms"]
    ours["bare_cpu_us_per_request"] = record[-1]["cpu_us_per_request"]


def measured_run(server: "Server", script: str, args: list[str], options) -> dict:
    """Run wrk once against a server; add its workers' CPU shares, CPU per request and whether it was balanced."""
    sampler = Sampler([server])
    before = server.cpu_us()
    sampler.start()
    figures = run_wrk(server.base, script, args, options.duration, options.connections, options.threads)
    sampler.stopped.set()
    sampler.join()
    after = server.cpu_us()
    server.sample_memory()
    spent = [after[pid] - before.get(pid, 0) for pid in sorted(after)]
    total = sum(spent) or 1
    figures["worker_shares"] = [round(x / total, 3) for x in spent]
    figures["cpu_us_per_request"] = round(sum(spent) / max(figures["requests"], 1), 1)
    figures["balanced"] = min(figures["worker_shares"], default=0) >= MIN_FAIR_SHARE / max(len(spent), 1)
    return figures


def summarize(workload, synchronous, label, runs, server, stored, set_aside=()):
    """Fold the rounds of one server on one workload into one result row.

    Rates and latencies come from `runs`; answers, errors and rows also count the unbalanced runs `set_aside`.
    """
    every_run = [*runs, *set_aside]
    statuses = {}
    for figures in every_run:
        for code, n in figures["statuses"].items():
            statuses[code] = statuses.get(code, 0) + n
    expected_3xx = workload == "feed-304"
    bad = sum(n for code, n in statuses.items() if not (code.startswith("2") or (expected_3xx and code == "304")))
    socket_errors = sum(sum(v for k, v in f["errors"].items() if k != "status") for f in every_run)
    row = {
        "workload": workload, "sync": synchronous, "server": label,
        # Medians over the rounds, like the ratio; the worst round's p99 is kept too.
        "rps": round(statistics.median(f["rps"] for f in runs), 1),
        "p50_ms": round(statistics.median(f["p50_us"] for f in runs) / 1000, 2),
        "p99_ms": round(statistics.median(f["p99_us"] for f in runs) / 1000, 2),
        "p99_worst_ms": round(max(f["p99_us"] for f in runs) / 1000, 2),
        "non_2xx": bad, "socket_errors": socket_errors, "statuses": statuses, "ratio": None,
        "cpu_us_per_request": round(statistics.median(f["cpu_us_per_request"] for f in runs)),
        "unbalanced_runs": sum(not f["balanced"] for f in runs), "reruns": sum(f["reruns"] for f in runs),
        **server.peak_memory_mb(), "runs": runs,
    }
    if stored is not None:
        row["created_201"] = statuses.get("201", 0)
        row["unanswered_at_stop"] = sum(f["sent"] - f["requests"] for f in every_run)
        row["rows_stored"] = stored
    return row


def machine() -> dict:
    """Describe the machine the figures come from."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    memory = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.split("[")[0].strip()
    return {"nproc": len(os.sched_getaffinity(0)), "cpu": model.group(1).strip() if model else platform.machine(),
            "memory_gb": round(int(memory.group(1)) / 1024 / 1024, 1) if memory else None,
            "python": platform.python_version(), "wrk": wrk, "load_average_at_start": os.getloadavg()}


def print_table(results: list[dict], cold: dict) -> None:
    """Print the results as a table, then the cold starts."""
    header = (f"{'workload':9} {'sync':6} {'server':9} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>7} "
              f"{'ratio':>6} {'CPU µs':>7} {'Rss MB':>7} {'Pss MB':>7} {'anon MB':>7} {'201s':>7} {'rows':>7}")
    print("\n" + header + "\n" + "-" * len(header))
    for r in results:
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else ""
        print(f"{r['workload']:9} {r['sync']:6} {r['server']:9} {r['rps']:7.0f} {r['p50_ms']:7.1f} {r['p99_ms']:7.1f} "
              f"{r['non_2xx'] + r['socket_errors']:7d} {ratio:>6} {r['cpu_us_per_request']:7d} {r['rss_mb'] or 0:7.1f} "
              f"{r['pss_mb'] or 0:7.1f} {r['anon_mb'] or 0:7.1f} "
              f"{r.get('created_201', ''):>7} {r.get('rows_stored', ''):>7}")
    print()
    for name, seconds in cold.items():
        print(f"cold start {name:16} {seconds:.2f} s (process launch to first 201/204)")


def check_targets(results: list[dict], cold: dict) -> list[str]:
    """Return one line per target: met or missed."""
    lines = []
    for r in results:
        if r["server"] != "proofhook":
            if r["unbalanced_runs"]:
                lines.append(f"note {r['workload']} {r['sync']} bare: {r['unbalanced_runs']} runs still unbalanced "
                             f"after {r['reruns']} reruns")
            continue
        ratio_min, p99_factor = TARGETS.get((r["workload"], r["sync"]), (None, None))
        if ratio_min is not None:
            lines.append(f"{'ok  ' if r['ratio'] >= ratio_min else 'MISS'} {r['workload']} {r['sync']}: "
                         f"{r['ratio']:.2f}x bare, the median of "
                         f"{f'{n} balanced' if (n := r['balanced_rounds']) else 'all (none balanced)'} "
                         f"rounds of {', '.join(f'{x:.2f}' for x in r['round_ratios'])} "
                         f"(target >= {ratio_min}); server CPU {r['cpu_us_per_request']} µs a request, bare "
                         f"{r['bare_cpu_us_per_request']}")
        if p99_factor is not None:
            p99_max = p99_factor * r["bare_p99_ms"]
            lines.append(f"{'ok  ' if r['p99_ms'] <= p99_max else 'MISS'} {r['workload']} {r['sync']}: "
                         f"p99 {r['p99_ms']:.1f} ms, bare {r['bare_p99_ms']:.1f} (target <= {p99_factor:g}x bare's)")
        if r["unbalanced_runs"]:
            lines.append(f"note {r['workload']} {r['sync']} {r['server']}: {r['unbalanced_runs']} runs still "
                         f"unbalanced after {r['reruns']} reruns")
        errors = r["non_2xx"] + r["socket_errors"]
        lines.append(f"{'ok  ' if errors == 0 else 'MISS'} {r['workload']} {r['sync']}: {errors} errors")
        if "rows_stored" in r:
            # Every 201 has its row; the only extra rows are requests wrk wrote but stopped waiting for.
            extra = r["rows_stored"] - r["created_201"]
            good = 0 <= extra <= r["unanswered_at_stop"]
            lines.append(f"{'ok  ' if good else 'MISS'} {r['workload']} {r['sync']}: {r['rows_stored']} rows stored "
                         f"for {r['created_201']} answers 201 (+{r['unanswered_at_stop']} unanswered when wrk stopped)")
        if r["rss_mb"] is not None:
            # Rss counts every page of the 104 MB mmdb a worker has touched, though all workers share them;
            # Pss charges each worker its share, so the target is checked on Pss and Rss is shown beside it.
            lines.append(f"{'ok  ' if r['pss_mb'] <= MAX_WORKER_PSS_MB else 'MISS'} {r['workload']} {r['sync']}: "
                         f"peak Pss {r['pss_mb']:.1f} MB per worker (target <= {MAX_WORKER_PSS_MB}; Rss "
                         f"{r['rss_mb']:.1f}, of which its own heap {r['anon_mb']:.1f})")
    for name, seconds in cold.items():
        if name.startswith("proofhook"):
            lines.append(f"{'ok  ' if seconds <= MAX_COLD_START_S else 'MISS'} cold start {name}: {seconds:.2f} s "
                         f"(target <= {MAX_COLD_START_S})")
    return lines


def parse_args(argv=None):
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="A/B rounds per workload (default 3: A/B/A/B/A/B; figures are medians over rounds)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workloads", default="ingest,feed,feed-304", help="comma-separated (default: all)")
    parser.add_argument("--sync", default="NORMAL,FULL", help="SQLite synchronous settings to run (default both)")
    parser.add_argument("--gunicorn-arg", action="append", default=[], metavar="ARG",
                        help="extra gunicorn argument for both servers, e.g. --gunicorn-arg=--workers=3")
    parser.add_argument("--output", help="the JSON report (default bench/results/bench-<time>.json)")
    parser.add_argument("--calls", type=int, default=50,
                        help="webhook calls counted by valgrind for instructions per call (default 50; 0: skip)")
    parser.add_argument("--database-url", default=os.environ.get("PROOFHOOK_DATABASE_URL", ""),
                        help="run on this PostgreSQL database instead of SQLite (emptied first!); "
                             "default $PROOFHOOK_DATABASE_URL")
    return parser.parse_args(argv)


def empty_postgres(url: str) -> None:
    """Bring a PostgreSQL database's schema up to date and empty it, so every run starts alike."""
    from webhook.storage import connection, maintenance, migrate

    with contextlib.closing(connection.open_database(url)) as conn:
        migrate.upgrade(conn)
        with connection.transaction(conn):
            maintenance.clear_tables(conn)


def main(argv=None) -> int:
    """Run every workload on every synchronous setting and report."""
    options = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed. On Debian/Ubuntu: sudo apt-get install wrk", file=sys.stderr)
        return 2
    workloads = [w.strip() for w in options.workloads.split(",") if w.strip()]
    settings = [s.strip().upper() for s in options.sync.split(",") if s.strip()]
    if options.database_url:
        settings = settings[:1]  # SQLite's synchronous setting means nothing to PostgreSQL
    gunicorn_args = list(options.gunicorn_arg)
    started = datetime.datetime.now(datetime.timezone.utc)
    report = {"date": started.isoformat(timespec="seconds"), "command": " ".join(sys.argv),
              "machine": machine(), "options": vars(options), "results": [], "cold_start_s": {}, "skipped": []}
    from webhook.storage.connection import describe

    report["backend"] = describe({"DATABASE_URL": options.database_url, "DATABASE": "SQLite (a temporary file)"})
    print(f"Machine: {report['machine']}")
    print(f"Backend: {report['backend']}")
    print(f"{options.rounds} rounds x {options.duration:g} s, {options.connections} connections, "
          f"gunicorn -c python:webhook.gunicorn_conf {' '.join(gunicorn_args)}")
    bare = Server("bare", "bench.bare_app:app", {}, gunicorn_args)
    report["cold_start_s"]["bare"] = round(bare.cold_start_s, 3)
    with tempfile.TemporaryDirectory(prefix="proofhook-bench-") as workdir:
        try:
            for number, synchronous in enumerate(settings):
                proofhook = Proofhook(synchronous, workdir, gunicorn_args, options.database_url)
                report["cold_start_s"][f"proofhook {synchronous}"] = round(proofhook.server.cold_start_s, 3)
                try:
                    run_all(proofhook, bare, workloads, options, report, feeds_too=number == 0)
                finally:
                    proofhook.server.stop()
        finally:
            bare.stop()
    print_table(report["results"], report["cold_start_s"])
    report["targets"] = check_targets(report["results"], report["cold_start_s"])
    report["load_average_at_end"] = os.getloadavg()
    report["instructions_per_call"] = instructions_per_call(options.calls)
    print("\n".join(["", *report["targets"], *report["skipped"]]))
    print(f"Load average: {report['machine']['load_average_at_start']} at the start, {report['load_average_at_end']} "
          f"at the end (on a shared box, figures under a high load are noisy; instruction counts are not: "
          f"bench/instructions.py)")
    output = Path(options.output) if options.output else (
        BENCH / "results" / f"bench-{started.strftime('%Y%m%dT%H%M%SZ')}.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nReport: {output}")
    return 0


def instructions_per_call(calls: int) -> dict:
    """Count and print the instructions one webhook call costs, Proofhook's and the bare app's, where valgrind is."""
    if not calls:
        return {}
    if shutil.which("valgrind") is None:
        print("\ninstructions per call: skipped, valgrind is not installed (apt-get install valgrind)")
        return {}
    from bench import instructions

    print(f"\nInstructions per webhook call, in-process on SQLite ({calls} and {2 * calls} calls under valgrind; "
          f"the box's load can't move them):")
    counted = {}
    for which in ("proofhook", "bare"):
        try:
            counted[which] = instructions.instructions_per_call(which, calls)
        except (SystemExit, OSError) as exc:  # the served figures above are kept and written all the same
            print(f"  {which:9} not counted: {exc}")
            return {"error": str(exc)}
        print(f"  {which:9} {counted[which] / 1e6:6.2f} M")
    print(f"  ratio     {counted['proofhook'] / counted['bare']:6.1f} x bare's")
    return counted


def run_all(proofhook: Proofhook, bare: Server, workloads: list[str], options, report: dict, feeds_too: bool):
    """Run the chosen workloads against one Proofhook; feeds only when asked (reads don't depend on synchronous)."""
    record = report["results"]
    if "ingest" in workloads:
        paths = [proofhook.path(proofhook.stream, "webhook_url"), proofhook.path(proofhook.conversion, "webhook_url")]
        args = [*paths, "{tag}"]
        run_workload("ingest", proofhook, bare, "ingest.lua", {"proofhook": args, "bare": args}, options, record)
    feeds = [w for w in workloads if w.startswith("feed")]
    if not feeds or not feeds_too:
        return
    target = proofhook.feed_target()
    if target is None:
        message = ("skipped feed workloads: this build has no feed yet (no feed_url on notifications, "
                   "or GET /feed/<public key>.json answers 404)")
        print(message)
        report["skipped"].append(message)
        return
    path, etag = target
    if "feed" in feeds:
        run_workload("feed", proofhook, bare, "feed.lua", {"proofhook": [path], "bare": [path]}, options, record)
    if "feed-304" in feeds:
        if not etag:
            report["skipped"].append("skipped feed-304: the feed sends no ETag")
        else:
            bare_etag = call("GET", bare.base + path)[1].get("ETag")
            run_workload("feed-304", proofhook, bare, "feed.lua", {"proofhook": [path, etag], "bare": [path, bare_etag]},
                         options, record)


if __name__ == "__main__":
    sys.exit(main())
