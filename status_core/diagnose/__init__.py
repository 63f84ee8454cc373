"""One-click connection check: a staged diagnosis shared by the DB check page and the CLI.

``diagnose(url)`` walks nine steps and says which one failed, why (one word of
:data:`status_core.causes.CAUSES`) and what to change (Korean and English hints):

========== ===================================================================
config     URL present and parseable, driver, masked URL, Supabase pooler facts
dns        ``getaddrinfo`` of the host (IPv4 / IPv6 addresses)
tcp        a TCP connection to host:port
login      a real PostgreSQL login through :func:`status_core.engine.make_engine`
server     version, current user, database, recovery, read-only, TimeZone, SSL
schema     ``races`` / ``jobs`` in the collector's shape, newest migration
privileges SELECT grants and row level security (policies that apply to the role)
data       race counts by collection status, job counts by status, freshness
status     the collector's status object of one date x meet (when given)
========== ===================================================================

The package by job: :mod:`.model` (steps and the result), :mod:`.report` (text and JSON),
:mod:`.budget` (the run's state and time budget), :mod:`.network` (config, dns, tcp,
login), :mod:`.database` (server, schema, status), :mod:`.access` (privileges, data),
:mod:`.run` (the steps in order). Its sentences are in :mod:`status_core.text`.

Time: the whole diagnosis is bounded by ``timeout`` seconds (it returns within
``timeout + 1``). Blocking calls (DNS, the login, every query) run in daemon threads
(:func:`status_core.bounded.call_within`) and the diagnosis stops waiting when the budget
is spent; every query also carries a server-side ``statement_timeout`` of
``min(KRA_STATEMENT_TIMEOUT, remaining budget)`` (less a small grace, so the client-side
guard too fires inside the budget). The date x meet step's code (pandas) loads in a
background thread while the network steps run; the step waits for it only as long as the
budget allows, never on top of it.

Judgement calls, documented here so the page and the CLI agree:

- ``schema_outdated`` is a *fail* when columns the dashboard reads are missing (its queries
  would break) and a *warn* when the columns are there but ``schema_migrations`` is behind
  the newest migration or cannot be read (the dashboard works; the collector is behind).
- ``rows_hidden_by_rls`` is a *fail*: row level security is on and no SELECT policy applies
  to the role (or one applies but its condition hides every row), so the dashboard would
  show zeros although the data is there.
- A Supabase pooler host with a user name that is not ``postgres.<project_ref>`` is a
  *warn* in the config step (with the exact fix); the login step then confirms it.
- ``exit_code``: 0 usable (warnings included), 1 a step failed, 2 the configuration (URL,
  setting or given date/meet) cannot be used.

No password ever leaves this package: every text is passed through
:func:`status_core.redact.redact` with every form of the password before it is shown.
"""

# The driver is imported up front: an import inside a step would be paid out of the
# check's time budget. pandas (status_core.queries) is not: it costs a second or more and
# only the optional date x meet step needs it, imported outside the budget.
import psycopg  # noqa: F401
import sqlalchemy.dialects.postgresql.psycopg  # noqa: F401

from ..causes import cause_label
from .model import MARKS, STEP_NAMES, TITLES, Diagnosis, Step
from .report import format_text, jsonable
from .run import diagnose, iter_diagnose

__all__ = [
    "MARKS",
    "STEP_NAMES",
    "TITLES",
    "Diagnosis",
    "Step",
    "cause_label",
    "diagnose",
    "format_text",
    "iter_diagnose",
    "jsonable",
]
