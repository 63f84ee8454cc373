"""Helpers shared by the DB check's tests (a plain module: test modules import it, never
each other): a plausible race day, URLs with the sentinel password, the shape and secret
checks every diagnosis must pass, and a server that refuses the startup packet at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import socket
import struct
import threading
from collections.abc import Iterator
from urllib.parse import quote

from status_core import demo
from status_core.classify import CAUSES
from status_core.diagnose import STEP_NAMES, Diagnosis, format_text
from tests.pgcluster import READER, SENTINEL_PASSWORD, assert_no_secret

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


@contextlib.contextmanager
def rejecting_server(message: str, sqlstate: str = "08P01") -> Iterator[int]:
    """A loopback port that answers libpq's startup packet at once with a FATAL
    ErrorResponse (after declining SSL/GSS encryption), as a pooler that refuses a
    startup parameter does."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)

    def answer(conn: socket.socket) -> None:
        with conn:
            while True:
                head = conn.recv(4, socket.MSG_WAITALL)
                if len(head) < 4:
                    return
                body = conn.recv(struct.unpack("!I", head)[0] - 4, socket.MSG_WAITALL)
                if struct.unpack("!I", body[:4])[0] in (80877103, 80877104):
                    conn.sendall(b"N")  # SSLRequest / GSSENCRequest: no encryption here
                    continue
                fields = b"".join(k + v.encode() + b"\0" for k, v in (
                    (b"S", "FATAL"), (b"V", "FATAL"), (b"C", sqlstate), (b"M", message)))
                fields += b"\0"
                conn.sendall(b"E" + struct.pack("!I", len(fields) + 4) + fields)
                return

    def serve() -> None:
        while True:
            try:
                conn, _addr = sock.accept()
            except OSError:
                return
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()
