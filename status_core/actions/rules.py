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

MAX_RACE_NUMBER = 20
MAX_JOB_ID = 100  # jobs.job_id is varchar(100)
_DATE = re.compile(r"^\d{8}$")
_SHOWN = 24


@dataclass(frozen=True)
class Problem:
    """One broken rule, in both languages."""

    ko: str
    en: str

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.ko


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
        return Problem(f"날짜 {_shown(value)}는 YYYYMMDD 형식이 아닙니다 (예: 20260214).",
                       f"date {_shown(value)} is not YYYYMMDD (e.g. 20260214).")
    try:
        day = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return Problem(f"날짜 {text}는 달력에 없는 날짜입니다.",
                       f"date {text} is not a real calendar date.")
    if day > today:
        return Problem(
            f"날짜 {text}는 미래입니다 (오늘 {today:%Y%m%d}, 한국 시간): 수집기는 "
            "미래 날짜를 받지 않습니다.",
            f"date {text} is in the future (today is {today:%Y%m%d}, Korean time): the "
            "collector refuses future dates.")
    return None


def check_meet(value: object) -> Problem | None:
    """``None`` when ``value`` is the integer 1, 2 or 3."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 3:
        return None
    return Problem(f"경마장 {_shown(value)}는 1 (서울), 2 (제주), 3 (부산경남) 중 하나여야 합니다.",
                   f"meet {_shown(value)} must be 1 (Seoul), 2 (Jeju) or 3 (Busan-Gyeongnam).")


def _race_number(value: object) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)
            and 1 <= value <= MAX_RACE_NUMBER)


def check_races(values: Iterable[object] | None) -> tuple[tuple[int, ...] | None,
                                                           Problem | None]:
    """``(sorted unique race numbers or None for the whole day, problem)``."""
    if values is None:
        return None, None
    items = list(values)
    if not items:
        return None, Problem("경주 번호 목록이 비어 있습니다: 하루 전체는 목록을 생략하세요.",
                             "the race number list is empty: omit it for the whole day.")
    bad = [v for v in items if not _race_number(v)]
    if bad:
        return None, Problem(
            f"경주 번호 {_shown(bad[0])}는 1~{MAX_RACE_NUMBER} 사이의 정수여야 합니다.",
            f"race number {_shown(bad[0])} must be a whole number from 1 to "
            f"{MAX_RACE_NUMBER}.")
    return tuple(sorted(set(items))), None  # type: ignore[arg-type]


def check_job_id(value: object) -> Problem | None:
    """A job id to put into a URL path: 1-100 printable characters, no ``/``."""
    text = value if isinstance(value, str) else ""
    if text and len(text) <= MAX_JOB_ID and text.isprintable() and "/" not in text and (
            text.strip() == text):
        return None
    return Problem(f"작업 ID {_shown(value)}는 올바른 작업 ID가 아닙니다.",
                   f"job id {_shown(value)} is not a valid job id.")


def parse_race_list(text: str) -> list[int]:
    """``"1,2, 5"`` -> ``[1, 2, 5]`` for the CLI; raises ``ValueError`` on anything else."""
    parts = [p.strip() for p in re.split(r"[,\s]+", text.strip()) if p.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        raise ValueError(text)
    return [int(p) for p in parts]
