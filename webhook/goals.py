"""Goals: the widget's visit and goal reports turned into daily counters per group, and the lift owners read."""
import json

from . import lift, rules
from .storage import activity_store
from .insight import DEFAULT_DAYS, day_label
from .vocabulary import DAY_MS, now_ms

GROUPS = ("shown", "holdout")
# A visit is reported with the goal "" ; a goal reached as "goal", and also as "seen" or "clicked" when this
# device saw or clicked one of the notification's popups within the attribution window.
KINDS = ("visit", "goal", "seen", "clicked")
# A real report is one group and a few goals; anything bigger is not from our widget.
MAX_REPORT_BYTES = 2 * 1024
MAX_REPORT_ITEMS = 3 * 20 + 1


def parse_report(data: bytes) -> tuple[str | None, set[tuple[str, str]]]:
    """Return a report's group and its distinct (goal, kind) pairs; anything malformed gives no pairs."""
    try:
        report = json.loads(data)
    except (ValueError, RecursionError):
        return None, set()
    if not isinstance(report, dict) or report.get("v") != 1 or report.get("group") not in GROUPS:
        return None, set()
    items = report.get("items")
    if not isinstance(items, list) or len(items) > MAX_REPORT_ITEMS:
        return None, set()
    pairs = {
        (item["goal"], item["kind"])
        for item in items
        if isinstance(item, dict) and isinstance(item.get("goal"), str) and item.get("kind") in KINDS
    }
    return report["group"], pairs


def record_report(notification: dict, data: bytes, now: int) -> int:
    """Count a widget's visit and goal report on today's counters; return how many (goal, kind) pairs counted."""
    group, pairs = parse_report(data)
    # Only the notification's own goal names (and "" for the visit) count, so junk can't grow the table.
    names = {name for _page, name in rules.goals(notification["goals"])}
    counts = {(group, goal, kind): 1 for goal, kind in pairs
              if (goal == "" and kind == "visit") or (goal in names and kind != "visit")}
    if counts:
        activity_store.record_goal_counts(notification["id"], now // DAY_MS * DAY_MS, counts)
    return len(counts)


def goal_stats(notification: dict, days: int = DEFAULT_DAYS, now: int | None = None) -> dict:
    """Return visits and goals per group of the last `days` UTC days, and per goal its rates and lift."""
    today = (now if now is not None else now_ms()) // DAY_MS * DAY_MS
    first = today - (days - 1) * DAY_MS
    counts = activity_store.goal_counts_since(notification["id"], first)
    visits = {group: counts.get((group, "", "visit"), 0) for group in GROUPS}
    found = []
    for _page, name in rules.goals(notification["goals"]):
        reached = {group: {kind: counts.get((group, name, kind), 0) for kind in KINDS[1:]} for group in GROUPS}
        found.append({
            "name": name,
            "groups": reached,
            "lift": lift.lift(reached["shown"]["goal"], visits["shown"], reached["holdout"]["goal"],
                              visits["holdout"]),
        })
    return {"notification_id": notification["id"], "days": days, "from": day_label(first), "to": day_label(today),
            "holdout_percent": notification["holdout_percent"],
            "attribution_days": notification["attribution_days"], "visits": visits, "goals": found,
            "min_visits": lift.MIN_VISITS, "method": "Newcombe hybrid score interval (Wilson), 95 %"}
