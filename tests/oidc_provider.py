"""OIDC plugin: a small OpenID Connect provider for the login tests.

A real HTTP server on 127.0.0.1 and a free port, in a thread, that speaks the
authorization-code flow the way Streamlit's ``st.login`` (Authlib) expects it:

- ``/.well-known/openid-configuration``: the discovery document (S256 PKCE advertised,
  so Streamlit sends a code challenge),
- ``/authorize``: GET shows a one-button sign-in page for the configured account (the
  browser test clicks it), POST issues a one-time code and redirects to ``redirect_uri``,
- ``/token``: checks the client secret (Basic or form), the code, the redirect URI and
  the PKCE verifier, and answers with an RS256-signed ID token carrying the ``nonce``,
- ``/jwks``, ``/userinfo``.

Anything it does not accept is answered with a 400/401 and recorded in ``rejections``, so
a test can tell a refused login from a login that never reached the provider.

    with OidcProvider("client", "secret", "http://127.0.0.1:8501/oauth2callback") as idp:
        idp.account = {"email": "ops@kra.example", "email_verified": True}
        ... secrets: server_metadata_url = idp.metadata_url

Registered in ``tests/conftest.py``: the fixture ``start_idp(client_id, client_secret,
redirect_uri, **fields)`` starts providers that stop at the end of the test module.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

KEY_ID = "kra-test-idp-1"
APPROVE_BUTTON = "#approve"


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    nonce: str
    code_challenge: str
    scope: str
    claims: dict[str, Any]


@dataclass
class OidcProvider:
    """The provider; use as a context manager (starts and stops the server)."""

    client_id: str
    client_secret: str
    redirect_uri: str
    #: the claims of the account the sign-in page signs in (``sub`` defaults to the e-mail)
    account: dict[str, Any] = field(default_factory=dict)
    #: "METHOD /path" of every request served, in order
    requests: list[str] = field(default_factory=list)
    #: why a request was refused, in order
    rejections: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._key = RSAKey.generate_key(
            2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"}, private=True
        )
        self._codes: dict[str, _Grant] = {}
        self._tokens: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------------- lifecycle

    def __enter__(self) -> OidcProvider:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        handler = type("Handler", (_Handler,), {"provider": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="oidc-provider", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def issuer(self) -> str:
        assert self._server is not None, "provider not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                      "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "email_verified", "name"],
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self._key.as_dict(private=False)]}

    # ----------------------------------------------------------------------- the flow

    def check_authorization(self, params: dict[str, str]) -> str | None:
        """Why an authorization request is refused, or None when it is acceptable."""
        if params.get("response_type") != "code":
            return "response_type must be code"
        if params.get("client_id") != self.client_id:
            return "unknown client_id"
        if params.get("redirect_uri") != self.redirect_uri:
            return "redirect_uri is not registered"
        if "openid" not in params.get("scope", "").split():
            return "scope lacks openid"
        for name in ("state", "nonce", "code_challenge"):
            if not params.get(name):
                return f"{name} missing"
        if params.get("code_challenge_method") != "S256":
            return "code_challenge_method must be S256"
        return None

    def issue_code(self, params: dict[str, str]) -> str:
        claims = dict(self.account)
        claims.setdefault("sub", str(claims.get("email") or "anonymous"))
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Grant(params["client_id"], params["redirect_uri"],
                                       params["nonce"], params["code_challenge"],
                                       params.get("scope", "openid"), claims)
        return code

    def exchange(self, form: dict[str, str], authorization: str | None
                 ) -> tuple[int, dict[str, Any]]:
        """The token endpoint: (HTTP status, JSON body)."""
        client_id, client_secret = _client_credentials(form, authorization)
        if client_id != self.client_id or client_secret != self.client_secret:
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None or grant.client_id != client_id:
            return 400, {"error": "invalid_grant", "error_description": "unknown code"}
        if form.get("redirect_uri") != grant.redirect_uri:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri"}
        if _s256(form.get("code_verifier", "")) != grant.code_challenge:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verifier"}
        now = int(time.time())
        id_claims = {**grant.claims, "iss": self.issuer, "aud": self.client_id,
                     "iat": now, "exp": now + 300, "auth_time": now, "nonce": grant.nonce}
        id_token = jwt.encode({"alg": "RS256", "kid": KEY_ID}, id_claims, self._key)
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[access_token] = grant.claims
        return 200, {"access_token": access_token, "token_type": "Bearer",
                     "expires_in": 300, "scope": grant.scope, "id_token": id_token}

    def userinfo(self, authorization: str | None) -> dict[str, Any] | None:
        scheme, _, token = (authorization or "").partition(" ")
        with self._lock:
            return self._tokens.get(token) if scheme.lower() == "bearer" else None


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _client_credentials(form: dict[str, str], authorization: str | None
                        ) -> tuple[str | None, str | None]:
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() == "basic":
        try:
            user, _, password = base64.b64decode(value).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return None, None
        return unquote_plus(user), unquote_plus(password)
    return form.get("client_id"), form.get("client_secret")


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body>
<h1>Test identity provider</h1>
<p>Sign in to <b>{client}</b> as <b id="account">{email}</b>?</p>
<form method="post" action="/authorize">
{hidden}
<button id="approve" type="submit">Sign in</button>
</form>
</body></html>
"""


class _Handler(BaseHTTPRequestHandler):
    provider: OidcProvider
    server_version = "kra-test-idp"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass  # requests are recorded in provider.requests instead of stderr

    # -- plumbing

    def _record(self) -> tuple[str, dict[str, str]]:
        parts = urlsplit(self.path)
        self.provider.requests.append(f"{self.command} {parts.path}")
        return parts.path, dict(parse_qsl(parts.query))

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        return dict(parse_qsl(self.rfile.read(length).decode("utf-8", "replace")))

    def _send(self, status: int, body: str | dict[str, Any], content_type: str = "",
              headers: dict[str, str] | None = None) -> None:
        if isinstance(body, dict):
            data, content_type = json.dumps(body).encode(), "application/json"
        else:
            data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type or "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _refuse(self, status: int, reason: str) -> None:
        self.provider.rejections.append(f"{self.command} {urlsplit(self.path).path}: {reason}")
        self._send(status, f"<p>refused: {html.escape(reason)}</p>")

    # -- routes

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path, params = self._record()
        p = self.provider
        if path == "/.well-known/openid-configuration":
            self._send(200, p.metadata())
        elif path == "/jwks":
            self._send(200, p.jwks())
        elif path == "/userinfo":
            claims = p.userinfo(self.headers.get("Authorization"))
            if claims is None:
                self._refuse(401, "bad access token")
            else:
                self._send(200, claims)
        elif path == "/authorize":
            self._sign_in_page(params)
        else:
            self._send(404, "<p>not found</p>")

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        path, _ = self._record()
        form = self._form()
        p = self.provider
        if path == "/authorize":
            problem = p.check_authorization(form)
            if problem:
                self._refuse(400, problem)
                return
            query = urlencode({"code": p.issue_code(form), "state": form["state"]})
            self._send(302, "", headers={"Location": f"{form['redirect_uri']}?{query}"})
        elif path == "/token":
            status, body = p.exchange(form, self.headers.get("Authorization"))
            if status != 200:
                p.rejections.append(f"POST /token: {body.get('error')}")
            self._send(status, body)
        else:
            self._send(404, "<p>not found</p>")

    def _sign_in_page(self, params: dict[str, str]) -> None:
        problem = self.provider.check_authorization(params)
        if problem:
            self._refuse(400, problem)
            return
        hidden = "\n".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items()
        )
        email = str(self.provider.account.get("email") or "(no e-mail)")
        self._send(200, _PAGE.format(client=html.escape(self.provider.client_id),
                                     email=html.escape(email), hidden=hidden))


@pytest.fixture(scope="module")
def start_idp() -> Iterator[Callable[..., OidcProvider]]:
    """``start_idp(client_id, client_secret, redirect_uri, **fields)``: a running provider,
    stopped at the end of the test module."""
    started: list[OidcProvider] = []

    def start(*args: Any, **fields: Any) -> OidcProvider:
        provider = OidcProvider(*args, **fields)
        provider.start()
        started.append(provider)
        return provider

    try:
        yield start
    finally:
        for provider in started:
            provider.stop()
