"""The shared display-rules cases (tests/fixtures/display_rules.json), read the one way for Python and the browser."""
import json
from datetime import datetime
from pathlib import Path

CASES_FILE = Path(__file__).parent / "fixtures" / "display_rules.json"
DEFAULT_URL, DEFAULT_AT, DEFAULT_WIDTH = "https://shop.example/", "2026-06-01T12:00:00Z", 1280


def cases() -> list[dict]:
    """Return every case with its URL, moment (UTC ms) and viewport width filled in."""
    found = json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]
    return [{**case, "url": case.get("url", DEFAULT_URL), "width": case.get("width", DEFAULT_WIDTH),
             "now": int(datetime.fromisoformat(case.get("at", DEFAULT_AT)).timestamp() * 1000)} for case in found]
