"""The Insight chart: a stats dict (insight.stats) drawn as inline SVG, readable without colour or JavaScript."""
import math
from datetime import date
from html import escape

from markupsafe import Markup

WIDTH, LEFT, RIGHT = 720, 52, 14
PLOT_HEIGHT, PANEL_TITLE, PANEL_GAP, AXIS = 76, 26, 14, 38
INK, MUTED, GRID, ACCENT = "#1d2330", "#5d6678", "#dfe3ea", "#3046c5"
# Three small panels on one time axis instead of one chart with two scales: clicks are a few percent of
# impressions and would hug the floor of a shared axis. Each panel has its own mark, so no colour is needed
# to tell them apart: solid bars, a line with round markers, hatched bars.
PANELS = (
    ("impressions", "Impressions", ("impression", "impressions"), "bars"),
    ("clicks", "Clicks", ("click", "clicks"), "line"),
    ("events_received", "Events received", ("event received", "events received"), "hatched"),
)
CHART_ID = "insight-chart"


def el(tag: str, attributes: dict | None = None, *children: str) -> str:
    """Return an element with escaped attribute values; children are markup made by el() or text()."""
    attrs = "".join(f' {name.replace("_", "-")}="{escape(str(value))}"' for name, value in (attributes or {}).items())
    return f"<{tag}{attrs}>{''.join(children)}</{tag}>" if children else f"<{tag}{attrs}/>"


def text(value) -> str:
    """Return text escaped for XML and HTML alike."""
    return escape(str(value), quote=False)


def short_date(iso: str) -> str:
    """Return "Nov 3" for "2026-11-03"."""
    day = date.fromisoformat(iso)
    return f"{day:%b} {day.day}"


def number(value: int) -> str:
    """Return 12345 as "12,345"."""
    return f"{value:,}"


def percent(ctr: float | None) -> str:
    """Return a click-through rate as "1.9%", or "—" when nothing was shown."""
    return "—" if ctr is None else f"{ctr * 100:.1f}%"


def plural(count: int, noun: tuple[str, str]) -> str:
    """Return "1 click" or "3 clicks" from ("click", "clicks")."""
    return f"{number(count)} {noun[0] if count == 1 else noun[1]}"


def nice_ceiling(value: int) -> int:
    """Return the smallest of 1, 2, 5, 10, 20, 50… that is at least `value` (an axis maximum)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def label_days(days: int) -> list[int]:
    """Return which day indexes get a date label: every week back from today (or ~6 labels for long ranges)."""
    step = 7 if days <= 60 else math.ceil(days / 6)
    return list(range(days - 1, -1, -step))


def panel(stats: dict, key: str, name: str, noun: tuple[str, str], mark: str, top: float) -> str:
    """Draw one panel: its title with the total, a y-axis 0..max with grid lines, the marks, the peak labelled."""
    daily, days = stats["daily"], len(stats["daily"])
    values = [day[key] for day in daily]
    peak = max(values)
    ceiling = nice_ceiling(peak)
    plot_top, slot = top + PANEL_TITLE, (WIDTH - LEFT - RIGHT) / days
    heading = f"{name}: {number(stats['totals'][key])} in {days} days"
    if key == "clicks":
        heading += f" · click-through rate {percent(stats['totals']['ctr'])}"

    def y(value: float) -> float:
        """Return the vertical position of a value on this panel's axis."""
        return round(plot_top + PLOT_HEIGHT - value / ceiling * PLOT_HEIGHT, 1)

    def x(index: int) -> float:
        """Return the horizontal centre of a day's slot."""
        return round(LEFT + slot * index + slot / 2, 1)

    parts = [el("text", {"x": LEFT, "y": top + 16, "font_weight": "700"}, text(heading))]
    for tick in sorted({0, ceiling // 2 if ceiling % 2 == 0 else 0, ceiling}):
        parts.append(el("line", {"x1": LEFT, "x2": WIDTH - RIGHT, "y1": y(tick), "y2": y(tick),
                                 "stroke": INK if tick == 0 else GRID, "stroke_width": 1}))
        parts.append(el("text", {"x": LEFT - 6, "y": y(tick) + 4, "text_anchor": "end", "fill": MUTED},
                        text(number(tick))))
    if mark == "line":
        points = " ".join(f"{x(index)},{y(value)}" for index, value in enumerate(values))
        parts.append(el("polyline", {"points": points, "fill": "none", "stroke": INK, "stroke_width": 1.5}))
    for index, (day, value) in enumerate(zip(daily, values)):
        tip = el("title", {}, text(f"{short_date(day['date'])}: {plural(value, noun)}"))
        if mark == "line":
            parts.append(el("circle", {"cx": x(index), "cy": y(value), "r": 3.5, "fill": "#fff", "stroke": INK,
                                       "stroke_width": 1.5}, tip))
        else:
            hatched = mark == "hatched"
            parts.append(el("rect", {
                "x": round(x(index) - slot * 0.36, 1), "y": y(value), "width": round(slot * 0.72, 1),
                "height": round(value / ceiling * PLOT_HEIGHT, 1),
                "fill": "url(#insight-hatch)" if hatched else ACCENT, "stroke": INK if hatched else "none",
                "stroke_width": 0.75,
            }, tip))
    if peak:
        where = values.index(peak)
        anchor = "end" if where > days * 0.85 else "start" if where < days * 0.15 else "middle"
        parts.append(el("text", {"x": x(where), "y": y(peak) - 6, "text_anchor": anchor, "font_weight": "700"},
                        text(f"{number(peak)} on {short_date(daily[where]['date'])}")))
    else:
        parts.append(el("text", {"x": (LEFT + WIDTH - RIGHT) / 2, "y": plot_top + PLOT_HEIGHT / 2,
                                 "text_anchor": "middle", "fill": MUTED}, text(f"No {noun[1]} yet")))
    return el("g", {"class": f"panel-{key}"}, *parts)


def description(stats: dict) -> str:
    """Return the chart's summary in words: the range and every total (what a screen reader reads first)."""
    totals = stats["totals"]
    return (
        f"From {short_date(stats['from'])} to {short_date(stats['to'])} (UTC):"
        f" {plural(totals['impressions'], PANELS[0][2])}, {plural(totals['clicks'], PANELS[1][2])}"
        f" (click-through rate {percent(totals['ctr'])}), {plural(totals['events_received'], PANELS[2][2])}."
        " The table below has the numbers of every day."
    )


def svg(stats: dict) -> Markup:
    """Return the stats as an SVG chart: impressions, clicks and events received per day, one panel each."""
    days = len(stats["daily"])
    panel_height = PANEL_TITLE + PLOT_HEIGHT + PANEL_GAP
    height = panel_height * len(PANELS) + AXIS
    slot = (WIDTH - LEFT - RIGHT) / days
    hatch = el("pattern", {"id": "insight-hatch", "width": 6, "height": 6, "patternUnits": "userSpaceOnUse",
                           "patternTransform": "rotate(45)"},
               el("rect", {"width": 6, "height": 6, "fill": "#fff"}),
               el("line", {"x1": 0, "y1": 0, "x2": 0, "y2": 6, "stroke": INK, "stroke_width": 2.5}))
    axis_top = panel_height * len(PANELS) - PANEL_GAP
    labels = [
        el("text", {"x": round(LEFT + slot * index + slot / 2, 1), "y": axis_top + 16, "text_anchor": "middle",
                    "fill": MUTED}, text(short_date(stats["daily"][index]["date"])))
        for index in label_days(days)
    ]
    labels.append(el("text", {"x": LEFT, "y": axis_top + 32, "fill": MUTED}, text("Day (UTC)")))
    body = [
        el("title", {"id": f"{CHART_ID}-title"},
           text(f"Impressions, clicks and events received per day, last {days} days")),
        el("desc", {"id": f"{CHART_ID}-desc"}, text(description(stats))),
        el("defs", {}, hatch),
        *(panel(stats, key, name, noun, mark, n * panel_height) for n, (key, name, noun, mark) in enumerate(PANELS)),
        el("g", {"class": "x-axis"}, *labels),
    ]
    root = el("svg", {
        "xmlns": "http://www.w3.org/2000/svg", "id": CHART_ID, "class": "chart", "role": "img",
        "aria_labelledby": f"{CHART_ID}-title {CHART_ID}-desc", "viewBox": f"0 0 {WIDTH} {height}",
        "width": WIDTH, "height": height, "font_family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        "font_size": 12, "fill": INK,
    }, *body)
    return Markup(root)
