"""The settings, read in one place: the database URL, the timeouts and the thresholds.

The URL's resolution order: ``DATABASE_URL`` in the environment (the collector's own
variable), then ``[connections.kra] url`` in ``.streamlit/secrets.toml``, then the embedded
SQLite demo. :func:`read_secrets_file` is the core's one reader of ``secrets.toml``;
:func:`read_thresholds` gives the attention thresholds the dashboard and the alerts share.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from .domain import MEETS, USUAL_WEEKDAYS, WEEKDAY_NAMES
from .errors import ConfigError, InputError

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
# Transaction poolers: port 6543 and *.pooler.supabase.com are detected; a self-hosted
# PgBouncer in transaction mode on another port is declared with ?pooler=transaction in
# the URL (stripped before connecting) or KRA_TRANSACTION_POOLER=1. "session"/0 forces
# detection off.
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


def _bad_url(source: str, shown: str, problem: str) -> ConfigError:
    return ConfigError(
        f"{source} is not a usable database URL ({problem}): {shown or '(empty)'}",
        hint=f"Expected the form {EXPECTED_FORM} "
        "(postgres://, postgresql+psycopg:// and the collector's postgresql+asyncpg:// "
        "work too; sqlite:///PATH for a local file).",
    )


def parse_url(raw: str, *, source: str = ENV_VAR) -> DatabaseTarget:
    """Validate and normalise a database URL.

    Raises :class:`ConfigError` naming ``source`` and showing the expected form, with the
    password masked, when the URL cannot be used.
    """
    text = (raw or "").strip()
    shown = mask_single_url(text)

    def bad(problem: str) -> ConfigError:
        return _bad_url(source, shown, problem)

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
    query, pooler = _postgres_query(url, scheme, bad)
    normalised = url.set(drivername=_POSTGRES_SCHEMES[scheme], query=query)
    secrets = secret_forms(url.password) + secret_forms(query.get("password"))
    return DatabaseTarget(normalised, source, secrets=secrets, pooler=pooler)


_SSLMODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}


def _postgres_query(url: URL, scheme: str, bad) -> tuple[dict, str | None]:  # noqa: ANN001
    """The URL's query options for psycopg, and our own ``?pooler=`` (never sent to the
    server); asyncpg's spellings are translated, its own options dropped."""
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
        if isinstance(mode, str) and mode.lower() in {"true", "on"}:
            query["sslmode"] = "require"
        elif isinstance(mode, str) and mode.lower() in {"false", "off"}:
            query["sslmode"] = "disable"
        elif mode not in _SSLMODES:
            raise bad(f"sslmode must be one of {', '.join(sorted(_SSLMODES))}")
    return query, pooler


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


def read_secrets_file(paths: list[Path] | None = None) -> tuple[dict, Path | None]:
    """The first secrets file of ``paths`` (default :func:`secrets_paths`) that exists, as
    a dict, and its path; ``({}, None)`` when there is none. The one reader of
    ``secrets.toml`` in the core: the database URL, the timeouts and ``[alerts]`` come
    from here. Raises :class:`ConfigError` (naming the file, never its content) when the
    file is not valid TOML."""
    for path in secrets_paths() if paths is None else paths:
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
    data, path = read_secrets_file(secrets_files)
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
    kra: dict = {}
    if not all(str(env.get(n) or "").strip() for n in _TIMEOUT_KEYS):
        try:
            data, _path = read_secrets_file(secrets_files)
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


# --------------------------------------------------------------------------- thresholds

DEFAULT_STALLED_MINUTES = 30
DEFAULT_STUCK_MINUTES = 60
STALLED_ENV = "KRA_STALLED_MINUTES"
STUCK_ENV = "KRA_STUCK_MINUTES"
USUAL_ENV = "KRA_USUAL_WEEKDAYS"
MAX_MINUTES = 10080  # a week
_WEEKDAYS_EXAMPLE = "1=sat,sun;2=fri,sat;3=fri,sun"


@dataclass(frozen=True)
class Thresholds:
    """When a running cell is "stalled", a job "stuck", and on which weekdays each meet
    usually races (for "missing race day")."""

    stalled_minutes: int = DEFAULT_STALLED_MINUTES
    stuck_minutes: int = DEFAULT_STUCK_MINUTES
    usual_weekdays: Mapping[int, tuple[int, ...]] = field(
        default_factory=lambda: dict(USUAL_WEEKDAYS))


def parse_minutes(text: str | None, default: int, *, name: str) -> int:
    """A threshold in whole minutes (1..10080) from text; empty gives ``default``."""
    if text is None or not str(text).strip():
        return default
    raw = str(text).strip()
    # ASCII digits only: "²" passes str.isdigit() but not int(), int() reads "٣" as 3;
    # "1e3", "nan" are no minutes.
    value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 0
    if not 1 <= value <= MAX_MINUTES:
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        raise InputError(
            f"{name} {shown!r} must be a whole number of minutes between 1 and {MAX_MINUTES}",
            hint=f"e.g. {name}={default}",
        )
    return value


def parse_weekdays(text: str | None) -> dict[int, tuple[int, ...]]:
    """Usual race weekdays per meet from text such as ``1=sat,sun;2=fri,sat;3=fri,sun``.

    Meets not named keep their default; weekdays may be names (``mon``..``sun``) or numbers
    (0 Monday .. 6 Sunday); ``3=`` (nothing) means "no usual days". Empty text gives the
    defaults. Raises :class:`InputError` saying what is wrong.
    """
    out = dict(USUAL_WEEKDAYS)
    if text is None or not text.strip():
        return out
    for part in re.split(r"[;\s]+", text.strip()):
        if not part:
            continue
        meet_text, sep, days_text = part.partition("=")
        if not sep or meet_text.strip() not in {str(m) for m in MEETS}:
            raise InputError(
                f"usual weekdays {part!r}: expected MEET=DAY,DAY with meet 1, 2 or 3",
                hint=f"e.g. {_WEEKDAYS_EXAMPLE}",
            )
        out[int(meet_text)] = _weekdays(part, days_text)
    return out


def _weekdays(part: str, days_text: str) -> tuple[int, ...]:
    days: set[int] = set()
    for day in filter(None, (d.strip().lower()[:3] for d in days_text.split(","))):
        if day in WEEKDAY_NAMES:
            days.add(WEEKDAY_NAMES.index(day))
        elif day in {"0", "1", "2", "3", "4", "5", "6"}:
            days.add(int(day))
        else:
            raise InputError(
                f"usual weekdays {part!r}: {day!r} is not a weekday (mon..sun or 0..6)",
                hint=f"e.g. {_WEEKDAYS_EXAMPLE}",
            )
    return tuple(sorted(days))


def format_weekdays(usual: Mapping[int, Iterable[int]]) -> str:
    """The inverse of :func:`parse_weekdays`: ``1=sat,sun;2=fri,sat;3=fri,sun``."""
    return ";".join(
        f"{meet}={','.join(WEEKDAY_NAMES[d] for d in sorted(days))}"
        for meet, days in sorted(usual.items())
    )


def read_thresholds(
    environ: Mapping[str, str] | None = None,
) -> tuple[Thresholds, list[ConfigError]]:
    """The thresholds from ``KRA_STALLED_MINUTES``, ``KRA_STUCK_MINUTES`` and
    ``KRA_USUAL_WEEKDAYS``, and what was wrong with them: a bad value is replaced by its
    default and its error (naming the variable, with an example) listed. The dashboard
    shows the errors and goes on; the alerts refuse to start on the first."""
    env = os.environ if environ is None else environ
    errors: list[ConfigError] = []
    values: dict[str, object] = {}
    for field_name, name, default in (
        ("stalled_minutes", STALLED_ENV, DEFAULT_STALLED_MINUTES),
        ("stuck_minutes", STUCK_ENV, DEFAULT_STUCK_MINUTES),
    ):
        try:
            values[field_name] = parse_minutes(env.get(name), default, name=name)
        except InputError as exc:
            errors.append(ConfigError(exc.message, hint=exc.hint))
    try:
        values["usual_weekdays"] = parse_weekdays(env.get(USUAL_ENV))
    except InputError as exc:
        errors.append(ConfigError(f"{USUAL_ENV}: {exc.message}", hint=exc.hint))
    return Thresholds(**values), errors  # type: ignore[arg-type]


def as_list(value: object) -> list[str]:
    """An allow-list setting as lower-case items: a comma/space/semicolon separated string
    (environment) or a list (secrets.toml); ``None`` is empty."""
    if value is None:
        return []
    if isinstance(value, str):
        items: Iterable[object] = re.split(r"[,\s;]+", value)
    elif isinstance(value, Iterable):
        items = value
    else:
        items = [value]
    return [str(v).strip().lower() for v in items if str(v).strip()]
