"""The domain's constants and small formatters, each defined once.

Korean time, the racecourses, their usual race weekdays, the collector's enums, the
migrations a current database has applied, and the few formatters every surface shares
(an age such as ``3분 전``, a duration in ms, a date ``2026-02-14 (토)``, a time ``13:05``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

#: Korean Standard Time. Korea has kept no daylight saving time since 1988, so a fixed
#: offset is exact for every date the collector stores and needs no tz database.
KST = dt.timezone(dt.timedelta(hours=9), "KST")

#: Racecourse codes and their names (Korean, English).
MEETS: dict[int, tuple[str, str]] = {
    1: ("서울", "Seoul"),
    2: ("제주", "Jeju"),
    3: ("부산경남", "Busan-Gyeongnam"),
}

#: Python weekday numbers (Monday 0 .. Sunday 6) on which each meet usually races:
#: Seoul Sat/Sun, Jeju Fri/Sat, Busan-Gyeongnam Fri/Sun.
USUAL_WEEKDAYS: dict[int, tuple[int, ...]] = {1: (5, 6), 2: (4, 5), 3: (4, 6)}
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: The collector's PostgreSQL enums.
DATA_STATUSES = ("pending", "collected", "enriched", "failed")
JOB_TYPES = ("collection", "enrichment", "analysis", "prediction", "improvement", "batch")
#: Job statuses in display order; ``running``/``retrying`` are what older collector
#: versions wrote where newer ones write ``processing``.
JOB_STATUSES = (
    "pending", "queued", "processing", "running", "retrying", "completed", "failed",
    "cancelled",
)
LEGACY_JOB_STATUSES = frozenset({"running", "retrying"})
ACTIVE_JOB_STATUSES = ("processing", "running", "retrying")

#: The collector's migration files in order; a current database has applied all of them.
MIGRATIONS = (
    "001_initial_schema.sql",
    "002_add_enrichment_columns.sql",
    "003_jobs_and_job_logs.sql",
    "004_race_result_tracking.sql",
    "005_row_level_security.sql",
    "006_jobs_v2_lifecycle.sql",
    "007_runtime_db_hardening.sql",
)
EXPECTED_MIGRATION = MIGRATIONS[-1]


def meet_name(meet: object, lang: str = "ko") -> str:
    """The racecourse's name in ``lang``; an unknown code is shown as it is."""
    try:
        names = MEETS[int(meet)]  # type: ignore[call-overload]
    except (KeyError, TypeError, ValueError, OverflowError):
        return str(meet)
    return names[1] if lang == "en" else names[0]


def meet_label(meet: object, lang: str = "ko") -> str:
    """The racecourse as the pickers, tables and charts show it: its name in ``lang``
    (``서울`` / ``Seoul``). The English UI shows no Korean next to it: one language per
    screen, and "Busan-Gyeongnam (부산경남)" was cut off on phones."""
    return meet_name(meet, lang)


def format_age(seconds: float, lang: str = "ko") -> str:
    """``3 min ago`` / ``3분 전``."""
    if seconds < -60:
        return "미래 시각(시계 차이?)" if lang == "ko" else "in the future (clock skew?)"
    s = max(0, int(seconds))
    if s < 60:
        n, ko, en = s, "초", "s"
    elif s < 3600:
        n, ko, en = s // 60, "분", "min"
    elif s < 2 * 86400:
        n, ko, en = s // 3600, "시간", "h"
    else:
        n, ko, en = s // 86400, "일", "days" if s // 86400 != 1 else "day"
    return f"{n}{ko} 전" if lang == "ko" else f"{n} {en} ago"


def format_ms(ms: float) -> str:
    """A duration for people: ``0.8 ms``, ``120 ms``, ``12.3 s``."""
    if ms >= 10_000:
        return f"{ms / 1000:.1f} s"
    if ms >= 100:
        return f"{ms:.0f} ms"
    return f"{ms:.1f} ms"


#: What an empty value shows as, everywhere (never ``None``/``nan``/``NaT``).
MISSING = "-"
#: Weekday abbreviations, Monday first (``date.weekday()`` order).
WEEKDAY_SHORT = {"ko": ("월", "화", "수", "목", "금", "토", "일"),
                 "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def _is_missing(value: object) -> bool:
    # NaN and NaT are the values that differ from themselves (pandas' NA cannot even say
    # so); '' is an empty cell too.
    try:
        odd = bool(value != value)
    except (TypeError, ValueError):
        return True
    return value is None or odd or (isinstance(value, str) and not value.strip())


def _as_date(value: object) -> dt.date | None:
    """``value`` as a calendar day: a date, a datetime (in Korean time when it is aware),
    or the text ``YYYYMMDD`` / ``YYYY-MM-DD``; ``None`` for anything else."""
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.astimezone(KST).date() if value.tzinfo is not None else value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y%m%d", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def format_date(value: object, lang: str = "ko") -> str:
    """A day as every surface shows it: ``2026-02-14 (토)`` / ``2026-02-14 (Sat)``.

    Accepts a date, a datetime (an aware one is taken in Korean time) or a stored date
    text (``20260214`` or ``2026-02-14``); text that is no real day comes back as it is,
    and a missing value (``None``, ``NaN``, ``NaT``, ``""``) as :data:`MISSING`.
    """
    if _is_missing(value):
        return MISSING
    try:
        day = _as_date(value)
    except (OverflowError, ValueError):  # an instant Korean time cannot hold
        day = None
    if day is None:
        return str(value)
    names = WEEKDAY_SHORT.get(lang, WEEKDAY_SHORT["ko"])
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d} ({names[day.weekday()]})"


def format_time(value: Any, lang: str = "ko", *, now: dt.datetime | None = None) -> str:
    """An instant as ``HH:MM`` in Korean time, with :func:`format_date` in front when its
    Korean day is not today's (``now``, default the clock): ``13:05``,
    ``2026-02-14 (토) 13:05``.

    A naive datetime is UTC (as the database's). ``None``/``NaT`` are :data:`MISSING`;
    the database's infinities are ``∞``/``-∞``; an instant past what Korean time can hold
    is shown in UTC, marked so.
    """
    from .timestamps import KST_LIMIT, infinity_sign, kst_text  # timestamps imports us

    if _is_missing(value) or not hasattr(value, "year"):
        return MISSING
    if infinity_sign(value):
        return kst_text(value)
    moment = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    if moment.astimezone(dt.UTC) > KST_LIMIT:
        return kst_text(moment, "%Y-%m-%d %H:%M")
    local = moment.astimezone(KST)
    today = (now or dt.datetime.now(dt.UTC)).astimezone(KST).date()
    clock = f"{local:%H:%M}"
    return clock if local.date() == today else f"{format_date(local, lang)} {clock}"


def job_progress(status: object, progress: object) -> float | None:
    """A job's progress as a percentage people can trust: 100 for a ``completed`` job
    (the collector leaves 0 in some), the stored value (0 to 100) while it runs or after
    it failed, and ``None`` (shown "-") when nothing is stored or it has not started."""
    if status == "completed":
        return 100.0
    try:
        value = float(progress)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if value != value or status in ("pending", "queued"):
        return None
    return min(max(value, 0.0), 100.0)
