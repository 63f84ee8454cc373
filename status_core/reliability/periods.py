"""Weeks and months of race dates, the deadline of a race day, and the page's inputs.

A *period* is a calendar week (Monday to Sunday) or a calendar month of Korean dates,
named by its first day as ``YYYYMMDD``. ``period_start``/``period_end`` are the period's
days clipped to the range asked for, so a link to "the race days behind this number"
never reaches outside the range.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..attention import now_kst, today_kst
from ..domain import KST
from ..errors import InputError
from ..inputs import parse_range, to_date

GROUPINGS = ("week", "month")
DEFAULT_GROUPING = "week"
DEFAULT_WEEKS = 12
#: Hours after the race day's 00:00 KST by which a step should be done: D+1 09:00.
DEFAULT_DEADLINE_HOURS = 33.0
MIN_DEADLINE_HOURS, MAX_DEADLINE_HOURS = 1.0, 14 * 24.0
PERIOD_COLUMNS = ("period", "period_start", "period_end")


def parse_grouping(value: object) -> str:
    """``week`` or ``month`` (case and spaces ignored; empty means ``week``)."""
    text = str(value).strip().lower() if value is not None else ""
    if not text:
        return DEFAULT_GROUPING
    if text in GROUPINGS:
        return text
    shown = text if len(text) <= 20 else text[:20] + "…"
    raise InputError(
        f"grouping {shown!r} is not week or month",
        hint="Use group=week or group=month.",
    )


def parse_deadline_hours(value: object) -> float:
    """Hours after the race day's 00:00 KST (1 to 336, i.e. D+0 01:00 to D+14 00:00);
    empty means :data:`DEFAULT_DEADLINE_HOURS` (D+1 09:00)."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return DEFAULT_DEADLINE_HOURS
    try:
        hours = float(text) if text.isascii() else math.nan
    except ValueError:
        hours = math.nan
    if not (math.isfinite(hours) and MIN_DEADLINE_HOURS <= hours <= MAX_DEADLINE_HOURS):
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise InputError(
            f"deadline {shown!r} must be a number of hours after the race day's 00:00 KST, "
            f"between {MIN_DEADLINE_HOURS:g} and {MAX_DEADLINE_HOURS:g}",
            hint="e.g. deadline=33 for the next day 09:00 (D+1 09:00).",
        )
    return round(hours * 60) / 60  # whole minutes


def deadline_label(hours: float) -> str:
    """``D+1 09:00`` for 33 hours: the day after the race day and the KST time."""
    minutes = int(round(hours * 60))
    days, rest = divmod(minutes, 24 * 60)
    return f"D+{days} {rest // 60:02d}:{rest % 60:02d}"


def default_range(now: dt.datetime | None = None, weeks: int = DEFAULT_WEEKS) -> tuple[str, str]:
    """The last ``weeks`` calendar weeks through today (KST): from the Monday ``weeks - 1``
    weeks before this week's Monday to today."""
    today = today_kst(now)
    monday = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    return f"{monday:%Y%m%d}", f"{today:%Y%m%d}"


def period_start_of(day: dt.date, grouping: str) -> dt.date:
    """The first day of the week (Monday) or month holding ``day``."""
    if grouping == "month":
        return day.replace(day=1)
    return day - dt.timedelta(days=day.weekday())


def _ymd_texts(days: np.ndarray) -> np.ndarray:
    return np.char.replace(np.datetime_as_string(days, unit="D"), "-", "").astype(object)


def period_table(start: str, end: str, grouping: str) -> pd.DataFrame:
    """Every period overlapping ``start..end`` in order: ``period`` (its first day),
    ``period_start``/``period_end`` (its days clipped to the range), ``begins_at`` and
    ``ends_at`` (the clipped days' 00:00 KST and the next day's 00:00 KST)."""
    start, end = parse_range(start, end)
    # Every chart of a page asks for the same table; it depends on these three only.
    return _period_table(start, end, parse_grouping(grouping)).copy()


@functools.lru_cache(maxsize=64)
def _period_table(start: str, end: str, grouping: str) -> pd.DataFrame:
    first_day = np.datetime64(to_date(start), "D")
    last_day = np.datetime64(to_date(end), "D")
    firsts = period_firsts(first_day, last_day, grouping)
    following = (np.append(firsts[1:], _next_first(firsts[-1], grouping)))
    lo = np.maximum(firsts, first_day)
    hi = np.minimum(following - np.timedelta64(1, "D"), last_day)
    offset = np.timedelta64(9, "h")
    texts = _ymd_texts(np.concatenate([firsts, lo, hi])).reshape(3, -1)
    return pd.DataFrame({
        "period": texts[0],
        "period_start": texts[1],
        "period_end": texts[2],
        "begins_at": pd.to_datetime(lo.astype("datetime64[us]") - offset, utc=True),
        "ends_at": pd.to_datetime((hi + np.timedelta64(1, "D")).astype("datetime64[us]")
                                  - offset, utc=True),
    })


def period_firsts(first_day: np.datetime64, last_day: np.datetime64,
                  grouping: str) -> np.ndarray:
    """First days (``datetime64[D]``) of the periods overlapping the two days."""
    if grouping == "month":
        months = np.arange(first_day.astype("datetime64[M]"),
                           last_day.astype("datetime64[M]") + 1)
        return months.astype("datetime64[D]")
    # 1970-01-01 was a Thursday: day numbers + 3 are 0 on Mondays.
    monday = first_day - np.timedelta64((first_day.astype(np.int64) + 3) % 7, "D")
    return np.arange(monday, last_day + 1, np.timedelta64(7, "D"))


def _next_first(first: np.datetime64, grouping: str) -> np.datetime64:
    if grouping == "month":
        return (first.astype("datetime64[M]") + 1).astype("datetime64[D]")
    return first + np.timedelta64(7, "D")


def kst_midnight(day: dt.date) -> dt.datetime:
    """00:00 KST of ``day`` as an aware datetime."""
    return dt.datetime.combine(day, dt.time(), KST)


def range_window(start: str, end: str) -> tuple[dt.datetime, dt.datetime]:
    """``[start 00:00 KST, the day after end 00:00 KST)``, both in UTC."""
    start, end = parse_range(start, end)
    return (kst_midnight(to_date(start)).astimezone(dt.UTC),
            kst_midnight(to_date(end) + dt.timedelta(days=1)).astimezone(dt.UTC))


def race_days(dates: Sequence[object]) -> np.ndarray:
    """Each ``YYYYMMDD`` text as ``datetime64[D]``; ``NaT`` for text that is not a date."""
    text = np.asarray(dates, dtype=object).astype(str)
    # A race day has up to three rows (meets): parse each distinct date once.
    unique, inverse = np.unique(text, return_inverse=True)
    parsed = pd.to_datetime(pd.Series(unique, dtype=object), format="%Y%m%d", exact=True,
                            errors="coerce").to_numpy("datetime64[D]")
    return parsed[inverse.reshape(-1)] if len(text) else parsed


def day_start_seconds(days: np.ndarray) -> np.ndarray:
    """00:00 KST of each ``datetime64[D]`` as Unix seconds (float, NaN for ``NaT``)."""
    out = days.astype("datetime64[s]").astype(np.int64).astype(float) - 9 * 3600.0
    out[np.isnat(days)] = np.nan
    return out


def period_codes(days: np.ndarray, periods: pd.DataFrame) -> np.ndarray:
    """The position in ``periods`` of each day's period; -1 for ``NaT`` and days outside
    the table's range."""
    firsts = pd.to_datetime(periods["period"], format="%Y%m%d").to_numpy("datetime64[D]")
    lo = pd.to_datetime(periods["period_start"].iloc[0], format="%Y%m%d").to_datetime64()
    hi = pd.to_datetime(periods["period_end"].iloc[-1], format="%Y%m%d").to_datetime64()
    codes = np.searchsorted(firsts, days, side="right") - 1
    outside = np.isnat(days) | (days < lo) | (days > hi)
    return np.where(outside, -1, codes)


def grouped_quantile(groups: np.ndarray, values: np.ndarray, n_groups: int,
                     q: float) -> np.ndarray:
    """The ``q`` quantile of ``values`` per group code (0..n_groups-1), NaN values left
    out, linear between the two nearest ranks (PostgreSQL's ``percentile_cont``, numpy's
    default); NaN for a group without values."""
    keep = ~np.isnan(values) & (groups >= 0)
    g, v = groups[keep], values[keep]
    order = np.lexsort((v, g))
    g, v = g[order], v[order]
    counts = np.bincount(g, minlength=n_groups)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    out = np.full(n_groups, np.nan)
    has = counts > 0
    pos = q * (counts[has] - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, counts[has] - 1)
    v_lo, v_hi = v[starts[has] + lo], v[starts[has] + hi]
    out[has] = v_lo + (pos - lo) * (v_hi - v_lo)
    return out


def grid_frame(periods: pd.DataFrame, inner: str, keys: Sequence[object],
               columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """A frame with one row per period x key (period-major): ``period, period_start,
    period_end``, ``inner`` (the key) and ``columns`` (arrays of that length)."""
    n_keys = len(keys)
    data = {col: np.repeat(periods[col].to_numpy(dtype=object), n_keys)
            for col in PERIOD_COLUMNS}
    values = np.asarray(list(keys))
    if values.dtype.kind in "UO" or not len(values):
        values = values.astype(object)
    data[inner] = np.tile(values, len(periods))
    data.update(columns)
    return pd.DataFrame(data)


def share(part: pd.Series | np.ndarray, whole: pd.Series | np.ndarray) -> np.ndarray:
    """``part / whole`` as floats; NaN where ``whole`` is 0 (no race days is no share)."""
    part = np.asarray(part, dtype=float)
    whole = np.asarray(whole, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(whole > 0, part / np.where(whole > 0, whole, 1.0), np.nan)


def resolve_now(now: dt.datetime | None) -> dt.datetime:
    """``now`` (default: the current time) as an aware datetime in UTC."""
    return now_kst(now).astimezone(dt.UTC)
