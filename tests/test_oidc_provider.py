"""The test OpenID Connect provider (tests/oidc_provider.py) refuses what a real one refuses.

The browser login test is only worth something if the provider it signs in with checks the
client secret, the redirect URI, the PKCE verifier and one-time codes, and signs ID tokens
that verify against its published keys. Plain HTTP against the running server.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.oidc_provider import OidcProvider

CLIENT_ID, CLIENT_SECRET = "dash", "s3cret-for-the-provider-test"
REDIRECT = "http://127.0.0.1:9/oauth2callback"
ACCOUNT = {"email": "ops@kra.example", "email_verified": False}
# Straight to 127.0.0.1, whatever proxy the environment names.
GET = functools.partial(httpx.get, trust_env=False, timeout=10)
POST = functools.partial(httpx.post, trust_env=False, timeout=10)


@pytest.fixture(scope="module")
def idp(start_idp) -> OidcProvider:  # noqa: ANN001
    return start_idp(CLIENT_ID, CLIENT_SECRET, REDIRECT, account=dict(ACCOUNT))


def _authorization(verifier: str, **overrides: str) -> dict[str, str]:
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT,
            "scope": "openid email", "state": "st-1", "nonce": "n-1",
            "code_challenge": challenge.rstrip(b"=").decode(),
            "code_challenge_method": "S256", **overrides}


def _code(idp: OidcProvider, verifier: str) -> str:
    """Sign in at the provider as the browser's form post does; the code it redirects with."""
    resp = POST(f"{idp.issuer}/authorize", data=_authorization(verifier))
    assert resp.status_code == 302
    location = urlsplit(resp.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["st-1"]
    return query["code"][0]


def _exchange(idp: OidcProvider, code: str, verifier: str, *, secret: str = CLIENT_SECRET,
              redirect: str = REDIRECT) -> httpx.Response:
    return POST(f"{idp.issuer}/token", auth=(CLIENT_ID, secret), data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
        "code_verifier": verifier})


def test_a_correct_exchange_returns_an_id_token_signed_with_the_published_key(idp):
    verifier = secrets.token_urlsafe(32)
    resp = _exchange(idp, _code(idp, verifier), verifier)
    assert resp.status_code == 200, resp.text
    meta = GET(idp.metadata_url).json()
    keys = KeySet.import_key_set(GET(meta["jwks_uri"]).json())
    token = jwt.decode(resp.json()["id_token"], keys, algorithms=["RS256"])
    assert token.header["alg"] == "RS256"
    claims = token.claims
    assert (claims["iss"], claims["aud"], claims["nonce"]) == (idp.issuer, CLIENT_ID, "n-1")
    assert (claims["email"], claims["email_verified"]) == ("ops@kra.example", False)
    assert claims["exp"] > claims["iat"]
    info = GET(meta["userinfo_endpoint"],
                     headers={"Authorization": f"Bearer {resp.json()['access_token']}"})
    assert info.json()["email"] == "ops@kra.example"


@pytest.mark.parametrize(("change", "status"), [
    ({"secret": "wrong"}, 401),
    ({"verifier": "not-the-verifier"}, 400),
    ({"redirect": "http://127.0.0.1:9/elsewhere"}, 400),
    ({"code": "made-up"}, 400),
])
def test_a_wrong_exchange_is_refused(idp, change, status):
    verifier = secrets.token_urlsafe(32)
    code = change.pop("code", None) or _code(idp, verifier)
    use = change.pop("verifier", verifier)
    resp = _exchange(idp, code, use, **change)
    assert resp.status_code == status, resp.text
    assert "id_token" not in resp.json()


def test_a_code_works_once(idp):
    verifier = secrets.token_urlsafe(32)
    code = _code(idp, verifier)
    assert _exchange(idp, code, verifier).status_code == 200
    assert _exchange(idp, code, verifier).status_code == 400


@pytest.mark.parametrize("overrides", [
    {"redirect_uri": "http://evil.example/oauth2callback"},
    {"client_id": "someone-else"},
    {"code_challenge_method": "plain"},
    {"nonce": ""},
    {"scope": "email"},
])
def test_a_bad_authorization_request_is_refused_without_a_redirect(idp, overrides):
    params = _authorization("v", **overrides)
    for resp in (GET(f"{idp.issuer}/authorize", params=params),
                 POST(f"{idp.issuer}/authorize", data=params)):
        assert resp.status_code == 400
        assert "location" not in resp.headers
