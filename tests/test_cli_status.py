"""``kra-status status``: output, JSON shape and exit codes, driven as a real subprocess."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from status_core import demo
from tests.cli_support import run_cli
from tests.pgcluster import SENTINEL_PASSWORD, free_port

T0 = dt.datetime(2026, 2, 14, 3, 0, tzinfo=dt.UTC)


def day(date, meet, statuses):
    return [demo.race_row(date, meet, n, collection=c, enrichment=e, result=r,
                          updated_at=T0 + dt.timedelta(minutes=n))
            for n, (c, e, r) in enumerate(statuses, start=1)]


C, E, P, F = "collected", "enriched", "pending", "failed"
DAYS = {
    # date x meet 1: (rows, expected total/collected/enriched/status/collection/enrichment/result)
    "20260214": ([(C, E, C)] * 3 + [(C, P, P), (F, P, P)],
                 (5, 4, 3, "running", "collected", "enriched", "collected")),  # mixed
    "20260215": ([(C, E, C)] * 4, (4, 4, 4, "completed", "collected", "enriched", "collected")),
    "20260221": ([(F, P, P)] * 3, (3, 0, 0, "failed", "failed", "pending", "pending")),
    "20260222": ([(P, P, P)] * 2, (2, 0, 0, "pending", "pending", "pending", "pending")),
    "20260228": ([], (0, 0, 0, "pending", "pending", "pending", "pending")),  # empty
}


@pytest.fixture
def asyncpg_url(pg_db):
    rows = [r for date, (statuses, _) in DAYS.items() for r in day(date, 1, statuses)]
    rows += day("20260214", 3, [(C, E, C)] * 2)  # another meet the same day
    pg_db.load(rows)
    return pg_db.url_for("kra_reader", scheme="postgresql+asyncpg")


@pytest.mark.postgres
@pytest.mark.parametrize("date", list(DAYS))
def test_status_json_against_postgres_with_the_collectors_url(asyncpg_url, date, tmp_path):
    assert asyncpg_url.startswith("postgresql+asyncpg://kra_reader:")
    proc = run_cli("status", "--date", date, "--meet", "1", "--json",
                   env={"DATABASE_URL": asyncpg_url}, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    expected = DAYS[date][1]
    assert list(got) == ["date", "meet", "total_races", "collected_races", "enriched_races",
                         "status", "collection_status", "enrichment_status", "result_status",
                         "last_updated"]
    assert (got["date"], got["meet"]) == (date, 1)
    assert (got["total_races"], got["collected_races"], got["enriched_races"], got["status"],
            got["collection_status"], got["enrichment_status"], got["result_status"]) == expected
    if expected[0]:
        stamp = dt.datetime.fromisoformat(got["last_updated"])
        assert stamp.utcoffset() is not None
        assert stamp == T0 + dt.timedelta(minutes=expected[0])
    else:
        assert got["last_updated"] is None
    assert SENTINEL_PASSWORD not in proc.stdout + proc.stderr


@pytest.mark.postgres
def test_status_range_json_and_table(asyncpg_url, tmp_path):
    env = {"DATABASE_URL": asyncpg_url}
    proc = run_cli("status", "--start", "2026-02-01", "--end", "20260228", "--json",
                   env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    cells = json.loads(proc.stdout)
    assert [(c["date"], c["meet"]) for c in cells] == [
        ("20260214", 1), ("20260214", 3), ("20260215", 1), ("20260221", 1), ("20260222", 1)]
    only3 = json.loads(run_cli("status", "--start", "20260201", "--end", "20260228",
                               "--meet", "3", "--json", env=env, cwd=tmp_path).stdout)
    assert [(c["date"], c["meet"]) for c in only3] == [("20260214", 3)]
    table = run_cli("status", "--start", "20260201", "--end", "20260228", env=env, cwd=tmp_path)
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0].split()[:4] == ["date", "meet", "state", "total"]
    assert any(line.startswith("2026-02-21 (Sat)") and "failed" in line for line in lines)
    assert len(lines) == 7 and lines[-1].startswith("(state: the dashboard's own state")


# The issue's day: 12 races, 10 collected, 8 enriched, 2 enrichment failures, 5 results.
ISSUE = [(C, E, C)] * 5 + [(C, E, P)] * 3 + [(C, F, P)] * 2 + [(P, P, P)] * 2
#: What the collector's GET /api/v2/collection/status says about it: coarse by design.
ISSUE_API = {"date": "20260214", "meet": 1, "total_races": 12, "collected_races": 10,
             "enriched_races": 8, "status": "running", "collection_status": "collected",
             "enrichment_status": "enriched", "result_status": "collected",
             "last_updated": "2026-02-14T12:12:00+09:00"}
DONE_API = {"date": "20260215", "meet": 1, "total_races": 4, "collected_races": 4,
            "enriched_races": 4, "status": "completed", "collection_status": "collected",
            "enrichment_status": "enriched", "result_status": "collected",
            "last_updated": "2026-02-14T12:04:00+09:00"}


@pytest.fixture
def issue_url(pg_db):
    pg_db.load(day("20260214", 1, ISSUE) + day("20260215", 1, [(C, E, C)] * 4))
    return pg_db.url_for("kra_reader", scheme="postgresql+asyncpg")


def human_rows(text: str) -> list[dict[str, str]]:
    """The human table as dicts by header (columns are two or more spaces apart)."""
    lines = [line for line in text.splitlines() if not line.startswith("(")]
    header = re.split(r"\s{2,}", lines[0])
    return [dict(zip(header, re.split(r"\s{2,}", line), strict=True)) for line in lines[1:]]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("args", "api", "states"),
    [
        (["--date", "20260214", "--meet", "1"], ISSUE_API, [("failed", "2")]),
        (["--start", "20260214", "--end", "20260215"], [ISSUE_API, DONE_API],
         [("failed", "2"), ("done", "0")]),
    ],
)
def test_json_stays_the_collector_api_and_the_table_adds_the_honest_state(
        issue_url, args, api, states, tmp_path):
    env = {"DATABASE_URL": issue_url}
    proc = run_cli("status", *args, "--json", env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    # byte for byte the collector API's fields and values: no state, no extra field
    assert proc.stdout == json.dumps(api, ensure_ascii=False, indent=2) + "\n"
    table = run_cli("status", *args, env=env, cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    rows = human_rows(table.stdout)
    assert [(r["state"], r["failed"]) for r in rows] == states
    # the collector API's columns are still there, with the API's values
    records = api if isinstance(api, list) else [api]
    assert [(r["status"], r["collection"], r["enrichment"], r["result"]) for r in rows] == [
        (a["status"], a["collection_status"], a["enrichment_status"], a["result_status"])
        for a in records]


def test_status_on_the_demo_with_no_configuration(tmp_path):
    env = {"KRA_DEMO_PATH": str(tmp_path / "demo.sqlite")}
    proc = run_cli("status", "--start", "20260101", "--end", "20261231", env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "embedded demo data" in proc.stdout
    assert (tmp_path / "demo.sqlite").exists()
    assert len(proc.stdout.splitlines()) > 100


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "--date", "20260230", "--meet", "1"], "not a real calendar date"),
        (["status", "--date", "20260214", "--meet", "4"], "expected 1 (서울), 2 (제주) or 3"),
        (["status", "--date", "2026-2-14", "--meet", "1"], "expected YYYYMMDD or YYYY-MM-DD"),
        (["status", "--date", "20260214"], "exactly one --meet"),
        (["status", "--start", "20260301", "--end", "20260201"], "after end"),
        (["status", "--start", "20260301"], "both --start and --end"),
        (["status"], "say which day"),
        (["status", "--date", "20260214", "--meet", "1", "--start", "20260101"], "not both"),
        (["nonsense"], "invalid choice"),
        (["status", "--bogus"], "unrecognized arguments"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(args, message, tmp_path):
    proc = run_cli(*args, env={"KRA_DEMO_PATH": str(tmp_path / "d.sqlite")}, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not (tmp_path / "d.sqlite").exists()  # rejected before touching any database


@pytest.mark.parametrize(
    ("url", "code", "message"),
    [
        (f"postgresql://u:{SENTINEL_PASSWORD.replace('@', '%40').replace('/', '%2F')}"
         f"@127.0.0.1:{free_port()}/db", 1, "Cannot use the database"),
        ("mysql://u:pw@h/db", 2, "unknown scheme"),
        ("postgresql://u:pw@/db", 2, "host is missing"),
    ],
)
def test_unusable_database_is_one_line_without_traceback(url, code, message, tmp_path):
    proc = run_cli("status", "--date", "20260214", "--meet", "1",
                   env={"DATABASE_URL": url, "KRA_CONNECT_TIMEOUT": "2"}, cwd=tmp_path)
    assert proc.returncode == code
    assert message in proc.stderr
    assert proc.stderr.startswith("kra-status: error:")
    assert "Traceback" not in proc.stderr
    assert "hint:" in proc.stderr
    for form in (SENTINEL_PASSWORD, "Kra%24ecret", "ecret%40"):
        assert form not in proc.stderr + proc.stdout
