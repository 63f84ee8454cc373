"""Running the diagnosis: the steps in order, each one's text scrubbed of secrets."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from ..classify import classify
from ..redact import redact, strip_secrets
from .access import step_data, step_privileges
from .budget import QUERIES, Run, known_cause, one_line, say, skip
from .database import step_schema, step_server, step_status
from .model import STEP_NAMES, Diagnosis, Step
from .network import step_config, step_dns, step_login, step_tcp

_STEPS: dict[str, Callable[[Run], Step]] = {
    "config": step_config,
    "dns": step_dns,
    "tcp": step_tcp,
    "login": step_login,
    "server": step_server,
    "schema": step_schema,
    "privileges": step_privileges,
    "data": step_data,
    "status": step_status,
}


def iter_diagnose(
    url: str | None,
    *,
    race_date: object = None,
    meet: object = None,
    timeout: float = 5.0,
    statement_timeout: float | None = None,
    stale_minutes: int | None = None,
) -> Iterator[Step]:
    """Yield each :class:`Step` of the diagnosis as soon as it finishes.

    ``url`` is the raw configured string (``settings.configured_url()[0]``); ``None``
    checks the embedded demo. ``statement_timeout`` (seconds) defaults to
    ``KRA_STATEMENT_TIMEOUT``; every query is also cut at the remaining ``timeout``.
    Never raises for a database problem: unexpected errors become a failed step.
    ``stale_minutes``: the data step warns when the newest write is older (default: the
    stalled threshold, ``KRA_STALLED_MINUTES``).
    """
    run = Run(url, race_date, meet, timeout, statement_timeout)
    run.stale_minutes = stale_minutes
    if race_date not in (None, "") or meet not in (None, ""):
        QUERIES.start()
    try:
        for name in STEP_NAMES:
            step = _run_step(run, name)
            if name == "config":
                # The budget covers the network and the queries, not building the demo.
                run.deadline = time.monotonic() + run.timeout
            if name == "login" and step.outcome == "ok":
                run.login_facts = step.facts
            yield _scrubbed(step, run.secrets)
    finally:
        run.close()


def _run_step(run: Run, name: str) -> Step:
    """Step ``name``, skipped when an earlier one blocked the rest."""
    if run.blocked is not None:
        return skip(name, *say("diag.skipped", reason=run.blocked))
    try:
        return _STEPS[name](run)
    except Exception as exc:  # noqa: BLE001 - the step reports it instead
        run.block("unexpected")
        message = one_line(f"{type(exc).__name__}: {exc}")
        cause = known_cause(classify(exc))
        en, ko = say("diag.unexpected", message=message)
        return Step(name=name, outcome="fail", detail=en, detail_ko=ko, cause=cause,
                    hint=run.hint(cause))


def _scrubbed(step: Step, secrets: tuple[str, ...]) -> Step:
    step.detail = redact(step.detail, secrets)
    step.detail_ko = redact(step.detail_ko, secrets)
    # Hints are our own text (they show the form postgresql://USER:PASSWORD@HOST, which
    # URL masking would garble): only the secret values themselves are removed.
    step.hint = {k: strip_secrets(v, secrets) for k, v in step.hint.items()}
    step.facts = _scrub_facts(step.facts, secrets)
    return step


def _scrub_facts(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {k: _scrub_facts(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_facts(v, secrets) for v in value]
    if isinstance(value, tuple):
        return tuple(_scrub_facts(v, secrets) for v in value)
    return value


def diagnose(
    url: str | None,
    *,
    race_date: object = None,
    meet: object = None,
    timeout: float = 5.0,
    statement_timeout: float | None = None,
    stale_minutes: int | None = None,
) -> Diagnosis:
    """Run every step (see :func:`iter_diagnose`) and return the :class:`Diagnosis`."""
    steps = list(iter_diagnose(url, race_date=race_date, meet=meet, timeout=timeout,
                               statement_timeout=statement_timeout,
                               stale_minutes=stale_minutes))
    return Diagnosis.from_steps(steps)
