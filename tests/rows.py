"""Rows for the tests' databases (plain Python, no pytest).

:func:`make_race` and :func:`make_job` build *minimal* rows: the columns a test names plus
a few harmless ones, everything else left to the database's defaults (``created_at`` and
``updated_at`` default to now). That is what most tests want: one fact under test and
nothing else. For realistic rows (every timestamp consistent with the statuses, a race
card, warnings) use :func:`status_core.demo.race_row` / :func:`status_core.demo.job_row`.

:func:`write_sqlite` writes rows into a SQLite file of the collector's shape through the
demo's own loader, the same one the PostgreSQL databases of ``tests/pgcluster.py`` mirror.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from status_core import demo
from status_core.domain import KST


def kst_today() -> dt.date:
    """Today on the Korean calendar (the race dates' calendar)."""
    return dt.datetime.now(KST).date()


def ymd(day: dt.date) -> str:
    """``day`` as the collector stores race dates: ``YYYYMMDD``."""
    return f"{day:%Y%m%d}"


def make_race(date: str, meet: int, race_number: int, **overrides: Any) -> dict[str, Any]:
    """A plausible ``races`` row as a dict (no big payloads); override any column."""
    row: dict[str, Any] = {
        "race_id": f"{date}_{meet}_{race_number}",
        "date": date,
        "meet": meet,
        "race_number": race_number,
        "race_name": f"제{race_number}경주",
        "track": "건조",
        "weather": "맑음",
        "distance": 1200,
        "collection_status": "pending",
        "enrichment_status": "pending",
        "result_status": "pending",
        "horse_count": 10,
    }
    row.update(overrides)
    return row


def make_job(job_id: str, **overrides: Any) -> dict[str, Any]:
    """A plausible ``jobs`` row as a dict; override any column."""
    row: dict[str, Any] = {
        "job_id": job_id,
        "type": "collection",
        "status": "queued",
        "progress": 0,
        "parameters": {},
        "tags": [],
    }
    row.update(overrides)
    return row


def sample_rows(days: int = 3) -> tuple[list[dict], list[dict]]:
    """A few races (today and the days before, KST) and jobs, in every state."""
    today = kst_today()
    now = dt.datetime.now(dt.UTC)
    races, jobs = [], []
    statuses = [("enriched", "enriched", "collected"), ("collected", "pending", "pending"),
                ("failed", "pending", "pending"), ("pending", "pending", "pending")]
    for back in range(days):
        date = ymd(today - dt.timedelta(days=back))
        for meet in (1, 3):
            for n, (c, e, r) in enumerate(statuses, start=1):
                races.append(make_race(
                    date, meet, n, collection_status=c, enrichment_status=e, result_status=r,
                    updated_at=now - dt.timedelta(minutes=back * 60 + n),
                ))
            jobs.append(make_job(
                f"job-{date}-{meet}", status="completed" if back else "running",
                parameters={"race_date": date, "meet": meet, "race_numbers": [1, 2, 3, 4]},
                created_at=now - dt.timedelta(hours=back), started_at=now - dt.timedelta(hours=back),
            ))
    return races, jobs


def write_sqlite(path: Path, races: Iterable[dict] = (), jobs: Iterable[dict] = (),
                 migrations: Iterable[str] = demo.MIGRATIONS) -> Path:
    """A SQLite database of the collector's shape at ``path`` holding ``races``, ``jobs``
    and ``migrations`` (by default every one applied); returns ``path``."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        demo.create_sqlite_schema(conn)
        demo.load(conn, demo.DemoData(list(races), list(jobs), [], list(migrations)))
    engine.dispose()
    return Path(path)
