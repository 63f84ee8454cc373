"""``kra-status``: the dashboard's numbers from a terminal.

Exit codes: 0 success, 1 the database cannot be used (or a check step failed),
2 bad arguments or configuration. Errors are one clear line plus a hint, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from . import STARTED_AT, __version__
from .actions.command import add_commands as add_action_commands
from .alerts.commands import add_commands as add_alert_commands
from .domain import KST, MEETS, format_date, format_time, meet_name
from .engine import make_engine, run_read
from .errors import InputError, StatusError
from .inputs import (
    date_label,
    parse_date,
    parse_meet,
    parse_meets,
    parse_range,
    parse_stored_date,
)
from .redact import redact, url_secrets
from .settings import DatabaseTarget, resolve_target, resolve_timeouts
from .timestamps import kst_iso

PROG = "kra-status"
_OUTPUT_RESERVE = 0.15  # seconds kept for rendering and printing the report


class _Parser(argparse.ArgumentParser):
    """argparse that says what is wrong and the expected form, exit 2, no traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="KRA collection status from the collector's DB.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    status = sub.add_parser(
        "status",
        help="collection status of one date x meet, or of every date x meet in a range",
        description="Print the SCHEMA.md collection status. Dates: YYYYMMDD or YYYY-MM-DD.",
    )
    status.add_argument("--date", help="one race date (with --meet)")
    status.add_argument(
        "--stored-date", metavar="TEXT",
        help="the exact date text of a stored cell that is not a real YYYYMMDD day "
             "(e.g. 20261131, as a range lists it), with --meet")
    status.add_argument("--start", help="first date of a range (with --end)")
    status.add_argument("--end", help="last date of a range, inclusive")
    status.add_argument(
        "--meet", action="append",
        help=", ".join(f"{code} {names[0]}" for code, names in MEETS.items())
        + "; repeat for several",
    )
    status.add_argument("--json", action="store_true", help="machine-readable output")

    check = sub.add_parser(
        "check",
        help="step-by-step diagnosis of the database connection",
        description="Diagnose the configured database (DATABASE_URL or secrets.toml).",
    )
    check.add_argument("--date", help="also compute the status of this date (with --meet)")
    check.add_argument("--meet", help="1, 2 or 3 (with --date)")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.add_argument("--timeout", default="5", help="seconds for the whole check (default 5)")
    check.add_argument("--lang", choices=("ko", "en"), default="ko", help="hint language")

    demo = sub.add_parser(
        "demo",
        help="build the embedded demo database, or keep it changing with --live",
        description="Works only on the embedded SQLite demo, never on a real database.",
    )
    demo.add_argument("--rebuild", action="store_true", help="rebuild the demo file now")
    demo.add_argument("--live", action="store_true", help="keep writing collection progress")
    demo.add_argument("--interval", default="5", help="seconds between live steps (default 5)")
    demo.add_argument("--steps", default="0", help="stop after N live steps (0: run forever)")
    add_alert_commands(sub)  # watch, metrics
    add_action_commands(sub)  # recollect
    return parser


def _json_record(rec: dict) -> dict:
    return {**rec, "last_updated": kst_iso(rec["last_updated"])}


#: The human table's footnote: which columns are whose.
TABLE_NOTE = ("state: the dashboard's own state (README, 'States'); status, collection, "
              "enrichment, result: the collector API's values (as in --json)")


def _table(records: list[dict], states: dict[tuple[str, int], tuple[str, int]]) -> str:
    """The human table: each cell's honest state (``states``: ``(date, meet)`` -> ``(state,
    failed races)``) next to the collector API's values, which stay as they are."""
    header = ("date", "meet", "state", "total", "collected", "enriched", "failed", "status",
              "collection", "enrichment", "result", "last_updated (KST)")
    rows = [header]
    for r in records:
        state, failed = states.get((r["date"], r["meet"]), ("-", 0))
        rows.append((
            format_date(date_label(r["date"]), "en"),  # one date format, with the weekday
            f"{r['meet']} {meet_name(r['meet']) if r['meet'] in MEETS else ''}",
            state, str(r["total_races"]), str(r["collected_races"]), str(r["enriched_races"]),
            str(failed),
            r["status"], r["collection_status"], r["enrichment_status"], r["result_status"],
            format_time(r["last_updated"], "en"),
        ))
    widths = [max(_width(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    return "\n".join(lines)


def _honest_states(frame) -> dict[tuple[str, int], tuple[str, int]]:  # noqa: ANN001
    """``(date, meet)`` -> ``(state, failed races)`` of a progress frame, by
    :func:`status_core.states.cell_states` with the configured stalled threshold (a bad
    ``KRA_STALLED_MINUTES`` is named on stderr and the default used)."""
    from .settings import read_thresholds
    from .states import cell_states

    thresholds, errors = read_thresholds()
    for error in errors:
        sys.stderr.write(f"{PROG}: warning: {error.message}; the default is used\n")
    states = cell_states(frame, now=dt.datetime.now(dt.UTC),
                         stalled_minutes=thresholds.stalled_minutes)
    return {(str(d), int(m)): (str(s), int(f)) for d, m, s, f in zip(
        states["date"], states["meet"], states["state"], states["failed_races"], strict=True)}


def _width(text: str) -> int:
    # Wide and full-width characters (Hangul, CJK, full-width digits) take two columns.
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _open(target: DatabaseTarget):  # noqa: ANN202
    if target.is_demo:
        from .demo import ensure_demo

        ensure_demo(Path(target.url.database))
    return make_engine(target, resolve_timeouts())


def _cmd_status(args: argparse.Namespace, out: TextIO) -> int:
    from .queries import (
        cell_progress,
        cell_summary,
        collection_status,
        progress_frame,
        summary_records,
    )

    one_day = args.date is not None or args.stored_date is not None
    if sum((args.date is not None, args.stored_date is not None,
            bool(args.start or args.end))) > 1:
        raise InputError("use one of --date, --stored-date or --start/--end, not both",
                         hint="kra-status status --date 20260214 --meet 1")
    if one_day:
        stored = args.stored_date is not None
        race_date = (parse_stored_date(args.stored_date, name="--stored-date") if stored
                     else parse_date(args.date))
        if not args.meet or len(args.meet) != 1:
            raise InputError(f"--{'stored-date' if stored else 'date'} needs exactly one "
                             "--meet (1, 2 or 3)",
                             hint="kra-status status --date 20260214 --meet 1")
        meet = parse_meet(args.meet[0])
    elif args.start or args.end:
        if not (args.start and args.end):
            raise InputError("a range needs both --start and --end",
                             hint="kra-status status --start 20260201 --end 20260228")
        start, end = parse_range(args.start, args.end)
        meets = parse_meets(args.meet)
    else:
        raise InputError("say which day: --date YYYYMMDD --meet N, or --start and --end",
                         hint="kra-status status --date 20260214 --meet 1")
    target = resolve_target()
    engine = _open(target)
    frame = None
    try:
        if one_day and args.json:
            records = [run_read(engine, target, collection_status, race_date, meet,
                                stored=stored)]
        elif one_day:
            # One read gives both the collector's values and the honest state column.
            frame = run_read(engine, target, cell_progress, race_date, meet, stored=stored)
            records = [cell_summary(frame, race_date, meet)]
        else:
            frame = run_read(engine, target, progress_frame, start, end, meets)
            records = summary_records(frame)
    finally:
        engine.dispose()
    if args.json:
        payload = _json_record(records[0]) if one_day else [_json_record(r) for r in records]
        out.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    elif records:
        out.write(_table(records, _honest_states(frame)) + "\n")
        out.write(f"({TABLE_NOTE})\n")
        if target.is_demo:
            out.write("(embedded demo data: set DATABASE_URL to read the collector's database)\n")
    else:
        out.write("no races stored in that range\n")
    return 0


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from .diagnose import diagnose, format_text
    from .settings import configured_url

    if bool(args.date) != bool(args.meet):
        raise InputError("--date and --meet go together",
                         hint="kra-status check --date 20260214 --meet 1")
    race_date = parse_date(args.date) if args.date else None
    meet = parse_meet(args.meet) if args.meet else None
    try:
        timeout = float(args.timeout)
    except ValueError:
        timeout = -1.0
    if not 0 < timeout <= 120:
        raise InputError(f"--timeout {args.timeout!r} must be a number of seconds in (0, 120]",
                         hint="kra-status check --timeout 5")
    raw, _source = configured_url()
    # Imports already spent part of the promised time; keep a floor so a loaded machine
    # still gets a real check rather than an instant timeout.
    budget = max(timeout - (time.monotonic() - STARTED_AT) - _OUTPUT_RESERVE, min(timeout, 0.5))
    diagnosis = diagnose(raw, race_date=race_date, meet=meet, timeout=budget)
    if args.json:
        out.write(json.dumps(diagnosis.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(format_text(diagnosis, lang=args.lang) + "\n")
    return diagnosis.exit_code


def _number(text: str, name: str, *, minimum: float) -> float:
    try:
        value = float(text)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise InputError(f"{name} {text!r} must be a number >= {minimum:g}",
                         hint=f"e.g. {name} 5")
    return value


def _cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    import random
    import time

    from .demo import ensure_demo, live_step
    from .settings import demo_path, parse_url

    interval = _number(args.interval, "--interval", minimum=0.1)
    steps = int(_number(args.steps, "--steps", minimum=0))
    path = demo_path()
    if args.rebuild and path.exists():
        path.unlink()
    ensure_demo(path)
    out.write(f"demo database: {path}\n")
    if not args.live:
        return 0
    target = parse_url(f"sqlite:///{path}", source="demo")
    engine = make_engine(target, read_only=False)
    rng = random.Random()
    count = 0
    try:
        while steps == 0 or count < steps:
            with engine.begin() as conn:
                summary = live_step(conn, rng, dt.datetime.now(dt.UTC))
            count += 1
            stamp = dt.datetime.now(KST).strftime("%H:%M:%S")
            out.write(f"{stamp} {json.dumps(summary, ensure_ascii=False)}\n")
            out.flush()
            if steps == 0 or count < steps:
                time.sleep(interval)
    finally:
        engine.dispose()
    return 0


def _configured_secrets() -> tuple[str, ...]:
    """Every form of the configured password, to keep it out of anything printed; even
    from a URL too broken to parse."""
    try:
        from .settings import configured_url

        return url_secrets(configured_url()[0])
    except Exception:  # noqa: BLE001 - masking must never be the thing that fails
        return ()


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    """Run the CLI; returns the exit code (the console script exits with it)."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    args = parser.parse_args(argv)
    handlers = {"status": _cmd_status, "check": _cmd_check, "demo": _cmd_demo}
    try:
        if args.command not in handlers:  # watch, metrics, recollect: their own modules
            return args.run(args, out, err)
        return handlers[args.command](args, out)
    except StatusError as exc:
        secrets = _configured_secrets()
        err.write(f"{PROG}: error: {redact(exc.message, secrets)}\n")
        if exc.hint:
            err.write(f"hint: {redact(exc.hint, secrets)}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        err.write(f"{PROG}: interrupted\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - the edge: one line, never a traceback
        message = redact(str(exc), _configured_secrets())
        err.write(f"{PROG}: unexpected error: {type(exc).__name__}: {message}\n")
        return 1


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
