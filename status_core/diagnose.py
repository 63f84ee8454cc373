"""One-click connection check: a staged diagnosis shared by the DB check page and the CLI.

``diagnose(url)`` walks nine steps and says which one failed, why (one word of
:data:`status_core.classify.CAUSES`) and what to change (Korean and English hints):

========== ===================================================================
config     URL present and parseable, driver, masked URL, Supabase pooler facts
dns        ``getaddrinfo`` of the host (IPv4 / IPv6 addresses)
tcp        a TCP connection to host:port
login      a real PostgreSQL login through :func:`status_core.engine.make_engine`
server     version, current user, database, recovery, read-only, TimeZone, SSL
schema     ``races`` / ``jobs`` in the collector's shape, newest migration
privileges SELECT grants and row level security (policies that apply to the role)
data       race counts by collection status, job counts by status, freshness
status     the collector's status object of one date x meet (when given)
========== ===================================================================

Time: the whole diagnosis is bounded by ``timeout`` seconds (it returns within
``timeout + 1``). Blocking calls (DNS, the login, every query) run in daemon threads and the
diagnosis stops waiting when the budget is spent; every query also carries a server-side
``statement_timeout`` of ``min(KRA_STATEMENT_TIMEOUT, remaining budget)`` (less a small
grace, so the client-side guard too fires inside the budget). The date x meet step's code
(pandas) loads in a background thread while the network steps run; the step waits for it
only as long as the budget allows, never on top of it.

Judgement calls, documented here so the page and the CLI agree:

- ``schema_outdated`` is a *fail* when columns the dashboard reads are missing (its queries
  would break) and a *warn* when the columns are there but ``schema_migrations`` is behind
  ``007_runtime_db_hardening.sql`` or cannot be read (the dashboard works; the collector is
  behind).
- ``rows_hidden_by_rls`` is a *fail*: row level security is on and no SELECT policy applies
  to the role (or one applies but its condition hides every row), so the dashboard would
  show zeros although the data is there.
- A Supabase pooler host with a user name that is not ``postgres.<project_ref>`` is a
  *warn* in the config step (with the exact fix); the login step then confirms it.
- ``exit_code``: 0 usable (warnings included), 1 a step failed, 2 the configuration (URL,
  setting or given date/meet) cannot be used.

No password ever leaves this module: every text is passed through
:func:`status_core.settings.redact` with every form of the password before it is stored.
"""

from __future__ import annotations

import datetime as dt
import importlib
import ipaddress
import math
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The driver is imported up front: an import inside a step would be paid out of the
# check's time budget. pandas (status_core.queries) is not: it costs a second or more and
# only the optional date x meet step needs it, imported outside the budget.
import psycopg  # noqa: F401
import sqlalchemy.dialects.postgresql.psycopg  # noqa: F401

from .classify import CAUSES, classify, is_value_error, server_message, server_reason
from .engine import make_engine
from .errors import ConfigError, StatusError
from .hints import check_hint_for, note_for
from .inputs import MEETS, parse_date, parse_meet
from .redact import (
    URL_SECRET_MIN_LENGTH,
    mask_url,
    redact,
    secret_forms,
    strip_secrets,
    url_secrets,
)
from .schema import EXPECTED_MIGRATION, REQUIRED_COLUMNS, inspect_schema
from .settings import (
    DatabaseTarget,
    Timeouts,
    demo_path,
    parse_url,
    resolve_timeouts,
)
from .timestamps import kst_iso, kst_text

KST = dt.timezone(dt.timedelta(hours=9), "KST")

OUTCOMES = ("ok", "warn", "fail", "skipped")
MARKS = {"ok": "✔", "warn": "⚠", "fail": "✘", "skipped": "–"}
STEP_NAMES = ("config", "dns", "tcp", "login", "server", "schema", "privileges", "data",
              "status")
TITLES: dict[str, dict[str, str]] = {
    "config": {"ko": "설정", "en": "Configuration"},
    "dns": {"ko": "이름 해석(DNS)", "en": "Name resolution (DNS)"},
    "tcp": {"ko": "TCP 연결", "en": "TCP reachability"},
    "login": {"ko": "PostgreSQL 로그인", "en": "PostgreSQL login"},
    "server": {"ko": "서버 정보", "en": "Server facts"},
    "schema": {"ko": "스키마", "en": "Schema"},
    "privileges": {"ko": "권한과 행 수준 보안", "en": "Privileges and row level security"},
    "data": {"ko": "데이터", "en": "Data"},
    "status": {"ko": "날짜·경마장 현황", "en": "Date x racecourse status"},
}
CAUSE_LABELS: dict[str, dict[str, str]] = {
    "ok": {"ko": "정상", "en": "usable"},
    "config": {"ko": "설정 오류", "en": "configuration error"},
    "dns": {"ko": "호스트 이름을 찾을 수 없음", "en": "host name does not resolve"},
    "refused": {"ko": "연결 거부/도달 불가", "en": "connection refused / unreachable"},
    "timeout": {"ko": "응답 없음(시간 초과)", "en": "no answer (timeout)"},
    "ssl": {"ko": "SSL 오류", "en": "SSL error"},
    "auth_password": {"ko": "비밀번호 오류", "en": "wrong password"},
    "auth_missing_password": {"ko": "비밀번호 없음", "en": "no password given"},
    "auth_rejected": {"ko": "사용자 접속 거부", "en": "user rejected"},
    "database_missing": {"ko": "데이터베이스 없음", "en": "database does not exist"},
    "too_many_connections": {"ko": "연결 수 초과", "en": "too many connections"},
    "server_starting": {"ko": "서버 시작/복구 중", "en": "server starting up"},
    "schema_missing": {"ko": "수집기 테이블 없음", "en": "collector tables missing"},
    "schema_legacy": {"ko": "옛 스키마(마이그레이션 미적용)",
                      "en": "legacy schema (migrations not applied)"},
    "schema_outdated": {"ko": "마이그레이션 뒤처짐", "en": "migrations behind"},
    "permission_denied": {"ko": "읽기 권한 없음", "en": "permission denied"},
    "rows_hidden_by_rls": {"ko": "행 수준 보안이 행을 숨김",
                           "en": "rows hidden by row level security"},
    "query_timeout": {"ko": "쿼리 시간 초과", "en": "query timeout"},
    "unknown": {"ko": "알 수 없는 오류", "en": "unknown error"},
}
SUPABASE_POOLER_SUFFIX = ".pooler.supabase.com"
_DIRECT_HOST = re.compile(r"^db\.[a-z0-9]+\.supabase\.co$", re.I)
_POOLER_USER = re.compile(r"^[^.\s]+\.[A-Za-z0-9]+$")
_MIN_QUERY_BUDGET = 0.05  # seconds: below this a query step is not even started
_CLIENT_GRACE = 0.4  # seconds a query may overrun its statement_timeout before we give up


def cause_label(cause: str, lang: str = "ko") -> str:
    """A short human label of a cause word."""
    entry = CAUSE_LABELS.get(cause) or CAUSE_LABELS["unknown"]
    return entry.get(lang) or entry["en"]


# --------------------------------------------------------------------------- results


@dataclass
class Step:
    """One finished step of a diagnosis.

    ``name`` is a stable id (:data:`STEP_NAMES`), ``outcome`` one of ``ok``, ``warn``,
    ``fail``, ``skipped``. ``detail`` (English, with the server's own message where there
    is one) and ``detail_ko`` are secret-free facts; ``hint`` holds ``{"ko", "en"}``
    advice; ``cause`` is a word of :data:`status_core.classify.CAUSES` (set on failures
    and on warnings that have one) or ``None``.
    """

    name: str
    outcome: str
    elapsed_ms: float = 0.0
    detail: str = ""
    detail_ko: str = ""
    cause: str | None = None
    hint: dict[str, str] = field(default_factory=lambda: {"ko": "", "en": ""})
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> dict[str, str]:
        return dict(TITLES.get(self.name, {"ko": self.name, "en": self.name}))

    def title_in(self, lang: str = "ko") -> str:
        return self.title.get(lang) or self.title["en"]

    def detail_in(self, lang: str = "ko") -> str:
        return (self.detail_ko or self.detail) if lang == "ko" else self.detail

    def hint_in(self, lang: str = "ko") -> str:
        return self.hint.get(lang) or self.hint.get("en", "")

    @property
    def hint_ko(self) -> str:
        return self.hint.get("ko", "")

    @property
    def hint_en(self) -> str:
        return self.hint.get("en", "")

    @property
    def mark(self) -> str:
        return MARKS.get(self.outcome, "?")

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "outcome": self.outcome,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "detail": self.detail,
            "detail_ko": self.detail_ko or self.detail,
            "cause": self.cause,
            "hint": {"ko": self.hint_ko, "en": self.hint_en},
            "facts": _jsonable(self.facts),
        }


@dataclass
class Diagnosis:
    """The whole diagnosis; build it with :func:`diagnose` (or :meth:`from_steps`)."""

    steps: list[Step]
    database_url: str
    checked_at: dt.datetime
    server: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, Any] = field(default_factory=dict)
    job_status_counts: dict[str, int] = field(default_factory=dict)
    collection_status: dict[str, Any] | None = None
    source: str = ""

    @property
    def ok(self) -> bool:
        """True when no step failed (warnings allowed)."""
        return not any(s.outcome == "fail" for s in self.steps)

    @property
    def failed_step(self) -> Step | None:
        return next((s for s in self.steps if s.outcome == "fail"), None)

    @property
    def cause(self) -> str:
        """The first failing step's cause, ``ok`` when nothing failed."""
        step = self.failed_step
        return (step.cause or "unknown") if step is not None else "ok"

    @property
    def exit_code(self) -> int:
        """0 usable (warnings included), 1 a step failed, 2 configuration failure."""
        if self.ok:
            return 0
        if any(s.outcome == "fail" and s.cause == "config" for s in self.steps):
            return 2
        return 1

    @property
    def elapsed_ms(self) -> float:
        return sum(s.elapsed_ms for s in self.steps)

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    def hint_in(self, lang: str = "ko") -> str:
        step = self.failed_step
        return step.hint_in(lang) if step is not None else ""

    @classmethod
    def from_steps(cls, steps: list[Step]) -> Diagnosis:
        """Assemble a diagnosis from the steps :func:`iter_diagnose` yielded."""
        by_name = {s.name: s for s in steps}
        config = by_name.get("config")
        cfg = config.facts if config else {}
        checked = cfg.get("checked_at")
        if not isinstance(checked, dt.datetime):
            checked = dt.datetime.now(KST)
        tables: dict[str, Any] = {}
        for name in ("schema", "privileges", "data"):
            step = by_name.get(name)
            for table, info in ((step.facts.get("tables") or {}) if step else {}).items():
                tables.setdefault(table, {}).update(info)
        data = by_name.get("data")
        status = by_name.get("status")
        server = by_name.get("server")
        return cls(
            steps=list(steps),
            database_url=cfg.get("database_url", ""),
            checked_at=checked,
            server=dict(server.facts) if server else {},
            tables=tables,
            job_status_counts=dict((data.facts.get("job_status_counts") or {}) if data else {}),
            collection_status=status.facts.get("collection_status") if status else None,
            source=cfg.get("source", ""),
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict; timestamps are ISO 8601 with their UTC offset."""
        step = self.failed_step
        return {
            "ok": self.ok,
            "cause": self.cause,
            "cause_label": {"ko": cause_label(self.cause, "ko"),
                            "en": cause_label(self.cause, "en")},
            "failed_step": step.name if step else None,
            "hint": {"ko": self.hint_in("ko"), "en": self.hint_in("en")},
            "exit_code": self.exit_code,
            "database_url": self.database_url,
            "source": self.source,
            "checked_at": self.checked_at.isoformat(),
            "elapsed_ms": round(self.elapsed_ms, 1),
            "steps": [s.to_json() for s in self.steps],
            "server": _jsonable(self.server),
            "tables": _jsonable(self.tables),
            "job_status_counts": _jsonable(self.job_status_counts),
            "collection_status": _jsonable(self.collection_status),
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return kst_iso(value)  # never overflows: "infinity", UTC past 9999-12-31 15:00
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value
    if hasattr(value, "item"):  # numpy scalars
        try:
            return _jsonable(value.item())
        except Exception:  # noqa: BLE001
            pass
    return str(value)


# --------------------------------------------------------------------------- text report


_VERDICT = {
    "ko": {"head": "KRA DB 점검", "ok": "결과: ✔ 사용 가능 (원인: ok)",
           "warns": ", 경고 {n}건",
           "fail": "결과: ✘ 실패 — 원인: {cause} ({label}), 단계: {step}"},
    "en": {"head": "KRA DB check", "ok": "Verdict: ✔ usable (cause: ok)",
           "warns": ", {n} warning(s)",
           "fail": "Verdict: ✘ failed — cause: {cause} ({label}), step: {step}"},
}


def format_text(diagnosis: Diagnosis, lang: str = "ko") -> str:
    """A plain-text report: one line per step, its hint below it, then the verdict."""
    lang = lang if lang in ("ko", "en") else "ko"
    when = diagnosis.checked_at.astimezone(KST).strftime("%Y-%m-%d %H:%M:%S KST")
    lines = [f"{_VERDICT[lang]['head']} · {diagnosis.database_url or '-'} · {when}"]
    shown: set[str] = set()
    for step in diagnosis.steps:
        elapsed = "" if step.outcome == "skipped" else _fmt_ms(step.elapsed_ms)
        detail = step.detail_in(lang)
        line = f"{step.mark} {elapsed:>8}  {step.title_in(lang)}"
        if detail:
            line += f" — {detail}"
        lines.append(line)
        hint = step.hint_in(lang)
        if hint and step.outcome != "skipped":
            # the same advice under a later step would only repeat itself
            lines.append(f"{'':11}→ {hint}" if hint not in shown else f"{'':11}→ ↑")
            shown.add(hint)
    cause = diagnosis.cause
    failed = diagnosis.failed_step
    words = _VERDICT[lang]
    if diagnosis.ok:
        warns = sum(s.outcome == "warn" for s in diagnosis.steps)
        verdict = words["ok"] + (words["warns"].format(n=warns) if warns else "")
    else:
        where = failed.title_in(lang) if failed else "-"
        verdict = words["fail"].format(cause=cause, label=cause_label(cause, lang), step=where)
    lines.append(verdict)
    return "\n".join(lines)


def _fmt_ms(ms: float) -> str:
    if ms >= 10_000:
        return f"{ms / 1000:.1f} s"
    if ms >= 100:
        return f"{ms:.0f} ms"
    return f"{ms:.1f} ms"


def format_age(seconds: float, lang: str = "ko") -> str:
    """``3 min ago`` / ``3분 전``."""
    if seconds < -60:
        return "미래 시각(시계 차이?)" if lang == "ko" else "in the future (clock skew?)"
    s = max(0, int(seconds))
    if s < 60:
        n, ko, en = s, "초", "s"
    elif s < 3600:
        n, ko, en = s // 60, "분", "min"
    elif s < 2 * 86400:
        n, ko, en = s // 3600, "시간", "h"
    else:
        n, ko, en = s // 86400, "일", "days" if s // 86400 != 1 else "day"
    return f"{n}{ko} 전" if lang == "ko" else f"{n} {en} ago"


# --------------------------------------------------------------------------- bounded calls


class _Late(Exception):
    """A bounded call did not finish in time; the worker thread was left behind."""


def _bounded(fn: Callable[[], Any], seconds: float,
             on_late: Callable[[Any], None] | None = None) -> Any:
    """Run ``fn`` in a daemon thread and wait at most ``seconds`` for it.

    Raises :class:`_Late` when the time is up (the thread keeps running; when it finishes,
    ``on_late(value_or_None)`` releases what it got). Exceptions of ``fn`` propagate.
    """
    lock = threading.Lock()
    box: dict[str, Any] = {}
    done = threading.Event()

    def work() -> None:
        try:
            value, error = fn(), None
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            value, error = None, exc
        with lock:
            box["value"], box["error"] = value, error
            late = box.get("abandoned", False)
        done.set()
        if late and on_late is not None:
            try:
                on_late(value)
            except Exception:  # noqa: BLE001 - best-effort cleanup of an abandoned call
                pass

    thread = threading.Thread(target=work, name="kra-diagnose", daemon=True)
    thread.start()
    done.wait(max(0.0, seconds))
    with lock:
        if "error" not in box:
            box["abandoned"] = True
            raise _Late()
    if box["error"] is not None:
        raise box["error"]
    return box["value"]


# --------------------------------------------------------------------------- the run


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


class _Run:
    """State shared by the steps of one diagnosis."""

    def __init__(self, url: str | None, race_date: object, meet: object, timeout: float,
                 statement_timeout: float | None) -> None:
        self.raw = url
        self.race_date = race_date
        self.meet = meet
        self.timeout = float(timeout) if timeout and timeout > 0 else 5.0
        self.statement_limit = statement_timeout
        self.secrets: tuple[str, ...] = url_secrets(url)
        self.target: DatabaseTarget | None = None
        self.deadline = time.monotonic() + self.timeout
        self.blocked: tuple[str, str] | None = None  # (en, ko) reason the rest is skipped
        self.engine = None
        self.conn = None
        self.conn_stuck = False
        self.addresses: list[tuple[int, str]] = []
        self.tcp_ok = False
        self.role: str | None = None
        self.superuser = False
        self.bypassrls = False
        self.readable: dict[str, bool] = {}
        self.hidden: dict[str, bool] = {}
        self.rls_on: dict[str, bool] = {}
        self.schema_ok = False
        self.facts: dict[str, Any] = {}

    # -- helpers
    @property
    def is_sqlite(self) -> bool:
        return self.target is not None and not self.target.is_postgres

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def scrub(self, text: Any) -> Any:
        if isinstance(text, str):
            return redact(text, self.secrets)
        if isinstance(text, dict):
            return {k: self.scrub(v) for k, v in text.items()}
        if isinstance(text, list | tuple):
            return [self.scrub(v) for v in text]
        return text

    def ctx(self, **extra: Any) -> dict[str, Any]:
        url = self.target.url if self.target is not None else None
        context = {
            "role": self.role or (url.username if url is not None else None),
            "user": url.username if url is not None else None,
            "host": url.host if url is not None else None,
            "port": (url.port or 5432) if url is not None and url.host else None,
            "db": url.database if url is not None else None,
            "seconds": f"{self.timeout:.3g}",
        }
        context.update({k: v for k, v in extra.items() if v is not None})
        return context

    def hint(self, cause: str | None, *notes: str, **extra: Any) -> dict[str, str]:
        context = self.ctx(**extra)
        out = {}
        for lang in ("ko", "en"):
            parts = [note_for(n, lang, **context) for n in notes]
            if cause and cause != "ok":
                parts.append(check_hint_for(cause, lang, **context))
            out[lang] = " ".join(p for p in parts if p)
        return out

    def close(self) -> None:
        conn, engine = self.conn, self.engine
        self.conn = self.engine = None
        if self.conn_stuck:
            return  # the abandoned worker releases them when it finishes
        _release(conn, engine)


def _release(conn: Any, engine: Any) -> None:
    try:
        if conn is not None:
            conn.close()
    except Exception:  # noqa: BLE001
        pass
    try:
        if engine is not None:
            engine.dispose()
    except Exception:  # noqa: BLE001
        pass


def _new(name: str, outcome: str, started: float, en: str = "", ko: str = "", *,
         cause: str | None = None, hint: dict[str, str] | None = None,
         facts: dict[str, Any] | None = None) -> Step:
    return Step(
        name=name,
        outcome=outcome,
        elapsed_ms=(time.perf_counter() - started) * 1000,
        detail=en,
        detail_ko=ko or en,
        cause=cause,
        hint=hint or {"ko": "", "en": ""},
        facts=facts or {},
    )


def _skip(name: str, en: str, ko: str) -> Step:
    return Step(name=name, outcome="skipped", detail=en, detail_ko=ko)


# --------------------------------------------------------------------------- steps


def _step_config(run: _Run) -> Step:
    started = time.perf_counter()
    checked_at = dt.datetime.now(KST)
    base = {"checked_at": checked_at}
    try:
        limits = resolve_timeouts()
    except ConfigError as exc:
        run.blocked = ("the settings cannot be used", "설정을 사용할 수 없습니다")
        return _new("config", "fail", started, exc.message,
                    f"설정 값을 사용할 수 없습니다: {exc.message}", cause="config",
                    hint={"ko": "KRA_CONNECT_TIMEOUT, KRA_STATEMENT_TIMEOUT은 0.1 이상 "
                          "3600 이하인 초 단위 숫자여야 합니다(예: 10).", "en": exc.hint},
                    facts={**base, "database_url": mask_url(run.raw)})
    if run.statement_limit is None:
        run.statement_limit = limits.statement
    base["statement_timeout_s"] = run.statement_limit
    base["timeout_s"] = run.timeout

    if run.raw is None:
        return _config_demo(run, started, base)
    try:
        target = parse_url(run.raw)
    except ConfigError as exc:
        run.blocked = ("the URL cannot be used", "URL을 사용할 수 없습니다")
        hint = run.hint("config")
        if exc.hint:
            hint["en"] = f"{exc.hint} {hint['en']}"
        return _new("config", "fail", started, exc.message,
                    f"DATABASE_URL을 사용할 수 없습니다: {exc.message}", cause="config",
                    hint=hint, facts={**base, "database_url": mask_url(run.raw)})
    run.target = target
    run.secrets = tuple(sorted(set(run.secrets) | set(secret_forms(
        target.url.password, *(target.secrets or ()), min_length=URL_SECRET_MIN_LENGTH)),
        key=len, reverse=True))
    url = target.url
    scheme = run.raw.strip().split("://", 1)[0].lower()
    facts: dict[str, Any] = {
        **base,
        "database_url": target.masked,
        "source": target.source,
        "scheme": scheme,
        "driver": url.drivername,
    }
    if not target.is_postgres:
        path = Path(url.database or "")
        facts.update(backend="sqlite", path=str(path))
        if not path.is_file():
            run.blocked = ("the SQLite file does not exist", "SQLite 파일이 없습니다")
            return _new("config", "fail", started,
                        f"sqlite URL, but the file {path} does not exist",
                        f"sqlite URL이지만 파일 {path}이(가) 없습니다", cause="config",
                        hint=run.hint("config"), facts=facts)
        return _new("config", "ok", started, f"SQLite file {path} ({url.drivername})",
                    f"SQLite 파일 {path} ({url.drivername})", facts=facts)

    host = (url.host or "").lower()
    port = url.port or 5432
    sslmode = url.query.get("sslmode")
    facts.update(backend="postgresql", host=url.host, port=port, database=url.database,
                 user=url.username, sslmode=sslmode, password_given=bool(url.password))
    en = [f"{target.masked} (driver {url.drivername})"]
    ko = [f"{target.masked} (드라이버 {url.drivername})"]
    notes: list[str] = []
    warn = False
    if "asyncpg" in scheme:
        en.append("the collector's postgresql+asyncpg:// URL is read with psycopg")
        ko.append("수집기의 postgresql+asyncpg:// URL을 psycopg로 읽습니다")
    is_pooler = host.endswith(SUPABASE_POOLER_SUFFIX)
    is_supabase = is_pooler or host.endswith(".supabase.co") or host.endswith(".supabase.com")
    facts["supabase"] = "pooler" if is_pooler else (
        "direct" if _DIRECT_HOST.match(host) else ("other" if is_supabase else None))
    if target.uses_transaction_pooler:
        facts["pool_mode"] = "transaction"
        en.append(f"port {port}: transaction-mode pooler, server-side prepared statements "
                  "off (the dashboard does this)")
        ko.append(f"포트 {port}: 트랜잭션 모드 풀러, 서버 측 prepared statement 끔"
                  "(대시보드가 처리)")
    if is_pooler:
        if not _POOLER_USER.match(url.username or ""):
            warn = True
            notes.append("pooler_user")
            en.append(f"Supabase pooler with user {url.username!r}: it expects "
                      "postgres.<project_ref>")
            ko.append(f"Supabase 풀러인데 사용자 이름이 {url.username!r}입니다: "
                      "postgres.<project_ref> 형식이어야 합니다")
        if port == 5432:
            facts["pool_mode"] = "session"
            notes.append("session_pooler")
            en.append("port 5432 on the pooler: session mode, capped at the pool size")
            ko.append("풀러의 5432 포트: 세션 모드, 동시 연결이 pool size로 제한")
    if _DIRECT_HOST.match(host):
        notes.append("direct_host")
        en.append("direct Supabase host: may resolve to IPv6 only")
        ko.append("Supabase 직접 연결 주소: IPv6만 있을 수 있음")
    if is_supabase and not sslmode:
        warn = True
        notes.append("sslmode_missing")
        en.append("no sslmode on a Supabase host")
        ko.append("Supabase 호스트인데 sslmode가 없음")
    if not url.password and not url.query.get("password"):
        warn = True
        notes.append("no_password")
        en.append("no password in the URL")
        ko.append("URL에 비밀번호가 없음")
    return _new("config", "warn" if warn else "ok", started, "; ".join(en), "; ".join(ko),
                hint=run.hint(None, *notes), facts=facts)


def _config_demo(run: _Run, started: float, base: dict[str, Any]) -> Step:
    from sqlalchemy.engine import URL

    path = demo_path()
    try:
        from .demo import ensure_demo

        ensure_demo(path)
    except Exception as exc:  # noqa: BLE001 - reported as the step's failure
        run.blocked = ("the embedded demo could not be prepared", "내장 데모를 준비하지 못했습니다")
        message = _one_line(f"{type(exc).__name__}: {exc}")
        return _new("config", "fail", started,
                    f"no database configured, and the embedded demo {path} could not be "
                    f"built: {message}",
                    f"DB가 설정되지 않았고 내장 데모 {path}를 만들지 못했습니다: {message}",
                    cause="config", hint=run.hint("config"),
                    facts={**base, "database_url": "", "source": "demo", "path": str(path)})
    run.target = DatabaseTarget(URL.create("sqlite+pysqlite", database=str(path)), "demo",
                                is_demo=True)
    return _new(
        "config", "warn", started,
        f"no database configured (DATABASE_URL and [connections.kra] url are unset): "
        f"checking the embedded demo {path}, not the collector's database",
        f"DB가 설정되지 않았습니다(DATABASE_URL, [connections.kra] url 없음): 수집 DB가 아닌 "
        f"내장 데모 {path}를 점검합니다",
        hint=run.hint(None, "demo"),
        facts={**base, "database_url": run.target.masked, "source": "demo",
               "backend": "sqlite", "path": str(path), "demo": True},
    )


_NO_NETWORK = ("SQLite file, no network", "SQLite 파일이라 네트워크 없음")


def _step_dns(run: _Run) -> Step:
    if run.is_sqlite:
        return _skip("dns", *_NO_NETWORK)
    started = time.perf_counter()
    url = run.target.url
    host, port = url.host or "", url.port or 5432
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        ip = None
    if ip is not None:
        family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
        run.addresses = [(family, str(ip))]
        return _new("dns", "ok", started, f"{host} is an IP address, nothing to resolve",
                    f"{host}은(는) IP 주소라 해석할 필요 없음",
                    facts={"ipv4": [str(ip)] if ip.version == 4 else [],
                           "ipv6": [str(ip)] if ip.version == 6 else []})
    budget = run.remaining()
    try:
        infos = _bounded(
            lambda: socket.getaddrinfo(host, port, type=socket.SOCK_STREAM), budget)
    except _Late:
        run.blocked = ("the host name did not resolve", "호스트 이름을 해석하지 못했습니다")
        return _new("dns", "fail", started,
                    f"no DNS answer for {host} within {max(budget, 0):.1f}s",
                    f"{max(budget, 0):.1f}초 안에 {host}의 DNS 응답이 없음",
                    cause="dns", hint=run.hint("dns"))
    except OSError as exc:
        run.blocked = ("the host name did not resolve", "호스트 이름을 해석하지 못했습니다")
        message = _one_line(str(exc))
        return _new("dns", "fail", started, f"{host} does not resolve: {message}",
                    f"{host}의 주소를 찾을 수 없음: {message}", cause="dns",
                    hint=run.hint("dns"), facts={"error": message})
    v4, v6, ordered = [], [], []
    for family, _type, _proto, _name, sockaddr in infos:
        addr = sockaddr[0]
        bucket = v6 if family == socket.AF_INET6 else v4
        if addr not in bucket:
            bucket.append(addr)
            ordered.append((family, addr))
    run.addresses = ordered
    facts = {"ipv4": v4, "ipv6": v6}
    shown = ", ".join(v4 + v6)
    if v6 and not v4:
        return _new("dns", "warn", started, f"{host} → {shown} (IPv6 only)",
                    f"{host} → {shown} (IPv6만 있음)", hint=run.hint(None, "ipv6_only"),
                    facts=facts)
    return _new("dns", "ok", started, f"{host} → {shown}", f"{host} → {shown}", facts=facts)


def _step_tcp(run: _Run) -> Step:
    if run.is_sqlite:
        return _skip("tcp", *_NO_NETWORK)
    started = time.perf_counter()
    url = run.target.url
    host, port = url.host, url.port or 5432
    errors: list[tuple[str, OSError | None]] = []
    for family, addr in run.addresses:
        budget = run.remaining()
        if budget <= 0:
            errors.append((addr, None))
            break
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(budget)
        try:
            target = (addr, port, 0, 0) if family == socket.AF_INET6 else (addr, port)
            sock.connect(target)
        except OSError as exc:
            errors.append((addr, exc))
            continue
        finally:
            sock.close()
        run.tcp_ok = True
        shown = f"[{addr}]:{port}" if family == socket.AF_INET6 else f"{addr}:{port}"
        return _new("tcp", "ok", started, f"{shown} accepts TCP connections",
                    f"{shown}에서 TCP 연결을 받음", facts={"address": addr, "port": port})
    run.blocked = (f"{host}:{port} is not reachable", f"{host}:{port}에 연결할 수 없습니다")
    timed_out = any(exc is None or isinstance(exc, TimeoutError) for _a, exc in errors)
    parts = []
    for addr, exc in errors:
        if exc is None or isinstance(exc, TimeoutError):
            parts.append(f"{addr}: timed out")
        else:
            parts.append(f"{addr}: {exc.strerror or exc}")
    message = "; ".join(parts) or "no address to try"
    notes = []
    if run.addresses and all(f == socket.AF_INET6 for f, _ in run.addresses):
        notes.append("ipv6_only")
    if timed_out:
        return _new("tcp", "fail", started,
                    f"no TCP answer from {host}:{port} within {run.timeout:g}s ({message})",
                    f"{run.timeout:g}초 안에 {host}:{port}의 TCP 응답이 없음 ({message})",
                    cause="timeout", hint=run.hint("timeout", *notes),
                    facts={"errors": parts})
    return _new("tcp", "fail", started, f"{host}:{port} refuses or cannot be reached ({message})",
                f"{host}:{port}이(가) 연결을 거부하거나 도달할 수 없음 ({message})",
                cause="refused", hint=run.hint("refused", *notes), facts={"errors": parts})


def _step_login(run: _Run) -> Step:
    if run.is_sqlite:
        return _skip("login", *_NO_NETWORK)
    started = time.perf_counter()
    url = run.target.url
    engine = make_engine(run.target, Timeouts(connect=max(run.remaining(), 1.0),
                                              statement=run.statement_limit or 10.0))
    budget = run.remaining()
    if budget <= 0:
        engine.dispose()
        run.blocked = ("the time budget ran out", "시간 예산을 다 썼습니다")
        return _new("login", "fail", started, "the check's time budget ran out before the login",
                    "로그인 전에 점검 시간 예산을 다 썼습니다", cause="timeout",
                    hint=run.hint("timeout", "budget"))
    try:
        conn = _bounded(engine.connect, budget, on_late=lambda c: _release(c, engine))
    except _Late:
        run.blocked = ("the login did not finish", "로그인이 끝나지 않았습니다")
        where = f"{url.host}:{url.port or 5432}"
        if run.tcp_ok:
            en = (f"{where} accepted the TCP connection but gave no PostgreSQL answer within "
                  f"{budget:.1f}s (not a PostgreSQL server, or an overloaded server/pooler)")
            ko = (f"{where}이(가) TCP 연결은 받았지만 {budget:.1f}초 안에 PostgreSQL 응답이 "
                  "없음(PostgreSQL이 아니거나 서버/풀러 과부하)")
        else:
            en = f"no PostgreSQL answer from {where} within {budget:.1f}s"
            ko = f"{budget:.1f}초 안에 {where}의 PostgreSQL 응답이 없음"
        return _new("login", "fail", started, en, ko, cause="timeout",
                    hint=run.hint("timeout"), facts={"waited_s": round(budget, 2)})
    except Exception as exc:  # noqa: BLE001 - classified below
        engine.dispose()
        run.blocked = ("the login failed", "로그인에 실패했습니다")
        cause = classify(exc, login=True)
        if cause not in CAUSES or cause == "ok":
            cause = "unknown"
        message = _one_line(redact(server_message(exc), run.secrets))
        reason = _one_line(redact(server_reason(server_message(exc)), run.secrets))
        if cause == "config":
            # a startup setting of the URL was refused: the generic URL-form hint would
            # not help, the server's reason and where to change it do
            return _new("login", "fail", started, f"{cause_label(cause, 'en')}: the server "
                        f"refused a connection setting of the URL: {reason}",
                        f"{cause_label(cause, 'ko')}: 서버가 URL의 접속 설정을 거부함: {reason}",
                        cause=cause, hint=run.hint(None, "startup_option"),
                        facts={"error": message, "reason": reason})
        notes = []
        host = (url.host or "").lower()
        if cause == "auth_rejected" and host.endswith(SUPABASE_POOLER_SUFFIX) and not (
                _POOLER_USER.match(url.username or "")):
            notes.append("pooler_user")
        if cause == "too_many_connections" and host.endswith(SUPABASE_POOLER_SUFFIX) and (
                (url.port or 5432) == 5432):
            notes.append("session_pooler")
        if cause == "ssl" and (host.endswith(".supabase.co") or host.endswith(".supabase.com")):
            notes.append("sslmode_missing")
        return _new("login", "fail", started,
                    f"{cause_label(cause, 'en')}: {reason}",
                    f"{cause_label(cause, 'ko')}: {reason}", cause=cause,
                    hint=run.hint(cause, *notes), facts={"error": message, "reason": reason})
    run.engine, run.conn = engine, conn
    facts: dict[str, Any] = {}
    try:
        pg = conn.connection.dbapi_connection
        facts["ssl_in_use"] = bool(pg.pgconn.ssl_in_use)
        facts["server_version_num"] = pg.info.server_version
        facts["backend_pid"] = pg.info.backend_pid
    except Exception:  # noqa: BLE001 - facts are optional
        pass
    ssl = facts.get("ssl_in_use")
    ssl_en = " over SSL" if ssl else (" without SSL" if ssl is False else "")
    ssl_ko = " (SSL 사용)" if ssl else (" (SSL 없음)" if ssl is False else "")
    return _new("login", "ok", started,
                f"logged in as {url.username} to database {url.database}{ssl_en}",
                f"{url.username}(으)로 데이터베이스 {url.database}에 로그인{ssl_ko}",
                facts=facts)


def _query(run: _Run, fn: Callable[[Any], Any]) -> Any:
    """Run ``fn(conn)`` in its own read-only transaction, bounded by the remaining budget.

    Raises :class:`_Late` when the client-side guard fires (the connection is then left to
    its worker) and ``_BudgetSpent`` when no time is left to start.
    """
    budget = run.remaining()
    if budget < _MIN_QUERY_BUDGET:
        raise _BudgetSpent()
    # The server's statement_timeout fires a little before the client-side guard (so the
    # server's own message is the one reported), and the guard fires within the budget.
    grace = min(_CLIENT_GRACE, budget / 4)
    limit = min(run.statement_limit or budget, budget - grace)
    conn = run.conn

    def work() -> Any:
        try:
            if not run.is_sqlite:
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, int(limit * 1000))}")
            return fn(conn)
        finally:
            try:
                conn.rollback()
            except Exception:  # noqa: BLE001
                pass

    engine = run.engine
    try:
        return _bounded(work, limit + grace, on_late=lambda _v: _release(conn, engine))
    except _Late:
        run.conn_stuck = True
        run.blocked = ("the connection is stuck in a query", "연결이 쿼리에 묶여 있습니다")
        raise


class _BudgetSpent(Exception):
    """No time left in the check's budget to start a query."""


class _BackgroundImport:
    """``status_core.queries`` (pandas: a second or more to import) loaded in a daemon
    thread while the network steps run, so the date x meet step never adds that time on
    top of the check's budget; it waits for the import only as long as the budget allows.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.done = threading.Event()
        self.module: Any = None
        self.error: BaseException | None = None
        self._lock = threading.Lock()
        self._started = False

    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._load, name="kra-diagnose-import", daemon=True).start()

    def _load(self) -> None:
        try:
            self.module = importlib.import_module(self.name)
        except BaseException as exc:  # noqa: BLE001 - handed to the step that needs it
            self.error = exc
        finally:
            self.done.set()

    def wait(self, seconds: float) -> Any:
        """The module, ``None`` when it is not loaded within ``seconds``; re-raises an
        import failure."""
        self.start()
        if not self.done.wait(max(0.0, seconds)):
            return None
        if self.error is not None:
            raise self.error
        return self.module


_QUERIES = _BackgroundImport(f"{__package__}.queries")


def _queries_module(run: _Run) -> Any:
    """``status_core.queries`` once loaded, ``None`` when the budget ran out first."""
    return _QUERIES.wait(run.remaining() - _MIN_QUERY_BUDGET)


def _query_failure(run: _Run, name: str, started: float, exc: BaseException,
                   what_en: str, what_ko: str) -> Step:
    """A failed query step, for the three ways a query can fail."""
    limit = run.statement_limit or run.timeout
    if isinstance(exc, _BudgetSpent):
        run.blocked = ("the time budget ran out", "시간 예산을 다 썼습니다")
        return _new(name, "fail", started, f"the check's time budget ran out before {what_en}",
                    f"{what_ko} 전에 점검 시간 예산을 다 썼습니다", cause="query_timeout",
                    hint=run.hint(None, "budget"))
    if isinstance(exc, _Late):
        return _new(name, "fail", started,
                    f"{what_en} got no answer within the time budget (client-side limit)",
                    f"{what_ko}: 시간 예산 안에 응답이 없음(클라이언트 측 제한)",
                    cause="query_timeout", hint=run.hint("query_timeout", seconds=f"{limit:g}"))
    message = _one_line(redact(server_message(exc), run.secrets))
    if name in ("data", "status") and is_value_error(exc):
        # The database answered; one stored value cannot be turned into a Python value.
        # That is about the data, not a reason to call the database unusable.
        return _new(name, "warn", started, f"{what_en}: a stored value cannot be read: "
                    f"{message}", f"{what_ko}: 저장된 값을 읽을 수 없음: {message}",
                    hint=run.hint(None, "unreadable_value"), facts={"error": message})
    cause = classify(exc)
    if cause not in CAUSES or cause == "ok":
        cause = "unknown"
    seconds = f"{min(limit, run.timeout):g}"
    return _new(name, "fail", started, f"{what_en} failed: {message}",
                f"{what_ko} 실패: {message}", cause=cause,
                hint=run.hint(cause, seconds=seconds), facts={"error": message})


_SERVER_SQL = """
SELECT version(), current_user, session_user, current_database(), pg_is_in_recovery(),
       current_setting('default_transaction_read_only'),
       current_setting('transaction_read_only'),
       current_setting('TimeZone'),
       current_setting('server_version'),
       (SELECT s.ssl FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()),
       (SELECT s.version FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()),
       (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user),
       (SELECT r.rolbypassrls FROM pg_roles r WHERE r.rolname = current_user)
"""


def _step_server(run: _Run) -> Step:
    started = time.perf_counter()
    if run.is_sqlite:
        return _server_sqlite(run, started)

    def fetch(conn: Any) -> Any:
        return conn.exec_driver_sql(_SERVER_SQL).one()

    try:
        row = _query(run, fetch)
    except Exception as exc:  # noqa: BLE001
        return _query_failure(run, "server", started, exc, "reading the server facts",
                              "서버 정보 조회")
    (version, user, session_user, database, recovery, default_ro, tx_ro, tz, short_version,
     stat_ssl, ssl_version, superuser, bypassrls) = row
    run.role = user
    run.superuser = bool(superuser)
    run.bypassrls = bool(bypassrls)
    login = run.facts.get("login", {})
    ssl = login.get("ssl_in_use")
    if ssl is None:
        ssl = stat_ssl
    facts = {
        "version": version,
        "server_version": short_version,
        "current_user": user,
        "session_user": session_user,
        "database": database,
        "in_recovery": bool(recovery),
        "default_transaction_read_only": default_ro,
        "transaction_read_only": tx_ro,
        "timezone": tz,
        "ssl": ssl,
        "ssl_version": ssl_version,
        "superuser": bool(superuser),
        "bypassrls": bool(bypassrls),
    }
    role_en = f"user {user}" + (f" (logged in as {session_user})" if session_user != user else "")
    en = (f"PostgreSQL {short_version}; {role_en}; database {database}; "
          f"{'standby (read replica)' if recovery else 'primary'}; "
          f"read-only transactions {tx_ro}; TimeZone {tz}; SSL {'on' if ssl else 'off'}")
    ko = (f"PostgreSQL {short_version}; 사용자 {user}; 데이터베이스 {database}; "
          f"{'대기 서버(읽기 복제본)' if recovery else '주 서버'}; "
          f"읽기 전용 트랜잭션 {tx_ro}; TimeZone {tz}; SSL {'사용' if ssl else '미사용'}")
    if superuser or bypassrls:
        en += "; this role bypasses row level security"
        ko += "; 이 역할은 행 수준 보안을 우회함"
    return _new("server", "ok", started, en, ko, facts=facts)


def _server_sqlite(run: _Run, started: float) -> Step:
    try:
        engine = make_engine(run.target)
        run.engine = engine
        run.conn = _bounded(engine.connect, max(run.remaining(), 0.5))
    except Exception as exc:  # noqa: BLE001
        if isinstance(exc, _Late):
            run.conn_stuck = True
        run.blocked = ("the SQLite file cannot be opened", "SQLite 파일을 열 수 없습니다")
        message = _one_line(redact(str(exc), run.secrets)) or type(exc).__name__
        return _new("server", "fail", started, f"cannot open the SQLite file: {message}",
                    f"SQLite 파일을 열 수 없음: {message}", cause="config",
                    hint=run.hint("config"))
    try:
        version = _query(run, lambda c: c.exec_driver_sql("SELECT sqlite_version()").scalar())
    except Exception as exc:  # noqa: BLE001
        return _query_failure(run, "server", started, exc, "reading the SQLite version",
                              "SQLite 버전 조회")
    path = Path(run.target.url.database or "")
    size = path.stat().st_size if path.is_file() else 0
    facts = {"backend": "sqlite", "version": f"SQLite {version}", "path": str(path),
             "size_bytes": size, "demo": run.target.is_demo}
    label_en = "embedded demo" if run.target.is_demo else "SQLite file"
    label_ko = "내장 데모" if run.target.is_demo else "SQLite 파일"
    return _new("server", "ok", started,
                f"SQLite {version}, {label_en} {path} ({size / 1024:.0f} KiB), read-only",
                f"SQLite {version}, {label_ko} {path} ({size / 1024:.0f} KiB), 읽기 전용",
                facts=facts)


_ELSEWHERE_SQL = """
SELECT schemaname, tablename FROM pg_catalog.pg_tables
WHERE tablename IN ('races', 'jobs') ORDER BY schemaname, tablename
"""


def _step_schema(run: _Run) -> Step:
    started = time.perf_counter()

    def look(conn: Any) -> Any:
        report = inspect_schema(conn)
        elsewhere, search_path = [], None
        if not run.is_sqlite and ("races" not in report.tables or "jobs" not in report.tables):
            elsewhere = [tuple(r) for r in conn.exec_driver_sql(_ELSEWHERE_SQL).all()]
            search_path = conn.exec_driver_sql("SHOW search_path").scalar()
        return report, elsewhere, search_path

    try:
        report, elsewhere, search_path = _query(run, look)
    except Exception as exc:  # noqa: BLE001
        return _query_failure(run, "schema", started, exc, "inspecting the tables",
                              "테이블 확인")
    tables_facts: dict[str, Any] = {}
    for table, cols in report.tables.items():
        tables_facts[table] = {"present": True, "columns": len(cols)}
    for table in ("races", "jobs"):
        tables_facts.setdefault(table, {"present": False})
    for table, cols in report.missing_columns.items():
        if table in report.tables:
            tables_facts[table]["missing_columns"] = cols
    facts: dict[str, Any] = {
        "shape": report.shape,
        "newest_migration": report.newest_migration,
        "expected_migration": EXPECTED_MIGRATION,
        "migrations_table": report.migrations_table,
        "tables": tables_facts,
    }
    if report.shape == "legacy":
        run.blocked = ("the collector's tables are in the legacy shape",
                       "수집기 테이블이 옛 스키마입니다")
        return _new(
            "schema", "fail", started,
            "legacy shape (races.id/race_no/status, collection_jobs): the collector's "
            "migrations have not been applied",
            "옛 스키마(races.id/race_no/status, collection_jobs): 수집기의 마이그레이션이 "
            "적용되지 않았습니다", cause="schema_legacy",
            hint=run.hint("schema_legacy", expected=EXPECTED_MIGRATION), facts=facts)
    missing_tables = [t for t in ("races", "jobs") if t not in report.tables]
    if missing_tables:
        run.blocked = ("the collector's tables are missing", "수집기 테이블이 없습니다")
        names = ", ".join(missing_tables)
        en = f"table(s) {names} not found"
        ko = f"테이블 {names}이(가) 없음"
        other = [f"{s}.{t}" for s, t in elsewhere if t in missing_tables]
        if other:
            en += (f"; they exist as {', '.join(other)}, outside the search_path "
                   f"({search_path})")
            ko += f"; {', '.join(other)}에 있지만 search_path({search_path}) 밖입니다"
            facts["found_elsewhere"] = other
        return _new("schema", "fail", started, en, ko, cause="schema_missing",
                    hint=run.hint("schema_missing", tables=names), facts=facts)
    run.schema_ok = True
    if report.missing_columns:
        cols = "; ".join(f"{t}: {', '.join(c)}" for t, c in report.missing_columns.items())
        return _new("schema", "fail", started,
                    f"columns the dashboard reads are missing ({cols})",
                    f"대시보드가 읽는 열이 없음({cols})", cause="schema_outdated",
                    hint=run.hint("schema_outdated", newest=report.newest_migration or "?",
                                  expected=EXPECTED_MIGRATION), facts=facts)
    counted = ", ".join(f"{t} {len(report.tables[t])}" for t in REQUIRED_COLUMNS)
    if run.is_sqlite and not report.migrations_table:
        return _new("schema", "ok", started, f"races and jobs in the collector's shape "
                    f"(columns: {counted})",
                    f"races, jobs가 수집기 스키마와 일치(열 수: {counted})", facts=facts)
    newest = report.newest_migration
    if not report.migrations_table or newest is None:
        reason_en = ("no schema_migrations table" if not report.migrations_table
                     else "schema_migrations cannot be read by this role, or it is empty")
        reason_ko = ("schema_migrations 테이블 없음" if not report.migrations_table
                     else "이 역할로 schema_migrations를 읽을 수 없거나 비어 있음")
        return _new("schema", "warn", started,
                    f"races and jobs in the collector's shape (columns: {counted}); "
                    f"migration version unknown: {reason_en}",
                    f"races, jobs가 수집기 스키마와 일치(열 수: {counted}); 마이그레이션 "
                    f"버전 확인 불가: {reason_ko}",
                    hint=run.hint(None, "migrations_unknown", expected=EXPECTED_MIGRATION),
                    facts=facts)
    if newest < EXPECTED_MIGRATION:
        return _new("schema", "warn", started,
                    f"columns present, but the newest migration is {newest} "
                    f"(expected {EXPECTED_MIGRATION})",
                    f"열은 있지만 최신 마이그레이션이 {newest}입니다(기대: {EXPECTED_MIGRATION})",
                    cause="schema_outdated",
                    hint=run.hint("schema_outdated", newest=newest, expected=EXPECTED_MIGRATION),
                    facts=facts)
    return _new("schema", "ok", started,
                f"races and jobs in the collector's shape (columns: {counted}); "
                f"newest migration {newest}",
                f"races, jobs가 수집기 스키마와 일치(열 수: {counted}); 최신 마이그레이션 "
                f"{newest}", facts=facts)


_TABLE_SQL = """
SELECT c.relname, n.nspname,
       has_schema_privilege(current_user, c.relnamespace, 'USAGE'),
       has_table_privilege(current_user, c.oid, 'SELECT'),
       c.relrowsecurity, c.relforcerowsecurity,
       pg_has_role(current_user, c.relowner, 'USAGE'),
       pg_get_userbyid(c.relowner)
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = to_regclass(%(name)s)
"""
_POLICY_SQL = """
SELECT p.policyname, p.permissive, CAST(p.roles AS text[]), p.cmd,
       CASE WHEN 'public' = ANY (p.roles) THEN true
            ELSE EXISTS (SELECT 1 FROM unnest(p.roles) AS r (name)
                         WHERE pg_has_role(current_user, r.name, 'USAGE'))
       END,
       CASE WHEN 'public' = ANY (p.roles) THEN true
            ELSE EXISTS (SELECT 1 FROM unnest(p.roles) AS r (name)
                         WHERE pg_has_role(current_user, r.name, 'MEMBER'))
       END
FROM pg_catalog.pg_policies p
WHERE p.schemaname = %(schema)s AND p.tablename = %(name)s AND p.cmd IN ('SELECT', 'ALL')
ORDER BY p.policyname
"""


def _step_privileges(run: _Run) -> Step:
    if run.is_sqlite:
        for table in ("races", "jobs"):
            run.readable[table] = True
        return _skip("privileges", "SQLite file: no roles or row level security",
                     "SQLite 파일: 역할과 행 수준 보안 없음")
    started = time.perf_counter()

    def look(conn: Any) -> Any:
        out = {}
        for table in ("races", "jobs"):
            row = conn.exec_driver_sql(_TABLE_SQL, {"name": table}).one_or_none()
            if row is None:
                continue
            policies = conn.exec_driver_sql(
                _POLICY_SQL, {"schema": row[1], "name": table}).all()
            out[table] = (tuple(row), [tuple(p) for p in policies])
        return out

    try:
        found = _query(run, look)
    except Exception as exc:  # noqa: BLE001
        return _query_failure(run, "privileges", started, exc, "checking the privileges",
                              "권한 확인")
    role = run.role or "?"
    bypass_role = "superuser" if run.superuser else ("BYPASSRLS" if run.bypassrls else None)
    tables: dict[str, Any] = {}
    denied, hidden, lines_en, lines_ko = [], [], [], []
    for table, (row, policies) in found.items():
        (_name, schema, usage, can_select, rls, forced, owns, owner) = row
        readable = bool(usage and can_select)
        bypass = bypass_role or ("owner" if owns and not forced else None)
        policy_facts = [
            {"name": p[0], "permissive": p[1], "roles": list(p[2]), "cmd": p[3],
             "applies": bool(p[4]), "member_without_inherit": bool(p[5]) and not p[4]}
            for p in policies
        ]
        applicable = [p for p in policy_facts if p["applies"] and p["permissive"] == "PERMISSIVE"]
        is_hidden = bool(readable and rls and not bypass and not applicable)
        run.readable[table] = readable
        run.rls_on[table] = bool(rls and not bypass)
        run.hidden[table] = is_hidden
        tables[table] = {
            "schema": schema, "select": bool(can_select), "schema_usage": bool(usage),
            "rls": bool(rls), "rls_forced": bool(forced), "owner": owner,
            "bypass_rls": bypass, "policies": policy_facts,
            "applicable_policies": [p["name"] for p in applicable],
            "rows_hidden_by_rls": is_hidden,
        }
        if not readable:
            denied.append(table)
            if not usage:
                lines_en.append(f"{table}: no USAGE on schema {schema}")
                lines_ko.append(f"{table}: 스키마 {schema}의 USAGE 권한 없음")
            else:
                lines_en.append(f"{table}: no SELECT")
                lines_ko.append(f"{table}: SELECT 권한 없음")
            continue
        if not rls:
            lines_en.append(f"{table}: SELECT ✓, RLS off")
            lines_ko.append(f"{table}: SELECT ✓, RLS 꺼짐")
        elif bypass:
            lines_en.append(f"{table}: SELECT ✓, RLS on, bypassed ({bypass})")
            lines_ko.append(f"{table}: SELECT ✓, RLS 켜짐, 우회({bypass})")
        elif applicable:
            names = ", ".join(f"{p['name']} → {'/'.join(p['roles'])}" for p in applicable)
            lines_en.append(f"{table}: SELECT ✓, RLS on, policy {names} applies")
            lines_ko.append(f"{table}: SELECT ✓, RLS 켜짐, 정책 {names} 적용")
        else:
            hidden.append(table)
            others = ", ".join(f"{p['name']} → {'/'.join(p['roles'])}" for p in policy_facts)
            others = others or "none"
            lines_en.append(f"{table}: SELECT ✓, RLS on, but no SELECT policy applies to "
                            f"{role} (policies: {others}) → zero rows, silently")
            lines_ko.append(f"{table}: SELECT ✓, RLS 켜짐, 그러나 {role}에 적용되는 SELECT "
                            f"정책 없음(정책: {others}) → 조용히 0행")
            if any(p["member_without_inherit"] for p in policy_facts):
                lines_en.append(f"{role} is a member without INHERIT of a policy role: "
                                "SET ROLE would be needed")
                lines_ko.append(f"{role}은(는) 정책 역할의 NOINHERIT 멤버라 SET ROLE이 "
                                "필요함")
    facts = {"role": role, "tables": tables}
    if denied:
        names = ", ".join(denied)
        return _new("privileges", "fail", started,
                    f"role {role} may not read {names}: " + "; ".join(lines_en),
                    f"역할 {role}은(는) {names}을(를) 읽을 수 없음: " + "; ".join(lines_ko),
                    cause="permission_denied",
                    hint=run.hint("permission_denied", tables=names), facts=facts)
    if hidden:
        names = ", ".join(hidden)
        return _new("privileges", "fail", started,
                    f"row level security hides every row of {names} from role {role}: "
                    + "; ".join(lines_en),
                    f"행 수준 보안이 역할 {role}에게서 {names}의 모든 행을 숨김: "
                    + "; ".join(lines_ko),
                    cause="rows_hidden_by_rls",
                    hint=run.hint("rows_hidden_by_rls", tables=names), facts=facts)
    return _new("privileges", "ok", started, f"role {role}: " + "; ".join(lines_en),
                f"역할 {role}: " + "; ".join(lines_ko), facts=facts)


_JOBS_SQL = "SELECT CAST(status AS TEXT), count(*) FROM jobs GROUP BY status"
_RACES_SQL = (
    "SELECT CAST(collection_status AS TEXT), count(*), max(updated_at) "
    "FROM races GROUP BY collection_status"
)
_ESTIMATE_SQL = """
SELECT greatest(c.reltuples, 0)::bigint, coalesce(s.n_live_tup, 0)
FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_stat_all_tables s ON s.relid = c.oid
WHERE c.oid = to_regclass(%(name)s)
"""


def _as_utc(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, dt.datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:  # a year-1 instant east of UTC
        return None


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in counts.items())


def _step_data(run: _Run) -> Step:
    readable = [t for t in ("races", "jobs") if run.readable.get(t)]
    if not readable:
        return _skip("data", "no table can be read (see privileges)",
                     "읽을 수 있는 테이블이 없음(권한 단계 참고)")
    started = time.perf_counter()

    def count(conn: Any) -> Any:
        races, jobs, estimate = None, None, {}
        if "races" in readable:
            races = [tuple(r) for r in conn.exec_driver_sql(_RACES_SQL).all()]
        if "jobs" in readable:
            # as status_core.queries.job_status_counts (NULL under its own key, "none")
            jobs = {}
            for status, n in conn.exec_driver_sql(_JOBS_SQL).all():
                key = "none" if status is None else status
                jobs[key] = jobs.get(key, 0) + int(n)
            jobs = dict(sorted(jobs.items()))
        if not run.is_sqlite:
            for table in readable:
                if run.rls_on.get(table):
                    row = conn.exec_driver_sql(_ESTIMATE_SQL, {"name": table}).one_or_none()
                    if row is not None:
                        estimate[table] = int(max(row[0] or 0, row[1] or 0))
        return races, jobs, estimate

    try:
        races, jobs, estimate = _query(run, count)
    except Exception as exc:  # noqa: BLE001
        return _query_failure(run, "data", started, exc, "counting races and jobs",
                              "경주·작업 집계")
    facts: dict[str, Any] = {"tables": {}}
    en, ko = [], []
    outcome, cause, notes, hint_cause = "ok", None, [], None
    now = dt.datetime.now(dt.UTC)
    if races is not None:
        by_status: dict[str, int] = {}
        newest = None
        for status, n, updated in races:
            key = status or "pending"
            by_status[key] = by_status.get(key, 0) + int(n)
            ts = _as_utc(updated)
            if ts is not None and (newest is None or ts > newest):
                newest = ts
        total = sum(by_status.values())
        facts["race_counts"] = dict(sorted(by_status.items()))
        facts["races_total"] = total
        facts["tables"]["races"] = {"rows": total}
        if newest is not None:
            age = (now - newest).total_seconds()
            facts["newest_update"] = newest
            facts["newest_update_age_s"] = round(age)
        shown = f" ({_counts_text(facts['race_counts'])})" if total else ""
        en.append(f"races {total:,}{shown}")
        ko.append(f"경주 {total:,}개{shown}")
        if newest is not None:
            kst = kst_text(newest, "%Y-%m-%d %H:%M")
            en.append(f"newest update {kst} ({format_age(age, 'en')})")
            ko.append(f"최근 갱신 {kst} ({format_age(age, 'ko')})")
        if total == 0:
            guess = estimate.get("races", 0)
            if run.hidden.get("races"):
                outcome = "warn"
                en.append("0 rows visible because row level security hides them from "
                          f"{run.role}" + (f" (the table holds about {guess:,} rows)"
                                            if guess else ""))
                ko.append(f"행 수준 보안이 {run.role}에게서 행을 숨겨 0행으로 보임"
                          + (f"(테이블에는 약 {guess:,}행)" if guess else ""))
                hint_cause = "rows_hidden_by_rls"
            elif run.rls_on.get("races") and guess > 0:
                outcome, cause = "fail", "rows_hidden_by_rls"
                en.append(f"0 rows visible, but the table holds about {guess:,} rows: a row "
                          f"level security policy applies to {run.role} and its condition "
                          "hides every row")
                ko.append(f"0행으로 보이지만 테이블에는 약 {guess:,}행이 있음: {run.role}에 "
                          "적용되는 RLS 정책의 조건이 모든 행을 숨김")
            else:
                outcome = "warn"
                notes.append("empty_races")
    if jobs is not None:
        total_jobs = sum(jobs.values())
        facts["job_status_counts"] = jobs
        facts["tables"]["jobs"] = {"rows": total_jobs}
        shown = f" ({_counts_text(jobs)})" if total_jobs else ""
        en.append(f"jobs {total_jobs:,}{shown}")
        ko.append(f"작업 {total_jobs:,}개{shown}")
        if total_jobs == 0 and run.hidden.get("jobs"):
            if outcome == "ok":
                outcome = "warn"
            en.append("jobs: 0 rows visible because row level security hides them")
            ko.append("jobs: 행 수준 보안 때문에 0행으로 보임")
            hint_cause = "rows_hidden_by_rls"
    hidden_names = ", ".join(t for t in ("races", "jobs") if run.hidden.get(t)) or None
    hint = run.hint(cause or hint_cause, *notes, tables=hidden_names)
    return _new("data", outcome, started, "; ".join(en), "; ".join(ko), cause=cause,
                hint=hint, facts=facts)


def _step_status(run: _Run) -> Step:
    if run.race_date in (None, "") and run.meet in (None, ""):
        return _skip("status", "no date and racecourse given", "날짜와 경마장을 지정하지 않음")
    started = time.perf_counter()
    try:
        race_date = parse_date(run.race_date)
        meet = parse_meet(run.meet)
    except StatusError as exc:
        return _new("status", "fail", started, exc.message, f"입력값 오류: {exc.message}",
                    cause="config",
                    hint={"ko": "날짜는 YYYYMMDD(예: 20260214), 경마장은 1(서울), 2(제주), "
                                "3(부산경남)으로 지정하세요.", "en": exc.hint})
    if not run.readable.get("races"):
        return _skip("status", "races cannot be read (see privileges)",
                     "races를 읽을 수 없음(권한 단계 참고)")
    queries = _queries_module(run)
    if queries is None:
        return _query_failure(run, "status", started, _BudgetSpent(),
                              f"the status of {race_date} meet {meet}",
                              f"{race_date} {meet}번 경마장 현황 조회")
    collection_status = queries.collection_status
    try:
        record = _query(run, lambda conn: collection_status(conn, race_date, meet))
    except Exception as exc:  # noqa: BLE001
        return _query_failure(run, "status", started, exc,
                              f"the status of {race_date} meet {meet}",
                              f"{race_date} {meet}번 경마장 현황 조회")
    name = MEETS.get(meet, str(meet))
    updated = record.get("last_updated")
    when = kst_text(_as_utc(updated), "%Y-%m-%d %H:%M")
    en = (f"{race_date} meet {meet} ({name}): {record['total_races']} races, "
          f"{record['collected_races']} collected, {record['enriched_races']} enriched → "
          f"status {record['status']} (collection {record['collection_status']}, enrichment "
          f"{record['enrichment_status']}, result {record['result_status']}); "
          f"last updated {when}")
    ko = (f"{race_date} {name}({meet}): 경주 {record['total_races']}개, 수집 "
          f"{record['collected_races']}, 보강 {record['enriched_races']} → 상태 "
          f"{record['status']} (수집 {record['collection_status']}, 보강 "
          f"{record['enrichment_status']}, 결과 {record['result_status']}); 최종 갱신 {when}")
    outcome, hint = "ok", None
    if record["total_races"] == 0 and run.hidden.get("races"):
        outcome = "warn"
        en += "; 0 races visible because row level security hides them"
        ko += "; 행 수준 보안 때문에 0개로 보임"
        hint = run.hint("rows_hidden_by_rls", tables="races")
    return _new("status", outcome, started, en, ko, hint=hint,
                facts={"collection_status": record})


_STEPS: dict[str, Callable[[_Run], Step]] = {
    "config": _step_config,
    "dns": _step_dns,
    "tcp": _step_tcp,
    "login": _step_login,
    "server": _step_server,
    "schema": _step_schema,
    "privileges": _step_privileges,
    "data": _step_data,
    "status": _step_status,
}
# Steps that still make sense after a failure of these (the connection is fine).
_QUERY_STEPS = ("server", "schema", "privileges", "data", "status")


def iter_diagnose(
    url: str | None,
    *,
    race_date: object = None,
    meet: object = None,
    timeout: float = 5.0,
    statement_timeout: float | None = None,
) -> Iterator[Step]:
    """Yield each :class:`Step` of the diagnosis as soon as it finishes.

    ``url`` is the raw configured string (``settings.configured_url()[0]``); ``None``
    checks the embedded demo. ``statement_timeout`` (seconds) defaults to
    ``KRA_STATEMENT_TIMEOUT``; every query is also cut at the remaining ``timeout``.
    Never raises for a database problem: unexpected errors become a failed step.
    """
    run = _Run(url, race_date, meet, timeout, statement_timeout)
    if race_date not in (None, "") or meet not in (None, ""):
        _QUERIES.start()
    try:
        for name in STEP_NAMES:
            if run.blocked is not None:
                en, ko = run.blocked
                step = _skip(name, f"skipped: {en}", f"건너뜀: {ko}")
            else:
                try:
                    step = _STEPS[name](run)
                except Exception as exc:  # noqa: BLE001 - the step reports it instead
                    run.blocked = ("an unexpected error stopped the check",
                                   "예상치 못한 오류로 점검을 멈췄습니다")
                    message = _one_line(f"{type(exc).__name__}: {exc}")
                    cause = classify(exc)
                    cause = cause if cause in CAUSES and cause != "ok" else "unknown"
                    step = Step(name=name, outcome="fail", detail=message,
                                detail_ko=f"예상치 못한 오류: {message}", cause=cause,
                                hint=run.hint(cause))
                if name == "config":
                    # The budget covers the network and the queries, not building the demo.
                    run.deadline = time.monotonic() + run.timeout
                if name == "login" and step.outcome == "ok":
                    run.facts["login"] = step.facts
            yield _scrubbed(run, step)
    finally:
        run.close()


def _scrubbed(run: _Run, step: Step) -> Step:
    step.detail = run.scrub(step.detail)
    step.detail_ko = run.scrub(step.detail_ko)
    # Hints are our own text (they show the form postgresql://USER:PASSWORD@HOST, which
    # URL masking would garble): only the secret values themselves are removed.
    step.hint = {k: strip_secrets(v, run.secrets) for k, v in step.hint.items()}
    step.facts = _scrub_facts(run, step.facts)
    return step


def _scrub_facts(run: _Run, value: Any) -> Any:
    if isinstance(value, str):
        return run.scrub(value)
    if isinstance(value, dict):
        return {k: _scrub_facts(run, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_facts(run, v) for v in value]
    if isinstance(value, tuple):
        return tuple(_scrub_facts(run, v) for v in value)
    return value


def diagnose(
    url: str | None,
    *,
    race_date: object = None,
    meet: object = None,
    timeout: float = 5.0,
    statement_timeout: float | None = None,
) -> Diagnosis:
    """Run every step (see :func:`iter_diagnose`) and return the :class:`Diagnosis`."""
    steps = list(iter_diagnose(url, race_date=race_date, meet=meet, timeout=timeout,
                               statement_timeout=statement_timeout))
    return Diagnosis.from_steps(steps)
