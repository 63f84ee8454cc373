"""Where the database URL comes from, what it may look like, and how it is shown.

Resolution order: ``DATABASE_URL`` in the environment (the collector's own variable), then
``[connections.kra] url`` in ``.streamlit/secrets.toml``, then the embedded SQLite demo.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from .errors import ConfigError

ENV_VAR = "DATABASE_URL"
SECRETS_KEY = "[connections.kra] url"
APPLICATION_NAME = "kra-status-dashboard"
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_STATEMENT_TIMEOUT = 10.0
EXPECTED_FORM = "postgresql://USER:PASSWORD@HOST:5432/DBNAME"
# --- transaction-pooler override (issue 5) ---
# Port 6543 and *.pooler.supabase.com are detected; a self-hosted PgBouncer in transaction
# mode on another port is declared with ?pooler=transaction in the URL (stripped before
# connecting) or KRA_TRANSACTION_POOLER=1. "session"/0 forces detection off.
POOLER_ENV_VAR = "KRA_TRANSACTION_POOLER"
POOLER_QUERY_KEY = "pooler"
_POOLER_ON = {"1", "true", "yes", "on", "transaction"}
_POOLER_OFF = {"0", "false", "no", "off", "session", "none"}

# Schemes staff paste, mapped to the driver we actually use. The collector writes
# postgresql+asyncpg://; the dashboard is synchronous, so it reads the same URL with psycopg.
_POSTGRES_SCHEMES = {
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
    "postgresql+psycopg2": "postgresql+psycopg",
    "postgresql+asyncpg": "postgresql+psycopg",
    "postgres+asyncpg": "postgresql+psycopg",
}
_SQLITE_SCHEMES = {"sqlite": "sqlite+pysqlite", "sqlite+pysqlite": "sqlite+pysqlite"}

# asyncpg spells some libpq options differently; translate the ones that matter.
_ASYNCPG_QUERY = {"ssl": "sslmode"}
_ASYNCPG_ONLY = {"prepared_statement_cache_size", "statement_cache_size", "server_settings"}

_USERINFO_PASSWORD = re.compile(r"(?P<head>[a-z0-9+.\-]+://[^:/@\s]*:)(?P<pw>\S*)(?=@)", re.I)
_QUERY_PASSWORD = re.compile(r"(?P<head>[?&]password=)(?P<pw>[^&\s]*)", re.I)


@dataclass(frozen=True)
class DatabaseTarget:
    """A resolved database: the SQLAlchemy URL, where it came from, and how to show it."""

    url: URL
    source: str
    is_demo: bool = False
    secrets: tuple[str, ...] = field(default=(), repr=False)
    # ``?pooler=transaction|session|auto`` from the URL (stripped before connecting).
    pooler: str | None = None

    @property
    def masked(self) -> str:
        return mask_url(self.url)

    @property
    def is_postgres(self) -> bool:
        return self.url.get_backend_name() == "postgresql"

    @property
    def uses_transaction_pooler(self) -> bool:
        override = self.pooler or os.environ.get(POOLER_ENV_VAR)
        return is_transaction_pooler(self.url, override=override)


@dataclass(frozen=True)
class Timeouts:
    """Connect and statement timeouts in seconds."""

    connect: float = DEFAULT_CONNECT_TIMEOUT
    statement: float = DEFAULT_STATEMENT_TIMEOUT


def mask_url(url: URL | str | None) -> str:
    """Render a URL with its password replaced by ``***``.

    Works on strings that do not even parse, so a broken URL can be quoted in an error.
    """
    if url is None:
        return ""
    if isinstance(url, URL):
        text = url.render_as_string(hide_password=True)
        pw = url.query.get("password")
        return _QUERY_PASSWORD.sub(r"\g<head>***", text) if pw else text
    text = _USERINFO_PASSWORD.sub(r"\g<head>***", str(url))
    return _QUERY_PASSWORD.sub(r"\g<head>***", text)


def _mask_single_url(text: str) -> str:
    """Mask a string known to be one URL: everything between ``user:`` and the last ``@``.

    Stricter than :func:`mask_url`, which must not swallow text around a URL; here a
    password with spaces or stray ``@`` must not leak into the error that rejects it.
    """
    scheme, sep, rest = text.partition("://")
    if not sep or "@" not in rest:
        return mask_url(text)
    userinfo, _, hostpart = rest.rpartition("@")
    user, colon, _password = userinfo.partition(":")
    return f"{scheme}://{user}{':***' if colon else ''}@{mask_url(hostpart)}"


def redact(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """Remove every known secret (and every URL password) from ``text``."""
    out = mask_url(text)
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        if len(secret) >= _SHORT_SECRET:
            out = out.replace(secret, "***")
        else:
            # A password of one to three characters is masked where it stands alone, so
            # that "p" does not turn "expired" into "ex***ired".
            out = re.sub(rf"(?<![\w]){re.escape(secret)}(?![\w])", "***", out)
    return out


_SHORT_SECRET = 4


def _secret_forms(password: str | None) -> tuple[str, ...]:
    if not password:
        return ()
    from urllib.parse import quote, quote_plus

    return tuple({password, quote(password, safe=""), quote_plus(password)})


def parse_url(raw: str, *, source: str = ENV_VAR) -> DatabaseTarget:
    """Validate and normalise a database URL.

    Raises :class:`ConfigError` naming ``source`` and showing the expected form, with the
    password masked, when the URL cannot be used.
    """
    text = (raw or "").strip()
    shown = _mask_single_url(text)

    def bad(problem: str) -> ConfigError:
        return ConfigError(
            f"{source} is not a usable database URL ({problem}): {shown or '(empty)'}",
            hint=f"Expected the form {EXPECTED_FORM} "
            "(postgres://, postgresql+psycopg:// and the collector's postgresql+asyncpg:// "
            "work too; sqlite:///PATH for a local file).",
        )

    if not text:
        raise bad("it is empty")
    if any(ch.isspace() for ch in text):
        raise bad("it contains white space")
    if "://" not in text:
        raise bad("it has no scheme such as postgresql://")
    try:
        url = make_url(text)
    except Exception:  # noqa: BLE001 - SQLAlchemy raises several types; all mean "unparseable"
        raise bad("it cannot be parsed") from None
    try:
        port = url.port
    except ValueError:
        raise bad("the port is not a number") from None

    scheme = url.drivername.lower()
    if scheme in _SQLITE_SCHEMES:
        if not url.database:
            raise bad("a sqlite URL needs a file path, e.g. sqlite:///demo.sqlite")
        return DatabaseTarget(url.set(drivername=_SQLITE_SCHEMES[scheme]), source)
    if scheme not in _POSTGRES_SCHEMES:
        raise bad(f"unknown scheme {scheme!r}")
    if not url.host:
        raise bad("the host is missing")
    if port is not None and not 0 < port < 65536:
        raise bad("the port must be between 1 and 65535")
    if not url.database:
        raise bad("the database name is missing (…/postgres at the end)")
    if not url.username:
        raise bad("the user name is missing")

    query = {}
    pooler = None
    for key, value in url.query.items():
        if key.lower() == POOLER_QUERY_KEY:  # ours, not libpq's: never sent to the server
            pooler = value if isinstance(value, str) else ""
            if pooler.lower() not in _POOLER_ON | _POOLER_OFF | {"auto"}:
                raise bad("pooler must be transaction, session or auto")
            pooler = pooler.lower()
            continue
        if scheme.endswith("asyncpg"):
            if key in _ASYNCPG_ONLY:
                continue
            key = _ASYNCPG_QUERY.get(key, key)
        query[key] = value
    if "sslmode" in query:
        mode = query["sslmode"]
        allowed = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}
        if isinstance(mode, str) and mode.lower() in {"true", "on"}:
            query["sslmode"] = "require"
        elif isinstance(mode, str) and mode.lower() in {"false", "off"}:
            query["sslmode"] = "disable"
        elif mode not in allowed:
            raise bad(f"sslmode must be one of {', '.join(sorted(allowed))}")
    normalised = url.set(drivername=_POSTGRES_SCHEMES[scheme], query=query)
    secrets = _secret_forms(url.password) + _secret_forms(query.get("password"))
    return DatabaseTarget(normalised, source, secrets=secrets, pooler=pooler)


def is_transaction_pooler(url: URL, *, override: str | None = None) -> bool:
    """True where the URL points at a transaction-mode pooler (no prepared statements).

    ``override`` (the URL's ``?pooler=`` or ``KRA_TRANSACTION_POOLER``): ``transaction``/``1``
    forces it on, ``session``/``0`` off, ``auto``/empty keeps the port/host detection.
    """
    mode = (override or "").strip().lower()
    if mode in _POOLER_ON:
        return True
    if mode in _POOLER_OFF:
        return False
    if mode not in ("", "auto"):
        raise ConfigError(
            f"{POOLER_ENV_VAR} must be 1 (transaction pooler), 0 or auto, got {override!r}",
            hint=f"e.g. {POOLER_ENV_VAR}=1 for a PgBouncer in pool_mode=transaction",
        )
    host = (url.host or "").lower()
    return url.port == 6543 or (host.endswith("pooler.supabase.com") and url.port != 5432)


def demo_path(environ: Mapping[str, str] | None = None) -> Path:
    """The embedded demo's SQLite file: in the user's cache directory, never the repo."""
    env = os.environ if environ is None else environ
    if env.get("KRA_DEMO_PATH"):
        return Path(env["KRA_DEMO_PATH"]).expanduser()
    base = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "kra-status" / "demo.sqlite"


def secrets_paths(cwd: Path | None = None) -> list[Path]:
    """The secrets files Streamlit itself reads, project file first."""
    here = Path.cwd() if cwd is None else cwd
    return [here / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"]


def _read_secrets(paths: list[Path]) -> tuple[dict, Path | None]:
    for path in paths:
        if path.is_file():
            try:
                with path.open("rb") as fh:
                    return tomllib.load(fh), path
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(
                    f"{path} cannot be read as TOML: {type(exc).__name__}",
                    hint="Fix the file's syntax; see .streamlit/secrets.toml.example.",
                ) from None
    return {}, None


def configured_url(
    environ: Mapping[str, str] | None = None, secrets_files: list[Path] | None = None
) -> tuple[str | None, str]:
    """The raw configured URL and where it came from, without validating it.

    ``(None, "demo")`` when nothing is configured. The diagnosis uses this so that a
    broken URL becomes its first failed step rather than an exception.
    """
    env = os.environ if environ is None else environ
    raw = env.get(ENV_VAR)
    if raw is not None and raw.strip():
        return raw, ENV_VAR
    data, path = _read_secrets(secrets_paths() if secrets_files is None else secrets_files)
    url = data.get("connections", {}).get("kra", {}).get("url")
    if url:
        return str(url), f"{SECRETS_KEY} in {path}"
    return None, "demo"


def resolve_target(
    environ: Mapping[str, str] | None = None, secrets_files: list[Path] | None = None
) -> DatabaseTarget:
    """Find the database to read: ``DATABASE_URL``, then secrets.toml, then the demo."""
    env = os.environ if environ is None else environ
    raw, source = configured_url(env, secrets_files)
    if raw is not None:
        return parse_url(raw, source=source)
    path = demo_path(env)
    return DatabaseTarget(
        sa.engine.URL.create("sqlite+pysqlite", database=str(path)), "demo", is_demo=True
    )


def _float_setting(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(
            f"{name} must be a number of seconds, got {raw!r}", hint=f"e.g. {name}={default:g}"
        ) from None
    if not 0 < value <= 3600:
        raise ConfigError(
            f"{name} must be between 0 and 3600 seconds, got {raw!r}",
            hint=f"e.g. {name}={default:g}",
        )
    return value


def resolve_timeouts(
    environ: Mapping[str, str] | None = None, secrets_files: list[Path] | None = None
) -> Timeouts:
    """Timeouts from ``KRA_CONNECT_TIMEOUT`` / ``KRA_STATEMENT_TIMEOUT`` (seconds), else from
    ``connect_timeout`` / ``statement_timeout`` under ``[connections.kra]`` in secrets.toml."""
    env = os.environ if environ is None else environ
    # --- timeouts from secrets.toml (issue 5) ---
    kra: dict = {}
    if not all(str(env.get(n) or "").strip() for n in _TIMEOUT_KEYS):
        try:
            data, _path = _read_secrets(
                secrets_paths() if secrets_files is None else secrets_files
            )
            kra = data.get("connections", {}).get("kra", {})
        except (ConfigError, AttributeError):  # a broken file is reported where the URL is read
            kra = {}
    values = {}
    for var, (key, default) in _TIMEOUT_KEYS.items():
        if str(env.get(var) or "").strip() or key not in kra:
            values[var] = _float_setting(env, var, default)
        else:
            label = f"[connections.kra] {key}"
            values[var] = _float_setting({label: str(kra[key])}, label, default)
    return Timeouts(
        connect=values["KRA_CONNECT_TIMEOUT"], statement=values["KRA_STATEMENT_TIMEOUT"]
    )


_TIMEOUT_KEYS = {
    "KRA_CONNECT_TIMEOUT": ("connect_timeout", DEFAULT_CONNECT_TIMEOUT),
    "KRA_STATEMENT_TIMEOUT": ("statement_timeout", DEFAULT_STATEMENT_TIMEOUT),
}
