"""The overview's first screen: the latest race day, one card per meet, and how long the
collector has written nothing. Pure functions over the frames of :mod:`status_core.queries`
(and :func:`status_core.states.cell_states`), like :mod:`status_core.attention`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from .attention import ATTENTION_COUNTS, today_kst
from .domain import MEETS
from .domain import USUAL_WEEKDAYS as DEFAULT_USUAL_WEEKDAYS
from .inputs import is_valid_date_text, to_date
from .timestamps import as_utc, kst_safe

CARD_COLUMNS = ("date", "meet", "state", "collection_state", "enrichment_state",
                "result_state", *ATTENTION_COUNTS, "last_updated", "stuck_jobs", "age_minutes")


def _minutes_since(stamps: pd.Series, now: dt.datetime) -> pd.Series:
    ref = pd.Timestamp(as_utc(now))
    return ((ref - pd.to_datetime(stamps, utc=True)).dt.total_seconds() / 60.0).round(0)


def usual_meets(day: dt.date, usual: Mapping[int, Iterable[int]] | None = None,
                meets: Sequence[int] | None = None) -> list[int]:
    """The meets (of ``meets``, default all) that usually race on ``day``'s weekday."""
    usual = DEFAULT_USUAL_WEEKDAYS if usual is None else usual
    return [m for m in (sorted(meets) if meets else sorted(MEETS))
            if day.weekday() in set(usual.get(m, ()))]


def latest_race_day(
    progress: pd.DataFrame, now: dt.datetime, *, meets: Sequence[int] | None = None,
    usual: Mapping[int, Iterable[int]] | None = None,
) -> str | None:
    """The race day the overview's first screen is about (``YYYYMMDD``): today when one of
    ``meets`` usually races today or races are stored for today; otherwise the latest real
    date on or before today with races in ``progress``; ``None`` when there is none."""
    today = today_kst(now)
    key = f"{today:%Y%m%d}"
    dates = [str(d) for d in progress["date"]] if not progress.empty else []
    if usual_meets(today, usual, meets) or key in dates:
        return key
    past = [d for d in dates if is_valid_date_text(d) and d <= key]
    return max(past) if past else None


def day_cards(
    states: pd.DataFrame, stuck: pd.DataFrame, day: str, *, now: dt.datetime,
    meets: Sequence[int] | None = None, usual: Mapping[int, Iterable[int]] | None = None,
) -> pd.DataFrame:
    """One row per meet for race ``day``: the meets with races stored that day and those
    that usually race on its weekday. ``states`` is a
    :func:`status_core.states.cell_states` frame; a meet without races gets ``state``
    ``not_started`` today (nothing yet) or ``missing`` before today, and zero counts.
    Adds ``age_minutes`` (since ``last_updated``) and ``stuck_jobs`` (stuck jobs whose
    parameters name that day and that meet, or that day and no meet). Columns
    :data:`CARD_COLUMNS`, meets in order."""
    cells = states[states["date"].astype(str) == day] if not states.empty else states
    if meets:
        cells = cells[cells["meet"].isin(list(meets))]
    wanted = set(usual_meets(to_date(day), usual, meets)) if is_valid_date_text(day) else set()
    empty_state = "not_started" if day >= f"{today_kst(now):%Y%m%d}" else "missing"
    rows = []
    for meet in sorted(set(cells["meet"].astype(int)) | wanted):
        found = cells[cells["meet"].astype(int) == meet]
        rec = found.iloc[0].to_dict() if not found.empty else {
            "state": empty_state, "last_updated": pd.NaT,
            **{c: 0 for c in CARD_COLUMNS if c.endswith(("_races", "_failed", "_collected"))},
            **{f"{s}_state": "pending" for s in ("collection", "enrichment", "result")}}
        rec.update(date=day, meet=meet, stuck_jobs=_stuck_on(stuck, day, meet))
        rows.append(rec)
    frame = pd.DataFrame(rows, columns=list(CARD_COLUMNS[:-1]))
    frame["last_updated"] = pd.to_datetime(frame["last_updated"], utc=True)
    frame["age_minutes"] = _minutes_since(frame["last_updated"], now)
    return frame


def _stuck_on(stuck: pd.DataFrame, day: str, meet: int) -> int:
    if stuck.empty:
        return 0
    same_day = stuck["race_date"].astype(str) == day
    meet_ok = stuck["meet"].isna() | (stuck["meet"] == meet)
    return int((same_day & meet_ok.fillna(False).astype(bool)).sum())


def collector_silence(latest: Mapping[str, object], now: dt.datetime) -> dict:
    """How long the collector has written nothing, from :func:`status_core.queries.
    latest_writes`: ``newest`` (the later of the newest ``races.updated_at`` and
    ``jobs.created_at``, or ``None`` when both tables are empty) and ``minutes`` since it
    (``None`` when there is no write or it is in the future or infinite)."""
    stamps = [pd.Timestamp(v) for v in latest.values() if v is not None and not pd.isna(v)]
    newest = max(stamps) if stamps else None
    minutes = None
    if newest is not None and kst_safe(newest.to_pydatetime()):
        age = (pd.Timestamp(as_utc(now)) - newest).total_seconds() / 60.0
        minutes = age if age >= 0 else None
    return {"newest": newest, "minutes": minutes}
