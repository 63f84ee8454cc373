"""Load: many viewers of the same view cost the database one aggregation per cache period.

A real ``streamlit run`` server gets twenty browser-less sessions of the overview at once
(each opens the websocket and asks for a script run, as a browser tab does). What reaches
PostgreSQL is counted on the server side, from its statement log (``log_statement = 'all'``
set on the test database by the superuser): each distinct aggregation (SQL text and
parameters) must have run once, not twenty times.

(Twenty AppTest instances in threads are not used: AppTest swaps process-wide globals, the
mock Runtime and the pages registry, per run and is not safe to run concurrently.)
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from tests.browser_support import (
    APP,
    ROOT,
    StreamlitServer,
    delta_elements,
    start_server,
    stream_problems,
)
from tests.pg_support import StatementLog, fingerprint
from tests.pgcluster import READER, assert_no_secret
from tests.rows import sample_rows

pytestmark = pytest.mark.postgres

VIEWERS = 20
AGGREGATION = "GROUP BY date, meet"


def _aggregations(log: StatementLog) -> Counter:
    """How often each distinct aggregation (SQL + parameters) reached the server."""
    counts: Counter = Counter()
    for stmt in log.statements(user=READER):
        if AGGREGATION in stmt.sql:
            counts[" ".join(stmt.sql.split())] += 1
    return counts


def _views(server: StreamlitServer, n: int) -> list[str]:
    """``n`` simultaneous views of the overview; returns the problems seen."""
    problems: list[str] = []
    barrier = threading.Barrier(n)

    def view() -> None:
        try:
            barrier.wait(30)
            raw, msgs = server.session("")
            assert_no_secret(raw)  # the password is in DATABASE_URL
            problems.extend(stream_problems(msgs))
            kinds = {e.WhichOneof("type") for e in delta_elements(msgs)}
            if "dataframe" not in kinds:
                problems.append(f"no table in the view: {sorted(kinds)}")
        except Exception as exc:  # noqa: BLE001
            problems.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=view) for _ in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(180)
    return problems


def test_twenty_concurrent_viewers_cost_one_aggregation(pg_db, tmp_path):
    races, jobs = sample_rows(3)
    pg_db.load(races=races, jobs=jobs)
    before = fingerprint(pg_db)
    log = StatementLog(pg_db)
    server = start_server({"DATABASE_URL": pg_db.reader_url,
                           "KRA_DEMO_PATH": str(tmp_path / "demo.sqlite")}, tmp_path / "home",
                          main=str(ROOT / APP), cwd=tmp_path, args=())
    try:
        t0 = time.monotonic()
        problems = _views(server, VIEWERS)
        elapsed = time.monotonic() - t0
        assert not problems, problems[:3]
        counts = _aggregations(log)
        assert counts, "no aggregation reached the server: the log caught nothing"
        repeated = {sql[:160]: n for sql, n in counts.items() if n > 1}
        assert not repeated, (
            f"{VIEWERS} viewers of the same view ran the same aggregation more than once: "
            f"{repeated}"
        )
        # One view needs one or two distinct aggregations, however many people watch it.
        assert sum(counts.values()) <= 2, counts
        print(f"{VIEWERS} sessions in {elapsed:.1f}s; aggregations at the server: "
              f"{sum(counts.values())}")

        # A second wave within the cache period costs the database nothing.
        log.mark()
        assert not _views(server, 3)
        assert not _aggregations(log), "cached views went to the database again"

        # Control (the count above can fail): a session that clears the cache before its
        # view makes the server aggregate again, every time.
        log.mark()
        for _ in range(3):
            _raw, msgs = server.session("", clear_cache=True)
            assert not stream_problems(msgs)
        assert sum(_aggregations(log).values()) == 3, _aggregations(log)
    finally:
        server.stop()
    assert_no_secret(server.log())
    assert fingerprint(pg_db) == before
