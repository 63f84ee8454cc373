"""``kra-status recollect``: ask the collector to re-collect a race day, from a terminal.

Exit codes: 0 the collector accepted (the job id is printed), 1 refused, failed or not
sent (duplicate, rate limit, timeout, ...), 2 bad arguments or configuration. Asks for
confirmation on a terminal unless ``--yes``; without a terminal ``--yes`` is required.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from typing import TextIO

from ..errors import ConfigError, InputError, StatusError
from ..text import t

Handler = Callable[[argparse.Namespace, TextIO, TextIO], int]


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``recollect`` (sets ``run`` to its handler)."""
    cmd = sub.add_parser(
        "recollect", help="ask the collector to re-collect a race day (its API, not the DB)",
        description="POST /api/v2/collection/async to the collector at KRA_COLLECTOR_API_URL "
                    "with KRA_COLLECTOR_API_KEY. Not sent when a job already covers the date "
                    "and meet (--force sends anyway). Exit codes: 0 accepted, 1 refused or "
                    "failed, 2 bad arguments or configuration.")
    cmd.add_argument("--date", required=True, help="race date, YYYYMMDD or YYYY-MM-DD")
    cmd.add_argument("--meet", required=True, help="1 서울, 2 제주, 3 부산경남")
    cmd.add_argument("--races", help="only these race numbers, e.g. 1,2,5 (default: all)")
    cmd.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    cmd.add_argument("--force", action="store_true",
                     help="send even when a job already covers this date and meet")
    cmd.add_argument("--lang", choices=("ko", "en"), default="ko", help="message language")
    cmd.add_argument("--json", action="store_true", help="machine-readable outcome")
    cmd.set_defaults(run=_masked(_recollect))


def _masked(handler: Handler) -> Handler:
    """Errors leave with the API key removed (the CLI itself masks the DB password)."""
    def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
        from ..redact import redact
        from .config import configured_key

        try:
            return handler(args, out, err)
        except StatusError as exc:
            secrets = configured_key()
            exc.message, exc.hint = redact(exc.message, secrets), redact(exc.hint, secrets)
            raise
        except Exception as exc:  # noqa: BLE001 - one masked line, never a traceback
            message = redact(f"{type(exc).__name__}: {exc}", configured_key())
            raise StatusError(f"unexpected error: {message}") from None
    return run


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no user name in a bare container
        return "cli"


def _races(text: str | None) -> list[int] | None:
    from .rules import parse_race_list

    if text is None:
        return None
    try:
        return parse_race_list(text)
    except ValueError:
        raise InputError(f"--races {text[:40]!r} is not a list of race numbers",
                         hint="e.g. --races 1,2,5 (numbers 1 to 20)") from None


def _confirm(args: argparse.Namespace, out: TextIO) -> bool:
    if args.yes:
        return True
    if not sys.stdin.isatty():
        raise InputError("not a terminal: nothing to confirm with",
                         hint="add --yes to send without asking")
    out.write(t("action.cli.confirm", args.lang))
    out.flush()
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes", "예", "네", "ㅇ")


def _jobs(force: bool, err: TextIO, lang: str):  # noqa: ANN202
    """The duplicate guard's lookup and the engine to dispose of (both ``None`` when
    nothing can be checked)."""
    from ..engine import make_engine
    from ..settings import resolve_target, resolve_timeouts
    from .guards import jobs_lookup

    if force:
        return None, None
    target = resolve_target()
    if target.is_demo:
        err.write(t("action.cli.no_database", lang) + "\n")
        return None, None
    engine = make_engine(target, resolve_timeouts())
    return jobs_lookup(engine, target), engine


def _recollect(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..inputs import parse_date, parse_meet
    from ..redact import mask_url
    from .client import CollectorClient, recollect_request
    from .config import resolve_collector
    from .rules import today_kst

    config = resolve_collector()
    if config is None:
        raise ConfigError("the collector's API is not configured",
                          hint="set KRA_COLLECTOR_API_URL and KRA_COLLECTOR_API_KEY "
                               "(or [collector] url and api_key in .streamlit/secrets.toml)")
    race_date, meet = parse_date(args.date), parse_meet(args.meet)
    request = recollect_request(race_date, meet, _races(args.races), today_kst())
    if not request.valid:
        raise InputError(" ".join(p.text(args.lang) for p in request.problems),
                         hint="kra-status recollect --date 20260214 --meet 1 --races 1,2")
    # With --json, stdout carries only the outcome; the plan and the prompt go to stderr.
    talk = err if args.json else out
    talk.write(f"{t('action.cli.plan', args.lang)}: {request.subject(args.lang)}\n  "
               f"{request.method} {mask_url(config.url)}{request.path} "
               f"{json.dumps(request.body, ensure_ascii=False)}\n")
    if not _confirm(args, talk):
        talk.write(t("action.cli.not_sent", args.lang) + "\n")
        return 1
    jobs, engine = _jobs(args.force, err, args.lang)
    try:
        outcome = CollectorClient(config, jobs=jobs).send(request, actor=_actor(),
                                                          force=args.force)
    finally:
        if engine is not None:
            engine.dispose()
    _report(outcome, args, out)
    return 0 if outcome.ok else 1


def _report(outcome, args: argparse.Namespace, out: TextIO) -> None:  # noqa: ANN001
    link = None
    dashboard = (os.environ.get("KRA_DASHBOARD_URL") or "").strip().rstrip("/")
    if outcome.job_id and dashboard:
        from urllib.parse import quote

        link = f"{dashboard}/jobs?job={quote(outcome.job_id, safe='')}"
    if args.json:
        existing = outcome.existing and {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                                         for k, v in outcome.existing.items()}
        out.write(json.dumps({
            "outcome": outcome.kind, "http_status": outcome.status, "job_id": outcome.job_id,
            "existing_job": existing or None, "link": link, "messages": list(outcome.messages),
            "text": outcome.text(args.lang)}, ensure_ascii=False, indent=2) + "\n")
        return
    out.write(outcome.text(args.lang) + "\n")
    if link:
        out.write(f"{link}\n")
