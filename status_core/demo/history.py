"""The jobs and job logs the story's days left behind.

The last 90 days have jobs: a collection and an enrichment job per day (failed where the
day's races failed, still processing on today's and the stalled day, left in the old
``running``/``retrying`` statuses on a few days), a failed results job on the day whose
results never came and through the rate-limited week (429 errors), weekly batch and
analysis jobs, and work waiting to be picked up.
"""

from __future__ import annotations

import random
from datetime import date as Date
from datetime import datetime, timedelta
from typing import Any

from .plot import Pair, Story
from .rows import (
    ERR_CONNECT,
    ERR_DB_CLOSED,
    ERR_DUPLICATE,
    ERR_RATE_LIMIT,
    ERR_READ_TIMEOUT,
    ERR_SERVICE_KEY,
    KIND_V2,
    LIFECYCLE_V2,
    describe,
    job_row,
    kst_at,
    new_uuid,
    ymd,
)

_V2_SINCE_DAYS = 45  # jobs newer than this were written by a collector with the v2 columns
_DAILY = ["daily", "auto"]


class Jobs:
    """The jobs and logs written so far, and the job ids the facts name."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng, self.now = rng, now
        self.jobs: list[dict] = []
        self.logs: list[dict] = []
        self.stuck_job_id = ""
        self.legacy_ids: list[str] = []
        self.failed_ids: list[str] = []
        self.queued_ids: list[str] = []

    def add(self, **kw: Any) -> dict:
        """A new job (see :func:`job_row`), with the v2 columns when it is recent."""
        job = job_row(new_uuid(self.rng), **kw)
        if (self.now - job["created_at"]) <= timedelta(days=_V2_SINCE_DAYS):
            job["job_kind_v2"] = KIND_V2[job["type"]]
            job["lifecycle_state_v2"] = LIFECYCLE_V2[job["status"]]
            job["task_id"] = f"task-{self.rng.getrandbits(48):012x}"
        self.jobs.append(job)
        return job

    def log(self, job: dict, at: datetime, level: str, message: str, **meta: Any) -> None:
        """One ``job_logs`` line of ``job``."""
        params = job["parameters"] or {}
        self.logs.append({
            "job_id": job["job_id"], "timestamp": at, "level": level, "message": message,
            "log_metadata": {"race_date": params.get("race_date"),
                             "meet": params.get("meet"), **meta},
        })

    def log_failure(self, job: dict, attempts: int = 3) -> None:
        """The log of a failed job: started, retried, gave up."""
        start, end = job["started_at"], job["completed_at"] or self.now
        self.log(job, start, "INFO", f"Job started: {describe(job)}")
        for i in range(1, attempts):
            at = start + (end - start) * i / attempts
            self.log(job, at, "WARNING", f"Attempt {i}/{attempts} failed, retrying: "
                     f"{job['error_message'].split(':')[0]}", attempt=i)
        self.log(job, end, "ERROR", job["error_message"], attempt=attempts)

    def s(self, lo: float, hi: float) -> timedelta:
        """A random span of ``lo`` to ``hi`` seconds."""
        return timedelta(seconds=self.rng.uniform(lo, hi))


def history(rng: random.Random, story: Story) -> Jobs:
    """Every job and log line of the story, unsorted."""
    jobs = Jobs(rng, story.now)
    _day_jobs(jobs, story)
    _weekly_jobs(jobs, story)
    _waiting_jobs(jobs, story)
    return jobs


def _day_jobs(jobs: Jobs, story: Story) -> None:
    """The jobs of each stored race day of the last 90 days."""
    rng, age = jobs.rng, story.age
    window = [p for p in story.pairs if age(p[0]) <= 89 and p in story.rows_by_pair]
    legacy_pool = [p for p in window if 60 <= age(p[0]) <= 89 and p not in story.reserved]
    legacy_running = set(rng.sample(legacy_pool, min(3, len(legacy_pool))))
    duplicate_pair = rng.choice(
        [p for p in window if 20 <= age(p[0]) <= 80 and p not in story.reserved
         and p not in legacy_running])
    # the earliest of them keeps a "retrying" collection job, the others a "running"
    # enrichment job
    legacy_first = min(legacy_running, default=None)
    for p in window:
        rows = story.rows_by_pair[p]
        common = {"race_date": ymd(p[0]), "meet": p[1],
                  "race_numbers": [r["race_number"] for r in rows]}
        if p in story.in_progress or p == story.stalled:
            _in_progress_jobs(jobs, p == story.stalled, rows, common)
        elif p == story.failed_day:
            _failed_day_jobs(jobs, rows, common)
        else:
            limited = p in story.rate_limited
            job = _collection_job(jobs, rows, common, retrying=p == legacy_first,
                                  error=ERR_RATE_LIMIT if limited else ERR_READ_TIMEOUT)
            if p == duplicate_pair:
                _duplicate_job(jobs, job, common)
            _enrichment_job(jobs, rows, common,
                            running=p in legacy_running and p != legacy_first)
            if p == story.results_missing or limited:
                _results_job(jobs, p, common)


def _in_progress_jobs(jobs: Jobs, stalled: bool, rows: list[dict], common: dict) -> None:
    """A processing collection job; enrichment processing, queued, or (stalled) none."""
    s, n = jobs.s, len(rows)
    collected = [r["collected_at"] for r in rows if r["collected_at"] is not None]
    enriched = [r["enriched_at"] for r in rows if r["enriched_at"] is not None]
    started = min(collected) - s(20, 60)
    job = jobs.add(type="collection", status="processing", created_at=started - s(1, 3),
                   started_at=started, progress=round(100 * len(collected) / n),
                   current_step=f"fetching API214_1 race {len(collected) + 1}/{n}",
                   tags=list(_DAILY), **common)
    jobs.log(job, started, "INFO", f"Job started: {describe(job)}")
    if stalled:
        jobs.stuck_job_id = job["job_id"]
        for r in rows:
            if r["collected_at"] is not None:
                jobs.log(job, r["collected_at"], "INFO",
                         f"Collected race {r['race_number']}/{n}")
    if enriched:
        e_start = min(enriched) - s(20, 40)
        jobs.add(type="enrichment", status="processing", created_at=e_start - s(1, 3),
                 started_at=e_start, progress=round(100 * len(enriched) / n),
                 current_step=f"enriching race {len(enriched) + 1}/{n}",
                 tags=list(_DAILY), **common)
    elif not stalled:
        job = jobs.add(type="enrichment", status="queued",
                       created_at=max(collected) + s(1, 5), progress=0,
                       tags=list(_DAILY), **common)
        jobs.queued_ids.append(job["job_id"])


def _failed_day_jobs(jobs: Jobs, rows: list[dict], common: dict) -> None:
    """The day every race failed: the failed run, a failed manual retry, enrichment
    cancelled."""
    s, n = jobs.s, len(rows)
    attempt_times = [r["updated_at"] for r in rows]
    created = min(attempt_times) - s(20, 60)
    job = jobs.add(type="collection", status="failed", created_at=created,
                   started_at=created + s(1, 5), completed_at=max(attempt_times) + s(1, 5),
                   error_message=ERR_SERVICE_KEY, progress=0, retry_count=3,
                   current_step=f"fetching API214_1 race 1/{n}",
                   result={"collected": 0, "failed": n}, tags=list(_DAILY), **common)
    jobs.failed_ids.append(job["job_id"])
    jobs.log_failure(job)
    retry_created = job["completed_at"] + timedelta(minutes=jobs.rng.randint(50, 70))
    retry = jobs.add(type="collection", status="failed", created_at=retry_created,
                     started_at=retry_created + s(1, 3),
                     completed_at=retry_created + s(20, 40),
                     error_message=ERR_SERVICE_KEY, progress=0, retry_count=1,
                     created_by="admin", tags=["manual", "retry"], **common)
    jobs.failed_ids.append(retry["job_id"])
    jobs.log_failure(retry, attempts=1)
    jobs.add(type="enrichment", status="cancelled", created_at=created + s(1, 3),
             completed_at=job["completed_at"] + s(1, 3), progress=0,
             error_message="cancelled: collection job failed", tags=list(_DAILY), **common)


def _collection_job(jobs: Jobs, rows: list[dict], common: dict, *, retrying: bool,
                    error: str = ERR_READ_TIMEOUT) -> dict:
    """A finished day's collection job: failed with ``error`` when races failed, else
    completed (or left ``retrying`` by an old collector)."""
    s, n = jobs.s, len(rows)
    collected = [r["collected_at"] for r in rows if r["collected_at"] is not None]
    failed_rows = [r for r in rows if r["collection_status"] == "failed"]
    ends = collected + [r["updated_at"] for r in failed_rows]
    created = min(ends) - s(20, 90)
    started = created + s(1, 8)
    if failed_rows:
        job = jobs.add(type="collection", status="failed", created_at=created,
                       started_at=started, completed_at=max(ends) + s(2, 10),
                       error_message=error, retry_count=3,
                       progress=round(100 * len(collected) / n),
                       current_step=f"fetching API214_1 race {failed_rows[0]['race_number']}"
                                    f"/{n}",
                       result={"collected": len(collected), "failed": len(failed_rows),
                               "failed_race_numbers": [r["race_number"]
                                                       for r in failed_rows]},
                       tags=list(_DAILY), **common)
        jobs.failed_ids.append(job["job_id"])
        jobs.log_failure(job)
    elif retrying:
        job = jobs.add(type="collection", status="retrying", created_at=created,
                       started_at=started, error_message=ERR_CONNECT, retry_count=2,
                       progress=round(100 * jobs.rng.randint(3, n - 1) / n),
                       current_step="waiting to retry", tags=list(_DAILY), **common)
        jobs.legacy_ids.append(job["job_id"])
        jobs.log(job, started, "INFO", f"Job started: {describe(job)}")
        jobs.log(job, started + s(30, 120), "WARNING", f"Attempt 2/3 failed: {ERR_CONNECT}")
    else:
        job = jobs.add(type="collection", status="completed", created_at=created,
                       started_at=started, completed_at=max(ends) + s(2, 10),
                       current_step="done",
                       result={"collected": len(collected), "failed": 0},
                       tags=list(_DAILY), **common)
    return job


def _duplicate_job(jobs: Jobs, job: dict, common: dict) -> None:
    """An operator's manual re-run after the day was done, refused as a duplicate."""
    s = jobs.s
    dup_created = job["completed_at"] + timedelta(minutes=jobs.rng.randint(90, 180))
    dup = jobs.add(type="collection", status="failed", created_at=dup_created,
                   started_at=dup_created + s(1, 4), completed_at=dup_created + s(5, 15),
                   error_message=ERR_DUPLICATE, progress=0, created_by="admin",
                   tags=["manual"], **common)
    jobs.failed_ids.append(dup["job_id"])
    jobs.log_failure(dup, attempts=1)


def _enrichment_job(jobs: Jobs, rows: list[dict], common: dict, *, running: bool) -> None:
    """A finished day's enrichment job (left ``running`` by an old collector on a few)."""
    s = jobs.s
    enriched = [r["enriched_at"] for r in rows if r["enriched_at"] is not None]
    if not enriched:
        return
    enrich_failed = [r for r in rows if r["enrichment_status"] == "failed"]
    e_ends = enriched + [r["updated_at"] for r in enrich_failed
                         if r["result_collected_at"] is None]
    e_created = min(enriched) - s(20, 60)
    e_done = max(e_ends) + s(2, 10)
    if running:
        job = jobs.add(type="enrichment", status="running", created_at=e_created,
                       started_at=e_created + s(1, 5), progress=jobs.rng.randint(80, 95),
                       current_step="enriching jockeys", tags=["daily"], **common)
        jobs.legacy_ids.append(job["job_id"])
    else:
        jobs.add(type="enrichment", status="completed", created_at=e_created,
                 started_at=e_created + s(1, 5), completed_at=e_done,
                 current_step="done",
                 result={"enriched": len(enriched), "failed": len(enrich_failed),
                         "warnings": sorted({w for r in enrich_failed for w in r["warnings"]})},
                 tags=list(_DAILY), **common)


def _results_job(jobs: Jobs, p: Pair, common: dict) -> None:
    """The evening's results job that was rate-limited (on the day results never came,
    and through the rate-limited week)."""
    s = jobs.s
    r_created = kst_at(p[0], 20, 30) + s(0, 600)
    job = jobs.add(type="collection", status="failed", created_at=r_created,
                   started_at=r_created + s(1, 3), completed_at=r_created + s(30, 60),
                   error_message=ERR_RATE_LIMIT, retry_count=3, progress=0,
                   current_step="fetching results (API299)",
                   parameters={**common, "step": "result"}, tags=["results", "auto"])
    jobs.failed_ids.append(job["job_id"])
    jobs.log_failure(job)


def _weekly_jobs(jobs: Jobs, story: Story) -> None:
    """Monday-morning batch and analysis jobs (one cancelled, one failed) and one
    improvement job."""
    rng, s = jobs.rng, jobs.s
    weekly = [d for d in story.dates if d.weekday() == 0 and story.age(d) <= 89
              and kst_at(d, 7) < story.now]
    cancelled_batch = rng.choice(weekly) if weekly else None
    failed_analysis = rng.choice(weekly) if weekly else None
    for d in weekly:
        span = {"start_date": ymd(d - timedelta(days=7)), "end_date": ymd(d - timedelta(days=1))}
        b_created = kst_at(d, 3) + s(0, 120)
        if d == cancelled_batch:
            jobs.add(type="batch", status="cancelled", created_at=b_created,
                     started_at=b_created + s(1, 5), completed_at=b_created + s(200, 600),
                     error_message="cancelled by operator", created_by="admin",
                     parameters={**span, "meets": [1, 2, 3], "mode": "backfill"},
                     tags=["weekly"], progress=rng.randint(10, 60))
        else:
            jobs.add(type="batch", status="completed", created_at=b_created,
                     started_at=b_created + s(1, 5), completed_at=b_created + s(600, 1800),
                     parameters={**span, "meets": [1, 2, 3], "mode": "backfill"},
                     result={"races_checked": rng.randint(60, 80),
                             "repaired": rng.randint(0, 3)},
                     tags=["weekly"])
        _analysis_job(jobs, d, span, failed=d == failed_analysis)
    if weekly:
        d = weekly[len(weekly) // 2]
        i_created = kst_at(d, 9) + s(0, 600)
        jobs.add(type="improvement", status="completed", created_at=i_created,
                 started_at=i_created + s(1, 5), completed_at=i_created + s(300, 900),
                 parameters={"target": "jockey_features"}, created_by="admin",
                 tags=["manual"])


def _analysis_job(jobs: Jobs, d: Date, span: dict, *, failed: bool) -> None:
    """The weekly quality analysis after the batch; failed once when the DB connection
    dropped."""
    s = jobs.s
    a_created = kst_at(d, 6) + s(0, 120)
    if failed:
        job = jobs.add(type="analysis", status="failed", created_at=a_created,
                       started_at=a_created + s(1, 5), completed_at=a_created + s(60, 300),
                       error_message=ERR_DB_CLOSED, parameters=span, tags=["weekly"])
        jobs.failed_ids.append(job["job_id"])
        jobs.log_failure(job, attempts=2)
    else:
        jobs.add(type="analysis", status="completed", created_at=a_created,
                 started_at=a_created + s(1, 5), completed_at=a_created + s(120, 900),
                 parameters=span, result={"report": f"weekly_quality_{ymd(d)}"},
                 tags=["weekly"])


def _waiting_jobs(jobs: Jobs, story: Story) -> None:
    """Recent work waiting to be picked up."""
    s, now, today, running = jobs.s, story.now, story.today, story.running
    job = jobs.add(type="batch", status="queued", created_at=now - s(60, 240),
                   parameters={"start_date": ymd(today - timedelta(days=7)),
                               "end_date": ymd(today), "meets": [1, 2, 3],
                               "mode": "verify"}, created_by="admin", tags=["manual"])
    jobs.queued_ids.append(job["job_id"])
    job = jobs.add(type="analysis", status="pending", created_at=now - s(300, 720),
                   parameters={"race_date": ymd(running[0]), "meet": running[1]},
                   tags=["auto"])
    jobs.queued_ids.append(job["job_id"])
    job = jobs.add(type="prediction", status="queued", created_at=now - s(30, 200),
                   parameters={"race_date": ymd(running[0]), "meet": running[1],
                               "race_numbers": [1, 2, 3]}, tags=["auto"])
    jobs.queued_ids.append(job["job_id"])
