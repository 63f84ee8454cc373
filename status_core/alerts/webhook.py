"""Where alerts go, and posting them: a timeout on every call, bounded retries with backoff.

The webhook URL is a secret (its path or query carries the token): it is kept out of
``repr``, every error is passed through :func:`status_core.redact.redact` with the URL's
secret parts, and the HTTP libraries' log records are redacted the same way.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from .. import redact as redact_module
from ..errors import ConfigError
from ..redact import mask_url, redact, secret_forms
from ..settings import read_secrets_file

ENV_URL = "KRA_ALERT_WEBHOOK_URL"
ENV_FORMAT = "KRA_ALERT_FORMAT"
ENV_TIMEOUT = "KRA_ALERT_TIMEOUT"
ENV_DASHBOARD = "KRA_DASHBOARD_URL"
FORMATS = ("slack", "json")
DEFAULT_TIMEOUT_S = 10.0
ATTEMPTS = 3  # per run; a change still not delivered is tried again on the next run
BACKOFF_S = 0.5  # 0.5 s, then 1 s, ... doubled per attempt
MAX_BACKOFF_S = 30.0


@dataclass(frozen=True)
class Webhook:
    """A configured webhook. ``masked`` is the only form of the URL ever shown."""

    url: str = field(repr=False)
    format: str = "slack"
    source: str = ENV_URL
    timeout: float = DEFAULT_TIMEOUT_S
    secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def masked(self) -> str:
        return redact(self.url, self.secrets)


def webhook_secrets(url: str) -> tuple[str, ...]:
    """The parts of a webhook URL that carry its token, in every encoding: path and query
    (whole and by long segment or value), user information and fragment."""
    parts = urlsplit(url.strip())
    path = parts.path.lstrip("/")
    candidates = [path + (f"?{parts.query}" if parts.query else ""), path, parts.query,
                  parts.fragment, parts.password or "", parts.username or ""]
    candidates += [seg for seg in parts.path.split("/") if len(seg) >= 8]
    candidates += [value for _key, value in parse_qsl(parts.query) if len(value) >= 4]
    return secret_forms(*candidates)


def _setting(env: Mapping[str, str], alerts: Mapping, var: str, key: str) -> tuple[str, str]:
    raw = env.get(var)
    if raw is not None and raw.strip():
        return raw.strip(), var
    value = alerts.get(key)
    return (str(value).strip(), f"[alerts] {key}") if value not in (None, "") else ("", "")


def _timeout(env: Mapping[str, str]) -> float:
    raw = (env.get(ENV_TIMEOUT) or "").strip()
    if not raw:
        return DEFAULT_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 120:
        raise ConfigError(f"{ENV_TIMEOUT} must be a number of seconds in (0, 120], got {raw!r}",
                          hint=f"e.g. {ENV_TIMEOUT}={DEFAULT_TIMEOUT_S:g}")
    return value


def _check_http(url: str, source: str, *, secret: bool) -> None:
    parts = urlsplit(url)
    if any(ch.isspace() for ch in url) or parts.scheme not in ("http", "https") or not (
            parts.hostname):
        shown = "" if secret else f": {mask_url(url)}"
        example = ("https://hooks.slack.com/services/…" if secret
                   else "https://dashboard.example.com")
        raise ConfigError(f"{source} is not an http(s) URL{shown}",
                          hint=f"Give the whole URL, e.g. {example}")


def resolve_webhook(
    environ: Mapping[str, str] | None = None, secrets_files: list[Path] | None = None
) -> Webhook | None:
    """The webhook from ``KRA_ALERT_WEBHOOK_URL`` / ``KRA_ALERT_FORMAT``, else ``[alerts]
    webhook_url`` / ``format`` in ``.streamlit/secrets.toml``; ``None`` when none is set.
    Raises :class:`ConfigError` (never quoting the URL) when it cannot be used."""
    env = os.environ if environ is None else environ
    data: dict = {}
    path = None
    if not all((env.get(v) or "").strip() for v in (ENV_URL, ENV_FORMAT)):
        data, path = read_secrets_file(secrets_files)
    alerts = data.get("alerts", {}) if isinstance(data.get("alerts", {}), Mapping) else {}
    url, source = _setting(env, alerts, ENV_URL, "webhook_url")
    if source.startswith("[") and path is not None:
        source = f"{source} in {path}"
    fmt, fmt_source = _setting(env, alerts, ENV_FORMAT, "format")
    fmt = (fmt or "slack").lower()
    if fmt not in FORMATS:
        raise ConfigError(f"{fmt_source} must be slack or json, got {fmt!r}",
                          hint=f"e.g. {ENV_FORMAT}=slack (Slack-compatible) or json (generic)")
    timeout = _timeout(env)
    if not url:
        return None
    _check_http(url, source, secret=True)
    return Webhook(url, fmt, source, timeout, webhook_secrets(url))


def resolve_dashboard_url(environ: Mapping[str, str] | None = None) -> str | None:
    """``KRA_DASHBOARD_URL`` (the dashboard's address, for deep links), or ``None``."""
    env = os.environ if environ is None else environ
    raw = (env.get(ENV_DASHBOARD) or "").strip()
    if not raw:
        return None
    _check_http(raw, ENV_DASHBOARD, secret=False)
    return raw.rstrip("/")


def guard_logs(secrets: tuple[str, ...]) -> None:
    """Install (once, replacing an earlier one) the redacting filter on the HTTP loggers."""
    # The watcher's own log lines quote the webhook too.
    redact_module.guard_logs(secrets, owner="alerts",
                             names=(*redact_module.HTTP_LOGGERS, "status_core.alerts"))


@dataclass
class Delivery:
    """The outcome of posting one change: ``error`` is already free of secrets."""

    ok: bool
    attempts: int
    status: int | None = None
    error: str = ""


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _attempt(client, hook: Webhook, body: dict, key: str) -> tuple[bool, bool, int | None,  # noqa: ANN001
                                                                   str, float | None]:
    """One POST: ``(ok, retry, status, error, retry_after)``."""
    import httpx

    try:
        resp = client.post(hook.url, json=body, headers={"Idempotency-Key": key})
    except httpx.TimeoutException:
        return False, True, None, f"no answer within {hook.timeout:g} s", None
    except httpx.TransportError as exc:
        return False, True, None, f"{type(exc).__name__}: {redact(str(exc), hook.secrets)}", None
    status = resp.status_code
    if 200 <= status < 300:
        return True, False, status, "", None
    said = redact(" ".join(resp.text[:100].split()), hook.secrets)
    retry = status >= 500 or status in (408, 429)
    return False, retry, status, f"HTTP {status}{f' {said}' if said else ''}", _retry_after(
        resp.headers.get("retry-after"))


def post(
    client, hook: Webhook, body: dict, *, key: str, attempts: int = ATTEMPTS,  # noqa: ANN001
    backoff: float = BACKOFF_S, stop: threading.Event | None = None,
    before_each: Callable[[], None] | None = None,
) -> Delivery:
    """POST ``body`` as JSON with ``Idempotency-Key: key``; retried on a timeout, a refused
    or broken connection, 408, 429 and 5xx, at most ``attempts`` times with doubling
    waits (``Retry-After`` honoured up to 30 s). Other statuses are not retried here."""
    stop = stop or threading.Event()
    result = Delivery(False, 0)
    for n in range(1, attempts + 1):
        if before_each is not None:
            before_each()
        ok, retry, status, error, after = _attempt(client, hook, body, key)
        result = Delivery(ok, n, status, error)
        if ok or not retry or n == attempts:
            break
        wait = min(MAX_BACKOFF_S, after if after is not None else backoff * 2 ** (n - 1))
        if stop.wait(wait):
            break
    return result


def client(hook: Webhook):  # noqa: ANN201
    """An httpx client with ``hook.timeout`` on connect, read, write and pool waits."""
    import httpx

    return httpx.Client(timeout=httpx.Timeout(hook.timeout), follow_redirects=False,
                        headers={"User-Agent": "kra-status-watch"})
