"""The seeded generator: two years of race days that tell the story the dashboard shows.

:func:`generate` runs the phases in a fixed order on one random generator: the calendar
and planted days (:mod:`.plot`), each day's race rows (here, by kind of day), the jobs
and logs those days left (:mod:`.history`), and the facts the tests check.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from ..domain import MIGRATIONS
from ..timestamps import as_utc
from .history import history
from .plot import Pair, Story, plot
from .rows import WARN_RATE_LIMIT, WARN_SERVICE_KEY, DemoData, kst_at, race_row, ymd

DEFAULT_SEED = 20260214
# Bump whenever the generated data changes shape or story: ensure_demo rebuilds old files.
DEMO_VERSION = 2

Day = tuple[str, int]


def generate(seed: int = DEFAULT_SEED, *, now: datetime | None = None,
             days: int = 730) -> DemoData:
    """About ``days`` days of KRA race data ending at ``now``'s Korean date.

    Deterministic for a given ``seed`` and ``now`` (default: the current time). See
    :class:`DemoData` for the planted facts.
    """
    if days < 120:
        raise ValueError("days must be at least 120 so that the story fits")
    now = as_utc(now)
    rng = random.Random(seed)
    story = plot(rng, now, days)
    races = _races(rng, story)
    jobs = history(rng, story)
    jobs.jobs.sort(key=lambda j: (j["created_at"], j["job_id"]))
    jobs.logs.sort(key=lambda entry: (entry["timestamp"], entry["job_id"]))
    facts = {**_facts(story), "stuck_job_id": jobs.stuck_job_id,
             "legacy_status_job_ids": jobs.legacy_ids, "failed_job_ids": jobs.failed_ids,
             "queued_job_ids": jobs.queued_ids}
    return DemoData(races=races, jobs=jobs.jobs, job_logs=jobs.logs,
                    migrations=list(MIGRATIONS), facts=facts, generated_at=now)


def _races(rng: random.Random, story: Story) -> list[dict]:
    """Every stored race row, day by day; a missing day stores none."""
    races: list[dict] = []
    for p in story.pairs:
        if p in story.missing:
            continue
        if p in story.in_progress:
            rows = _in_progress_rows(rng, story, p)
        elif p == story.stalled:
            rows = _stalled_rows(rng, story, p)
        elif p == story.failed_day:
            rows = _failed_rows(rng, story, p)
        elif p in story.rate_limited:
            rows = _rate_limited_rows(story, p)
        else:
            rows = _completed_rows(rng, story, p)
            if story.results_fix and p[0] < story.results_fix:
                _next_morning_results(rows, p)
        story.rows_by_pair[p] = rows
        races.extend(rows)
    return races


def _spread(end: datetime, count: int, spacing_s: float, rng: random.Random) -> list[datetime]:
    """``count`` ascending times, about ``spacing_s`` apart, the last one at ``end``."""
    times = [end - timedelta(seconds=spacing_s * (count - 1 - i) + rng.uniform(0, spacing_s / 4))
             for i in range(count - 1)]
    return sorted(times) + [end] if count else []


def _in_progress_rows(rng: random.Random, story: Story, p: Pair) -> list[dict]:
    """Today's days: the running one a few minutes behind, the others barely started."""
    date, m, n, now = ymd(p[0]), p[1], story.counts[p], story.now
    if p == story.running:
        enriched_n = rng.randint(2, max(2, n // 3))
        collected_n = enriched_n + rng.randint(2, 4)
        end = now - timedelta(seconds=rng.randint(60, 150))
        spacing = 150
    else:
        collected_n = rng.randint(1, 3)
        enriched_n = rng.randint(0, 1)
        end = now - timedelta(seconds=rng.randint(180, 480))
        spacing = 120
    times = _spread(end, collected_n + enriched_n, spacing, rng)
    c_times, e_times = times[:collected_n], times[collected_n:]
    rows: list[dict] = []
    for k in range(1, n + 1):
        if k <= enriched_n:
            rows.append(race_row(date, m, k, result="pending", rng=rng,
                                 collected_at=c_times[k - 1], enriched_at=e_times[k - 1],
                                 updated_at=e_times[k - 1]))
        elif k <= collected_n:
            rows.append(race_row(date, m, k, enrichment="pending", result="pending",
                                 rng=rng, collected_at=c_times[k - 1],
                                 updated_at=c_times[k - 1]))
        else:
            rows.append(race_row(date, m, k, collection="pending",
                                 enrichment="pending", result="pending", rng=rng))
    return rows


def _stalled_rows(rng: random.Random, story: Story, p: Pair) -> list[dict]:
    """A day whose collection stopped a few hours ago, part way through."""
    date, m, n = ymd(p[0]), p[1], story.counts[p]
    collected_n = rng.randint(3, max(3, n // 2))
    end = story.now - timedelta(minutes=rng.randint(150, 210))
    stalled_times = _spread(end, collected_n, 300, rng)
    rows: list[dict] = []
    for k in range(1, n + 1):
        if k <= collected_n:
            t = stalled_times[k - 1]
            rows.append(race_row(date, m, k, enrichment="pending", result="pending",
                                 rng=rng, collected_at=t, updated_at=t))
        else:
            rows.append(race_row(date, m, k, collection="pending",
                                 enrichment="pending", result="pending", rng=rng))
    return rows


def _failed_rows(rng: random.Random, story: Story, p: Pair) -> list[dict]:
    """A day where every race failed to collect (the API key was refused)."""
    date, m, n = ymd(p[0]), p[1], story.counts[p]
    return [race_row(date, m, k, collection="failed", enrichment="pending", result="pending",
                     rng=rng, warnings=[WARN_SERVICE_KEY]) for k in range(1, n + 1)]


def _rate_limited_rows(story: Story, p: Pair) -> list[dict]:
    """A day of the rate-limited week: the card came in only on race morning, a few races
    never (429), enrichment trailed, results came the day after, past the morning."""
    d, m = p
    date, n = ymd(d), story.counts[p]
    # Its own generator: the week's details leave every other day's draws untouched.
    rng = random.Random(f"rate-limit-{date}-{m}")
    refused = set(rng.sample(range(1, n + 1), rng.randint(1, 3)))
    rows = []
    for k in range(1, n + 1):
        collected = kst_at(d, 2, 40) + timedelta(minutes=22 * k + rng.uniform(0, 15))
        if k in refused:  # the last attempt, when the card should have come in
            rows.append(race_row(date, m, k, collection="failed", enrichment="pending",
                                 result="pending", rng=rng, updated_at=collected,
                                 warnings=[WARN_RATE_LIMIT]))
            continue
        rows.append(race_row(
            date, m, k, collection="collected", rng=rng, collected_at=collected,
            enriched_at=collected + timedelta(minutes=rng.uniform(20, 45)),
            result_collected_at=kst_at(d + timedelta(days=1), 10, 30)
            + timedelta(minutes=14 * k + rng.uniform(0, 10))))
    return rows


def _next_morning_results(rows: list[dict], p: Pair) -> None:
    """Before the fix the results job ran the next morning, race after race from 07:30:
    a long card finished after 09:00."""
    rng = random.Random(f"morning-results-{ymd(p[0])}-{p[1]}")
    start = kst_at(p[0] + timedelta(days=1), 7, 30)
    for row in rows:
        if row["result_collected_at"] is None:
            continue
        at = start + timedelta(minutes=8 * row["race_number"] + rng.uniform(0, 4))
        row["result_collected_at"] = at
        row["updated_at"] = max(row["updated_at"], at)


def _completed_rows(rng: random.Random, story: Story, p: Pair) -> list[dict]:
    """A finished day, with a few failed races on the partly failed days and races
    without an enrichment status on one of them."""
    d, m = p
    date, n = ymd(d), story.counts[p]
    collection = "enriched" if d < story.legacy_cut else "collected"
    result = "pending" if p == story.results_missing else "collected"
    failing: dict[int, str] = {}
    if p in story.partial_recent or p in story.partial_old:
        kind = ("collection" if p == story.partial_recent[0] else "enrichment"
                if p in story.partial_recent else rng.choice(("collection", "enrichment")))
        story.partial_kinds[p] = kind
        for k in rng.sample(range(1, n + 1), rng.randint(1, 3)):
            failing[k] = kind
    nulls: set[int] = set()
    if p == story.null_enrichment_day:
        nulls = set(rng.sample([k for k in range(1, n + 1) if k not in failing], 3))
    # keep the file small: payloads only lately
    extra = {"basic_data": None} if d < story.today - timedelta(days=90) else {}
    rows: list[dict] = []
    for k in range(1, n + 1):
        if failing.get(k) == "collection":
            row = race_row(date, m, k, collection="failed", enrichment="pending",
                           result="pending", rng=rng, **extra)
        elif failing.get(k) == "enrichment":
            row = race_row(date, m, k, collection=collection, enrichment="failed",
                           result=result, rng=rng, **extra)
        elif k in nulls:
            row = race_row(date, m, k, collection="collected", enrichment=None,
                           result=result, rng=rng, **extra)
            story.null_enrichment_ids.append(row["race_id"])
        else:
            row = _plain_race(rng, date, m, k, collection, result, extra)
        rows.append(row)
    return rows


def _plain_race(rng: random.Random, date: str, meet: int, k: int, collection: str,
                result: str, extra: dict[str, Any]) -> dict:
    """A race that went through; now and then with a harmless warning."""
    row = race_row(date, meet, k, collection=collection, result=result, rng=rng, **extra)
    if rng.random() < 0.03:
        row["warnings"] = [rng.choice((
            "odds snapshot missing for win pool",
            "horse detail missing for 1 entries",
            "trainer profile not found (code 070123)",
        ))]
        row["data_quality_score"] = round(rng.uniform(0.7, 0.86), 3)
    return row


def _facts(story: Story) -> dict:
    """The planted days, as :class:`DemoData` names them."""

    def day(p: Pair) -> Day:
        return (ymd(p[0]), p[1])

    return {
        "now": story.now,
        "today": ymd(story.today),
        "running_day": day(story.running),
        "in_progress_days": [day(p) for p in story.in_progress],
        "stalled_day": day(story.stalled),
        "failed_day": day(story.failed_day),
        "missing_days": [day(p) for p in story.missing],
        "results_missing_day": day(story.results_missing),
        "partial_failure_days": {day(p): kind
                                 for p, kind in sorted(story.partial_kinds.items())},
        "null_enrichment_race_ids": story.null_enrichment_ids,
        "holiday_skips": [day(p) for p in story.holiday_skips],
        "extra_days": [day(p) for p in story.extra_pairs],
        "legacy_enriched_before": ymd(story.legacy_cut),
        "rate_limited_days": [day(p) for p in story.rate_limited],
        "results_fix_date": ymd(story.results_fix),
    }
