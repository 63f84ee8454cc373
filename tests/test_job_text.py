"""Long job texts are cut by the server: ``jobs_frame`` reads the first
``ERROR_PREVIEW`` characters of each error and its full length, ``job_text`` one job's
whole error. On SQLite (``substr``) and PostgreSQL (``left``)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from status_core import demo
from status_core.engine import read
from status_core.queries import ERROR_FULL_MAX, ERROR_PREVIEW, job_text, jobs_frame

T0 = dt.datetime(2026, 2, 14, 3, 0, tzinfo=dt.UTC)
ERRORS = {
    "none": None,
    "empty": "",
    "short": "HTTP 503",
    "at-the-cut": "e" * ERROR_PREVIEW,
    "one-over": "e" * ERROR_PREVIEW + "!",
    "hangul": "오류 " * 400,  # characters, not bytes, are counted
    "100kb": "Traceback\n" + "x" * 100_000,
    "over-the-full-max": "y" * (ERROR_FULL_MAX + 10),
}


def test_errors_are_cut_by_the_server_and_whole_on_demand(backend_db) -> None:  # noqa: ANN001
    rows = [demo.job_row(f"job-{name}", status="failed", created_at=T0 + dt.timedelta(seconds=i),
                         error_message=text) for i, (name, text) in enumerate(ERRORS.items())]
    engine, _ = backend_db(jobs=rows)
    try:
        with read(engine) as conn:
            frame = jobs_frame(conn).set_index("job_id")
            whole = {name: job_text(conn, f"job-{name}") for name in ERRORS}
            missing = job_text(conn, "no-such-job")
    finally:
        engine.dispose()
    assert missing is None
    for name, text in ERRORS.items():
        row = frame.loc[f"job-{name}"]
        if text is None:
            assert pd.isna(row["error_message"]) and pd.isna(row["error_length"])
            assert whole[name]["error_message"] is None and whole[name]["error_length"] is None
            continue
        assert row["error_message"] == text[:ERROR_PREVIEW], name
        assert row["error_length"] == len(text), name
        assert whole[name]["error_message"] == text[:ERROR_FULL_MAX], name
        assert whole[name]["error_length"] == len(text), name


@pytest.mark.parametrize("limit", [1, 500])
def test_the_frame_never_holds_more_than_the_previews(backend_db, limit: int) -> None:  # noqa: ANN001
    rows = [demo.job_row(f"big-{i}", status="failed", created_at=T0 + dt.timedelta(minutes=i),
                         error_message=f"{i} " + "z" * 50_000) for i in range(20)]
    engine, _ = backend_db(jobs=rows)
    try:
        with read(engine) as conn:
            frame = jobs_frame(conn, limit=limit)
    finally:
        engine.dispose()
    assert len(frame) == min(limit, 20)
    assert frame["error_message"].map(len).max() == ERROR_PREVIEW
    assert (frame["error_length"] > ERROR_PREVIEW).all()
