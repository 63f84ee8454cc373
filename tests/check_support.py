"""Helpers shared by the DB check's tests (a plain module: test modules import it, never
each other): a plausible race day, URLs with the sentinel password, the shape and secret
checks every diagnosis must pass, and :data:`CASES`, one real case per cause, which
``tests/test_diagnose.py`` runs through the library and ``tests/test_check_cli.py``
through the CLI.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from status_core import demo
from status_core.classify import CAUSES
from status_core.diagnose import STEP_NAMES, Diagnosis, format_text
from tests.pgcluster import (
    NOLIMIT,
    NORLS,
    NOSELECT,
    READER,
    SENTINEL_PASSWORD,
    PgCluster,
    assert_no_secret,
    free_port,
)

T0 = dt.datetime(2026, 2, 14, 6, 0, tzinfo=dt.UTC)
DATE, MEET = "20260214", 1


def load_day(db, n: int = 6) -> None:  # noqa: ANN001 - tests.pgcluster.PgDatabase
    """A plausible race day (meet 1) and a few jobs."""
    races = [
        demo.race_row(DATE, MEET, i, collection="collected",
                      enrichment="enriched" if i <= 3 else "pending",
                      result="pending", updated_at=T0 + dt.timedelta(minutes=i))
        for i in range(1, n + 1)
    ]
    jobs = [
        demo.job_row("job-1", status="completed", race_date=DATE, meet=MEET,
                     created_at=T0 - dt.timedelta(hours=2)),
        demo.job_row("job-2", status="failed", race_date=DATE, meet=MEET,
                     created_at=T0 - dt.timedelta(hours=1), error_message="KRA API 503"),
        demo.job_row("job-3", status="queued", race_date=DATE, meet=MEET, created_at=T0),
    ]
    db.load(races, jobs)


def pw_url(host: str, port: int, dbname: str = "postgres", password: str = SENTINEL_PASSWORD,
           **query: str) -> str:
    url = f"postgresql://{READER}:{quote(password, safe='')}@{host}:{port}/{dbname}"
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def check_secret_free(diagnosis: Diagnosis) -> None:
    for lang in ("ko", "en"):
        assert_no_secret(format_text(diagnosis, lang=lang))
    assert_no_secret(json.dumps(diagnosis.to_json(), ensure_ascii=False))
    assert_no_secret(json.dumps(diagnosis.to_json(), ensure_ascii=True))
    assert_no_secret(repr(diagnosis))


def check_shape(diagnosis: Diagnosis) -> None:
    assert [s.name for s in diagnosis.steps] == list(STEP_NAMES)
    assert all(s.outcome in ("ok", "warn", "fail", "skipped") for s in diagnosis.steps)
    assert all(s.cause is None or s.cause in CAUSES for s in diagnosis.steps)
    payload = diagnosis.to_json()
    json.dumps(payload)  # JSON-safe
    for key in ("ok", "cause", "database_url", "checked_at", "steps", "tables",
                "job_status_counts", "collection_status"):
        assert key in payload
    checked = dt.datetime.fromisoformat(payload["checked_at"])
    assert checked.utcoffset() is not None
    for step in diagnosis.steps:  # the check never tells the user to run the check
        assert "kra-status check" not in step.hint_en + step.hint_ko, (step.name, step.hint)
    failed = diagnosis.failed_step
    if failed is not None:
        assert failed.hint_ko and failed.hint_en
        assert failed.detail
        # everything after a network/login failure is skipped, with the reason
        if failed.name in ("config", "dns", "tcp", "login"):
            later = diagnosis.steps[STEP_NAMES.index(failed.name) + 1:]
            assert all(s.outcome == "skipped" and s.detail for s in later)


# --------------------------------------------------------------------------- one case per cause


def make_slow(db) -> None:  # noqa: ANN001
    """Turn ``races`` into a view that sleeps 0.3 s per row (owner: the superuser)."""
    db.execute("ALTER TABLE races RENAME TO races_data")
    db.execute(
        "CREATE FUNCTION kra_slow_true() RETURNS boolean LANGUAGE plpgsql VOLATILE AS "
        "$$ BEGIN PERFORM pg_sleep(0.3); RETURN true; END $$"
    )
    db.execute("CREATE VIEW races AS SELECT * FROM races_data WHERE kra_slow_true()")
    db.execute("GRANT SELECT ON races TO authenticated")


@dataclass
class Case:
    id: str
    cause: str
    step: str | None  # the first failing step (None for ok)
    exit_code: int
    build: Callable[..., str]  # (request, cluster) -> url
    timeout: float = 5.0
    env: dict[str, str] = field(default_factory=dict)
    date_meet: bool = False


def _db(request, name: str = "pg_db", *, data: bool = False):  # noqa: ANN001, ANN202
    db = request.getfixturevalue(name)
    if data:
        load_day(db)
    return db


def _wrong_password(request, cluster: PgCluster) -> str:  # noqa: ANN001
    # The wrong password *contains* the sentinel: any echo of it would be caught.
    db = _db(request, data=True)
    return cluster.url(READER, SENTINEL_PASSWORD + "-wrong", db.name)


def _slow(request, cluster: PgCluster) -> str:  # noqa: ANN001
    db = _db(request, data=True)
    make_slow(db)
    return db.reader_url


CASES = [
    Case("ok", "ok", None, 0, lambda r, c: _db(r, data=True).reader_url, date_meet=True),
    Case("ok_asyncpg_url", "ok", None, 0,
         lambda r, c: _db(r, data=True).url_for(READER, scheme="postgresql+asyncpg")),
    Case("auth_password", "auth_password", "login", 1, _wrong_password),
    Case("auth_missing_password", "auth_missing_password", "login", 1,
         lambda r, c: c.url(READER, None, _db(r).name)),
    Case("database_missing", "database_missing", "login", 1,
         lambda r, c: c.url(READER, SENTINEL_PASSWORD, "no_such_database_kra")),
    Case("refused", "refused", "tcp", 1, lambda r, c: pw_url("127.0.0.1", free_port())),
    Case("timeout", "timeout", "login", 1,
         lambda r, c: pw_url("127.0.0.1", r.getfixturevalue("silent_port")), timeout=2.0),
    Case("dns", "dns", "dns", 1, lambda r, c: pw_url("nonexistent.invalid", 5432)),
    Case("ssl", "ssl", "login", 1,
         lambda r, c: _db(r).url_for(READER, sslmode="require")),
    Case("schema_missing", "schema_missing", "schema", 1,
         lambda r, c: _db(r, "pg_empty_db").reader_url),
    Case("schema_legacy", "schema_legacy", "schema", 1,
         lambda r, c: _db(r, "pg_legacy_db").reader_url),
    Case("permission_denied", "permission_denied", "privileges", 1,
         lambda r, c: _db(r, data=True).url_for(NOSELECT)),
    Case("rows_hidden_by_rls", "rows_hidden_by_rls", "privileges", 1,
         lambda r, c: _db(r, data=True).url_for(NORLS), date_meet=True),
    Case("too_many_connections", "too_many_connections", "login", 1,
         lambda r, c: _db(r).url_for(NOLIMIT)),
    Case("query_timeout", "query_timeout", "data", 1, _slow,
         env={"KRA_STATEMENT_TIMEOUT": "0.5"}),
    Case("config", "config", "config", 2, lambda r, c: "mysql://root:" + quote(
        SENTINEL_PASSWORD, safe="") + "@localhost/kra"),
]
CASE_IDS = [c.id for c in CASES]
