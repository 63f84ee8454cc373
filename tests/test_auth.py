"""Who may look: the optional login gate (ui/auth.py) in front of every page.

Streamlit's built-in OIDC login is on when ``.streamlit/secrets.toml`` (in the working
directory, as for a real server) has an ``[auth]`` section. AppTest fakes the identity
with ``at.user`` (``{"is_logged_in": True, "email": ...}``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from status_core import demo
from tests.apptest_support import (
    PAGE_FILES,
    app,
    error_texts,
    exception_texts,
    full_error_details,
    tree_text,
)
from tests.rows import kst_today, write_sqlite
from ui.auth import _as_text, allow_lists, is_allowed

CLIENT_SECRET = "client-secret-never-shown-4711"
AUTH = f"""
[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "cookie-secret-never-shown-0815"
client_id = "kra-dashboard"
client_secret = "{CLIENT_SECRET}"
server_metadata_url = "https://accounts.example.org/.well-known/openid-configuration"
"""
ALLOW = """
[kra]
allowed_emails = ["ops@kra.example"]
allowed_domains = ["staff.kra.example"]
"""
LOGIN_KO, LOGIN_EN = "로그인", "Log in"


def _tiny_db(path: Path) -> str:
    """A SQLite database of the collector's shape with two races today."""
    today = kst_today().strftime("%Y%m%d")
    now = dt.datetime.now(dt.UTC)
    races = [demo.race_row(today, 1, n, updated_at=now) for n in (1, 2)]
    return f"sqlite:///{write_sqlite(path, races, migrations=())}"


@pytest.fixture
def site(isolated_env, monkeypatch):
    """A working directory with a small database; ``site(secrets_text)`` writes the
    secrets file. Streamlit's process-wide secrets cache is reset around the test."""
    import streamlit as st
    from streamlit.runtime.secrets import secrets_singleton

    monkeypatch.setenv("DATABASE_URL", _tiny_db(isolated_env / "kra.sqlite"))
    secrets_singleton._reset()
    st.cache_data.clear()

    def write(text: str | None) -> Path:
        path = isolated_env / ".streamlit" / "secrets.toml"
        path.parent.mkdir(exist_ok=True)
        if text is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(text, encoding="utf-8")
        secrets_singleton._reset()
        return path

    with full_error_details():
        yield write
    secrets_singleton._reset()


def _buttons(at) -> list[str]:  # noqa: ANN001
    return [b.label for b in at.button]


def _shows_data(at) -> bool:  # noqa: ANN001
    return bool(at.dataframe) or bool(at.metric)


def _run(page: str = "overview", user: dict | None = None, query: dict | None = None):
    at = app(page, query)
    if user is not None:
        at.user = user
    return at.run()


# --------------------------------------------------------------------------- no [auth]


def test_without_auth_the_dashboard_serves_as_before(site):
    site(None)
    at = _run()
    assert not at.exception, exception_texts(at)
    assert _shows_data(at)
    assert LOGIN_KO not in _buttons(at)


def test_a_secrets_file_without_auth_changes_nothing(site):
    site('[connections.kra]\nurl = "sqlite:///nowhere.sqlite"\n')
    at = _run()
    assert not at.exception, exception_texts(at)
    assert LOGIN_KO not in _buttons(at)


# --------------------------------------------------------------------------- logged out


def test_streamlit_reads_auth_from_the_working_directory(site):
    """AppTest (like a server) reads .streamlit/secrets.toml from the cwd; with [auth]
    there, st.user of a visitor without a session says is_logged_in = False."""
    from streamlit.testing.v1 import AppTest

    site(AUTH)
    at = AppTest.from_string(
        "import streamlit as st\nst.write(repr(st.user.to_dict()))\n"
    )
    at.user = {}
    at.run()
    assert "'is_logged_in': False" in tree_text(at)


@pytest.mark.parametrize("page", list(PAGE_FILES))
def test_logged_out_visitors_see_only_a_login_button_on_every_page(site, page):
    site(AUTH + ALLOW)
    at = _run(page, {"is_logged_in": False},
              {"date": kst_today().strftime("%Y%m%d"), "meet": "1"} if page == "race" else None)
    assert not at.exception, exception_texts(at)
    assert _buttons(at) == [LOGIN_KO]
    assert not _shows_data(at) and not at.sidebar.children
    assert not error_texts(at)
    text = tree_text(at)
    assert "제1경주" not in text and "kra.sqlite" not in text  # nothing of the database
    assert CLIENT_SECRET not in text


def test_the_default_fake_user_without_a_session_is_logged_out(site):
    site(AUTH)
    at = _run("overview", None)  # AppTest's default user: an e-mail, no session
    assert _buttons(at) == [LOGIN_KO] and not _shows_data(at)


def test_login_strings_follow_the_language(site):
    site(AUTH)
    at = _run("overview", {"is_logged_in": False}, {"lang": "en"})
    assert _buttons(at) == [LOGIN_EN]


def test_the_login_button_starts_the_oidc_flow(site):
    site(AUTH)
    at = _run("overview", {"is_logged_in": False})
    at.button[0].click().run()
    assert not at.exception, exception_texts(at)
    assert not error_texts(at), error_texts(at)


def test_a_misconfigured_auth_section_is_reported_without_its_secrets(site):
    site(AUTH.replace('cookie_secret = "cookie-secret-never-shown-0815"\n', ""))
    at = _run("overview", {"is_logged_in": False})
    at.button[0].click().run()
    assert not at.exception, exception_texts(at)
    assert any("cookie_secret" in e for e in error_texts(at)), error_texts(at)
    assert CLIENT_SECRET not in tree_text(at)
    assert not _shows_data(at)


def test_named_providers_get_one_button_each(site):
    site("""
[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "x"
[auth.google]
client_id = "a"
client_secret = "b"
server_metadata_url = "https://accounts.google.com/.well-known/openid-configuration"
[auth.microsoft]
client_id = "c"
client_secret = "d"
server_metadata_url = "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration"
""")
    at = _run("overview", {"is_logged_in": False}, {"lang": "en"})
    assert _buttons(at) == ["Log in with google", "Log in with microsoft"]


def test_auth_given_through_at_secrets_gates_too(site):
    site(None)
    at = app("overview")
    at.secrets["auth"] = {"redirect_uri": "http://x/oauth2callback", "cookie_secret": "y",
                          "client_id": "z", "client_secret": "w",
                          "server_metadata_url": "https://x/.well-known/openid-configuration"}
    at.user = {"is_logged_in": False}
    at.run()
    assert _buttons(at) == [LOGIN_KO] and not _shows_data(at)


# --------------------------------------------------------------------------- logged in


@pytest.mark.parametrize("email", ["ops@kra.example", "OPS@KRA.example",
                                   "someone@staff.kra.example"])
def test_allowed_accounts_get_in(site, email):
    site(AUTH + ALLOW)
    at = _run("overview", {"is_logged_in": True, "email": email, "email_verified": True})
    assert not at.exception, exception_texts(at)
    assert _shows_data(at)
    assert any(email in c.value for c in at.sidebar.caption)
    assert "로그아웃" in _buttons(at)


@pytest.mark.parametrize("page", ["race", "jobs", "check"])
def test_allowed_accounts_get_in_on_every_page(site, page):
    site(AUTH + ALLOW)
    at = _run(page, {"is_logged_in": True, "email": "ops@kra.example"})
    assert not at.exception, exception_texts(at)
    assert at.sidebar.children and LOGIN_KO not in _buttons(at)


@pytest.mark.parametrize("email", [
    "mallory@evil.example",
    "ops@kra.example.evil.example",   # the allowed address as a prefix
    "ops@kra.example@evil.example",    # two @
    "x@sub.staff.kra.example",         # sub-domains are not included
    "staff.kra.example@evil.example",  # the domain as the local part
    "",                                # no e-mail claim at all
])
def test_other_accounts_are_refused_and_see_no_data(site, email):
    site(AUTH + ALLOW)
    at = _run("overview", {"is_logged_in": True, "email": email})
    assert not at.exception, exception_texts(at)
    assert not _shows_data(at) and not at.sidebar.children
    assert any("권한이 없습니다" in e for e in error_texts(at)), error_texts(at)
    assert _buttons(at) == ["로그아웃"]


def test_an_unverified_address_is_refused(site):
    site(AUTH + ALLOW)
    at = _run("overview", {"is_logged_in": True, "email": "ops@kra.example",
                           "email_verified": False})
    assert not _shows_data(at)
    assert any("인증되지 않았습니다" in e for e in error_texts(at))


def test_logout_returns_to_the_login_button(site):
    site(AUTH + ALLOW)
    at = _run("overview", {"is_logged_in": True, "email": "ops@kra.example"})
    at.button(key="kra_auth_logout").click().run()
    assert at.user.get("is_logged_in") is False
    at.run()
    assert _buttons(at) == [LOGIN_KO]


def test_the_environment_allow_list_is_merged(site, monkeypatch):
    site(AUTH + ALLOW)
    monkeypatch.setenv("KRA_ALLOWED_EMAILS", "boss@corp.example, second@corp.example")
    assert _shows_data(_run("overview", {"is_logged_in": True, "email": "boss@corp.example"}))
    assert _shows_data(_run("overview", {"is_logged_in": True, "email": "ops@kra.example"}))
    assert not _shows_data(_run("overview", {"is_logged_in": True, "email": "x@corp.example"}))


def test_without_an_allow_list_every_logged_in_account_gets_in(site):
    site(AUTH)
    assert _shows_data(_run("overview", {"is_logged_in": True, "email": "anyone@x.example"}))


# --------------------------------------------------------------------------- fails closed


def test_an_allow_list_without_auth_fails_closed(site, monkeypatch):
    site(None)
    monkeypatch.setenv("KRA_ALLOWED_DOMAINS", "kra.example")
    at = _run("overview", {"is_logged_in": True, "email": "ops@kra.example"})
    assert not _shows_data(at)
    assert any("[auth]" in e for e in error_texts(at))


def test_a_broken_secrets_file_that_mentions_auth_fails_closed(site):
    site(AUTH + "\n[kra\nallowed_emails = ")
    at = _run("overview", {"is_logged_in": True, "email": "ops@kra.example"})
    assert not at.exception, exception_texts(at)
    assert not _shows_data(at)
    assert any("[auth]" in e for e in error_texts(at)), error_texts(at)


# --------------------------------------------------------------------------- units


def test_allow_list_parsing_and_matching():
    emails, domains = allow_lists(
        {"kra": {"allowed_emails": ["A@X.example"], "allowed_domains": "@y.example, z.example"}},
        {"KRA_ALLOWED_EMAILS": "b@x.example;c@x.example", "KRA_ALLOWED_DOMAINS": ""},
    )
    assert emails == {"a@x.example", "b@x.example", "c@x.example"}
    assert domains == {"y.example", "z.example"}
    assert is_allowed("a@x.example", emails, domains)
    assert is_allowed(" Someone@Y.example ", emails, domains)
    assert not is_allowed("a@x.example.evil", emails, domains)
    assert not is_allowed("someone@sub.y.example", emails, domains)
    assert not is_allowed("", emails, domains)
    assert is_allowed("anyone@anything.example", set(), set())  # no list: everybody


@pytest.mark.parametrize(("claim", "shown"), [
    ("ops@kra.example", "` ops@kra.example `"),
    ("[**x**](http://evil.example)@e.example", "` [**x**](http://evil.example)@e.example `"),
    ("a`b``c@e.example", "``` a`b``c@e.example ```"),   # a longer fence than any run
    ("x\n# heading\r\n@e.example", "` x # heading @e.example `"),  # one line
    ("x" * 300, "` " + "x" * 254 + "… `"),            # bounded
])
def test_identity_claims_are_shown_as_code_spans(claim, shown):
    """A code span shows its content literally: no Markdown, no autolink, no LaTeX."""
    assert _as_text(claim) == shown
