"""A real test collector: an HTTP server implementing the parts of the collector's v2 API in
``docs/COLLECTOR_API.md`` that the dashboard may call, and a pytest plugin with its fixtures
(registered in ``conftest.py`` through ``pytest_plugins``). Not a test module.

Like the real collector it checks the ``X-API-Key`` header (or ``?api_key=``), validates
bodies into FastAPI-shaped ``422`` answers, and, on ``POST /api/v2/collection/async``,
INSERTs the job into the test PostgreSQL (``type 'batch'``, ``status`` ``pending`` then
``queued`` with ``started_at``, ``created_by`` the key's owner) through the writer role, so
the dashboard then reads the new job like any other. The dashboard itself never writes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.pgcluster import WRITER, PgDatabase

KST = dt.timezone(dt.timedelta(hours=9))
# Keys with characters that change under percent- and form-encoding: a leak in any
# encoding is caught.
OPERATOR_KEY = "kra_live_Zk9$Q2p+F/x=7wLm@Tq"
READONLY_KEY = "kra_live_ReadOnly$Only/4u=Xx"
LIMITED_KEY = "kra_live_Limited+Key/3z=Yy"
INACTIVE_KEY = "kra_live_Inactive$Key/8k=Ww"
OWNER = "ops-team"
ENDED = ("completed", "failed", "cancelled")
COLLECT, JOBS = "collection", "jobs"


@dataclass
class ApiKey:
    owner: str
    permissions: frozenset[str]
    daily_limit: int = 1000
    active: bool = True
    used: int = 0


@dataclass
class Seen:
    """One request as the collector received it."""

    method: str
    path: str
    query: str
    headers: dict
    body: bytes
    status: int = 0


@dataclass
class CollectorServer:
    """The server and its knobs: ``unavailable`` (key store down: 503), ``hang`` (seconds
    to sit on a request after doing its work), ``fail(status, body)`` for the next call."""

    db: PgDatabase | None
    keys: dict[str, ApiKey] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    today: dt.date | None = None
    unavailable: bool = False
    hang: float = 0.0
    failures: list[tuple[int, object]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def fail(self, status: int, body: object) -> None:
        self.failures.append((status, body))

    def posts(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.method == "POST" and s.path == path]

    def jobs(self) -> list[dict]:
        """Every row of ``jobs`` (as the superuser), oldest first."""
        rows = self.db.fetch("SELECT job_id, type::text, status::text, parameters, created_by,"
                             " started_at, completed_at FROM jobs ORDER BY created_at, job_id")
        cols = ("job_id", "type", "status", "parameters", "created_by", "started_at",
                "completed_at")
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def set_status(self, job_id: str, status: str) -> None:
        """Move a job on, as the collector's worker would."""
        done = "now()" if status in ENDED else "NULL"
        self._write(f"UPDATE jobs SET status = %s, completed_at = {done} WHERE job_id = %s",
                    (status, job_id))

    def _write(self, sql: str, params: tuple) -> list[tuple]:
        with self.db.connect(WRITER) as conn:
            cur = conn.execute(sql, params)
            return cur.fetchall() if cur.description else []

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --------------------------------------------------------------------------- validation


def _error(kind: str, loc: str, msg: str, value: object, **ctx: object) -> dict:
    item = {"type": kind, "loc": ["body", loc], "msg": msg, "input": value}
    if ctx:
        item["ctx"] = ctx
    return item


def _int_error(name: str, value: object, low: int, high: int) -> dict | None:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)  # pydantic's lax mode reads "1" as 1
        else:
            return _error("int_parsing", name, "Input should be a valid integer, unable to "
                          "parse string as an integer", value)
    if value < low:
        return _error("greater_than_equal", name, f"Input should be greater than or equal "
                      f"to {low}", value, ge=low)
    if value > high:
        return _error("less_than_equal", name, f"Input should be less than or equal to "
                      f"{high}", value, le=high)
    return None


def _date_error(value: object, today: dt.date) -> dict | None:
    if not isinstance(value, str):
        return _error("string_type", "date", "Input should be a valid string", value)
    if not re.fullmatch(r"\d{8}", value):
        return _error("string_pattern_mismatch", "date",
                      "String should match pattern '^\\d{8}$'", value, pattern="^\\d{8}$")
    try:
        day = dt.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        return _error("value_error", "date", f"validation error: 존재하지 않는 날짜입니다: "
                      f"{value}", value)
    if day > today:
        return _error("value_error", "date", f"validation error: 미래 날짜는 수집할 수 "
                      f"없습니다: {value}", value)
    return None


def validate(body: object, fields: tuple[str, ...], today: dt.date) -> list[dict]:
    """FastAPI/pydantic-shaped errors of a request body (empty when it is valid)."""
    if not isinstance(body, dict):
        return [{"type": "model_attributes_type", "loc": ["body"],
                 "msg": "Input should be a valid dictionary or object to extract fields "
                        "from", "input": body}]
    errors = []
    for name in fields:
        if name not in body:
            if name != "race_numbers":
                errors.append(_error("missing", name, "Field required", body))
            continue
        value = body[name]
        if name == "date":
            errors.append(_date_error(value, today))
        elif name == "meet":
            errors.append(_int_error("meet", value, 1, 3))
        elif name == "race_number":
            errors.append(_int_error("race_number", value, 1, 20))
        elif value is not None and (not isinstance(value, list) or any(
                isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 20
                for v in value)):
            errors.append(_error("value_error", "race_numbers", "validation error: 경주 "
                                 "번호는 1~20 사이의 정수 목록이어야 합니다", value))
    return [e for e in errors if e]


# --------------------------------------------------------------------------- endpoints

ROUTES = (
    ("POST", re.compile(r"^/api/v2/collection/async/?$"), "collect_async", COLLECT),
    ("POST", re.compile(r"^/api/v2/collection/result/?$"), "collect_result", COLLECT),
    ("POST", re.compile(r"^/api/v2/jobs/(?P<job_id>[^/]+)/cancel$"), "cancel", JOBS),
    ("GET", re.compile(r"^/api/v2/jobs/(?P<job_id>[^/]+)$"), "get_job", JOBS),
)


def collect_async(c: CollectorServer, key: ApiKey, body: dict, _job: str | None) -> tuple:
    errors = validate(body, ("date", "meet", "race_numbers"), c.today or _today())
    if errors:
        return 422, {"detail": errors}
    races = body.get("race_numbers")
    races = sorted(set(races)) if races else None
    job_id = str(uuid.uuid4())
    params = json.dumps({"race_date": body["date"], "meet": int(body["meet"]),
                         "race_numbers": races})
    c._write("INSERT INTO jobs (job_id, type, status, parameters, created_by, created_at) "
             "VALUES (%s, 'batch', 'pending', %s::jsonb, %s, now())", (job_id, params, key.owner))
    c._write("UPDATE jobs SET status = 'queued', started_at = now() WHERE job_id = %s",
             (job_id,))
    return 202, {"job_id": job_id, "status": "accepted", "message": "Collection job started",
                 "estimated_time": 5, "webhook_url": f"/api/v2/jobs/{job_id}", "data": None}


def collect_result(c: CollectorServer, _key: ApiKey, body: dict, _job: str | None) -> tuple:
    errors = validate(body, ("date", "meet", "race_number"), c.today or _today())
    if errors:
        return 422, {"detail": errors}
    rows = c._write("UPDATE races SET result_status = 'collected', result_collected_at = now()"
                    " WHERE date = %s AND meet = %s AND race_number = %s RETURNING race_id",
                    (body["date"], int(body["meet"]), int(body["race_number"])))
    return 200, {"status": "success", "message": "Race result collected",
                 "data": {"race_id": rows[0][0] if rows else None}}


def cancel(c: CollectorServer, key: ApiKey, _body: object, job_id: str | None) -> tuple:
    rows = c._write("UPDATE jobs SET status = 'cancelled', completed_at = now() "
                    "WHERE job_id = %s AND created_by = %s AND (status IS NULL OR "
                    "status NOT IN ('completed', 'failed', 'cancelled')) RETURNING job_id",
                    (job_id, key.owner))
    if not rows:
        return 404, {"detail": "Job not found"}
    return 200, {"message": "Job cancelled successfully"}


def get_job(c: CollectorServer, key: ApiKey, _body: object, job_id: str | None) -> tuple:
    rows = c._write("SELECT job_id, type::text, status::text, parameters, created_by "
                    "FROM jobs WHERE job_id = %s AND created_by = %s", (job_id, key.owner))
    if not rows:
        return 404, {"detail": "Job not found"}
    cols = ("job_id", "type", "status", "parameters", "created_by")
    return 200, dict(zip(cols, rows[0], strict=True))


HANDLERS = {"collect_async": collect_async, "collect_result": collect_result,
            "cancel": cancel, "get_job": get_job}


def _today() -> dt.date:
    return dt.datetime.now(KST).date()


def _authenticate(c: CollectorServer, headers, query: dict) -> tuple[ApiKey | None, tuple]:
    raw = headers.get("X-API-Key") or (query.get("api_key") or [None])[0]
    if not raw:
        return None, (401, {"detail": "API key required"})
    if c.unavailable:
        return None, (503, {"detail": "Authentication backend unavailable"})
    key = c.keys.get(raw)
    if key is None or not key.active:
        return None, (401, {"detail": "Invalid API key"})
    with c.lock:
        if key.used >= key.daily_limit:
            return None, (429, {"detail": "Daily request limit exceeded"})
        key.used += 1
    return key, ()


def handle(c: CollectorServer, method: str, path: str, query: dict, headers,
           raw: bytes) -> tuple[int, object]:
    """The collector's answer to one request."""
    if method == "GET" and path == "/health":
        return 200, {"status": "healthy"}
    matches = [(m, rx.match(path), name, perm) for m, rx, name, perm in ROUTES]
    routed = [(m, match, name, perm) for m, match, name, perm in matches if match]
    if not routed:
        return 404, {"detail": "Not Found"}
    chosen = [r for r in routed if r[0] == method]
    if not chosen:
        return 405, {"detail": "Method Not Allowed"}
    _m, match, name, perm = chosen[0]
    key, refusal = _authenticate(c, headers, query)
    if key is None:
        return refusal
    if perm not in key.permissions:
        return 403, {"detail": "Insufficient permissions"}
    if c.failures:
        return c.failures.pop(0)
    body: object = None
    if method == "POST" and name != "cancel":
        try:
            body = json.loads(raw or b"")
        except ValueError as exc:
            return 422, {"detail": [{"type": "json_invalid", "loc": ["body", 0],
                                     "msg": "JSON decode error", "input": {},
                                     "ctx": {"error": str(exc)}}]}
    job_id = unquote(match.groupdict()["job_id"]) if "job_id" in match.groupdict() else None
    return HANDLERS[name](c, key, body, job_id)


def start_collector(db: PgDatabase | None, **knobs: object) -> CollectorServer:
    """Start a test collector on 127.0.0.1 (a free port) with the four test keys."""
    c = CollectorServer(db, **knobs)
    c.keys.update({
        OPERATOR_KEY: ApiKey(OWNER, frozenset({COLLECT, JOBS})),
        READONLY_KEY: ApiKey("viewer", frozenset()),
        LIMITED_KEY: ApiKey(OWNER, frozenset({COLLECT, JOBS}), daily_limit=0),
        INACTIVE_KEY: ApiKey(OWNER, frozenset({COLLECT, JOBS}), active=False),
    })

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            seen = Seen(method, parts.path, parts.query, dict(self.headers.items()), raw)
            with c.lock:
                c.seen.append(seen)
            try:
                status, body = handle(c, method, parts.path, parse_qs(parts.query),
                                      self.headers, raw)
            except Exception as exc:  # noqa: BLE001 - the collector's own 500
                status, body = 500, {"detail": f"{type(exc).__name__}: {exc}"}
            seen.status = status
            if c.hang:
                time.sleep(c.hang)  # the work is done; the answer comes late (or never)
            data = json.dumps(body, ensure_ascii=False, default=str).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up waiting

        def do_GET(self) -> None:  # noqa: N802 - http.server's names
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

        def log_message(self, *_args: object) -> None:
            pass

    c.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    c.server.daemon_threads = True
    threading.Thread(target=c.server.serve_forever, daemon=True).start()
    return c


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def collector(pg_db: PgDatabase) -> Iterator[CollectorServer]:
    """A running test collector writing into ``pg_db``; the process-wide rate limit of the
    dashboard is cleared around it (each test is a fresh 'server')."""
    from status_core.actions.guards import LIMITER

    LIMITER.clear()
    c = start_collector(pg_db)
    try:
        yield c
    finally:
        c.close()
        LIMITER.clear()


@pytest.fixture
def collector_env(isolated_env, monkeypatch: pytest.MonkeyPatch, pg_db: PgDatabase,
                  collector: CollectorServer) -> CollectorServer:
    """Environment of a dashboard/CLI pointed at the test collector (operator key) and at
    ``pg_db`` through the read-only role."""
    monkeypatch.setenv("KRA_COLLECTOR_API_URL", collector.url)
    monkeypatch.setenv("KRA_COLLECTOR_API_KEY", OPERATOR_KEY)
    monkeypatch.setenv("KRA_COLLECTOR_TIMEOUT", "5")
    monkeypatch.setenv("DATABASE_URL", pg_db.reader_url)
    monkeypatch.setenv("KRA_CONNECT_TIMEOUT", "5")
    return collector


@pytest.fixture
def make_client(pg_db: PgDatabase, collector: CollectorServer):
    """``make_client(key=..., timeout=..., url=..., limiter=..., today=...)``: a
    :class:`CollectorClient` for the test collector whose duplicate guard reads ``pg_db``
    through the read-only role (engines disposed afterwards)."""
    from status_core.actions import CollectorClient, jobs_lookup
    from status_core.actions.config import CollectorConfig
    from status_core.engine import make_engine
    from status_core.settings import parse_url, resolve_timeouts

    target = parse_url(pg_db.reader_url, source="test")
    engine = make_engine(target, resolve_timeouts({}, []))

    def build(key: str = OPERATOR_KEY, *, timeout: float = 5.0, url: str | None = None,
              guard: bool = True, **kw: object) -> CollectorClient:
        config = CollectorConfig(url or collector.url, key, timeout)
        return CollectorClient(config, jobs=jobs_lookup(engine, target) if guard else None,
                               **kw)

    try:
        yield build
    finally:
        engine.dispose()
