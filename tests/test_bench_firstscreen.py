"""bench/firstscreen.py: run small in a real browser (one page beside the bare page), and
its section of RESULTS.md written in place, judged against the floor and kept by
bench/run.py. Not the benchmark itself (see bench/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import firstscreen
from bench.firstscreen import BARE, END, KINDS, NOTES, START, render, verdicts, write_section
from bench.run import _kept_section


def _loads(first: float) -> list[dict]:
    return [{"first_s": first, "done_s": first + 0.1, "elements": 12, "exceptions": 0,
             "js_bytes": 2_000_000}]


FIGURES = {
    "loads": 1, "wall_s": 60.0, "loadavg": (1.0, 1.0, 1.0),
    "pages": {
        "check": {"cold": _loads(2.9), "new": _loads(2.0), "returning": _loads(1.0)},
        "race": {"cold": _loads(3.1), "new": _loads(3.1), "returning": _loads(1.4)},
        BARE: {"cold": _loads(2.0), "new": _loads(1.5), "returning": _loads(1.0)},
    },
}


def test_pages_are_judged_against_the_bare_page_of_the_same_kind():
    got = {(v["page"], v["kind"]): v for v in verdicts(FIGURES)}
    assert set(got) == {(p, k) for p in ("check", "race") for k in KINDS}
    assert got["check", "cold"]["factor"] == pytest.approx(1.45)
    assert got["check", "cold"]["ok"] and got["race", "returning"]["ok"]
    assert not got["race", "cold"]["ok"] and not got["race", "new"]["ok"]
    text = render(FIGURES, "uv run python -m bench.firstscreen")
    assert "| race | new | 3.10 s | 3.20 s | 1.50 s | 2.1 | 12 | 2.0 MB | **slower than 1.5x** |" in text
    assert text.count("**within 1.5x**") == 4


@pytest.mark.parametrize("before", ["", "# Benchmark results\n\nold table\n",
                                    f"# Benchmark results\n\n{START}\nstale\n{END}\ntail\n"])
def test_the_section_is_written_once_and_kept_by_run(tmp_path: Path, before: str) -> None:
    path = tmp_path / "RESULTS.md"
    if before:
        path.write_text(before, encoding="utf-8")
    section = render(FIGURES, "uv run python -m bench.firstscreen", NOTES + "\nbecause\n")
    write_section(path, section)
    write_section(path, section)
    text = path.read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1 and "stale" not in text
    assert "old table" in text or "old table" not in before
    assert firstscreen.old_notes(path).strip() == "because"  # a rerun keeps the findings
    assert _kept_section(path).strip() == section.strip()


@pytest.mark.browser
def test_a_small_run_measures_a_page_and_the_bare_page(chromium_path, tmp_path, monkeypatch):
    monkeypatch.setenv("KRA_CHROMIUM", chromium_path)
    out = tmp_path / "RESULTS.md"
    out.write_text("# Benchmark results\n\nthe rest\n", encoding="utf-8")
    assert firstscreen.main(["--pages", "check", "--loads", "1", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results\n\nthe rest\n")
    assert text.count(START) == 1 and text.count(END) == 1
    for kind in KINDS:
        assert f"| check | {kind} | " in text
    assert "Exception elements on the pages: 0." in text
    # every figure of the run is a real time, the bare page's included
    assert "Bare page: cold " in text and " nan " not in text and "| 0.0 MB |" not in text
