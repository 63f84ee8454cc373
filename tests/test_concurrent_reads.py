"""Reads on several threads at once (viewers, a page's reads together) never crash.

Each case runs in a child process: the bug this guards against was a SIGSEGV (SQLAlchemy's
SingletonThreadPool closing SQLite connections other threads still used), which would take
pytest down with it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.cli_support import ROOT

CHILD = textwrap.dedent("""
    import sys, threading
    from status_core.engine import make_engine, run_read
    from status_core.settings import parse_url
    from status_core.queries import cell_progress, jobs_frame, progress_frame, races_frame

    target = parse_url(sys.argv[1])
    engine = make_engine(target)
    failures = []

    def work():
        try:
            for _ in range(int(sys.argv[2])):
                run_read(engine, target, jobs_frame, race_date="20260214", meet=1, stored=True)
                run_read(engine, target, races_frame, "20260214", 1, stored=True)
                run_read(engine, target, cell_progress, "20260214", 1, stored=True)
                run_read(engine, target, progress_frame, "20260201", "20260214")
        except Exception as exc:
            failures.append(repr(exc))

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("failures:", failures)
    print("ok" if not failures else "failed")
""")


def _run(url: str, rounds: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CHILD, url, str(rounds)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def test_concurrent_reads_on_the_sqlite_demo(demo_file):  # noqa: ANN001
    proc = _run(f"sqlite:///{demo_file}", 120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().endswith("ok"), proc.stdout[-2000:]


@pytest.mark.postgres
def test_concurrent_reads_on_postgres(pg_db):  # noqa: ANN001
    from tests.rows import sample_rows

    pg_db.load(*sample_rows())
    proc = _run(pg_db.reader_url, 30)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().endswith("ok"), proc.stdout[-2000:]
