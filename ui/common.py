"""Page setup shared by every page: config, language, sidebar, database, error states."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st
from sqlalchemy.engine import Engine

from status_core.engine import make_engine
from status_core.errors import ConfigError, StatusError
from status_core.settings import DatabaseTarget, redact, resolve_target, resolve_timeouts
from status_core.text import DEFAULT_LANG, LANGS, STRINGS, t

from .auth import require_login
from .text import md_plain, md_with_code, shorten, shorten_message

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "overview": "app.py",
    "race": "pages/1_race.py",
    "jobs": "pages/2_jobs.py",
    "check": "pages/3_check.py",
}
#: URL paths of the pages (Streamlit derives them from the file names).
PAGE_URLS = {"overview": "", "race": "race", "jobs": "jobs", "check": "check"}
PAGE_ICONS = {"overview": "📊", "race": "🏇", "jobs": "⚙️", "check": "🩺"}
KST_ZONE = "Asia/Seoul"
#: A database error is shown up to this many characters (a server may quote a whole value).
ERROR_MAX = 1000
#: Up to this many rows a CSV download is written with the page; beyond, on request.
CSV_EAGER_ROWS = 2000


@dataclass
class PageContext:
    """What a page needs after :func:`setup_page`: language, database, the sidebar's
    choices (range, racecourses, live refresh, settings) and the cached data."""

    lang: str
    target: DatabaseTarget | None
    config_error: ConfigError | None
    start: str = ""
    end: str = ""
    meets: list[int] = field(default_factory=list)
    live: bool = False
    interval: int = 30
    settings: object = None
    warnings: list[str] = field(default_factory=list)

    def t(self, key: str, **fmt: object) -> str:
        return t(key, self.lang, **fmt)

    def require_target(self) -> DatabaseTarget:
        if self.target is None:
            raise self.config_error or ConfigError("no database configured")
        return self.target

    @property
    def run_every(self) -> str | None:
        """``run_every`` for ``st.fragment``: the live interval, or ``None`` when off."""
        return f"{self.interval}s" if self.live else None

    def link(self, page: str, **params: object) -> str:
        """A relative URL to ``page`` with ``params`` (and the language when English),
        for ``st.column_config.LinkColumn``; relative so it works under a base path."""
        from urllib.parse import urlencode

        query = {k: v for k, v in params.items() if v is not None}
        if self.lang != DEFAULT_LANG:
            query["lang"] = self.lang
        text = urlencode(query, doseq=True)
        path = PAGE_URLS[page] or "./"
        return f"{path}?{text}" if text else path


def _lang() -> str:
    lang = st.query_params.get("lang", st.session_state.get("lang", DEFAULT_LANG))
    return lang if lang in LANGS else DEFAULT_LANG


def _link_params(page: str, lang: str) -> dict[str, object]:
    """Query parameters that carry the current choices to ``page``."""
    ss = st.session_state
    params: dict[str, object] = {}
    if page in ("overview", "jobs"):
        for group in ("range", "meets"):
            state = ss.get(f"_sync.{group}.state")
            if state and state[1]:
                if group == "range":
                    params["start"], params["end"] = state[0]
                else:
                    params["meet"] = [str(m) for m in state[0]]
    if page == "race":
        state = ss.get("_sync.day.state")
        if state and state[1] and state[0]:
            from .filters import day_params

            params.update(day_params(*state[0]))
    if page != "check":
        live = ss.get("_sync.live.state")
        if live and live[1] and live[0][0]:
            params["live"] = str(live[0][1])
    if lang != DEFAULT_LANG:
        params["lang"] = lang
    return params


def setup_page(page_key: str, *, range_filters: bool = False, live: bool = False
               ) -> PageContext:
    """Configure the page and draw the sidebar.

    Always: navigation, language, the database shown. ``range_filters``: the date range
    and racecourse pickers (``?start=&end=&meet=``). ``live``: live refresh, the refresh
    button and the settings. Warnings about invalid URL values are shown at the top.
    """
    lang = _lang()
    st.set_page_config(page_title=t(f"nav.{page_key}", lang), page_icon="🏇", layout="wide")
    require_login(lang)  # issue 5: login gate when [auth] is configured
    try:
        target, error = resolve_target(), None
    except ConfigError as exc:
        target, error = None, exc
    ctx = PageContext(lang, target, error)

    from . import filters

    if range_filters:
        ctx.start, ctx.end = filters.resolve_range(ctx.warnings)
        ctx.meets = filters.resolve_meets(ctx.warnings)
    if live:
        ctx.live, ctx.interval = filters.resolve_live(ctx.warnings)
    env_settings = filters.env_settings(ctx.warnings)
    ctx.settings = env_settings

    with st.sidebar:
        st.markdown(f"### 🏇 {t('app.title', lang)}")
        for key, path in PAGES.items():
            if (ROOT / path).is_file():
                st.page_link(path, label=t(f"nav.{key}", lang), icon=PAGE_ICONS[key],
                             query_params=_link_params(key, lang))
        choice = st.radio(
            t("sidebar.language", lang), LANGS, index=LANGS.index(lang), horizontal=True,
            format_func=lambda code: {"ko": "한국어", "en": "English"}[code], key="lang_radio",
        )
        if choice != lang:
            st.session_state["lang"] = choice
            if choice == DEFAULT_LANG:
                del st.query_params["lang"]
            else:
                st.query_params["lang"] = choice
            st.rerun()
        if range_filters:
            st.date_input(t("sidebar.range", lang), key=filters.W_RANGE, format="YYYY-MM-DD",
                          help=t("sidebar.range_help", lang))
            st.multiselect(t("sidebar.meets", lang), list(filters.MEETS), key=filters.W_MEETS,
                           format_func=lambda m: filters.meet_label(m, lang))
        if live:
            st.toggle(t("sidebar.live", lang), key=filters.W_LIVE,
                      help=t("sidebar.live_help", lang))
            st.select_slider(t("sidebar.interval", lang), options=list(filters.INTERVALS),
                             key=filters.W_INTERVAL, format_func=lambda s: f"{s}s")
            if st.button(t("sidebar.refresh", lang), icon="🔄", width="stretch"):
                from . import data

                data.clear()
                st.toast(t("sidebar.refreshed", lang))
            ctx.settings = filters.settings_expander(lang, env_settings)
        st.caption(t("sidebar.database", lang))
        if target is None:
            st.warning(t("error.config", lang))
        elif target.is_demo:
            st.info(t("demo.badge", lang))
        else:
            st.code(target.masked, language=None)
    for message in ctx.warnings:
        input_warning(message, lang)
    return ctx


def input_warning(message: str, lang: str) -> None:
    """"Invalid input: <what> — the default is used instead." The message quotes what the
    user typed: shortened, and shown as text, never as Markdown."""
    st.warning(f"**{t('error.input', lang)}:** {md_plain(shorten_message(message))} — "
               f"{t('error.fallback', lang)}")


def _engine_key(target: DatabaseTarget) -> str:
    # The cache key must change with the password, but must not be the password.
    return hashlib.sha256(target.url.render_as_string(hide_password=False).encode()).hexdigest()


@st.cache_resource(show_spinner=False)
def _engine_for(key: str, _target: DatabaseTarget) -> Engine:
    if _target.is_demo:
        from status_core.demo import ensure_demo

        ensure_demo(Path(_target.url.database))
    return make_engine(_target, resolve_timeouts())


def engine_for_target(target: DatabaseTarget) -> Engine:
    """The shared engine of this server process for ``target``."""
    return _engine_for(_engine_key(target), target)


def engine(ctx: PageContext) -> Engine:
    """The shared engine of this server process for the page's database."""
    return engine_for_target(ctx.require_target())


def show_error(ctx: PageContext, exc: StatusError) -> None:
    """Render a core error: what happened, what to do, and a link to the DB check."""
    from status_core.hints import HINTS, hint_for

    secrets = ctx.target.secrets if ctx.target else ()
    title = ctx.t("error.config" if isinstance(exc, ConfigError) else "error.database")
    # The message may quote the server or stored values: literal text, never Markdown.
    message = shorten(redact(exc.message, secrets), ERROR_MAX)
    st.error(f"**{title}**\n\n{md_plain(message)}")
    hint = (hint_for(exc.cause, ctx.lang, **exc.context)
            if exc.cause in HINTS and exc.cause != "unknown" else exc.hint)
    if hint:
        st.info(f"**{ctx.t('error.hint')}:** {md_with_code(redact(hint, secrets))}")
    if (ROOT / PAGES["check"]).is_file():
        st.page_link(PAGES["check"], label=ctx.t("error.go_check"), icon="🩺",
                     query_params={"lang": ctx.lang} if ctx.lang != DEFAULT_LANG else None)
    else:
        st.caption(ctx.t("error.run_check"))


# --------------------------------------------------------------------------- formatting


def kst(values):  # noqa: ANN001, ANN201
    """UTC timestamps (a Series or one value) in Korean time."""
    import pandas as pd

    if isinstance(values, pd.Series):
        return pd.to_datetime(values, utc=True).dt.tz_convert(KST_ZONE)
    if values is None or pd.isna(values):
        return None
    return pd.Timestamp(values).tz_convert(KST_ZONE)


def kst_text(value, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:  # noqa: ANN001
    """One timestamp as ``2026-02-14 13:05:00 KST``; ``-`` when missing."""
    stamp = kst(value)
    return f"{stamp.strftime(fmt)} KST" if stamp is not None else "-"


def as_of(ctx: PageContext, fetched: dt.datetime | None) -> None:
    """"Last refreshed at HH:MM:SS KST" (when the data shown was read) and the live state."""
    if fetched is None:
        return
    text = ctx.t("live.as_of", time=kst_text(fetched, "%H:%M:%S"))
    if ctx.live:
        text += " · " + ctx.t("live.every", seconds=ctx.interval)
    st.caption(f"🕒 {text}")


def csv_download(ctx: PageContext, frame, name: str, *, key: str) -> None:  # noqa: ANN001
    """A CSV download of ``frame`` (UTF-8 with BOM so spreadsheet programs read Hangul;
    text cells that a spreadsheet would run as formulas are neutralised). A big frame is
    written when the button is pressed, not on every run of the page."""
    from status_core.export import csv_bytes

    data = csv_bytes(frame) if len(frame) <= CSV_EAGER_ROWS else (lambda: csv_bytes(frame))
    st.download_button(ctx.t("download.csv"), data, file_name=f"{name}.csv", mime="text/csv",
                       key=key, icon="⬇️")


def status_badge(status: object, lang: str) -> str:
    """A status as emoji + word, e.g. ``✅ 완료``."""
    text = str(status) if status is not None else "pending"
    return t(f"badge.{text}", lang) if f"badge.{text}" in STRINGS else text


def no_data_help(ctx: PageContext) -> None:
    """The link to the DB check under an empty result, in case rows are hidden (RLS)."""
    if (ROOT / PAGES["check"]).is_file():
        st.page_link(PAGES["check"], label=ctx.t("error.go_check"), icon="🩺",
                     query_params={"lang": ctx.lang} if ctx.lang != DEFAULT_LANG else None)
