"""A throwaway PostgreSQL cluster for tests and benchmarks.

Plain Python (no pytest import), so ``bench/`` scripts can use it too::

    from tests.pgcluster import start_cluster

    cluster = start_cluster()
    try:
        db = cluster.database()                # fresh database, current collector schema
        db.load(races=[{"race_id": "20260214_1_1", "date": "20260214", "meet": 1,
                        "race_number": 1}])
        print(db.reader_url)                   # postgresql+psycopg://kra_reader:...@127.0.0.1:PORT/...
    finally:
        cluster.destroy()

The cluster enforces scram-sha-256 password authentication everywhere (no trust, no peer),
listens on 127.0.0.1 only, on a free port, with its unix socket inside its own temp dir.
When running as root the server programs run as the ``postgres`` OS user via ``runuser``
(the libraries that start throwaway clusters cannot, hence this module). The roles are in
``tests/sql/roles.sql``, each database's schema and grants in the other ``tests/sql`` files.

Environment:
    KRA_PG_BINDIR   use the server programs in this directory (tests may set it to a
                    nonexistent path to simulate a machine without PostgreSQL).
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

SENTINEL_PASSWORD = "Kra$ecret@/9z"

SQL_DIR = Path(__file__).resolve().parent / "sql"
ROLES_FILE = SQL_DIR / "roles.sql"
#: What each kind of database is made of: its schema, then the test roles' grants.
SCHEMA_FILES = {
    "current": (SQL_DIR / "collector_schema.sql", SQL_DIR / "grants_current.sql"),
    "legacy": (SQL_DIR / "legacy_schema.sql", SQL_DIR / "grants_legacy.sql"),
    "empty": (),
}

# The login roles of tests/sql/roles.sql (all with SENTINEL_PASSWORD); what each is for
# is said there.
READER = "kra_reader"
SERVICE = "kra_service"
NOSELECT = "kra_noselect"
NORLS = "kra_norls"
NOLIMIT = "kra_nolimit"
WRITER = "kra_writer"
TEST_ROLES = (READER, SERVICE, NOSELECT, NORLS, NOLIMIT, WRITER)
AUTHENTICATED = "authenticated"  # the Supabase-like group role the RLS policies name

_SERVER_PROGRAMS = ("initdb", "pg_ctl", "postgres")


class PgUnavailable(RuntimeError):
    """The PostgreSQL server programs are not installed (or KRA_PG_BINDIR points nowhere)."""


# --------------------------------------------------------------------------- secrets


def secret_forms(secret: str = SENTINEL_PASSWORD) -> tuple[str, ...]:
    """The raw secret and the encodings in which it could leak into output."""
    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret)}
    return tuple(sorted(forms, key=len, reverse=True))


def assert_no_secret(text: str | bytes | None, secret: str = SENTINEL_PASSWORD) -> None:
    """Fail when ``text`` contains the secret raw, ``quote``-d or ``quote_plus``-ed."""
    if text is None:
        return
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    for form in secret_forms(secret):
        if form in text:
            pos = text.index(form)
            # Do not echo the secret itself in the failure message.
            before = text[max(0, pos - 60) : pos]
            after = text[pos + len(form) : pos + len(form) + 60]
            raise AssertionError(
                f"secret leaked (form of length {len(form)}) in output: "
                f"...{before}<SECRET>{after}..."
            )


# --------------------------------------------------------------------------- binaries


def find_bindir() -> Path:
    """Directory holding initdb/pg_ctl/postgres; raises PgUnavailable with the reason."""
    override = os.environ.get("KRA_PG_BINDIR")
    if override:
        path = Path(override)
        missing = [p for p in _SERVER_PROGRAMS if not (path / p).is_file()]
        if missing:
            raise PgUnavailable(f"KRA_PG_BINDIR={override} does not contain {', '.join(missing)}")
        return path

    tried: list[str] = []
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=30, check=True
            ).stdout.strip()
            if out:
                candidates.append(Path(out))
        except (OSError, subprocess.SubprocessError) as exc:
            tried.append(f"pg_config --bindir failed: {exc}")
    else:
        tried.append("pg_config not on PATH")

    def _version(p: str) -> tuple[int, ...]:
        m = re.search(r"/postgresql/(\d+)(?:\.(\d+))?/bin$", p)
        return tuple(int(g) for g in m.groups() if g) if m else (0,)

    for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True):
        candidates.append(Path(p))
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).parent)

    for path in candidates:
        if all((path / p).is_file() for p in _SERVER_PROGRAMS):
            return path
        tried.append(f"{path} lacks server programs")
    if not candidates:
        tried.append("no /usr/lib/postgresql/*/bin")
    raise PgUnavailable("; ".join(tried))


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


# --------------------------------------------------------------------------- cluster


@dataclass
class PgCluster:
    """A running (or stopped) throwaway cluster. Create it with :func:`start_cluster`."""

    base_dir: Path
    bindir: Path
    port: int
    host: str = "127.0.0.1"
    superuser: str = "postgres"
    superuser_password: str = SENTINEL_PASSWORD
    run_as: str | None = None  # OS user the server runs as (when we are root)
    _running: bool = field(default=False, repr=False)
    _destroyed: bool = field(default=False, repr=False)

    # -- paths
    @property
    def datadir(self) -> Path:
        return self.base_dir / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base_dir / "sock"

    @property
    def logfile(self) -> Path:
        return self.base_dir / "postgresql.log"

    @property
    def running(self) -> bool:
        return self._running

    # -- URLs
    def url(
        self,
        user: str,
        password: str | None,
        dbname: str,
        *,
        scheme: str = "postgresql+psycopg",
        **query: Any,
    ) -> str:
        """A URL for ``user`` (password URL-encoded with ``quote(pw, safe="")``)."""
        auth = quote(user, safe="")
        if password is not None:
            auth += ":" + quote(password, safe="")
        url = f"{scheme}://{auth}@{self.host}:{self.port}/{quote(dbname, safe='')}"
        if query:
            url += "?" + urlencode({k: str(v) for k, v in query.items()})
        return url

    def admin_url(self, dbname: str = "postgres", **kw: Any) -> str:
        return self.url(self.superuser, self.superuser_password, dbname, **kw)

    def conninfo(
        self, user: str | None = None, password: str | None = None, dbname: str = "postgres"
    ) -> dict[str, Any]:
        """Keyword arguments for ``psycopg.connect`` (superuser by default)."""
        return {
            "host": self.host,
            "port": self.port,
            "user": user or self.superuser,
            "password": self.superuser_password if password is None else password,
            "dbname": dbname,
            "connect_timeout": 10,
        }

    # -- SQL as superuser
    def connect(
        self,
        dbname: str = "postgres",
        *,
        user: str | None = None,
        password: str | None = None,
        autocommit: bool = True,
        **kw: Any,
    ):
        import psycopg

        info = self.conninfo(user, password, dbname)
        info.update(kw)
        return psycopg.connect(autocommit=autocommit, **info)

    def execute(self, sql: Any, dbname: str = "postgres", params: Any = None) -> int:
        """Run ``sql`` as superuser in autocommit; returns the rowcount."""
        with self.connect(dbname) as conn:
            cur = conn.execute(sql, params)
            return cur.rowcount

    def fetch(self, sql: Any, dbname: str = "postgres", params: Any = None) -> list[tuple]:
        with self.connect(dbname) as conn:
            return conn.execute(sql, params).fetchall()

    # -- databases
    def create_database(self, name: str | None = None, *, schema: str = "current") -> str:
        """Create a fresh database, load ``schema`` (current|legacy|empty) and its grants."""
        from psycopg import sql

        if schema not in SCHEMA_FILES:
            raise ValueError(f"schema must be one of {sorted(SCHEMA_FILES)}, not {schema!r}")
        name = name or f"kra_test_{uuid.uuid4().hex[:12]}"
        self.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
                sql.Identifier(name)
            )
        )
        try:
            for path in SCHEMA_FILES[schema]:
                self.execute(path.read_text(encoding="utf-8"), dbname=name)
        except Exception:
            self.drop_database(name)
            raise
        return name

    def drop_database(self, name: str) -> None:
        from psycopg import sql

        self.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )

    def database(self, schema: str = "current", name: str | None = None) -> PgDatabase:
        """Create a fresh database (see :meth:`create_database`) and wrap it."""
        return PgDatabase(self, self.create_database(name, schema=schema), schema)

    # -- roles
    def create_roles(self) -> None:
        """Create the Supabase-like group roles and the test login roles (roles.sql)."""
        from psycopg import sql

        text = ROLES_FILE.read_text(encoding="utf-8")
        self.execute(sql.SQL(text).format(password=sql.Literal(SENTINEL_PASSWORD)))

    # -- process control
    def _cmd(self, *args: str | os.PathLike) -> list[str]:
        argv = [str(a) for a in args]
        if self.run_as:
            return ["runuser", "-u", self.run_as, "--", *argv]
        return argv

    def _run(self, *args: str | os.PathLike, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = self._cmd(*args)
        try:
            proc = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
                cwd=self.base_dir,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise RuntimeError(f"{' '.join(cmd)} failed: {exc}\n{self.log_tail()}") from exc
        return proc

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.logfile.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no server log)"
        tail = "\n".join(text.splitlines()[-lines:])
        return f"--- tail of {self.logfile} ---\n{tail}"

    def log_size(self) -> int:
        """Current size of the server log; pass it to :meth:`log_since`."""
        try:
            return self.logfile.stat().st_size
        except OSError:
            return 0

    def log_since(self, offset: int = 0) -> str:
        """Server log text written after ``offset`` (lines carry the SQLSTATE, see %e)."""
        try:
            with open(self.logfile, "rb") as fh:
                fh.seek(offset)
                return fh.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def wait_for_log(self, needle: str, offset: int = 0, timeout: float = 5.0) -> str:
        """Wait until ``needle`` appears in the log after ``offset``; returns that log text."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.log_since(offset)
            if needle in text or time.monotonic() > deadline:
                return text
            time.sleep(0.05)

    def _write_conf(self) -> None:
        conf = self.datadir / "kra_test.conf"
        conf.write_text(
            "\n".join(
                [
                    "# written by tests/pgcluster.py",
                    f"port = {self.port}",
                    "listen_addresses = '127.0.0.1'",
                    f"unix_socket_directories = '{self.socket_dir}'",
                    "password_encryption = 'scram-sha-256'",
                    "ssl = off",
                    "max_connections = 100",
                    "fsync = off",
                    "synchronous_commit = off",
                    "full_page_writes = off",
                    "shared_buffers = 128MB",
                    "log_min_messages = warning",
                    "log_connections = off",
                    "log_line_prefix = '%m [%p] %e %q%u@%d '",  # %e: SQLSTATE of each message
                    "",
                ]
            ),
            encoding="utf-8",
        )
        self._chown(conf)

    def _chown(self, path: Path) -> None:
        if self.run_as:
            shutil.chown(path, self.run_as, self.run_as)

    def start(self) -> None:
        """Start the server (same port, same data dir); waits until it accepts connections."""
        if self._destroyed:
            raise RuntimeError("cluster was destroyed")
        if self._running:
            return
        proc = self._run(
            self.bindir / "pg_ctl",
            "-D",
            self.datadir,
            "-l",
            self.logfile,
            "-w",
            "-t",
            "60",
            "start",
        )
        if proc.returncode != 0:
            raise RuntimeError(
                f"pg_ctl start failed (exit {proc.returncode}) on port {self.port}:\n"
                f"{proc.stdout}{proc.stderr}\n{self.log_tail()}"
            )
        self._running = True
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            try:
                with self.connect():
                    return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"server on port {self.port} does not accept connections: {exc}\n"
                        f"{self.log_tail()}"
                    ) from exc
                time.sleep(0.1)

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (data dir kept). ``mode``: smart | fast | immediate."""
        if not self._running:
            return
        proc = self._run(
            self.bindir / "pg_ctl", "-D", self.datadir, "-m", mode, "-w", "-t", "60", "stop"
        )
        if proc.returncode != 0 and self._pid() is not None:
            raise RuntimeError(
                f"pg_ctl stop failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}\n"
                f"{self.log_tail()}"
            )
        self._running = False

    def restart(self) -> None:
        self.stop()
        self.start()

    def _pid(self) -> int | None:
        try:
            return int((self.datadir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def destroy(self) -> None:
        """Stop the server and remove its directory. Safe to call more than once."""
        if self._destroyed:
            return
        try:
            self.stop(mode="immediate")
        except Exception:
            pid = self._pid()
            if pid:
                with contextlib.suppress(OSError):
                    os.kill(pid, 9)
        finally:
            self._running = False
            self._destroyed = True
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> PgCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.destroy()


def start_cluster(base_dir: Path | None = None, *, cleanup_at_exit: bool = True) -> PgCluster:
    """initdb + start a throwaway cluster and create the test roles.

    ``base_dir``: parent directory for the cluster's temp dir (default: the system temp dir).
    When running as root it must be traversable by the ``postgres`` OS user.
    Raises :class:`PgUnavailable` when the server programs are missing and ``RuntimeError``
    (with the server log tail) when the cluster cannot be initialised or started.
    """
    bindir = find_bindir()
    run_as = None
    if _is_root():
        run_as = "postgres"
        try:
            import pwd

            pwd.getpwnam(run_as)
        except KeyError as exc:
            raise PgUnavailable("running as root but there is no 'postgres' OS user") from exc
        if not shutil.which("runuser"):
            raise PgUnavailable("running as root but runuser(1) is not available")

    parent = Path(base_dir) if base_dir is not None else Path(tempfile.gettempdir())
    parent.mkdir(parents=True, exist_ok=True, mode=0o755)
    root = Path(tempfile.mkdtemp(prefix="kra-pg-", dir=parent))
    os.chmod(root, 0o755)
    cluster = PgCluster(base_dir=root, bindir=bindir, port=free_port(), run_as=run_as)
    if run_as:
        cluster._chown(root)
    try:
        _initdb(cluster)
        # A free port can be taken between picking and binding: retry a few times.
        for attempt in range(5):
            try:
                cluster.start()
                break
            except RuntimeError as exc:
                text = str(exc)
                if attempt < 4 and (
                    "Address already in use" in text
                    or "could not bind" in text
                    or "could not create any TCP/IP sockets" in text
                ):
                    cluster.port = free_port()
                    cluster._write_conf()
                    continue
                raise
        cluster.create_roles()
    except BaseException:
        cluster.destroy()
        raise
    if cleanup_at_exit:
        atexit.register(cluster.destroy)
    return cluster


def _initdb(cluster: PgCluster) -> None:
    if cluster.run_as:
        probe = subprocess.run(
            ["runuser", "-u", cluster.run_as, "--", "test", "-w", str(cluster.base_dir)],
            capture_output=True,
        )
        if probe.returncode != 0:
            raise RuntimeError(
                f"the {cluster.run_as!r} OS user cannot write to {cluster.base_dir}; "
                "pass a base_dir whose parents are world-traversable (e.g. under /tmp)"
            )
    cluster.socket_dir.mkdir(mode=0o700)
    cluster._chown(cluster.socket_dir)
    pwfile = cluster.base_dir / "pwfile"
    pwfile.write_text(cluster.superuser_password + "\n", encoding="utf-8")
    os.chmod(pwfile, 0o600)
    cluster._chown(pwfile)
    try:
        last = None
        for locale in ("C.UTF-8", "C"):
            proc = cluster._run(
                cluster.bindir / "initdb",
                "-D",
                cluster.datadir,
                "-U",
                cluster.superuser,
                "--auth=scram-sha-256",
                f"--pwfile={pwfile}",
                "--encoding=UTF8",
                f"--locale={locale}",
                "--no-sync",
                "--no-instructions",
            )
            if proc.returncode == 0:
                break
            last = proc
            shutil.rmtree(cluster.datadir, ignore_errors=True)
        else:
            assert last is not None
            raise RuntimeError(
                f"initdb failed (exit {last.returncode}):\n{last.stdout}{last.stderr}"
            )
    finally:
        pwfile.unlink(missing_ok=True)

    (cluster.datadir / "pg_hba.conf").write_text(
        "# written by tests/pgcluster.py: password (scram) authentication only\n"
        "# TYPE  DATABASE  USER  ADDRESS        METHOD\n"
        "local   all       all                  scram-sha-256\n"
        "host    all       all   127.0.0.1/32   scram-sha-256\n"
        "host    all       all   ::1/128        scram-sha-256\n",
        encoding="utf-8",
    )
    with open(cluster.datadir / "postgresql.conf", "a", encoding="utf-8") as fh:
        fh.write("\ninclude_if_exists = 'kra_test.conf'\n")
    cluster._write_conf()


# --------------------------------------------------------------------------- databases


def _adapt(value: Any) -> Any:
    if isinstance(value, dict | list):
        from psycopg.types.json import Jsonb

        return Jsonb(value)
    return value


@dataclass
class PgDatabase:
    """One database inside a :class:`PgCluster`."""

    cluster: PgCluster
    name: str
    schema: str = "current"

    @property
    def admin_url(self) -> str:
        return self.cluster.admin_url(self.name)

    @property
    def reader_url(self) -> str:
        return self.url_for(READER)

    def url_for(self, role: str, scheme: str = "postgresql+psycopg", **query: Any) -> str:
        """URL for ``role`` (superuser password for ``postgres``, else the sentinel)."""
        pw = (
            self.cluster.superuser_password
            if role == self.cluster.superuser
            else (SENTINEL_PASSWORD)
        )
        return self.cluster.url(role, pw, self.name, scheme=scheme, **query)

    def connect(self, role: str | None = None, *, autocommit: bool = True, **kw: Any):
        """psycopg connection as ``role`` (superuser by default)."""
        pw = None if role in (None, self.cluster.superuser) else SENTINEL_PASSWORD
        return self.cluster.connect(self.name, user=role, password=pw, autocommit=autocommit, **kw)

    def execute(self, sql: Any, params: Any = None) -> int:
        return self.cluster.execute(sql, self.name, params)

    def fetch(self, sql: Any, params: Any = None) -> list[tuple]:
        return self.cluster.fetch(sql, self.name, params)

    def insert(self, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
        """INSERT dict rows (columns from each dict's keys) as superuser; returns the count."""
        from psycopg import sql

        groups: dict[tuple[str, ...], list[tuple]] = {}
        for row in rows:
            cols = tuple(row.keys())
            groups.setdefault(cols, []).append(tuple(_adapt(row[c]) for c in cols))
        n = 0
        if not groups:
            return 0
        with self.connect(autocommit=False) as conn:
            with conn.cursor() as cur:
                for cols, values in groups.items():
                    stmt = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                        sql.Identifier(table),
                        sql.SQL(", ").join(sql.Identifier(c) for c in cols),
                        sql.SQL(", ").join(sql.Placeholder() * len(cols)),
                    )
                    cur.executemany(stmt, values)
                    n += len(values)
            conn.commit()
        return n

    def load(
        self,
        races: Sequence[Mapping[str, Any]] = (),
        jobs: Sequence[Mapping[str, Any]] = (),
        job_logs: Sequence[Mapping[str, Any]] = (),
        migrations: Sequence[str | Mapping[str, Any]] | None = None,
    ) -> None:
        """Insert rows as superuser. ``migrations`` (when given) replaces schema_migrations."""
        if races:
            self.insert("races", races)
        if jobs:
            self.insert("jobs", jobs)
        if job_logs:
            self.insert("job_logs", job_logs)
        if migrations is not None:
            self.execute("DELETE FROM schema_migrations")
            self.insert(
                "schema_migrations",
                [m if isinstance(m, Mapping) else {"name": m} for m in migrations],
            )

    def copy_rows(
        self,
        table: str,
        rows: Iterable[Sequence[Any]],
        columns: Sequence[str],
        *,
        analyze: bool = True,
    ) -> int:
        """Bulk load tuples with ``COPY table (columns) FROM STDIN``; returns the row count."""
        from psycopg import sql

        stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
        )
        n = 0
        with self.connect(autocommit=False) as conn:
            with conn.cursor() as cur:
                with cur.copy(stmt) as copy:
                    for row in rows:
                        if isinstance(row, Mapping):
                            row = [row[c] for c in columns]
                        copy.write_row([_adapt(v) for v in row])
                        n += 1
            conn.commit()
            if analyze:
                conn.autocommit = True
                conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
        return n

    def copy_races(
        self, rows: Iterable[Sequence[Any]], columns: Sequence[str], *, analyze: bool = True
    ) -> int:
        """Bulk load races (tuples or dicts in ``columns`` order) with COPY FROM STDIN."""
        return self.copy_rows("races", rows, columns, analyze=analyze)

    def drop(self) -> None:
        self.cluster.drop_database(self.name)
