"""The steps on a logged-in connection: server facts, schema, date x meet status."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ..bounded import Late
from ..domain import EXPECTED_MIGRATION, meet_name
from ..engine import make_engine
from ..errors import StatusError
from ..inputs import parse_date, parse_meet
from ..redact import redact
from ..schema import REQUIRED_COLUMNS, inspect_schema
from ..text import t
from ..timestamps import kst_text
from .budget import (
    BudgetSpent,
    Run,
    bounded,
    new_step,
    one_line,
    queries_module,
    query,
    query_failure,
    say,
    skip,
    stored_utc,
)
from .model import Step

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
_ELSEWHERE_SQL = """
SELECT schemaname, tablename FROM pg_catalog.pg_tables
WHERE tablename IN ('races', 'jobs') ORDER BY schemaname, tablename
"""


# --------------------------------------------------------------------------- server


def step_server(run: Run) -> Step:
    started = time.perf_counter()
    if run.is_sqlite:
        return _server_sqlite(run, started)
    try:
        row = query(run, lambda conn: conn.exec_driver_sql(_SERVER_SQL).one())
    except Exception as exc:  # noqa: BLE001
        return query_failure(run, "server", started, exc, say("diag.what.server"))
    (version, user, session_user, database, recovery, default_ro, tx_ro, tz, short_version,
     stat_ssl, ssl_version, superuser, bypassrls) = row
    run.role = user
    run.superuser = bool(superuser)
    run.bypassrls = bool(bypassrls)
    ssl = run.login_facts.get("ssl_in_use")
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
    # the Korean line names only the current user
    as_role = (f" (logged in as {session_user})", "") if session_user != user else ("", "")
    en, ko = say("diag.server.facts", version=short_version, user=user, as_role=as_role,
                 db=database, tx_ro=tx_ro, tz=tz,
                 kind=say("diag.server.standby" if recovery else "diag.server.primary"),
                 ssl=say("diag.server.ssl_on" if ssl else "diag.server.ssl_off"))
    if superuser or bypassrls:
        bypass_en, bypass_ko = say("diag.server.bypasses_rls")
        en, ko = f"{en}; {bypass_en}", f"{ko}; {bypass_ko}"
    return new_step("server", "ok", started, en, ko, facts=facts)


def _server_sqlite(run: Run, started: float) -> Step:
    try:
        engine = make_engine(run.target)
        run.engine = engine
        run.conn = bounded(engine.connect, max(run.remaining(), 0.5))
    except Exception as exc:  # noqa: BLE001
        if isinstance(exc, Late):
            run.conn_stuck = True
        run.block("sqlite_open")
        message = one_line(redact(str(exc), run.secrets)) or type(exc).__name__
        return new_step("server", "fail", started, *say("diag.server.sqlite_open",
                                                        message=message),
                        cause="config", hint=run.hint("config"))
    try:
        version = query(run, lambda c: c.exec_driver_sql("SELECT sqlite_version()").scalar())
    except Exception as exc:  # noqa: BLE001
        return query_failure(run, "server", started, exc, say("diag.what.sqlite_version"))
    path = Path(run.target.url.database or "")
    size = path.stat().st_size if path.is_file() else 0
    facts = {"backend": "sqlite", "version": f"SQLite {version}", "path": str(path),
             "size_bytes": size, "demo": run.target.is_demo}
    kind = say("diag.server.demo" if run.target.is_demo else "diag.server.sqlite_file")
    return new_step("server", "ok", started,
                    *say("diag.server.sqlite", version=version, kind=kind, path=path,
                         kib=size / 1024),
                    facts=facts)


# --------------------------------------------------------------------------- schema


def step_schema(run: Run) -> Step:
    started = time.perf_counter()

    def look(conn: Any) -> Any:
        report = inspect_schema(conn)
        elsewhere, search_path = [], None
        if not run.is_sqlite and ("races" not in report.tables or "jobs" not in report.tables):
            elsewhere = [tuple(r) for r in conn.exec_driver_sql(_ELSEWHERE_SQL).all()]
            search_path = conn.exec_driver_sql("SHOW search_path").scalar()
        return report, elsewhere, search_path

    try:
        report, elsewhere, search_path = query(run, look)
    except Exception as exc:  # noqa: BLE001
        return query_failure(run, "schema", started, exc, say("diag.what.schema"))
    facts = _schema_facts(report)
    if report.shape == "legacy":
        run.block("legacy")
        return new_step("schema", "fail", started, *say("diag.schema.legacy"),
                        cause="schema_legacy",
                        hint=run.hint("schema_legacy", expected=EXPECTED_MIGRATION),
                        facts=facts)
    missing_tables = [name for name in ("races", "jobs") if name not in report.tables]
    if missing_tables:
        return _tables_missing(run, started, missing_tables, elsewhere, search_path, facts)
    if report.missing_columns:
        cols = "; ".join(f"{table}: {', '.join(c)}"
                         for table, c in report.missing_columns.items())
        return new_step("schema", "fail", started, *say("diag.schema.columns", columns=cols),
                        cause="schema_outdated",
                        hint=run.hint("schema_outdated", newest=report.newest_migration or "?",
                                      expected=EXPECTED_MIGRATION), facts=facts)
    return _migrations(run, started, report, facts)


def _schema_facts(report: Any) -> dict[str, Any]:
    tables_facts: dict[str, Any] = {}
    for table, cols in report.tables.items():
        tables_facts[table] = {"present": True, "columns": len(cols)}
    for table in ("races", "jobs"):
        tables_facts.setdefault(table, {"present": False})
    for table, cols in report.missing_columns.items():
        if table in report.tables:
            tables_facts[table]["missing_columns"] = cols
    return {
        "shape": report.shape,
        "newest_migration": report.newest_migration,
        "expected_migration": EXPECTED_MIGRATION,
        "migrations_table": report.migrations_table,
        "tables": tables_facts,
    }


def _tables_missing(run: Run, started: float, missing: list[str], elsewhere: list,
                    search_path: str | None, facts: dict[str, Any]) -> Step:
    run.block("tables_missing")
    names = ", ".join(missing)
    en, ko = say("diag.schema.tables_missing", tables=names)
    other = [f"{schema}.{table}" for schema, table in elsewhere if table in missing]
    if other:
        elsewhere_en, elsewhere_ko = say("diag.schema.elsewhere", found=", ".join(other),
                                         search_path=search_path)
        en, ko = f"{en}; {elsewhere_en}", f"{ko}; {elsewhere_ko}"
        facts["found_elsewhere"] = other
    return new_step("schema", "fail", started, en, ko, cause="schema_missing",
                    hint=run.hint("schema_missing", tables=names), facts=facts)


def _migrations(run: Run, started: float, report: Any, facts: dict[str, Any]) -> Step:
    """The schema step once every column is there: how far the migrations are."""
    counted = ", ".join(f"{table} {len(report.tables[table])}" for table in REQUIRED_COLUMNS)
    if run.is_sqlite and not report.migrations_table:
        return new_step("schema", "ok", started, *say("diag.schema.ok", counted=counted),
                        facts=facts)
    newest = report.newest_migration
    if not report.migrations_table or newest is None:
        reason = say("diag.schema.no_migrations_table" if not report.migrations_table
                     else "diag.schema.migrations_unreadable")
        return new_step("schema", "warn", started,
                        *say("diag.schema.version_unknown", counted=counted, reason=reason),
                        hint=run.hint(None, "migrations_unknown", expected=EXPECTED_MIGRATION),
                        facts=facts)
    if newest < EXPECTED_MIGRATION:
        return new_step("schema", "warn", started,
                        *say("diag.schema.behind", newest=newest, expected=EXPECTED_MIGRATION),
                        cause="schema_outdated",
                        hint=run.hint("schema_outdated", newest=newest,
                                      expected=EXPECTED_MIGRATION),
                        facts=facts)
    return new_step("schema", "ok", started,
                    *say("diag.schema.current", counted=counted, newest=newest), facts=facts)


# --------------------------------------------------------------------------- status


def step_status(run: Run) -> Step:
    if run.race_date in (None, "") and run.meet in (None, ""):
        return skip("status", *say("diag.status.not_asked"))
    started = time.perf_counter()
    try:
        race_date = parse_date(run.race_date)
        meet = parse_meet(run.meet)
    except StatusError as exc:
        return new_step("status", "fail", started, *say("diag.status.input", message=exc.message),
                        cause="config",
                        hint={"ko": t("diag.status.input_hint", "ko"),
                              "en": exc.hint or t("diag.status.input_hint", "en")})
    if not run.readable.get("races"):
        return skip("status", *say("diag.status.unreadable"))
    what = say("diag.what.status", date=race_date, meet=meet)
    queries = queries_module(run)
    if queries is None:
        return query_failure(run, "status", started, BudgetSpent(), what)
    collection_status = queries.collection_status
    try:
        record = query(run, lambda conn: collection_status(conn, race_date, meet))
    except Exception as exc:  # noqa: BLE001
        return query_failure(run, "status", started, exc, what)
    when = kst_text(stored_utc(record.get("last_updated")), "%Y-%m-%d %H:%M")
    fields = ("total_races", "collected_races", "enriched_races", "status",
              "collection_status", "enrichment_status", "result_status")
    en, ko = say("diag.status.record", date=race_date, meet=meet, name=meet_name(meet, "ko"),
                 when=when, **{k: record[k] for k in fields})
    outcome, hint = "ok", None
    if record["total_races"] == 0 and run.hidden.get("races"):
        outcome = "warn"
        hidden_en, hidden_ko = say("diag.status.hidden")
        en, ko = f"{en}; {hidden_en}", f"{ko}; {hidden_ko}"
        hint = run.hint("rows_hidden_by_rls", tables="races")
    return new_step("status", outcome, started, en, ko, hint=hint,
                    facts={"collection_status": record})
