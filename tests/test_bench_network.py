"""bench/network.py works end to end (tiny size, one repeat); not a benchmark itself."""

from __future__ import annotations

import pytest

from bench import network
from bench.naive import NAIVE_QUERIES, days

pytestmark = pytest.mark.postgres


def test_network_bench_measures_through_the_proxy(pg_cluster, tmp_path):
    out = tmp_path / "RESULTS.md"
    out.write_text("# Benchmark results\n\nkept text\n", encoding="utf-8")
    res = network.run(2000, 1, out=out, command="uv run python -m bench.network --size 2000",
                      log=lambda _msg: None, cluster=pg_cluster, rtts=(0.0, 0.02),
                      page_names=("overview, 1 year",))
    reads = res["reads"]
    assert set(reads) == {"0", "20"}
    # Round trips are counted only through the proxy; every read needs at least one.
    assert all("round_trips" not in r for r in reads["0"].values())
    assert all(r["round_trips"] >= 1 for r in reads["20"].values())
    # Each read at 20 ms waits at least its round trips x 20 ms: the delay is real.
    for name, r in reads["20"].items():
        assert r["s"] >= r["round_trips"] * 0.02 * 0.95, name
    one_day = res["naive"]["20"]["one race day (3 meets)"]
    assert one_day["collector_round_trips"] - one_day["ours_round_trips"] >= (
        len(NAIVE_QUERIES) * 3 - 1)
    fortnight = res["naive"]["20"]["14 days, 3 meets"]
    assert fortnight["collector_round_trips"] >= len(NAIVE_QUERIES) * 3 * len(
        days(*network.windows()["14d"]))
    page = res["pages"]["20"]["overview, 1 year"]
    assert "error" not in page and page["exceptions"] == 0 and page["round_trips"] >= 1
    text = out.read_text(encoding="utf-8")
    assert "kept text" in text and text.count(network.START) == 1
    assert "| overview, 1 year |" in text and "### The collector's per-cell method" in text
