"""The state of one diagnosis and its time budget: bounded calls, bounded queries, and the
small builders every step uses."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from ..bounded import Late, call_within
from ..classify import CAUSES, classify, is_value_error, server_message
from ..hints import check_hint_for, note_for
from ..redact import redact, url_secrets
from ..settings import DatabaseTarget
from ..text import t
from .model import Step

MIN_QUERY_BUDGET = 0.05  # seconds: below this a query step is not even started
_CLIENT_GRACE = 0.4  # seconds a query may overrun its statement_timeout before we give up


class BudgetSpent(Exception):
    """No time left in the check's budget to start a query."""


def say(key: str, **values: object) -> tuple[str, str]:
    """The catalogue's sentence ``key`` as ``(English, Korean)``, filled with ``values``;
    a value given as an ``(English, Korean)`` pair is filled in per language."""
    def pick(i: int) -> dict[str, object]:
        return {k: v[i] if isinstance(v, tuple) else v for k, v in values.items()}

    return t(key, "en", **pick(0)), t(key, "ko", **pick(1))


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def stored_utc(value: Any) -> dt.datetime | None:
    """A stored timestamp as an aware UTC datetime: a datetime from either driver or the ISO
    text SQLite returns for ``max(updated_at)``; ``None`` for anything else or an instant
    that cannot be shown in UTC (unlike :func:`status_core.timestamps.as_utc`, which takes
    datetimes only)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, dt.datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:  # a year-1 instant east of UTC
        return None


def known_cause(cause: str) -> str:
    """``cause`` when it names a failure, else ``unknown``."""
    return cause if cause in CAUSES and cause != "ok" else "unknown"


def bounded(fn: Callable[[], Any], seconds: float,
            on_late: Callable[[Any], None] | None = None) -> Any:
    """:func:`status_core.bounded.call_within` for the diagnosis: ``fn()`` within
    ``seconds`` or :class:`~status_core.bounded.Late`.

    A call given up on keeps running; when it ends, ``on_late(value_or_None)`` releases
    what it got (a connection, an engine). The lock decides, once, whether the call ended
    in time or was given up on, so nothing it returns is ever left unreleased.
    """
    lock = threading.Lock()
    state: dict[str, Any] = {"abandoned": False, "done": False, "value": None}

    def finish(value: Any) -> None:
        with lock:
            state["done"], state["value"] = True, value
            late = state["abandoned"]
        if late and on_late is not None:
            with contextlib.suppress(Exception):  # best-effort cleanup of an abandoned call
                on_late(value)

    def work() -> Any:
        try:
            value = fn()
        except BaseException:
            finish(None)
            raise
        finish(value)
        return value

    try:
        return call_within(work, seconds, name="kra-diagnose")
    except Late:
        with lock:
            state["abandoned"] = True
            ended = state["done"]
        if ended and on_late is not None:  # it ended just as the wait did: release it here
            with contextlib.suppress(Exception):
                on_late(state["value"])
        raise


def release(conn: Any, engine: Any) -> None:
    """Close ``conn`` and dispose of ``engine``, whatever state they are in."""
    with contextlib.suppress(Exception):
        if conn is not None:
            conn.close()
    with contextlib.suppress(Exception):
        if engine is not None:
            engine.dispose()


class Run:
    """State shared by the steps of one diagnosis."""

    def __init__(self, url: str | None, race_date: object, meet: object, timeout: float,
                 statement_timeout: float | None) -> None:
        self.raw = url
        self.race_date = race_date
        self.meet = meet
        self.timeout = float(timeout) if timeout and timeout > 0 else 5.0
        self.statement_limit = statement_timeout
        self.secrets: tuple[str, ...] = url_secrets(url)
        self.target: DatabaseTarget | None = None
        self.deadline = time.monotonic() + self.timeout
        self.blocked: tuple[str, str] | None = None  # (en, ko) reason the rest is skipped
        self.engine = None
        self.conn = None
        self.conn_stuck = False
        self.addresses: list[tuple[int, str]] = []
        self.tcp_ok = False
        self.role: str | None = None
        self.superuser = False
        self.bypassrls = False
        self.readable: dict[str, bool] = {}
        self.hidden: dict[str, bool] = {}
        self.rls_on: dict[str, bool] = {}
        self.login_facts: dict[str, Any] = {}
        #: Minutes without a write after which the data step warns (None: the setting).
        self.stale_minutes: int | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.target is not None and not self.target.is_postgres

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def block(self, key: str, **values: object) -> None:
        """Skip the remaining steps, for the reason ``diag.blocked.<key>``."""
        self.blocked = say(f"diag.blocked.{key}", **values)

    def ctx(self, **extra: Any) -> dict[str, Any]:
        url = self.target.url if self.target is not None else None
        context = {
            "role": self.role or (url.username if url is not None else None),
            "user": url.username if url is not None else None,
            "host": url.host if url is not None else None,
            "port": (url.port or 5432) if url is not None and url.host else None,
            "db": url.database if url is not None else None,
            "seconds": f"{self.timeout:.3g}",
        }
        context.update({k: v for k, v in extra.items() if v is not None})
        return context

    def hint(self, cause: str | None, *notes: str, **extra: Any) -> dict[str, str]:
        context = self.ctx(**extra)
        out = {}
        for lang in ("ko", "en"):
            parts = [note_for(n, lang, **context) for n in notes]
            if cause and cause != "ok":
                parts.append(check_hint_for(cause, lang, **context))
            out[lang] = " ".join(p for p in parts if p)
        return out

    def close(self) -> None:
        conn, engine = self.conn, self.engine
        self.conn = self.engine = None
        if self.conn_stuck:
            return  # the abandoned worker releases them when it finishes
        release(conn, engine)


def new_step(name: str, outcome: str, started: float, en: str = "", ko: str = "", *,
             cause: str | None = None, hint: dict[str, str] | None = None,
             facts: dict[str, Any] | None = None) -> Step:
    """A finished step, timed from ``started`` (``time.perf_counter()``)."""
    return Step(
        name=name,
        outcome=outcome,
        elapsed_ms=(time.perf_counter() - started) * 1000,
        detail=en,
        detail_ko=ko or en,
        cause=cause,
        hint=hint or {"ko": "", "en": ""},
        facts=facts or {},
    )


def skip(name: str, en: str, ko: str) -> Step:
    return Step(name=name, outcome="skipped", detail=en, detail_ko=ko)


def query(run: Run, fn: Callable[[Any], Any]) -> Any:
    """Run ``fn(conn)`` in its own read-only transaction, bounded by the remaining budget.

    Raises :class:`~status_core.bounded.Late` when the client-side guard fires (the
    connection is then left to its worker) and :class:`BudgetSpent` when no time is left
    to start.
    """
    budget = run.remaining()
    if budget < MIN_QUERY_BUDGET:
        raise BudgetSpent()
    # The server's statement_timeout fires a little before the client-side guard (so the
    # server's own message is the one reported), and the guard fires within the budget.
    grace = min(_CLIENT_GRACE, budget / 4)
    limit = min(run.statement_limit or budget, budget - grace)
    conn = run.conn

    def work() -> Any:
        try:
            if not run.is_sqlite:
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, int(limit * 1000))}")
            return fn(conn)
        finally:
            with contextlib.suppress(Exception):
                conn.rollback()

    engine = run.engine
    try:
        return bounded(work, limit + grace, on_late=lambda _v: release(conn, engine))
    except Late:
        run.conn_stuck = True
        run.block("stuck_query")
        raise


def query_failure(run: Run, name: str, started: float, exc: BaseException,
                  what: tuple[str, str]) -> Step:
    """A failed query step, for the three ways a query can fail; ``what`` (English,
    Korean) names the query."""
    limit = run.statement_limit or run.timeout
    if isinstance(exc, BudgetSpent):
        run.block("budget")
        return new_step(name, "fail", started,
                        *say("diag.query.budget", what=what),
                        cause="query_timeout", hint=run.hint(None, "budget"))
    if isinstance(exc, Late):
        return new_step(name, "fail", started,
                        *say("diag.query.late", what=what),
                        cause="query_timeout",
                        hint=run.hint("query_timeout", seconds=f"{limit:g}"))
    message = one_line(redact(server_message(exc), run.secrets))
    if name in ("data", "status") and is_value_error(exc):
        # The database answered; one stored value cannot be turned into a Python value.
        # That is about the data, not a reason to call the database unusable.
        return new_step(name, "warn", started,
                        *say("diag.query.value", what=what,
                             message=message),
                        hint=run.hint(None, "unreadable_value"), facts={"error": message})
    cause = known_cause(classify(exc))
    seconds = f"{min(limit, run.timeout):g}"
    return new_step(name, "fail", started,
                    *say("diag.query.failed", what=what,
                         message=message),
                    cause=cause, hint=run.hint(cause, seconds=seconds),
                    facts={"error": message})


class _BackgroundImport:
    """``status_core.queries`` (pandas: a second or more to import) loaded in a daemon
    thread while the network steps run, so the date x meet step never adds that time on
    top of the check's budget; it waits for the import only as long as the budget allows.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.done = threading.Event()
        self.module: Any = None
        self.error: BaseException | None = None
        self._lock = threading.Lock()
        self._started = False

    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._load, name="kra-diagnose-import", daemon=True).start()

    def _load(self) -> None:
        try:
            self.module = importlib.import_module(self.name)
        except BaseException as exc:  # noqa: BLE001 - handed to the step that needs it
            self.error = exc
        finally:
            self.done.set()

    def wait(self, seconds: float) -> Any:
        """The module, ``None`` when it is not loaded within ``seconds``; re-raises an
        import failure."""
        self.start()
        if not self.done.wait(max(0.0, seconds)):
            return None
        if self.error is not None:
            raise self.error
        return self.module


QUERIES = _BackgroundImport("status_core.queries")


def queries_module(run: Run) -> Any:
    """``status_core.queries`` once loaded, ``None`` when the budget ran out first."""
    return QUERIES.wait(run.remaining() - MIN_QUERY_BUDGET)
