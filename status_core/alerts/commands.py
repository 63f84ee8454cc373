"""The ``watch`` and ``metrics`` subcommands of ``kra-status``.

Only argparse is imported here: the CLI builds its parser on every call (``check
--timeout`` counts import time), so the real work is imported when a command runs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from ..errors import InputError, StatusError

Handler = Callable[[argparse.Namespace, TextIO, TextIO], int]


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``watch`` and ``metrics`` (each sets ``run`` to its handler)."""
    watch = sub.add_parser(
        "watch", help="post attention items to a chat webhook when they change",
        description="Evaluate the attention items over a window (default: the last 7 days "
                    "through today, KST), compare with what was reported, and post one "
                    "message per change to KRA_ALERT_WEBHOOK_URL. Exit codes with --once: "
                    "0 nothing needs attention, 1 something does, 2 bad arguments or "
                    "configuration.")
    mode = watch.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="one run, then exit (the default)")
    mode.add_argument("--every", metavar="SECONDS", help="keep running, one run every SECONDS")
    watch.add_argument("--dry-run", action="store_true", help="print what would be sent")
    watch.add_argument("--state", metavar="PATH",
                       help="state file (default: ~/.cache/kra-status/watch.sqlite)")
    watch.add_argument("--lang", choices=("ko", "en"), default="ko", help="message language")
    watch.add_argument("--start", help="first date of the window (with --end)")
    watch.add_argument("--end", help="last date of the window, inclusive")
    watch.add_argument("--meet", action="append", help="1, 2 or 3; repeat for several")
    watch.set_defaults(run=_guarded(_watch))

    metrics = sub.add_parser(
        "metrics", help="serve Prometheus metrics of collection progress",
        description="A Prometheus exporter on http://ADDRESS:PORT/metrics; at most one "
                    "database aggregation per --min-interval seconds.")
    metrics.add_argument("--address", default="127.0.0.1", help="listen address")
    metrics.add_argument("--port", default="9464", help="listen port (default 9464)")
    metrics.add_argument("--min-interval", default="15",
                         help="seconds between two aggregations at most (default 15)")
    metrics.set_defaults(run=_guarded(_metrics))


def _number(text: str, name: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise InputError(f"{name} {text!r} must be a number between {low:g} and {high:g}",
                         hint=f"e.g. {name} 60" if name != "--port" else "e.g. --port 9464")
    return value


def _webhook_secrets() -> tuple[str, ...]:
    """The configured webhook's secret parts, for masking errors; never fails."""
    try:
        from .webhook import resolve_webhook, webhook_secrets

        hook = resolve_webhook()
        return hook.secrets if hook else ()
    except Exception:  # noqa: BLE001 - masking must never be the thing that fails
        raw = os.environ.get("KRA_ALERT_WEBHOOK_URL", "")
        try:
            return webhook_secrets(raw) if raw.strip() else ()
        except Exception:  # noqa: BLE001
            return (raw,) if raw else ()


def _guarded(handler: Handler) -> Callable[[argparse.Namespace, TextIO, TextIO], int]:
    """Errors leave with the webhook's token masked (the CLI masks the DB password)."""
    def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
        from ..redact import redact

        try:
            return handler(args, out, err)
        except StatusError as exc:
            secrets = _webhook_secrets()
            exc.message, exc.hint = redact(exc.message, secrets), redact(exc.hint, secrets)
            raise
        except Exception as exc:  # noqa: BLE001 - turned into one masked line
            message = redact(f"{type(exc).__name__}: {exc}", _webhook_secrets())
            raise StatusError(f"unexpected error: {message}") from None
    return run


@contextlib.contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT (the previous handlers come back afterwards)."""
    stop = threading.Event()
    previous = {}
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous[sig] = signal.signal(sig, lambda *_: stop.set())
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _engine():  # noqa: ANN202
    from ..engine import make_engine
    from ..settings import resolve_target, resolve_timeouts

    target = resolve_target()
    timeouts = resolve_timeouts()
    if target.is_demo:
        from ..demo import ensure_demo

        ensure_demo(Path(target.url.database))
    return make_engine(target, timeouts), target, timeouts


def _watch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .evaluate import thresholds_from_env, window_scope
    from .store import default_state_path
    from .watch import WatchConfig, Watcher, say
    from .webhook import resolve_dashboard_url, resolve_webhook

    every = _number(args.every, "--every", 1, 86400) if args.every else None
    window_scope(args.start, args.end, args.meet)  # bad dates/meets: exit 2 before any work
    hook = resolve_webhook()
    if every is not None and hook is None and not args.dry_run:
        raise InputError("--every needs a webhook: set KRA_ALERT_WEBHOOK_URL (or [alerts] "
                         "webhook_url in .streamlit/secrets.toml), or add --dry-run",
                         hint="kra-status watch --once works without one, as a check")
    state = Path(args.state).expanduser() if args.state else default_state_path()
    cfg = WatchConfig(args.start, args.end, args.meet, args.lang, args.dry_run, state,
                      thresholds_from_env(), hook, resolve_dashboard_url(),
                      verbose=every is None)
    engine, target, _timeouts = _engine()
    _refuse_collector_file(state, target)
    watcher = Watcher(cfg, engine, target, out, err)
    try:
        if every is None:
            return watcher.cycle()
        with stop_on_signals() as stop:
            watcher.stop = stop
            out.write(say("watching", args.lang, every=every, state=state) + "\n")
            out.flush()
            while not stop.is_set():
                _cycle_in_loop(watcher, err)
                stop.wait(every)
        return 0
    finally:
        watcher.close()
        engine.dispose()


def _refuse_collector_file(state: Path, target) -> None:  # noqa: ANN001
    if target.url.get_backend_name() == "sqlite" and target.url.database:
        if Path(target.url.database).expanduser().resolve() == state.resolve():
            raise InputError(f"--state {state} is the database being watched",
                             hint="The state lives in its own file; leave --state out.")


def _cycle_in_loop(watcher, err: TextIO) -> None:  # noqa: ANN001
    """One ``--every`` run; a failure is reported and the next run tries again."""
    from ..redact import redact

    try:
        watcher.cycle()
    except Exception as exc:  # noqa: BLE001 - a long-running watcher outlives one bad run
        secrets = _webhook_secrets() + (watcher.target.secrets if watcher.target else ())
        text = exc.message if isinstance(exc, StatusError) else f"{type(exc).__name__}: {exc}"
        err.write(f"kra-status: error: {redact(text, secrets)}\n")
        err.flush()


def _metrics(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .evaluate import thresholds_from_env
    from .metrics import serve

    if not args.port.strip().isdigit():
        raise InputError(f"--port {args.port!r} must be a whole number between 1 and 65535",
                         hint="e.g. --port 9464")
    port = int(_number(args.port, "--port", 1, 65535))
    interval = _number(args.min_interval, "--min-interval", 1, 86400)
    thresholds = thresholds_from_env()
    engine, target, timeouts = _engine()
    try:
        with stop_on_signals() as stop:
            return serve(engine, target, thresholds, address=args.address, port=port,
                         min_interval=interval, wait_s=timeouts.connect + 0.5, out=out,
                         stop=stop)
    finally:
        engine.dispose()
