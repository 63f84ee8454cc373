"""The collector's own rules, checked before anything is sent.

The collector answers a request that breaks them with ``422``; checking first gives staff
the reason in their language and spares the collector's daily request budget. The rules
(``COLLECTOR_API.md``): ``date`` matches ``^\\d{8}$``, is a real calendar date and not in
the future (the collector's server date; Korean time here); ``meet`` 1-3; ``race_numbers``
a list of integers 1-20, omitted for the whole day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..domain import KST
from ..text import t

MAX_RACE_NUMBER = 20
MAX_JOB_ID = 100  # jobs.job_id is varchar(100)
_DATE = re.compile(r"^\d{8}$")
_SHOWN = 24


@dataclass(frozen=True)
class Problem:
    """One broken rule: a catalogue key and the values it names."""

    key: str
    values: tuple[tuple[str, object], ...] = ()

    def text(self, lang: str) -> str:
        return t(self.key, lang, **dict(self.values))


def _problem(key: str, **values: object) -> Problem:
    return Problem(key, tuple(values.items()))


def _shown(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "…")


def today_kst(now: dt.datetime | None = None) -> dt.date:
    """Today's date in Korea (the collector's server date)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(KST).date()


def check_date(value: object, today: dt.date) -> Problem | None:
    """``None`` when ``value`` is a ``YYYYMMDD`` real date not after ``today``."""
    text = value if isinstance(value, str) else ""
    if not _DATE.match(text):
        return _problem("action.rule.date_format", value=_shown(value))
    try:
        day = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return _problem("action.rule.date_unreal", date=text)
    if day > today:
        return _problem("action.rule.date_future", date=text, today=f"{today:%Y%m%d}")
    return None


def check_meet(value: object) -> Problem | None:
    """``None`` when ``value`` is the integer 1, 2 or 3."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 3:
        return None
    return _problem("action.rule.meet", value=_shown(value))


def _race_number(value: object) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)
            and 1 <= value <= MAX_RACE_NUMBER)


def no_races() -> Problem:
    """No race was picked where at least one is needed."""
    return _problem("action.rule.no_races")


def check_races(values: Iterable[object] | None) -> tuple[tuple[int, ...] | None,
                                                           Problem | None]:
    """``(sorted unique race numbers or None for the whole day, problem)``."""
    if values is None:
        return None, None
    items = list(values)
    if not items:
        return None, _problem("action.rule.races_empty")
    bad = [v for v in items if not _race_number(v)]
    if bad:
        return None, _problem("action.rule.race_number", value=_shown(bad[0]),
                              max=MAX_RACE_NUMBER)
    return tuple(sorted(set(items))), None  # type: ignore[arg-type]


def check_job_id(value: object) -> Problem | None:
    """A job id to put into a URL path: 1-100 printable characters, no ``/``."""
    text = value if isinstance(value, str) else ""
    if text and len(text) <= MAX_JOB_ID and text.isprintable() and "/" not in text and (
            text.strip() == text):
        return None
    return _problem("action.rule.job_id", value=_shown(value))


def parse_race_list(text: str) -> list[int]:
    """``"1,2, 5"`` -> ``[1, 2, 5]`` for the CLI; raises ``ValueError`` on anything else."""
    parts = [p.strip() for p in re.split(r"[,\s]+", text.strip()) if p.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        raise ValueError(text)
    return [int(p) for p in parts]
