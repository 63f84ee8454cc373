"""PostgreSQL fixtures plugin: the throwaway cluster, fresh databases, both backends, and
what the tests read from the server's side (its statement log, a digest of every row).

Registered in ``tests/conftest.py`` (``pytest_plugins``). The cluster itself, its roles and
the databases' SQL files are ``tests/pgcluster.py`` and ``tests/sql/``.

Fixtures: ``pg_cluster`` (one per session), ``pg_db`` / ``pg_legacy_db`` / ``pg_empty_db``
(a fresh database each, dropped afterwards), ``backend_db`` (``backend_db(races, jobs) ->
(engine, target)`` on SQLite, then on PostgreSQL), ``sentinel`` (the test roles' password),
``pgbouncer_path``, ``bouncer`` (a PgBouncer in transaction mode in front of the cluster, one
per test module).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from status_core.engine import make_engine
from status_core.settings import DatabaseTarget, Timeouts, parse_url
from tests.pgcluster import (
    SENTINEL_PASSWORD,
    TEST_ROLES,
    PgCluster,
    PgDatabase,
    PgUnavailable,
    free_port,
    start_cluster,
)
from tests.rows import write_sqlite
from tests.skips import missing

# --------------------------------------------------------------------------- cluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One throwaway cluster for the whole session (scram auth, test roles created)."""
    problem = None
    try:
        cluster = start_cluster(cleanup_at_exit=True)
    except PgUnavailable as exc:
        problem = f"PostgreSQL 15 server programs not found (pg_config --bindir): {exc}"
    except Exception as exc:  # initdb/start failed
        problem = f"PostgreSQL test cluster could not start: {exc}"
    if problem is not None:
        missing(problem, "REQUIRE_POSTGRES")  # outside except: no chained traceback
    try:
        yield cluster
    finally:
        cluster.destroy()


def _database(cluster: PgCluster, schema: str) -> Iterator[PgDatabase]:
    db = cluster.database(schema=schema)
    try:
        yield db
    finally:
        if cluster.running:
            db.drop()


@pytest.fixture
def pg_db(pg_cluster: PgCluster) -> Iterator[PgDatabase]:
    """A fresh database with the current collector schema (dropped afterwards)."""
    yield from _database(pg_cluster, "current")


@pytest.fixture
def pg_legacy_db(pg_cluster: PgCluster) -> Iterator[PgDatabase]:
    """A fresh database with the very old (legacy) schema."""
    yield from _database(pg_cluster, "legacy")


@pytest.fixture
def pg_empty_db(pg_cluster: PgCluster) -> Iterator[PgDatabase]:
    """A fresh database with no tables at all."""
    yield from _database(pg_cluster, "empty")


@pytest.fixture(scope="session")
def sentinel() -> str:
    """The password of every test role; must never appear in any output."""
    return SENTINEL_PASSWORD


@pytest.fixture(scope="session")
def pgbouncer_path() -> str:
    """Path of Debian's pgbouncer binary."""
    for candidate in (shutil.which("pgbouncer"), "/usr/sbin/pgbouncer"):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    missing(
        "pgbouncer not found (/usr/sbin/pgbouncer; apt-get install pgbouncer)",
        "REQUIRE_PGBOUNCER",
        "REQUIRE_POSTGRES",
    )
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------- pgbouncer


class Bouncer:
    """A PgBouncer process in front of the test cluster."""

    def __init__(self, binary: str, cluster, workdir: Path) -> None:  # noqa: ANN001
        self.binary, self.cluster, self.dir = binary, cluster, workdir
        self.port = 0
        self.proc: subprocess.Popen | None = None

    def _write(self, port: int) -> Path:
        users = "".join(f'"{role}" "{SENTINEL_PASSWORD}"\n' for role in TEST_ROLES)
        (self.dir / "userlist.txt").write_text(users, encoding="utf-8")
        ini = self.dir / "pgbouncer.ini"
        ini.write_text(
            "\n".join([
                "[databases]",
                f"* = host={self.cluster.host} port={self.cluster.port}",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {port}",
                "unix_socket_dir =",
                "auth_type = scram-sha-256",
                f"auth_file = {self.dir / 'userlist.txt'}",
                "pool_mode = transaction",
                # One server connection per db/user pair: transactions of different
                # clients share it, as they do under load on a real pooler.
                "default_pool_size = 1",
                "max_client_conn = 200",
                "server_reset_query =",
                "ignore_startup_parameters = extra_float_digits",
                f"logfile = {self.dir / 'pgbouncer.log'}",
                f"pidfile = {self.dir / 'pgbouncer.pid'}",
                "",
            ]),
            encoding="utf-8",
        )
        return ini

    def _argv(self, ini: Path) -> list[str]:
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # pgbouncer refuses to run as root
            shutil.chown(self.dir, "postgres", "postgres")
            for path in self.dir.iterdir():
                shutil.chown(path, "postgres", "postgres")
            return ["runuser", "-u", "postgres", "--", self.binary, str(ini)]
        return [self.binary, str(ini)]

    def start(self, port: int) -> bool:
        ini = self._write(port)
        os.chmod(self.dir, 0o700)
        for path in self.dir.iterdir():
            os.chmod(path, 0o600)
        self.proc = subprocess.Popen(self._argv(ini), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                self.port = port
                return True
            time.sleep(0.05)
        self.stop()
        return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return (self.dir / "pgbouncer.log").read_text(encoding="utf-8", errors="replace")
        return ""

    def url(self, db, role: str, **query: str) -> str:  # noqa: ANN001
        return self.cluster.url(role, SENTINEL_PASSWORD, db.name, **query).replace(
            f":{self.cluster.port}/", f":{self.port}/"
        )


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture(scope="module")
def bouncer(pgbouncer_path, pg_cluster) -> Iterator[Bouncer]:
    # Under the system temp dir like the cluster's: the postgres OS user must reach it.
    workdir = Path(tempfile.mkdtemp(prefix="kra-pgbouncer-"))
    b = Bouncer(pgbouncer_path, pg_cluster, workdir)
    started = _port_is_free(6543) and b.start(6543)
    for _ in range(3):
        if started:
            break
        started = b.start(free_port())
    if not started:
        pytest.fail(f"pgbouncer did not start:\n{b.log()[-2000:]}")
    try:
        yield b
    finally:
        b.stop()
        shutil.rmtree(workdir, ignore_errors=True)


# --------------------------------------------------------------------------- both backends

Builder = Callable[..., tuple[Engine, DatabaseTarget]]


def sqlite_builder(tmp_path: Path) -> Builder:
    """``build(races, jobs)``: a new SQLite file each call, read through the dashboard's
    read-only engine."""
    counter = iter(range(10_000))

    def build(races: Iterable[dict] = (), jobs: Iterable[dict] = ()) -> tuple[Engine, DatabaseTarget]:
        path = write_sqlite(tmp_path / f"db{next(counter)}.sqlite", races, jobs)
        target = parse_url(f"sqlite:///{path}")
        return make_engine(target), target

    return build


def postgres_builder(db: PgDatabase) -> Builder:
    """``build(races, jobs)``: the rows loaded into ``db``, read as the reader role."""
    def build(races: Iterable[dict] = (), jobs: Iterable[dict] = ()) -> tuple[Engine, DatabaseTarget]:
        db.load(list(races), list(jobs))
        target = parse_url(db.reader_url)
        return make_engine(target, Timeouts(connect=5, statement=10)), target

    return build


@pytest.fixture(params=["sqlite", "postgres"])
def backend_db(request: pytest.FixtureRequest, tmp_path: Path) -> Builder:
    """``backend_db(races, jobs) -> (engine, target)`` on each backend in turn."""
    if request.param == "sqlite":
        return sqlite_builder(tmp_path)
    return postgres_builder(request.getfixturevalue("pg_db"))


# --------------------------------------------------------------------------- server side


def fingerprint(db: PgDatabase) -> dict[str, str]:
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


@contextlib.contextmanager
def table_locked(db: PgDatabase, table: str = "races") -> Iterator[None]:
    """Hold ACCESS EXCLUSIVE on ``table`` (like a migration would): readers block."""
    conn = db.connect(autocommit=False)
    try:
        conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        yield
    finally:
        conn.rollback()
        conn.close()


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

    def __init__(self, db: PgDatabase) -> None:
        self.db = db
        db.cluster.execute(f'ALTER DATABASE "{db.name}" SET log_statement = \'all\'')
        self.offset = db.cluster.log_size()

    def mark(self) -> None:
        """Forget what was logged so far."""
        self.offset = self.db.cluster.log_size()

    def statements(self, user: str | None = None) -> list[Statement]:
        """The statements logged since the start (or :meth:`mark`), of ``user`` if given."""
        self._settle()
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

    def count(self, needle: str, user: str | None = None) -> int:
        """How many of those statements contain ``needle``."""
        return sum(needle in s.sql for s in self.statements(user))

    def _settle(self) -> None:
        """Give the server a moment to write the last entries (stable size twice)."""
        size = -1
        for _ in range(20):
            now = self.db.cluster.log_size()
            if now == size:
                break
            size = now
            time.sleep(0.05)
