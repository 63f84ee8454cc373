"""The steps up to a logged-in connection: configuration, DNS, TCP, PostgreSQL login."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import socket
import time
from pathlib import Path
from typing import Any

from ..bounded import Late
from ..causes import cause_label
from ..classify import classify, server_message, server_reason
from ..domain import KST
from ..engine import make_engine
from ..errors import ConfigError
from ..redact import URL_SECRET_MIN_LENGTH, mask_url, redact, secret_forms
from ..settings import DatabaseTarget, Timeouts, demo_path, parse_url, resolve_timeouts
from ..text import t
from .budget import Run, bounded, known_cause, new_step, one_line, release, say, skip
from .model import Step

SUPABASE_POOLER_SUFFIX = ".pooler.supabase.com"
_DIRECT_HOST = re.compile(r"^db\.[a-z0-9]+\.supabase\.co$", re.I)
_POOLER_USER = re.compile(r"^[^.\s]+\.[A-Za-z0-9]+$")


def _is_supabase(host: str) -> bool:
    return host.endswith(".supabase.co") or host.endswith(".supabase.com")


# --------------------------------------------------------------------------- config


def step_config(run: Run) -> Step:
    started = time.perf_counter()
    base: dict[str, Any] = {"checked_at": dt.datetime.now(KST)}
    try:
        limits = resolve_timeouts()
    except ConfigError as exc:
        run.block("settings")
        return new_step("config", "fail", started, *say("diag.config.settings",
                                                        message=exc.message),
                        cause="config",
                        hint={"ko": t("diag.config.settings_hint", "ko"),
                              "en": exc.hint or t("diag.config.settings_hint", "en")},
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
        run.block("url")
        hint = run.hint("config")
        if exc.hint:
            hint["en"] = f"{exc.hint} {hint['en']}"
        return new_step("config", "fail", started, *say("diag.config.url",
                                                        message=exc.message),
                        cause="config", hint=hint,
                        facts={**base, "database_url": mask_url(run.raw)})
    run.target = target
    run.secrets = tuple(sorted(set(run.secrets) | set(secret_forms(
        target.url.password, *(target.secrets or ()), min_length=URL_SECRET_MIN_LENGTH)),
        key=len, reverse=True))
    facts: dict[str, Any] = {
        **base,
        "database_url": target.masked,
        "source": target.source,
        "scheme": run.raw.strip().split("://", 1)[0].lower(),
        "driver": target.url.drivername,
    }
    if not target.is_postgres:
        return _config_sqlite(run, started, facts)
    return _config_postgres(run, started, facts)


def _config_sqlite(run: Run, started: float, facts: dict[str, Any]) -> Step:
    url = run.target.url
    path = Path(url.database or "")
    facts.update(backend="sqlite", path=str(path))
    if not path.is_file():
        run.block("sqlite_missing")
        return new_step("config", "fail", started, *say("diag.config.sqlite_missing",
                                                        path=path),
                        cause="config", hint=run.hint("config"), facts=facts)
    return new_step("config", "ok", started,
                    *say("diag.config.sqlite", path=path, driver=url.drivername), facts=facts)


def _config_postgres(run: Run, started: float, facts: dict[str, Any]) -> Step:
    target, url = run.target, run.target.url
    host = (url.host or "").lower()
    port = url.port or 5432
    sslmode = url.query.get("sslmode")
    facts.update(backend="postgresql", host=url.host, port=port, database=url.database,
                 user=url.username, sslmode=sslmode, password_given=bool(url.password))
    lines = [say("diag.config.target", url=target.masked, driver=url.drivername)]
    if "asyncpg" in facts["scheme"]:
        lines.append(say("diag.config.asyncpg"))
    is_pooler = host.endswith(SUPABASE_POOLER_SUFFIX)
    is_supabase = is_pooler or _is_supabase(host)
    facts["supabase"] = "pooler" if is_pooler else (
        "direct" if _DIRECT_HOST.match(host) else ("other" if is_supabase else None))
    if target.uses_transaction_pooler:
        facts["pool_mode"] = "transaction"
        lines.append(say("diag.config.transaction_pooler", port=port))
    warns, notes = _supabase_checks(url, host, port, is_pooler, is_supabase, lines, facts)
    en, ko = zip(*lines, strict=True)
    return new_step("config", "warn" if warns else "ok", started, "; ".join(en),
                    "; ".join(ko), hint=run.hint(None, *notes), facts=facts)


def _supabase_checks(url: Any, host: str, port: int, is_pooler: bool, is_supabase: bool,
                     lines: list[tuple[str, str]], facts: dict[str, Any]
                     ) -> tuple[bool, list[str]]:
    """What the URL gets wrong for Supabase (and a missing password): adds a line per
    finding to ``lines``; returns whether any is a warning, and the notes to show."""
    notes: list[str] = []
    warn = False
    if is_pooler:
        if not _POOLER_USER.match(url.username or ""):
            warn = True
            notes.append("pooler_user")
            lines.append(say("diag.config.pooler_user", user=repr(url.username)))
        if port == 5432:
            facts["pool_mode"] = "session"
            notes.append("session_pooler")
            lines.append(say("diag.config.session_pooler"))
    if _DIRECT_HOST.match(host):
        notes.append("direct_host")
        lines.append(say("diag.config.direct_host"))
    if is_supabase and not url.query.get("sslmode"):
        warn = True
        notes.append("sslmode_missing")
        lines.append(say("diag.config.sslmode_missing"))
    if not url.password and not url.query.get("password"):
        warn = True
        notes.append("no_password")
        lines.append(say("diag.config.no_password"))
    return warn, notes


def _config_demo(run: Run, started: float, base: dict[str, Any]) -> Step:
    from sqlalchemy.engine import URL

    path = demo_path()
    try:
        from ..demo import ensure_demo

        ensure_demo(path)
    except Exception as exc:  # noqa: BLE001 - reported as the step's failure
        run.block("demo")
        message = one_line(f"{type(exc).__name__}: {exc}")
        return new_step("config", "fail", started,
                        *say("diag.config.demo_failed", path=path, message=message),
                        cause="config", hint=run.hint("config"),
                        facts={**base, "database_url": "", "source": "demo",
                               "path": str(path)})
    run.target = DatabaseTarget(URL.create("sqlite+pysqlite", database=str(path)), "demo",
                                is_demo=True)
    return new_step(
        "config", "warn", started, *say("diag.config.demo", path=path),
        hint=run.hint(None, "demo"),
        facts={**base, "database_url": run.target.masked, "source": "demo",
               "backend": "sqlite", "path": str(path), "demo": True},
    )


# --------------------------------------------------------------------------- dns, tcp


def step_dns(run: Run) -> Step:
    if run.is_sqlite:
        return skip("dns", *say("diag.no_network"))
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
        return new_step("dns", "ok", started, *say("diag.dns.ip", host=host),
                        facts={"ipv4": [str(ip)] if ip.version == 4 else [],
                               "ipv6": [str(ip)] if ip.version == 6 else []})
    budget = run.remaining()
    try:
        infos = bounded(
            lambda: socket.getaddrinfo(host, port, type=socket.SOCK_STREAM), budget)
    except Late:
        run.block("dns")
        return new_step("dns", "fail", started,
                        *say("diag.dns.no_answer", host=host, seconds=max(budget, 0)),
                        cause="dns", hint=run.hint("dns"))
    except OSError as exc:
        run.block("dns")
        message = one_line(str(exc))
        return new_step("dns", "fail", started,
                        *say("diag.dns.failed", host=host, message=message),
                        cause="dns", hint=run.hint("dns"), facts={"error": message})
    return _resolved(run, started, host, infos)


def _resolved(run: Run, started: float, host: str, infos: list) -> Step:
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
        return new_step("dns", "warn", started,
                        *say("diag.dns.ipv6_only", host=host, addresses=shown),
                        hint=run.hint(None, "ipv6_only"), facts=facts)
    return new_step("dns", "ok", started, f"{host} → {shown}", f"{host} → {shown}",
                    facts=facts)


def step_tcp(run: Run) -> Step:
    if run.is_sqlite:
        return skip("tcp", *say("diag.no_network"))
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
        return new_step("tcp", "ok", started, *say("diag.tcp.ok", address=shown),
                        facts={"address": addr, "port": port})
    return _unreachable(run, started, host, port, errors)


def _unreachable(run: Run, started: float, host: str | None, port: int,
                 errors: list[tuple[str, OSError | None]]) -> Step:
    run.block("tcp", host=host, port=port)
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
        return new_step("tcp", "fail", started,
                        *say("diag.tcp.timeout", host=host, port=port,
                             seconds=run.timeout, message=message),
                        cause="timeout", hint=run.hint("timeout", *notes),
                        facts={"errors": parts})
    return new_step("tcp", "fail", started,
                    *say("diag.tcp.refused", host=host, port=port, message=message),
                    cause="refused", hint=run.hint("refused", *notes),
                    facts={"errors": parts})


# --------------------------------------------------------------------------- login


def step_login(run: Run) -> Step:
    if run.is_sqlite:
        return skip("login", *say("diag.no_network"))
    started = time.perf_counter()
    url = run.target.url
    engine = make_engine(run.target, Timeouts(connect=max(run.remaining(), 1.0),
                                              statement=run.statement_limit or 10.0))
    budget = run.remaining()
    if budget <= 0:
        engine.dispose()
        run.block("budget")
        return new_step("login", "fail", started, *say("diag.login.budget"),
                        cause="timeout", hint=run.hint("timeout", "budget"))
    try:
        conn = bounded(engine.connect, budget, on_late=lambda c: release(c, engine))
    except Late:
        run.block("login_late")
        where = f"{url.host}:{url.port or 5432}"
        key = "diag.login.silent" if run.tcp_ok else "diag.login.no_answer"
        return new_step("login", "fail", started, *say(key, where=where, seconds=budget),
                        cause="timeout", hint=run.hint("timeout"),
                        facts={"waited_s": round(budget, 2)})
    except Exception as exc:  # noqa: BLE001 - classified below
        engine.dispose()
        run.block("login")
        return _login_failed(run, started, exc)
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
    key = "diag.login.ok_ssl" if ssl else ("diag.login.ok_plain" if ssl is False
                                           else "diag.login.ok")
    return new_step("login", "ok", started, *say(key, user=url.username, db=url.database),
                    facts=facts)


def _login_failed(run: Run, started: float, exc: Exception) -> Step:
    url = run.target.url
    cause = known_cause(classify(exc, login=True))
    message = one_line(redact(server_message(exc), run.secrets))
    reason = one_line(redact(server_reason(server_message(exc)), run.secrets))
    label = (cause_label(cause, "en"), cause_label(cause, "ko"))
    facts = {"error": message, "reason": reason}
    if cause == "config":
        # a startup setting of the URL was refused: the generic URL-form hint would
        # not help, the server's reason and where to change it do
        return new_step("login", "fail", started,
                        *say("diag.login.startup_option", label=label, reason=reason),
                        cause=cause, hint=run.hint(None, "startup_option"), facts=facts)
    notes = []
    host = (url.host or "").lower()
    pooler = host.endswith(SUPABASE_POOLER_SUFFIX)
    if cause == "auth_rejected" and pooler and not _POOLER_USER.match(url.username or ""):
        notes.append("pooler_user")
    if cause == "too_many_connections" and pooler and (url.port or 5432) == 5432:
        notes.append("session_pooler")
    if cause == "ssl" and _is_supabase(host):
        notes.append("sslmode_missing")
    return new_step("login", "fail", started, f"{label[0]}: {reason}", f"{label[1]}: {reason}",
                    cause=cause, hint=run.hint(cause, *notes), facts=facts)
