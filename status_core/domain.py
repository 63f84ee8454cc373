"""The domain's constants and small formatters, each defined once.

Korean time, the racecourses, their usual race weekdays, the collector's enums, the
migrations a current database has applied, and the few formatters every surface shares
(an age such as ``3분 전``, a duration in ms).
"""

from __future__ import annotations

import datetime as dt

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
    """The racecourse as the pickers and tables show it: ``서울``, and in English with the
    Korean name staff know it by, ``Seoul (서울)``."""
    if lang != "en" or meet_name(meet, "en") == meet_name(meet, "ko"):
        return meet_name(meet, lang)
    return f"{meet_name(meet, 'en')} ({meet_name(meet, 'ko')})"


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
