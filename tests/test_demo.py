"""The seeded demo-data library (status_core.demo): the story it tells, on SQLite.

The stories (one generated data set per "now") are ``tests/demo_support.py``'s; the SQLite
file, the row builders and ``ensure_demo`` are tested in ``tests/test_demo_store.py``, the
live simulator in ``tests/test_demo_live.py``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from status_core import demo
from tests.demo_support import SATURDAY, STEP, TS_COLUMNS, Story


def _pairs(races: list[dict]) -> dict[tuple[str, int], list[dict]]:
    out: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for r in races:
        out[(r["date"], r["meet"])].append(r)
    return out


def _weekday(date: str) -> int:
    return datetime.strptime(date, "%Y%m%d").weekday()


# --------------------------------------------------------------------------- determinism


def test_same_seed_and_now_give_identical_data(saturday: Story) -> None:
    again = demo.generate(demo.DEFAULT_SEED, now=SATURDAY)
    assert again.races == saturday.data.races
    assert again.jobs == saturday.data.jobs
    assert again.job_logs == saturday.data.job_logs
    assert again.facts == saturday.data.facts


def test_another_seed_differs(saturday: Story) -> None:
    other = demo.generate(demo.DEFAULT_SEED + 1, now=SATURDAY)
    assert other.races != saturday.data.races
    assert other.facts["failed_day"] != saturday.facts["failed_day"] or \
        other.facts["missing_days"] != saturday.facts["missing_days"]


# --------------------------------------------------------------------------- calendar


def test_races_per_year_in_range(story: Story) -> None:
    today = datetime.strptime(story.facts["today"], "%Y%m%d").date()
    for years_back in (0, 1):
        end = today - timedelta(days=365 * years_back)
        start = end - timedelta(days=364)
        lo, hi = start.strftime("%Y%m%d"), end.strftime("%Y%m%d")
        count = sum(lo <= r["date"] <= hi for r in story.data.races)
        assert 3000 <= count <= 3500, (lo, hi, count)


def test_only_usual_weekdays_except_planted_exceptions(story: Story) -> None:
    facts = story.facts
    stored = set(_pairs(story.data.races))
    unusual = {p for p in stored if _weekday(p[0]) not in demo.USUAL_WEEKDAYS[p[1]]}
    assert unusual == set(facts["extra_days"])
    assert unusual, "at least one extra (holiday) race day"
    assert all(_weekday(d) == 0 for d, _ in unusual)

    today = datetime.strptime(facts["today"], "%Y%m%d").date()
    usual = {(d.strftime("%Y%m%d"), m)
             for d in (today - timedelta(days=i) for i in range(730))
             for m in (1, 2, 3) if d.weekday() in demo.USUAL_WEEKDAYS[m]}
    assert usual - stored == set(facts["holiday_skips"]) | set(facts["missing_days"])
    assert facts["holiday_skips"]


def test_race_numbers_contiguous_and_counts(story: Story) -> None:
    per_meet: dict[int, list[int]] = defaultdict(list)
    for (date, meet), rows in _pairs(story.data.races).items():
        numbers = sorted(r["race_number"] for r in rows)
        assert numbers == list(range(1, len(numbers) + 1)), (date, meet)
        assert 8 <= len(numbers) <= 16, (date, meet, len(numbers))
        assert {r["race_id"] for r in rows} == {f"{date}_{meet}_{n}" for n in numbers}
        per_meet[meet].append(len(numbers))
    mean = {m: sum(v) / len(v) for m, v in per_meet.items()}
    assert mean[1] > mean[3] > mean[2]


def test_row_values_are_plausible(story: Story) -> None:
    for r in story.data.races:
        assert r["distance"] in {1000, 1200, 1300, 1400, 1600, 1700, 1800, 2000, 2300}
        assert isinstance(r["warnings"], list)
        assert all(isinstance(w, str) for w in r["warnings"])
        assert r["race_name"]
        if r["collection_status"] in ("collected", "enriched"):
            assert 6 <= r["horse_count"] <= 14
            assert 0.0 <= r["data_quality_score"] <= 1.0
            assert r["track"] and r["weather"]
    assert set(demo.RACE_COLUMNS) <= set(story.data.races[0])
    assert set(demo.JOB_COLUMNS) <= set(story.data.jobs[0])


# --------------------------------------------------------------------------- time


def test_nothing_after_now(story: Story) -> None:
    now, today = story.now, story.facts["today"]
    assert max(r["date"] for r in story.data.races) <= today
    for table, rows in (("races", story.data.races), ("jobs", story.data.jobs),
                        ("job_logs", story.data.job_logs)):
        for row in rows:
            for col in TS_COLUMNS[table]:
                ts = row.get(col)
                if ts is not None:
                    assert ts.tzinfo is not None and ts.utcoffset() == timedelta(0)
                    assert ts <= now, (table, col, row)


def test_race_timestamps_follow_statuses(story: Story) -> None:
    for r in story.data.races:
        for step, col in STEP.items():
            status = r[f"{step}_status"]
            ok = status in (("collected", "enriched") if step != "enrichment" else
                            ("enriched",))
            assert (r[col] is not None) == ok, (r["race_id"], step, status, r[col])
        chain = [r[c] for c in ("created_at", "collected_at", "enriched_at") if r[c]]
        assert chain == sorted(chain), r["race_id"]
        assert max(chain) <= r["updated_at"]
        if r["result_collected_at"]:
            assert r["created_at"] <= r["result_collected_at"] <= r["updated_at"]


def test_job_timestamps_and_parameters(story: Story) -> None:
    ids = [j["job_id"] for j in story.data.jobs]
    assert len(ids) == len(set(ids))
    for j in story.data.jobs:
        assert j["type"] in demo.JOB_TYPES and j["status"] in demo.JOB_STATUSES
        times = [j[c] for c in ("created_at", "started_at", "completed_at") if j[c]]
        assert times == sorted(times), j
        if j["status"] in ("completed", "failed", "cancelled"):
            assert j["completed_at"] is not None, j
        if j["status"] in ("processing", "running", "retrying"):
            assert j["started_at"] is not None and j["completed_at"] is None, j
        if j["status"] == "failed":
            assert j["error_message"], j
        if j["type"] in ("collection", "enrichment"):
            params = j["parameters"]
            assert re.fullmatch(r"\d{8}", params["race_date"]) and params["meet"] in (1, 2, 3)
            assert params["race_numbers"] and isinstance(params["race_numbers"], list)
    job_ids = set(ids)
    for entry in story.data.job_logs:
        assert entry["job_id"] in job_ids
        assert entry["level"] in ("INFO", "WARNING", "ERROR")


# --------------------------------------------------------------------------- planted facts


def _check_running(s: Story) -> None:
    date, meet = s.facts["running_day"]
    assert s.facts["running_day"] in s.facts["in_progress_days"]
    summary = s.summary(date, meet)
    statuses = {r["collection_status"] for r in summary["rows"]}
    assert {"pending", "collected"} <= statuses
    assert summary["enriched"] > 0 and summary["status"] == "running"
    assert s.now - timedelta(minutes=5) <= summary["last_updated"] <= s.now
    # The latest race day <= today: today when a meet races today.
    today = s.facts["today"]
    racing_today = any(_weekday(today) in days for days in demo.USUAL_WEEKDAYS.values())
    assert date == (today if racing_today else max(r["date"] for r in s.data.races))


def _check_in_progress(s: Story) -> None:
    for date, meet in s.facts["in_progress_days"]:
        summary = s.summary(date, meet)
        assert summary["status"] == "running"
        assert summary["last_updated"] >= s.now - timedelta(minutes=15)


def _check_stalled(s: Story) -> None:
    date, meet = s.facts["stalled_day"]
    assert (date, meet) not in s.facts["in_progress_days"]
    summary = s.summary(date, meet)
    assert summary["status"] == "running"
    assert 0 < summary["collected"] < summary["total"]
    assert summary["last_updated"] < s.now - timedelta(hours=2)
    assert summary["last_updated"] > s.now - timedelta(hours=6)


def _check_failed(s: Story) -> None:
    date, meet = s.facts["failed_day"]
    summary = s.summary(date, meet)
    assert summary["total"] > 0 and summary["status"] == "failed"
    assert all(r["collection_status"] == "failed" for r in summary["rows"])
    assert all(r["collected_at"] is None for r in summary["rows"])


def _check_missing(s: Story) -> None:
    today = datetime.strptime(s.facts["today"], "%Y%m%d").date()
    assert s.facts["missing_days"]
    for date, meet in s.facts["missing_days"]:
        assert s.summary(date, meet)["total"] == 0
        assert _weekday(date) in demo.USUAL_WEEKDAYS[meet]
        assert 0 < (today - datetime.strptime(date, "%Y%m%d").date()).days <= 92


def _check_results_missing(s: Story) -> None:
    date, meet = s.facts["results_missing_day"]
    summary = s.summary(date, meet)
    assert summary["status"] == "completed" and summary["results"] == 0
    assert all(r["result_status"] == "pending" for r in summary["rows"])
    assert date < s.facts["stalled_day"][0] <= s.facts["today"]


def _check_partial_failures(s: Story) -> None:
    kinds = s.facts["partial_failure_days"]
    assert set(kinds.values()) == {"collection", "enrichment"}
    for (date, meet), kind in kinds.items():
        rows = s.summary(date, meet)["rows"]
        failed = [r for r in rows if r[f"{kind}_status"] == "failed"]
        assert 0 < len(failed) < len(rows)
        assert all(r["warnings"] != "[]" for r in failed)
    warnings = " ".join(r["warnings"] for (d, m) in kinds for r in s.summary(d, m)["rows"])
    assert "KRA API timeout after 3 retries" in warnings
    assert "horse detail missing for" in warnings


def _check_null_enrichment(s: Story) -> None:
    ids = s.facts["null_enrichment_race_ids"]
    assert len(ids) >= 2
    with s.engine.connect() as conn:
        stored = {r[0] for r in conn.execute(sa.text(
            "SELECT race_id FROM races WHERE enrichment_status IS NULL"))}
    assert stored == set(ids)


def _check_legacy_collection_status(s: Story) -> None:
    cut = s.facts["legacy_enriched_before"]
    old = [r for r in s.data.races if r["date"] < cut]
    assert old and sum(r["collection_status"] == "enriched" for r in old) > len(old) * 0.9
    assert not any(r["collection_status"] == "enriched" for r in s.data.races
                   if r["date"] >= cut)


def _check_jobs(s: Story) -> None:
    jobs = {j["job_id"]: j for j in s.data.jobs}
    stuck = jobs[s.facts["stuck_job_id"]]
    assert stuck["status"] == "processing" and stuck["completed_at"] is None
    assert stuck["started_at"] < s.now - timedelta(hours=2)
    assert (stuck["parameters"]["race_date"], stuck["parameters"]["meet"]) == \
        s.facts["stalled_day"]
    statuses = [j["status"] for j in s.data.jobs]
    assert statuses.count("completed") > len(statuses) * 0.6
    assert {"running", "retrying", "processing", "queued", "pending", "cancelled",
            "failed"} <= set(statuses)
    assert 1 <= statuses.count("cancelled") <= 3
    assert {jobs[i]["status"] for i in s.facts["legacy_status_job_ids"]} == \
        {"running", "retrying"}
    for i in s.facts["queued_job_ids"]:
        assert jobs[i]["status"] in ("queued", "pending")
        assert jobs[i]["created_at"] > s.now - timedelta(hours=1)
    errors = " | ".join(jobs[i]["error_message"] for i in s.facts["failed_job_ids"])
    for needle in ("httpx.ReadTimeout", "resultCode 22", "429 Too Many Requests",
                   "IntegrityError: duplicate key"):
        assert needle in errors
    logged = {e["job_id"] for e in s.data.job_logs}
    assert set(s.facts["failed_job_ids"]) <= logged
    # About one collection and one enrichment job per stored date x meet, last 90 days.
    today = datetime.strptime(s.facts["today"], "%Y%m%d").date()
    recent = {p for p in _pairs(s.data.races)
              if (today - datetime.strptime(p[0], "%Y%m%d").date()).days <= 89}
    for job_type in ("collection", "enrichment"):
        covered = {(j["parameters"]["race_date"], j["parameters"]["meet"])
                   for j in s.data.jobs if j["type"] == job_type}
        # The stalled day's collection job hangs, so its enrichment never got a job.
        expected = recent - {s.facts["stalled_day"]} if job_type == "enrichment" else recent
        assert covered == expected, job_type
    assert any(j["type"] == "batch" for j in s.data.jobs)
    assert any(j["type"] == "analysis" for j in s.data.jobs)


def _check_migrations(s: Story) -> None:
    assert len(s.data.migrations) == 7 and s.data.migrations[-1] == \
        "007_runtime_db_hardening.sql"
    assert s.data.migrations[0] == "001_initial_schema.sql"
    with s.engine.connect() as conn:
        names = [r[0] for r in conn.execute(sa.text(
            "SELECT name FROM schema_migrations ORDER BY name"))]
    assert names == s.data.migrations


PLANTED = {
    "running_day": _check_running,
    "in_progress_days": _check_in_progress,
    "stalled_day": _check_stalled,
    "failed_day": _check_failed,
    "missing_days": _check_missing,
    "results_missing_day": _check_results_missing,
    "partial_failure_days": _check_partial_failures,
    "null_enrichment_race_ids": _check_null_enrichment,
    "legacy_enriched_before": _check_legacy_collection_status,
    "stuck_job_id": _check_jobs,
    "migrations": _check_migrations,
}


@pytest.mark.parametrize("fact", sorted(PLANTED))
def test_planted_fact_is_present(story: Story, fact: str) -> None:
    PLANTED[fact](story)


def test_planted_days_are_distinct(story: Story) -> None:
    f = story.facts
    singles = [f["stalled_day"], f["failed_day"], f["results_missing_day"]]
    everything = (singles + f["in_progress_days"] + f["missing_days"]
                  + list(f["partial_failure_days"]))
    assert len(everything) == len(set(everything))
