"""The real login: Streamlit's ``st.login`` against a local OpenID Connect provider, in Chromium.

One ``streamlit run app.py`` (on the embedded demo) whose ``[auth]`` section points at the
provider of ``tests/oidc_provider.py``, a real HTTP server on 127.0.0.1. Each test presses the
dashboard's own login button, follows the redirect to the provider's sign-in page, signs in
there and comes back through ``/oauth2callback`` (Streamlit's code exchange with the client
secret and PKCE, the RS256 ID token checked against the provider's keys, the signed cookie)
to the page the gate then draws. Nothing of the identity is faked.

The secrets file is a temporary one named by ``STREAMLIT_SECRETS_FILES``, so a
``.streamlit/secrets.toml`` in the repository is neither read nor written. The allow-list is
the domain ``kra.example``, given in that file's ``[kra]`` section.

Skips without Chromium (fails with ``REQUIRE_BROWSER=1``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from status_core import demo
from status_core.text import t
from tests import browser_support
from tests.browser_support import EXCEPTION, StreamlitServer, launch
from tests.oidc_provider import APPROVE_BUTTON, OidcProvider
from tests.pgcluster import free_port

pytestmark = pytest.mark.browser

LANG = "ko"
TIMEOUT_MS = 60_000
CLIENT_ID = "kra-dashboard"
CLIENT_SECRET = "client-secret-never-shown-4711-q9Zr"
COOKIE_SECRET = "cookie-secret-never-shown-0815-Lm3vX8pT2kWc7nQ4"
SECRETS = (CLIENT_SECRET, COOKIE_SECRET)
USER_COOKIE = "_streamlit_user"

LOGIN = t("auth.login_button", LANG)
LOGOUT = t("auth.logout_button", LANG)
MAIN = '[data-testid="stMain"]'
SIDEBAR = '[data-testid="stSidebar"]'
DATA = '[data-testid="stMetric"], [data-testid="stDataFrame"]'
ALERT = f'{MAIN} [data-testid="stAlert"]'


@dataclass
class Site:
    server: StreamlitServer
    idp: OidcProvider


def _secrets_toml(port: int, metadata_url: str) -> str:
    return f"""
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "{COOKIE_SECRET}"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
server_metadata_url = "{metadata_url}"

[kra]
allowed_domains = ["kra.example"]
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory, chromium_path, start_idp) -> Iterator[Site]:  # noqa: ANN001, ARG001
    tmp: Path = tmp_path_factory.mktemp("login")
    port = free_port()
    idp = start_idp(CLIENT_ID, CLIENT_SECRET, f"http://127.0.0.1:{port}/oauth2callback")
    secrets_file = tmp / "secrets.toml"
    secrets_file.write_text(_secrets_toml(port, idp.metadata_url), encoding="utf-8")
    env = {"KRA_DEMO_PATH": str(tmp / "demo.sqlite"),
           "STREAMLIT_SECRETS_FILES": str(secrets_file),
           # the server's own calls to the provider must not go through a proxy
           "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    server = launch(env, tmp / "home", port=port)
    try:
        demo.ensure_demo(tmp / "demo.sqlite")  # while the server imports
        server.wait_healthy(90)
        yield Site(server, idp)
    finally:
        server.stop()


# --------------------------------------------------------------------------- helpers


def settle(page, *selectors: str) -> None:  # noqa: ANN001
    """Wait for ``selectors``, then for the script to be idle, twice."""
    browser_support.settle(page, *selectors)


def buttons(page, where: str = MAIN) -> list[str]:  # noqa: ANN001
    return [s.strip() for s in
            page.locator(f'{where} [data-testid="stButton"] button').all_inner_texts()]


def assert_clean(page, site: Site) -> None:  # noqa: ANN001
    """No exception element, and no secret in the page's HTML or the server's log."""
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()
    html, log = page.content(), site.server.log()
    for secret in SECRETS:
        assert secret not in html
        assert secret not in log


def open_logged_out(page, site: Site) -> None:  # noqa: ANN001
    """Open the dashboard without a login: only the login button, no data, no sidebar."""
    page.goto(site.server.url("/"))
    settle(page, f'{MAIN} [data-testid="stButton"]')
    assert buttons(page) == [LOGIN]
    assert page.locator(DATA).count() == 0
    assert page.locator(f'{SIDEBAR} [data-testid="stSidebarUserContent"] *').count() == 0
    assert t("auth.login_required", LANG) in page.locator(MAIN).inner_text()
    assert_clean(page, site)


def sign_in(page, site: Site, account: dict) -> None:  # noqa: ANN001
    """Press the login button, sign in at the provider as ``account``, come back."""
    site.idp.account = account
    exchanges = site.idp.requests.count("POST /token")
    open_logged_out(page, site)
    with page.expect_response(lambda r: "/auth/login?" in r.url) as login:
        page.locator(f'{MAIN} [data-testid="stButton"] button').click()
    # Streamlit's login route redirects to the provider (500 when httpx is missing)
    assert login.value.status == 302, f"/auth/login answered {login.value.status}"
    page.wait_for_url(f"{site.idp.issuer}/authorize?**")
    assert page.locator("#account").inner_text() == str(account.get("email"))
    page.locator(APPROVE_BUTTON).click()
    page.wait_for_url(f"{site.server.base_url}/**")
    settle(page, f'{MAIN} [data-testid="stHeading"], {ALERT}')
    assert site.idp.requests.count("POST /token") == exchanges + 1  # Streamlit's exchange
    assert site.idp.rejections == [], site.idp.rejections
    assert any(c["name"] == USER_COOKIE for c in page.context.cookies())


# --------------------------------------------------------------------------- tests


def test_an_admitted_account_signs_in_and_sees_the_overview(site, page):
    email = "ops@kra.example"
    sign_in(page, site, {"email": email, "email_verified": True, "name": "Ops"})
    settle(page, '[data-testid="stMetric"]')
    main = page.locator(MAIN).inner_text()
    assert page.locator(f"{MAIN} h1").first.inner_text() == t("app.title", LANG)
    assert t("overview.table", LANG) in main
    assert page.locator('[data-testid="stMetric"]').count() >= 6
    assert page.locator(ALERT).count() == 0
    sidebar = page.locator(SIDEBAR).inner_text()
    assert t("auth.signed_in_as", LANG, email=email) in sidebar
    assert LOGOUT in buttons(page, SIDEBAR)
    assert_clean(page, site)


REFUSED = [
    pytest.param({"email": "mallory@evil.example", "email_verified": True},
                 "auth.refused", id="not-on-the-allow-list"),
    pytest.param({"email": "ops@kra.example", "email_verified": False},
                 "auth.unverified", id="email-not-verified"),
    pytest.param({"email": "[**ops**](http://127.0.0.1:9/x)@evil.example",
                  "email_verified": True},
                 "auth.refused", id="markdown-in-the-email-claim"),
]


@pytest.mark.parametrize(("account", "message"), REFUSED)
def test_a_refused_account_sees_why_and_no_data(site, page, account, message):
    sign_in(page, site, account)
    settle(page, ALERT)
    alert = page.locator(ALERT)
    assert alert.count() == 1
    assert alert.inner_text().strip() == t(message, LANG, email=account["email"])
    assert alert.locator("a, strong, img").count() == 0, alert.inner_html()  # text, not Markdown
    assert alert.locator("code").inner_text() == account["email"]
    assert buttons(page) == [LOGOUT]
    assert page.locator(DATA).count() == 0
    assert page.locator(f'{SIDEBAR} [data-testid="stSidebarUserContent"] *').count() == 0
    assert_clean(page, site)


def test_logout_after_a_real_login_shows_the_login_button_again(site, page):
    sign_in(page, site, {"email": "ops@kra.example", "email_verified": True})
    settle(page, '[data-testid="stMetric"]')
    page.locator(f'{SIDEBAR} [data-testid="stButton"] button', has_text=LOGOUT).click()
    # st.logout sends the browser to /auth/logout, which clears the cookie and redirects
    page.locator(f'{MAIN} [data-testid="stButton"] button', has_text=LOGIN).wait_for()
    settle(page)
    assert buttons(page) == [LOGIN]
    assert page.locator(DATA).count() == 0
    assert not any(c["name"] == USER_COOKIE for c in page.context.cookies())
    page.reload()
    settle(page, f'{MAIN} [data-testid="stButton"]')
    assert buttons(page) == [LOGIN]
    assert_clean(page, site)
