"""Who may ask the collector for work from the dashboard. Fails closed.

* No collector API configured: nobody (the dashboard is exactly the read-only one).
* With the login gate (``[auth]``): a signed-in user whose address is on the operators
  allow-list, ``KRA_OPERATOR_EMAILS`` / ``KRA_OPERATOR_DOMAINS`` or ``[kra]
  operator_emails`` / ``operator_domains`` (merged). An empty list admits nobody.
* Without the login gate nobody can be identified, so: nobody, unless the server listens
  on loopback only and ``KRA_LOCAL_OPERATOR=1`` is set (one person on a laptop).

Everyone else sees the same state, never a button.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..settings import as_list

EMAILS_ENV = "KRA_OPERATOR_EMAILS"
DOMAINS_ENV = "KRA_OPERATOR_DOMAINS"
LOCAL_ENV = "KRA_LOCAL_OPERATOR"
LOCAL_ACTOR = "local-operator"
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Access:
    """Whether actions are shown; ``reason`` says why (one word), ``actor`` is who acts
    (for the audit line)."""

    allowed: bool
    reason: str
    actor: str | None = None


def operator_lists(secrets: Mapping[str, Any],
                   environ: Mapping[str, str] | None = None) -> tuple[set[str], set[str]]:
    """The operators' e-mail addresses and domains (lower case), env and secrets merged."""
    env = os.environ if environ is None else environ
    kra = secrets.get("kra") if isinstance(secrets.get("kra"), Mapping) else {}
    emails = set(as_list(env.get(EMAILS_ENV))) | set(as_list(kra.get("operator_emails")))
    domains = set(as_list(env.get(DOMAINS_ENV))) | set(as_list(kra.get("operator_domains")))
    return emails, {d.lstrip("@") for d in domains}


def local_operator_flag(environ: Mapping[str, str] | None = None) -> bool:
    """``KRA_LOCAL_OPERATOR`` is set to 1 (true, yes, on)."""
    env = os.environ if environ is None else environ
    return (env.get(LOCAL_ENV) or "").strip().lower() in _TRUE


def is_loopback_only(address: object) -> bool:
    """Whether a listen address (Streamlit's ``server.address``) accepts only this
    machine. Empty/None means every interface (Streamlit's default): not loopback."""
    text = str(address or "").strip().strip("[]")
    if text.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def is_operator(email: str, emails: set[str], domains: set[str]) -> bool:
    """Whether ``email`` is on the operators list; an empty list holds nobody."""
    address = email.strip().lower()
    if address.count("@") != 1 or not address.split("@")[0]:
        return False
    return address in emails or address.rsplit("@", 1)[1] in domains


def may_act(*, api_configured: bool, login_configured: bool, email: str | None,
            operator_emails: set[str], operator_domains: set[str],
            server_address: object, local_operator: bool) -> Access:
    """Decide whether this visitor gets action buttons (see the module docstring)."""
    if not api_configured:
        return Access(False, "api_not_configured")
    if login_configured:
        address = (email or "").strip()
        if not address:
            return Access(False, "signed_out")
        if not operator_emails and not operator_domains:
            return Access(False, "no_operators")
        if not is_operator(address, operator_emails, operator_domains):
            return Access(False, "not_operator")
        return Access(True, "operator", address.lower())
    if not local_operator:
        return Access(False, "no_login")
    if not is_loopback_only(server_address):
        return Access(False, "not_loopback")
    return Access(True, "local_operator", LOCAL_ACTOR)
