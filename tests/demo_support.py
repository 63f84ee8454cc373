"""Demo plugin: the generated demo stories the demo library's tests look at.

A story is one :func:`status_core.demo.generate` data set loaded into a SQLite file, built
once per session for each "now" and shared by the test modules. Fixtures: ``story`` (each
of :data:`NOWS` in turn) and ``saturday``. Tests must not modify a story's file (copy it).
Registered in ``tests/conftest.py``.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
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


def sqlite_engine(path: Path) -> sa.Engine:
    return sa.create_engine(f"sqlite+pysqlite:///{path}")


class Story:
    """One generated data set, loaded into a SQLite file."""

    def __init__(self, data: demo.DemoData, path: Path, load_seconds: float) -> None:
        self.data, self.path, self.load_seconds = data, path, load_seconds
        self.facts = data.facts
        self.now = data.facts["now"]
        self.engine = sqlite_engine(path)

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
    engine = sqlite_engine(path)
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


