"""Asking the collector for work through its own API: re-collect a race day, collect a
race's result, cancel a job. Off unless the API is configured; the dashboard itself still
never writes to the database.

``config`` (where the API is, the key), ``rules`` (the collector's rules, checked first),
``outcome`` (requests and outcomes in both languages), ``guards`` (duplicate guard, rate
limit), ``client`` (the HTTP calls), ``audit`` (one log line per request), ``access``
(who may act), ``command`` (``kra-status recollect``).
"""

from .access import Access, may_act, operator_lists
from .client import CollectorClient, job_request, recollect_request, result_request
from .config import CollectorConfig, resolve_collector
from .guards import LIMITER, RateLimiter, jobs_lookup, open_jobs
from .outcome import Outcome, Request

__all__ = [
    "LIMITER", "Access", "CollectorClient", "CollectorConfig", "Outcome", "RateLimiter",
    "Request", "job_request", "jobs_lookup", "may_act", "open_jobs", "operator_lists",
    "recollect_request", "resolve_collector", "result_request",
]
