"""The seeded demo-data library (status_core.demo): the SQLite file it writes, its row
builders and ``ensure_demo``."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from status_core import demo
from tests.demo_support import SATURDAY, TS_COLUMNS, TS_TEXT, Story

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
