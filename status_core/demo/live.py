"""The live simulator: a fake collector that moves the demo's running day forward.

``kra-status demo --live`` calls :func:`live_step` every few seconds on the embedded
demo file; tests call it on SQLite and PostgreSQL. It writes through the same row
builders and loader as the generator.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from ..domain import MEETS, USUAL_WEEKDAYS
from ..timestamps import as_utc
from .rows import (
    JOB_COLUMNS,
    JOB_LOG_COLUMNS,
    KIND_V2,
    RACE_COLUMNS,
    TRACK_WEIGHTS,
    TRACKS,
    WARN_TIMEOUT,
    WEATHER_WEIGHTS,
    WEATHERS,
    describe,
    job_row,
    kst_today,
    parse_ymd,
    post_time,
    race_count,
    race_row,
    ymd,
)
from .store import db_value, insert_rows

_UPDATE_RACE = sa.text(
    "UPDATE races SET collection_status = :cs, enrichment_status = :es, "
    "result_status = :rs, collected_at = COALESCE(:ca, collected_at), "
    "enriched_at = COALESCE(:ea, enriched_at), "
    "result_collected_at = COALESCE(:ra, result_collected_at), "
    "track = COALESCE(track, :track), weather = COALESCE(weather, :weather), "
    "horse_count = COALESCE(horse_count, :hc), "
    "data_quality_score = COALESCE(:q, data_quality_score), "
    "warnings = :w, updated_at = :now WHERE race_id = :id")
_COMPLETE_JOB = sa.text(
    "UPDATE jobs SET status = 'completed', progress = 100, "
    "completed_at = :now, started_at = COALESCE(started_at, :now), "
    "current_step = 'done' WHERE job_id = :id")
_ADVANCE_JOB = sa.text(
    "UPDATE jobs SET progress = :p, current_step = :s, "
    "status = CASE WHEN status IN ('pending', 'queued') THEN 'processing' "
    "ELSE status END, started_at = COALESCE(started_at, :now) "
    "WHERE job_id = :id")

Change = tuple[RowMapping, dict[str, Any]]


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
    now = as_utc(now)
    target, meets = _target_day(conn, now)
    summary: dict[str, Any] = {"date": target, "created": [], "collected": [], "enriched": [],
                               "failed": [], "results": [], "jobs_started": [],
                               "jobs_completed": []}
    summary["created"] = _create_day(conn, rng, now, target, meets)
    rows = conn.execute(sa.text(
        "SELECT race_id, meet, race_number, collection_status, enrichment_status, "
        "result_status, warnings FROM races WHERE date = :d ORDER BY race_number, meet"),
        {"d": target}).mappings().all()
    changes = _plan_changes(rng, rows, parse_ymd(target), now, summary)
    _apply_changes(conn, changes, now)
    _advance_jobs(conn, rng, now, target, summary)
    summary["changed"] = sum(len(summary[k]) for k in
                             ("created", "collected", "enriched", "failed", "results"))
    return summary


def _target_day(conn: Connection, now: datetime) -> tuple[str, list[int]]:
    """Today and the meets racing today; else the latest stored date and its meets."""
    today = kst_today(now)
    meets = [m for m in MEETS if today.weekday() in USUAL_WEEKDAYS[m]]
    target = ymd(today)
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
    return target, meets


def _create_day(conn: Connection, rng: random.Random, now: datetime, target: str,
                meets: list[int]) -> list[str]:
    """Pending race rows for each meet that has none on ``target``; their ids."""
    existing = {row[0] for row in conn.execute(
        sa.text("SELECT DISTINCT meet FROM races WHERE date = :d"), {"d": target})}
    new_rows = []
    for meet in meets:
        if meet not in existing:
            for k in range(1, race_count(rng, meet) + 1):
                new_rows.append(race_row(target, meet, k, collection="pending",
                                         enrichment="pending", result="pending", rng=rng,
                                         created_at=now, updated_at=now))
    insert_rows(conn, "races", new_rows, RACE_COLUMNS)
    return [r["race_id"] for r in new_rows]


def _plan_changes(rng: random.Random, rows: list[RowMapping], day: Any, now: datetime,
                  summary: dict) -> list[Change]:
    """Collect up to three pending races, enrich up to two collected ones, and fetch
    the results of up to two races run at least half an hour ago."""
    changes: list[Change] = []
    pending = [r for r in rows if (r["collection_status"] or "pending") == "pending"]
    collectable = [r for r in rows if r["collection_status"] in ("collected", "enriched")
                   and (r["enrichment_status"] or "pending") == "pending"]
    for r in pending[:rng.randint(1, 3)]:
        fail = rng.random() < 0.08
        track_name, moisture = rng.choices(TRACKS, TRACK_WEIGHTS)[0]
        changes.append((r, {
            "cs": "failed" if fail else "collected", "ca": None if fail else now,
            "track": None if fail else f"{track_name} ({moisture}%)",
            "weather": None if fail else rng.choices(WEATHERS, WEATHER_WEIGHTS)[0],
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
               and post_time(day, r["meet"], r["race_number"]) + timedelta(minutes=30) <= now]
    for r in results[:2]:
        changes.append((r, {"rs": "collected", "ra": now}))
        summary["results"].append(r["race_id"])
    return changes


def _apply_changes(conn: Connection, changes: list[Change], now: datetime) -> None:
    sqlite = conn.dialect.name == "sqlite"

    def v(value: Any) -> Any:
        return db_value(value, sqlite)

    for r, change in changes:
        warnings = list(_json(r["warnings"]) or [])
        if change.get("warn"):
            warnings.append(change["warn"])
        conn.execute(_UPDATE_RACE, {
            "cs": change.get("cs", r["collection_status"]),
            "es": change.get("es", r["enrichment_status"]),
            "rs": change.get("rs", r["result_status"]),
            "ca": v(change.get("ca")), "ea": v(change.get("ea")), "ra": v(change.get("ra")),
            "track": change.get("track"), "weather": change.get("weather"),
            "hc": change.get("hc"), "q": change.get("q"),
            "w": v(warnings), "now": v(now), "id": r["race_id"],
        })


# --------------------------------------------------------------------------- jobs


def _advance_jobs(conn: Connection, rng: random.Random, now: datetime, target: str,
                  summary: dict) -> None:
    """Start, advance or complete the target day's collection/enrichment jobs."""
    counts = conn.execute(sa.text(
        "SELECT meet, count(*) AS total, "
        "sum(CASE WHEN collection_status IN ('collected', 'enriched', 'failed') "
        "THEN 1 ELSE 0 END) AS collected_done, "
        "sum(CASE WHEN enrichment_status IN ('enriched', 'failed') "
        "THEN 1 ELSE 0 END) AS enriched_done, "
        "sum(CASE WHEN collection_status IN ('collected', 'enriched') "
        "THEN 1 ELSE 0 END) AS enrichable "
        "FROM races WHERE date = :d GROUP BY meet ORDER BY meet"), {"d": target}).mappings().all()
    by_key = _active_jobs(conn, target)
    numbers: dict[int, list[int]] = defaultdict(list)
    for meet, number in conn.execute(sa.text(
            "SELECT meet, race_number FROM races WHERE date = :d ORDER BY meet, race_number"),
            {"d": target}):
        numbers[meet].append(number)
    for row in counts:
        meet, total = row["meet"], row["total"]
        for job_type, done, workable in (
                ("collection", row["collected_done"], total),
                ("enrichment", row["enriched_done"], row["enrichable"])):
            if workable == 0:
                continue
            done = done or 0
            finished = done >= total or (job_type == "enrichment" and done >= workable
                                         and row["collected_done"] >= total)
            found = by_key.get((job_type, meet))
            if found is None:
                if finished:
                    continue
                found = _start_job(conn, rng, now, target, meet, job_type,
                                   numbers[meet], round(100 * done / total))
                summary["jobs_started"].append(found)
            if finished:
                _complete_job(conn, now, found, job_type, target, meet)
                summary["jobs_completed"].append(found)
            else:
                _advance_job(conn, now, found, job_type, done, total)


def _active_jobs(conn: Connection, target: str) -> dict[tuple[str, int], str]:
    """The first unfinished collection/enrichment job id per (type, meet) of ``target``."""
    active = conn.execute(sa.text(
        "SELECT job_id, type, status, parameters FROM jobs "
        "WHERE type IN ('collection', 'enrichment') "
        "AND status IN ('pending', 'queued', 'processing', 'running', 'retrying')")).all()
    by_key: dict[tuple[str, int], str] = {}
    for job_id, job_type, _status, params in active:
        params = _json(params) or {}
        if (isinstance(params, dict) and params.get("race_date") == target
                and "step" not in params):
            by_key.setdefault((str(job_type), params.get("meet")), job_id)
    return by_key


def _start_job(conn: Connection, rng: random.Random, now: datetime, target: str, meet: int,
               job_type: str, numbers: list[int], progress: int) -> str:
    """A new processing job for the day's meet, with its first log line; its id."""
    job = job_row(f"live-{job_type}-{target}-{meet}-{rng.getrandbits(32):08x}",
                  type=job_type, status="processing", race_date=target, meet=meet,
                  race_numbers=numbers, created_at=now, started_at=now,
                  progress=progress, created_by="demo-live",
                  tags=["demo", "live"], job_kind_v2=KIND_V2[job_type],
                  lifecycle_state_v2="running")
    insert_rows(conn, "jobs", [job], JOB_COLUMNS)
    insert_rows(conn, "job_logs", [{
        "job_id": job["job_id"], "timestamp": now, "level": "INFO",
        "message": f"Job started: {describe(job)}",
        "log_metadata": {"race_date": target, "meet": meet}}], JOB_LOG_COLUMNS)
    return job["job_id"]


def _complete_job(conn: Connection, now: datetime, job_id: str, job_type: str, target: str,
                  meet: int) -> None:
    sqlite = conn.dialect.name == "sqlite"
    conn.execute(_COMPLETE_JOB, {"now": db_value(now, sqlite), "id": job_id})
    insert_rows(conn, "job_logs", [{
        "job_id": job_id, "timestamp": now, "level": "INFO",
        "message": f"Job completed: {job_type} {target} meet {meet}",
        "log_metadata": {"race_date": target, "meet": meet}}], JOB_LOG_COLUMNS)


def _advance_job(conn: Connection, now: datetime, job_id: str, job_type: str, done: int,
                 total: int) -> None:
    sqlite = conn.dialect.name == "sqlite"
    step = (f"{'fetching API214_1' if job_type == 'collection' else 'enriching'} "
            f"race {min(total, done + 1)}/{total}")
    conn.execute(_ADVANCE_JOB, {"p": round(100 * done / total), "s": step,
                                "now": db_value(now, sqlite), "id": job_id})
