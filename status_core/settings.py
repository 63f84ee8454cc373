"""Where the database URL comes from, what it may look like, and how it is shown.

Resolution order: ``DATABASE_URL`` in the environment (the collector's own variable), then
``[connections.kra] url`` in ``.streamlit/secrets.toml``, then the embedded SQLite demo.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from .errors import ConfigError

# mask_url and redact are re-exported: callers have long imported them from here.
from .redact import mask_single_url, mask_url, secret_forms
from .redact import redact as redact

ENV_VAR = "DATABASE_URL"
SECRETS_KEY = "[connections.kra] url"
APPLICATION_NAME = "kra-status-dashboard"
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_STATEMENT_TIMEOUT = 10.0
EXPECTED_FORM = "postgresql://USER:PASSWORD@HOST:5432/DBNAME"
PERCENT_ENCODING = "@ -> %40, / -> %2F, # -> %23, ? -> %3F, : -> %3A"
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


def _secret_forms(password: str | None) -> tuple[str, ...]:
    return secret_forms(password)


def _ambiguous_userinfo(text: str) -> str | None:
    """Why the user/password part of a URL cannot be read one way only, else None.

    SQLAlchemy, libpq and the collector's asyncpg split such URLs differently (a password
    ``Pa@ss`` makes ``ss@host`` the host), so they are refused instead of guessed.
    """
    scheme, _, rest = text.partition("://")
    if scheme.lower() in _SQLITE_SCHEMES:  # a file path may hold any of these
        return None
    if rest.count("@") > 1:
        return "more than one unencoded @ after ://"
    userinfo = rest.partition("@")[0] if "@" in rest else ""
    _user, colon, password = userinfo.partition(":")
    if colon and any(ch in password for ch in "/?#"):
        return "a /, ? or # before the @ can only belong to an unencoded password"
    return None


def parse_url(raw: str, *, source: str = ENV_VAR) -> DatabaseTarget:
    """Validate and normalise a database URL.

    Raises :class:`ConfigError` naming ``source`` and showing the expected form, with the
    password masked, when the URL cannot be used.
    """
    text = (raw or "").strip()
    shown = mask_single_url(text)

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
    ambiguous = _ambiguous_userinfo(text)
    if ambiguous:
        raise ConfigError(
            f"{source} is ambiguous ({ambiguous}), so the password cannot be told apart from "
            f"the host: {shown}. Percent-encode the password: {PERCENT_ENCODING}.",
            hint=f"Percent-encode the password ({PERCENT_ENCODING}); e.g. in Python "
            "urllib.parse.quote(password, safe=''). Expected the form " + EXPECTED_FORM,
        )
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


# Below a tenth of a second a statement timeout is rounded to 0 ms, which PostgreSQL reads
# as "no limit"; above an hour nothing on these pages is worth waiting for.
MIN_SECONDS = 0.1
MAX_SECONDS = 3600.0
_SECONDS = re.compile(r"\+?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_SHOWN_CHARS = 40


def _float_setting(
    env: Mapping[str, object], name: str, default: float, *, example: str | None = None,
    blank_is_default: bool = True,
) -> float:
    """Seconds from ``env[name]``: a plain decimal number from 0.1 to 3600.

    Unset (and, for environment variables, blank) gives ``default``; anything else that is
    not such a number (NaN, inf, ``1e999``, ``0.0004``, full-width digits, ...) is a
    :class:`ConfigError` naming the setting, the range and an example.
    """
    raw = env.get(name)
    if raw is None or (blank_is_default and not str(raw).strip()):
        return default
    text = str(raw).strip()
    value = float(text) if text.isascii() and _SECONDS.fullmatch(text) else math.nan
    if math.isfinite(value) and MIN_SECONDS <= value <= MAX_SECONDS:
        return value
    shown = text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"
    example = example or f"{name}={default:g}"
    hint = f"Give seconds from {MIN_SECONDS:g} to {MAX_SECONDS:g}, e.g. {example}."
    if "connect" in name.lower():
        hint += (" PostgreSQL waits whole seconds, at least 2 (libpq's rule): a fraction is "
                 "rounded up.")
    raise ConfigError(
        f"{name} must be a number of seconds from {MIN_SECONDS:g} to {MAX_SECONDS:g} "
        f"(e.g. {example}), got {shown!r}",
        hint=hint,
    )


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
    if not isinstance(kra, Mapping):
        kra = {}
    values = {}
    for var, (key, default) in _TIMEOUT_KEYS.items():
        if str(env.get(var) or "").strip() or key not in kra:
            values[var] = _float_setting(env, var, default)
        else:
            # A value written into secrets.toml is meant: "" is an error there, not a default.
            label = f"[connections.kra] {key}"
            values[var] = _float_setting(
                {label: kra[key]}, label, default, blank_is_default=False,
                example=f"{key} = {default:g} under [connections.kra]",
            )
    return Timeouts(
        connect=values["KRA_CONNECT_TIMEOUT"], statement=values["KRA_STATEMENT_TIMEOUT"]
    )


_TIMEOUT_KEYS = {
    "KRA_CONNECT_TIMEOUT": ("connect_timeout", DEFAULT_CONNECT_TIMEOUT),
    "KRA_STATEMENT_TIMEOUT": ("statement_timeout", DEFAULT_STATEMENT_TIMEOUT),
}
