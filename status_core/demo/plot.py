"""The demo story's calendar and the days it plants something on.

A "pair" is a ``(date, meet)`` race day. :func:`plot` draws, from one seeded random
generator and in a fixed order, which days race at all and which of them carry the
story: today's running day, a stalled day, a day whose results never came, a day where
every race failed, usual race days with nothing stored, and days with a few failures.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import datetime, timedelta

from ..domain import MEETS, USUAL_WEEKDAYS
from .rows import kst_today, parse_ymd, race_count

Pair = tuple[Date, int]

# Seoul and Busan-Gyeongnam also race on some Monday holidays.
_HOLIDAY_MEETS = (1, 3)


@dataclass
class Story:
    """What the generator decided, phase by phase; every later phase reads it."""

    now: datetime
    today: Date
    dates: list[Date]
    pairs: list[Pair] = field(default_factory=list)
    counts: dict[Pair, int] = field(default_factory=dict)
    holiday_skips: list[Pair] = field(default_factory=list)
    extra_pairs: list[Pair] = field(default_factory=list)
    # the planted days
    in_progress: list[Pair] = field(default_factory=list)
    running: Pair | None = None
    stalled: Pair | None = None
    results_missing: Pair | None = None
    failed_day: Pair | None = None
    missing: list[Pair] = field(default_factory=list)
    partial_recent: list[Pair] = field(default_factory=list)
    partial_old: list[Pair] = field(default_factory=list)
    null_enrichment_day: Pair | None = None
    rate_limited: list[Pair] = field(default_factory=list)
    results_fix: Date | None = None
    reserved: set[Pair] = field(default_factory=set)
    legacy_cut: Date | None = None
    # filled by the race rows
    rows_by_pair: dict[Pair, list[dict]] = field(default_factory=dict)
    partial_kinds: dict[Pair, str] = field(default_factory=dict)
    null_enrichment_ids: list[str] = field(default_factory=list)

    def age(self, day: Date | str) -> int:
        """Days from ``day`` (a date or ``YYYYMMDD``) to today."""
        return (self.today - (parse_ymd(day) if isinstance(day, str) else day)).days


def plot(rng: random.Random, now: datetime, days: int) -> Story:
    """The calendar of ``days`` days ending at ``now``'s Korean date, and its planted days."""
    today = kst_today(now)
    first = today - timedelta(days=days - 1)
    story = Story(now=now, today=today, dates=[first + timedelta(days=i) for i in range(days)])
    _calendar(rng, story, days)
    _plant(rng, story)
    return story


def _calendar(rng: random.Random, story: Story, days: int) -> None:
    """Usual race days less a few holiday skips, plus a few extra Monday-holiday days."""
    age, dates = story.age, story.dates
    usual = [(d, m) for d in dates for m in MEETS if d.weekday() in USUAL_WEEKDAYS[m]]
    usual_dates = sorted({d for d, _ in usual})
    skip_candidates = [d for d in usual_dates if 100 <= age(d)]
    n_skips = min(len(skip_candidates), max(1, round(3 * days / 365)))
    skip_dates = set(rng.sample(skip_candidates, n_skips))
    mondays = [d for d in dates if d.weekday() == 0 and age(d) >= 14]
    n_extra = min(len(mondays), max(1, round(2 * days / 365)))
    recent_mondays = [d for d in mondays if 15 <= age(d) <= 85]
    extra_dates: list[Date] = []
    if recent_mondays:
        extra_dates.append(rng.choice(recent_mondays))
    rest = [d for d in mondays if d not in extra_dates]
    extra_dates += rng.sample(rest, min(len(rest), n_extra - len(extra_dates)))
    story.extra_pairs = sorted((d, m) for d in extra_dates for m in _HOLIDAY_MEETS)
    story.holiday_skips = sorted((d, m) for d, m in usual if d in skip_dates)
    story.pairs = sorted({p for p in usual if p[0] not in skip_dates} | set(story.extra_pairs))
    story.counts = {p: race_count(rng, p[1]) for p in story.pairs}


def _plant(rng: random.Random, story: Story) -> None:
    """Choose the days that carry the story; each is reserved so no two plants collide."""
    age, pairs = story.age, story.pairs
    latest = pairs[-1][0]
    story.in_progress = [p for p in pairs if p[0] == latest]
    story.running = story.in_progress[0]
    older = [p for p in reversed(pairs) if p[0] < latest]
    story.stalled = older[0]
    story.results_missing = next(p for p in older if p[0] < story.stalled[0])
    reserved = set(story.in_progress) | {story.stalled, story.results_missing}
    plain = [p for p in pairs if p not in reserved and p not in story.extra_pairs]
    story.failed_day = rng.choice([p for p in plain if 10 <= age(p[0]) <= 60])
    reserved.add(story.failed_day)
    story.missing = sorted(rng.sample(
        [p for p in plain if 15 <= age(p[0]) <= 85 and p not in reserved], 2))
    reserved.update(story.missing)
    story.partial_recent = rng.sample(
        [p for p in plain if 10 <= age(p[0]) <= 85 and p not in reserved], 2)
    reserved.update(story.partial_recent)
    old_plain = [p for p in plain if age(p[0]) > 90 and p not in reserved]
    story.partial_old = rng.sample(old_plain, min(len(old_plain), 6))
    reserved.update(story.partial_old)
    story.null_enrichment_day = (story.partial_old[0] if story.partial_old
                                 else story.partial_recent[-1])
    _plant_rate_limit_week(story, reserved)
    story.reserved = reserved
    story.legacy_cut = story.today - timedelta(days=400)


def _plant_rate_limit_week(story: Story, reserved: set[Pair]) -> None:
    """Six weeks ago the KRA API rate-limited the collector for a week; the fix that
    followed also moved the results job from the next morning to right after each race.
    Chosen by the calendar alone (no random draw), so every other day stays as it was."""
    this_monday = story.today - timedelta(days=story.today.weekday())
    week = this_monday - timedelta(weeks=6)
    story.rate_limited = [p for p in story.pairs if week <= p[0] < week + timedelta(days=7)
                          and p not in reserved and p not in story.extra_pairs]
    reserved.update(story.rate_limited)
    story.results_fix = week + timedelta(days=7)
