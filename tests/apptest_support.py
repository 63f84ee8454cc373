"""Shared drivers for the AppTest page tests: open a page, read what it shows, build data.

Pages are opened through ``app.py`` and ``switch_page`` because the sidebar's
``st.page_link`` paths are relative to the main script, as under ``streamlit run``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from status_core import demo
from status_core.engine import make_engine, read
from status_core.settings import parse_url

ROOT = Path(__file__).resolve().parent.parent
TEXT_KINDS = ("markdown", "caption", "info", "warning", "error", "success", "subheader", "title")


def app(page: str | None = None, **params: object) -> AppTest:
    """The app, on ``page`` when given, with URL query parameters set before the first run."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if page:
        at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    return at


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def find_table(at: AppTest, column: str, *, not_column: str | None = None) -> pd.DataFrame | None:
    """The first dataframe shown that has ``column`` (and not ``not_column``), else None."""
    for frame in at.dataframe:
        value = frame.value
        if isinstance(value, pd.DataFrame) and column in value.columns and (
            not_column is None or not_column not in value.columns
        ):
            return value
    return None


def table(at: AppTest, column: str) -> pd.DataFrame:
    """Like :func:`find_table`, but the table must be there."""
    found = find_table(at, column)
    if found is None:
        raise AssertionError(f"no table with column {column!r}")
    return found


def texts(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in TEXT_KINDS for e in getattr(at, kind))


def build_db(path: Path, races: list[dict] = (), jobs: list[dict] = ()) -> Path:
    """A SQLite database of the collector's shape holding ``races`` and ``jobs``."""
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        demo.create_sqlite_schema(conn)
        demo.load(conn, demo.DemoData(list(races), list(jobs), [], list(demo.MIGRATIONS)))
    engine.dispose()
    return path


def core(path: Path, fn, *args, **kwargs):  # noqa: ANN001, ANN201
    """``fn(conn, ...)`` on the SQLite file, through the dashboard's own read-only engine."""
    engine = make_engine(parse_url(f"sqlite:///{path}"))
    try:
        with read(engine) as conn:
            return fn(conn, *args, **kwargs)
    finally:
        engine.dispose()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def streamlit_logs() -> Iterator[list[logging.LogRecord]]:
    """Every record logged meanwhile, Streamlit's own loggers included (they do not
    propagate to the root logger, so pytest's caplog misses them)."""
    import streamlit.dataframe_util  # noqa: F401 - its logger reports Arrow fallbacks

    handler = _Collect()
    loggers = [logging.getLogger()] + [
        logger for name, logger in logging.root.manager.loggerDict.items()
        if name.startswith("streamlit") and isinstance(logger, logging.Logger)
        and not logger.propagate
    ]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def logged_tracebacks(records: list[logging.LogRecord]) -> list[str]:
    """The records that carry an exception or a traceback."""
    return [f"{r.name}: {r.getMessage()[:200]}" for r in records
            if r.exc_info or "Traceback" in r.getMessage()]
