"""The reliability benchmark's machinery at a tiny size (not a benchmark itself)."""

from __future__ import annotations

import pytest

from bench import reliability

pytestmark = pytest.mark.postgres


def test_reliability_bench_writes_its_own_section(pg_cluster, tmp_path):
    out = tmp_path / "RESULTS.md"
    out.write_text("# Benchmark results\n\nthe rest of the file\n", encoding="utf-8")
    command = "uv run python -m bench.reliability --sizes 2000 --repeat 1"
    for _ in range(2):  # the second run replaces the section instead of adding one
        [result] = reliability.run([2000], 1, out=out, command=command,
                                   log=lambda _msg: None, cluster=pg_cluster)
    rows = result["rows"]
    assert {r["query"] for r in rows} == set(reliability.QUERIES)
    assert {r["range"] for r in rows} == {"1 year", "whole history, 1 y"}
    assert all(r["statements"] == 1 and r["sql_ms"] > 0 and r["ms"] > 0 for r in rows)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results\n\nthe rest of the file\n")
    assert text.count(reliability.BEGIN) == 1 and text.count(reliability.END) == 1
    assert "| 1 year | completion | 1 |" in text and command in text


def test_the_full_benchmark_keeps_the_section(tmp_path):
    from bench import bigcells
    from bench.run import _kept_section

    path = tmp_path / "RESULTS.md"
    path.write_text(f"# x\n\n{bigcells.START}\nbig\n{bigcells.END}\n\n"
                    f"{reliability.BEGIN}\nold\n{reliability.END}\n", encoding="utf-8")
    assert _kept_section(path) == (f"\n{bigcells.START}\nbig\n{bigcells.END}\n"
                                   f"\n{reliability.BEGIN}\nold\n{reliability.END}\n")


def test_command_line_rejects_bad_sizes():
    with pytest.raises(SystemExit) as exc:
        reliability.main(["--sizes", "ten"])
    assert exc.value.code == 2
