"""Validation of the few things users type: race dates, meets and date ranges."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from .errors import InputError

MEETS = {1: "서울", 2: "제주", 3: "부산경남"}
MEET_NAMES_EN = {1: "Seoul", 2: "Jeju", 3: "Busan-Gyeongnam"}
MAX_RANGE_DAYS = 3660  # ten years: more than any collector history, small enough to be safe

_DATE_RE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")
_SHOWN_MAX = 40  # issue 5: echo at most this much of a bad value back (URLs can be long)


def _shown(text: str) -> str:
    """``repr`` of a user's value for an error message, clipped if it is long."""
    return repr(text if len(text) <= _SHOWN_MAX else text[:_SHOWN_MAX] + "…")


def parse_date(value: object, *, name: str = "date") -> str:
    """Return ``value`` as ``YYYYMMDD``; accepts ``YYYYMMDD`` and ``YYYY-MM-DD``.

    Raises :class:`InputError` saying what is wrong and the expected form.
    """
    text = str(value).strip() if value is not None else ""
    match = _DATE_RE.match(text)
    if not match or (len(text) == 10 and text.count("-") != 2):
        raise InputError(
            f"{name} {_shown(text)} is not a date; expected YYYYMMDD or YYYY-MM-DD, e.g. 20260214",
            hint="Use YYYYMMDD (20260214) or YYYY-MM-DD (2026-02-14).",
        )
    y, m, d = (int(g) for g in match.groups())
    try:
        day = dt.date(y, m, d)
    except ValueError as exc:
        raise InputError(
            f"{name} {_shown(text)} is not a real calendar date ({exc})",
            hint="Use YYYYMMDD (20260214) or YYYY-MM-DD (2026-02-14).",
        ) from None
    if not 1990 <= day.year <= 2100:
        raise InputError(f"{name} {_shown(text)} is outside 1990-2100", hint="Check the year.")
    return day.strftime("%Y%m%d")


def to_date(value: str) -> dt.date:
    """``YYYYMMDD`` (already validated) to a :class:`datetime.date`."""
    return dt.datetime.strptime(value, "%Y%m%d").date()


def parse_meet(value: object) -> int:
    """Return a meet code 1, 2 or 3; anything else raises :class:`InputError`."""
    text = str(value).strip() if value is not None else ""
    if text in {"1", "2", "3"}:
        return int(text)
    raise InputError(
        f"meet {_shown(text)} is not a racecourse; expected 1 (서울), 2 (제주) or 3 (부산경남)",
        hint="Use --meet 1, 2 or 3.",
    )


def parse_meets(values: Iterable[object] | None) -> list[int] | None:
    """A sorted, de-duplicated list of meets, or ``None`` for all of them."""
    if values is None:
        return None
    meets = sorted({parse_meet(v) for v in values})
    return meets or None


def parse_range(start: object, end: object) -> tuple[str, str]:
    """Validate an inclusive ``start``..``end`` range of race dates."""
    s, e = parse_date(start, name="start"), parse_date(end, name="end")
    if s > e:
        raise InputError(
            f"start {s} is after end {e}", hint="Swap them: the start comes first."
        )
    if (to_date(e) - to_date(s)).days > MAX_RANGE_DAYS:
        raise InputError(
            f"the range {s}..{e} is longer than {MAX_RANGE_DAYS} days",
            hint="Pick at most ten years.",
        )
    return s, e
