"""The seeded demo-data library (status_core.demo), on SQLite."""

from __future__ import annotations

import os
import random
import re
import sqlite3
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from status_core import demo

# Saturday 14:30 KST (Seoul + Jeju race), Tuesday 11:00 KST (nobody races: the story sits
# on Sunday), Friday 00:10 KST (Jeju + Busan race, just after midnight).
SATURDAY = datetime(2026, 2, 14, 5, 30, tzinfo=UTC)
TUESDAY = datetime(2026, 2, 17, 2, 0, tzinfo=UTC)
FRIDAY_EARLY = datetime(2026, 2, 12, 15, 10, tzinfo=UTC)
NOWS = {"saturday": SATURDAY, "tuesday": TUESDAY, "friday-early": FRIDAY_EARLY}
TS_TEXT = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00:00$")
TS_COLUMNS = {
    "races": ("collected_at", "enriched_at", "result_collected_at", "created_at", "updated_at"),
    "jobs": ("created_at", "started_at", "completed_at"),
    "job_logs": ("timestamp",),
    "schema_migrations": ("applied_at",),
}
STEP = {"collection": "collected_at", "enrichment": "enriched_at",
        "result": "result_collected_at"}


def _sqlite_engine(path: Path) -> sa.Engine:
    return sa.create_engine(f"sqlite+pysqlite:///{path}")


class Story:
    """One generated data set, loaded into a SQLite file."""

    def __init__(self, data: demo.DemoData, path: Path, load_seconds: float) -> None:
        self.data, self.path, self.load_seconds = data, path, load_seconds
        self.facts = data.facts
        self.now = data.facts["now"]
        self.engine = _sqlite_engine(path)

    def rows(self, date: str, meet: int) -> list[dict]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(sa.text(
                "SELECT * FROM races WHERE date = :d AND meet = :m ORDER BY race_number"),
                {"d": date, "m": meet}).mappings()]

    def summary(self, date: str, meet: int) -> dict:
        """The collector's per-day summary (SCHEMA.md), computed from the stored rows."""
        rows = self.rows(date, meet)
        st = [{k: (r[k] or "pending") for k in
               ("collection_status", "enrichment_status", "result_status")} for r in rows]
        total = len(rows)
        collected = sum(s["collection_status"] in ("collected", "enriched") for s in st)
        enriched = sum(s["enrichment_status"] == "enriched" for s in st)
        all_failed = total > 0 and all(s["collection_status"] == "failed" for s in st)
        if total == 0:
            status = "pending"
        elif enriched == total:
            status = "completed"
        elif all_failed and collected == 0:
            status = "failed"
        elif collected or enriched:
            status = "running"
        else:
            status = "pending"
        results = sum(s["result_status"] == "collected" for s in st)
        last = max((r["updated_at"] for r in rows), default=None)
        return {"total": total, "collected": collected, "enriched": enriched,
                "results": results, "status": status,
                "last_updated": demo.parse_ts(last) if last else None, "rows": rows}


def _build(tmp_path_factory: pytest.TempPathFactory, seed: int, now: datetime) -> Story:
    data = demo.generate(seed, now=now)
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    engine = _sqlite_engine(path)
    with engine.begin() as conn:
        demo.create_sqlite_schema(conn)
        started = time.perf_counter()
        demo.load(conn, data)
        seconds = time.perf_counter() - started
    engine.dispose()
    return Story(data, path, seconds)


_BUILT: dict[datetime, Story] = {}


def _story(tmp_path_factory: pytest.TempPathFactory, now: datetime) -> Story:
    if now not in _BUILT:
        _BUILT[now] = _build(tmp_path_factory, demo.DEFAULT_SEED, now)
    return _BUILT[now]


@pytest.fixture(scope="module", params=sorted(NOWS), ids=sorted(NOWS))
def story(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Story:
    return _story(tmp_path_factory, NOWS[request.param])


@pytest.fixture(scope="module")
def saturday(tmp_path_factory: pytest.TempPathFactory) -> Story:
    """The Saturday story (shared with ``story``; tests must not modify its file)."""
    return _story(tmp_path_factory, SATURDAY)


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


# --------------------------------------------------------------------------- SQLite file


def test_sqlite_timestamps_use_one_text_format(saturday: Story) -> None:
    con = sqlite3.connect(saturday.path)
    try:
        for table, cols in TS_COLUMNS.items():
            for col in cols:
                values = [v for (v,) in con.execute(f'SELECT "{col}" FROM {table}') if v]
                assert values, (table, col)
                bad = [v for v in values if not TS_TEXT.match(v)]
                assert not bad, (table, col, bad[:3])
        (text_max,) = con.execute("SELECT max(updated_at) FROM races").fetchone()
        assert demo.parse_ts(text_max) == max(r["updated_at"] for r in saturday.data.races)
        # JSON as text, Korean kept readable, and the trigger bumps updated_at.
        (basic,) = con.execute("SELECT basic_data FROM races WHERE basic_data IS NOT NULL "
                               "AND meet = 1 LIMIT 1").fetchone()
        assert "서울" in basic
        race_id, before = con.execute(
            "SELECT race_id, updated_at FROM races ORDER BY date LIMIT 1").fetchone()
        con.execute("UPDATE races SET weather = 'x' WHERE race_id = ?", (race_id,))
        (after,) = con.execute("SELECT updated_at FROM races WHERE race_id = ?",
                               (race_id,)).fetchone()
        assert TS_TEXT.match(after) and after > before
    finally:
        con.rollback()
        con.close()


def test_sqlite_has_the_schema_indexes(saturday: Story) -> None:
    insp = sa.inspect(saturday.engine)
    indexes = {i["name"]: i["column_names"] for i in insp.get_indexes("races")}
    assert indexes["idx_races_date"] == ["date"]
    assert indexes["idx_races_date_meet"] == ["date", "meet"]
    assert indexes["idx_races_status"] == ["collection_status", "enrichment_status"]
    assert {c["name"] for c in insp.get_columns("jobs")} >= set(demo.JOB_COLUMNS)


def test_load_is_fast(saturday: Story) -> None:
    # ~6,700 races + jobs; the real figure is reported by the benchmark, this catches
    # an accidental row-by-row insert.
    assert saturday.load_seconds < 3.0


# --------------------------------------------------------------------------- row helpers


def test_race_row_accepts_null_statuses_and_clamps_to_updated_at() -> None:
    at = datetime(2026, 2, 13, 10, 0, tzinfo=UTC)
    row = demo.race_row("20260214", 2, 3, collection=None, enrichment=None, result=None)
    assert row["collection_status"] is None and row["collected_at"] is None
    row = demo.race_row("20260214", 1, 5, updated_at=at)
    assert row["updated_at"] == at
    assert row["created_at"] <= row["collected_at"] <= row["enriched_at"] <= at
    assert row["result_collected_at"] <= at
    assert demo.race_row("20260214", 1, 5) == demo.race_row("20260214", 1, 5)
    with pytest.raises(ValueError):
        demo.race_row("20260214", 4, 1)
    with pytest.raises(ValueError):
        demo.race_row("20260214", 1, 1, collection="done")


def test_job_row_fills_and_checks_times() -> None:
    t = datetime(2026, 2, 14, tzinfo=UTC)
    job = demo.job_row("j1", race_date="20260214", meet=1, race_numbers=[1, 2], created_at=t)
    assert job["parameters"] == {"race_date": "20260214", "meet": 1, "race_numbers": [1, 2]}
    assert t <= job["started_at"] <= job["completed_at"] and job["progress"] == 100
    assert demo.job_row("j2", type="batch", status="queued", created_at=t)["started_at"] is None
    with pytest.raises(ValueError):
        demo.job_row("j3", created_at=t, started_at=t - timedelta(seconds=1))
    with pytest.raises(ValueError):
        demo.job_row("j4", status="done", created_at=t)


# --------------------------------------------------------------------------- ensure_demo


def test_ensure_demo_creates_once_then_reuses(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "kra-status" / "demo.sqlite"
    assert demo.ensure_demo(path, now=SATURDAY) == path
    meta = demo.read_demo_meta(path)
    assert meta["version"] == str(demo.DEMO_VERSION) and meta["built_for"] == "20260214"
    mtime = path.stat().st_mtime_ns
    inode = path.stat().st_ino
    demo.ensure_demo(path, now=SATURDAY + timedelta(hours=3))  # same KST date
    assert path.stat().st_mtime_ns == mtime and path.stat().st_ino == inode
    assert [p.name for p in path.parent.iterdir()] == ["demo.sqlite"]  # no temp leftovers
    con = sqlite3.connect(path)
    try:
        (count,) = con.execute("SELECT count(*) FROM races").fetchone()
    finally:
        con.close()
    assert count > 6000


@pytest.mark.parametrize("change", ["version", "next_day", "seed", "corrupt"])
def test_ensure_demo_rebuilds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              change: str) -> None:
    # Half a year of data is enough to test the rebuild logic, and four times faster.
    full = demo.generate
    monkeypatch.setattr(demo, "generate", lambda seed, *, now: full(seed, now=now, days=180))
    path = tmp_path / "demo.sqlite"
    demo.ensure_demo(path, now=SATURDAY)
    inode = path.stat().st_ino
    now, seed = SATURDAY, demo.DEFAULT_SEED
    if change == "version":
        monkeypatch.setattr(demo, "DEMO_VERSION", demo.DEMO_VERSION + 1)
    elif change == "next_day":
        now = SATURDAY + timedelta(days=1)
    elif change == "seed":
        seed += 1
    else:
        path.write_bytes(b"not a database")
        inode = path.stat().st_ino
    demo.ensure_demo(path, seed=seed, now=now)
    assert path.stat().st_ino != inode  # replaced atomically, not rewritten in place
    meta = demo.read_demo_meta(path)
    assert meta["version"] == str(demo.DEMO_VERSION) and meta["seed"] == str(seed)
    assert meta["built_for"] == now.astimezone(demo.KST).strftime("%Y%m%d")
    assert sorted(os.listdir(tmp_path)) == ["demo.sqlite"]


# --------------------------------------------------------------------------- live_step


def _copy(story: Story, tmp_path: Path) -> sa.Engine:
    target = tmp_path / "live.sqlite"
    src, dst = sqlite3.connect(story.path), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return _sqlite_engine(target)


def test_live_step_moves_the_running_day_forward(saturday: Story, tmp_path: Path) -> None:
    engine = _copy(saturday, tmp_path)
    rng = random.Random(7)
    date, meet = saturday.facts["running_day"]
    before = saturday.summary(date, meet)
    now = SATURDAY + timedelta(minutes=1)
    with engine.begin() as conn:
        summary = demo.live_step(conn, rng, now)
    assert summary["date"] == date and summary["changed"] > 0
    assert summary["collected"] or summary["failed"] or summary["enriched"]
    with engine.connect() as conn:
        (last,) = conn.execute(sa.text("SELECT max(updated_at) FROM races WHERE date = :d"),
                               {"d": date}).one()
    assert demo.parse_ts(last) == now
    assert before["last_updated"] < now

    # Keep stepping: the day finishes and its jobs complete.
    for i in range(200):
        with engine.begin() as conn:
            step = demo.live_step(conn, rng, now + timedelta(minutes=2 + i))
        if step["changed"] == 0:
            break
    with engine.connect() as conn:
        left = conn.execute(sa.text(
            "SELECT count(*) FROM races WHERE date = :d AND (collection_status = 'pending' "
            "OR enrichment_status = 'pending')"), {"d": date}).scalar()
        open_jobs = conn.execute(sa.text(
            "SELECT job_id, parameters FROM jobs WHERE status = 'processing' "
            "AND type IN ('collection', 'enrichment')")).all()
    # Enrichment never starts for a race whose collection failed; all else is done.
    with engine.connect() as conn:
        stuck = conn.execute(sa.text(
            "SELECT count(*) FROM races WHERE date = :d AND enrichment_status = 'pending' "
            "AND collection_status <> 'failed'"), {"d": date}).scalar()
    assert stuck == 0 and left >= 0
    assert [j for j, params in open_jobs if f'"race_date": "{date}"' in params] == []
    assert saturday.facts["stuck_job_id"] in {j for j, _ in open_jobs}  # not ours to touch


def test_live_step_on_an_empty_database_creates_todays_races(tmp_path: Path) -> None:
    engine = _sqlite_engine(tmp_path / "empty.sqlite")
    with engine.begin() as conn:
        demo.create_sqlite_schema(conn)
        summary = demo.live_step(conn, random.Random(1), SATURDAY)
    assert summary["date"] == "20260214" and summary["created"]
    assert {rid.split("_")[1] for rid in summary["created"]} == {"1", "2"}  # Seoul, Jeju
    assert summary["jobs_started"]
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT count(*), max(updated_at) FROM races")).one()
    assert rows[0] == len(summary["created"]) and TS_TEXT.match(rows[1])
