"""One audit line per request to the collector, sent or not.

Logger ``kra_status.audit`` at INFO. When nothing else is configured to print it (the
Streamlit server, the CLI), it writes to stderr: the server log. Format, one line, fields in
this order, values that are not plain tokens JSON-quoted (so an e-mail claim or a collector
message cannot forge a second line)::

    kra-audit at=2026-02-15T10:03:12.345+09:00 actor=ops@example.org action=recollect
      date=20260214 meet=1 races=all force=no outcome=accepted http=202 job=6f1c...
      elapsed_ms=41

(shown wrapped here). ``action`` is ``recollect``, ``result``, ``cancel`` or ``get_job``;
``races`` is ``all`` or ``1,2,5``; ``outcome`` a kind of
:class:`~status_core.actions.outcome.Outcome`; ``http``, ``job`` are ``-`` when there is
none. ``date``/``meet``/``races`` are ``-`` for a job action. The API key never appears:
every value is passed through :func:`status_core.redact.redact` with the key's forms.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading

from ..domain import KST
from ..redact import redact
from .outcome import Outcome

LOGGER_NAME = "kra_status.audit"
PREFIX = "kra-audit"
FIELDS = ("at", "actor", "action", "date", "meet", "races", "force", "outcome", "http",
          "job", "elapsed_ms")
_TOKEN = re.compile(r"^[\w.@+:,/\-]+$", re.ASCII)
_MAX_VALUE = 200
_setup_lock = threading.Lock()


def audit_logger() -> logging.Logger:
    """The audit logger, printing to stderr when no handler would show an INFO line."""
    logger = logging.getLogger(LOGGER_NAME)
    with _setup_lock:
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)
        if not logger.hasHandlers():
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(message)s"))
            logger.addHandler(handler)
    return logger


def _value(value: object, secrets: tuple[str, ...]) -> str:
    if value is None or value == "":
        return "-"
    text = redact(str(value), secrets)
    if len(text) > _MAX_VALUE:
        text = text[:_MAX_VALUE] + "…"
    return text if _TOKEN.match(text) else json.dumps(text, ensure_ascii=True)


def audit_line(outcome: Outcome, *, actor: str, force: bool, elapsed_ms: float | None,
               secrets: tuple[str, ...] = (), now: dt.datetime | None = None) -> str:
    """The audit line of ``outcome`` (see the module docstring for the format)."""
    req = outcome.request
    day_action = req.job_id is None
    races = ("all" if req.race_numbers is None else ",".join(map(str, req.race_numbers)))
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(KST).isoformat(timespec="milliseconds")
    values = {
        "at": stamp, "actor": actor, "action": req.action,
        "date": req.date if day_action else None, "meet": req.meet if day_action else None,
        "races": races if day_action else None, "force": "yes" if force else "no",
        "outcome": outcome.kind, "http": outcome.status,
        "job": outcome.job_id or req.job_id or (outcome.existing or {}).get("job_id"),
        "elapsed_ms": None if elapsed_ms is None else round(elapsed_ms),
    }
    return PREFIX + " " + " ".join(f"{k}={_value(values[k], secrets)}" for k in FIELDS)


def write_audit(outcome: Outcome, *, actor: str, force: bool, elapsed_ms: float | None,
                secrets: tuple[str, ...] = ()) -> str:
    """Log the audit line of ``outcome``; returns it."""
    line = audit_line(outcome, actor=actor, force=force, elapsed_ms=elapsed_ms,
                      secrets=secrets)
    audit_logger().info(line)
    return line
