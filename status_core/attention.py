"""What needs a human's attention, as pure functions over the frames of :mod:`queries`.

Nothing here touches a database or Streamlit: every function takes the frames that
:func:`status_core.queries.progress_frame` / :func:`status_core.queries.jobs_frame` return
(plus "now" and thresholds) and returns a new frame or a small dict, so the pages only
render and the rules can be tested case by case. A cell's state is
:func:`status_core.states.cell_states`'s; what an attention item is,
:mod:`status_core.alerts.items` says.

Words used below: a *cell* is one date x meet row of the progress frame; a *missing* day
is a past day on which a meet usually races with no race stored at all; a *stuck job* is
still ``processing`` (or legacy ``running``/``retrying``) after a threshold (default 60
minutes).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

# JOB_TYPES, KST, DEFAULT_USUAL_WEEKDAYS and the settings parsers are re-exported: callers
# have long imported them from here; each is defined once, where it is imported from.
from .domain import ACTIVE_JOB_STATUSES, JOB_STATUSES, LEGACY_JOB_STATUSES, MEETS
from .domain import JOB_TYPES as JOB_TYPES
from .domain import KST as KST
from .domain import USUAL_WEEKDAYS as DEFAULT_USUAL_WEEKDAYS
from .inputs import is_valid_date_text, to_date
from .settings import DEFAULT_STUCK_MINUTES, Thresholds
from .settings import format_weekdays as format_weekdays
from .settings import parse_minutes as parse_minutes
from .settings import parse_weekdays as parse_weekdays
from .timestamps import as_utc, kst_safe

DEFAULT_RANGE_DAYS = 14

#: Segments of the stacked progress chart, bottom up; they add up to ``total_races``.
PROGRESS_STAGES = ("enriched", "enrichment_failed", "collected", "collection_failed", "pending")
#: The counts an attention row and a card carry (from the progress frame).
ATTENTION_COUNTS = ("total_races", "collected_races", "enriched_races", "result_collected",
                    "collection_failed", "enrichment_failed", "result_failed", "failed_races")
ATTENTION_COLUMNS = ("kind", "kinds", "date", "meet", *ATTENTION_COUNTS, "stuck_jobs",
                     "job_ids", "last_updated", "age_minutes")
CALENDAR_COLUMNS = ("date", "meet", "state", *ATTENTION_COUNTS, "last_updated")


# --------------------------------------------------------------------------- time


def now_kst(now: dt.datetime | None = None) -> dt.datetime:
    """``now`` (default: the current time) as an aware datetime in Korean time."""
    return as_utc(now).astimezone(KST)


def today_kst(now: dt.datetime | None = None) -> dt.date:
    """The Korean calendar date of ``now``."""
    return now_kst(now).date()


def default_range(
    now: dt.datetime | None = None, days: int = DEFAULT_RANGE_DAYS
) -> tuple[str, str]:
    """The last ``days`` days ending today in Korean time, as ``(YYYYMMDD, YYYYMMDD)``."""
    today = today_kst(now)
    start = today - dt.timedelta(days=days - 1)
    return f"{start:%Y%m%d}", f"{today:%Y%m%d}"


def _utc_stamp(value: dt.datetime) -> pd.Timestamp:
    return pd.Timestamp(as_utc(value))


# --------------------------------------------------------------------------- overview


def headline(progress: pd.DataFrame) -> dict:
    """Headline numbers of a progress frame.

    ``race_days`` (distinct dates), ``cells`` (date x meet), ``races``, ``collected``,
    ``enriched``, ``results``, ``failed_races`` and the percentages ``collected_pct``,
    ``enriched_pct``, ``results_pct`` (of all races, one decimal; 0.0 when there are none).
    """
    races = int(progress["total_races"].sum()) if not progress.empty else 0

    def total(col: str) -> int:
        return int(progress[col].sum()) if not progress.empty else 0

    def pct(part: int) -> float:
        return round(100.0 * part / races, 1) if races else 0.0

    collected, enriched, results = (
        total("collected_races"), total("enriched_races"), total("result_collected"),
    )
    return {
        "race_days": int(progress["date"].nunique()) if not progress.empty else 0,
        "cells": len(progress),
        "races": races,
        "collected": collected,
        "enriched": enriched,
        "results": results,
        "failed_races": total("failed_races"),
        "collected_pct": pct(collected),
        "enriched_pct": pct(enriched),
        "results_pct": pct(results),
    }


def _count(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce").fillna(0).astype("int64")


def progress_stages(progress: pd.DataFrame) -> pd.DataFrame:
    """Long frame ``date, meet, stage, races`` for a stacked chart.

    Stages, bottom up (:data:`PROGRESS_STAGES`): ``enriched``; ``enrichment_failed``
    (collected, enrichment failed); ``collected`` (collected, waiting for enrichment);
    ``collection_failed``; ``pending`` (the rest). Each is clipped to what is left of
    ``total_races``, so the bars never exceed it, whatever the stored values.
    """
    if progress.empty:
        return pd.DataFrame({"date": pd.Series(dtype=object), "meet": pd.Series(dtype="int64"),
                             "stage": pd.Series(dtype=object),
                             "races": pd.Series(dtype="int64")})
    total = _count(progress, "total_races")
    enriched = _count(progress, "enriched_races").clip(upper=total)
    waiting = (_count(progress, "collected_races").clip(upper=total) - enriched).clip(lower=0)
    enrichment_failed = np.minimum(_count(progress, "enrichment_failed"), waiting)
    collected = waiting - enrichment_failed
    collection_failed = np.minimum(_count(progress, "collection_failed"),
                                   (total - enriched - waiting).clip(lower=0))
    pending = (total - enriched - waiting - collection_failed).clip(lower=0)
    wide = pd.DataFrame({
        "date": progress["date"], "meet": progress["meet"], "enriched": enriched,
        "enrichment_failed": enrichment_failed, "collected": collected,
        "collection_failed": collection_failed, "pending": pending,
    })
    long = wide.melt(id_vars=["date", "meet"], value_vars=list(PROGRESS_STAGES),
                     var_name="stage", value_name="races")
    long["races"] = long["races"].astype("int64")
    order = {s: i for i, s in enumerate(PROGRESS_STAGES)}
    long = long.sort_values(["date", "meet", "stage"], key=lambda s: s.map(order)
                            if s.name == "stage" else s)
    return long.reset_index(drop=True)


def _age_minutes(last_updated: pd.Series, now: dt.datetime) -> pd.Series:
    ref = _utc_stamp(now)
    ages = (ref - pd.to_datetime(last_updated, utc=True)).dt.total_seconds() / 60.0
    return ages.round(0)


def expected_days(
    start: str, end: str, meets: Sequence[int] | None = None,
    usual: Mapping[int, Iterable[int]] | None = None,
) -> pd.DataFrame:
    """Every ``date, meet`` in the inclusive range on which that meet usually races."""
    usual = DEFAULT_USUAL_WEEKDAYS if usual is None else usual
    meets = sorted(meets) if meets else sorted(MEETS)
    first, last = to_date(start), to_date(end)
    rows = []
    day = first
    while day <= last:
        for meet in meets:
            if day.weekday() in set(usual.get(meet, ())):
                rows.append((f"{day:%Y%m%d}", meet))
        day += dt.timedelta(days=1)
    return pd.DataFrame(rows, columns=["date", "meet"]).astype({"date": object, "meet": "int64"})


def missing_days(
    progress: pd.DataFrame, start: str, end: str, today: dt.date,
    meets: Sequence[int] | None = None, usual: Mapping[int, Iterable[int]] | None = None,
) -> pd.DataFrame:
    """Past days (before ``today``) in the range on which a meet usually races but no race
    of that meet is stored. Columns ``date, meet, weekday`` (0 Monday .. 6 Sunday).

    Holidays and cancelled meetings show up here too: the list says "look", not "broken".
    """
    expected = expected_days(start, end, meets, usual)
    expected = expected[expected["date"] < f"{today:%Y%m%d}"]
    if not progress.empty:
        have = set(zip(progress["date"], progress["meet"].astype(int), strict=True))
        keep = [(d, m) not in have for d, m in zip(expected["date"], expected["meet"],
                                                    strict=True)]
        expected = expected.loc[np.asarray(keep, dtype=bool)]
    out = expected.reset_index(drop=True)
    out["weekday"] = [to_date(d).weekday() for d in out["date"]]
    return out.astype({"weekday": "int64"})


def item_frames(
    progress: pd.DataFrame, active_jobs: pd.DataFrame, *, start: str, end: str,
    now: dt.datetime, meets: Sequence[int] | None, thresholds: Thresholds,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three frames the attention items are built from
    (:func:`status_core.alerts.items.build_items`): the cells with their honest states
    (:func:`status_core.states.cell_states`), the missing days of ``start..end`` and the
    stuck jobs of ``meets`` among ``active_jobs``. The overview and the alerts both call
    this, so they list the same items."""
    from .states import cell_states  # states imports this module's clock

    states = cell_states(progress, now=now, stalled_minutes=thresholds.stalled_minutes)
    missing = missing_days(progress, start, end, today_kst(now), meets,
                           thresholds.usual_weekdays)
    stuck = stuck_jobs(filter_jobs(active_jobs, meets=meets), now, thresholds.stuck_minutes)
    return states, missing, stuck


def _item_row(cell: tuple, group: list, now: dt.datetime) -> dict:
    counted = next((i for i in group if i.cell is not None and "total_races" in i.data), None)
    data = counted.data if counted is not None else {}
    stuck = [i for i in group if i.kind == "stuck_job"]
    updated = pd.to_datetime(data.get("last_updated"), utc=True)
    row = {
        "kind": group[0].kind,
        "kinds": ",".join(dict.fromkeys(i.kind for i in group)),
        "date": cell[0], "meet": cell[1],
        **{name: data.get(name, pd.NA) for name in ATTENTION_COUNTS},
        "stuck_jobs": len(stuck),
        "job_ids": ", ".join(str(i.job_id) for i in stuck),
        "last_updated": updated,
        "age_minutes": np.nan if pd.isna(updated) else round(
            (_utc_stamp(now) - updated).total_seconds() / 60.0),
    }
    return row


def attention_rows(items: Sequence, now: dt.datetime) -> pd.DataFrame:
    """The attention list of the overview: the items of
    :func:`status_core.alerts.items.build_items` (most urgent first) gathered by race day,
    one row per ``date, meet`` with its kinds joined most urgent first (``kinds``, e.g.
    ``failed,stuck_job``; ``kind`` is the first). Stuck jobs join the row of their race day;
    jobs that name no day share one row (``date``/``meet`` None). Rows keep the items'
    order: most urgent kind, then newest date. Columns :data:`ATTENTION_COLUMNS`."""
    groups: dict[tuple, list] = {}
    for item in items:
        if item.kind != "db_down":
            groups.setdefault((item.date, item.meet), []).append(item)
    # Items come most urgent first, so each group's first item is its most urgent and the
    # groups are met in the list's order.
    rows = [_item_row(cell, group, now) for cell, group in groups.items()]
    frame = pd.DataFrame(rows, columns=list(ATTENTION_COLUMNS))
    for name in ("kind", "kinds", "date", "job_ids"):  # None stays None, not NaN
        frame[name] = pd.Series([r[name] for r in rows], dtype=object)
    for name in ATTENTION_COUNTS:
        frame[name] = pd.array(frame[name].tolist(), dtype="Int64")
    frame["meet"] = pd.array(frame["meet"].tolist(), dtype="Int64")
    frame["stuck_jobs"] = frame["stuck_jobs"].astype("int64")
    frame["last_updated"] = pd.to_datetime(frame["last_updated"], utc=True)
    frame["age_minutes"] = frame["age_minutes"].astype(float)
    return frame


def calendar_frame(states: pd.DataFrame, missing: pd.DataFrame) -> pd.DataFrame:
    """One row per date x meet to draw as a calendar: the cells of a
    :func:`status_core.states.cell_states` frame with their ``state``, plus the
    :func:`missing_days` (``state`` = ``missing``). Days with no races that are not usual
    race days are left out (blank in the calendar)."""
    cols = list(CALENDAR_COLUMNS)
    parts = []
    if not states.empty:
        parts.append(states.loc[:, cols])
    if not missing.empty:
        parts.append(missing.drop(columns=["weekday"]).assign(
            state="missing", **{c: 0 for c in cols if c.endswith(("races", "failed"))},
            result_collected=0,
            last_updated=pd.Series(pd.NaT, index=missing.index, dtype="datetime64[us, UTC]"),
        ).loc[:, cols])
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    rows = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return rows.sort_values(["date", "meet"]).reset_index(drop=True)


def default_race_day(progress: pd.DataFrame, today: dt.date) -> tuple[str, int] | None:
    """The race day to show when none is asked for: the latest date on or before ``today``
    with races (lowest meet number that day), else the earliest later date; ``None`` when
    the frame is empty. Stored dates that are not real days (:func:`is_valid_date_text`)
    are chosen only when there is no other."""
    if progress.empty:
        return None
    valid = progress[[is_valid_date_text(d) for d in progress["date"]]]
    # Only when no stored date is a real day does the default fall back to one that is
    # not (the page then opens it by its stored text).
    pool = valid if not valid.empty else progress
    key = f"{today:%Y%m%d}"
    past = pool[pool["date"] <= key]
    day = past["date"].max() if not past.empty else pool["date"].min()
    meet = int(pool.loc[pool["date"] == day, "meet"].min())
    return str(day), meet


# --------------------------------------------------------------------------- jobs


_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)
_HEX = re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b", re.I)
_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_NUMBER = re.compile(r"(?<![A-Za-z])\d+(?:[._]\d+)*")
_SPACES = re.compile(r"\s+")


def normalise_error(message: object) -> str:
    """An error message with its variable parts replaced, so similar errors group:
    UUIDs and long hex ids become ``<id>``, timestamps ``<time>``, quoted values ``<…>``
    and numbers (dates, race numbers, ports, ids like ``20260214_1_3``) ``<n>``. The
    first line only, white space collapsed, at most 200 characters."""
    if message is None or (isinstance(message, float) and np.isnan(message)):
        return ""
    text = str(message).strip().splitlines()[0] if str(message).strip() else ""
    text = _UUID.sub("<id>", text)
    text = _TIMESTAMP.sub("<time>", text)
    text = _QUOTED.sub("'<…>'", text)
    text = _HEX.sub("<id>", text)
    text = _NUMBER.sub("<n>", text)
    text = re.sub(r"<n>(?:_<n>)+", "<n>", text)
    return _SPACES.sub(" ", text).strip()[:200]


def error_groups(jobs: pd.DataFrame) -> pd.DataFrame:
    """Jobs with an ``error_message`` grouped by :func:`normalise_error`, most frequent
    first. Columns ``pattern, count, last_seen, example, job_ids`` (up to five ids, newest
    first), ``types`` (comma-separated)."""
    cols = ["pattern", "count", "last_seen", "example", "job_ids", "types"]
    if jobs.empty or "error_message" not in jobs:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols}).astype(
            {"count": "int64"})
    errs = jobs[jobs["error_message"].notna() & (jobs["error_message"].astype(str).str.strip()
                                                 != "")].copy()
    if errs.empty:
        return error_groups(errs.iloc[0:0].drop(columns=["error_message"]))
    errs["pattern"] = errs["error_message"].map(normalise_error)
    errs = errs.sort_values("created_at", ascending=False, na_position="last")
    rows = []
    for pattern, group in errs.groupby("pattern", sort=False):
        rows.append({
            "pattern": pattern,
            "count": len(group),
            "last_seen": group["created_at"].max(),
            "example": str(group["error_message"].iloc[0]),
            "job_ids": ", ".join(map(str, group["job_id"].head(5))),
            "types": ", ".join(sorted({str(x) for x in group["type"].dropna()})),
        })
    out = pd.DataFrame(rows, columns=cols)
    out = out.sort_values(["count", "last_seen"], ascending=[False, False], na_position="last")
    return out.reset_index(drop=True)


def stuck_jobs(
    jobs: pd.DataFrame, now: dt.datetime, minutes: int = DEFAULT_STUCK_MINUTES
) -> pd.DataFrame:
    """Jobs still ``processing`` (or legacy ``running``/``retrying``) whose run began more
    than ``minutes`` before ``now``. The start is ``started_at``, or ``created_at`` when a
    job never recorded one. Adds ``running_minutes``; longest-running first."""
    if jobs.empty:
        return jobs.assign(running_minutes=pd.Series(dtype=float))
    began = jobs["started_at"].fillna(jobs["created_at"])
    running = (_utc_stamp(now) - pd.to_datetime(began, utc=True)).dt.total_seconds() / 60.0
    mask = jobs["status"].isin(ACTIVE_JOB_STATUSES) & running.notna() & (running > minutes)
    out = jobs.loc[mask].assign(running_minutes=running[mask].round(0))
    return out.sort_values("running_minutes", ascending=False).reset_index(drop=True)


def status_counts_frame(counts: Mapping[str, int]) -> pd.DataFrame:
    """``status, count, legacy`` for every known job status (zeros included, in
    :data:`JOB_STATUSES` order) plus any unknown status found; ``legacy`` marks
    ``running``/``retrying``, which older collectors wrote instead of ``processing``."""
    statuses = list(JOB_STATUSES) + sorted(s for s in counts if s not in JOB_STATUSES)
    return pd.DataFrame({
        "status": statuses,
        "count": [int(counts.get(s, 0)) for s in statuses],
        "legacy": [s in LEGACY_JOB_STATUSES for s in statuses],
    }).astype({"status": object, "count": "int64", "legacy": bool})


def job_timeline(jobs: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    """Bars for a timeline: jobs that started, from ``started_at`` to ``completed_at`` (or
    ``now`` while still active; ``open`` is then True). Columns ``job_id, type, status,
    start, end, open, duration_s``. Jobs with an infinite or year-9999 time are left
    out; a NULL status is ``none``."""
    cols = ["job_id", "type", "status", "start", "end", "open", "duration_s"]
    if jobs.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    showable = [kst_safe(a) and kst_safe(b)
                for a, b in zip(jobs["started_at"], jobs["completed_at"], strict=True)]
    # An infinite (or year-9999) start or end has no place on a time axis; the tables
    # show it ("∞").
    started = jobs[jobs["started_at"].notna() & np.asarray(showable, dtype=bool)]
    ref = _utc_stamp(now)
    begin = pd.to_datetime(started["started_at"], utc=True).astype("datetime64[us, UTC]")
    end = pd.to_datetime(started["completed_at"], utc=True).astype("datetime64[us, UTC]")
    is_open = end.isna()
    end = end.where(~is_open, ref)
    out = pd.DataFrame({
        "job_id": started["job_id"], "type": started["type"],
        "status": started["status"].astype(object).where(started["status"].notna(), "none"),
        "start": begin, "end": end, "open": is_open,
        "duration_s": (end - begin).dt.total_seconds(),
    })
    return out.reset_index(drop=True)


def filter_jobs(
    jobs: pd.DataFrame, *, meets: Sequence[int] | None = None,
    created_from: dt.datetime | None = None, created_to: dt.datetime | None = None,
) -> pd.DataFrame:
    """Jobs whose ``parameters`` name one of ``meets`` (all jobs when ``meets`` is empty or
    all three) and whose ``created_at`` is in ``[created_from, created_to)``."""
    out = jobs
    if meets and set(meets) != set(MEETS):
        out = out[out["meet"].isin(list(meets)).fillna(False).astype(bool)]
    if created_from is not None:
        out = out[out["created_at"] >= _utc_stamp(created_from)]
    if created_to is not None:
        out = out[out["created_at"] < _utc_stamp(created_to)]
    return out.reset_index(drop=True)


def day_window(start: str, end: str) -> tuple[dt.datetime, dt.datetime]:
    """``[start 00:00 KST, day after end 00:00 KST)`` for filtering timestamps by date."""
    first = dt.datetime.combine(to_date(start), dt.time(), KST)
    last = dt.datetime.combine(to_date(end) + dt.timedelta(days=1), dt.time(), KST)
    return first, last
