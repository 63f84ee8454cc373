"""AppTest of the overview page (app.py): numbers, deep links, attention list, states."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from status_core import attention, demo
from status_core.engine import make_engine, read
from status_core.queries import progress_frame
from status_core.settings import parse_url
from status_core.states import cell_states, stage_texts, state_label
from tests.apptest_support import (
    app,
    metrics,
    ok,
    table,
    texts,
)
from tests.pgcluster import free_port
from tests.rows import kst_today, write_sqlite, ymd

pytestmark = pytest.mark.usefixtures("fresh_caches")
ROOT = Path(__file__).resolve().parent.parent
UTC = dt.UTC


# --------------------------------------------------------------------------- helpers


SHOWN_DATE = re.compile(r"\d{4}-\d{2}-\d{2} \((?:[월화수목금토일]|Mon|Tue|Wed|Thu|Fri|Sat|Sun)\)")


def stored_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """A table whose dates are shown in the one format (``2026-02-14 (토)``, checked) with
    them back as the stored ``YYYYMMDD``, to compare with the core's frames."""
    assert all(SHOWN_DATE.fullmatch(d) for d in frame["date"]), list(frame["date"])[:5]
    return frame.assign(date=[d[:10].replace("-", "") for d in frame["date"]])


def has_table(at: AppTest, column: str) -> bool:
    return any(column in f.value.columns for f in at.dataframe)


def sqlite_read(path: Path):  # noqa: ANN201
    return make_engine(parse_url(f"sqlite:///{path}"))


def last_weekday(weekday: int, before: dt.date) -> dt.date:
    """The latest ``weekday`` strictly before ``before``."""
    day = before - dt.timedelta(days=1)
    while day.weekday() != weekday:
        day -= dt.timedelta(days=1)
    return day


# --------------------------------------------------------------------------- demo


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_demo_numbers_equal_the_core(demo_file: Path, lang: str) -> None:
    at = ok(app(**({"lang": lang} if lang == "en" else {})).run())
    start, end = attention.default_range()
    engine = sqlite_read(demo_file)
    with read(engine) as conn:
        expected = progress_frame(conn, start, end)
    h = attention.headline(expected)
    shown = metrics(at)
    race_days = "Race days" if lang == "en" else "경주일"
    races = "Races" if lang == "en" else "경주"
    failed = "Failed races" if lang == "en" else "실패 경주"
    assert shown[race_days] == str(h["race_days"]) and shown[races] == str(h["races"])
    assert shown[failed] == str(h["failed_races"])
    assert f"{h['collected_pct']:.1f}%" in shown.values()
    got = stored_dates(table(at, "collected_pct")).sort_values(["date", "meet"]).reset_index(
        drop=True)
    cols = ["date", "meet", "total_races", "collected_races", "enriched_races",
            "result_collected", "failed_races", "collected_pct", "enriched_pct"]
    pd.testing.assert_frame_equal(got[cols], expected[cols], check_dtype=False)
    assert (got["last_updated"].dt.tz_convert("UTC") == expected["last_updated"]).all()
    # the honest states, not the collector API's values (those live on the race page)
    honest = cell_states(expected, now=dt.datetime.now(UTC), stalled_minutes=30)
    assert list(got["state"]) == list(honest["state"])
    assert list(got["state_label"]) == [state_label(s, lang) for s in honest["state"]]
    assert list(got["enrichment_text"]) == list(stage_texts(honest, "enrichment", lang))
    assert not {"status", "collection_status", "enrichment_status", "result_status"} & set(
        got.columns)
    assert "demo" in texts(at).lower() or "데모" in texts(at)
    assert len(at.get("download_button")) >= 2
    engine.dispose()


def test_demo_attention_shows_planted_stalled_and_results_missing(demo_file: Path) -> None:
    meta = demo.read_demo_meta(demo_file)
    data = demo.generate(int(meta["seed"]), now=demo.parse_ts(meta["generated_now"]))
    facts = data.facts
    days = [facts["stalled_day"][0], facts["results_missing_day"][0]]
    start, end = min(days), max(days)
    at = ok(app(start=start, end=end).run())
    rows = stored_dates(table(at, "kind"))
    kinds = {(d, m): k.split(",") for k, d, m in zip(rows["kinds"], rows["date"], rows["meet"],
                                                     strict=True)}
    assert len(kinds) == len(rows)  # one row per race day
    # the planted stalled day: its honest state (stalled while recent, incomplete once it is
    # older than yesterday), with the stuck job the demo leaves on it in the same row
    with read(sqlite_read(demo_file)) as conn:
        cells = cell_states(progress_frame(conn, start, end), now=dt.datetime.now(UTC),
                            stalled_minutes=30)
    state = cells.set_index(["date", "meet"]).loc[tuple(facts["stalled_day"]), "state"]
    assert state in ("stalled", "incomplete")
    assert state in kinds[tuple(facts["stalled_day"])]
    assert kinds[tuple(facts["results_missing_day"])][0] == "results_missing"
    links = set(rows["link"])
    assert f"race?date={facts['stalled_day'][0]}&meet={facts['stalled_day'][1]}" in links


def test_demo_attention_shows_planted_missing_days(demo_file: Path) -> None:
    meta = demo.read_demo_meta(demo_file)
    facts = demo.generate(int(meta["seed"]), now=demo.parse_ts(meta["generated_now"])).facts
    date, meet = facts["missing_days"][0]
    at = ok(app(start=date, end=date).run())
    rows = stored_dates(table(at, "kind"))
    assert ("missing", date, meet) in set(zip(rows["kind"], rows["date"], rows["meet"],
                                              strict=True))


# --------------------------------------------------------------------------- URL


def test_deep_link_selects_range_and_meets(demo_file: Path) -> None:
    end = kst_today() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=40)
    at = ok(app(start=ymd(start), end=ymd(end), meet=["1", "3"]).run())
    got = stored_dates(table(at, "collected_pct"))
    assert set(got["meet"]) <= {1, 3} and not got.empty
    assert got["date"].min() >= ymd(start) and got["date"].max() <= ymd(end)
    assert at.query_params["start"] == ymd(start) and at.query_params["end"] == ymd(end)
    assert at.query_params["meet"] == ["1", "3"]
    assert at.date_input(key="w_range").value == (start, end)
    assert at.multiselect(key="w_meets").value == [1, 3]
    with read(sqlite_read(demo_file)) as conn:
        expected = progress_frame(conn, ymd(start), ymd(end), [1, 3])
    assert metrics(at)["경주"] == str(int(expected["total_races"].sum()))


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"meet": "4"}, "meet '4'"),
        ({"start": "20260230", "end": "20260301"}, "20260230"),
        ({"start": "20260301", "end": "20260201"}, "after end"),
        ({"start": "yesterday", "end": "20260201"}, "not a date"),
        ({"start": "20260201"}, "go together"),
        ({"live": "7"}, "live"),
    ],
)
def test_invalid_params_warn_and_fall_back(demo_file: Path, params: dict, needle: str) -> None:
    at = ok(app(**params).run())
    warnings = " ".join(w.value for w in at.warning)
    assert needle in warnings
    start, end = attention.default_range()
    assert at.date_input(key="w_range").value == (attention.to_date(start),
                                                  attention.to_date(end))
    assert at.multiselect(key="w_meets").value == [1, 2, 3]
    # the URL carries the default shown instead of the bad value
    assert (at.query_params["start"], at.query_params["end"]) == (start, end)
    assert at.query_params["meet"] == ["1", "2", "3"]
    assert "live" not in at.query_params


def test_changing_pickers_changes_table_and_url(demo_file: Path) -> None:
    at = ok(app().run())
    end = kst_today() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=60)
    at.date_input(key="w_range").set_value((start, end))
    at.multiselect(key="w_meets").set_value([2])
    ok(at.run())
    assert at.query_params["start"] == ymd(start) and at.query_params["end"] == ymd(end)
    assert at.query_params["meet"] == "2"
    got = stored_dates(table(at, "collected_pct"))
    assert set(got["meet"]) == {2} and got["date"].min() >= ymd(start)
    # another rerun keeps the choice
    ok(at.run())
    assert at.query_params["meet"] == "2"
    assert at.multiselect(key="w_meets").value == [2]


def test_language_switch_changes_labels(demo_file: Path) -> None:
    at = ok(app().run())
    assert at.title[0].value == "KRA 수집 현황" and "경주일" in metrics(at)
    at.radio(key="lang_radio").set_value("en")
    ok(at.run())
    assert at.title[0].value == "KRA collection status" and "Race days" in metrics(at)
    assert at.query_params["lang"] == "en"
    assert "Needs attention" in [s.value for s in at.subheader]


def test_live_mode_from_url(demo_file: Path) -> None:
    at = ok(app(live="10").run())
    assert at.toggle(key="w_live").value is True
    assert at.select_slider(key="w_interval").value == 10
    assert any("10" in c.value and ("자동" in c.value or "auto" in c.value)
               for c in at.caption)
    at.toggle(key="w_live").set_value(False)
    ok(at.run())
    assert "live" not in at.query_params


# --------------------------------------------------------------------------- attention


def _day_rows(date: str, meet: int, n: int = 8, **kw) -> list[dict]:
    return [demo.race_row(date, meet, i, **kw) for i in range(1, n + 1)]


def test_attention_rows_for_built_data_and_not_otherwise(db_path: Path) -> None:
    today = kst_today()
    sat = last_weekday(5, today - dt.timedelta(days=7))   # a Saturday at least a week ago
    sun = sat + dt.timedelta(days=1)
    now = dt.datetime.now(UTC)
    races = (
        _day_rows(ymd(sat), 1)                                             # healthy
        + _day_rows(ymd(sun), 1, result="pending")                         # results missing
        + _day_rows(ymd(today), 3, n=4, collection="collected", enrichment="pending",
                    result="pending", updated_at=now - dt.timedelta(hours=2))  # stalled
    )
    write_sqlite(db_path, races)
    at = ok(app(start=ymd(sat), end=ymd(today), meet=["1", "3"]).run())
    rows = stored_dates(table(at, "kind"))
    kinds = {(k, d, m) for k, d, m in zip(rows["kind"], rows["date"], rows["meet"],
                                          strict=True)}
    assert ("results_missing", ymd(sun), 1) in kinds
    assert ("stalled", ymd(today), 3) in kinds
    assert ("failed", ymd(sat), 1) not in kinds
    # Busan-Gyeongnam usually races Fri/Sun: its Sunday is missing
    assert ("missing", ymd(sun), 3) in kinds
    # Seoul: only the usual days without data are missing, not the two stored days
    seoul_missing = {d for k, d, m in kinds if k == "missing" and m == 1}
    expected = attention.expected_days(ymd(sat), ymd(today), [1])
    assert seoul_missing == {d for d in expected["date"] if d < ymd(today)} - {ymd(sat),
                                                                                ymd(sun)}


def test_no_attention_rows_for_healthy_data(db_path: Path) -> None:
    today = kst_today()
    sat = last_weekday(5, today - dt.timedelta(days=7))
    sun = sat + dt.timedelta(days=1)
    write_sqlite(db_path, _day_rows(ymd(sat), 1) + _day_rows(ymd(sun), 1))
    at = ok(app(start=ymd(sat), end=ymd(sun), meet="1").run())
    assert not has_table(at, "kind")
    assert any("확인이 필요한 항목이 없습니다" in s.value for s in at.success)


def test_stalled_threshold_from_environment(db_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    today = kst_today()
    now = dt.datetime.now(UTC)
    write_sqlite(db_path, _day_rows(ymd(today), 1, n=4, collection="collected",
                                enrichment="pending", result="pending",
                                updated_at=now - dt.timedelta(minutes=45)))
    at = ok(app(start=ymd(today), end=ymd(today), meet="1").run())
    assert "stalled" in set(table(at, "kind")["kind"])
    st.cache_data.clear()
    monkeypatch.setenv("KRA_STALLED_MINUTES", "60")
    at = ok(app(start=ymd(today), end=ymd(today), meet="1").run())
    assert not has_table(at, "kind")


def test_bad_settings_in_environment_warn(db_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    write_sqlite(db_path)
    monkeypatch.setenv("KRA_USUAL_WEEKDAYS", "9=sat")
    monkeypatch.setenv("KRA_STALLED_MINUTES", "soon")
    at = ok(app().run())
    warnings = " ".join(w.value for w in at.warning)
    assert "KRA_USUAL_WEEKDAYS" in warnings and "KRA_STALLED_MINUTES" in warnings


# --------------------------------------------------------------------------- states


def test_empty_database(db_path: Path) -> None:
    write_sqlite(db_path)
    at = ok(app().run())
    assert any("경주가 하나도 없습니다" in w.value for w in at.warning)
    assert metrics(at)["경주"] == "0"


def test_range_without_races(db_path: Path) -> None:
    write_sqlite(db_path, _day_rows("20240106", 1))
    at = ok(app(lang="en").run())
    assert any("No races are stored in the selected range" in i.value for i in at.info)
    assert "20240106" in texts(at)


def test_unreachable_database(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql://u:p@127.0.0.1:{free_port()}/db")
    monkeypatch.setenv("KRA_CONNECT_TIMEOUT", "2")
    at = ok(app().run())
    assert at.error and "데이터베이스를 사용할 수 없습니다" in at.error[0].value
    assert ":p@" not in texts(at)


def test_bad_url_is_a_configuration_error(isolated_env: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://u:secretpw@host/db")
    at = ok(app(lang="en").run())
    assert at.error and "Database configuration error" in at.error[0].value
    assert "secretpw" not in texts(at)


def test_legacy_schema(db_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE races (id TEXT PRIMARY KEY, date TEXT, meet INT, "
                             "race_no INT, status TEXT)")
        conn.exec_driver_sql("CREATE TABLE collection_jobs (id TEXT, date TEXT, status TEXT)")
        conn.exec_driver_sql("INSERT INTO races VALUES ('x', '20260214', 1, 1, 'collected')")
    engine.dispose()
    at = ok(app(lang="en").run())
    assert at.error and "legacy" in at.error[0].value


def test_no_tables_at_all(db_path: Path) -> None:
    sa.create_engine(f"sqlite:///{db_path}").connect().close()
    at = ok(app().run())
    assert at.error


@pytest.mark.postgres
def test_postgres_numbers_equal_the_core(isolated_env: Path, pg_db,  # noqa: ANN001
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    data = demo.generate(now=dt.datetime.now(UTC), days=120)
    loader = sa.create_engine(pg_db.admin_url)
    with loader.begin() as conn:
        demo.load(conn, data)
    loader.dispose()
    monkeypatch.setenv("DATABASE_URL", pg_db.reader_url)
    at = ok(app().run())
    start, end = attention.default_range()
    engine = make_engine(parse_url(pg_db.reader_url))
    with read(engine) as conn:
        expected = progress_frame(conn, start, end)
    engine.dispose()
    got = stored_dates(table(at, "collected_pct")).sort_values(["date", "meet"]).reset_index(
        drop=True)
    assert list(got["total_races"]) == list(expected["total_races"])
    honest = cell_states(expected, now=dt.datetime.now(UTC), stalled_minutes=30)
    assert list(got["state"]) == list(honest["state"])
    assert metrics(at)["경주"] == str(int(expected["total_races"].sum()))


@pytest.mark.postgres
def test_postgres_legacy_schema(isolated_env: Path, pg_legacy_db,  # noqa: ANN001
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", pg_legacy_db.reader_url)
    at = ok(app(lang="en").run())
    assert at.error and "legacy" in at.error[0].value


# --------------------------------------------------------------------------- caching


def test_sessions_share_cached_queries(demo_file: Path) -> None:
    """A second viewer of the same view costs no query: the cache is process-wide."""
    from status_core.settings import resolve_target
    from ui.common import engine_for_target

    engine = engine_for_target(resolve_target())
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute",
                    lambda *args: statements.append(args[2]))
    ok(app().run())
    first = len(statements)
    assert first > 0
    ok(app().run())            # another session, same view
    assert len(statements) == first
    from ui import data

    data.clear()                # the refresh button
    ok(app().run())
    assert len(statements) > first


def test_cache_keys_follow_the_database(isolated_env: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    today = kst_today()
    sat = last_weekday(5, today)
    one = write_sqlite(isolated_env / "one.sqlite", _day_rows(ymd(sat), 1, n=5))
    two = write_sqlite(isolated_env / "two.sqlite", _day_rows(ymd(sat), 1, n=9))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{one}")
    assert metrics(ok(app(start=ymd(sat), end=ymd(sat)).run()))["경주"] == "5"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{two}")
    assert metrics(ok(app(start=ymd(sat), end=ymd(sat)).run()))["경주"] == "9"
