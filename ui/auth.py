"""Who may look: an optional login gate in front of every page.

Off unless ``.streamlit/secrets.toml`` has an ``[auth]`` section (Streamlit's built-in OIDC
login, ``st.login`` / ``st.user``). With it, every page asks for a login first and, when an
allow-list is configured, only lets the listed people in:

- ``KRA_ALLOWED_EMAILS`` / ``[kra] allowed_emails``: whole addresses,
- ``KRA_ALLOWED_DOMAINS`` / ``[kra] allowed_domains``: the part after ``@``
  (``kra.co.kr`` admits ``someone@kra.co.kr``, not ``someone@sub.kra.co.kr``).

Environment and secrets lists are merged; values may be TOML lists or comma-separated
strings. Without an allow-list every user the identity provider accepts gets in.

It fails closed: an allow-list without ``[auth]`` (nobody can be identified), a secrets file
that mentions ``[auth]`` but does not parse, and a logged-in account whose provider says
``email_verified = false`` are all refused rather than served.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import streamlit as st

from status_core.redact import redact
from status_core.settings import as_list
from status_core.text import t

EMAILS_ENV = "KRA_ALLOWED_EMAILS"
DOMAINS_ENV = "KRA_ALLOWED_DOMAINS"


_AUTH_HEADER = re.compile(r"^\s*\[\s*auth\s*[\].]", re.MULTILINE)
_SHOWN_CHARS = 254  # the longest valid e-mail address


def _t(key: str, lang: str, **fmt: object) -> str:
    return t(f"auth.{key}", lang, **fmt)


def _as_text(value: str) -> str:
    """An identity claim as literal text inside a Markdown message: a code span.

    The claims come from the identity provider (and, through it, from whoever set up the
    account). Backslash escapes would not do: GitHub-style autolinks still turn
    ``http://...`` in an escaped text into a link, while a code span shows its content as
    it is. One line, bounded, fenced with more backticks than the text contains.
    """
    text = " ".join(value.split())
    if len(text) > _SHOWN_CHARS:
        text = text[:_SHOWN_CHARS] + "…"
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}"


def _secrets_files() -> list[Path]:
    try:
        from streamlit import config

        return [Path(p).expanduser() for p in config.get_option("secrets.files")]
    except Exception:  # noqa: BLE001 - only used to decide how to fail
        return [Path.cwd() / ".streamlit" / "secrets.toml"]


def _read_secrets() -> tuple[dict[str, Any], bool]:
    """``(secrets as a dict, broken_auth)``; no secrets file is ``({}, False)``.

    ``broken_auth`` is true when a secrets file exists, does not parse, and its text has an
    ``[auth]`` header: then login was meant to be on and the gate must stay shut.
    """
    try:
        data = st.secrets.to_dict()
        return (data if isinstance(data, dict) else {}), False
    except Exception:  # noqa: BLE001 - no file, unreadable file, or a TOML error
        pass
    for path in _secrets_files():
        try:
            if path.is_file() and _AUTH_HEADER.search(path.read_text("utf-8", "replace")):
                return {}, True
        except OSError:
            continue
    return {}, False


def allow_lists(
    secrets: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> tuple[set[str], set[str]]:
    """The allowed e-mail addresses and domains (lower case), env and secrets merged."""
    env = os.environ if environ is None else environ
    kra = secrets.get("kra") if isinstance(secrets.get("kra"), Mapping) else {}
    emails = set(as_list(env.get(EMAILS_ENV))) | set(as_list(kra.get("allowed_emails")))
    domains = set(as_list(env.get(DOMAINS_ENV))) | set(as_list(kra.get("allowed_domains")))
    return emails, {d.lstrip("@") for d in domains}


def is_allowed(email: str, emails: set[str], domains: set[str]) -> bool:
    """Whether ``email`` is on the allow-list; an empty allow-list admits everybody."""
    if not emails and not domains:
        return True
    address = email.strip().lower()
    if not address or address.count("@") != 1:
        return False
    return address in emails or address.rsplit("@", 1)[1] in domains


def _providers(auth: Mapping[str, Any]) -> list[str | None]:
    """``[None]`` for the default provider, else the named ``[auth.NAME]`` providers."""
    named = [k for k, v in auth.items() if isinstance(v, Mapping)]
    if "client_id" in auth or not named:
        return [None]
    return named


def _redacted(text: str, auth: Mapping[str, Any]) -> str:
    secrets = [str(v) for k, v in auth.items() if "secret" in k and v]
    for sub in auth.values():
        if isinstance(sub, Mapping):
            secrets += [str(v) for k, v in sub.items() if "secret" in k and v]
    return redact(text, secrets)


def _login_buttons(auth: Mapping[str, Any], lang: str) -> None:
    for provider in _providers(auth):
        label = (
            _t("login_button", lang)
            if provider is None
            else _t("login_with", lang, provider=provider)
        )
        if st.button(label, key=f"kra_auth_login_{provider or 'default'}", type="primary"):
            try:
                if provider is None:
                    st.login()
                else:
                    st.login(provider)
            except Exception as exc:  # noqa: BLE001 - a misconfigured [auth] section
                st.error(_t("misconfigured", lang, detail=_redacted(str(exc), auth)))


def _logout_button(lang: str, key: str) -> None:
    if st.button(_t("logout_button", lang), key=key):
        st.logout()


def require_login(lang: str = "ko") -> None:
    """Stop the page unless the visitor may see it (see the module docstring).

    Call right after ``st.set_page_config``. Does nothing when no ``[auth]`` is configured
    (and no allow-list is set). Otherwise shows a login button, or a refusal with a
    logout button, and calls ``st.stop()``; for an admitted user it adds the account and
    a logout button to the sidebar and returns.
    """
    secrets, broken = _read_secrets()
    auth = secrets.get("auth")
    emails, domains = allow_lists(secrets)
    if broken:
        st.error(_t("broken_secrets", lang))
        st.stop()
    if not isinstance(auth, Mapping) or not auth:
        if emails or domains:
            st.error(_t("allowlist_without_auth", lang))
            st.stop()
        return

    try:
        user = dict(st.user.to_dict())
    except Exception:  # noqa: BLE001 - no identity available: treat as logged out
        user = {}
    if not user.get("is_logged_in"):
        st.title(t("app.title", lang))
        st.info(_t("login_required", lang))
        _login_buttons(auth, lang)
        st.stop()

    email = str(user.get("email") or "").strip()
    shown = _as_text(email) if email else _t("no_email", lang)
    if user.get("email_verified") is False:
        st.error(_t("unverified", lang, email=shown))
        _logout_button(lang, "kra_auth_logout_refused")
        st.stop()
    if not is_allowed(email, emails, domains):
        st.error(_t("refused", lang, email=shown))
        _logout_button(lang, "kra_auth_logout_refused")
        st.stop()
    with st.sidebar:
        st.caption(_t("signed_in_as", lang, email=shown))
        _logout_button(lang, "kra_auth_logout")
