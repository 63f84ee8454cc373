"""``kra-status demo --live`` moves the demo's progress, and touches nothing else."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from status_core import attention, demo
from status_core.engine import make_engine, read
from status_core.queries import job_status_counts, progress_frame
from status_core.settings import parse_url
from tests.demo_support import SATURDAY, TS_TEXT, Story, sqlite_engine

ROOT = Path(__file__).resolve().parent.parent


def snapshot(path: Path) -> pd.DataFrame:
    engine = make_engine(parse_url(f"sqlite:///{path}"))
    try:
        with read(engine) as conn:
            today = attention.today_kst()
            first, last = today - dt.timedelta(days=3000), today + dt.timedelta(days=30)
            return progress_frame(conn, f"{first:%Y%m%d}", f"{last:%Y%m%d}")
    finally:
        engine.dispose()


def digest_tree(root: Path, skip: set[Path]) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path not in skip:
            out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def test_demo_live_changes_progress_and_nothing_else(isolated_env: Path) -> None:
    path = isolated_env / "demo.sqlite"
    demo.ensure_demo(path)
    before = snapshot(path)

    # A "real" database configured next to it must stay byte for byte the same.
    canary = isolated_env / "collector.sqlite"
    engine = sa.create_engine(f"sqlite:///{canary}")
    with engine.begin() as conn:
        demo.create_sqlite_schema(conn)
        demo.load(conn, demo.DemoData([demo.race_row("20260214", 1, 1, collection="pending",
                                                     enrichment="pending", result="pending")],
                                      [], [], list(demo.MIGRATIONS)))
    engine.dispose()
    skip = {path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal"),
            path.with_name(path.name + "-shm")}
    tree_before = digest_tree(isolated_env, skip)

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{canary}"}
    proc = subprocess.run(
        [sys.executable, "-m", "status_core", "demo", "--live", "--steps", "3",
         "--interval", "0.1"],
        cwd=isolated_env, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True,
        text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert str(path) in proc.stdout
    assert len([line for line in proc.stdout.splitlines() if line.strip().startswith(
        tuple("0123456789"))]) == 3

    after = snapshot(path)
    key = ["date", "meet"]
    merged = before.merge(after, on=key, how="outer", suffixes=("_before", "_after"),
                          indicator=True)
    changed = merged[
        (merged["_merge"] != "both")
        | (merged["total_races_before"] != merged["total_races_after"])
        | (merged["collected_races_before"] != merged["collected_races_after"])
        | (merged["enriched_races_before"] != merged["enriched_races_after"])
        | (merged["result_collected_before"] != merged["result_collected_after"])
    ]
    assert not changed.empty, "three live steps changed no progress"
    # Progress only moves forward: nothing collected is lost.
    both = merged[merged["_merge"] == "both"]
    assert (both["collected_races_after"] >= both["collected_races_before"]).all()

    assert digest_tree(isolated_env, skip) == tree_before
    engine = make_engine(parse_url(f"sqlite:///{canary}"))
    with read(engine) as conn:
        assert job_status_counts(conn) == {}
    engine.dispose()


def test_demo_live_refuses_bad_arguments(isolated_env: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "status_core", "demo", "--live", "--interval", "0"],
        cwd=isolated_env, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
        text=True, timeout=60,
    )
    assert proc.returncode == 2 and "--interval" in proc.stderr
    assert not (isolated_env / "demo.sqlite").exists()


# --------------------------------------------------------------------------- live_step


def _copy(story: Story, tmp_path: Path) -> sa.Engine:
    target = tmp_path / "live.sqlite"
    src, dst = sqlite3.connect(story.path), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return sqlite_engine(target)


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
    engine = sqlite_engine(tmp_path / "empty.sqlite")
    with engine.begin() as conn:
        demo.create_sqlite_schema(conn)
        summary = demo.live_step(conn, random.Random(1), SATURDAY)
    assert summary["date"] == "20260214" and summary["created"]
    assert {rid.split("_")[1] for rid in summary["created"]} == {"1", "2"}  # Seoul, Jeju
    assert summary["jobs_started"]
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT count(*), max(updated_at) FROM races")).one()
    assert rows[0] == len(summary["created"]) and TS_TEXT.match(rows[1])
