"""Server-side generation of a synthetic collector database for the benchmark.

Everything is generated inside PostgreSQL with ``INSERT ... SELECT generate_series`` (no rows
travel over the wire), deterministically (``setseed``), then ``ANALYZE``-d.

Shape of the data (the choice the benchmark states in RESULTS.md):

* Race days follow the real weekly pattern: Seoul (1) Sat/Sun, Jeju (2) Fri/Sat,
  Busan-Gyeongnam (3) Fri/Sun, i.e. ~313 date x meet groups a year.
* The history ends at ``TODAY`` and spans ``history_years(n)`` years: about 3,300 races a year
  (the real rate) until that reaches ten years, never more than ten. Ten years is both the
  dashboard's longest allowed range (``status_core.inputs.MAX_RANGE_DAYS``) and well inside
  its 1990-2100 date window, so "the whole history" stays a range the dashboard accepts.
  Beyond ~33,000 races the extra races are spread over the same days as higher race
  numbers: 100k races are ~32 races per date x meet, 1M races ~320. So a one-year query at
  1M touches ~100,000 rows, 30x a real year: the benchmark is harsher than production.
* Status mix by age: old days are ~93% enriched, ~1.5% failed, a few pending; the last two
  weeks are still in progress (many pending); ~1% of days failed as a whole (collector down).
* ``jobs`` holds a tenth as many rows as ``races``, with the collector's type/status mix
  and ``parameters`` naming a race date and meet.
"""

from __future__ import annotations

import datetime as dt
import math
import time

from status_core.domain import KST

TODAY = dt.date(2026, 2, 14)  # fixed, so runs are comparable
RACES_PER_YEAR = 3300
MAX_YEARS = 10


def history_years(n_races: int) -> int:
    """Years of race days the ``n_races`` are spread over (1..10)."""
    return max(1, min(MAX_YEARS, math.ceil(n_races / RACES_PER_YEAR)))


def history_start(n_races: int) -> dt.date:
    years = history_years(n_races)
    # Same month/day ``years`` back, plus one day: exactly ``years`` years inclusive.
    return TODAY.replace(year=TODAY.year - years) + dt.timedelta(days=1)


_GROUPS_SQL = """
CREATE TEMP TABLE bench_groups AS
SELECT (row_number() OVER (ORDER BY d, m) - 1)::int AS g,
       to_char(d, 'YYYYMMDD') AS date,
       m AS meet,
       (%(today)s::date - d::date) AS age,
       random() < 0.01 AS down
FROM generate_series(%(start)s::date, %(today)s::date, interval '1 day') AS d,
     (VALUES (1), (2), (3)) AS meets (m)
WHERE (m = 1 AND extract(isodow FROM d) IN (6, 7))
   OR (m = 2 AND extract(isodow FROM d) IN (5, 6))
   OR (m = 3 AND extract(isodow FROM d) IN (5, 7))
"""

# One row per race: race i goes to group i % G as race number i / G + 1, so every group
# gets floor or ceil(n / G) races. r1..r3 drive the status mix; the recent days (age <= 14)
# are still being collected.
_RACES_SQL = """
INSERT INTO races (
    race_id, date, meet, race_number, race_name, track, weather, distance,
    collection_status, enrichment_status, result_status, basic_data,
    collected_at, enriched_at, result_collected_at, created_at, updated_at,
    data_quality_score, warnings, horse_count
)
SELECT s.date || '_' || s.meet || '_' || s.race_number,
       s.date, s.meet, s.race_number,
       '제' || s.race_number || '경주', '건조', '맑음',
       (ARRAY[1000, 1200, 1400, 1600, 1800, 2000])[1 + (s.i %% 6)],
       s.cs::data_status, s.es::data_status, s.rs::data_status,
       jsonb_build_object('race_no', s.race_number, 'grade', 'G' || (s.i %% 4),
                          'entries', 6 + s.i %% 9, 'note', repeat('x', 120)),
       CASE WHEN s.cs IN ('collected', 'enriched') THEN s.t0 + interval '20 minutes' END,
       CASE WHEN s.es = 'enriched' THEN s.t0 + interval '50 minutes' END,
       CASE WHEN s.rs = 'collected' THEN s.t0 + interval '6 hours' END,
       s.t0 - interval '2 days',
       s.t0 + make_interval(mins => (s.r1 * 600)::int),
       CASE WHEN s.cs = 'failed' THEN 0.0 ELSE round((0.6 + 0.4 * s.r2)::numeric, 2) END,
       CASE WHEN s.r2 < 0.05 THEN '["missing odds"]'::jsonb ELSE '[]'::jsonb END,
       6 + s.i %% 9
FROM (
    SELECT y.*,
           CASE WHEN y.cs = 'enriched' THEN 'enriched'
                WHEN y.cs = 'collected' AND y.r2 < 0.30 THEN 'failed'
                ELSE 'pending' END AS es,
           CASE WHEN y.cs = 'pending' THEN 'pending' ELSE y.rs0 END AS rs
    FROM (
    SELECT x.*,
           CASE WHEN x.down AND x.age > 1 THEN 'failed'
                WHEN x.age <= 1 AND x.r1 < 0.50 THEN 'pending'
                WHEN x.age <= 14 AND x.r1 < 0.10 THEN 'pending'
                WHEN x.r1 < 0.015 THEN 'pending'
                WHEN x.r1 < 0.030 THEN 'failed'
                WHEN x.age <= 1 AND x.r1 < 0.80 THEN 'collected'
                WHEN x.age <= 14 AND x.r1 < 0.45 THEN 'collected'
                WHEN x.r1 < 0.070 THEN 'collected'
                ELSE 'enriched' END AS cs,
           CASE WHEN x.down AND x.age > 1 THEN 'failed'
                WHEN x.age <= 1 AND x.r3 < 0.70 THEN 'pending'
                WHEN x.r3 < 0.015 THEN 'failed'
                WHEN x.r3 < 0.040 THEN 'pending'
                ELSE 'collected' END AS rs0
    FROM (
        SELECT i, g.date, g.meet, g.age, g.down,
               (i / %(groups)s)::int + 1 AS race_number,
               random() AS r1, random() AS r2, random() AS r3,
               (to_date(g.date, 'YYYYMMDD') + time '10:00')
                   AT TIME ZONE %(kst)s AS t0
        FROM generate_series(0, %(n)s - 1) AS i
        JOIN bench_groups AS g ON g.g = (i %% %(groups)s)::int
    ) AS x
    ) AS y
) AS s
"""

_JOBS_SQL = """
INSERT INTO jobs (
    job_id, type, status, created_at, started_at, completed_at, progress, current_step,
    total_steps, retry_count, error_message, parameters, created_by, tags
)
SELECT 'job-' || lpad(j::text, 8, '0'),
       x.type::job_type, x.status::job_status,
       x.t0, x.t0 + interval '5 seconds',
       CASE WHEN x.status IN ('completed', 'failed', 'cancelled')
            THEN x.t0 + make_interval(secs => 20 + (x.r * 300)::int) END,
       CASE WHEN x.status = 'completed' THEN 100 WHEN x.status = 'queued' THEN 0
            ELSE (x.r * 100)::int END,
       CASE WHEN x.status IN ('running', 'processing') THEN 'fetching entries' END,
       4, CASE WHEN x.status = 'retrying' THEN 1 ELSE 0 END,
       CASE WHEN x.status = 'failed' THEN 'KRA API timeout after 30s' END,
       jsonb_build_object('race_date', x.date, 'meet', x.meet,
                          'race_numbers', jsonb_build_array(1, 2, 3)),
       'scheduler', '[]'::jsonb
FROM (
    SELECT j, g.date, g.meet, r,
           (to_date(g.date, 'YYYYMMDD') + time '09:00') AT TIME ZONE %(kst)s
               + make_interval(mins => (j / %(groups)s)::int) AS t0,
           CASE WHEN r2 < 0.60 THEN 'collection' WHEN r2 < 0.90 THEN 'enrichment'
                WHEN r2 < 0.95 THEN 'analysis' ELSE 'batch' END AS type,
           CASE WHEN g.age <= 1 AND r < 0.30 THEN 'queued'
                WHEN g.age <= 1 AND r < 0.50 THEN 'processing'
                WHEN r < 0.05 THEN 'failed'
                WHEN r < 0.07 THEN 'cancelled'
                WHEN r < 0.075 THEN 'retrying'
                WHEN r < 0.08 THEN 'running'
                ELSE 'completed' END AS status
    FROM (SELECT j, random() AS r, random() AS r2
          FROM generate_series(0, %(n)s - 1) AS j) AS jj
    JOIN bench_groups AS g ON g.g = (j %% %(groups)s)::int
) AS x
"""


def generate(conn, n_races: int, *, seed: float = 0.2026) -> dict:  # noqa: ANN001
    """Fill an empty current-schema database (psycopg connection, superuser, autocommit).

    Returns what was generated and how long it took.
    """
    t0 = time.perf_counter()
    start = history_start(n_races)
    conn.execute("SELECT setseed(%s)", (seed,))
    conn.execute("DROP TABLE IF EXISTS bench_groups")
    conn.execute(_GROUPS_SQL, {"start": start, "today": TODAY})
    groups = conn.execute("SELECT count(*) FROM bench_groups").fetchone()[0]
    # Korean wall-clock times: the offset goes in as an interval (east of UTC), which
    # AT TIME ZONE reads the right way round (a text '+09' would be POSIX, nine hours west).
    kst = KST.utcoffset(None)
    conn.execute(_RACES_SQL, {"n": n_races, "groups": groups, "kst": kst})
    n_jobs = max(1, n_races // 10)
    conn.execute(_JOBS_SQL, {"n": n_jobs, "groups": groups, "kst": kst})
    conn.execute("DROP TABLE bench_groups")
    t_load = time.perf_counter() - t0
    conn.execute("VACUUM ANALYZE races")
    conn.execute("VACUUM ANALYZE jobs")
    t_total = time.perf_counter() - t0
    first, last = conn.execute("SELECT min(date), max(date) FROM races").fetchone()
    return {
        "races": n_races,
        "jobs": n_jobs,
        "groups": groups,
        "years": history_years(n_races),
        "first_date": first,
        "last_date": last,
        "races_per_group": n_races / groups,
        "load_s": t_load,
        "load_analyze_s": t_total,
    }
