"""Seeded demo data: the embedded demo database, test fixtures and benchmark input.

One generator serves three users:

- the dashboard's embedded demo (:func:`ensure_demo` builds a SQLite file once a day),
- the tests (:func:`generate` plus :attr:`DemoData.facts`, which says what was planted),
- the benchmarks (:func:`load` into SQLite or PostgreSQL).

Everything is deterministic for a given ``seed`` and ``now``. The data tells a story that
the dashboard must be able to show: two years of completed race days, a few days with
failed races, one day where every race failed, a usual race day with nothing stored, a day
whose results never came, today's day still running and another day stalled for hours.

The modules, by job: :mod:`.rows` (one race or job row, timestamps), :mod:`.plot` (the
calendar and the planted days), :mod:`.story` (the generator and each day's races),
:mod:`.history` (the jobs and logs), :mod:`.store` (SQLite schema, loader, demo file
writer) and :mod:`.live` (the live simulator); :func:`build_demo_file` and
:func:`ensure_demo` are here. This package never imports Streamlit.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..domain import DATA_STATUSES, JOB_STATUSES, JOB_TYPES, KST, MIGRATIONS, USUAL_WEEKDAYS
from ..timestamps import as_utc
from .live import live_step
from .rows import (
    ERR_CONNECT,
    ERR_DB_CLOSED,
    ERR_DUPLICATE,
    ERR_RATE_LIMIT,
    ERR_READ_TIMEOUT,
    ERR_SERVICE_KEY,
    JOB_COLUMNS,
    JOB_LOG_COLUMNS,
    RACE_COLUMNS,
    TS_FORMAT,
    WARN_SERVICE_KEY,
    WARN_TIMEOUT,
    DemoData,
    format_ts,
    job_row,
    parse_ts,
    race_row,
)
from .store import (
    create_sqlite_schema,
    is_current,
    load,
    read_demo_meta,
    replace_atomically,
    write_demo_file,
)
from .story import DEFAULT_SEED, DEMO_VERSION, generate

__all__ = [
    "DATA_STATUSES",
    "DEFAULT_SEED",
    "DEMO_VERSION",
    "ERR_CONNECT",
    "ERR_DB_CLOSED",
    "ERR_DUPLICATE",
    "ERR_RATE_LIMIT",
    "ERR_READ_TIMEOUT",
    "ERR_SERVICE_KEY",
    "JOB_COLUMNS",
    "JOB_LOG_COLUMNS",
    "JOB_STATUSES",
    "JOB_TYPES",
    "KST",
    "MIGRATIONS",
    "RACE_COLUMNS",
    "TS_FORMAT",
    "USUAL_WEEKDAYS",
    "WARN_SERVICE_KEY",
    "WARN_TIMEOUT",
    "DemoData",
    "build_demo_file",
    "create_sqlite_schema",
    "ensure_demo",
    "format_ts",
    "generate",
    "job_row",
    "live_step",
    "load",
    "parse_ts",
    "race_row",
    "read_demo_meta",
]


# The demo file's two entry points live here and look ``generate`` and ``DEMO_VERSION`` up
# in this package, so that patching ``demo.generate`` or ``demo.DEMO_VERSION`` reaches them.


def build_demo_file(path: Path, *, seed: int = DEFAULT_SEED,
                    now: datetime | None = None) -> DemoData:
    """Write a complete demo database to ``path`` (which must not exist yet)."""
    now = as_utc(now)
    data = generate(seed, now=now)
    write_demo_file(Path(path), data, seed=seed, version=DEMO_VERSION, now=now)
    return data


def ensure_demo(path: Path, *, seed: int = DEFAULT_SEED, now: datetime | None = None) -> Path:
    """Make sure the SQLite demo file at ``path`` exists and is current; return ``path``.

    Rebuilds when the file is missing or unreadable, was built by another
    :data:`DEMO_VERSION` or seed, or for another Korean date than ``now``'s (so that
    "running today" stays true). Builds into a temp file beside it and ``os.replace``s
    it into place, so concurrent readers never see a half-written file.
    """
    path = Path(path).expanduser()
    now = as_utc(now)
    if is_current(path, seed=seed, version=DEMO_VERSION, now=now):
        return path
    return replace_atomically(path, lambda tmp: build_demo_file(tmp, seed=seed, now=now))
