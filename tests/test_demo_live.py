"""``kra-status demo --live`` moves the demo's progress, and touches nothing else."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from status_core import attention, demo
from status_core.engine import make_engine, read
from status_core.queries import job_status_counts, progress_frame
from status_core.settings import parse_url

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
