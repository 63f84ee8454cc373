"""Timestamps as the database can hold them, including the ones Python cannot.

PostgreSQL's ``timestamptz`` goes from 4713 BC to 294276 AD and has ``infinity`` and
``-infinity``; Python's ``datetime`` stops at years 1 and 9999, and psycopg refuses to load
anything outside, which failed the whole query (and was then reported as "cannot use the
database"). The loaders here map:

- ``infinity`` / ``-infinity`` to :data:`INFINITY` / :data:`NEG_INFINITY`
  (``datetime.max`` / ``datetime.min`` in UTC, what the collector's asyncpg returns too);
- finite values beyond year 9999 or before year 1 to the nearest value that is *not* one
  of those two markers, so only a real infinity is ever shown as "∞";
- a finite value that happens to equal a marker one microsecond inward, for the same reason.

The formatting helpers never overflow: "∞"/"-∞" for the markers, Korean time when it fits,
UTC when adding nine hours would pass the year 9999. :func:`as_utc` (one instant) and
:func:`to_utc` (a column) are the one way to bring a time to UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .domain import KST

INFINITY = dt.datetime.max.replace(tzinfo=dt.UTC)
NEG_INFINITY = dt.datetime.min.replace(tzinfo=dt.UTC)
_TICK = dt.timedelta(microseconds=1)
_LAST_FINITE = INFINITY - _TICK
_FIRST_FINITE = NEG_INFINITY + _TICK
#: Later instants overflow in Korean time (nine hours ahead of UTC).
KST_LIMIT = INFINITY - dt.timedelta(hours=9)

_BINARY_INF = b"\x7f\xff\xff\xff\xff\xff\xff\xff"
_BINARY_NEG_INF = b"\x80\x00\x00\x00\x00\x00\x00\x00"


def infinity_sign(value: Any) -> int:
    """``1`` for :data:`INFINITY`, ``-1`` for :data:`NEG_INFINITY`, else ``0``.

    Accepts datetimes, pandas timestamps and missing values (``None``/``NaT``: 0).
    """
    if value is None or not hasattr(value, "year"):
        return 0
    try:
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        if value == INFINITY:
            return 1
        if value == NEG_INFINITY:
            return -1
    except (TypeError, ValueError, OverflowError):
        return 0
    return 0


def as_utc(moment: dt.datetime | None = None) -> dt.datetime:
    """``moment`` as an aware UTC datetime; naive means UTC, ``None`` means now. A pandas
    ``Timestamp`` stays one."""
    if moment is None:
        return dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


_INFINITE_TEXT = {"infinity": INFINITY, "+infinity": INFINITY, "-infinity": NEG_INFINITY}
#: What ``pandas.api.types.infer_dtype`` says of a column without any text in it.
_NO_TEXT = frozenset({"datetime", "datetime64", "date", "empty"})


def to_utc(values: Any) -> Any:
    """A pandas Series of timestamps from either driver (datetimes or SQLite ISO text) as
    UTC values of one resolution (microseconds).

    ``infinity``/``-infinity`` (loaded by :func:`register_loaders`, or written as text in
    SQLite) become :data:`INFINITY` / :data:`NEG_INFINITY`; text that is no timestamp
    becomes ``NaT``.
    """
    import pandas as pd  # here, not at the top: the connection check runs without pandas

    if values.empty:
        return pd.Series(index=values.index, dtype="datetime64[us, UTC]")
    # Only text can spell an infinity: a column of datetimes (what psycopg returns) skips
    # the per-value pass, which cost more than the conversion itself.
    if (values.dtype == object or pd.api.types.is_string_dtype(values)) and (
            pd.api.types.infer_dtype(values, skipna=True) not in _NO_TEXT):
        values = values.astype(object).map(
            lambda v: _INFINITE_TEXT.get(v.strip().lower(), v) if isinstance(v, str) else v)
    # One resolution for every column, whatever the driver returned, so columns combine
    # (fillna, subtraction) without dtype surprises.
    return pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce").dt.as_unit("us")


def _datetime(value: Any) -> dt.datetime | None:
    """A plain ``datetime`` (a pandas ``Timestamp`` converted), or ``None`` for a missing
    value or anything else."""
    if value is None:
        return None
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp / NaT
        if value != value:  # NaT
            return None
        try:
            value = value.to_pydatetime()
        except (ValueError, OverflowError, NotImplementedError):
            return None
    return value if isinstance(value, dt.datetime) else None


def kst_text(value: Any, fmt: str = "%Y-%m-%d %H:%M:%S", *, suffix: bool = True) -> str:
    """One timestamp for people: ``2026-02-14 13:05:00 KST``, ``∞``, ``-∞`` or ``-``.

    An instant that Korean time would push past the year 9999 is shown in UTC instead,
    always marked `` UTC``; ``suffix=False`` leaves out only the `` KST``.
    """
    sign = infinity_sign(value)
    if sign:
        return "∞" if sign > 0 else "-∞"
    utc = _utc(value)
    if utc is None:
        return "-"
    if utc > KST_LIMIT:
        return _strftime(utc, fmt) + " UTC"
    return _strftime(utc.astimezone(KST), fmt) + (" KST" if suffix else "")


def _strftime(value: dt.datetime, fmt: str) -> str:
    # The C library writes year 1 as "1", not "0001".
    return value.strftime(fmt.replace("%Y", f"{value.year:04d}"))


def _utc(value: Any) -> dt.datetime | None:
    stamp = _datetime(value)
    if stamp is None:
        return None
    try:
        return as_utc(stamp)
    except OverflowError:
        return NEG_INFINITY + _TICK if stamp.year < 5000 else INFINITY - _TICK


def kst_iso(value: Any) -> str | None:
    """ISO 8601 in Korean time for JSON output; ``"infinity"``/``"-infinity"`` (the
    PostgreSQL spelling) for the markers, UTC when Korean time would overflow, ``None``
    when missing."""
    sign = infinity_sign(value)
    if sign:
        return "infinity" if sign > 0 else "-infinity"
    utc = _utc(value)
    if utc is None:
        return None
    return utc.isoformat() if utc > KST_LIMIT else utc.astimezone(KST).isoformat()


def kst_safe(value: Any) -> bool:
    """Whether ``value`` is an ordinary instant that Korean time can show."""
    if infinity_sign(value):
        return False
    utc = _utc(value)
    return utc is None or utc <= KST_LIMIT


# --------------------------------------------------------------------------- psycopg


def _clamped(loaded: dt.datetime) -> dt.datetime:
    """``loaded`` in UTC; never one of the infinity markers, never an overflow."""
    try:
        loaded = loaded.astimezone(dt.UTC)
    except OverflowError:  # e.g. 0001-01-01 00:00 in a zone east of UTC
        return _FIRST_FINITE if loaded.year < 5000 else _LAST_FINITE
    if loaded == INFINITY:
        return _LAST_FINITE
    if loaded == NEG_INFINITY:
        return _FIRST_FINITE
    return loaded


def _naive(value: dt.datetime, aware: bool) -> dt.datetime:
    return value if aware else value.replace(tzinfo=None)


def _guarded(base: type, *, binary: bool, aware: bool) -> type:
    """A loader class that runs psycopg's own ``base`` loader, minus its failures."""
    from psycopg import DataError
    from psycopg.adapt import Loader

    inf = _BINARY_INF if binary else b"infinity"
    neg_inf = _BINARY_NEG_INF if binary else b"-infinity"

    class GuardedLoader(Loader):
        format = base.format

        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            self._inner = base(oid, context)

        def load(self, data: Any) -> dt.datetime:
            raw = bytes(data)
            if raw == inf:
                return _naive(INFINITY, aware)
            if raw == neg_inf:
                return _naive(NEG_INFINITY, aware)
            try:
                loaded = self._inner.load(data)
            except (DataError, ValueError, OverflowError):
                early = raw.endswith(b"BC") or raw.startswith(b"-") or (
                    binary and raw[:1] >= b"\x80")
                return _naive(_FIRST_FINITE if early else _LAST_FINITE, aware)
            if loaded.tzinfo is None:
                return _naive(_clamped(loaded.replace(tzinfo=dt.UTC)), aware)
            return _clamped(loaded)

    GuardedLoader.__name__ = GuardedLoader.__qualname__ = f"Guarded{base.__name__}"
    return GuardedLoader


_LOADERS: list[tuple[str, type]] = []


def register_loaders(dbapi_conn: Any) -> None:
    """Make ``dbapi_conn`` (a psycopg connection) load every ``timestamptz`` and
    ``timestamp`` value, infinite or out of Python's range, instead of failing the query."""
    from psycopg import postgres, pq

    if not _LOADERS:
        for name, aware in (("timestamptz", True), ("timestamp", False)):
            oid = postgres.types[name].oid
            for fmt, binary in ((pq.Format.TEXT, False), (pq.Format.BINARY, True)):
                base = postgres.adapters.get_loader(oid, fmt)
                if base is not None:
                    _LOADERS.append((name, _guarded(base, binary=binary, aware=aware)))
    for name, loader in _LOADERS:
        dbapi_conn.adapters.register_loader(name, loader)
