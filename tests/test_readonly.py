"""Read-only and bounded: what the dashboard and the CLI send to PostgreSQL.

Every transaction is ``BEGIN READ ONLY`` with a ``SET LOCAL statement_timeout`` before the
first query; a write through the dashboard's engine is rejected by the *server* even for a
role that could write; a slow query is cancelled at the statement timeout with a clear
message, in the library, on a page and in the CLI.

The top of this file also holds small helpers the other issue-5 test files import
(server statement log, AppTest runners, tree text, data fingerprints).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from status_core.engine import make_engine, read
from status_core.errors import QueryFailed, StatusError
from status_core.settings import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_STATEMENT_TIMEOUT,
    Timeouts,
    parse_url,
    resolve_timeouts,
)
from tests.pgcluster import READER, WRITER, assert_no_secret, make_job, make_race

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
PAGE_FILES = {
    "overview": "app.py",
    "race": "pages/1_race.py",
    "jobs": "pages/2_jobs.py",
    "check": "pages/3_check.py",
}
KST = dt.timezone(dt.timedelta(hours=9))

# =========================================================================== shared helpers


def kst_today() -> dt.date:
    return dt.datetime.now(KST).date()


def sample_rows(days: int = 3) -> tuple[list[dict], list[dict]]:
    """A few races (today and the days before, KST) and jobs, in every state."""
    today = kst_today()
    now = dt.datetime.now(dt.UTC)
    races, jobs = [], []
    statuses = [("enriched", "enriched", "collected"), ("collected", "pending", "pending"),
                ("failed", "pending", "pending"), ("pending", "pending", "pending")]
    for back in range(days):
        date = (today - dt.timedelta(days=back)).strftime("%Y%m%d")
        for meet in (1, 3):
            for n, (c, e, r) in enumerate(statuses, start=1):
                races.append(make_race(
                    date, meet, n, collection_status=c, enrichment_status=e, result_status=r,
                    updated_at=now - dt.timedelta(minutes=back * 60 + n),
                ))
            jobs.append(make_job(
                f"job-{date}-{meet}", status="completed" if back else "running",
                parameters={"race_date": date, "meet": meet, "race_numbers": [1, 2, 3, 4]},
                created_at=now - dt.timedelta(hours=back), started_at=now - dt.timedelta(hours=back),
            ))
    return races, jobs


def fingerprint(db) -> dict[str, str]:  # noqa: ANN001 - tests.pgcluster.PgDatabase
    """A digest of every row of the tables the dashboard reads (as superuser)."""
    out = {}
    for table, key in (("races", "race_id"), ("jobs", "job_id"), ("job_logs", "id"),
                       ("schema_migrations", "name")):
        rows = db.fetch(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY {key}), '')) "
            f"FROM {table} t"
        )
        out[table] = f"{rows[0][0]}:{rows[0][1]}"
    return out


_ENTRY = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(?P<pid>\d+)\] (?P<state>\S+) "
    r"(?P<user>[^@\s]*)@(?P<db>\S*) (?P<level>[A-Z]+):  (?P<msg>.*)$"
)
_STATEMENT = re.compile(r"^(?:statement|execute [^:]*): ", re.S)


@dataclass
class Statement:
    pid: int
    user: str
    sql: str


class StatementLog:
    """Server-side record of every statement sent to one database.

    ``ALTER DATABASE ... SET log_statement = 'all'`` (as superuser) applies to sessions
    opened afterwards; the cluster log then has one entry per statement, with the backend
    pid, the user and the database in its prefix (tests/pgcluster.py log_line_prefix).
    """

    def __init__(self, db) -> None:  # noqa: ANN001 - tests.pgcluster.PgDatabase
        self.db = db
        db.cluster.execute(f'ALTER DATABASE "{db.name}" SET log_statement = \'all\'')
        self.offset = db.cluster.log_size()

    def mark(self) -> None:
        """Forget what was logged so far."""
        self.offset = self.db.cluster.log_size()

    def statements(self, user: str | None = None) -> list[Statement]:
        # Give the server a moment to write the last entries (stable size twice).
        size = -1
        for _ in range(20):
            now = self.db.cluster.log_size()
            if now == size:
                break
            size = now
            time.sleep(0.05)
        out: list[Statement] = []
        current = None
        for line in self.db.cluster.log_since(self.offset).splitlines():
            m = _ENTRY.match(line)
            if m:
                current = None
                if m["db"] != self.db.name or m["level"] != "LOG":
                    continue
                if user is not None and m["user"] != user:
                    continue
                body = _STATEMENT.sub("", m["msg"], count=1)
                if body == m["msg"]:
                    continue
                current = Statement(int(m["pid"]), m["user"], body)
                out.append(current)
            elif current is not None:
                current.sql += "\n" + line
        return out


# SQLAlchemy's own first-connect queries (dialect initialisation) and psycopg's type lookup:
# catalog reads in a READ ONLY transaction, before any SET LOCAL can be issued.
_DIALECT_INIT = (
    "select pg_catalog.version()",
    "select current_schema()",
    "show transaction isolation level",
    "show standard_conforming_strings",
    "from pg_type t",
)


def unsafe_statements(statements: list[Statement]) -> list[str]:
    """Statements not inside ``BEGIN READ ONLY`` + ``SET LOCAL statement_timeout``."""
    state: dict[int, dict[str, bool]] = {}
    problems = []
    for st_ in statements:
        sql = " ".join(st_.sql.split()).rstrip(";").strip()
        up = sql.upper()
        s = state.setdefault(st_.pid, {"tx": False, "ro": False, "timeout": False})
        if not sql:  # ";" - SQLAlchemy's pool_pre_ping
            continue
        if up.startswith(("BEGIN", "START TRANSACTION")):
            s.update(tx=True, ro="READ ONLY" in up, timeout=False)
            continue
        if up.startswith(("ROLLBACK", "COMMIT", "END", "ABORT")) and "TO SAVEPOINT" not in up:
            s.update(tx=False, ro=False, timeout=False)
            continue
        if up.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            continue
        if up.startswith("SET LOCAL STATEMENT_TIMEOUT") and s["tx"]:
            s["timeout"] = True
            continue
        if not (s["tx"] and s["ro"]):
            problems.append(f"[{st_.pid}] outside a READ ONLY transaction: {sql[:120]}")
        elif not s["timeout"] and not any(k in sql.lower() for k in _DIALECT_INIT):
            problems.append(f"[{st_.pid}] no statement_timeout: {sql[:120]}")
    return problems


def app_test(page: str = "overview", query: dict | None = None, timeout: float = 30):
    """An AppTest of ``page`` (the multipage app's main script is app.py)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=timeout)
    if page != "overview":
        path = PAGE_FILES[page]
        if not (ROOT / path).is_file():
            pytest.fail(f"{path} does not exist (the pages engineer's file has not landed)")
        at.switch_page(path)
    if query:
        at.query_params.update(query)
    return at


def _walk(node) -> Iterator:  # noqa: ANN001
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _walk(child)


def tree_text(at) -> str:  # noqa: ANN001
    """Every string of every element of the rendered page (protobuf text of the tree)."""
    parts = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
            with contextlib.suppress(Exception):
                parts.append(bytes(proto.SerializeToString()).decode("utf-8", "replace"))
    return "\n".join(parts)


def exception_texts(at) -> list[str]:  # noqa: ANN001
    return [f"{e.proto.type}: {e.proto.message} {list(e.proto.stack_trace)}" for e in at.exception]


def error_texts(at) -> list[str]:  # noqa: ANN001
    return [e.proto.body for e in at.error]


@contextlib.contextmanager
def full_error_details() -> Iterator[None]:
    """The repo's config.toml hides exception details; tests need them."""
    from streamlit import config

    old = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "full")
    try:
        yield
    finally:
        config.set_option("client.showErrorDetails", old)


def run_cli_inprocess(*argv: str) -> tuple[int, str, str]:
    from status_core.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def run_cli(*argv: str, env: dict[str, str], cwd: Path, timeout: float = 60):
    """``python -m status_core ARGS`` in a clean environment (plus ``env``)."""
    full = {k: v for k, v in os.environ.items()
            if k != "DATABASE_URL" and not k.startswith(("KRA_", "PG"))}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "status_core", *argv], capture_output=True, text=True,
        env=full, cwd=cwd, timeout=timeout,
    )


@contextlib.contextmanager
def table_locked(db, table: str = "races") -> Iterator[None]:  # noqa: ANN001
    """Hold ACCESS EXCLUSIVE on ``table`` (like a migration would): readers block."""
    conn = db.connect(autocommit=False)
    try:
        conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        yield
    finally:
        conn.rollback()
        conn.close()


class StreamlitServer:
    """``streamlit run app.py`` on a free loopback port, and browser-less sessions of it.

    A session is what a browser tab does: open the ``/_stcore/stream`` websocket, ask for a
    script run of a page, and receive the ForwardMsg stream (page config, deltas, ...) until
    ``script_finished``. The repository's ``.streamlit/config.toml`` applies (Streamlit reads
    the config next to the main script).
    """

    def __init__(self, env: dict[str, str], cwd: Path, *args: str) -> None:
        from tests.pgcluster import free_port

        self.port = free_port()
        self.cwd = cwd
        self.logfile = cwd / f"streamlit-{self.port}.log"
        full = {k: v for k, v in os.environ.items()
                if k != "DATABASE_URL" and not k.startswith(("KRA_", "PG"))}
        full.update(env)
        self._log = open(self.logfile, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", *args],
            cwd=cwd, env=full, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _h, _b = self.http("/_stcore/health")
                if status == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"streamlit did not start:\n{self.log()[-3000:]}")
            time.sleep(0.1)

    def http(self, path: str) -> tuple[int, dict[str, str], bytes]:
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def session(self, page: str = "", query: str = "", *, clear_cache: bool = False,
                timeout: float = 90) -> tuple[bytes, list]:
        """One browser-less page view: ``(raw bytes received, ForwardMsgs)``."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from websockets.sync.client import connect

        raw, msgs = [], []
        with connect(f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"],
                     max_size=None, open_timeout=30) as ws:
            if clear_cache:
                back = BackMsg()
                back.clear_cache = True
                ws.send(back.SerializeToString())
            back = BackMsg()
            back.rerun_script.query_string = query
            back.rerun_script.page_name = page
            ws.send(back.SerializeToString())
            deadline = time.monotonic() + timeout
            while True:
                data = ws.recv(timeout=max(0.1, deadline - time.monotonic()))
                raw.append(data if isinstance(data, bytes) else data.encode())
                msg = ForwardMsg()
                msg.ParseFromString(raw[-1])
                msgs.append(msg)
                if msg.WhichOneof("type") == "script_finished":
                    break
        return b"".join(raw), msgs

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return self.logfile.read_text(encoding="utf-8", errors="replace")
        return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()


def delta_elements(msgs: list) -> list:
    """The elements (protobufs) a session received, in order."""
    out = []
    for msg in msgs:
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            out.append(msg.delta.new_element)
    return out


def stream_problems(msgs: list) -> list[str]:
    """Exceptions and error boxes in a session's stream."""
    problems = []
    for element in delta_elements(msgs):
        kind = element.WhichOneof("type")
        if kind == "exception":
            problems.append(f"exception: {element.exception.type} {element.exception.message}")
        elif kind == "alert" and element.alert.format == element.alert.ERROR:
            problems.append(f"error: {element.alert.body[:200]}")
    return problems


# =========================================================================== tests


def test_timeout_defaults_are_5s_connect_10s_statement_and_documented():
    assert (DEFAULT_CONNECT_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT) == (5.0, 10.0)
    assert resolve_timeouts({}, []) == Timeouts(5.0, 10.0)
    assert resolve_timeouts({"KRA_CONNECT_TIMEOUT": "2", "KRA_STATEMENT_TIMEOUT": "1.5"},
                            []) == Timeouts(2.0, 1.5)
    doc = (ROOT / "README.md").read_text(encoding="utf-8").split("## Operating safely")[1]
    for needle in ("KRA_CONNECT_TIMEOUT", "KRA_STATEMENT_TIMEOUT", "5 s", "10 s"):
        assert needle in doc
    example = (ROOT / ".streamlit" / "secrets.toml.example").read_text(encoding="utf-8")
    assert "connect_timeout" in example and "statement_timeout" in example


def test_timeouts_can_come_from_secrets_toml(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[connections.kra]\nurl = 'sqlite:///x'\nconnect_timeout = 3\n"
                       "statement_timeout = '7.5'\n", encoding="utf-8")
    assert resolve_timeouts({}, [secrets]) == Timeouts(3.0, 7.5)
    # the environment wins over the file
    assert resolve_timeouts({"KRA_STATEMENT_TIMEOUT": "2"}, [secrets]) == Timeouts(3.0, 2.0)
    secrets.write_text("[connections.kra]\nstatement_timeout = 'soon'\n", encoding="utf-8")
    with pytest.raises(StatusError, match=r"\[connections.kra\] statement_timeout"):
        resolve_timeouts({}, [secrets])


@pytest.mark.postgres
def test_write_through_the_dashboard_engine_is_rejected_by_the_server(pg_db):
    races, jobs = sample_rows(1)
    pg_db.load(races=races, jobs=jobs)
    before = fingerprint(pg_db)
    # kra_writer has INSERT/UPDATE/DELETE and BYPASSRLS: only the engine stops it.
    with pg_db.connect(WRITER) as probe:
        assert probe.execute("SELECT has_table_privilege('races', 'UPDATE')").fetchone()[0]
    target = parse_url(pg_db.url_for(WRITER))
    engine = make_engine(target, Timeouts(connect=5, statement=5))
    writes = [
        "UPDATE races SET race_name = 'hacked'",
        "DELETE FROM jobs",
        "INSERT INTO schema_migrations (name) VALUES ('999_evil.sql')",
        "CREATE TABLE evil (x int)",
        "TRUNCATE job_logs",
    ]
    try:
        for sql in writes:
            for how in ("connect", "begin"):
                with pytest.raises(sa.exc.DBAPIError) as info:
                    if how == "begin":  # even an explicit commit cannot make it write
                        with engine.begin() as conn:
                            conn.execute(sa.text(sql))
                    else:
                        with engine.connect() as conn:
                            conn.execute(sa.text(sql))
                            conn.commit()
                assert info.value.orig.sqlstate == "25006", sql  # read_only_sql_transaction
                assert "read-only transaction" in str(info.value.orig)
            with pytest.raises(StatusError):  # the dashboard's own read() path
                with read(engine, target) as conn:
                    conn.execute(sa.text(sql))
    finally:
        engine.dispose()
    assert fingerprint(pg_db) == before


@pytest.mark.postgres
def test_slow_query_is_cancelled_at_the_statement_timeout(pg_db, monkeypatch):
    monkeypatch.setenv("KRA_STATEMENT_TIMEOUT", "1")
    target = parse_url(pg_db.reader_url)
    engine = make_engine(target, resolve_timeouts())
    try:
        t0 = time.monotonic()
        with pytest.raises(QueryFailed) as info:
            with read(engine, target) as conn:
                conn.execute(sa.text("SELECT pg_sleep(30)"))
        elapsed = time.monotonic() - t0
        assert elapsed < 1 + 2.5, f"not cancelled at the timeout: {elapsed:.1f}s"
        assert info.value.cause == "query_timeout"
        assert "statement timeout" in info.value.message
        assert info.value.hint
        assert_no_secret(info.value.message + info.value.hint)
        # the engine is still usable afterwards
        with read(engine, target) as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_cli_query_blocked_by_a_lock_exits_1_with_one_line(pg_db, tmp_path):
    races, _ = sample_rows(1)
    pg_db.load(races=races)
    today = kst_today().strftime("%Y%m%d")
    with table_locked(pg_db):
        t0 = time.monotonic()
        proc = run_cli("status", "--date", today, "--meet", "1", cwd=tmp_path,
                       env={"DATABASE_URL": pg_db.reader_url, "KRA_STATEMENT_TIMEOUT": "1",
                            "KRA_DEMO_PATH": str(tmp_path / "demo.sqlite")})
        elapsed = time.monotonic() - t0
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    errors = [line for line in lines if line.startswith("kra-status: error:")]
    assert len(errors) == 1 and "statement timeout" in errors[0], proc.stderr
    assert all(line.startswith(("kra-status: error:", "hint:")) for line in lines), proc.stderr
    assert "Traceback" not in proc.stderr
    assert_no_secret(proc.stderr)
    assert elapsed < 15, f"CLI took {elapsed:.1f}s"


@pytest.mark.postgres
def test_every_statement_of_the_pages_and_the_cli_is_read_only_and_bounded(pg_db, monkeypatch,
                                                                           tmp_path):
    import streamlit as st

    races, jobs = sample_rows(2)
    pg_db.load(races=races, jobs=jobs)
    before = fingerprint(pg_db)
    log = StatementLog(pg_db)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", pg_db.reader_url)
    monkeypatch.setenv("KRA_DEMO_PATH", str(tmp_path / "demo.sqlite"))
    st.cache_data.clear()
    today = kst_today().strftime("%Y%m%d")
    problems = []
    with full_error_details():
        for page in PAGE_FILES:
            query = {"date": today, "meet": "1"} if page == "race" else None
            at = app_test(page, query).run()
            if page == "check":  # the diagnosis runs on its button
                at.button(key="check.run").click().run()
            if at.exception:
                problems.append(f"{page}: {exception_texts(at)}")
    code, out, err = run_cli_inprocess("status", "--date", today, "--meet", "1")
    assert code == 0, err
    code, out, err = run_cli_inprocess("check", "--timeout", "10")
    assert code in (0, 1), err
    assert not problems, problems
    statements = log.statements(user=READER)
    assert len(statements) > 10, "the statement log caught nothing"
    text = "\n".join(s.sql for s in statements)
    assert "GROUP BY date, meet" in text  # the pages' and the CLI's aggregation
    assert "default_transaction_read_only" in text  # the check's server step ran
    unsafe = unsafe_statements(statements)
    assert not unsafe, "\n".join(unsafe)
    assert fingerprint(pg_db) == before


def test_statement_checker_flags_unsafe_sequences():
    ok = [Statement(1, "u", s) for s in
          ("BEGIN READ ONLY", "SET LOCAL statement_timeout = 1000", "SELECT 1", "ROLLBACK", ";")]
    assert unsafe_statements(ok) == []
    bad = [Statement(2, "u", s) for s in ("BEGIN", "SET LOCAL statement_timeout = 1",
                                           "SELECT 1", "ROLLBACK", "SELECT 2",
                                           "BEGIN READ ONLY", "SELECT 3")]
    found = unsafe_statements(bad)
    assert len(found) == 3 and "SELECT 3" in found[2] and "timeout" in found[2]

