"""The reliability page in AppTest: its numbers are the core's, its choices live in the URL,
and the demo's story (a rate-limited week, then a fix) is there to see.

The demo story's data is read on the embedded SQLite demo and, the same rows loaded, on
PostgreSQL; the page and :mod:`status_core.reliability` must show the same numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from status_core import demo
from status_core import reliability as rel
from status_core.domain import KST
from status_core.engine import make_engine, read
from status_core.inputs import to_date
from status_core.reliability.periods import period_start_of
from status_core.settings import parse_url
from status_core.text import t
from tests.apptest_support import app, ok, table, texts
from ui import filters
from ui.cells import pattern_shown
from ui.reliability import W_DEADLINE, W_GROUP, W_STEP

pytestmark = pytest.mark.usefixtures("fresh_caches")
PAGE = "reliability"
Core = Callable[..., object]

# Per table: a column only it has, and the core columns it must show unchanged.
TABLES = {
    "completion": ("done_pct", ["period", "period_start", "period_end", "meet", "race_days",
                                *rel.COMPLETION_BUCKETS,
                                *(f"{b}_share" for b in rel.COMPLETION_BUCKETS)]),
    "timeliness": ("on_time_pct", ["period", "step", "race_days", "complete_days",
                                   "median_hours", "p90_hours", "on_time_days", "late_days",
                                   "open_days", "on_time_share"]),
    "failures": ("failed_days", ["period", "race_days", "failed_days", "collection_failed",
                                 "enrichment_failed", "result_failed", "failed_races"]),
    "errors": ("example", ["period", "pattern", "jobs", "rank", "example", "types"]),
    "jobs": ("failure_pct", ["period", "type", "jobs", "failed", "failure_rate", "retries",
                             "timed", "p50_s", "p90_s"]),
    "stuck": ("longest_minutes", ["period", "period_start", "period_end", "stuck"]),
}


def core_frames(run: Core, start: str, end: str, *, meets=None, grouping="week",  # noqa: ANN001
                step="all", deadline=rel.DEFAULT_DEADLINE_HOURS) -> dict[str, pd.DataFrame]:
    """What the page should show, computed by the core on the same database."""
    common = {"meets": meets, "grouping": grouping}
    days = run(rel.timeliness_days, start, end, **common, deadline_hours=deadline)
    summary = rel.summarise_timeliness(days, start, end, grouping)
    return {
        "completion": run(rel.completion, start, end, **common),
        "timeliness": summary[summary["step"] == step],
        "failures": run(rel.failures, start, end, **common),
        "errors": run(rel.error_groups_by_period, start, end, **common)[0],
        "jobs": run(rel.jobs_by_type, start, end, **common),
        "stuck": run(rel.stuck_jobs_over_time, start, end, **common),
    }


def assert_same_numbers(at: AppTest, expected: dict[str, pd.DataFrame]) -> None:
    for name, (marker, columns) in TABLES.items():
        want = expected[name].reset_index(drop=True)
        if name == "errors" and want.empty:
            assert t("rel.errors_none", "ko") in texts(at)
            continue
        got = table(at, marker).reset_index(drop=True)
        if name == "errors":  # the page shows the placeholders as words (<n> as #)
            lang = at.query_params.get("lang", "ko")
            want = want.assign(pattern=[pattern_shown(p, lang) for p in want["pattern"]])
        if name == "stuck":  # the current period is counted at "now", a moment apart
            got, want = got.iloc[:-1], want.iloc[:-1]
        pd.testing.assert_frame_equal(got[columns], want[columns], check_dtype=False,
                                      obj=name)


@pytest.fixture(params=["sqlite", "postgres"])
def story_db(request, isolated_env: Path, monkeypatch) -> Iterator[tuple[Core, dict]]:  # noqa: ANN001
    """The demo's story on each backend: ``(run, facts)`` where ``run(fn, ...)`` calls a
    core function on the database the page reads."""
    if request.param == "sqlite":
        path = isolated_env / "demo.sqlite"
        data = demo.build_demo_file(path, now=dt.datetime.now(dt.UTC))
        url = f"sqlite:///{path}"
    else:
        pg_db = request.getfixturevalue("pg_db")
        data = demo.generate(now=dt.datetime.now(dt.UTC), days=180)
        loader = sa.create_engine(pg_db.admin_url)
        with loader.begin() as conn:
            demo.load(conn, data)
        loader.dispose()
        url = pg_db.reader_url
        monkeypatch.setenv("DATABASE_URL", url)
    engine = make_engine(parse_url(url))

    def run(fn: Callable, *args: object, **kwargs: object) -> object:
        with read(engine) as conn:
            return fn(conn, *args, **kwargs)

    yield run, data.facts
    engine.dispose()


def test_default_view_is_twelve_weeks_and_equals_the_core(story_db) -> None:  # noqa: ANN001
    run, _facts = story_db
    at = ok(app(PAGE).run())
    start, end = rel.default_range()
    # the default range is written (it moves with the clock); the other defaults are not
    assert dict(at.query_params) == {"start": start, "end": end, "meet": ["1", "2", "3"]}
    assert at.session_state[filters.W_RANGE] == (to_date(start),
                                                 to_date(end))
    assert len(table(at, "done_pct")["period"].unique()) == 12
    assert_same_numbers(at, core_frames(run, start, end))


def test_the_demo_story_shows(story_db) -> None:  # noqa: ANN001
    """A rate-limited week: failed race days, 429 errors on top, no day on time; after the
    fix the results come hours earlier than before it."""
    _run, facts = story_db
    at = ok(app(PAGE, step="result").run())
    week = min(d for d, _ in facts["rate_limited_days"])
    monday = period_start_of(to_date(week), "week")
    period = f"{monday:%Y%m%d}"
    completion = table(at, "done_pct")
    bad = completion[completion["period"] == period]
    assert bad["failed"].sum() >= len(facts["rate_limited_days"])
    errors = table(at, "example")
    top = errors[(errors["period"] == period) & (errors["rank"] == 1)].iloc[0]
    assert top["pattern"] == "# Too Many Requests from apis.data.go.kr"
    assert top["jobs"] >= 2 * len(facts["rate_limited_days"])
    timeliness = table(at, "on_time_pct").set_index("period")
    assert timeliness.loc[period, "on_time_days"] == 0
    fix = facts["results_fix_date"]
    before = timeliness[(timeliness.index < period) & timeliness["median_hours"].notna()]
    after = timeliness[(timeliness.index >= fix) & timeliness["median_hours"].notna()]
    assert len(before) >= 3 and len(after) >= 3
    assert after["median_hours"].max() < 24 < before["median_hours"].min()


@pytest.mark.parametrize(("params", "grouping", "meets", "step", "deadline"), [
    ({"group": "month", "meet": "1"}, "month", [1], "all", 33.0),
    ({"meet": ["2", "3"], "step": "result", "deadline": "24"}, "week", [2, 3], "result", 24.0),
    ({"group": "week", "step": "collection", "deadline": "9.5"}, "week", None,
     "collection", 9.5),
])
def test_choices_from_the_url(demo_file: Path, params: dict, grouping: str, meets, step: str,  # noqa: ANN001
                              deadline: float) -> None:
    end = dt.datetime.now(dt.UTC).astimezone(KST).date()
    start = end - dt.timedelta(days=70)
    query = {"start": f"{start:%Y%m%d}", "end": f"{end:%Y%m%d}", **params}
    at = ok(app(PAGE, query).run())
    assert at.radio(key=W_GROUP).value == grouping and at.radio(key=W_STEP).value == step
    assert at.number_input(key=W_DEADLINE).value == deadline
    assert rel.deadline_label(deadline) in texts(at)
    for key, value in query.items():  # the URL keeps what it said, defaults left out
        want = None if (key, value) == ("group", "week") else value
        assert at.query_params.get(key) == want, key

    def run(fn: Callable, *args: object, **kwargs: object) -> object:
        engine = make_engine(parse_url(f"sqlite:///{demo_file}"))
        try:
            with read(engine) as conn:
                return fn(conn, *args, **kwargs)
        finally:
            engine.dispose()

    assert_same_numbers(at, core_frames(run, query["start"], query["end"], meets=meets,
                                        grouping=grouping, step=step, deadline=deadline))
    assert set(table(at, "done_pct")["meet"]) == set(meets or (1, 2, 3))


def test_widgets_change_the_view_and_the_url(demo_file: Path) -> None:
    at = ok(app(PAGE).run())
    weeks = table(at, "done_pct")["period"].nunique()
    at.radio(key=W_GROUP).set_value("month")
    ok(at.run())
    assert at.query_params["group"] == "month"
    periods = table(at, "done_pct")["period"].unique()
    assert all(p.endswith("01") for p in periods) and len(periods) < weeks
    at.multiselect(key=filters.W_MEETS).set_value([1, 3])
    ok(at.run())
    assert at.query_params["meet"] == ["1", "3"]
    assert set(table(at, "done_pct")["meet"]) == {1, 3}
    first, last = dt.date(2026, 1, 5), dt.date(2026, 2, 1)
    at.date_input(key=filters.W_RANGE).set_value((first, last))
    ok(at.run())
    assert (at.query_params["start"], at.query_params["end"]) == ("20260105", "20260201")
    assert list(table(at, "done_pct")["period"].unique()) == ["20260101", "20260201"]
    at.number_input(key=W_DEADLINE).set_value(24.0)
    at.radio(key=W_STEP).set_value("result")
    ok(at.run())
    assert at.query_params["deadline"] == "24" and at.query_params["step"] == "result"
    assert set(table(at, "on_time_pct")["step"]) == {"result"}
    assert "D+1 00:00" in texts(at)
    at.radio(key=W_GROUP).set_value("week")
    ok(at.run())
    assert "group" not in at.query_params  # back to the default: out of the URL


def test_every_row_links_to_its_race_days(demo_file: Path) -> None:
    at = ok(app(PAGE, meet="3").run())
    completion = table(at, "done_pct")
    for row in completion.itertuples():
        query = parse_qs(urlsplit(row.link).query)
        assert urlsplit(row.link).path in ("", "./")  # the overview
        assert query == {"start": [row.period_start], "end": [row.period_end], "meet": ["3"]}
    jobs = table(at, "failure_pct")
    row = jobs.iloc[0]
    assert urlsplit(row["link"]).path == "jobs"
    assert parse_qs(urlsplit(row["link"]).query) == {
        "start": [row["period_start"]], "end": [row["period_end"]], "meet": ["3"],
        "type": [row["type"]]}
    days = table(at, "deadline")
    assert all(urlsplit(link).path == "race" for link in days["link"])


@pytest.mark.parametrize(("params", "needle"), [
    ({"group": "daily"}, "grouping 'daily'"),
    ({"deadline": "soon"}, "deadline 'soon'"),
    ({"deadline": "0"}, "deadline '0'"),
    ({"step": "payout"}, "step 'payout'"),
    ({"start": "20261301", "end": "20261302"}, "not a real calendar date"),
])
def test_bad_url_values_warn_and_fall_back(demo_file: Path, params: dict, needle: str) -> None:
    at = ok(app(PAGE, params).run())
    assert needle in " ".join(w.value for w in at.warning)
    start, end = rel.default_range()
    for key in params:  # the bad value is gone; the range shown is written
        assert at.query_params.get(key) == {"start": start, "end": end}.get(key), key
    assert table(at, "done_pct")["period"].nunique() == 12  # the default view


def test_english(demo_file: Path) -> None:
    at = ok(app(PAGE, lang="en").run())
    assert at.title[0].value.endswith("Reliability")
    assert [s.value for s in at.subheader] == [t(k, "en") for k in (
        "rel.completion", "rel.timeliness", "rel.failures", "rel.jobs")]
