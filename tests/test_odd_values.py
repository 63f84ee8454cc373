"""Stored values the column types allow but nobody expects, on the real PostgreSQL cluster.

Each case loads ordinary rows plus one kind of odd value (infinite or extreme timestamps,
dates that are not real days or not ``YYYYMMDD``, odd JSON in ``jobs.parameters``, NULL
statuses) and walks every surface: the overview, the race page opened by the link the
overview gives (or by ``?stored=`` for a cell no range can list), the jobs page,
``kra-status status --json`` and ``kra-status check --json``. Each must work: no exception
element, no traceback on the page or in the logs, the database never blamed, and the
numbers equal to the SCHEMA.md rules computed by hand below.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import pytest
from psycopg.types.json import Jsonb

from status_core.domain import format_date
from status_core.text import t
from tests.apptest_support import (
    app,
    find_table,
    logged_tracebacks,
    metrics,
    streamlit_logs,
    table,
    texts,
)
from tests.cli_support import run_cli_inprocess
from tests.pgcluster import assert_no_secret
from tests.rows import make_job, make_race, write_sqlite

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("fresh_caches")]
RACE = "pages/1_race.py"
JOBS = "pages/2_jobs.py"
DAY, TS_DAY = "20260214", "20260221"
BLAME = t("error.database", "ko")


def race(date: str, meet: int, n: int, coll: str | None = "pending", enr: str | None = "pending",
         res: str | None = "pending", updated: str = "2026-02-14 10:00:00+09", **kw) -> dict:
    return make_race(date, meet, n, race_id=f"{date or 'empty'}_{meet}_{n}",
                     collection_status=coll, enrichment_status=enr, result_status=res,
                     updated_at=updated, **kw)


BASE_RACES = (
    race(DAY, 1, 1, "enriched", "enriched", "collected", "2026-02-14 10:00:00+09"),
    race(DAY, 1, 2, "collected", "pending", "pending", "2026-02-14 11:00:00+09"),
    race(DAY, 1, 3, "failed", "failed", "failed", "2026-02-14 09:00:00+09"),
)
BASE_JOBS = (
    make_job("job-ok", status="completed", parameters={"race_date": DAY, "meet": 1}),
    make_job("job-failed", status="failed", parameters={"race_date": DAY, "meet": 1},
             error_message="KRA API 429 Too Many Requests"),
)


def ts_cell(value: str) -> tuple[dict, ...]:
    """A cell on TS_DAY whose second race carries ``value`` in every time column."""
    return (race(TS_DAY, 1, 1, "collected", updated="2026-02-21 10:00:00+09"),
            race(TS_DAY, 1, 2, "enriched", "enriched", updated=value, collected_at=value,
                 enriched_at=value))


def ts_jobs(value: str) -> tuple[dict, ...]:
    return (make_job("job-odd-time", status="processing", created_at=value, started_at=value,
                     parameters={"race_date": DAY, "meet": 1}),
            make_job("job-odd-done", status="completed", created_at=value, started_at=value,
                     completed_at=value, error_message="odd time"))


@dataclass(frozen=True)
class Odd:
    id: str
    races: tuple[dict, ...] = ()
    jobs: tuple[dict, ...] = ()
    cell: tuple[str, int] | None = None  # the odd cell to open and count
    window: tuple[str, str] = ("20260201", "20260228")  # the overview's range
    last_updated: str | None = None  # of the odd cell, as --json prints it
    in_race_jobs: tuple[str, ...] = ()  # job ids the race page of DAY/1 must list
    extra: dict = field(default_factory=dict)


CASES = [
    Odd("date-impossible", (race("20261131", 1, 1, "collected"), race("20261131", 1, 2)),
        cell=("20261131", 1), window=("20261101", "20261201")),
    # races.date is varchar(8): "2026-02-14" cannot be stored in PostgreSQL (the SQLite
    # test below has it); "2026-2-1" can.
    Odd("date-dashed", (race("2026-2-1", 1, 1, "collected"), race("2026-2-1", 1, 2)),
        cell=("2026-2-1", 1), window=("20251201", "20260301")),
    Odd("date-seven-digits", (race("2026214", 2, 1, "failed"),), cell=("2026214", 2),
        window=("20260101", "20261231")),
    Odd("date-letters", (race("abcdefgh", 2, 1, "enriched", "enriched"),),
        cell=("abcdefgh", 2)),
    Odd("date-1899", (race("18991231", 3, 1, "collected"),), cell=("18991231", 3)),
    Odd("date-2101", (race("21010101", 3, 1),), cell=("21010101", 3)),
    Odd("date-empty", (race("", 1, 1, "collected", "failed"),), cell=("", 1)),
    Odd("ts-infinity", ts_cell("infinity"), cell=(TS_DAY, 1), last_updated="infinity",
        extra={"shown": "∞"}),
    Odd("ts-minus-infinity", ts_cell("-infinity"), cell=(TS_DAY, 1),
        last_updated="2026-02-21T10:00:00+09:00", extra={"shown": "-∞"}),
    Odd("ts-9999", ts_cell("9999-12-31"), cell=(TS_DAY, 1),
        last_updated="9999-12-31T09:00:00+09:00"),
    Odd("ts-0001", ts_cell("0001-01-01"), cell=(TS_DAY, 1),
        last_updated="2026-02-21T10:00:00+09:00"),
    Odd("races-null-statuses", (race(TS_DAY, 3, 1, None, None, None),
                                race(TS_DAY, 3, 2, "collected", None, None)),
        cell=(TS_DAY, 3)),
    Odd("jobs-ts-infinity", jobs=ts_jobs("infinity"), in_race_jobs=("job-odd-time",)),
    Odd("jobs-ts-minus-infinity", jobs=ts_jobs("-infinity")),
    Odd("jobs-ts-9999", jobs=ts_jobs("9999-12-31")),
    Odd("jobs-ts-0001", jobs=ts_jobs("0001-01-01")),
    Odd("params-meet-float", jobs=(make_job("p", parameters={"race_date": DAY, "meet": 1.5}),)),
    Odd("params-meet-text", jobs=(make_job("p", parameters={"race_date": DAY, "meet": "1"}),),
        in_race_jobs=("p",)),
    Odd("params-date-number", jobs=(make_job("p", parameters={"race_date": 20260214,
                                                              "meet": 1}),),
        in_race_jobs=("p",)),
    Odd("params-array", jobs=(make_job("p", parameters=[1, 2]),)),
    Odd("params-nested", jobs=(make_job("p", parameters={"race_date": {"y": 2026},
                                                         "meet": [1]}),)),
    Odd("params-json-string", jobs=(make_job("p", parameters=Jsonb("text")),)),
    Odd("params-json-null", jobs=(make_job("p", parameters=Jsonb(None)),)),
    Odd("params-sql-null", jobs=(make_job("p", parameters=None),)),
    Odd("jobs-null-status", jobs=(make_job("p", status=None, parameters={"meet": 1}),
                                  make_job("q", status=None))),
]


# --------------------------------------------------------------------------- by hand


def expected_cell(rows: list[dict], date: str, meet: int) -> dict:
    """The SCHEMA.md summary of one date x meet, written out rule by rule (NULL counts as
    pending because it equals none of the values compared with)."""
    cell = [r for r in rows if r["date"] == date and r["meet"] == meet]
    total = len(cell)
    coll = [r["collection_status"] for r in cell]
    enr = [r["enrichment_status"] for r in cell]
    res = [r["result_status"] for r in cell]
    collected = sum(s in ("collected", "enriched") for s in coll)
    enriched = sum(s == "enriched" for s in enr)
    results = sum(s == "collected" for s in res)
    all_failed = total > 0 and all(s == "failed" for s in coll)
    if total == 0:
        status = "pending"
    elif enriched == total:
        status = "completed"
    elif all_failed and collected == 0:
        status = "failed"
    elif collected > 0 or enriched > 0:
        status = "running"
    else:
        status = "pending"

    def part(values: list, failed_none: bool, some: bool, word: str) -> str:
        if total == 0:
            return "pending"
        if all(v == "failed" for v in values) and failed_none:
            return "failed"
        return word if some else "pending"

    return {
        "date": date, "meet": meet, "total_races": total, "collected_races": collected,
        "enriched_races": enriched, "status": status,
        "collection_status": part(coll, collected == 0, collected > 0, "collected"),
        "enrichment_status": part(enr, enriched == 0, enriched > 0, "enriched"),
        "result_status": part(res, results == 0, results > 0, "collected"),
    }


def expected_job_counts(jobs: list[dict]) -> dict[str, int]:
    out: dict[str, int] = {}
    for job in jobs:
        key = "none" if job["status"] is None else job["status"]
        out[key] = out.get(key, 0) + 1
    return out


def label(date: str, lang: str = "ko") -> str:
    """How the overview shows a stored date (ko): a real day in 1990-2100 in the one date
    format (``2026-02-14 (토)``), anything else marked."""
    try:
        real = (len(date) == 8 and date.isascii() and date.isdigit()
                and 1990 <= dt.date(int(date[:4]), int(date[4:6]), int(date[6:])).year <= 2100)
    except ValueError:
        real = False
    if real:
        day = dt.date(int(date[:4]), int(date[4:6]), int(date[6:]))
        return format_date(day, lang)
    return f"⚠ {date if date.strip() else repr(date)} (날짜 아님)"


# --------------------------------------------------------------------------- drivers


def run_page(at, logs: list) -> object:  # noqa: ANN001
    """Run ``at`` and assert it worked: no exception, no traceback anywhere, no database
    blamed, no secret."""
    before = len(logs)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    assert "Traceback" not in shown
    assert not at.error, [e.value for e in at.error]
    assert BLAME not in shown
    assert not logged_tracebacks(logs[before:]), logged_tracebacks(logs[before:])
    assert_no_secret(shown)
    return at


def cli(*argv: str) -> tuple[int, str, str]:
    code, out, err = run_cli_inprocess(*argv)
    assert "Traceback" not in err
    assert_no_secret(out + err)
    return code, out, err


def race_metrics(at) -> tuple[str, str, str]:  # noqa: ANN001
    """Total, collected and enriched races as the race page's collector API block shows
    them (the same JSON as ``kra-status status --json``)."""
    (block,) = at.json
    shown = json.loads(block.value)
    return (str(shown["total_races"]), str(shown["collected_races"]),
            str(shown["enriched_races"]))


def summary_numbers(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "last_updated"}


@pytest.fixture
def loaded(pg_db, monkeypatch, tmp_path):  # noqa: ANN001, ANN201
    """``load(races, jobs)`` fills the fresh database and points the dashboard at it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", pg_db.reader_url)
    monkeypatch.setenv("KRA_DEMO_PATH", str(tmp_path / "demo.sqlite"))

    def load(races, jobs) -> None:  # noqa: ANN001
        pg_db.load(races=list(races), jobs=list(jobs))

    return load


# --------------------------------------------------------------------------- the table


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_every_surface_reads_odd_stored_values(case: Odd, loaded) -> None:  # noqa: ANN001
    rows = [*BASE_RACES, *case.races]
    jobs = [*BASE_JOBS, *case.jobs]
    loaded(rows, jobs)
    start, end = case.window
    cells = sorted({(r["date"], r["meet"]) for r in rows if start <= r["date"] <= end})
    with streamlit_logs() as logs:
        overview = run_page(app(start=start, end=end), logs)
        shown = metrics(overview)
        assert shown["경주"] == str(sum(expected_cell(rows, *c)["total_races"] for c in cells))
        progress = find_table(overview, "collected_pct")
        assert progress is not None
        listed = {(d, int(m)): link for d, m, link in
                  zip(progress["date"], progress["meet"], progress["link"], strict=True)}
        assert sorted(listed) == sorted((label(d), m) for d, m in cells)
        to_open = [(c, dict(parse_qsl(urlsplit(listed[(label(c[0]), c[1])]).query,
                                      keep_blank_values=True))) for c in cells]
        if case.cell and case.cell not in cells:  # no range can list it: the stored form
            to_open.append((case.cell, {"stored": case.cell[0], "meet": str(case.cell[1])}))
        for (date, meet), params in to_open:
            page = run_page(app(RACE, **params), logs)
            want = expected_cell(rows, date, meet)
            assert race_metrics(page) == (str(want["total_races"]),
                                          str(want["collected_races"]),
                                          str(want["enriched_races"])), (date, params)
            assert len(table(page, "race_number")) == want["total_races"]
            assert ("stored" in params) == label(date).startswith("⚠"), params
            if (date, meet) == (DAY, 1):
                race_jobs = set(table(page, "error_message")["job_id"])
                assert set(case.in_race_jobs) <= race_jobs
            if case.extra.get("shown") and (date, meet) == case.cell:
                assert case.extra["shown"] in list(table(page, "race_number")["updated_at"])
        jobs_page = run_page(app(JOBS), logs)
    counts = expected_job_counts(jobs)
    shown = metrics(jobs_page)
    for status, n in counts.items():
        labelled = [v for k, v in shown.items()
                    if k.split(" · ")[0] == t(f"job.{status}", "ko")]
        assert labelled == [str(n)], (status, shown)
    assert sum(int(v) for v in shown.values()) == len(jobs)
    check_cli(case, rows, jobs, cells)


def check_cli(case: Odd, rows: list[dict], jobs: list[dict], cells: list) -> None:
    """``kra-status status --json`` (range and one cell) and ``check --json``."""
    start, end = case.window
    code, out, err = cli("status", "--start", start, "--end", end, "--json")
    assert code == 0, err
    got = json.loads(out)
    assert [summary_numbers(r) for r in got] == [expected_cell(rows, *c) for c in cells]
    if case.cell:
        date, meet = case.cell
        form = "--date" if label(date) == date else "--stored-date"
        code, out, err = cli("status", form, date, "--meet", str(meet), "--json")
        assert code == 0, err
        record = json.loads(out)
        assert summary_numbers(record) == expected_cell(rows, date, meet)
        if case.last_updated:
            assert record["last_updated"] == case.last_updated
        code, out, err = cli("status", form, date, "--meet", str(meet))
        assert code == 0 and label(date, "en").replace("날짜 아님", "invalid date") in out, out
    real = case.cell and not label(case.cell[0]).startswith("⚠")
    day, meet = case.cell if real else (DAY, 1)
    code, out, err = cli("check", "--json", "--date", day, "--meet", str(meet),
                         "--timeout", "60")
    report = json.loads(out)
    steps = {s["name"]: s for s in report["steps"]}
    assert not [s["name"] for s in report["steps"] if s["outcome"] == "fail"], report
    assert steps["status"]["outcome"] == "ok", steps["status"]
    assert summary_numbers(report["collection_status"]) == expected_cell(rows, day, meet)
    if case.last_updated and (day, meet) == case.cell:
        assert report["collection_status"]["last_updated"] == case.last_updated
    assert report["job_status_counts"] == dict(sorted(expected_job_counts(jobs).items()))
    assert code == 0, report["cause"]


# --------------------------------------------------------------------------- URL values

LONG = "9" * 5000
URL_RACES = (*BASE_RACES, race("20261131", 1, 1, "collected"), race("2026-2-1", 1, 1))


@dataclass(frozen=True)
class Url:
    id: str
    page: str
    params: dict
    mentions: str = ""  # a word the input warning must contain


URL_CASES = [
    Url("live-superscript", "overview", {"live": "²"}),
    Url("live-arabic-indic", "overview", {"live": "٣"}),
    Url("live-arabic-indic-30", "overview", {"live": "٣٠"}),
    Url("live-race", RACE, {"live": "²"}),
    Url("live-jobs", JOBS, {"live": "²"}),
    Url("live-huge", "overview", {"live": LONG}),
    Url("range-fullwidth", "overview", {"start": "２０２６０２０１", "end": "２０２６０２２８"},
        "ASCII"),
    Url("date-fullwidth", RACE, {"date": "２０２６０２１４", "meet": "1"}, "ASCII"),
    Url("date-arabic-indic", RACE, {"date": "٢٠٢٦٠٢١٤", "meet": "1"}, "ASCII"),
    Url("date-slashes", RACE, {"date": "2026/02/14", "meet": "1"}, "YYYY-MM-DD"),
    Url("date-huge", RACE, {"date": LONG, "meet": "1"}),
    Url("stored-huge", RACE, {"stored": LONG, "meet": "1"}),
    Url("stored-nul", RACE, {"stored": "2026\x000214", "meet": "1"}),
    Url("date-impossible", RACE, {"date": "20261131", "meet": "1"}, "?stored="),
    Url("date-and-stored", RACE, {"date": DAY, "stored": DAY, "meet": "1"}, "stored"),
    Url("jobs-race-date-fullwidth", JOBS, {"race_date": "２０２６０２１４"}, "ASCII"),
]


@pytest.fixture(scope="module")
def url_db(pg_cluster):  # noqa: ANN001, ANN201
    db = pg_cluster.database()
    db.load(races=list(URL_RACES), jobs=list(BASE_JOBS))
    yield db
    db.drop()


@pytest.fixture
def on_url_db(url_db, monkeypatch, tmp_path):  # noqa: ANN001, ANN201
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url_db.reader_url)
    monkeypatch.setenv("KRA_DEMO_PATH", str(tmp_path / "demo.sqlite"))
    return url_db


@pytest.mark.parametrize("case", URL_CASES, ids=[c.id for c in URL_CASES])
def test_bad_url_values_warn_and_fall_back(case: Url, on_url_db) -> None:  # noqa: ANN001
    with streamlit_logs() as logs:
        at = run_page(app(None if case.page == "overview" else case.page, **case.params), logs)
    warnings = [w.value for w in at.warning if t("error.input", "ko") in w.value]
    assert warnings, case.id
    assert case.mentions in "\n".join(warnings)
    assert LONG not in texts(at)
    if "live" in case.params:
        assert at.toggle(key="w_live").value is False
    if case.page == RACE:  # the fallback is the latest real race day, never another text
        assert at.date_input(key="w_day").value == dt.date(2026, 2, 14)
        assert race_metrics(at) == ("3", "2", "1")


@pytest.mark.parametrize(("params", "shown", "url"), [
    ({"date": "2026-02-14", "meet": "1"}, ("3", "2", "1"), {"date": DAY, "meet": "1"}),
    ({"date": DAY, "meet": "1"}, ("3", "2", "1"), {"date": DAY, "meet": "1"}),
    ({"stored": DAY, "meet": "1"}, ("3", "2", "1"), {"date": DAY, "meet": "1"}),
    ({"stored": "20261131", "meet": "1"}, ("1", "1", "0"), {"stored": "20261131", "meet": "1"}),
    ({"stored": "2026-2-1", "meet": "1"}, ("1", "0", "0"), {"stored": "2026-2-1", "meet": "1"}),
    ({"stored": "2026-2-1", "meet": "2"}, ("0", "0", "0"), {"stored": "2026-2-1", "meet": "2"}),
], ids=["iso-typed", "yyyymmdd", "stored-real-day", "stored-impossible", "stored-dashed",
        "stored-empty-cell"])
def test_a_cell_opens_by_its_exact_text(params, shown, url, on_url_db) -> None:  # noqa: ANN001
    with streamlit_logs() as logs:
        at = run_page(app(RACE, **params), logs)
    assert not [w for w in at.warning if t("error.input", "ko") in w.value]
    assert race_metrics(at) == shown
    assert {k: at.query_params[k] for k in ("date", "stored", "meet")
            if k in at.query_params} == url
    stored_note = t("race.stored_cell", "ko").split("{text}")[-1][:20]
    assert (stored_note in texts(at)) == ("stored" in url)
    if "stored" in url:
        assert at.date_input(key="w_day").value is None
    if params.get("date", DAY) != DAY:  # a typed ISO date says how it was read
        assert "2026-02-14" in texts(at) and DAY in texts(at)


def test_defaults_skip_stored_dates_that_are_no_days(on_url_db) -> None:  # noqa: ANN001
    """20261131 is the latest stored date; the race page's default and the overview's
    "latest data" hint use the latest real day instead, without failing."""
    with streamlit_logs() as logs:
        race_page = run_page(app(RACE), logs)
        assert race_page.date_input(key="w_day").value == dt.date(2026, 2, 14)
        empty = run_page(app(start="20250101", end="20250131"), logs)
    assert t("overview.latest_hint", "ko", date=DAY) in texts(empty)


def test_only_stored_dates_that_are_no_days(loaded) -> None:  # noqa: ANN001
    rows = [race("20261131", 2, 1, "collected"), race("20261131", 2, 2)]
    loaded(rows, [])
    with streamlit_logs() as logs:
        race_page = run_page(app(RACE), logs)
        empty = run_page(app(start="20250101", end="20250131"), logs)
    assert race_metrics(race_page) == ("2", "1", "0")
    assert race_page.query_params.get("stored") in (None, "20261131")  # default: no URL
    assert "20261131" in texts(empty) and "날짜 아님" in texts(empty)


@pytest.mark.parametrize(("argv", "code", "said"), [
    (("--date", "２０２６０２１４"), 2, "ASCII"),
    (("--date", "2026/02/14"), 2, "YYYY-MM-DD"),
    (("--date", "20261131"), 2, "--stored-date"),
    (("--date", "2026-02-14"), 0, '"total_races": 3'),
    (("--stored-date", "2026-2-1"), 0, '"total_races": 1'),
    (("--stored-date", "20261131"), 0, '"date": "20261131"'),
    (("--stored-date", LONG), 2, "at most 64"),
    (("--stored-date", "x", "--date", DAY), 2, "not both"),
])
def test_cli_dates(argv, code, said, on_url_db) -> None:  # noqa: ANN001
    got, out, err = cli("status", *argv, "--meet", "1", "--json")
    assert got == code, err
    assert said in out + err
    assert LONG not in out + err


# --------------------------------------------------------------------------- SQLite demo


def test_sqlite_text_values(db_path, monkeypatch) -> None:  # noqa: ANN001
    """SQLite keeps whatever text it is given: "infinity" times, a ten-character dashed
    date, JSON that is a bare string, no status at all."""
    import sqlite3


    write_sqlite(db_path)
    with sqlite3.connect(db_path) as conn:
        conn.executemany(
            "INSERT INTO races (race_id, date, meet, race_number, collection_status, "
            "enrichment_status, result_status, updated_at, warnings) VALUES (?,?,?,?,?,?,?,?,?)",
            [("a", DAY, 1, 1, "collected", "pending", "pending", "infinity", "[]"),
             ("b", DAY, 1, 2, "enriched", "enriched", "pending", "2026-02-14 01:00:00+00:00",
              "[]"),
             ("c", "2026-02-14", 1, 1, "failed", "pending", "pending", "-infinity", "[]")])
        conn.executemany(
            "INSERT INTO jobs (job_id, type, status, created_at, parameters) VALUES (?,?,?,?,?)",
            [("j1", "collection", None, "infinity", '"text"'),
             ("j2", "collection", "failed", "-infinity", '{"race_date": 20260214, "meet": 1.5}'),
             ("j3", "collection", "queued", "2026-02-14 01:00:00+00:00", "{bad json")])
    with streamlit_logs() as logs:
        overview = run_page(app(start="20251201", end="20260301"), logs)
        links = dict(zip(table(overview, "collected_pct")["date"],
                         table(overview, "collected_pct")["link"], strict=True))
        assert set(links) == {label(DAY), "⚠ 2026-02-14 (날짜 아님)"}
        stored = run_page(app(RACE, **dict(parse_qsl(urlsplit(
            links["⚠ 2026-02-14 (날짜 아님)"]).query))), logs)
        assert race_metrics(stored) == ("1", "0", "0")
        assert list(table(stored, "race_number")["updated_at"]) == ["-∞"]
        typed = run_page(app(RACE, date="2026-02-14", meet="1"), logs)
        assert race_metrics(typed) == ("2", "2", "1")
        jobs_page = run_page(app(JOBS), logs)
    assert metrics(jobs_page)[t("job.none", "ko")] == "1"
    code, out, err = cli("status", "--date", DAY, "--meet", "1", "--json")
    assert code == 0 and json.loads(out)["last_updated"] == "infinity", err
