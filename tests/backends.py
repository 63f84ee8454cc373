"""Build a database of the SCHEMA.md shape on SQLite or PostgreSQL from demo rows.

The same rows go into both, through the demo library's own loader, so every core test can
run on the embedded demo's engine and on a real PostgreSQL server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from status_core import demo
from status_core.engine import make_engine
from status_core.settings import DatabaseTarget, Timeouts, parse_url

Builder = Callable[..., tuple[Engine, DatabaseTarget]]


def sqlite_builder(tmp_path: Path) -> Builder:
    counter = iter(range(10_000))

    def build(races: Iterable[dict] = (), jobs: Iterable[dict] = ()) -> tuple[Engine, DatabaseTarget]:
        path = tmp_path / f"db{next(counter)}.sqlite"
        writer = make_engine(parse_url(f"sqlite:///{path}"), read_only=False)
        with writer.begin() as conn:
            demo.create_sqlite_schema(conn)
            demo.load(conn, demo.DemoData(list(races), list(jobs), [], []))
        writer.dispose()
        target = parse_url(f"sqlite:///{path}")
        return make_engine(target), target

    return build


def postgres_builder(pg_db) -> Builder:  # noqa: ANN001 - tests.pgcluster.PgDatabase
    def build(races: Iterable[dict] = (), jobs: Iterable[dict] = ()) -> tuple[Engine, DatabaseTarget]:
        pg_db.load(list(races), list(jobs))
        target = parse_url(pg_db.reader_url)
        return make_engine(target, Timeouts(connect=5, statement=10)), target

    return build


@pytest.fixture(params=["sqlite", "postgres"])
def build_db(request, tmp_path) -> Builder:  # noqa: ANN001
    """``build_db(races, jobs) -> (engine, target)`` on each backend in turn."""
    if request.param == "sqlite":
        return sqlite_builder(tmp_path)
    return postgres_builder(request.getfixturevalue("pg_db"))
