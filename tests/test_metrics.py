"""``kra-status metrics``: the Prometheus exporter scraped over HTTP, parsed with
prometheus_client's own parser, against the real throwaway PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import signal
import socket
import threading
import time
import urllib.request
from collections import Counter

import pytest
from prometheus_client.parser import text_string_to_metric_families

from status_core import attention, cli
from status_core.engine import make_engine, read
from status_core.queries import job_status_counts, jobs_frame, progress_frame
from status_core.settings import Timeouts, parse_url
from status_core.states import cell_states
from tests.alerts_support import days_ago, races, stuck_job
from tests.cli_support import start_cli
from tests.pg_support import StatementLog
from tests.pgcluster import assert_no_secret, free_port

C, E, P, F = "collected", "enriched", "pending", "failed"
AGGREGATION = "GROUP BY date, meet"


def scrape(port: int, timeout: float = 30) -> dict[tuple[str, tuple], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=timeout) as resp:
        text = resp.read().decode()
    assert_no_secret(text)
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(metrics: dict, name: str, **labels: str) -> float:
    return metrics[(name, tuple(sorted(labels.items())))]


class Exporter:
    def __init__(self, url: str, tmp_path, *args: str, env: dict | None = None) -> None:  # noqa: ANN001
        self.port = free_port()
        self.proc = start_cli("metrics", "--port", str(self.port), *args, cwd=tmp_path,
                              env={"DATABASE_URL": url, "KRA_USUAL_WEEKDAYS": "1=;2=;3=",
                                   **(env or {})})
        line = self.proc.stdout.readline()
        assert "serving http://127.0.0.1:" in line, line + self.proc.stderr.read()

    def stop(self) -> tuple[int, str, str]:
        self.proc.send_signal(signal.SIGTERM)
        out, err = self.proc.communicate(timeout=20)
        return self.proc.returncode, out, err


def _data() -> tuple[list[dict], list[dict]]:
    today, old = days_ago(0), days_ago(2)
    rows = (races(today, 1, [(C, E, C)] * 8 + [(C, P, P)] * 2 + [(F, P, P)] * 2)
            + races(today, 3, [(C, E, C)] * 9)
            + races(old, 1, [(C, E, P)] * 10, 3000)
            + races(old, 2, [(C, P, P)] * 3 + [(P, P, P)] * 5, 3000))
    now = dt.datetime.now(dt.UTC)
    jobs = [stuck_job("stuck-1", today, 1, hours=4), stuck_job("stuck-2", old, 2, hours=2)]
    from status_core import demo

    jobs += [demo.job_row(f"done-{n}", status="completed", created_at=now) for n in range(3)]
    jobs += [demo.job_row("failed-1", status="failed", created_at=now, error_message="boom")]
    return rows, jobs


def _core_numbers(url: str) -> dict:
    """What the core says on the same data, computed here with the core's functions."""
    engine = make_engine(parse_url(url), Timeouts())
    now = dt.datetime.now(dt.UTC)
    start, end = attention.default_range(now, days=7)
    try:
        with read(engine) as conn:
            progress = progress_frame(conn, start, end)
            counts = job_status_counts(conn)
            active = jobs_frame(conn, statuses=["processing", "running", "retrying"])
    finally:
        engine.dispose()
    states = cell_states(progress, now=now, stalled_minutes=30)
    return {"states": states, "jobs": counts, "stuck": attention.stuck_jobs(active, now, 60),
            "now": now}


@pytest.mark.postgres
def test_exported_values_equal_the_cores_numbers(pg_db, tmp_path):
    rows, jobs = _data()
    pg_db.load(races=rows, jobs=jobs)
    exporter = Exporter(pg_db.reader_url, tmp_path)
    try:
        got = scrape(exporter.port)
    finally:
        code, _out, err = exporter.stop()
    assert code == 0, err
    core = _core_numbers(pg_db.reader_url)
    assert value(got, "kra_db_up") == 1
    assert all("date" not in dict(labels) for _name, labels in got)
    for status, n in core["jobs"].items():
        assert value(got, "kra_jobs", status=status) == n
    assert value(got, "kra_jobs", status="processing") == 2
    states = core["states"]
    today = states[states["date"] == days_ago(0)]
    assert len(today) == 2
    for row in today.to_dict("records"):
        meet = str(row["meet"])
        for stage, done, failed in (("collection", "collected_races", "collection_failed"),
                                    ("enrichment", "enriched_races", "enrichment_failed"),
                                    ("result", "result_collected", "result_failed")):
            assert value(got, "kra_latest_race_day_races", meet=meet, stage=stage,
                         state="done") == row[done]
            assert value(got, "kra_latest_race_day_races", meet=meet, stage=stage,
                         state="failed") == row[failed]
        assert value(got, "kra_latest_race_day_state", meet=meet, state=row["state"]) == 1
    assert value(got, "kra_latest_race_day_state", meet="1", state="failed") == 1
    kinds = Counter((s, str(m)) for s, m in zip(states["state"], states["meet"], strict=True))
    assert value(got, "kra_attention_items", kind="failed", meet="1") == kinds[("failed", "1")]
    assert value(got, "kra_attention_items", kind="results_missing", meet="1") == 1
    assert value(got, "kra_attention_items", kind="incomplete", meet="2") == kinds[
        ("incomplete", "2")] == 1
    assert value(got, "kra_attention_items", kind="stuck_job", meet="1") == 1
    assert value(got, "kra_stuck_jobs") == len(core["stuck"]) == 2
    oldest = float(core["stuck"]["running_minutes"].max()) * 60
    assert abs(value(got, "kra_oldest_stuck_job_age_seconds") - oldest) < 120
    newest = states.groupby("meet")["last_updated"].max()
    for meet, stamp in newest.items():
        seconds = (core["now"] - stamp.to_pydatetime()).total_seconds()
        assert abs(value(got, "kra_seconds_since_last_write", meet=str(meet)) - seconds) < 60


@pytest.mark.postgres
def test_fifty_scrapes_in_a_second_cost_one_aggregation(pg_db, tmp_path):
    rows, jobs = _data()
    pg_db.load(races=rows, jobs=jobs)
    log = StatementLog(pg_db)  # before the exporter connects: its sessions log all
    exporter = Exporter(pg_db.reader_url, tmp_path, "--min-interval", "8")
    try:
        results: list[float] = []
        barrier = threading.Barrier(50)

        def one() -> None:
            barrier.wait(30)
            results.append(value(scrape(exporter.port), "kra_db_up"))

        t0 = time.monotonic()
        threads = [threading.Thread(target=one) for _ in range(50)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        elapsed = time.monotonic() - t0
        assert results == [1.0] * 50
        # A burst: all within the interval (0.5 s here; 3 s leaves room on a busy machine).
        assert elapsed < 3, f"the 50 scrapes took {elapsed:.1f}s"
        assert log.count(AGGREGATION) == 1
        time.sleep(max(0.0, 8.2 - (time.monotonic() - t0)))  # the interval is over
        assert value(scrape(exporter.port), "kra_db_up") == 1
        assert log.count(AGGREGATION) == 2  # control: the count can grow
    finally:
        code, _out, err = exporter.stop()
    assert code == 0, err
    print(f"50 concurrent scrapes in {elapsed:.2f}s")


def test_a_silent_database_host_answers_down_within_the_connect_timeout(silent_port, tmp_path):
    url = f"postgresql://kra:Kra$ecret@127.0.0.1:{silent_port}/kra"
    exporter = Exporter(url, tmp_path, "--min-interval", "2", env={"KRA_CONNECT_TIMEOUT": "2"})
    try:
        timings = []
        for _ in range(3):
            t0 = time.monotonic()
            got = scrape(exporter.port)
            timings.append(time.monotonic() - t0)
            assert value(got, "kra_db_up") == 0
            assert ("kra_jobs", (("status", "completed"),)) not in got  # no stale numbers
    finally:
        code, out, err = exporter.stop()
    assert max(timings) < 2 + 1, timings
    assert code == 0, err
    assert "Kra$ecret" not in out + err


@pytest.mark.postgres
def test_database_stopped_then_back(pg_db, pg_cluster, tmp_path):
    pg_db.load(races=races(days_ago(0), 1, [(C, E, C)] * 4))
    exporter = Exporter(pg_db.reader_url, tmp_path, "--min-interval", "1",
                        env={"KRA_CONNECT_TIMEOUT": "2"})
    try:
        assert value(scrape(exporter.port), "kra_db_up") == 1
        pg_cluster.stop()
        try:
            time.sleep(1.1)
            t0 = time.monotonic()
            assert value(scrape(exporter.port), "kra_db_up") == 0
            assert time.monotonic() - t0 < 3
        finally:
            pg_cluster.start()
        time.sleep(1.1)
        got = scrape(exporter.port)
        assert value(got, "kra_db_up") == 1
        assert value(got, "kra_latest_race_day_races", meet="1", stage="result", state="done") == 4
    finally:
        code, _out, err = exporter.stop()
    assert code == 0, err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "abc"], "--port 'abc' must be a whole number"),
        (["--port", "70000"], "must be a number between 1 and 65535"),
        (["--min-interval", "0"], "--min-interval '0' must be a number between 1"),
        (["--port", "BUSY"], "cannot listen on 127.0.0.1:"),
    ],
)
def test_bad_arguments_exit_2(args, message, isolated_env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{isolated_env / 'none.sqlite'}")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        args = [str(busy.getsockname()[1]) if a == "BUSY" else a for a in args]
        err = io.StringIO()
        code = cli.main(["metrics", *args], out=io.StringIO(), err=err)
    assert code == 2, err.getvalue()
    assert message in err.getvalue()
