"""CPU to read (or refuse) the costliest bodies within the 1 MiB limit: `python bench/bodies.py`."""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webhook.body import BodyError, parse_body  # noqa: E402

MIB = 1024 * 1024
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def fill(item: bytes, prefix: bytes = b'{"a":[', suffix: bytes = b"]}") -> bytes:
    """Return a body of at most 1 MiB: prefix, as many comma-joined items as fit, suffix."""
    count = (MIB - len(prefix) - len(suffix)) // (len(item) + 1)
    return prefix + b",".join([item] * count) + suffix


PART = b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n'
BODIES = {
    "JSON, 512k nested brackets": (b"[" * (MIB // 2) + b"]" * (MIB // 2), JSON),
    "JSON, lists 31 deep, many": (fill(b"[" * 30 + b"]" * 30), JSON),
    "JSON, 350k empty lists": (fill(b"[]"), JSON),
    "JSON, 350k empty objects": (fill(b"{}"), JSON),
    "JSON, 500k integers": (fill(b"1"), JSON),
    "JSON, 260k floats": (fill(b"1.5"), JSON),
    "JSON, 350k strings": (fill(b'""'), JSON),
    "JSON, 80k escaped emoji": (fill(b'"\\ud83d\\ude00"'), JSON),
    "form, 10,000 keys 31 deep": (b"&".join(b"a%d" % i + b"[b]" * 30 + b"=1" for i in range(10_000)), FORM),
    "form, 262k fields": (b"&".join([b"a=1"] * (MIB // 4)), FORM),
    "form, 9,999 fields of 90 bytes": (b"&".join(b"a%d=%s" % (i, b"x" * 90) for i in range(9_999)), FORM),
    "multipart, 15k parts": (PART * (MIB // 60) + b"--x--\r\n", "multipart/form-data; boundary=x"),
    "multipart, 1,000 parts of 900 bytes": (
        b"".join(PART + b"1" * 900 + b"\r\n" for _ in range(1000)) + b"--x--\r\n", "multipart/form-data; boundary=x"),
}


def main() -> None:
    """Print the CPU time each body costs parse_body (best of 3), and the worst."""
    worst = 0.0
    for name, (raw, content_type) in BODIES.items():
        best = None
        for _ in range(3):
            started = time.process_time()
            try:
                parse_body(raw[:MIB], content_type)
                outcome = "read"
            except BodyError as error:
                outcome = f"{error.status}: {error.message[:70]}"
            spent = (time.process_time() - started) * 1000
            best = spent if best is None else min(best, spent)
        worst = max(worst, best)
        print(f"{name:38} {len(raw[:MIB]):>9,} B {best:7.1f} ms  {outcome}")
    print(f"worst: {worst:.1f} ms of CPU")


if __name__ == "__main__":
    main()
