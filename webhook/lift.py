"""The statistics of a lift: two conversion rates, their difference, and its 95 % confidence interval."""
import math
from statistics import NormalDist

CONFIDENCE = 0.95
# Below this many visits in either group the interval is too wide to say anything (README, "Is it working?").
MIN_VISITS = 100


def z_value(confidence: float = CONFIDENCE) -> float:
    """Return the normal quantile a two-sided interval of this confidence uses (1.96 for 95 %)."""
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(successes: int, trials: int, z: float) -> tuple[float, float]:
    """Return the Wilson score interval of one proportion."""
    p = successes / trials
    centre = p + z * z / (2 * trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    scale = 1 + z * z / trials
    return (centre - spread) / scale, (centre + spread) / scale


def newcombe(x1: int, n1: int, x2: int, n2: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Return Newcombe's hybrid score interval (his method 10) for p1 - p2, from each rate's Wilson interval."""
    z = z_value(confidence)
    p1, p2 = x1 / n1, x2 / n2
    low1, high1 = wilson(x1, n1, z)
    low2, high2 = wilson(x2, n2, z)
    difference = p1 - p2
    lower = difference - math.sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2)
    upper = difference + math.sqrt((high1 - p1) ** 2 + (p2 - low2) ** 2)
    return lower, upper


def lift(shown_goals: int, shown_visits: int, holdout_goals: int, holdout_visits: int) -> dict:
    """Return both groups' conversion rates, the difference (shown minus holdout) and its interval, or why not."""
    rate = lambda goals, visits: round(goals / visits, 4) if visits else None  # noqa: E731
    found = {"shown_rate": rate(shown_goals, shown_visits), "holdout_rate": rate(holdout_goals, holdout_visits),
             "difference": None, "low": None, "high": None, "enough_data": False}
    # A goal counted more often than visits (a forged report, or a day boundary) would be a rate above 1.
    if min(shown_visits, holdout_visits) < MIN_VISITS or shown_goals > shown_visits or holdout_goals > holdout_visits:
        return found
    low, high = newcombe(shown_goals, shown_visits, holdout_goals, holdout_visits)
    difference = shown_goals / shown_visits - holdout_goals / holdout_visits
    return {**found, "difference": round(difference, 4), "low": round(low, 4), "high": round(high, 4),
            "enough_data": True}
