"""Page setup shared by every page: config, language, sidebar, database, error states."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from sqlalchemy.engine import Engine

from status_core.engine import make_engine
from status_core.errors import ConfigError, StatusError
from status_core.settings import DatabaseTarget, redact, resolve_target, resolve_timeouts

from .i18n import DEFAULT_LANG, LANGS, t

PAGES = {
    "overview": "app.py",
    "race": "pages/1_race.py",
    "jobs": "pages/2_jobs.py",
    "check": "pages/3_check.py",
}


@dataclass
class PageContext:
    """What a page needs after :func:`setup_page`: language, database, and the engine."""

    lang: str
    target: DatabaseTarget | None
    config_error: ConfigError | None

    def t(self, key: str, **fmt: object) -> str:
        return t(key, self.lang, **fmt)


def _lang() -> str:
    lang = st.query_params.get("lang", st.session_state.get("lang", DEFAULT_LANG))
    return lang if lang in LANGS else DEFAULT_LANG


def setup_page(page_key: str) -> PageContext:
    """Configure the page, draw the sidebar (navigation, language, database badge)."""
    lang = _lang()
    st.set_page_config(page_title=t(f"nav.{page_key}", lang), page_icon="🏇", layout="wide")
    try:
        target, error = resolve_target(), None
    except ConfigError as exc:
        target, error = None, exc
    with st.sidebar:
        st.markdown(f"### 🏇 {t('app.title', lang)}")
        for key, path in PAGES.items():
            st.page_link(path, label=t(f"nav.{key}", lang))
        choice = st.radio(
            t("sidebar.language", lang), LANGS, index=LANGS.index(lang), horizontal=True,
            format_func=lambda code: {"ko": "한국어", "en": "English"}[code], key="lang_radio",
        )
        if choice != lang:
            st.session_state["lang"] = choice
            st.query_params["lang"] = choice
            st.rerun()
    ctx = PageContext(lang, target, error)
    with st.sidebar:
        st.caption(t("sidebar.database", lang))
        if target is None:
            st.warning(t("error.config", lang))
        elif target.is_demo:
            st.info(t("demo.badge", lang))
        else:
            st.code(target.masked, language=None)
    return ctx


def _engine_key(target: DatabaseTarget) -> str:
    # The cache key must change with the password, but must not be the password.
    return hashlib.sha256(target.url.render_as_string(hide_password=False).encode()).hexdigest()


@st.cache_resource(show_spinner=False)
def _engine_for(key: str, _target: DatabaseTarget) -> Engine:
    if _target.is_demo:
        from status_core.demo import ensure_demo

        ensure_demo(Path(_target.url.database))
    return make_engine(_target, resolve_timeouts())


def engine(ctx: PageContext) -> Engine:
    """The shared engine of this server process for the page's database."""
    if ctx.target is None:
        raise ctx.config_error or ConfigError("no database configured")
    return _engine_for(_engine_key(ctx.target), ctx.target)


def show_error(ctx: PageContext, exc: StatusError) -> None:
    """Render a core error: what happened, what to do, and a link to the DB check."""
    secrets = ctx.target.secrets if ctx.target else ()
    title = ctx.t("error.config" if isinstance(exc, ConfigError) else "error.database")
    st.error(f"**{title}**\n\n{redact(exc.message, secrets)}")
    if exc.hint:
        st.info(f"**{ctx.t('error.hint')}:** {redact(exc.hint, secrets)}")
    st.page_link(PAGES["check"], label=ctx.t("error.go_check"), icon="🩺")
