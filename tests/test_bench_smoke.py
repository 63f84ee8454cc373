"""The benchmark command works (tiny size, one repeat, no AppTest); not a benchmark itself.

The real run is ``uv run python bench/run.py`` (see bench/README.md); it is not part of the
test suite.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from bench import run as bench
from bench.naive import NAIVE_QUERIES, days
from tests.cli_support import ROOT

pytestmark = pytest.mark.postgres


def _databases(cluster) -> set[str]:
    return {r[0] for r in cluster.fetch("SELECT datname FROM pg_database")}


def test_bench_machinery_at_a_tiny_size(pg_cluster, tmp_path):
    out = tmp_path / "RESULTS.md"
    before = _databases(pg_cluster)
    result = bench.run([2000], 1, apptest=False, diagnose=False, out=out,
                       command="uv run python bench/run.py --sizes 2000 --repeat 1",
                       log=lambda _msg: None, cluster=pg_cluster)
    [res] = result["results"]
    assert res.data["races"] == 2000 and res.data["jobs"] == 200
    assert res.whole["races"] == 2000  # the whole history is one accepted range
    assert 0 < res.year["races"] <= 2000 and res.year["sql_ms"] > 0
    # Round trips counted by the relay: one statement per range, eight per calendar day x
    # meet the collector's way, around the same read() block.
    nv = res.naive90
    assert 1 <= nv["pf_round_trips"] <= 5
    # (>=: psycopg prepares a statement on its fifth execution, one more round trip each)
    assert nv["naive_round_trips"] - nv["pf_round_trips"] >= (
        len(NAIVE_QUERIES) * 3 * len(days(nv["start"], nv["end"])) - 1
    )
    assert res.year["round_trips"] == nv["pf_round_trips"]
    assert res.year["bare_ms"] > 0 and res.whole["bare_ratio"] > 0
    # Three ways to count give the same answer.
    assert nv["same_answer"] and res.pandas_year["same_answer"]
    text = out.read_text(encoding="utf-8")
    assert "| 1 year: `progress_frame` (read() block) |" in text
    assert "| 1 year: ratio to the bare psycopg fetch |" in text
    assert "projected" not in text.lower()
    assert "## Targets" in text and "--sizes 2000 --repeat 1" in text
    assert "CPUs (nproc)" in text and "PostgreSQL: " in text
    # The cluster is the session's: the bench dropped its database again.
    assert _databases(pg_cluster) == before


def test_bench_command_line_rejects_bad_sizes():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "ten"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert proc.returncode == 2
    assert "--sizes" in proc.stderr and "Traceback" not in proc.stderr
