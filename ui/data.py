"""Cached reads shared by every session of this server process.

``st.cache_data`` is process-wide, so twenty staff watching the same view in live mode cost
one query per time-to-live, not twenty. The time-to-live is fixed when a function is
decorated, so each loader exists once per allowed refresh interval
(:data:`ui.filters.INTERVALS`); the page picks the one matching its live-refresh
interval. Cache keys start with the database identity (a hash of the URL, never the
password itself), so two databases never share an entry. Errors are not cached: the next
run asks the database again.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from status_core import reliability
from status_core.engine import run_read
from status_core.inputs import MAX_RANGE_DAYS
from status_core.queries import (
    cell_progress,
    collection_status,
    failed_jobs_outside,
    job_status_counts,
    job_text,
    jobs_frame,
    latest_writes,
    progress_frame,
    races_frame,
)
from status_core.settings import DatabaseTarget

from .context import PageContext
from .engines import engine_for_target, engine_key
from .filters import DEFAULT_INTERVAL, INTERVALS


@dataclass(frozen=True)
class Loaded:
    """A query result and when it was read from the database (UTC)."""

    data: Any
    fetched_at: dt.datetime


def _fetch(target: DatabaseTarget, query: Callable, *args: Any, **kwargs: Any) -> Loaded:
    # Bounded in wall time: a frozen server costs one message, never a page that spins.
    data = run_read(engine_for_target(target), target, query, *args, **kwargs)
    return Loaded(data, dt.datetime.now(dt.UTC))


def _progress(target: DatabaseTarget, start: str, end: str, meets: tuple[int, ...]) -> Loaded:
    return _fetch(target, progress_frame, start, end, list(meets) or None)


def _extent(target: DatabaseTarget, today: str) -> Loaded:
    """Every stored date x meet (one grouped query): the empty-database check and the
    default race day."""
    last = dt.datetime.strptime(today, "%Y%m%d").date() + dt.timedelta(days=60)
    first = last - dt.timedelta(days=MAX_RANGE_DAYS)
    return _fetch(target, progress_frame, f"{first:%Y%m%d}", f"{last:%Y%m%d}")


# The race page names a cell by its stored date text (for a real day that is its
# YYYYMMDD), so these read by exact text: a cell whose date is not a real day opens too.
def _status(target: DatabaseTarget, race_date: str, meet: int) -> Loaded:
    return _fetch(target, collection_status, race_date, meet, stored=True)


def _cell(target: DatabaseTarget, race_date: str, meet: int) -> Loaded:
    return _fetch(target, cell_progress, race_date, meet, stored=True)


def _races(target: DatabaseTarget, race_date: str, meet: int) -> Loaded:
    return _fetch(target, races_frame, race_date, meet, stored=True)


def _jobs(target: DatabaseTarget, kwargs: tuple) -> Loaded:
    return _fetch(target, jobs_frame, **dict(kwargs))


def _failed_outside(target: DatabaseTarget, kwargs: tuple) -> Loaded:
    return _fetch(target, failed_jobs_outside, **dict(kwargs))


def _job_counts(target: DatabaseTarget) -> Loaded:
    return _fetch(target, job_status_counts)


#: The reliability page's queries, each one statement (:mod:`status_core.reliability`).
RELIABILITY = {
    "completion": reliability.completion,
    "timeliness": reliability.timeliness_days,
    "failures": reliability.failures,
    "errors": reliability.error_groups_by_period,
    "jobs": reliability.jobs_by_type,
    "stuck": reliability.stuck_jobs_over_time,
}


def _reliability(target: DatabaseTarget, name: str, kwargs: tuple) -> Loaded:
    # "now" is the time of the query: a cached answer is as old as its fetched_at says.
    return _fetch(target, RELIABILITY[name], **dict(kwargs))


def _latest_writes(target: DatabaseTarget) -> Loaded:
    return _fetch(target, latest_writes)


def _per_interval(fn: Callable[..., Loaded]) -> dict[int, Callable[..., Loaded]]:
    """One cached copy of ``fn`` per interval. Each copy gets its own ``__qualname__``:
    Streamlit keys a cache by module, qualified name and source, so copies with the same
    name would share one cache (and one time-to-live)."""
    out = {}
    for ttl in INTERVALS:
        def cached(db_key: str, _target: DatabaseTarget, *args: Any, _fn=fn) -> Loaded:
            return _fn(_target, *args)

        cached.__name__ = cached.__qualname__ = f"{fn.__name__.lstrip('_')}_ttl{ttl}"
        out[ttl] = st.cache_data(ttl=ttl, show_spinner=False, max_entries=500)(cached)
    return out


_LOADERS = {
    name: _per_interval(fn)
    for name, fn in {
        "progress": _progress, "extent": _extent, "status": _status, "cell": _cell,
        "races": _races, "jobs": _jobs, "failed_outside": _failed_outside,
        "job_counts": _job_counts, "reliability": _reliability,
        "latest_writes": _latest_writes,
    }.items()
}


def clear() -> None:
    """Forget every cached query result (the sidebar's refresh button)."""
    for copies in _LOADERS.values():
        for fn in copies.values():
            fn.clear()


class Data:
    """The page's view of the cached loaders: one database, one time-to-live."""

    def __init__(self, ctx: PageContext, ttl: int = DEFAULT_INTERVAL) -> None:
        self.ctx = ctx
        self.ttl = ttl if ttl in INTERVALS else DEFAULT_INTERVAL
        self.fetched: list[dt.datetime] = []

    def _call(self, name: str, *args: Any) -> Any:
        target = self.ctx.require_target()
        loaded = _LOADERS[name][self.ttl](engine_key(target), target, *args)
        self.fetched.append(loaded.fetched_at)
        return loaded.data

    def together(self, *reads: Callable[[Data], Any]) -> list[Any]:
        """``[read(self) for read in reads]``, the reads running at the same time.

        Across a network each read waits for its round trips; a page's independent reads
        (each on its own pooled connection) then cost one wait instead of one each. With a
        cold pool the first read runs alone first (see :meth:`_cold`). Returns
        the values in order; if any read failed, the first failure in order is raised once
        all have ended (so a failing database still costs one bounded wait, not several).
        Never pass two reads of the same cached value: Streamlit makes the second wait for
        the first, and when the first fails, waits again for its own try.
        """
        if len(reads) < 2:
            return [read(self) for read in reads]
        first: list[Any] = []
        if self._cold():
            # No connection has answered lately (first run, or the pool was replaced after
            # a failure): ask once before asking several times, so a server that does not
            # answer is tried once, not once per read.
            first, reads = [reads[0](self)], reads[1:]
        script = get_script_run_ctx()

        def run(read: Callable[[Data], Any]) -> Any:
            if script is not None:  # cached loaders look for the page's run context
                add_script_run_ctx(threading.current_thread(), script)
            return read(self)

        with ThreadPoolExecutor(len(reads), thread_name_prefix="kra-page-read") as pool:
            futures = [pool.submit(run, read) for read in reads]
        return first + [future.result() for future in futures]

    def _cold(self) -> bool:
        """True when the engine's pool holds no idle connection to the server."""
        pool = engine_for_target(self.ctx.require_target()).pool
        checked_in = getattr(pool, "checkedin", None)  # QueuePool; SQLite's NullPool has none
        return checked_in is not None and checked_in() == 0

    @property
    def as_of(self) -> dt.datetime | None:
        """When the oldest of the results shown was read (they may come from the cache)."""
        return min(self.fetched) if self.fetched else None

    def progress(self, start: str, end: str, meets: list[int] | None) -> pd.DataFrame:
        return self._call("progress", start, end, tuple(sorted(meets or ())))

    def extent(self, today: str) -> pd.DataFrame:
        return self._call("extent", today)

    def status(self, race_date: str, meet: int) -> dict:
        return self._call("status", race_date, int(meet))

    def cell(self, race_date: str, meet: int) -> pd.DataFrame:
        """The progress frame of one stored date x meet (one row, or none)."""
        return self._call("cell", race_date, int(meet))

    def races(self, race_date: str, meet: int) -> pd.DataFrame:
        return self._call("races", race_date, int(meet))

    def jobs(self, **kwargs: Any) -> pd.DataFrame:
        key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v)
                           for k, v in kwargs.items() if v is not None))
        return self._call("jobs", key)

    def failed_jobs_outside(self, created_from: dt.datetime, created_to: dt.datetime,
                            **kwargs: Any) -> dict:
        """Failed jobs created outside the window (count, oldest, newest)."""
        key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v)
                           for k, v in kwargs.items() if v is not None))
        return self._call("failed_outside", (("created_from", created_from),
                                             ("created_to", created_to), *key))

    def job_counts(self) -> dict[str, int]:
        return self._call("job_counts")

    def latest_writes(self) -> dict:
        """The collector's newest ``races.updated_at`` and ``jobs.created_at``."""
        return self._call("latest_writes")

    def job(self, job_id: str) -> pd.DataFrame:
        """One job by id (at most one row), read fresh: the jobs page follows a job it was
        sent to until the job ends."""
        return _fetch(self.ctx.require_target(), jobs_frame, job_id=str(job_id), limit=1).data

    def reliability(self, name: str, **kwargs: Any) -> Any:
        """One query of :data:`RELIABILITY` (``start``, ``end``, ``meets``, ``grouping``
        and its own options as keywords)."""
        key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v)
                           for k, v in kwargs.items()))
        return self._call("reliability", name, key)

    def job_text(self, job_id: str) -> dict | None:
        """One job's whole error and step, read when a viewer asks for it. Not cached:
        an error can be hundreds of KB, and a cache would keep one per job looked at."""
        return _fetch(self.ctx.require_target(), job_text, str(job_id)).data
