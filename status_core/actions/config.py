"""Where the collector's API is and the key to call it with.

``KRA_COLLECTOR_API_URL`` / ``KRA_COLLECTOR_API_KEY`` / ``KRA_COLLECTOR_TIMEOUT`` in the
environment, else ``[collector] url`` / ``api_key`` / ``timeout`` in
``.streamlit/secrets.toml`` (each setting on its own: the environment wins). Nothing set
means the actions are off.

The key is a secret: it is kept out of ``repr`` and every error, and it travels only in the
``X-API-Key`` header (the collector also accepts ``?api_key=``; that form ends up in access
logs, so a URL carrying one is refused).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from ..errors import ConfigError
from ..redact import mask_url, secret_forms, strip_secrets
from ..settings import read_secrets_file

ENV_URL = "KRA_COLLECTOR_API_URL"
ENV_KEY = "KRA_COLLECTOR_API_KEY"
ENV_TIMEOUT = "KRA_COLLECTOR_TIMEOUT"
SECTION = "collector"
DEFAULT_TIMEOUT_S = 10.0
MAX_TIMEOUT_S = 120.0
# The key goes into an HTTP header: printable ASCII without spaces.
_KEY_CHARS = re.compile(r"^[\x21-\x7e]+$")


@dataclass(frozen=True)
class CollectorConfig:
    """A usable collector API: base URL (no trailing ``/``), key, per-call timeout."""

    url: str
    api_key: str = field(repr=False)
    timeout: float = DEFAULT_TIMEOUT_S
    source: str = ENV_URL

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every form in which the key could appear in text, for :func:`redact`."""
        return secret_forms(self.api_key)

    def endpoint(self, path: str) -> str:
        return f"{self.url}{path}"


def _setting(env: Mapping[str, str], section: Mapping, var: str, key: str,
             where: str) -> tuple[str, str]:
    raw = env.get(var)
    if raw is not None and raw.strip():
        return raw.strip(), var
    value = section.get(key)
    if value is None or str(value).strip() == "":
        return "", ""
    return str(value).strip(), f"[{SECTION}] {key}{where}"


def _timeout(raw: str, source: str) -> float:
    if not raw:
        return DEFAULT_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= MAX_TIMEOUT_S:
        raise ConfigError(
            f"{source} must be a number of seconds in (0, {MAX_TIMEOUT_S:g}], got {raw[:20]!r}",
            hint=f"e.g. {ENV_TIMEOUT}={DEFAULT_TIMEOUT_S:g}")
    return value


def _base_url(raw: str, source: str, key: str) -> str:
    parts = urlsplit(raw)
    shown = mask_url(strip_secrets(raw, secret_forms(key)))
    if any(ch.isspace() for ch in raw) or parts.scheme not in ("http", "https") or (
            not parts.hostname):
        raise ConfigError(f"{source} is not an http(s) URL: {shown[:120]}",
                          hint=f"e.g. {ENV_URL}=https://collector.example.org")
    # Any "@" may be userinfo, however the URL is split ("/" in a password moves it).
    if "@" in raw or any(
            k.lower() == "api_key" for k, _ in parse_qsl(parts.query, keep_blank_values=True)):
        raise ConfigError(
            f"{source} must not carry credentials (user:password@ or ?api_key=)",
            hint=f"Put the key in {ENV_KEY} or [{SECTION}] api_key; it is sent as the "
                 "X-API-Key header, never in the URL.")
    if parts.query or parts.fragment:
        raise ConfigError(f"{source} must be the collector's base URL without ?query or #",
                          hint=f"e.g. {ENV_URL}=https://collector.example.org")
    path = parts.path.rstrip("/")
    # Staff paste the URL they call by hand; the endpoints add /api/v2 themselves.
    path = re.sub(r"/api/v2$", "", path)
    return f"{parts.scheme}://{parts.netloc}{path}"


def resolve_collector(
    environ: Mapping[str, str] | None = None, secrets_files: list[Path] | None = None
) -> CollectorConfig | None:
    """The configured collector API, or ``None`` when neither URL nor key is set.

    Raises :class:`ConfigError` (never quoting the key) when only one of them is set or a
    value cannot be used.
    """
    env = os.environ if environ is None else environ
    data: dict = {}
    where = ""
    if not all((env.get(v) or "").strip() for v in (ENV_URL, ENV_KEY, ENV_TIMEOUT)):
        data, path = read_secrets_file(secrets_files)
        where = f" in {path}" if path is not None else ""
    section = data.get(SECTION, {})
    section = section if isinstance(section, Mapping) else {}
    url, url_source = _setting(env, section, ENV_URL, "url", where)
    key, key_source = _setting(env, section, ENV_KEY, "api_key", where)
    raw_timeout, timeout_source = _setting(env, section, ENV_TIMEOUT, "timeout", where)
    timeout = _timeout(raw_timeout, timeout_source)
    if not url and not key:
        return None
    if not key:
        raise ConfigError(f"{url_source} is set but no API key is",
                          hint=f"Set {ENV_KEY} (or [{SECTION}] api_key), or remove the URL.")
    if not url:
        raise ConfigError(f"{key_source} is set but no collector URL is",
                          hint=f"Set {ENV_URL} (or [{SECTION}] url), e.g. "
                               "https://collector.example.org")
    if not _KEY_CHARS.match(key):
        raise ConfigError(f"{key_source} holds spaces or characters an HTTP header cannot carry",
                          hint="Paste the key exactly as the collector issued it.")
    return CollectorConfig(_base_url(url, url_source, key), key, timeout, url_source)


def configured_key(environ: Mapping[str, str] | None = None,
                   secrets_files: list[Path] | None = None) -> tuple[str, ...]:
    """Every form of the configured key, even when the rest of the configuration is
    broken; for masking output. Never raises."""
    env = os.environ if environ is None else environ
    keys = [env.get(ENV_KEY) or ""]
    try:
        data, _path = read_secrets_file(secrets_files)
        section = data.get(SECTION, {})
        if isinstance(section, Mapping):
            keys.append(str(section.get("api_key") or ""))
    except Exception:  # noqa: BLE001 - masking must never be the thing that fails
        pass
    return secret_forms(*(k.strip() for k in keys if k.strip()), *(k for k in keys if k))
