"""Validation of the few things users type: race dates, meets and date ranges."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from .domain import MEETS
from .errors import InputError

MAX_RANGE_DAYS = 3660  # ten years: more than any collector history, small enough to be safe

# ASCII digits only: ``\d`` also matches full-width and other scripts' digits, which
# ``int`` then reads as another day than the text a user typed.
_DATE_RE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})|([0-9]{4})-([0-9]{2})-([0-9]{2})")
_STORED_MAX = 64  # races.date is varchar(8); longer text cannot name a stored cell
_SHOWN_MAX = 40  # echo at most this much of a bad value back (URLs can be long)


def shown_value(text: str) -> str:
    """``repr`` of a user's value for an error message, clipped if it is long."""
    return repr(text if len(text) <= _SHOWN_MAX else text[:_SHOWN_MAX] + "…")


_shown = shown_value


def parse_date(value: object, *, name: str = "date") -> str:
    """Return ``value`` as ``YYYYMMDD``; accepts ``YYYYMMDD`` and ``YYYY-MM-DD``.

    Raises :class:`InputError` saying what is wrong and the expected form.
    """
    text = str(value).strip() if value is not None else ""
    match = _DATE_RE.fullmatch(text)
    if not match:
        extra = (" (type the digits as ASCII 0-9)"
                 if any(ch.isdigit() and not ch.isascii() for ch in text) else "")
        raise InputError(
            f"{name} {_shown(text)} is not a date{extra}; expected YYYYMMDD or YYYY-MM-DD, "
            "e.g. 20260214",
            hint="Use YYYYMMDD (20260214) or YYYY-MM-DD (2026-02-14).",
        )
    y, m, d = (int(g) for g in match.groups() if g is not None)
    try:
        day = dt.date(y, m, d)
    except ValueError as exc:
        raise InputError(
            f"{name} {_shown(text)} is not a real calendar date ({exc})",
            hint=f"Use YYYYMMDD (20260214) or YYYY-MM-DD (2026-02-14). {_STORED_HINT}",
        ) from None
    if not 1990 <= day.year <= 2100:
        raise InputError(f"{name} {_shown(text)} is outside 1990-2100",
                         hint=f"Check the year. {_STORED_HINT}")
    return day.strftime("%Y%m%d")


_STORED_HINT = ("A cell stored under text that is not such a date opens by its exact text: "
                "?stored=TEXT on the race page, --stored-date TEXT in kra-status status.")


def is_valid_date_text(text: object) -> bool:
    """Whether a stored ``races.date`` is a real ``YYYYMMDD`` day in 1990-2100, i.e. the
    text :func:`parse_date` reads back as itself (so ``?date=`` can name it)."""
    if not isinstance(text, str) or len(text) != 8:
        return False
    try:
        return parse_date(text) == text
    except InputError:
        return False


def date_label(text: object, note: str = "invalid date") -> str:
    """A stored date for people: itself when it is a real day, else marked, e.g.
    ``⚠ 20261131 (invalid date)`` (``""`` shown as quotes so an empty text is visible)."""
    shown = str(text) if text is not None else ""
    if is_valid_date_text(shown):
        return shown
    return f"⚠ {shown if shown.strip() else repr(shown)} ({note})"


def parse_stored_date(value: object, *, name: str = "stored") -> str:
    """The exact text of a stored ``races.date`` (no normalising: ``2026-02-14`` and
    ``20260214`` are different cells). Refuses only text no cell can hold: longer than
    64 characters or with control characters (a NUL byte fails the query itself)."""
    text = "" if value is None else str(value)
    if len(text) > _STORED_MAX or any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise InputError(
            f"{name} {_shown(text)} cannot be a stored race date (at most {_STORED_MAX} "
            "characters, no control characters)",
            hint="Copy the date text exactly as the overview lists it.",
        )
    return text


def to_date(value: str) -> dt.date:
    """``YYYYMMDD`` (already validated) to a :class:`datetime.date`."""
    return dt.datetime.strptime(value, "%Y%m%d").date()


def parse_meet(value: object) -> int:
    """Return a meet code 1, 2 or 3; anything else raises :class:`InputError`."""
    text = str(value).strip() if value is not None else ""
    if text in {str(code) for code in MEETS}:
        return int(text)
    raise InputError(
        f"meet {_shown(text)} is not a racecourse; expected {meet_choices()}",
        hint="Use --meet 1, 2 or 3.",
    )


def meet_choices() -> str:
    """The racecourse codes for a message: ``1 (서울), 2 (제주) or 3 (부산경남)``."""
    named = [f"{code} ({names[0]})" for code, names in MEETS.items()]
    return f"{', '.join(named[:-1])} or {named[-1]}"


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
