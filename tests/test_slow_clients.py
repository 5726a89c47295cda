"""Slow and idle clients under the real gunicorn of `make run`: others are still served, and the slow are cut off."""
import selectors
import socket
import time

import requests

from servers import gunicorn, served_env

# gunicorn's head allowance in this test (the default config's is longer); serving.py gives a body twice that.
KEEPALIVE = 2
SLOW_CLIENTS = 210


def slow_request(kind: str, port: int) -> tuple[socket.socket, bytes]:
    """Open a connection that sends its request `kind`-ly; return it and the bytes still to trickle."""
    sock = socket.create_connection(("127.0.0.1", port))
    head = b"Host: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\n"
    if kind == "header":
        return sock, b"POST /webhooks/some-token HTTP/1.1\r\n" + head
    path = b"/login" if kind == "login-body" else b"/feed/some-key/activity"
    sock.sendall(b"POST " + path + b" HTTP/1.1\r\n" + head)
    return sock, b"a" * 500


def idle_connection(port: int) -> socket.socket:
    """Open a kept-alive connection that was answered once and then sends nothing."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    sock.settimeout(5)
    assert sock.recv(65536).startswith(b"HTTP/1.1 200")
    sock.setblocking(False)
    return sock


def closed(sock: socket.socket) -> bool:
    """Tell whether the server has closed a connection (whatever it said before)."""
    try:
        while True:
            if sock.recv(65536) == b"":
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_two_hundred_slow_or_idle_clients_neither_stop_others_nor_stay_forever(tmp_path, geoip_path):
    env = served_env(tmp_path / "slow.sqlite3", geoip_path)
    with gunicorn(env, extra_args=("--keep-alive", str(KEEPALIVE))) as (base, _process):
        port = int(base.rsplit(":", 1)[1])
        kinds = ("header", "login-body", "activity-body", "idle")
        trickling, idle, opened = {}, [], time.monotonic()
        for number in range(SLOW_CLIENTS):
            kind = kinds[number % len(kinds)]
            if kind == "idle":
                idle.append(idle_connection(port))
            else:
                sock, rest = slow_request(kind, port)
                sock.setblocking(False)
                trickling[sock] = (kind, rest)
        # One byte per connection every 0.2 s: each keeps going far longer than the test, unless cut off.
        answered, cut_after = [], {}
        selector = selectors.DefaultSelector()
        for sock in trickling:
            selector.register(sock, selectors.EVENT_READ)
        while time.monotonic() - opened < 3 * KEEPALIVE + 2 and len(cut_after) < len(trickling):
            started = time.monotonic()
            answer = requests.get(f"{base}/login", timeout=3)
            answered.append((answer.status_code, time.monotonic() - started))
            for sock, (kind, rest) in trickling.items():
                if sock in cut_after:
                    continue
                try:
                    sock.send(rest[:1])
                    trickling[sock] = (kind, rest[1:])
                except OSError:
                    cut_after[sock] = time.monotonic() - opened
            for key, _ in selector.select(timeout=0):
                if key.fileobj not in cut_after and closed(key.fileobj):
                    cut_after[key.fileobj] = time.monotonic() - opened
            time.sleep(0.2)
        idle_closed = sum(closed(sock) for sock in idle)
        for sock in [*trickling, *idle]:
            sock.close()
    # Everyone else was served, promptly, all along.
    assert len(answered) >= 10
    assert all(status == 200 for status, _ in answered), answered
    assert max(seconds for _, seconds in answered) < 1.5, answered
    # Slow heads are cut after gunicorn's allowance, slow bodies after theirs, idle kept-alive connections closed.
    by_kind = {kind: [after for sock, after in cut_after.items() if trickling[sock][0] == kind] for kind in kinds}
    assert len(by_kind["header"]) == sum(1 for kind, _ in trickling.values() if kind == "header")
    assert len(by_kind["login-body"]) + len(by_kind["activity-body"]) == sum(
        1 for kind, _ in trickling.values() if kind != "header"
    )
    assert max(by_kind["header"]) < KEEPALIVE + 2
    assert max(by_kind["login-body"] + by_kind["activity-body"]) < 2 * KEEPALIVE + 3
    assert idle_closed == len(idle)
