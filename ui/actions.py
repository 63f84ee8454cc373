"""Buttons that ask the collector for work, each behind a confirmation dialog.

Only for who may act (:func:`status_core.actions.access.may_act`, fail closed); the rules,
guards, HTTP call and audit line are :mod:`status_core.actions`. The dashboard never
writes to the database: the collector does the work and the job shows up in ``jobs``.

A button records the dialog in the session (:data:`OPEN`) and reruns the page; the page
draws it at its end with :func:`show_dialog`, outside any live fragment, so a refresh does
not close it. Closing or dismissing the dialog forgets it, as does another page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from status_core.actions import access as who_may
from status_core.actions import plan
from status_core.actions.client import (
    CollectorClient,
    job_request,
    recollect_request,
    result_request,
)
from status_core.actions.config import configured_key, resolve_collector
from status_core.actions.guards import jobs_lookup
from status_core.actions.outcome import Outcome, Request
from status_core.actions.rules import today_kst
from status_core.errors import ConfigError
from status_core.redact import mask_url, redact

from . import data
from .common import page_link
from .context import PageContext
from .engines import engine_for_target
from .text import md_plain

OPEN = "kra_action_dialog"
TITLES = {"recollect": "action.dialog.recollect", "results": "action.dialog.results",
          "cancel": "action.dialog.cancel"}
#: Outcomes after which sending anyway (``force``) is offered: the duplicate guard held.
SECOND_CONFIRMATION = ("duplicate", "unchecked")


# --------------------------------------------------------------------------- who may act


def _secrets() -> Mapping:
    try:
        value = st.secrets.to_dict()
    except Exception:  # noqa: BLE001 - no or unreadable secrets: nothing configured there
        return {}
    return value if isinstance(value, Mapping) else {}


def _email(login: bool) -> str | None:
    if not login:
        return None
    try:
        user = dict(st.user.to_dict())
    except Exception:  # noqa: BLE001 - no identity: signed out
        return None
    return str(user.get("email") or "") if user.get("is_logged_in") else None


def access(ctx: PageContext) -> who_may.Access:
    """Whether this visitor gets action buttons. A broken collector configuration is
    reported to the operators only (masked); everyone else sees nothing of it."""
    from streamlit import config as st_config

    try:
        collector, problem = resolve_collector(), None
    except ConfigError as exc:
        collector, problem = None, exc
    secrets = _secrets()
    auth = secrets.get("auth")
    login = isinstance(auth, Mapping) and bool(auth)
    emails, domains = who_may.operator_lists(secrets)
    # Actions need the collector's own database: its jobs are the duplicate guard.
    database = ctx.target is not None and not ctx.target.is_demo

    def decide(api: bool) -> who_may.Access:
        return who_may.may_act(
            api_configured=api, login_configured=login, email=_email(login),
            operator_emails=emails, operator_domains=domains,
            server_address=st_config.get_option("server.address"),
            local_operator=who_may.local_operator_flag())

    decision = decide(collector is not None and database)
    if problem is not None and decide(True).allowed:
        message = redact(problem.message, configured_key())
        st.warning(ctx.t("action.config_error", message=md_plain(message)))
    return decision


# --------------------------------------------------------------------------- buttons


def _open(page_key: str, **spec: object) -> None:
    st.session_state[OPEN] = {**spec, "page": page_key, "outcomes": None}
    st.rerun()


def day_actions(ctx: PageContext, who: who_may.Access, page_key: str, race_date: str,
                meet: int, races: pd.DataFrame, *, key: str) -> None:
    """Re-collect the whole day, only its failed and pending races, or the missing
    results; nothing for a visitor who may not act or a day the collector would refuse."""
    if not who.allowed or not plan.actionable_day(race_date, meet, today_kst()):
        return
    unfinished, results = plan.unfinished_races(races), plan.missing_results(races)
    cols = st.columns(3)
    day = {"date": race_date, "meet": int(meet)}
    if cols[0].button(ctx.t("action.recollect_day"), key=f"{key}_day", icon="🔁"):
        _open(page_key, kind="recollect", races=None, **day)
    if unfinished and cols[1].button(ctx.t("action.recollect_unfinished", n=len(unfinished)),
                                     key=f"{key}_unfinished", icon="🩹"):
        _open(page_key, kind="recollect", races=unfinished, **day)
    if results and cols[2].button(ctx.t("action.collect_results", n=len(results)),
                                  key=f"{key}_results", icon="🏁"):
        _open(page_key, kind="results", races=results, **day)


def cancel_action(ctx: PageContext, who: who_may.Access, page_key: str,
                  job_ids: list[str], *, key: str) -> None:
    """Pick one of ``job_ids`` and cancel it (behind the dialog)."""
    if not who.allowed or not job_ids:
        return
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox(ctx.t("action.cancel_pick"), job_ids, key=f"{key}_pick",
                            placeholder=ctx.t("widget.choose_one"))
    if right.button(ctx.t("action.cancel_job"), key=f"{key}_cancel", icon="🛑") and chosen:
        _open(page_key, kind="cancel", job_id=str(chosen))


def caption(ctx: PageContext, who: who_may.Access) -> None:
    """Who acts, and that the dashboard itself does not write."""
    if who.allowed:
        st.caption(ctx.t("action.section_caption", who=md_plain(who.actor)))


# --------------------------------------------------------------------------- the dialog


def _requests(spec: Mapping, today: dt.date) -> list[Request]:
    if spec["kind"] == "cancel":
        return [job_request(spec["job_id"], cancel=True)]
    if spec["kind"] == "results":
        return [result_request(spec["date"], spec["meet"], n, today) for n in spec["races"]]
    return [recollect_request(spec["date"], spec["meet"], spec["races"], today)]


def _send(ctx: PageContext, who: who_may.Access, force: bool) -> None:
    """The button's callback: send once (a second click finds the outcome and stops)."""
    spec = st.session_state.get(OPEN)
    if spec is None or (spec["outcomes"] is not None and not force):
        return
    target = ctx.require_target()
    client = CollectorClient(resolve_collector(),
                             jobs=jobs_lookup(engine_for_target(target), target))
    actor = who.actor or "unknown"
    if spec["kind"] == "cancel":
        outcomes = [client.cancel_job(spec["job_id"], actor=actor)]
    elif spec["kind"] == "results":
        outcomes = client.collect_results(spec["date"], spec["meet"], spec["races"],
                                          actor=actor, force=force)
    else:
        outcomes = [client.recollect(spec["date"], spec["meet"], spec["races"],
                                     actor=actor, force=force)]
    st.session_state[OPEN] = {**spec, "outcomes": outcomes}
    data.clear()  # the next read shows the new job


def _forget() -> None:
    st.session_state.pop(OPEN, None)


def _outcome(ctx: PageContext, outcome: Outcome) -> None:
    text = md_plain(outcome.text(ctx.lang))
    if outcome.ok:
        st.success(text)
    elif outcome.kind in ("duplicate", "throttled", "unchecked"):
        st.warning(text)
    else:
        st.error(text)
    job_id = outcome.job_id if outcome.ok else (outcome.existing or {}).get("job_id")
    if job_id and outcome.request.action != "cancel":
        st.caption(ctx.t("action.job_id") if outcome.ok else ctx.t("action.dialog.existing"))
        st.code(job_id, language=None)
        page_link(ctx, "jobs", label=ctx.t("action.job_link"), icon="⚙️", job=job_id)


def _body(ctx: PageContext, who: who_may.Access) -> None:
    spec = st.session_state.get(OPEN)
    if spec is None:
        st.rerun()  # closed by its own button
    try:
        collector = resolve_collector()
    except ConfigError:
        collector = None
    if collector is None:
        _forget()
        st.rerun()
    requests = _requests(spec, today_kst())
    st.markdown(md_plain(requests[0].subject(ctx.lang)) if spec["kind"] != "results" else
                md_plain(" · ".join(r.subject(ctx.lang) for r in requests)))
    st.caption(ctx.t("action.dialog.will_send", url=md_plain(mask_url(collector.url))))
    st.code("\n".join(r.describe() for r in requests), language=None, wrap_lines=True)
    outcomes = spec["outcomes"]
    left, right = st.columns(2)
    if outcomes is None:
        left.button(ctx.t("action.dialog.send"), key="kra_action_send", type="primary",
                    on_click=_send, args=(ctx, who, False), icon="📨")
    else:
        for outcome in outcomes:
            _outcome(ctx, outcome)
        if outcomes[-1].kind in SECOND_CONFIRMATION:
            left.button(ctx.t("action.dialog.send_anyway"), key="kra_action_force",
                        type="primary", on_click=_send, args=(ctx, who, True), icon="⚠️")
    right.button(ctx.t("action.dialog.close"), key="kra_action_close", on_click=_forget)


def show_dialog(ctx: PageContext, who: who_may.Access, page_key: str) -> None:
    """Draw the open dialog of this page, if any (call at the end of the page)."""
    spec = st.session_state.get(OPEN)
    if spec is None:
        return
    if spec.get("page") != page_key or not who.allowed:
        _forget()
        return
    st.dialog(ctx.t(TITLES[spec["kind"]]), width="large", on_dismiss=_forget)(_body)(ctx, who)
