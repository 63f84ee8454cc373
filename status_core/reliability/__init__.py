"""Is collection getting more reliable? Race days and jobs over weeks and months.

Streamlit-free; every query function takes a SQLAlchemy ``Connection`` (read through
:func:`status_core.engine.read`, so it is read-only and bounded by the statement timeout),
sends one SQL statement grouped on the server and returns a small frame, one row per
period (a Monday-to-Sunday week or a calendar month, Korean dates; see
:mod:`.periods`):

- :func:`completion`: per period and meet, the share of race days (date x meet with
  races) that ended ``done``, ``failed``, ``incomplete`` (the honest states of
  :mod:`status_core.states`), or are still ``open``;
- :func:`timeliness_days` / :func:`summarise_timeliness`: per race day, hours from its
  00:00 KST to the last race's ``collected_at``, ``enriched_at``, ``result_collected_at``;
  per period the median, the 90th percentile and the share on time by a deadline (default
  D+1 09:00 KST); a race without the step's timestamp makes its day not on time;
- :func:`failures`: failed races per stage;
- :func:`error_groups_by_period`: the top error groups (normalised like the jobs page);
- :func:`jobs_by_type`: jobs per type: count, failure rate, retries, duration p50/p90;
- :func:`stuck_jobs_over_time`: jobs stuck at the end of each period.
"""

from .jobs import (
    ERROR_ROWS_CAP,
    error_groups_by_period,
    jobs_by_type,
    stuck_jobs_over_time,
)
from .periods import (
    DEFAULT_DEADLINE_HOURS,
    DEFAULT_GROUPING,
    DEFAULT_WEEKS,
    GROUPINGS,
    deadline_label,
    default_range,
    parse_deadline_hours,
    parse_grouping,
    period_table,
)
from .races import (
    COMPLETION_BUCKETS,
    STEPS,
    TIMELINESS_STATES,
    completion,
    completion_from_states,
    failures,
    summarise_timeliness,
    timeliness_days,
)

__all__ = [
    "COMPLETION_BUCKETS",
    "DEFAULT_DEADLINE_HOURS",
    "DEFAULT_GROUPING",
    "DEFAULT_WEEKS",
    "ERROR_ROWS_CAP",
    "GROUPINGS",
    "STEPS",
    "TIMELINESS_STATES",
    "completion",
    "completion_from_states",
    "deadline_label",
    "default_range",
    "error_groups_by_period",
    "failures",
    "jobs_by_type",
    "parse_deadline_hours",
    "parse_grouping",
    "period_table",
    "stuck_jobs_over_time",
    "summarise_timeliness",
    "timeliness_days",
]
