"""The steps that read the collector's tables: privileges and row level security, then
the data itself."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from ..domain import format_age, format_time
from ..settings import STALLED_ENV, read_thresholds
from ..text import STRINGS, t
from .budget import Run, new_step, query, query_failure, say, skip, stored_utc
from .model import Step

TABLES = ("races", "jobs")
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
_JOBS_SQL = "SELECT CAST(status AS TEXT), count(*), max(created_at) FROM jobs GROUP BY status"
_RACES_SQL = (
    "SELECT CAST(collection_status AS TEXT), count(*), max(updated_at) "
    "FROM races GROUP BY collection_status"
)
_ESTIMATE_SQL = """
SELECT greatest(c.reltuples, 0)::bigint, coalesce(s.n_live_tup, 0)
FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_stat_all_tables s ON s.relid = c.oid
WHERE c.oid = to_regclass(%(name)s)
"""


# --------------------------------------------------------------------------- privileges


def step_privileges(run: Run) -> Step:
    if run.is_sqlite:
        for table in TABLES:
            run.readable[table] = True
        return skip("privileges", *say("diag.privileges.sqlite"))
    started = time.perf_counter()

    def look(conn: Any) -> Any:
        out = {}
        for table in TABLES:
            row = conn.exec_driver_sql(_TABLE_SQL, {"name": table}).one_or_none()
            if row is None:
                continue
            policies = conn.exec_driver_sql(
                _POLICY_SQL, {"schema": row[1], "name": table}).all()
            out[table] = (tuple(row), [tuple(p) for p in policies])
        return out

    try:
        found = query(run, look)
    except Exception as exc:  # noqa: BLE001
        return query_failure(run, "privileges", started, exc, say("diag.what.privileges"))
    role = run.role or "?"
    tables: dict[str, Any] = {}
    denied, hidden, lines = [], [], []
    for table, (row, policies) in found.items():
        tables[table] = _table_access(run, table, row, policies)
        readable, is_hidden = _access_lines(role, table, tables[table], lines)
        if not readable:
            denied.append(table)
        elif is_hidden:
            hidden.append(table)
    details = ("; ".join(line[0] for line in lines), "; ".join(line[1] for line in lines))
    facts = {"role": role, "tables": tables}
    if denied:
        names = ", ".join(denied)
        return new_step("privileges", "fail", started,
                        *say("diag.privileges.denied", role=role, tables=names,
                             details=details),
                        cause="permission_denied",
                        hint=run.hint("permission_denied", tables=names), facts=facts)
    if hidden:
        names = ", ".join(hidden)
        return new_step("privileges", "fail", started,
                        *say("diag.privileges.hidden", role=role, tables=names,
                             details=details),
                        cause="rows_hidden_by_rls",
                        hint=run.hint("rows_hidden_by_rls", tables=names), facts=facts)
    return new_step("privileges", "ok", started,
                    *say("diag.privileges.ok", role=role, details=details), facts=facts)


def _table_access(run: Run, table: str, row: tuple, policies: list[tuple]) -> dict[str, Any]:
    """What ``row`` (from ``_TABLE_SQL``) and the table's policies say about reading it;
    records on ``run`` whether it can be read and whether RLS hides its rows."""
    (_name, schema, usage, can_select, rls, forced, owns, owner) = row
    bypass_role = "superuser" if run.superuser else ("BYPASSRLS" if run.bypassrls else None)
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
    return {
        "schema": schema, "select": bool(can_select), "schema_usage": bool(usage),
        "rls": bool(rls), "rls_forced": bool(forced), "owner": owner,
        "bypass_rls": bypass, "policies": policy_facts,
        "applicable_policies": [p["name"] for p in applicable],
        "rows_hidden_by_rls": is_hidden,
    }


def _policy_names(policies: list[dict[str, Any]]) -> str:
    return ", ".join(f"{p['name']} → {'/'.join(p['roles'])}" for p in policies)


def _access_lines(role: str, table: str, info: dict[str, Any],
                  lines: list[tuple[str, str]]) -> tuple[bool, bool]:
    """Adds the (English, Korean) lines about one table to ``lines``; returns whether it
    can be read and whether row level security hides its rows."""
    if not (info["schema_usage"] and info["select"]):
        if not info["schema_usage"]:
            lines.append(say("diag.privileges.no_usage", table=table, schema=info["schema"]))
        else:
            lines.append(say("diag.privileges.no_select", table=table))
        return False, False
    policies = info["policies"]
    applicable = [p for p in policies if p["name"] in info["applicable_policies"]]
    if not info["rls"]:
        lines.append(say("diag.privileges.rls_off", table=table))
    elif info["bypass_rls"]:
        lines.append(say("diag.privileges.bypassed", table=table, bypass=info["bypass_rls"]))
    elif applicable:
        lines.append(say("diag.privileges.policy", table=table,
                         policies=_policy_names(applicable)))
    else:
        lines.append(say("diag.privileges.no_policy", table=table, role=role,
                         policies=_policy_names(policies) or "none"))
        if any(p["member_without_inherit"] for p in policies):
            lines.append(say("diag.privileges.noinherit", role=role))
    return True, info["rows_hidden_by_rls"]


# --------------------------------------------------------------------------- data


def step_data(run: Run) -> Step:
    readable = [table for table in TABLES if run.readable.get(table)]
    if not readable:
        return skip("data", *say("diag.data.unreadable"))
    started = time.perf_counter()
    try:
        races, jobs, estimate = query(run, lambda conn: _count(run, conn, readable))
    except Exception as exc:  # noqa: BLE001
        return query_failure(run, "data", started, exc, say("diag.what.data"))
    facts: dict[str, Any] = {"tables": {}}
    lines: list[tuple[str, str]] = []
    outcome, cause, notes, hint_cause = "ok", None, [], None
    if races is not None:
        outcome, cause, notes, hint_cause = _race_lines(run, races, estimate, facts, lines)
    if jobs is not None:
        counts, newest_job = jobs
        total_jobs = sum(counts.values())
        facts["job_status_counts"] = counts
        facts["tables"]["jobs"] = {"rows": total_jobs}
        shown = _counts_text(counts, "job") if total_jobs else ""
        lines.append(say("diag.data.jobs", total=total_jobs, counts=shown))
        if newest_job is not None:
            facts["newest_job_created"] = newest_job
        if total_jobs == 0 and run.hidden.get("jobs"):
            if outcome == "ok":
                outcome = "warn"
            lines.append(say("diag.data.jobs_hidden"))
            hint_cause = "rows_hidden_by_rls"
    minutes = stale_minutes(run)
    if _staleness(facts, minutes, lines):
        outcome = "warn" if outcome == "ok" else outcome
        notes.append("stale_data")
    hidden_names = ", ".join(table for table in TABLES if run.hidden.get(table)) or None
    hint = run.hint(cause or hint_cause, *notes, tables=hidden_names, minutes=minutes,
                    setting=STALLED_ENV)
    return new_step("data", outcome, started, "; ".join(line[0] for line in lines),
                    "; ".join(line[1] for line in lines), cause=cause, hint=hint, facts=facts)


def stale_minutes(run: Run) -> int:
    """After how many minutes without a write the data step warns: the run's own value,
    else the stalled threshold (``KRA_STALLED_MINUTES``; its default when unset or
    invalid), the same silence after which a running race day counts as stalled."""
    if run.stale_minutes is not None:
        return run.stale_minutes
    return read_thresholds()[0].stalled_minutes


def _staleness(facts: dict[str, Any], minutes: int, lines: list[tuple[str, str]]) -> bool:
    """Records the newest write (races.updated_at or jobs.created_at) in ``facts``; true,
    with a line saying when it was, when it is older than ``minutes``."""
    stamps = [facts.get(k) for k in ("newest_update", "newest_job_created")]
    stamps = [s for s in stamps if s is not None]
    facts["stale_after_minutes"] = minutes
    facts["stale_setting"] = STALLED_ENV
    if not stamps:
        facts["stale"] = False
        return False
    newest = max(stamps)
    age = (dt.datetime.now(dt.UTC) - newest).total_seconds()
    facts["newest_write"] = newest
    facts["newest_write_age_s"] = round(age)
    facts["stale"] = stale = age > minutes * 60
    if stale:
        lines.append(say("diag.data.stale", when=_when(newest),
                         age=(format_age(age, "en"), format_age(age, "ko")),
                         minutes=minutes, setting=STALLED_ENV))
    return stale


def _count(run: Run, conn: Any, readable: list[str]) -> tuple:
    """Races by collection status (with the newest update), jobs by status (with the
    newest creation), and the planner's row estimate of each table under row level
    security."""
    races, jobs, estimate = None, None, {}
    if "races" in readable:
        races = [tuple(r) for r in conn.exec_driver_sql(_RACES_SQL).all()]
    if "jobs" in readable:
        # as status_core.queries.job_status_counts (NULL under its own key, "none")
        counts: dict[str, int] = {}
        newest = None
        for status, n, created in conn.exec_driver_sql(_JOBS_SQL).all():
            key = "none" if status is None else status
            counts[key] = counts.get(key, 0) + int(n)
            ts = stored_utc(created)
            if ts is not None and (newest is None or ts > newest):
                newest = ts
        jobs = (dict(sorted(counts.items())), newest)
    if not run.is_sqlite:
        for table in readable:
            if run.rls_on.get(table):
                row = conn.exec_driver_sql(_ESTIMATE_SQL, {"name": table}).one_or_none()
                if row is not None:
                    estimate[table] = int(max(row[0] or 0, row[1] or 0))
    return races, jobs, estimate


def _counts_text(counts: dict[str, int], prefix: str) -> tuple[str, str]:
    """`` (collected 3,589, ...)`` as ``(English, Korean)``: each stored status in words
    of the language (``prefix``: ``race_status``/``job``), an unknown one as stored."""
    def words(lang: str) -> str:
        def name(key: str) -> str:
            known = f"{prefix}.{key}" in STRINGS
            return t(f"{prefix}.{key}", lang) if known else key
        return " (" + ", ".join(f"{name(k)} {v:,}" for k, v in counts.items()) + ")"

    return words("en"), words("ko")


def _race_lines(run: Run, races: list[tuple], estimate: dict[str, int],
                facts: dict[str, Any], lines: list[tuple[str, str]]) -> tuple:
    """The races part of the data step: adds its facts and lines; returns the outcome,
    cause, notes and hint cause it implies."""
    outcome, cause, notes, hint_cause = "ok", None, [], None
    by_status: dict[str, int] = {}
    newest = None
    for status, n, updated in races:
        key = status or "pending"
        by_status[key] = by_status.get(key, 0) + int(n)
        ts = stored_utc(updated)
        if ts is not None and (newest is None or ts > newest):
            newest = ts
    total = sum(by_status.values())
    facts["race_counts"] = dict(sorted(by_status.items()))
    facts["races_total"] = total
    facts["tables"]["races"] = {"rows": total}
    shown = _counts_text(facts["race_counts"], "race_status") if total else ""
    lines.append(say("diag.data.races", total=total, counts=shown))
    if newest is not None:
        age = (dt.datetime.now(dt.UTC) - newest).total_seconds()
        facts["newest_update"] = newest
        facts["newest_update_age_s"] = round(age)
        lines.append(say("diag.data.newest", when=_when(newest),
                         age=(format_age(age, "en"), format_age(age, "ko"))))
    if total == 0:
        guess = estimate.get("races", 0)
        if run.hidden.get("races"):
            outcome, hint_cause = "warn", "rows_hidden_by_rls"
            key = "diag.data.races_hidden_about" if guess else "diag.data.races_hidden"
            lines.append(say(key, role=run.role, guess=guess))
        elif run.rls_on.get("races") and guess > 0:
            outcome, cause = "fail", "rows_hidden_by_rls"
            lines.append(say("diag.data.policy_hides", role=run.role, guess=guess))
        else:
            outcome = "warn"
            notes.append("empty_races")
    return outcome, cause, notes, hint_cause


def _when(moment: dt.datetime) -> tuple[str, str]:
    """``moment`` in the one time format, per language, marked KST."""
    return tuple(f"{format_time(moment, lang)} KST" for lang in ("en", "ko"))  # type: ignore[return-value]
