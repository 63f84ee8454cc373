"""Race days over weeks and months: how many ended done, how fast, and what failed.

Each public function sends one SQL statement that groups the races on the server by
``date, meet`` (a race day) and brings back one row per race day, never a race row. That
frame is small (at most three rows per calendar day: ~1,000 a year, ~11,000 for the ten
years a range may span); the race date is text, so it is turned into a week or month here,
where a stored date that is not a date is simply left out, instead of in SQL, where one
such value would fail the whole statement. The per-period numbers (counts, shares, the
median and 90th percentile) are computed from that frame with numpy, the percentiles with
the linear interpolation of PostgreSQL's ``percentile_cont``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from ..errors import InputError
from ..inputs import MEETS, parse_meets, parse_range
from ..queries import progress_frame
from ..settings import DEFAULT_STALLED_MINUTES
from ..states import STAGES, cell_states
from . import sqltext
from .periods import (
    DEFAULT_DEADLINE_HOURS,
    DEFAULT_GROUPING,
    day_start_seconds,
    grid_frame,
    grouped_quantile,
    parse_deadline_hours,
    parse_grouping,
    period_codes,
    period_table,
    race_days,
    resolve_now,
    share,
)

#: How a race day ended: the honest states ``done``, ``failed``, ``incomplete``; ``open``
#: gathers the days not over yet (``in_progress``, ``stalled``, ``not_started``).
COMPLETION_BUCKETS = ("done", "failed", "incomplete", "open")
#: Timeliness steps: the three stages and ``all`` (the last of the three).
STEPS = (*STAGES, "all")
STEP_COLUMNS = {"collection": "collected_at", "enrichment": "enriched_at",
                "result": "result_collected_at"}
#: A step of a race day is ``on_time`` (every race has the step's timestamp, the last one
#: by the deadline), ``late`` (the deadline passed without that), or ``open`` (not done yet
#: and the deadline still ahead).
TIMELINESS_STATES = ("on_time", "late", "open")
FAILURE_COUNTS = ("collection_failed", "enrichment_failed", "result_failed", "failed_races")


def _check_minutes(value: float, name: str) -> float:
    if not isinstance(value, (int, float)) or not 1 <= value <= 10080:
        raise InputError(f"{name} {value!r} must be between 1 and 10080 minutes",
                         hint=f"e.g. {name}=30")
    return float(value)


def _columns(rows: list, n: int) -> list[tuple]:
    return list(zip(*rows, strict=True)) if rows else [()] * n


# --------------------------------------------------------------------------- completion


def completion(
    conn: Connection, start: str, end: str, meets: Sequence[int] | None = None,
    grouping: str = DEFAULT_GROUPING, *, now: dt.datetime | None = None,
    stalled_minutes: float = DEFAULT_STALLED_MINUTES,
) -> pd.DataFrame:
    """Per period and meet, how the race days (date x meet with races) ended.

    Columns ``period, period_start, period_end, meet, race_days``, the day counts
    ``done, failed, incomplete, open`` (:data:`COMPLETION_BUCKETS`, from
    :func:`status_core.states.cell_states` at ``now``) and their shares of ``race_days``
    (``done_share``, ...; NaN for a period without race days). Every period of the range
    and every meet asked for (all three when ``meets`` is None) has a row. One statement:
    :func:`status_core.queries.progress_frame`.
    """
    start, end = parse_range(start, end)
    grouping = parse_grouping(grouping)
    meet_list = parse_meets(meets) or sorted(MEETS)
    stalled = _check_minutes(stalled_minutes, "stalled_minutes")
    progress = progress_frame(conn, start, end, meet_list)
    states = cell_states(progress, now=resolve_now(now), stalled_minutes=stalled)
    return completion_from_states(states, start, end, grouping, meet_list)


def completion_from_states(
    states: pd.DataFrame, start: str, end: str, grouping: str, meets: Sequence[int]
) -> pd.DataFrame:
    """:func:`completion` from a frame that already has the ``state`` column."""
    periods = period_table(start, end, grouping)
    meets = sorted(int(m) for m in meets)
    n_m, n_b = len(meets), len(COMPLETION_BUCKETS)
    codes = period_codes(race_days(states["date"]), periods)
    meet_of = np.searchsorted(meets, states["meet"].to_numpy(dtype=np.int64))
    meet_of = np.where(np.isin(states["meet"].to_numpy(dtype=np.int64), meets), meet_of, -1)
    state = states["state"].to_numpy(dtype=object)
    bucket = np.select([state == b for b in COMPLETION_BUCKETS[:3]], [0, 1, 2], default=3)
    keep = (codes >= 0) & (meet_of >= 0)
    flat = (codes[keep] * n_m + meet_of[keep]) * n_b + bucket[keep]
    counts = np.bincount(flat, minlength=len(periods) * n_m * n_b).reshape(-1, n_b)
    total = counts.sum(axis=1)
    columns = {"race_days": total}
    columns.update({b: counts[:, i] for i, b in enumerate(COMPLETION_BUCKETS)})
    columns.update({f"{b}_share": share(counts[:, i], total)
                    for i, b in enumerate(COMPLETION_BUCKETS)})
    return grid_frame(periods, "meet", meets, columns)


# --------------------------------------------------------------------------- failures

_FAILURES_SQL = """
SELECT date, meet, count(*) AS total_races,
       count(*) FILTER (WHERE collection_status = 'failed') AS collection_failed,
       count(*) FILTER (WHERE enrichment_status = 'failed') AS enrichment_failed,
       count(*) FILTER (WHERE result_status = 'failed') AS result_failed,
       count(*) FILTER (WHERE collection_status = 'failed' OR enrichment_status = 'failed'
                        OR result_status = 'failed') AS failed_races
FROM races
WHERE date BETWEEN :start AND :end {meet_filter}
GROUP BY date, meet
"""


def failures(
    conn: Connection, start: str, end: str, meets: Sequence[int] | None = None,
    grouping: str = DEFAULT_GROUPING,
) -> pd.DataFrame:
    """Failed races per stage and period, over the meets asked for.

    Columns ``period, period_start, period_end, race_days, failed_days`` (race days with a
    failed race), ``collection_failed, enrichment_failed, result_failed`` (races failed at
    that stage) and ``failed_races`` (races failed at any stage; a race failed at two
    stages counts once here and once in each stage). Every period has a row.
    """
    start, end = parse_range(start, end)
    grouping = parse_grouping(grouping)
    clause, params, binds = sqltext.race_meet_filter(meets)
    rows = sqltext.run(conn, _FAILURES_SQL.format(meet_filter=clause),
                       {"start": start, "end": end, **params}, binds)
    cols = _columns(rows, 3 + len(FAILURE_COUNTS))
    periods = period_table(start, end, grouping)
    codes = period_codes(race_days(cols[0]), periods)
    keep = codes >= 0
    n_p = len(periods)

    def summed(values: Sequence) -> np.ndarray:
        weights = np.asarray(values, dtype=np.int64)[keep]
        return np.bincount(codes[keep], weights=weights, minlength=n_p).astype(np.int64)

    counts = {name: summed(cols[3 + i]) for i, name in enumerate(FAILURE_COUNTS)}
    failed_any = np.asarray(cols[-1], dtype=np.int64) > 0
    columns = {"race_days": np.bincount(codes[keep], minlength=n_p),
               "failed_days": summed(failed_any), **counts}
    out = periods.loc[:, ["period", "period_start", "period_end"]].copy()
    for name, values in columns.items():
        out[name] = values
    return out


# --------------------------------------------------------------------------- timeliness

_TIMELINESS_SQL = """
SELECT date, meet, count(*) AS total_races, {lasts}
FROM races
WHERE date BETWEEN :start AND :end {meet_filter}
GROUP BY date, meet
ORDER BY date, meet
"""


def _timeliness_sql(conn: Connection, meet_filter: str) -> str:
    lasts = ", ".join(
        f"{sqltext.epoch_sql(conn, f'max({col})')} AS {step}_last, "
        f"count(*) FILTER (WHERE {col} IS NULL) AS {step}_missing"
        for step, col in STEP_COLUMNS.items())
    return _TIMELINESS_SQL.format(lasts=lasts, meet_filter=meet_filter)


def _utc_times(seconds: np.ndarray) -> pd.Series:
    return pd.Series(pd.to_datetime(seconds, unit="s", utc=True).as_unit("us"))


def timeliness_days(
    conn: Connection, start: str, end: str, meets: Sequence[int] | None = None,
    grouping: str = DEFAULT_GROUPING, *, deadline_hours: float = DEFAULT_DEADLINE_HOURS,
    now: dt.datetime | None = None,
) -> pd.DataFrame:
    """One row per race day: when its last race got through each step, against a deadline.

    Columns ``date, meet, period, total_races, day_start`` (00:00 KST of the race date),
    ``deadline`` (``day_start + deadline_hours``) and, per step of :data:`STEPS`:
    ``{step}_missing`` (races without the step's timestamp), ``{step}_last`` (the last
    race's timestamp, only when none is missing), ``{step}_hours`` (hours from
    ``day_start`` to it; negative when done the day before) and ``{step}_state`` (one of
    :data:`TIMELINESS_STATES`). ``all`` is the last of the three stages. A stored date
    that is not a date is left out.
    """
    start, end = parse_range(start, end)
    grouping = parse_grouping(grouping)
    hours = parse_deadline_hours(deadline_hours)
    clause, params, binds = sqltext.race_meet_filter(meets)
    rows = sqltext.run(conn, _timeliness_sql(conn, clause),
                       {"start": start, "end": end, **params}, binds)
    cols = _columns(rows, 3 + 2 * len(STAGES))
    periods = period_table(start, end, grouping)
    days = race_days(cols[0])
    codes = period_codes(days, periods)
    keep = codes >= 0
    day_start = day_start_seconds(days)[keep]
    deadline = day_start + hours * 3600.0
    now_s = resolve_now(now).timestamp()
    out: dict[str, object] = {
        "date": np.asarray([str(d) for d in cols[0]], dtype=object)[keep],
        "meet": np.asarray(cols[1], dtype=np.int64)[keep],
        "period": periods["period"].to_numpy(dtype=object)[codes[keep]],
        "total_races": np.asarray(cols[2], dtype=np.int64)[keep],
        "day_start": _utc_times(day_start), "deadline": _utc_times(deadline),
    }
    lasts = {}
    for i, step in enumerate(STAGES):
        missing = np.asarray(cols[4 + 2 * i], dtype=np.int64)[keep]
        last = np.asarray(cols[3 + 2 * i], dtype=float)[keep]
        # An infinite timestamp (PostgreSQL's ``infinity``) is no time the step was done.
        lasts[step] = np.where((missing == 0) & np.isfinite(last), last, np.nan)
        out[f"{step}_missing"] = missing
    out["all_missing"] = np.max([out[f"{s}_missing"] for s in STAGES], axis=0,
                                initial=0)
    lasts["all"] = np.max(list(lasts.values()), axis=0, initial=-np.inf)
    for step in STEPS:
        last = lasts[step]
        on_time = ~np.isnan(last) & (last <= deadline)
        out[f"{step}_last"] = _utc_times(last)
        out[f"{step}_hours"] = (last - day_start) / 3600.0
        out[f"{step}_state"] = np.select([on_time, deadline > now_s], ["on_time", "open"],
                                         default="late").astype(object)
    order = ["date", "meet", "period", "total_races", "day_start", "deadline"]
    order += [f"{step}_{what}" for step in STEPS
              for what in ("missing", "last", "hours", "state")]
    return pd.DataFrame({name: out[name] for name in order})


def summarise_timeliness(days: pd.DataFrame, start: str, end: str,
                         grouping: str = DEFAULT_GROUPING) -> pd.DataFrame:
    """Per period and step (:data:`STEPS`), from :func:`timeliness_days`.

    Columns ``period, period_start, period_end, step, race_days, complete_days`` (days on
    which every race got through the step), ``median_hours``/``p90_hours`` (over the
    complete days; linear interpolation, as PostgreSQL's ``percentile_cont``),
    ``on_time_days, late_days, open_days`` and ``on_time_share`` (on time of the days
    already judged: on time + late; NaN when none is). Every period x step has a row.
    """
    periods = period_table(start, end, parse_grouping(grouping))
    codes = period_codes(race_days(days["date"]), periods)
    n_s, n_groups = len(STEPS), len(periods) * len(STEPS)
    groups = np.concatenate([np.where(codes >= 0, codes * n_s + i, -1)
                             for i in range(n_s)])
    hours = np.concatenate([days[f"{step}_hours"].to_numpy(dtype=float) for step in STEPS])
    state = np.concatenate([days[f"{step}_state"].to_numpy(dtype=object) for step in STEPS])
    keep = groups >= 0

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(groups[keep & mask], minlength=n_groups)

    columns = {
        "race_days": count(np.ones_like(keep)),
        "complete_days": count(~np.isnan(hours)),
        "median_hours": grouped_quantile(groups, hours, n_groups, 0.5),
        "p90_hours": grouped_quantile(groups, hours, n_groups, 0.9),
    }
    for name in TIMELINESS_STATES:
        columns[f"{name}_days"] = count(state == name)
    columns["on_time_share"] = share(columns["on_time_days"],
                                     columns["on_time_days"] + columns["late_days"])
    return grid_frame(periods, "step", STEPS, columns)
