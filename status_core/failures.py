"""Why something failed, next to it: each failed race's stage, warnings and the error of
the latest job that worked on it; failed jobs a chosen range leaves out.

Pure functions over the frames of :mod:`status_core.queries` (no SQL, no Streamlit).

A job *covers* a race when its ``parameters`` name the race's date and meet and either
list the race in ``race_numbers`` or name no race (``race_numbers`` absent, ``null`` or
``[]``: the collector's "every race of the day"; its API reads an omitted list as all
races, and the demo's whole-day jobs store ``[]``). A list covers exactly its members.

Of the covering jobs that carry an error, the latest (by ``created_at``; NULL last, ties
in the frame's order) gives the race its error: a later job without an error says
nothing about why the race is still failed, so it does not hide the earlier one.
"""

from __future__ import annotations

import datetime as dt
import json
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd

from .domain import KST
from .inputs import MAX_RANGE_DAYS, to_date

#: The race statuses' columns per stage, in the stages' order.
STAGE_STATUS = {
    "collection": "collection_status",
    "enrichment": "enrichment_status",
    "result": "result_status",
}
#: What :func:`race_causes` adds: the failed stages (a tuple of :data:`STAGE_STATUS` keys)
#: and the latest covering job with an error (all ``None`` when there is none).
CAUSE_COLUMNS = ("failed_stages", "job_id", "job_type", "job_status", "job_error",
                 "job_error_length", "job_time")
_JOB_FIELDS = {"job_id": "job_id", "job_type": "type", "job_status": "status",
               "job_error": "error_message", "job_error_length": "error_length"}
_FIRST_DAY, _LAST_DAY = dt.date(1990, 1, 1), dt.date(2100, 12, 31)


def _race_number(value: Any) -> int | None:
    """A race number as the collector writes it (an integer), or digits as text; else
    ``None`` (``true``, ``3.5``, ``"3번"`` name no race)."""
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def job_race_numbers(parameters: Any) -> frozenset[int] | None:
    """The races a job's ``parameters`` cover: ``None`` for the whole day (no
    ``race_numbers``, ``null`` or ``[]``), else the set it lists (one number alone counts
    as a list of one; members that are no race number are dropped, so a list of such
    members covers none). ``parameters`` is the JSON
    text of :func:`status_core.queries.jobs_frame` or an already decoded value."""
    if isinstance(parameters, str):
        try:
            parameters = json.loads(parameters)
        except ValueError:
            return frozenset()
    if not isinstance(parameters, dict):
        return frozenset()
    numbers = parameters.get("race_numbers")
    if numbers is None or numbers == []:
        return None
    members = numbers if isinstance(numbers, list) else [numbers]
    found = (_race_number(n) for n in members)
    return frozenset(n for n in found if n is not None)


def failed_stages(races: pd.DataFrame) -> pd.Series:
    """Per race, the stages whose status is ``failed``, in stage order (a tuple; empty
    for a race that did not fail). Same index as ``races``."""
    flags = [races[col].astype(object).to_numpy() == "failed" for col in STAGE_STATUS.values()]
    stages = tuple(STAGE_STATUS)
    return pd.Series([tuple(s for s, bad in zip(stages, row, strict=True) if bad)
                      for row in zip(*flags, strict=True)], index=races.index, dtype=object)


def _with_error(jobs: pd.DataFrame, race_date: str, meet: int) -> pd.DataFrame:
    """The jobs that name this cell and carry an error, newest first, with their
    ``numbers`` (:func:`job_race_numbers`) and their ``rank`` (0 = newest)."""
    if jobs.empty:
        return jobs.assign(numbers=pd.Series(dtype=object), rank=pd.Series(dtype="int64"))
    errors = jobs["error_message"]
    has_error = errors.notna() & (errors.astype(str).str.strip() != "")
    same_day = jobs["race_date"].astype(object) == str(race_date)
    same_meet = (pd.array(jobs["meet"], dtype="Int64") == int(meet)).fillna(False)
    mine = jobs[has_error & same_day & np.asarray(same_meet, dtype=bool)]
    mine = mine.sort_values("created_at", ascending=False, na_position="last", kind="stable")
    return mine.assign(numbers=[job_race_numbers(p) for p in mine["parameters"]],
                       rank=np.arange(len(mine), dtype="int64"))


def race_causes(races: pd.DataFrame, jobs: pd.DataFrame, *, race_date: str,
                meet: int) -> pd.DataFrame:
    """``races`` (a :func:`~status_core.queries.races_frame` of ``race_date`` x ``meet``,
    or some of its rows) with :data:`CAUSE_COLUMNS` added: each race's failed stages and,
    for a failed race, the latest job covering it that carries an error (see the module
    docstring), read from ``jobs`` (a :func:`~status_core.queries.jobs_frame`).

    ``job_error`` is the job's error as the jobs frame holds it (a preview cut by the
    server; ``job_error_length`` is the stored length); ``job_time`` is the job's last
    time (completed, else started, else created), UTC.
    """
    out = races.assign(failed_stages=failed_stages(races))
    for col in CAUSE_COLUMNS[1:]:
        out[col] = pd.Series([None] * len(out), index=out.index, dtype=object)
    candidates = _with_error(jobs, race_date, meet)
    failed = out["failed_stages"].map(bool).to_numpy(dtype=bool)
    if candidates.empty or not failed.any():
        return out
    whole = candidates.loc[candidates["numbers"].isna(), "rank"]
    by_number: dict[int, int] = {}
    listed = candidates[candidates["numbers"].notna()]
    for numbers, rank in zip(listed["numbers"], listed["rank"], strict=True):
        for n in numbers:  # newest first: the first rank seen for a number is its latest
            by_number.setdefault(n, int(rank))
    listed_rank = np.asarray([by_number.get(_race_number(n), np.nan)
                              for n in out["race_number"]], dtype=float)
    rank = np.fmin(listed_rank, float(whole.min()) if len(whole) else np.nan)
    found = failed & ~np.isnan(rank)
    picked = candidates.iloc[rank[found].astype(np.int64)]
    rows = out.index[found]
    for col, source in _JOB_FIELDS.items():
        out.loc[rows, col] = [None if v is None or pd.isna(v) else v for v in picked[source]]
    last = picked["completed_at"].fillna(picked["started_at"]).fillna(picked["created_at"])
    out.loc[rows, "job_time"] = [None if pd.isna(v) else v for v in last]
    return out


def _kst_day(moment: Any) -> dt.date | None:
    """The Korean calendar day of a UTC instant, ``None`` for a missing, infinite or
    out-of-range one."""
    if moment is None or pd.isna(moment):
        return None
    try:
        day = pd.Timestamp(moment).tz_convert(KST).date()
    except (OverflowError, ValueError, TypeError):
        return None
    return day if _FIRST_DAY <= day <= _LAST_DAY else None


def widened_range(start: str, end: str, first: Any, last: Any) -> tuple[str, str]:
    """The ``YYYYMMDD`` range ``start``..``end`` widened to the Korean days of ``first``
    and ``last`` (instants, e.g. of :func:`~status_core.queries.failed_jobs_outside`).

    Stays a range the dashboard accepts: at most :data:`MAX_RANGE_DAYS` long (the end
    side kept when it must be cut), within 1990-2100; a missing or infinite instant does
    not move it.
    """
    lo, hi = to_date(start), to_date(end)
    for day in (_kst_day(first), _kst_day(last)):
        if day is not None:
            lo, hi = min(lo, day), max(hi, day)
    lo = max(lo, hi - dt.timedelta(days=MAX_RANGE_DAYS))
    return f"{lo:%Y%m%d}", f"{hi:%Y%m%d}"
