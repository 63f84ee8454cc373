"""Seeded demo data: the embedded demo database, test fixtures and benchmark input.

One generator serves three users:

- the dashboard's embedded demo (:func:`ensure_demo` builds a SQLite file once a day),
- the tests (:func:`generate` plus :attr:`DemoData.facts`, which says what was planted),
- the benchmarks (:func:`load` into SQLite or PostgreSQL).

Everything is deterministic for a given ``seed`` and ``now``. The data tells a story that
the dashboard must be able to show: two years of completed race days, a few days with
failed races, one day where every race failed, a usual race day with nothing stored, a day
whose results never came, today's day still running and another day stalled for hours.

This module never imports Streamlit.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import random
import sqlite3
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from datetime import date as Date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import Connection

__all__ = [
    "DEFAULT_SEED",
    "DEMO_VERSION",
    "JOB_COLUMNS",
    "JOB_LOG_COLUMNS",
    "KST",
    "MEET_NAMES",
    "MIGRATIONS",
    "RACE_COLUMNS",
    "TS_FORMAT",
    "USUAL_WEEKDAYS",
    "DemoData",
    "build_demo_file",
    "create_sqlite_schema",
    "ensure_demo",
    "format_ts",
    "generate",
    "job_row",
    "live_step",
    "load",
    "parse_ts",
    "race_row",
    "read_demo_meta",
]

KST = zoneinfo.ZoneInfo("Asia/Seoul")
MEET_NAMES = {1: "서울", 2: "제주", 3: "부산경남"}
# Python weekday numbers (Mon=0): Seoul Sat/Sun, Jeju Fri/Sat, Busan-Gyeongnam Fri/Sun.
USUAL_WEEKDAYS = {1: (5, 6), 2: (4, 5), 3: (4, 6)}

DEFAULT_SEED = 20260214
# Bump whenever the generated data changes shape or story: ensure_demo rebuilds old files.
DEMO_VERSION = 1

DATA_STATUSES = ("pending", "collected", "enriched", "failed")
JOB_TYPES = ("collection", "enrichment", "analysis", "prediction", "improvement", "batch")
JOB_STATUSES = (
    "pending", "queued", "processing", "running", "completed", "failed", "cancelled", "retrying",
)
MIGRATIONS = (
    "001_initial_schema.sql",
    "002_add_enrichment_columns.sql",
    "003_jobs_and_job_logs.sql",
    "004_race_result_tracking.sql",
    "005_row_level_security.sql",
    "006_jobs_v2_lifecycle.sql",
    "007_runtime_db_hardening.sql",
)

# The one text form of a timestamp in SQLite: fixed width, UTC, with offset, so that
# text comparison (max(updated_at), ORDER BY) equals time comparison.
TS_FORMAT = "%Y-%m-%d %H:%M:%S.%f+00:00"
_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f000+00:00', 'now')"

RACE_COLUMNS = (
    "race_id", "date", "meet", "race_number", "race_name", "distance", "track", "weather",
    "collection_status", "enrichment_status", "result_status", "basic_data",
    "collected_at", "enriched_at", "result_collected_at", "created_at", "updated_at",
    "data_quality_score", "warnings", "horse_count",
)
JOB_COLUMNS = (
    "job_id", "type", "status", "created_at", "started_at", "completed_at", "progress",
    "current_step", "total_steps", "retry_count", "result", "error_message", "parameters",
    "created_by", "tags", "job_kind_v2", "lifecycle_state_v2", "task_id",
)
JOB_LOG_COLUMNS = ("job_id", "timestamp", "level", "message", "log_metadata")

_DISTANCES = (1000, 1200, 1300, 1400, 1600, 1700, 1800, 2000, 2300)
_JEJU_DISTANCES = (1000, 1200, 1300, 1400, 1600, 1700)
_CLASSES = {
    1: ("국6등급", "국5등급", "국4등급", "국3등급", "국2등급", "국1등급",
        "혼4등급", "혼3등급", "혼2등급", "혼1등급", "국OPEN", "혼OPEN"),
    2: ("제주 6등급", "제주 5등급", "제주 4등급", "제주 3등급", "제주 2등급", "제주 1등급",
        "한라마 3등급", "한라마 2등급", "한라마 1등급", "제주 OPEN"),
    3: ("국6등급", "국5등급", "국4등급", "국3등급", "국2등급", "국1등급",
        "혼4등급", "혼3등급", "혼2등급", "혼1등급", "국OPEN", "혼OPEN"),
}
_STAKES = {
    1: ("서울마주협회장배", "YTN배", "코리안더비", "그랑프리", "대통령배", "KRA컵 마일"),
    2: ("제주특별자치도지사배", "한라마 대상경주", "제주일보배", "탐라대상"),
    3: ("부산광역시장배", "경남도민일보배", "오너스컵", "부산일보배", "코리아스프린트"),
}
_TRACKS = (("건조", 3), ("양호", 8), ("다습", 12), ("포화", 17), ("불량", 22))
_TRACK_WEIGHTS = (40, 30, 15, 10, 5)
_WEATHERS = ("맑음", "흐림", "비", "눈", "안개")
_WEATHER_WEIGHTS = (55, 28, 11, 2, 4)
# First post time (KST) per meet; races follow every 35 minutes.
_FIRST_POST = {1: (10, 35), 2: (12, 0), 3: (11, 10)}
_POST_INTERVAL = timedelta(minutes=35)

WARN_TIMEOUT = "KRA API timeout after 3 retries"
WARN_SERVICE_KEY = "KRA API returned resultCode 22 (SERVICE KEY IS NOT REGISTERED)"
ERR_READ_TIMEOUT = "httpx.ReadTimeout: timed out while calling KRA API214_1"
ERR_SERVICE_KEY = "KRA API returned resultCode 22 (SERVICE KEY IS NOT REGISTERED)"
ERR_RATE_LIMIT = "429 Too Many Requests from apis.data.go.kr"
ERR_DUPLICATE = 'IntegrityError: duplicate key value violates unique constraint "races_pkey"'
ERR_CONNECT = "httpx.ConnectError: [Errno 111] Connection refused"
ERR_DB_CLOSED = "psycopg.OperationalError: server closed the connection unexpectedly"

_KIND_V2 = {
    "collection": "race_collection", "enrichment": "race_enrichment", "batch": "batch_backfill",
    "analysis": "weekly_analysis", "prediction": "race_prediction", "improvement": "improvement",
}
_LIFECYCLE_V2 = {
    "pending": "queued", "queued": "queued", "processing": "running", "running": "running",
    "retrying": "running", "completed": "succeeded", "failed": "failed",
    "cancelled": "cancelled",
}
_V2_SINCE_DAYS = 45  # jobs newer than this were written by a collector with the v2 columns


# --------------------------------------------------------------------------- time helpers


def _utc(dt: datetime | None) -> datetime:
    """``dt`` as an aware UTC datetime (naive means UTC); ``None`` means now."""
    if dt is None:
        return datetime.now(UTC)
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def format_ts(dt: datetime) -> str:
    """The SQLite text form: ``YYYY-MM-DD HH:MM:SS.ffffff+00:00`` (naive means UTC)."""
    if dt.tzinfo is not UTC:
        dt = _utc(dt)
    return dt.isoformat(sep=" ", timespec="microseconds")


def parse_ts(text: str | datetime | None) -> datetime | None:
    """Inverse of :func:`format_ts`; passes datetimes through (made aware, UTC)."""
    if text is None:
        return None
    if isinstance(text, datetime):
        return _utc(text)
    return _utc(datetime.fromisoformat(text))


def _kst_at(day: Date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=KST).astimezone(UTC)


def _ymd(day: Date) -> str:
    return day.strftime("%Y%m%d")


def _parse_ymd(text: str) -> Date:
    if len(text) != 8 or not text.isdigit():
        raise ValueError(f"date must be YYYYMMDD, got {text!r}")
    return Date(int(text[:4]), int(text[4:6]), int(text[6:]))


def _kst_today(now: datetime) -> Date:
    return _utc(now).astimezone(KST).date()


def _post_time(day: Date, meet: int, race_number: int) -> datetime:
    return _day_times(day, meet)[4] + (race_number - 1) * _POST_INTERVAL


@functools.lru_cache(maxsize=4096)
def _day_times(day: Date, meet: int) -> tuple[datetime, datetime, datetime, tuple[int, int],
                                               datetime]:
    """Times shared by every race of one date x meet (one collector run per day):
    card stored, collection start, enrichment start, per-race steps, first post."""
    day_rng = random.Random(f"day:{_ymd(day)}_{meet}")
    created_base = _kst_at(day - timedelta(days=2), 10) + timedelta(
        minutes=day_rng.randint(0, 50))
    collect_base = _kst_at(day - timedelta(days=1), 17, 40) + timedelta(
        minutes=day_rng.randint(0, 40))
    enrich_base = collect_base + timedelta(minutes=day_rng.randint(20, 35))
    steps = (day_rng.randint(12, 25), day_rng.randint(20, 40))
    hour, minute = _FIRST_POST[meet]
    return created_base, collect_base, enrich_base, steps, _kst_at(day, hour, minute)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


# --------------------------------------------------------------------------- rows


@dataclass
class DemoData:
    """Generated rows (dicts with Python values) and what was planted in them.

    ``facts`` keys (dates ``YYYYMMDD`` text, a "day" is a ``(date, meet)`` tuple):
    ``now``, ``today``, ``running_day``, ``in_progress_days``, ``stalled_day``,
    ``failed_day``, ``missing_days``, ``results_missing_day``, ``partial_failure_days``,
    ``null_enrichment_race_ids``, ``holiday_skips``, ``extra_days``,
    ``legacy_enriched_before``, ``stuck_job_id``, ``legacy_status_job_ids``,
    ``failed_job_ids``, ``queued_job_ids``.
    """

    races: list[dict]
    jobs: list[dict]
    job_logs: list[dict]
    migrations: list[str]
    facts: dict = field(default_factory=dict)
    generated_at: datetime | None = None


def race_row(
    date: str,
    meet: int,
    race_number: int,
    *,
    collection: str | None = "collected",
    enrichment: str | None = "enriched",
    result: str | None = "collected",
    updated_at: datetime | None = None,
    rng: random.Random | None = None,
    **overrides: Any,
) -> dict:
    """One realistic ``races`` row as a dict of Python values.

    Step timestamps follow the statuses: ``collected_at`` is set when ``collection`` is
    ``collected``/``enriched``, ``enriched_at`` when ``enrichment`` is ``enriched``,
    ``result_collected_at`` when ``result`` is ``collected``; otherwise ``None``. Times
    are natural for the race day (card stored two days before, collected the evening
    before, results after each post time) and deterministic per race id unless ``rng``
    is given. Passing ``updated_at`` clamps the step times so that
    ``created_at <= collected_at <= enriched_at <= updated_at``. Timestamp columns may
    be overridden too (before ``updated_at`` is derived); any other column is replaced
    as given.
    """
    if meet not in MEET_NAMES:
        raise ValueError(f"meet must be one of 1, 2, 3, got {meet!r}")
    for what, status in (("collection", collection), ("enrichment", enrichment),
                         ("result", result)):
        if status is not None and status not in DATA_STATUSES:
            raise ValueError(f"{what} status must be one of {DATA_STATUSES} or None")
    race_id = f"{date}_{meet}_{race_number}"
    r = rng if rng is not None else random.Random(race_id)
    day = _parse_ymd(date)
    created_base, collect_base, enrich_base, (step_c, step_e), _ = _day_times(day, meet)

    created = created_base + timedelta(seconds=2 * race_number,
                                       microseconds=r.randrange(1_000_000))
    collect_t = collect_base + timedelta(seconds=race_number * step_c + r.uniform(0, 5))
    enrich_t = enrich_base + timedelta(seconds=race_number * step_e + r.uniform(0, 8))
    result_t = _post_time(day, meet, race_number) + timedelta(
        minutes=r.randint(25, 70), seconds=r.uniform(0, 59))

    collected_ok = collection in ("collected", "enriched")
    enriched_ok = enrichment == "enriched"
    result_ok = result in ("collected", "enriched")

    if meet == 2:
        distance = r.choice(_JEJU_DISTANCES)
        horse_count = r.randint(6, 10)
    else:
        distance = r.choice(_DISTANCES)
        horse_count = r.randint(7, 14)
    name = r.choice(_CLASSES[meet])
    if race_number >= 8 and r.random() < 0.06:
        name = r.choice(_STAKES[meet])
        distance = r.choice((1800, 2000, 2300)) if meet != 2 else 1700
    track_name, moisture = r.choices(_TRACKS, _TRACK_WEIGHTS)[0]
    moisture = max(1, moisture + r.randint(-2, 2))
    weather = r.choices(_WEATHERS, _WEATHER_WEIGHTS)[0]

    warnings: list[str] = []
    if collection == "failed":
        warnings.append(WARN_TIMEOUT)
    if enrichment == "failed":
        warnings.append(f"horse detail missing for {r.choice((1, 2, 2, 3))} entries")
    if result == "failed":
        warnings.append("result not published: KRA API299 returned 0 rows")

    if not collected_ok:
        quality = None
    elif enriched_ok:
        quality = round(r.uniform(0.86, 1.0), 3)
    else:
        quality = round(r.uniform(0.45, 0.8), 3)

    ts: dict[str, datetime | None] = {
        "created_at": created,
        "collected_at": collect_t if collected_ok else None,
        "enriched_at": enrich_t if enriched_ok else None,
        "result_collected_at": result_t if result_ok else None,
    }
    for key in ts:
        if key in overrides:
            value = overrides.pop(key)
            ts[key] = None if value is None else _utc(value)
    if updated_at is None:
        attempts = [t for t, status in ((collect_t, collection), (enrich_t, enrichment),
                                        (result_t, result)) if status == "failed"]
        updated = max([t for t in ts.values() if t is not None] + attempts)
    else:
        updated = _utc(updated_at)
        cap = updated
        for key in ("enriched_at", "collected_at", "created_at"):
            if ts[key] is not None:
                ts[key] = min(ts[key], cap)
                cap = ts[key]
        if ts["result_collected_at"] is not None:
            floor = ts["collected_at"] or ts["created_at"]
            ts["result_collected_at"] = max(min(ts["result_collected_at"], updated), floor)

    row = {
        "race_id": race_id,
        "date": date,
        "meet": meet,
        "race_number": race_number,
        "race_name": name,
        "distance": distance,
        "track": f"{track_name} ({moisture}%)" if collected_ok else None,
        "weather": weather if collected_ok else None,
        "collection_status": collection,
        "enrichment_status": enrichment,
        "result_status": result,
        "basic_data": {
            "rcDate": date, "meet": MEET_NAMES[meet], "rcNo": race_number,
            "rcName": name, "rcDist": distance, "chulNo": horse_count,
        } if collected_ok else None,
        "collected_at": ts["collected_at"],
        "enriched_at": ts["enriched_at"],
        "result_collected_at": ts["result_collected_at"],
        "created_at": ts["created_at"],
        "updated_at": updated,
        "data_quality_score": quality,
        "warnings": warnings,
        "horse_count": horse_count if collected_ok else None,
    }
    row.update(overrides)
    return row


def job_row(
    job_id: str,
    *,
    type: str = "collection",  # noqa: A002 - the column's name
    status: str = "completed",
    race_date: str | None = None,
    meet: int | None = None,
    created_at: datetime,
    started_at: datetime | None = None,
    completed_at: datetime | None = None,
    error_message: str | None = None,
    progress: int | None = None,
    race_numbers: Sequence[int] | None = None,
    **overrides: Any,
) -> dict:
    """One ``jobs`` row as a dict of Python values.

    Collection/enrichment jobs (or any job given ``race_date``/``meet``) get
    ``parameters={"race_date": ..., "meet": ..., "race_numbers": [...]}``. Missing times
    are filled in for consistency: ``completed``/``failed`` jobs get a start and an end,
    ``processing``/``running``/``retrying`` a start. Raises ``ValueError`` on an unknown
    type/status or when ``created_at <= started_at <= completed_at`` does not hold.
    """
    if type not in JOB_TYPES:
        raise ValueError(f"job type must be one of {JOB_TYPES}, got {type!r}")
    if status not in JOB_STATUSES:
        raise ValueError(f"job status must be one of {JOB_STATUSES}, got {status!r}")
    created = _utc(created_at)
    started = None if started_at is None else _utc(started_at)
    completed = None if completed_at is None else _utc(completed_at)
    if status in ("completed", "failed", "processing", "running", "retrying") and not started:
        started = created + timedelta(seconds=2)
    if status in ("completed", "failed") and completed is None:
        completed = started + timedelta(seconds=45)
    if started is not None and started < created:
        raise ValueError(f"job {job_id}: started_at before created_at")
    if completed is not None and completed < (started or created):
        raise ValueError(f"job {job_id}: completed_at before started_at/created_at")

    numbers = list(race_numbers or [])
    parameters = None
    if type in ("collection", "enrichment") or race_date is not None or meet is not None:
        parameters = {"race_date": race_date, "meet": meet, "race_numbers": numbers}
    if progress is None:
        progress = 100 if status == "completed" else 0
    row = {
        "job_id": job_id,
        "type": type,
        "status": status,
        "created_at": created,
        "started_at": started,
        "completed_at": completed,
        "progress": progress,
        "current_step": None,
        "total_steps": len(numbers) or None,
        "retry_count": 0,
        "result": None,
        "error_message": error_message,
        "parameters": parameters,
        "created_by": "scheduler",
        "tags": [],
        "job_kind_v2": None,
        "lifecycle_state_v2": None,
        "task_id": None,
    }
    row.update(overrides)
    return row


# --------------------------------------------------------------------------- generator


Day = tuple[str, int]


def _race_count(rng: random.Random, meet: int) -> int:
    if meet == 1:
        return 16 if rng.random() < 0.05 else rng.randint(10, 15)
    if meet == 3:
        return rng.randint(8, 13)
    return rng.randint(8, 10)


def _spread(end: datetime, count: int, spacing_s: float, rng: random.Random) -> list[datetime]:
    """``count`` ascending times, about ``spacing_s`` apart, the last one at ``end``."""
    times = [end - timedelta(seconds=spacing_s * (count - 1 - i) + rng.uniform(0, spacing_s / 4))
             for i in range(count - 1)]
    return sorted(times) + [end] if count else []


def generate(seed: int = DEFAULT_SEED, *, now: datetime | None = None,
             days: int = 730) -> DemoData:
    """About ``days`` days of KRA race data ending at ``now``'s Korean date.

    Deterministic for a given ``seed`` and ``now`` (default: the current time). See
    :class:`DemoData` for the planted facts.
    """
    if days < 120:
        raise ValueError("days must be at least 120 so that the story fits")
    now = _utc(now)
    rng = random.Random(seed)
    today = _kst_today(now)
    first = today - timedelta(days=days - 1)
    dates = [first + timedelta(days=i) for i in range(days)]

    def age(d: Date | str) -> int:
        return (today - (_parse_ymd(d) if isinstance(d, str) else d)).days

    # ---- calendar: usual days, holiday skips, extra (Monday holiday) days
    usual = [(d, m) for d in dates for m in (1, 2, 3) if d.weekday() in USUAL_WEEKDAYS[m]]
    usual_dates = sorted({d for d, _ in usual})
    skip_candidates = [d for d in usual_dates if 100 <= age(d)]
    n_skips = min(len(skip_candidates), max(1, round(3 * days / 365)))
    skip_dates = set(rng.sample(skip_candidates, n_skips))
    mondays = [d for d in dates if d.weekday() == 0 and age(d) >= 14]
    n_extra = min(len(mondays), max(1, round(2 * days / 365)))
    recent_mondays = [d for d in mondays if 15 <= age(d) <= 85]
    extra_dates: list[Date] = []
    if recent_mondays:
        extra_dates.append(rng.choice(recent_mondays))
    rest = [d for d in mondays if d not in extra_dates]
    extra_dates += rng.sample(rest, min(len(rest), n_extra - len(extra_dates)))
    extra_pairs = sorted((d, m) for d in extra_dates for m in (1, 3))
    holiday_skips = sorted((d, m) for d, m in usual if d in skip_dates)
    pairs = sorted({p for p in usual if p[0] not in skip_dates} | set(extra_pairs))
    counts = {p: _race_count(rng, p[1]) for p in pairs}

    # ---- the story
    latest = pairs[-1][0]
    in_progress = [p for p in pairs if p[0] == latest]
    running = in_progress[0]
    older = [p for p in reversed(pairs) if p[0] < latest]
    stalled = older[0]
    results_missing = next(p for p in older if p[0] < stalled[0])
    reserved = set(in_progress) | {stalled, results_missing}
    plain = [p for p in pairs if p not in reserved and p not in extra_pairs]
    failed_day = rng.choice([p for p in plain if 10 <= age(p[0]) <= 60])
    reserved.add(failed_day)
    missing = sorted(rng.sample(
        [p for p in plain if 15 <= age(p[0]) <= 85 and p not in reserved], 2))
    reserved.update(missing)
    partial_recent = rng.sample(
        [p for p in plain if 10 <= age(p[0]) <= 85 and p not in reserved], 2)
    reserved.update(partial_recent)
    old_plain = [p for p in plain if age(p[0]) > 90 and p not in reserved]
    partial_old = rng.sample(old_plain, min(len(old_plain), 6))
    reserved.update(partial_old)
    null_enrichment_day = partial_old[0] if partial_old else partial_recent[-1]
    legacy_cut = today - timedelta(days=400)

    # ---- races
    races: list[dict] = []
    rows_by_pair: dict[tuple[Date, int], list[dict]] = {}
    partial_kinds: dict[tuple[Date, int], str] = {}
    null_enrichment_ids: list[str] = []
    stalled_times: list[datetime] = []
    for p in pairs:
        if p in missing:
            continue
        d, m = p
        date, n = _ymd(d), counts[p]
        rows: list[dict] = []
        if p in in_progress:
            if p == running:
                enriched_n = rng.randint(2, max(2, n // 3))
                collected_n = enriched_n + rng.randint(2, 4)
                end = now - timedelta(seconds=rng.randint(60, 150))
                spacing = 150
            else:
                collected_n = rng.randint(1, 3)
                enriched_n = rng.randint(0, 1)
                end = now - timedelta(seconds=rng.randint(180, 480))
                spacing = 120
            times = _spread(end, collected_n + enriched_n, spacing, rng)
            c_times, e_times = times[:collected_n], times[collected_n:]
            for k in range(1, n + 1):
                if k <= enriched_n:
                    rows.append(race_row(date, m, k, result="pending", rng=rng,
                                         collected_at=c_times[k - 1],
                                         enriched_at=e_times[k - 1],
                                         updated_at=e_times[k - 1]))
                elif k <= collected_n:
                    rows.append(race_row(date, m, k, enrichment="pending", result="pending",
                                         rng=rng, collected_at=c_times[k - 1],
                                         updated_at=c_times[k - 1]))
                else:
                    rows.append(race_row(date, m, k, collection="pending",
                                         enrichment="pending", result="pending", rng=rng))
        elif p == stalled:
            collected_n = rng.randint(3, max(3, n // 2))
            end = now - timedelta(minutes=rng.randint(150, 210))
            stalled_times = _spread(end, collected_n, 300, rng)
            for k in range(1, n + 1):
                if k <= collected_n:
                    t = stalled_times[k - 1]
                    rows.append(race_row(date, m, k, enrichment="pending", result="pending",
                                         rng=rng, collected_at=t, updated_at=t))
                else:
                    rows.append(race_row(date, m, k, collection="pending",
                                         enrichment="pending", result="pending", rng=rng))
        elif p == failed_day:
            for k in range(1, n + 1):
                rows.append(race_row(date, m, k, collection="failed", enrichment="pending",
                                     result="pending", rng=rng, warnings=[WARN_SERVICE_KEY]))
        else:
            collection = "enriched" if d < legacy_cut else "collected"
            result = "pending" if p == results_missing else "collected"
            failing: dict[int, str] = {}
            if p in partial_recent or p in partial_old:
                kind = ("collection" if p == partial_recent[0] else "enrichment"
                        if p in partial_recent else rng.choice(("collection", "enrichment")))
                partial_kinds[p] = kind
                for k in rng.sample(range(1, n + 1), rng.randint(1, 3)):
                    failing[k] = kind
            nulls: set[int] = set()
            if p == null_enrichment_day:
                nulls = set(rng.sample([k for k in range(1, n + 1) if k not in failing], 3))
            for k in range(1, n + 1):
                extra: dict[str, Any] = {}
                if d < today - timedelta(days=90):
                    extra["basic_data"] = None  # keep the file small: payloads only lately
                if failing.get(k) == "collection":
                    row = race_row(date, m, k, collection="failed", enrichment="pending",
                                   result="pending", rng=rng, **extra)
                elif failing.get(k) == "enrichment":
                    row = race_row(date, m, k, collection=collection, enrichment="failed",
                                   result=result, rng=rng, **extra)
                elif k in nulls:
                    row = race_row(date, m, k, collection="collected", enrichment=None,
                                   result=result, rng=rng, **extra)
                    null_enrichment_ids.append(row["race_id"])
                else:
                    row = race_row(date, m, k, collection=collection, result=result,
                                   rng=rng, **extra)
                    if rng.random() < 0.03:
                        row["warnings"] = [rng.choice((
                            "odds snapshot missing for win pool",
                            "horse detail missing for 1 entries",
                            "trainer profile not found (code 070123)",
                        ))]
                        row["data_quality_score"] = round(rng.uniform(0.7, 0.86), 3)
                rows.append(row)
        rows_by_pair[p] = rows
        races.extend(rows)

    # ---- jobs
    jobs: list[dict] = []
    logs: list[dict] = []
    window = [p for p in pairs if age(p[0]) <= 89 and p in rows_by_pair]

    def v2(job: dict) -> dict:
        if (now - job["created_at"]) <= timedelta(days=_V2_SINCE_DAYS):
            job["job_kind_v2"] = _KIND_V2[job["type"]]
            job["lifecycle_state_v2"] = _LIFECYCLE_V2[job["status"]]
            job["task_id"] = f"task-{rng.getrandbits(48):012x}"
        return job

    def add_job(**kw: Any) -> dict:
        job = v2(job_row(_uuid(rng), **kw))
        jobs.append(job)
        return job

    def log(job: dict, at: datetime, level: str, message: str, **meta: Any) -> None:
        params = job["parameters"] or {}
        logs.append({
            "job_id": job["job_id"], "timestamp": at, "level": level, "message": message,
            "log_metadata": {"race_date": params.get("race_date"),
                             "meet": params.get("meet"), **meta},
        })

    def log_failure(job: dict, attempts: int = 3) -> None:
        start, end = job["started_at"], job["completed_at"] or now
        what = _describe(job)
        log(job, start, "INFO", f"Job started: {what}")
        for i in range(1, attempts):
            at = start + (end - start) * i / attempts
            log(job, at, "WARNING", f"Attempt {i}/{attempts} failed, retrying: "
                f"{job['error_message'].split(':')[0]}", attempt=i)
        log(job, end, "ERROR", job["error_message"], attempt=attempts)

    def s(lo: float, hi: float) -> timedelta:
        return timedelta(seconds=rng.uniform(lo, hi))

    legacy_pool = [p for p in window if 60 <= age(p[0]) <= 89 and p not in reserved]
    legacy_running = set(rng.sample(legacy_pool, min(3, len(legacy_pool))))
    legacy_list = sorted(legacy_running)
    duplicate_pair = rng.choice(
        [p for p in window if 20 <= age(p[0]) <= 80 and p not in reserved
         and p not in legacy_running])
    stuck_job_id = ""
    legacy_ids: list[str] = []
    failed_ids: list[str] = []
    queued_ids: list[str] = []

    for p in window:
        d, m = p
        date, rows = _ymd(d), rows_by_pair[p]
        numbers = [r["race_number"] for r in rows]
        common = {"race_date": date, "meet": m, "race_numbers": numbers}
        n = len(rows)
        collected = [r["collected_at"] for r in rows if r["collected_at"] is not None]
        enriched = [r["enriched_at"] for r in rows if r["enriched_at"] is not None]
        if p in in_progress or p == stalled:
            first_c = min(collected)
            started = first_c - s(20, 60)
            status = "processing"
            job = add_job(type="collection", status=status, created_at=started - s(1, 3),
                          started_at=started, progress=round(100 * len(collected) / n),
                          current_step=f"fetching API214_1 race {len(collected) + 1}/{n}",
                          tags=["daily", "auto"], **common)
            log(job, started, "INFO", f"Job started: {_describe(job)}")
            if p == stalled:
                stuck_job_id = job["job_id"]
                for r in rows:
                    if r["collected_at"] is not None:
                        log(job, r["collected_at"], "INFO",
                            f"Collected race {r['race_number']}/{n}")
            if enriched:
                e_start = min(enriched) - s(20, 40)
                add_job(type="enrichment", status="processing", created_at=e_start - s(1, 3),
                        started_at=e_start, progress=round(100 * len(enriched) / n),
                        current_step=f"enriching race {len(enriched) + 1}/{n}",
                        tags=["daily", "auto"], **common)
            elif p != stalled:
                job = add_job(type="enrichment", status="queued",
                              created_at=max(collected) + s(1, 5), progress=0,
                              tags=["daily", "auto"], **common)
                queued_ids.append(job["job_id"])
            continue

        if p == failed_day:
            attempt_times = [r["updated_at"] for r in rows]
            created = min(attempt_times) - s(20, 60)
            job = add_job(type="collection", status="failed", created_at=created,
                          started_at=created + s(1, 5), completed_at=max(attempt_times) + s(1, 5),
                          error_message=ERR_SERVICE_KEY, progress=0, retry_count=3,
                          current_step=f"fetching API214_1 race 1/{n}",
                          result={"collected": 0, "failed": n}, tags=["daily", "auto"],
                          **common)
            failed_ids.append(job["job_id"])
            log_failure(job)
            retry_created = job["completed_at"] + timedelta(minutes=rng.randint(50, 70))
            retry = add_job(type="collection", status="failed", created_at=retry_created,
                            started_at=retry_created + s(1, 3),
                            completed_at=retry_created + s(20, 40),
                            error_message=ERR_SERVICE_KEY, progress=0, retry_count=1,
                            created_by="admin", tags=["manual", "retry"], **common)
            failed_ids.append(retry["job_id"])
            log_failure(retry, attempts=1)
            add_job(type="enrichment", status="cancelled", created_at=created + s(1, 3),
                    completed_at=job["completed_at"] + s(1, 3), progress=0,
                    error_message="cancelled: collection job failed", tags=["daily", "auto"],
                    **common)
            continue

        # A completed (or partly failed) day.
        failed_rows = [r for r in rows if r["collection_status"] == "failed"]
        ends = collected + [r["updated_at"] for r in failed_rows]
        created = min(ends) - s(20, 90)
        started = created + s(1, 8)
        if failed_rows:
            job = add_job(type="collection", status="failed", created_at=created,
                          started_at=started, completed_at=max(ends) + s(2, 10),
                          error_message=ERR_READ_TIMEOUT, retry_count=3,
                          progress=round(100 * len(collected) / n),
                          current_step=f"fetching API214_1 race {failed_rows[0]['race_number']}"
                                       f"/{n}",
                          result={"collected": len(collected), "failed": len(failed_rows),
                                  "failed_race_numbers": [r["race_number"]
                                                          for r in failed_rows]},
                          tags=["daily", "auto"], **common)
            failed_ids.append(job["job_id"])
            log_failure(job)
        elif p == legacy_list[0]:
            job = add_job(type="collection", status="retrying", created_at=created,
                          started_at=started, error_message=ERR_CONNECT, retry_count=2,
                          progress=round(100 * rng.randint(3, n - 1) / n),
                          current_step="waiting to retry", tags=["daily", "auto"], **common)
            legacy_ids.append(job["job_id"])
            log(job, started, "INFO", f"Job started: {_describe(job)}")
            log(job, started + s(30, 120), "WARNING", f"Attempt 2/3 failed: {ERR_CONNECT}")
        else:
            job = add_job(type="collection", status="completed", created_at=created,
                          started_at=started, completed_at=max(ends) + s(2, 10),
                          current_step="done",
                          result={"collected": len(collected), "failed": 0},
                          tags=["daily", "auto"], **common)
        if p == duplicate_pair:
            dup_created = job["completed_at"] + timedelta(minutes=rng.randint(90, 180))
            dup = add_job(type="collection", status="failed", created_at=dup_created,
                          started_at=dup_created + s(1, 4), completed_at=dup_created + s(5, 15),
                          error_message=ERR_DUPLICATE, progress=0, created_by="admin",
                          tags=["manual"], **common)
            failed_ids.append(dup["job_id"])
            log_failure(dup, attempts=1)

        enrich_failed = [r for r in rows if r["enrichment_status"] == "failed"]
        e_ends = enriched + [r["updated_at"] for r in enrich_failed
                             if r["result_collected_at"] is None]
        if enriched:
            e_created = min(enriched) - s(20, 60)
            e_done = max(e_ends) + s(2, 10)
            if p in legacy_running and p != legacy_list[0]:
                job = add_job(type="enrichment", status="running", created_at=e_created,
                              started_at=e_created + s(1, 5), progress=rng.randint(80, 95),
                              current_step="enriching jockeys", tags=["daily"], **common)
                legacy_ids.append(job["job_id"])
            else:
                add_job(type="enrichment", status="completed", created_at=e_created,
                        started_at=e_created + s(1, 5), completed_at=e_done,
                        current_step="done",
                        result={"enriched": len(enriched), "failed": len(enrich_failed),
                                "warnings": sorted({w for r in enrich_failed
                                                    for w in r["warnings"]})},
                        tags=["daily", "auto"], **common)
        if p == results_missing:
            r_created = _kst_at(d, 20, 30) + s(0, 600)
            job = add_job(type="collection", status="failed", created_at=r_created,
                          started_at=r_created + s(1, 3), completed_at=r_created + s(30, 60),
                          error_message=ERR_RATE_LIMIT, retry_count=3, progress=0,
                          current_step="fetching results (API299)",
                          parameters={**common, "step": "result"}, tags=["results", "auto"])
            failed_ids.append(job["job_id"])
            log_failure(job)

    # Weekly batch and analysis jobs (Monday mornings, KST), a rare cancel and failure.
    weekly = [d for d in dates if d.weekday() == 0 and age(d) <= 89
              and _kst_at(d, 7) < now]
    cancelled_batch = rng.choice(weekly) if weekly else None
    failed_analysis = rng.choice(weekly) if weekly else None
    for d in weekly:
        span = {"start_date": _ymd(d - timedelta(days=7)),
                "end_date": _ymd(d - timedelta(days=1))}
        b_created = _kst_at(d, 3) + s(0, 120)
        if d == cancelled_batch:
            add_job(type="batch", status="cancelled", created_at=b_created,
                    started_at=b_created + s(1, 5), completed_at=b_created + s(200, 600),
                    error_message="cancelled by operator", created_by="admin",
                    parameters={**span, "meets": [1, 2, 3], "mode": "backfill"},
                    tags=["weekly"], progress=rng.randint(10, 60))
        else:
            add_job(type="batch", status="completed", created_at=b_created,
                    started_at=b_created + s(1, 5), completed_at=b_created + s(600, 1800),
                    parameters={**span, "meets": [1, 2, 3], "mode": "backfill"},
                    result={"races_checked": rng.randint(60, 80),
                            "repaired": rng.randint(0, 3)},
                    tags=["weekly"])
        a_created = _kst_at(d, 6) + s(0, 120)
        if d == failed_analysis:
            job = add_job(type="analysis", status="failed", created_at=a_created,
                          started_at=a_created + s(1, 5), completed_at=a_created + s(60, 300),
                          error_message=ERR_DB_CLOSED, parameters=span, tags=["weekly"])
            failed_ids.append(job["job_id"])
            log_failure(job, attempts=2)
        else:
            add_job(type="analysis", status="completed", created_at=a_created,
                    started_at=a_created + s(1, 5), completed_at=a_created + s(120, 900),
                    parameters=span, result={"report": f"weekly_quality_{_ymd(d)}"},
                    tags=["weekly"])
    if weekly:
        d = weekly[len(weekly) // 2]
        i_created = _kst_at(d, 9) + s(0, 600)
        add_job(type="improvement", status="completed", created_at=i_created,
                started_at=i_created + s(1, 5), completed_at=i_created + s(300, 900),
                parameters={"target": "jockey_features"}, created_by="admin",
                tags=["manual"])
    # Recent work waiting to be picked up.
    job = add_job(type="batch", status="queued", created_at=now - s(60, 240),
                  parameters={"start_date": _ymd(today - timedelta(days=7)),
                              "end_date": _ymd(today), "meets": [1, 2, 3],
                              "mode": "verify"}, created_by="admin", tags=["manual"])
    queued_ids.append(job["job_id"])
    job = add_job(type="analysis", status="pending", created_at=now - s(300, 720),
                  parameters={"race_date": _ymd(running[0]), "meet": running[1]},
                  tags=["auto"])
    queued_ids.append(job["job_id"])
    job = add_job(type="prediction", status="queued", created_at=now - s(30, 200),
                  parameters={"race_date": _ymd(running[0]), "meet": running[1],
                              "race_numbers": [1, 2, 3]}, tags=["auto"])
    queued_ids.append(job["job_id"])

    jobs.sort(key=lambda j: (j["created_at"], j["job_id"]))
    logs.sort(key=lambda entry: (entry["timestamp"], entry["job_id"]))

    def day(p: tuple[Date, int]) -> Day:
        return (_ymd(p[0]), p[1])

    facts = {
        "now": now,
        "today": _ymd(today),
        "running_day": day(running),
        "in_progress_days": [day(p) for p in in_progress],
        "stalled_day": day(stalled),
        "failed_day": day(failed_day),
        "missing_days": [day(p) for p in missing],
        "results_missing_day": day(results_missing),
        "partial_failure_days": {day(p): kind for p, kind in sorted(partial_kinds.items())},
        "null_enrichment_race_ids": null_enrichment_ids,
        "holiday_skips": [day(p) for p in holiday_skips],
        "extra_days": [day(p) for p in extra_pairs],
        "legacy_enriched_before": _ymd(legacy_cut),
        "stuck_job_id": stuck_job_id,
        "legacy_status_job_ids": legacy_ids,
        "failed_job_ids": failed_ids,
        "queued_job_ids": queued_ids,
    }
    return DemoData(races=races, jobs=jobs, job_logs=logs, migrations=list(MIGRATIONS),
                    facts=facts, generated_at=now)


def _describe(job: dict) -> str:
    params = job.get("parameters") or {}
    if "race_date" in params:
        meet = params.get("meet")
        where = f"{params['race_date']} {MEET_NAMES.get(meet, meet)}"
        count = len(params.get("race_numbers") or [])
        return f"{job['type']} {where}" + (f" ({count} races)" if count else "")
    return str(job["type"])


# --------------------------------------------------------------------------- SQLite schema

_SQLITE_DDL = (
    f"""
    CREATE TABLE IF NOT EXISTS races (
        race_id             VARCHAR(50) PRIMARY KEY,
        date                VARCHAR(8)  NOT NULL,
        meet                INTEGER     NOT NULL CHECK (meet IN (1, 2, 3)),
        race_number         INTEGER     NOT NULL,
        race_name           VARCHAR(200),
        track               VARCHAR(100),
        weather             VARCHAR(50),
        distance            INTEGER,
        collection_status   TEXT DEFAULT 'pending'
            CHECK (collection_status IN ('pending', 'collected', 'enriched', 'failed')),
        enrichment_status   TEXT DEFAULT 'pending'
            CHECK (enrichment_status IN ('pending', 'collected', 'enriched', 'failed')),
        result_status       TEXT DEFAULT 'pending'
            CHECK (result_status IN ('pending', 'collected', 'enriched', 'failed')),
        basic_data          TEXT,
        raw_data            TEXT,
        enriched_data       TEXT,
        result_data         TEXT,
        collected_at        TEXT,
        enriched_at         TEXT,
        result_collected_at TEXT,
        created_at          TEXT DEFAULT ({_SQLITE_NOW}),
        updated_at          TEXT DEFAULT ({_SQLITE_NOW}),
        data_quality_score  REAL,
        warnings            TEXT DEFAULT '[]',
        horse_count         INTEGER,
        CONSTRAINT uq_races_date_meet_number UNIQUE (date, meet, race_number)
    )""",
    "CREATE INDEX IF NOT EXISTS idx_races_date ON races (date)",
    "CREATE INDEX IF NOT EXISTS idx_races_date_meet ON races (date, meet)",
    "CREATE INDEX IF NOT EXISTS idx_races_status ON races (collection_status, enrichment_status)",
    # PostgreSQL bumps updated_at in a BEFORE UPDATE trigger; SQLite cannot assign NEW, so
    # bump it afterwards unless the UPDATE set updated_at itself.
    f"""
    CREATE TRIGGER IF NOT EXISTS update_races_updated_at
    AFTER UPDATE ON races FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
    BEGIN
        UPDATE races SET updated_at = {_SQLITE_NOW} WHERE race_id = NEW.race_id;
    END""",
    f"""
    CREATE TABLE IF NOT EXISTS jobs (
        job_id             VARCHAR(100) PRIMARY KEY,
        type               TEXT NOT NULL CHECK (type IN ('collection', 'enrichment',
                               'analysis', 'prediction', 'improvement', 'batch')),
        status             TEXT DEFAULT 'queued' CHECK (status IN ('pending', 'queued',
                               'processing', 'running', 'completed', 'failed', 'cancelled',
                               'retrying')),
        created_at         TEXT DEFAULT ({_SQLITE_NOW}),
        started_at         TEXT,
        completed_at       TEXT,
        progress           INTEGER DEFAULT 0,
        current_step       VARCHAR(200),
        total_steps        INTEGER,
        retry_count        INTEGER DEFAULT 0,
        result             TEXT,
        error_message      TEXT,
        parameters         TEXT,
        created_by         VARCHAR(100),
        tags               TEXT DEFAULT '[]',
        job_kind_v2        VARCHAR(50),
        lifecycle_state_v2 VARCHAR(50),
        task_id            VARCHAR(255)
    )""",
    "CREATE INDEX IF NOT EXISTS idx_jobs_status ON jobs (status)",
    "CREATE INDEX IF NOT EXISTS idx_jobs_type ON jobs (type)",
    "CREATE INDEX IF NOT EXISTS idx_jobs_created_at ON jobs (created_at)",
    f"""
    CREATE TABLE IF NOT EXISTS job_logs (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id       VARCHAR(100) REFERENCES jobs (job_id) ON DELETE CASCADE,
        "timestamp"  TEXT DEFAULT ({_SQLITE_NOW}),
        level        VARCHAR(20),
        message      TEXT,
        log_metadata TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS idx_job_logs_job_id ON job_logs (job_id)",
    f"""
    CREATE TABLE IF NOT EXISTS schema_migrations (
        name       VARCHAR(255) PRIMARY KEY,
        checksum   VARCHAR(64),
        applied_at TEXT DEFAULT ({_SQLITE_NOW})
    )""",
)


def create_sqlite_schema(conn: Connection | sqlite3.Connection) -> None:
    """Create the collector's tables (SCHEMA.md) in SQLite: statuses and JSON as TEXT,
    timestamps as TEXT ``YYYY-MM-DD HH:MM:SS.ffffff+00:00``, the same indexes, and a
    trigger that bumps ``races.updated_at`` on UPDATE. Idempotent."""
    for statement in _SQLITE_DDL:
        if isinstance(conn, sqlite3.Connection):
            conn.execute(statement)
        else:
            conn.exec_driver_sql(statement)


# --------------------------------------------------------------------------- loading

_BATCH = 2000


_PLAIN = (str, int, float, type(None))


def _db_value(value: Any, sqlite: bool) -> Any:
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, datetime):
        return format_ts(value) if sqlite else _utc(value)
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _placeholders(conn: Connection, count: int) -> str:
    style = conn.dialect.paramstyle
    if style == "qmark":
        return ", ".join("?" * count)
    if style in ("format", "pyformat"):
        return ", ".join(["%s"] * count)
    if style == "numeric":
        return ", ".join(f":{i}" for i in range(1, count + 1))
    if style == "numeric_dollar":
        return ", ".join(f"${i}" for i in range(1, count + 1))
    raise NotImplementedError(f"paramstyle {style!r}")


def _columns(conn: Connection, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(conn).get_columns(table)}


def _insert(conn: Connection, table: str, rows: Sequence[Mapping[str, Any]],
            preferred: Sequence[str] = (), *, on_conflict: str | None = None) -> int:
    """Batched executemany INSERT of ``rows`` (only columns the table has)."""
    if not rows:
        return 0
    wanted = list(preferred)
    seen = set(wanted)
    for row in rows:
        for key in row:
            if key not in seen:
                seen.add(key)
                wanted.append(key)
    present = {k for row in rows for k in row}
    available = _columns(conn, table)
    cols = [c for c in wanted if c in present and c in available]
    quote_ = conn.dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote_(table)} ({', '.join(quote_(c) for c in cols)}) "
           f"VALUES ({_placeholders(conn, len(cols))})")
    if on_conflict:
        sql += f" ON CONFLICT ({quote_(on_conflict)}) DO NOTHING"
    sqlite = conn.dialect.name == "sqlite"
    params = [tuple([_db_value(row.get(c), sqlite) for c in cols]) for row in rows]
    # exec_driver_sql with positional tuples goes straight to cursor.executemany.
    for start in range(0, len(params), _BATCH):
        conn.exec_driver_sql(sql, params[start:start + _BATCH])
    return len(params)


def load(conn: Connection, data: DemoData) -> dict[str, int]:
    """Insert ``data`` through a SQLAlchemy connection (SQLite or PostgreSQL).

    Values are adapted per dialect: dicts/lists as JSON text (``ensure_ascii=False``; the
    PostgreSQL server casts it to jsonb, statuses to their enums), datetimes as the fixed
    SQLite text form or as aware datetimes. Only columns the target table has are
    written (older databases lack the v2 job columns). Migrations already recorded are
    left alone. Does not commit: use ``engine.begin()`` or commit yourself. Returns the
    number of rows inserted per table.
    """
    applied_base = _utc(data.generated_at) if data.generated_at else datetime.now(UTC)
    migrations = [
        {"name": name,
         "checksum": hashlib.sha256(name.encode()).hexdigest(),
         "applied_at": applied_base - timedelta(days=70 - 10 * i)}
        for i, name in enumerate(data.migrations, start=1)
    ]
    return {
        "races": _insert(conn, "races", data.races, RACE_COLUMNS),
        "jobs": _insert(conn, "jobs", data.jobs, JOB_COLUMNS),
        "job_logs": _insert(conn, "job_logs", data.job_logs, JOB_LOG_COLUMNS),
        "schema_migrations": _insert(conn, "schema_migrations", migrations,
                                     on_conflict="name"),
    }


# --------------------------------------------------------------------------- demo file


def _sqlite_engine(path: Path) -> sa.Engine:
    return sa.create_engine("sqlite+pysqlite://",
                            creator=lambda: sqlite3.connect(str(path)),
                            poolclass=sa.pool.NullPool)


def read_demo_meta(path: Path) -> dict[str, str]:
    """The ``demo_meta`` key/value pairs of a demo file; ``{}`` if unreadable."""
    path = Path(path)
    if not path.is_file():
        return {}
    try:
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        try:
            return dict(conn.execute("SELECT key, value FROM demo_meta").fetchall())
        finally:
            conn.close()
    except sqlite3.Error:
        return {}


def build_demo_file(path: Path, *, seed: int = DEFAULT_SEED,
                    now: datetime | None = None) -> DemoData:
    """Write a complete demo database to ``path`` (which must not exist yet)."""
    now = _utc(now)
    data = generate(seed, now=now)
    engine = _sqlite_engine(Path(path))
    try:
        with engine.begin() as conn:
            create_sqlite_schema(conn)
            load(conn, data)
            conn.exec_driver_sql(
                "CREATE TABLE demo_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            meta = {"version": str(DEMO_VERSION), "seed": str(seed),
                    "built_for": _ymd(_kst_today(now)), "built_at": format_ts(now),
                    "generated_now": format_ts(now)}
            conn.execute(sa.text("INSERT INTO demo_meta (key, value) VALUES (:k, :v)"),
                         [{"k": k, "v": v} for k, v in meta.items()])
    finally:
        engine.dispose()
    return data


def ensure_demo(path: Path, *, seed: int = DEFAULT_SEED, now: datetime | None = None) -> Path:
    """Make sure the SQLite demo file at ``path`` exists and is current; return ``path``.

    Rebuilds when the file is missing or unreadable, was built by another
    :data:`DEMO_VERSION` or seed, or for another Korean date than ``now``'s (so that
    "running today" stays true). Builds into a temp file beside it and ``os.replace``s
    it into place, so concurrent readers never see a half-written file.
    """
    path = Path(path).expanduser()
    now = _utc(now)
    meta = read_demo_meta(path)
    if (meta.get("version") == str(DEMO_VERSION) and meta.get("seed") == str(seed)
            and meta.get("built_for") == _ymd(_kst_today(now))):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        build_demo_file(tmp, seed=seed, now=now)
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            leftover.unlink(missing_ok=True)
    return path


# --------------------------------------------------------------------------- live mode


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def live_step(conn: Connection, rng: random.Random, now: datetime) -> dict:
    """One step of a fake collector (``kra-status demo --live``); caller commits.

    Works on the running day: today (KST) when a meet races today, else the most recent
    stored date. Creates that day's race rows when there are none, moves a few races
    pending -> collected and collected -> enriched (rarely failing with a warning),
    fetches results of races run at least half an hour ago, and starts, advances and
    completes the matching collection/enrichment jobs. Returns what changed.
    """
    now = _utc(now)
    sqlite = conn.dialect.name == "sqlite"

    def v(value: Any) -> Any:
        return _db_value(value, sqlite)

    today = _kst_today(now)
    meets = [m for m in MEET_NAMES if today.weekday() in USUAL_WEEKDAYS[m]]
    target = _ymd(today)
    if not meets:
        latest = conn.execute(sa.text("SELECT max(date) FROM races WHERE date <= :d"),
                              {"d": target}).scalar()
        if latest is None:
            meets = [1]
        else:
            target = latest
            meets = [row[0] for row in conn.execute(
                sa.text("SELECT DISTINCT meet FROM races WHERE date = :d ORDER BY meet"),
                {"d": target})]
    summary: dict[str, Any] = {"date": target, "created": [], "collected": [], "enriched": [],
                               "failed": [], "results": [], "jobs_started": [],
                               "jobs_completed": []}

    existing = {row[0] for row in conn.execute(
        sa.text("SELECT DISTINCT meet FROM races WHERE date = :d"), {"d": target})}
    new_rows = []
    for meet in meets:
        if meet not in existing:
            for k in range(1, _race_count(rng, meet) + 1):
                new_rows.append(race_row(target, meet, k, collection="pending",
                                         enrichment="pending", result="pending", rng=rng,
                                         created_at=now, updated_at=now))
    _insert(conn, "races", new_rows, RACE_COLUMNS)
    summary["created"] = [r["race_id"] for r in new_rows]

    rows = conn.execute(sa.text(
        "SELECT race_id, meet, race_number, collection_status, enrichment_status, "
        "result_status, warnings FROM races WHERE date = :d ORDER BY race_number, meet"),
        {"d": target}).mappings().all()
    day = _parse_ymd(target)
    update = sa.text(
        "UPDATE races SET collection_status = :cs, enrichment_status = :es, "
        "result_status = :rs, collected_at = COALESCE(:ca, collected_at), "
        "enriched_at = COALESCE(:ea, enriched_at), "
        "result_collected_at = COALESCE(:ra, result_collected_at), "
        "track = COALESCE(track, :track), weather = COALESCE(weather, :weather), "
        "horse_count = COALESCE(horse_count, :hc), "
        "data_quality_score = COALESCE(:q, data_quality_score), "
        "warnings = :w, updated_at = :now WHERE race_id = :id")
    changes = []
    pending = [r for r in rows if (r["collection_status"] or "pending") == "pending"]
    collectable = [r for r in rows if r["collection_status"] in ("collected", "enriched")
                   and (r["enrichment_status"] or "pending") == "pending"]
    for r in pending[:rng.randint(1, 3)]:
        fail = rng.random() < 0.08
        track_name, moisture = rng.choices(_TRACKS, _TRACK_WEIGHTS)[0]
        changes.append((r, {
            "cs": "failed" if fail else "collected", "ca": None if fail else now,
            "track": None if fail else f"{track_name} ({moisture}%)",
            "weather": None if fail else rng.choices(_WEATHERS, _WEATHER_WEIGHTS)[0],
            "hc": None if fail else rng.randint(6, 10 if r["meet"] == 2 else 14),
            "q": None if fail else round(rng.uniform(0.45, 0.8), 3),
            "warn": WARN_TIMEOUT if fail else None,
        }))
        summary["failed" if fail else "collected"].append(r["race_id"])
    for r in collectable[:rng.randint(1, 2)]:
        fail = rng.random() < 0.05
        changes.append((r, {
            "es": "failed" if fail else "enriched", "ea": None if fail else now,
            "q": None if fail else round(rng.uniform(0.86, 1.0), 3),
            "warn": "horse detail missing for 2 entries" if fail else None,
        }))
        summary["failed" if fail else "enriched"].append(r["race_id"])
    done_by_race = {id(r) for r, _ in changes}
    results = [r for r in rows if r["enrichment_status"] == "enriched"
               and (r["result_status"] or "pending") == "pending" and id(r) not in done_by_race
               and _post_time(day, r["meet"], r["race_number"]) + timedelta(minutes=30) <= now]
    for r in results[:2]:
        changes.append((r, {"rs": "collected", "ra": now}))
        summary["results"].append(r["race_id"])

    for r, change in changes:
        warnings = list(_json(r["warnings"]) or [])
        if change.get("warn"):
            warnings.append(change["warn"])
        conn.execute(update, {
            "cs": change.get("cs", r["collection_status"]),
            "es": change.get("es", r["enrichment_status"]),
            "rs": change.get("rs", r["result_status"]),
            "ca": v(change.get("ca")), "ea": v(change.get("ea")), "ra": v(change.get("ra")),
            "track": change.get("track"), "weather": change.get("weather"),
            "hc": change.get("hc"), "q": change.get("q"),
            "w": v(warnings), "now": v(now), "id": r["race_id"],
        })

    _advance_jobs(conn, rng, now, target, summary)
    summary["changed"] = sum(len(summary[k]) for k in
                             ("created", "collected", "enriched", "failed", "results"))
    return summary


def _advance_jobs(conn: Connection, rng: random.Random, now: datetime, target: str,
                  summary: dict) -> None:
    """Start, advance or complete the target day's collection/enrichment jobs."""
    sqlite = conn.dialect.name == "sqlite"
    counts = conn.execute(sa.text(
        "SELECT meet, count(*) AS total, "
        "sum(CASE WHEN collection_status IN ('collected', 'enriched', 'failed') "
        "THEN 1 ELSE 0 END) AS collected_done, "
        "sum(CASE WHEN enrichment_status IN ('enriched', 'failed') "
        "THEN 1 ELSE 0 END) AS enriched_done, "
        "sum(CASE WHEN collection_status IN ('collected', 'enriched') "
        "THEN 1 ELSE 0 END) AS enrichable "
        "FROM races WHERE date = :d GROUP BY meet ORDER BY meet"), {"d": target}).mappings().all()
    active = conn.execute(sa.text(
        "SELECT job_id, type, status, parameters FROM jobs "
        "WHERE type IN ('collection', 'enrichment') "
        "AND status IN ('pending', 'queued', 'processing', 'running', 'retrying')")).all()
    by_key: dict[tuple[str, int], tuple[str, str]] = {}
    for job_id, job_type, status, params in active:
        params = _json(params) or {}
        if (isinstance(params, dict) and params.get("race_date") == target
                and "step" not in params):
            by_key.setdefault((str(job_type), params.get("meet")), (job_id, str(status)))
    numbers: dict[int, list[int]] = defaultdict(list)
    for meet, number in conn.execute(sa.text(
            "SELECT meet, race_number FROM races WHERE date = :d ORDER BY meet, race_number"),
            {"d": target}):
        numbers[meet].append(number)

    def v(value: Any) -> Any:
        return _db_value(value, sqlite)

    for row in counts:
        meet, total = row["meet"], row["total"]
        for job_type, done, workable in (
                ("collection", row["collected_done"], total),
                ("enrichment", row["enriched_done"], row["enrichable"])):
            if workable == 0:
                continue
            progress = round(100 * (done or 0) / total)
            finished = (done or 0) >= total or (job_type == "enrichment"
                                                 and (done or 0) >= workable
                                                 and row["collected_done"] >= total)
            found = by_key.get((job_type, meet))
            if found is None:
                if finished:
                    continue
                job = job_row(f"live-{job_type}-{target}-{meet}-{rng.getrandbits(32):08x}",
                              type=job_type, status="processing", race_date=target, meet=meet,
                              race_numbers=numbers[meet], created_at=now, started_at=now,
                              progress=progress, created_by="demo-live",
                              tags=["demo", "live"], job_kind_v2=_KIND_V2[job_type],
                              lifecycle_state_v2="running")
                _insert(conn, "jobs", [job], JOB_COLUMNS)
                _insert(conn, "job_logs", [{
                    "job_id": job["job_id"], "timestamp": now, "level": "INFO",
                    "message": f"Job started: {_describe(job)}",
                    "log_metadata": {"race_date": target, "meet": meet}}], JOB_LOG_COLUMNS)
                summary["jobs_started"].append(job["job_id"])
                found = (job["job_id"], "processing")
            job_id, status = found
            if finished:
                conn.execute(sa.text(
                    "UPDATE jobs SET status = 'completed', progress = 100, "
                    "completed_at = :now, started_at = COALESCE(started_at, :now), "
                    "current_step = 'done' WHERE job_id = :id"), {"now": v(now), "id": job_id})
                _insert(conn, "job_logs", [{
                    "job_id": job_id, "timestamp": now, "level": "INFO",
                    "message": f"Job completed: {job_type} {target} meet {meet}",
                    "log_metadata": {"race_date": target, "meet": meet}}], JOB_LOG_COLUMNS)
                summary["jobs_completed"].append(job_id)
            else:
                step = f"{'fetching API214_1' if job_type == 'collection' else 'enriching'} " \
                       f"race {min(total, (done or 0) + 1)}/{total}"
                conn.execute(sa.text(
                    "UPDATE jobs SET progress = :p, current_step = :s, "
                    "status = CASE WHEN status IN ('pending', 'queued') THEN 'processing' "
                    "ELSE status END, started_at = COALESCE(started_at, :now) "
                    "WHERE job_id = :id"),
                    {"p": progress, "s": step, "now": v(now), "id": job_id})
