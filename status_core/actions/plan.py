"""Which races an action on a race day would ask for (pure functions over the frames the
pages already read)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from . import rules

COLLECTED = ("collected", "enriched")


def _numbers(races: pd.DataFrame, mask: pd.Series) -> list[int]:
    picked = pd.to_numeric(races.loc[mask, "race_number"], errors="coerce").dropna()
    return sorted({int(n) for n in picked if 1 <= n <= rules.MAX_RACE_NUMBER})


def unfinished_races(races: pd.DataFrame) -> list[int]:
    """Race numbers whose collection or enrichment failed or is still pending (a NULL
    status is pending): what "re-collect only the failed and pending races" asks for."""
    if races.empty:
        return []
    collected = races["collection_status"].isin(COLLECTED)
    enriched = races["enrichment_status"] == "enriched"
    return _numbers(races, ~(collected & enriched))


def missing_results(races: pd.DataFrame) -> list[int]:
    """Race numbers whose official result has not been collected."""
    if races.empty:
        return []
    return _numbers(races, races["result_status"] != "collected")


def actionable_day(race_date: object, meet: object, today: dt.date) -> bool:
    """Whether the collector would take work on this date and meet at all (a real
    ``YYYYMMDD`` date, not in the future, meet 1-3)."""
    return rules.check_date(race_date, today) is None and rules.check_meet(meet) is None
