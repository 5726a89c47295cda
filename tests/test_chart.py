"""The Insight chart: valid SVG that shows the numbers in words too, and the page's table that matches it."""
import json
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from helpers import log_in, webhook_path
from webhook.chart import el, label_days, nice_ceiling, svg, text
from webhook.insight import click_through_rate

SVG = "{http://www.w3.org/2000/svg}"


def make_stats(impressions: list[int], clicks: list[int], received: list[int], last="2026-11-27") -> dict:
    """Return a stats dict in insight.stats()'s shape for consecutive days ending on `last`."""
    end = date.fromisoformat(last)
    days = len(impressions)
    daily = [{"date": (end - timedelta(days=days - 1 - n)).isoformat(), "impressions": i, "clicks": c,
              "ctr": click_through_rate(c, i), "events_received": r}
             for n, (i, c, r) in enumerate(zip(impressions, clicks, received))]
    totals = {"impressions": sum(impressions), "clicks": sum(clicks), "events_received": sum(received)}
    totals["ctr"] = click_through_rate(totals["clicks"], totals["impressions"])
    return {"notification_id": 1, "days": days, "from": daily[0]["date"], "to": daily[-1]["date"],
            "daily": daily, "totals": totals}


@pytest.fixture
def week() -> dict:
    """Return a week of stats with a quiet start and a peak."""
    return make_stats([0, 0, 120, 1450, 800, 90, 300], [0, 0, 3, 31, 16, 0, 7], [4, 0, 2, 9, 5, 1, 0])


def texts(root, tag: str) -> list[str]:
    """Return the text of every element of this tag in the SVG."""
    return ["".join(node.itertext()) for node in root.iter(SVG + tag)]


def test_the_chart_is_valid_xml_with_a_title_and_a_description(week):
    root = ET.fromstring(str(svg(week)))
    assert root.tag == SVG + "svg" and root.get("role") == "img"
    title, desc = root.find(SVG + "title"), root.find(SVG + "desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Impressions, clicks and events received per day, last 7 days"
    assert desc.text.startswith("From Nov 21 to Nov 27 (UTC): 2,760 impressions, 57 clicks (click-through rate 2.1%),"
                                " 21 events received.")


def test_the_chart_shows_the_numbers(week):
    root = ET.fromstring(str(svg(week)))
    labels = texts(root, "text")
    assert "Impressions: 2,760 in 7 days" in labels
    assert "Clicks: 57 in 7 days · click-through rate 2.1%" in labels
    assert "Events received: 21 in 7 days" in labels
    assert {"1,450 on Nov 24", "31 on Nov 24", "9 on Nov 24"} <= set(labels)  # each panel's peak, labelled
    assert {"Nov 27", "Day (UTC)", "2,000", "1,000", "0"} <= set(labels)     # the axes
    tips = texts(root, "title")[1:]  # after the chart's own title
    assert "Nov 24: 1,450 impressions" in tips and "Nov 21: 0 impressions" in tips
    assert "Nov 23: 3 clicks" in tips and "Nov 26: 1 event received" in tips and "Nov 22: 0 events received" in tips
    assert len(tips) == 3 * 7  # one per day and panel, so hovering any mark tells its number


def test_the_marks_are_told_apart_without_colour(week):
    root = ET.fromstring(str(svg(week)))
    panels = {g.get("class"): g for g in root.iter(SVG + "g")}
    assert len(panels["panel-impressions"].findall(SVG + "rect")) == 7                  # solid bars
    assert len(panels["panel-clicks"].findall(SVG + "circle")) == 7                     # a line with markers
    assert panels["panel-clicks"].find(SVG + "polyline") is not None
    hatched = panels["panel-events_received"].findall(SVG + "rect")
    assert len(hatched) == 7 and {r.get("fill") for r in hatched} == {"url(#insight-hatch)"}
    assert root.find(f"{SVG}defs/{SVG}pattern").get("id") == "insight-hatch"
    heights = [float(r.get("height")) for r in panels["panel-impressions"].findall(SVG + "rect")]
    assert heights.index(max(heights)) == 3 and heights[0] == 0


def test_the_chart_passes_a_strict_content_security_policy(week):
    markup = str(svg(week))
    root = ET.fromstring(markup)
    assert all("style" not in node.attrib and not node.tag.endswith(("style", "script", "foreignObject"))
               for node in root.iter())
    assert not re.search(r"\son\w+=", markup) and "javascript:" not in markup


def test_no_activity_yet_says_so():
    root = ET.fromstring(str(svg(make_stats([0] * 30, [0] * 30, [0] * 30))))
    assert {"No impressions yet", "No clicks yet", "No events received yet"} <= set(texts(root, "text"))
    assert "click-through rate —" in root.find(SVG + "desc").text


def test_a_year_is_drawn_with_a_few_date_labels():
    stats = make_stats([5] * 365, [1] * 365, [2] * 365)
    root = ET.fromstring(str(svg(stats)))
    assert len(root.findall(f"{SVG}g[@class='x-axis']/{SVG}text")) <= 8
    assert len(label_days(30)) == 5 and label_days(30)[0] == 29


@pytest.mark.parametrize("value, ceiling", [
    (0, 1), (1, 1), (2, 2), (3, 5), (7, 10), (10, 10), (11, 20), (870, 1000), (1450, 2000), (5001, 10000),
])
def test_axis_maxima_are_round(value, ceiling):
    assert nice_ceiling(value) == ceiling


def test_everything_put_in_is_escaped():
    markup = el("text", {"x": '1" onload="alert(1)', "data_note": "<&>"}, text("</text><script>x</script> & co"))
    node = ET.fromstring(markup)
    assert node.get("x") == '1" onload="alert(1)' and node.get("data-note") == "<&>"
    assert node.text == "</text><script>x</script> & co" and len(node) == 0


# --- on the notification page ------------------------------------------------------------------------------------


def test_the_page_shows_the_chart_and_a_table_with_the_same_numbers(client, admin_headers, stream):
    client.post(webhook_path(stream), json={"email": "john.smith@example.com", "productName": "Sneakers"})
    [item] = client.get(f"/feed/{stream['public_key']}.json").get_json()["items"]
    kinds = [{"id": item["id"], "kind": "impression"}, {"id": item["id"], "kind": "click"}]
    answer = client.post(f"/feed/{stream['public_key']}/activity", data=json.dumps({"v": 1, "items": kinds}))
    assert answer.status_code == 204
    stats = client.get(f"/api/notifications/{stream['id']}/stats", headers=admin_headers).get_json()
    log_in(client)
    page = client.get(f"/notifications/{stream['id']}").get_data(as_text=True)
    chart = ET.fromstring(re.search(r"<svg.*?</svg>", page, re.S).group(0))
    assert "Impressions: 1 in 30 days" in texts(chart, "text")
    assert "Clicks: 1 in 30 days · click-through rate 100.0%" in texts(chart, "text")
    table = ET.fromstring(re.search(r'<table class="visually-hidden">.*?</table>', page, re.S).group(0))
    rows = [["".join(cell.itertext()).strip() for cell in row] for row in table.iter("tr")]
    assert rows[0] == ["Day", "Impressions", "Clicks", "Click-through rate", "Events received"]
    expected = [[d["date"], str(d["impressions"]), str(d["clicks"]), "—" if d["ctr"] is None else
                 f"{d['ctr'] * 100:.1f}%", str(d["events_received"])] for d in stats["daily"]]
    assert rows[1:-1] == expected and rows[-1] == ["Total", "1", "1", "100.0%", "1"]
    assert rows[-2] == [stats["to"], "1", "1", "100.0%", "1"] and len(rows) == 32
    section = page[page.index('id="insight-heading"'):page.index("</section>", page.index('id="insight-heading"'))]
    assert " style=" not in section and "<script" not in section
