"""Asking the collector to do work, through its own HTTP API (``COLLECTOR_API.md``).

Nothing here writes to the database: the collector does the work and records it in
``jobs`` like any other job. Each call:

1. is built as a :class:`~status_core.actions.outcome.Request` and checked against the
   collector's rules (a broken rule: ``rejected``, nothing sent);
2. for work on a race day: passes the duplicate guard (``duplicate`` / ``unchecked``
   unless ``force``) and the process-wide rate limit (``throttled``);
3. is sent once, with a timeout, the key only in the ``X-API-Key`` header; never retried
   (a retry of a request whose answer was lost could start a second collection);
4. is written to the audit log; the :class:`Outcome` comes back as data.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from urllib.parse import quote

from .. import __version__
from ..errors import StatusError
from ..redact import guard_logs, mask_url, redact
from . import rules
from .audit import write_audit
from .config import CollectorConfig
from .guards import LIMITER, JobsLookup, RateLimiter
from .outcome import CANCEL, GET_JOB, RECOLLECT, RESULT, Outcome, Request

ASYNC_PATH = "/api/v2/collection/async"
RESULT_PATH = "/api/v2/collection/result"
JOB_PATH = "/api/v2/jobs/{job_id}"
CANCEL_PATH = "/api/v2/jobs/{job_id}/cancel"
_SUCCESS = {RECOLLECT: 202, RESULT: 200, CANCEL: 200, GET_JOB: 200}
_BY_STATUS = {401: "unauthorized", 403: "forbidden", 404: "not_found", 422: "invalid",
              429: "rate_limited"}
# Outcomes after which the collector certainly started nothing: the rate-limit slot is
# given back, so fixing the key (say) does not cost a minute.
_NOTHING_STARTED = frozenset({"unauthorized", "forbidden", "invalid", "rate_limited",
                              "refused"})
_MAX_MESSAGES = 5
_MAX_MESSAGE = 300


def recollect_request(race_date: object, meet: object, race_numbers: Iterable[object] | None,
                      today: dt.date) -> Request:
    """``POST /api/v2/collection/async`` for a race day (all races when ``None``)."""
    races, race_problem = rules.check_races(race_numbers)
    problems = tuple(p for p in (rules.check_date(race_date, today), rules.check_meet(meet),
                                 race_problem) if p)
    body = {"date": race_date, "meet": meet}
    if races is not None:
        body["race_numbers"] = list(races)
    return Request(RECOLLECT, "POST", ASYNC_PATH, body, str(race_date), meet,  # type: ignore[arg-type]
                   races, problems=problems)


def result_request(race_date: object, meet: object, race_number: object,
                   today: dt.date) -> Request:
    """``POST /api/v2/collection/result`` for one race."""
    races, race_problem = rules.check_races([race_number])
    problems = tuple(p for p in (rules.check_date(race_date, today), rules.check_meet(meet),
                                 race_problem) if p)
    body = {"date": race_date, "meet": meet, "race_number": race_number}
    return Request(RESULT, "POST", RESULT_PATH, body, str(race_date), meet,  # type: ignore[arg-type]
                   races, problems=problems)


def job_request(job_id: object, *, cancel: bool) -> Request:
    """``POST /api/v2/jobs/{id}/cancel`` (``cancel``) or ``GET /api/v2/jobs/{id}``."""
    problem = rules.check_job_id(job_id)
    text = str(job_id) if problem is None else ""
    path = (CANCEL_PATH if cancel else JOB_PATH).format(job_id=quote(text, safe=""))
    return Request(CANCEL if cancel else GET_JOB, "POST" if cancel else "GET", path,
                   job_id=str(job_id)[:rules.MAX_JOB_ID], problems=(problem,) if problem else ())


def _json(resp) -> object:  # noqa: ANN001
    try:
        return resp.json()
    except ValueError:
        return None


def _detail_item(item: object) -> str:
    if isinstance(item, dict) and "msg" in item:
        loc = [str(p) for p in item.get("loc") or [] if p != "body"]
        return f"{'.'.join(loc)}: {item['msg']}" if loc else str(item["msg"])
    return item if isinstance(item, str) else str(item)


def collector_messages(body: object, text: str, secrets: tuple[str, ...]) -> tuple[str, ...]:
    """The collector's own words from an error body (FastAPI ``detail`` as a string, a
    list of validation errors, or ``{"message", "errors"}``), clipped, key removed."""
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, str):
        items = [detail]
    elif isinstance(detail, list):
        items = [_detail_item(d) for d in detail]
    elif isinstance(detail, dict):
        errors = detail.get("errors")
        items = [str(detail.get("message") or "")] + [
            _detail_item(e) for e in (errors if isinstance(errors, list) else [])]
    else:
        items = [text]
    out = []
    for item in items:
        clean = " ".join(redact(mask_url(str(item)), secrets).split())
        if clean:
            out.append(clean if len(clean) <= _MAX_MESSAGE else clean[:_MAX_MESSAGE] + "…")
    return tuple(out[:_MAX_MESSAGES])


class CollectorClient:
    """Calls to one configured collector. ``jobs`` answers the duplicate guard (open jobs
    of a date and meet); without it a race-day request is ``unchecked`` unless forced."""

    def __init__(self, config: CollectorConfig, *, jobs: JobsLookup | None = None,
                 limiter: RateLimiter = LIMITER,
                 today: Callable[[], dt.date] = rules.today_kst) -> None:
        self.config = config
        self.jobs = jobs
        self.limiter = limiter
        self.today = today

    # -- the operations
    def recollect(self, race_date: object, meet: object,
                  race_numbers: Iterable[object] | None = None, *, actor: str,
                  force: bool = False) -> Outcome:
        """Re-collect a race day (``race_numbers=None``: every race)."""
        request = recollect_request(race_date, meet, race_numbers, self.today())
        return self.send(request, actor=actor, force=force)

    def collect_result(self, race_date: object, meet: object, race_number: object, *,
                       actor: str, force: bool = False) -> Outcome:
        """Fetch and store the official result of one race."""
        return self.send(result_request(race_date, meet, race_number, self.today()),
                         actor=actor, force=force)

    def collect_results(self, race_date: object, meet: object, race_numbers: Iterable[object],
                        *, actor: str, force: bool = False) -> list[Outcome]:
        """Results of several races of one day: one guard and one rate-limit slot for the
        lot, then one call per race, stopping at the first that is not accepted."""
        requests = [result_request(race_date, meet, n, self.today()) for n in race_numbers]
        bad = [r for r in requests if not r.valid]
        if not requests:
            bad = [Request(RESULT, "POST", RESULT_PATH, date=str(race_date),
                           meet=meet, problems=(rules.no_races(),))]  # type: ignore[arg-type]
        if bad:
            return [self._finish(Outcome("rejected", bad[0]), actor, force, None)]
        blocked = self._guard(requests[0], force, actor)
        if blocked is not None:
            return [blocked]
        outcomes = []
        for request in requests:
            outcomes.append(self._send_once(request, actor, force))
            if not outcomes[-1].ok:
                break
        if all(o.kind in _NOTHING_STARTED for o in outcomes):
            self.limiter.release(self._day_key(requests[0]))
        return outcomes

    def cancel_job(self, job_id: object, *, actor: str) -> Outcome:
        """Ask the collector to cancel a job (only its key owner's, not yet ended)."""
        return self.send(job_request(job_id, cancel=True), actor=actor)

    def get_job(self, job_id: object, *, actor: str) -> Outcome:
        """The job as the collector sees it (``outcome.data``)."""
        return self.send(job_request(job_id, cancel=False), actor=actor)

    # -- the machinery
    def send(self, request: Request, *, actor: str, force: bool = False) -> Outcome:
        """Check, guard, send once and audit ``request``."""
        if not request.valid:
            return self._finish(Outcome("rejected", request), actor, force, None)
        if request.action in (RECOLLECT, RESULT):
            blocked = self._guard(request, force, actor)
            if blocked is not None:
                return blocked
            outcome = self._send_once(request, actor, force)
            if outcome.kind in _NOTHING_STARTED:
                self.limiter.release(self._day_key(request))
            return outcome
        return self._send_once(request, actor, force)

    @staticmethod
    def _day_key(request: Request) -> tuple:
        return ("day", request.date, request.meet)

    def _guard(self, request: Request, force: bool, actor: str) -> Outcome | None:
        """The duplicate guard, then the rate limit; an outcome when the request must not
        go (already audited), else ``None`` with the rate-limit slot taken."""
        if not force:
            if self.jobs is None:
                return self._finish(Outcome("unchecked", request), actor, force, None)
            try:
                existing = self.jobs(request.date, request.meet)  # type: ignore[arg-type]
            except StatusError as exc:
                said = (redact(exc.message, self.config.secrets),)
                return self._finish(Outcome("unchecked", request, messages=said), actor,
                                    force, None)
            if existing:
                return self._finish(Outcome("duplicate", request, existing=existing[0]),
                                    actor, force, None)
        ok, wait = self.limiter.acquire(self._day_key(request))
        if not ok:
            return self._finish(Outcome("throttled", request, retry_after=wait), actor,
                                force, None)
        return None

    def _send_once(self, request: Request, actor: str, force: bool) -> Outcome:
        started = time.monotonic()
        outcome = self._http(request)
        return self._finish(outcome, actor, force, (time.monotonic() - started) * 1000)

    def _finish(self, outcome: Outcome, actor: str, force: bool,
                elapsed_ms: float | None) -> Outcome:
        write_audit(outcome, actor=actor, force=force, elapsed_ms=elapsed_ms,
                    secrets=self.config.secrets)
        return outcome

    def _http(self, request: Request) -> Outcome:
        import httpx

        secrets = self.config.secrets
        guard_logs(secrets, owner="collector")
        timeout = self.config.timeout
        headers = {"X-API-Key": self.config.api_key, "Accept": "application/json",
                   "User-Agent": f"kra-status/{__version__}"}
        # No redirects: the key header would follow them to wherever they point. No
        # transport retries: a lost answer must not become a second collection.
        try:
            with httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False,
                              transport=httpx.HTTPTransport(retries=0)) as client:
                resp = client.request(request.method, self.config.endpoint(request.path),
                                      json=request.body, headers=headers)
        except httpx.ConnectTimeout:
            return Outcome("timeout", request, timeout=timeout)
        except httpx.TimeoutException:
            return Outcome("timeout", request, timeout=timeout, maybe_started=True)
        except (httpx.ConnectError, httpx.UnsupportedProtocol, httpx.ProxyError) as exc:
            said = (redact(f"{type(exc).__name__}: {exc}", secrets),)
            return Outcome("refused", request, messages=said)
        except httpx.HTTPError as exc:
            said = (redact(f"{type(exc).__name__}: {exc}", secrets),)
            return Outcome("no_answer", request, messages=said, maybe_started=True)
        return self._read(request, resp)

    def _read(self, request: Request, resp) -> Outcome:  # noqa: ANN001
        status = resp.status_code
        body = _json(resp)
        if status == _SUCCESS[request.action]:
            data = body if isinstance(body, dict) else None
            job_id = request.job_id
            if request.action == RECOLLECT:
                job_id = data.get("job_id") if data else None
                if not isinstance(job_id, str) or not job_id:
                    said = collector_messages(body, resp.text[:200], self.config.secrets)
                    return Outcome("unexpected", request, status, messages=said,
                                   maybe_started=True)
            return Outcome("accepted", request, status, job_id=job_id, data=data)
        kind = _BY_STATUS.get(status) or ("collector_error" if status >= 500 else "unexpected")
        said = collector_messages(body, resp.text[:300], self.config.secrets)
        return Outcome(kind, request, status, messages=said,
                       maybe_started=kind in ("collector_error", "unexpected"))
