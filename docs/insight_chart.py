"""Take the README's screenshot of the Insight chart: `python docs/insight_chart.py` writes docs/insight-chart.png.

The numbers are generated (a shop that installed the widget on the fifth day, quieter at weekends), the rest is
the real thing: insight.stats' shape, chart.svg, the page's _insight.html and proofhook.css, in Debian's Chromium.
"""
import random
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from flask import render_template
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from webhook import chart, create_app  # noqa: E402
from webhook.insight import click_through_rate  # noqa: E402

DAYS = 30
LAST_DAY = date(2026, 11, 27)


def realistic_stats(seed: int = 8) -> dict:
    """Return 30 days of stats like insight.stats() gives for a small shop."""
    rng = random.Random(seed)
    daily = []
    for index in range(DAYS):
        day = LAST_DAY - timedelta(days=DAYS - 1 - index)
        weekend = day.weekday() >= 5
        received = rng.randint(2, 6) if weekend else rng.randint(6, 16)
        impressions = 0 if index < 4 else int(rng.randint(380, 640) * (0.6 if weekend else 1) * (1 + index / 60))
        clicks = round(impressions * rng.uniform(0.012, 0.034))
        daily.append({"date": day.isoformat(), "impressions": impressions, "clicks": clicks,
                      "ctr": click_through_rate(clicks, impressions), "events_received": received})
    totals = {key: sum(day[key] for day in daily) for key in ("impressions", "clicks", "events_received")}
    totals["ctr"] = click_through_rate(totals["clicks"], totals["impressions"])
    return {"notification_id": 1, "days": DAYS, "from": daily[0]["date"], "to": daily[-1]["date"],
            "daily": daily, "totals": totals}


def main(out: Path = ROOT / "docs" / "insight-chart.png") -> None:
    """Render the Insight card with realistic numbers and screenshot it."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE": f"{folder}/db.sqlite3", "SECRET_KEY": "x", "ADMIN_TOKEN": "x",
                          "GEOIP_DATABASE": ""})
        stats = realistic_stats()
        with app.test_request_context():
            card = render_template("_insight.html", stats=stats, chart=chart.svg(stats))
    css = (ROOT / "webhook" / "static" / "proofhook.css").read_text()
    page_html = f"<!doctype html><html lang=en><meta charset=utf-8><style>{css}</style><main>{card}</main></html>"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--headless=new", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 820, "height": 900})
        page.set_content(page_html)
        page.locator("section.card").screenshot(path=str(out))
        browser.close()
    print(f"Wrote {out} ({out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
