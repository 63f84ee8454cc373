"""Rows of the collector's tables as dicts of Python values, and the demo's time helpers.

:func:`race_row` and :func:`job_row` are what tests use to plant a single race or job;
the story generator builds every row through them too. Times are aware UTC datetimes;
race dates are ``YYYYMMDD`` text read on the Korean calendar.
"""

from __future__ import annotations

import functools
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from datetime import date as Date
from typing import Any

from ..domain import DATA_STATUSES, JOB_STATUSES, JOB_TYPES, KST, MEETS, meet_name
from ..timestamps import as_utc

# The one text form of a timestamp in SQLite: fixed width, UTC, with offset, so that
# text comparison (max(updated_at), ORDER BY) equals time comparison.
TS_FORMAT = "%Y-%m-%d %H:%M:%S.%f+00:00"

#: The columns of each table in the order the row builders produce them.
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
TRACKS = (("건조", 3), ("양호", 8), ("다습", 12), ("포화", 17), ("불량", 22))
TRACK_WEIGHTS = (40, 30, 15, 10, 5)
WEATHERS = ("맑음", "흐림", "비", "눈", "안개")
WEATHER_WEIGHTS = (55, 28, 11, 2, 4)
# First post time (KST) per meet; races follow every 35 minutes.
_FIRST_POST = {1: (10, 35), 2: (12, 0), 3: (11, 10)}
_POST_INTERVAL = timedelta(minutes=35)

WARN_TIMEOUT = "KRA API timeout after 3 retries"
WARN_SERVICE_KEY = "KRA API returned resultCode 22 (SERVICE KEY IS NOT REGISTERED)"
WARN_RATE_LIMIT = "KRA API rate limit: 429 Too Many Requests after 3 retries"
ERR_READ_TIMEOUT = "httpx.ReadTimeout: timed out while calling KRA API214_1"
ERR_SERVICE_KEY = "KRA API returned resultCode 22 (SERVICE KEY IS NOT REGISTERED)"
ERR_RATE_LIMIT = "429 Too Many Requests from apis.data.go.kr"
ERR_DUPLICATE = 'IntegrityError: duplicate key value violates unique constraint "races_pkey"'
ERR_CONNECT = "httpx.ConnectError: [Errno 111] Connection refused"
ERR_DB_CLOSED = "psycopg.OperationalError: server closed the connection unexpectedly"

#: What a collector with the v2 job columns writes for each job type and status.
KIND_V2 = {
    "collection": "race_collection", "enrichment": "race_enrichment", "batch": "batch_backfill",
    "analysis": "weekly_analysis", "prediction": "race_prediction", "improvement": "improvement",
}
LIFECYCLE_V2 = {
    "pending": "queued", "queued": "queued", "processing": "running", "running": "running",
    "retrying": "running", "completed": "succeeded", "failed": "failed",
    "cancelled": "cancelled",
}


# --------------------------------------------------------------------------- time helpers


def format_ts(moment: datetime) -> str:
    """The SQLite text form: ``YYYY-MM-DD HH:MM:SS.ffffff+00:00`` (naive means UTC)."""
    if moment.tzinfo is not UTC:
        moment = as_utc(moment)
    return moment.isoformat(sep=" ", timespec="microseconds")


def parse_ts(text: str | datetime | None) -> datetime | None:
    """Inverse of :func:`format_ts`; passes datetimes through (made aware, UTC)."""
    if text is None:
        return None
    if isinstance(text, datetime):
        return as_utc(text)
    return as_utc(datetime.fromisoformat(text))


def kst_at(day: Date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """The UTC moment of ``hour:minute:second`` Korean time on ``day``."""
    return datetime.combine(day, time(hour, minute, second), tzinfo=KST).astimezone(UTC)


def ymd(day: Date) -> str:
    """``day`` as the collector's ``YYYYMMDD`` race date."""
    return day.strftime("%Y%m%d")


def parse_ymd(text: str) -> Date:
    """A ``YYYYMMDD`` race date; raises ``ValueError`` on anything else."""
    if len(text) != 8 or not text.isdigit():
        raise ValueError(f"date must be YYYYMMDD, got {text!r}")
    return Date(int(text[:4]), int(text[4:6]), int(text[6:]))


def kst_today(now: datetime) -> Date:
    """The Korean calendar date at ``now``."""
    return as_utc(now).astimezone(KST).date()


def post_time(day: Date, meet: int, race_number: int) -> datetime:
    """When race ``race_number`` of ``meet`` starts on ``day`` (UTC)."""
    return _day_times(day, meet)[4] + (race_number - 1) * _POST_INTERVAL


@functools.lru_cache(maxsize=4096)
def _day_times(day: Date, meet: int) -> tuple[datetime, datetime, datetime, tuple[int, int],
                                               datetime]:
    """Times shared by every race of one date x meet (one collector run per day):
    card stored, collection start, enrichment start, per-race steps, first post."""
    day_rng = random.Random(f"day:{ymd(day)}_{meet}")
    created_base = kst_at(day - timedelta(days=2), 10) + timedelta(
        minutes=day_rng.randint(0, 50))
    collect_base = kst_at(day - timedelta(days=1), 17, 40) + timedelta(
        minutes=day_rng.randint(0, 40))
    enrich_base = collect_base + timedelta(minutes=day_rng.randint(20, 35))
    steps = (day_rng.randint(12, 25), day_rng.randint(20, 40))
    hour, minute = _FIRST_POST[meet]
    return created_base, collect_base, enrich_base, steps, kst_at(day, hour, minute)


def new_uuid(rng: random.Random) -> str:
    """A version-4 UUID text drawn from ``rng`` (so job ids are seeded too)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def race_count(rng: random.Random, meet: int) -> int:
    """How many races ``meet`` runs on one day."""
    if meet == 1:
        return 16 if rng.random() < 0.05 else rng.randint(10, 15)
    if meet == 3:
        return rng.randint(8, 13)
    return rng.randint(8, 10)


def describe(job: dict) -> str:
    """``collection 20260214 서울 (12 races)``: a job as its log lines name it."""
    params = job.get("parameters") or {}
    if "race_date" in params:
        meet = params.get("meet")
        where = f"{params['race_date']} {meet_name(meet) if meet in MEETS else meet}"
        count = len(params.get("race_numbers") or [])
        return f"{job['type']} {where}" + (f" ({count} races)" if count else "")
    return str(job["type"])


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
    statuses = (collection, enrichment, result)
    _check_race(meet, statuses)
    race_id = f"{date}_{meet}_{race_number}"
    r = rng if rng is not None else random.Random(race_id)
    steps = _step_times(parse_ymd(date), meet, race_number, r)
    name, distance, horse_count, track, weather = _race_card(meet, race_number, r)
    warnings = _race_warnings(statuses, r)
    ts = _race_timestamps(steps, statuses, updated_at, overrides)
    # Only a collected race knows its track, weather and field.
    shown = collection in ("collected", "enriched")
    row = {
        "race_id": race_id, "date": date, "meet": meet, "race_number": race_number,
        "race_name": name, "distance": distance,
        "track": track if shown else None, "weather": weather if shown else None,
        "collection_status": collection, "enrichment_status": enrichment,
        "result_status": result,
        "basic_data": {"rcDate": date, "meet": meet_name(meet), "rcNo": race_number,
                       "rcName": name, "rcDist": distance, "chulNo": horse_count}
        if shown else None,
        "collected_at": ts["collected_at"], "enriched_at": ts["enriched_at"],
        "result_collected_at": ts["result_collected_at"], "created_at": ts["created_at"],
        "updated_at": ts["updated_at"],
        "data_quality_score": _quality(collection, enrichment, r),
        "warnings": warnings, "horse_count": horse_count if shown else None,
    }
    row.update(overrides)
    return row


def _check_race(meet: int, statuses: tuple[str | None, str | None, str | None]) -> None:
    if meet not in MEETS:
        raise ValueError(f"meet must be one of {', '.join(map(str, MEETS))}, got {meet!r}")
    for what, status in zip(("collection", "enrichment", "result"), statuses, strict=True):
        if status is not None and status not in DATA_STATUSES:
            raise ValueError(f"{what} status must be one of {DATA_STATUSES} or None")


def _step_times(day: Date, meet: int, race_number: int,
                r: random.Random) -> tuple[datetime, datetime, datetime, datetime]:
    """Card stored, collected, enriched and result times of one race."""
    created_base, collect_base, enrich_base, (step_c, step_e), _ = _day_times(day, meet)
    created = created_base + timedelta(seconds=2 * race_number,
                                       microseconds=r.randrange(1_000_000))
    collect_t = collect_base + timedelta(seconds=race_number * step_c + r.uniform(0, 5))
    enrich_t = enrich_base + timedelta(seconds=race_number * step_e + r.uniform(0, 8))
    result_t = post_time(day, meet, race_number) + timedelta(
        minutes=r.randint(25, 70), seconds=r.uniform(0, 59))
    return created, collect_t, enrich_t, result_t


def _race_card(meet: int, race_number: int, r: random.Random) -> tuple[str, int, int, str, str]:
    """Name, distance, field size, track and weather of one race."""
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
    track_name, moisture = r.choices(TRACKS, TRACK_WEIGHTS)[0]
    moisture = max(1, moisture + r.randint(-2, 2))
    weather = r.choices(WEATHERS, WEATHER_WEIGHTS)[0]
    return name, distance, horse_count, f"{track_name} ({moisture}%)", weather


def _quality(collection: str | None, enrichment: str | None, r: random.Random) -> float | None:
    """A data quality score: none before collection, high once enriched."""
    if collection not in ("collected", "enriched"):
        return None
    if enrichment == "enriched":
        return round(r.uniform(0.86, 1.0), 3)
    return round(r.uniform(0.45, 0.8), 3)


def _race_warnings(statuses: tuple[str | None, str | None, str | None],
                   r: random.Random) -> list[str]:
    collection, enrichment, result = statuses
    warnings: list[str] = []
    if collection == "failed":
        warnings.append(WARN_TIMEOUT)
    if enrichment == "failed":
        warnings.append(f"horse detail missing for {r.choice((1, 2, 2, 3))} entries")
    if result == "failed":
        warnings.append("result not published: KRA API299 returned 0 rows")
    return warnings


def _race_timestamps(steps: tuple[datetime, datetime, datetime, datetime],
                     statuses: tuple[str | None, str | None, str | None],
                     updated_at: datetime | None, overrides: dict[str, Any]) -> dict:
    """The step timestamps and ``updated_at``; pops timestamp columns from ``overrides``."""
    created, collect_t, enrich_t, result_t = steps
    collection, enrichment, result = statuses
    ts: dict[str, datetime | None] = {
        "created_at": created,
        "collected_at": collect_t if collection in ("collected", "enriched") else None,
        "enriched_at": enrich_t if enrichment == "enriched" else None,
        "result_collected_at": result_t if result in ("collected", "enriched") else None,
    }
    for key in ts:
        if key in overrides:
            value = overrides.pop(key)
            ts[key] = None if value is None else as_utc(value)
    if updated_at is None:
        attempts = [t for t, status in ((collect_t, collection), (enrich_t, enrichment),
                                        (result_t, result)) if status == "failed"]
        updated = max([t for t in ts.values() if t is not None] + attempts)
    else:
        updated = as_utc(updated_at)
        cap = updated
        for key in ("enriched_at", "collected_at", "created_at"):
            if ts[key] is not None:
                ts[key] = min(ts[key], cap)
                cap = ts[key]
        if ts["result_collected_at"] is not None:
            floor = ts["collected_at"] or ts["created_at"]
            ts["result_collected_at"] = max(min(ts["result_collected_at"], updated), floor)
    return {**ts, "updated_at": updated}


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
    created, started, completed = _job_times(job_id, status, created_at, started_at,
                                             completed_at)
    numbers = list(race_numbers or [])
    parameters = None
    if type in ("collection", "enrichment") or race_date is not None or meet is not None:
        parameters = {"race_date": race_date, "meet": meet, "race_numbers": numbers}
    if progress is None:
        progress = 100 if status == "completed" else 0
    row = {
        "job_id": job_id, "type": type, "status": status, "created_at": created,
        "started_at": started, "completed_at": completed, "progress": progress,
        "current_step": None, "total_steps": len(numbers) or None, "retry_count": 0,
        "result": None, "error_message": error_message, "parameters": parameters,
        "created_by": "scheduler", "tags": [], "job_kind_v2": None,
        "lifecycle_state_v2": None, "task_id": None,
    }
    row.update(overrides)
    return row


def _job_times(job_id: str, status: str, created_at: datetime, started_at: datetime | None,
               completed_at: datetime | None) -> tuple[datetime, datetime | None,
                                                       datetime | None]:
    """Created, started and completed times, filled in and checked for order."""
    created = as_utc(created_at)
    started = None if started_at is None else as_utc(started_at)
    completed = None if completed_at is None else as_utc(completed_at)
    if status in ("completed", "failed", "processing", "running", "retrying") and not started:
        started = created + timedelta(seconds=2)
    if status in ("completed", "failed") and completed is None:
        completed = started + timedelta(seconds=45)
    if started is not None and started < created:
        raise ValueError(f"job {job_id}: started_at before created_at")
    if completed is not None and completed < (started or created):
        raise ValueError(f"job {job_id}: completed_at before started_at/created_at")
    return created, started, completed
