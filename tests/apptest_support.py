"""AppTest driver plugin: the one way the tests open a page, and read what it shows.

Registered in ``tests/conftest.py`` (``pytest_plugins``). Pages are opened through
``app.py`` and ``switch_page`` because the sidebar's ``st.page_link`` paths are relative to
the main script, as under ``streamlit run``::

    at = app("race", {"date": "20260214", "meet": "1"}).run()   # by name, query as a dict
    at = app("pages/2_jobs.py", lang="en").run()                # by path, query as keywords

Fixtures: ``fresh_caches`` (Streamlit's process-wide caches emptied around a test),
``demo_file`` (the embedded demo built as the app builds it), ``db_path`` (a SQLite file
``DATABASE_URL`` points at; fill it with :func:`tests.rows.write_sqlite`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from status_core.engine import make_engine, read
from status_core.settings import parse_url
from ui.pages import MAIN_SCRIPT, page_files

ROOT = Path(__file__).resolve().parent.parent
MAIN = MAIN_SCRIPT  # every page is opened through the main script
TEXT_KINDS = ("markdown", "caption", "info", "warning", "error", "success", "subheader", "title")


#: Every page of the app's registry by key: ``{"overview": "app.py", "race":
#: "pages/1_race.py", ...}``.
PAGE_FILES = page_files()


# --------------------------------------------------------------------------- open and run


def app(page: str | None = None, query: Mapping[str, object] | None = None, *,
        timeout: float = 60, **params: object) -> AppTest:
    """The app on ``page`` (a name of :data:`PAGE_FILES` or a script path; the overview
    when None), with URL query parameters (``query`` and ``params``) set before the first
    run. Not run yet."""
    path = PAGE_FILES.get(page, page) if page else MAIN
    assert (ROOT / path).is_file(), f"no page {path}"
    at = AppTest.from_file(str(ROOT / MAIN), default_timeout=timeout)
    if path != MAIN:
        at.switch_page(path)
    for key, value in {**(query or {}), **params}.items():
        at.query_params[key] = value
    return at


def ok(at: AppTest) -> AppTest:
    """``at`` after asserting that its run raised nothing."""
    assert not at.exception, [e.value for e in at.exception]
    return at


@contextlib.contextmanager
def full_error_details() -> Iterator[None]:
    """The repo's config.toml hides exception details (from AppTest too); tests need them,
    and a leak must not hide behind that setting."""
    from streamlit import config

    old = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "full")
    try:
        yield
    finally:
        config.set_option("client.showErrorDetails", old)


# --------------------------------------------------------------------------- read


def walk(node) -> Iterator:  # noqa: ANN001 - an AppTest tree node
    """``node`` and every element below it."""
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from walk(child)


def tree_text(at: AppTest) -> str:
    """Every string of every element of the rendered page: the protobuf of each element
    (as text and as decoded bytes, so non-ASCII text is there as it is) and each element's
    value (a dataframe's cells included)."""
    parts = []
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
            with contextlib.suppress(Exception):
                parts.append(bytes(proto.SerializeToString()).decode("utf-8", "replace"))
        with contextlib.suppress(Exception):
            value = getattr(node, "value", None)
            if value is not None:
                parts.append(value.to_string() if hasattr(value, "to_string") else str(value))
    return "\n".join(parts)


def texts(at: AppTest) -> str:
    """The text of the page's text elements (markdown, captions, alerts, titles)."""
    return "\n".join(str(e.value) for kind in TEXT_KINDS for e in getattr(at, kind))


def exception_texts(at: AppTest) -> list[str]:
    return [f"{e.proto.type}: {e.proto.message} {list(e.proto.stack_trace)}" for e in at.exception]


def error_texts(at: AppTest) -> list[str]:
    return [e.proto.body for e in at.error]


def page_links(at: AppTest) -> list[str]:
    """The target of every ``st.page_link`` on the page."""
    return [node.proto.page for node in walk(at._tree)
            if getattr(node, "type", None) == "page_link"]


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


def core(path: Path, fn, *args, **kwargs):  # noqa: ANN001, ANN201
    """``fn(conn, ...)`` on the SQLite file, through the dashboard's own read-only engine:
    what the page should show, computed by the core."""
    engine = make_engine(parse_url(f"sqlite:///{path}"))
    try:
        with read(engine) as conn:
            return fn(conn, *args, **kwargs)
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- logs


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


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    """Streamlit's caches are process-wide, like a server's: page tests start empty."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def demo_file(isolated_env: Path) -> Path:
    """The embedded demo (KRA_DEMO_PATH), built as the app would build it."""
    from status_core import demo

    path = isolated_env / "demo.sqlite"
    demo.ensure_demo(path)
    return path


@pytest.fixture
def db_path(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where a test builds its collector database; ``DATABASE_URL`` points at it."""
    path = isolated_env / "collector.sqlite"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    return path
