"""The one place that keeps passwords out of text: URL masking and removal of known secrets.

Every surface (pages, CLI, diagnosis, login errors) calls these functions instead of its
own copy, so a fix here protects all of them. Two layers:

* structural: in anything that looks like a URL, everything between ``://`` and the last
  ``@`` on that line (after the user name, when it is unambiguous; an ``@`` followed by a
  space is prose) becomes ``***``, as do ``password=`` values and ``user:password@host``
  without a scheme;
* by value: every known form of the configured password (raw, percent-encoded, form-encoded)
  is removed wherever it stands.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote, quote_plus, unquote

from sqlalchemy.engine import URL, make_url

MASK = "***"

# A scheme followed by ://, e.g. postgresql+asyncpg:// or https://.
_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*://", re.I)
# password=VALUE in a URL query (?password=, &password=) or a libpq key/value string;
# a quoted value may hold spaces.
_KEYWORD_PASSWORD = re.compile(
    r"(?P<head>(?<![\w])password\s*=\s*)(?P<pw>'(?:[^'\\]|\\.)*'?|[^&\s;,)\]}\"']*)", re.I
)
# user:password@host without a scheme (a pasted fragment): from a word's start to its last
# @ before a host; ":" followed by "//" is a scheme, handled above.
_SCHEMELESS = re.compile(r"(?<![^\s'\"(<\[=])(?P<user>[\w.\-]+):(?!//)\S*@(?=[\w\[])")
_USERINFO_AT = re.compile(r"@(?!\s)")
# Shorter secrets are only removed where they stand alone (a one-letter password replaced
# everywhere would turn "expired" into "ex***ired").
SHORT_SECRET = 4
# url_secrets leaves passwords this short to the structural masking alone.
URL_SECRET_MIN_LENGTH = 4


def _mask_userinfo(userinfo: str) -> str:
    """``user:password`` -> ``user:***``; a user name that is itself ambiguous (holds an
    ``@``) or that has no password after it but an ``@`` inside goes too."""
    user, colon, _password = userinfo.partition(":")
    if colon and "@" not in user:
        return f"{user}:{MASK}"
    if not colon and "@" not in userinfo:
        return userinfo  # a user name without a password: nothing secret
    return MASK


def _userinfo_end(rest: str) -> int:
    """Where the userinfo after ``://`` ends, -1 for none: the last ``@`` before the next URL
    on the line (a password may hold ``@``, spaces and anything else, so only the last one
    can end it), skipping an ``@`` followed by white space, which is prose ("@ -> %40")."""
    ends = [m.start() for m in _USERINFO_AT.finditer(rest)]
    if ends:
        return ends[-1]
    return re.match(r"\S*", rest).group(0).rfind("@")  # "postgresql://u:pw@ (cut off)"


def _mask_text(text: str) -> str:
    """Mask the userinfo of every URL-looking part of free text, line by line."""
    out = []
    for line in text.splitlines(keepends=True):
        starts = list(_SCHEME.finditer(line))
        if not starts:
            out.append(line)
            continue
        pieces = [line[: starts[0].start()]]
        for i, match in enumerate(starts):
            end = starts[i + 1].start() if i + 1 < len(starts) else len(line)
            rest = line[match.end() : end]
            at = _userinfo_end(rest)
            if at >= 0:
                rest = _mask_userinfo(rest[:at]) + rest[at:]
            pieces.append(match.group(0) + rest)
        out.append("".join(pieces))
    return "".join(out)


def mask_url(url: URL | str | None) -> str:
    """Render a URL (object or any text holding URLs) with every password as ``***``.

    Works on strings that do not even parse, so a broken URL can be quoted in an error:
    everything between ``://`` and the last ``@`` (after an unambiguous user name) and every
    ``password=`` value is masked.
    """
    if url is None:
        return ""
    if isinstance(url, URL):
        return _KEYWORD_PASSWORD.sub(_mask_keyword, url.render_as_string(hide_password=True))
    # password= first: its value may hold an @ that would otherwise end a userinfo early.
    text = _KEYWORD_PASSWORD.sub(_mask_keyword, str(url))
    return _SCHEMELESS.sub(rf"\g<user>:{MASK}@", _mask_text(text))


def _mask_keyword(match: re.Match) -> str:
    return f"{match.group('head')}{MASK}" if match.group("pw") else match.group(0)


def mask_single_url(text: str) -> str:
    """Mask a string known to be one URL: everything between ``://`` and the last ``@``
    (the user name stays when it is unambiguous), whatever lies in between.

    Stricter than :func:`mask_url`, which works line by line in free text; here a password
    with spaces, newlines or stray ``@`` must not leak into the error that rejects it.
    """
    scheme, sep, rest = text.partition("://")
    if not sep or "@" not in rest:
        return mask_url(text)
    userinfo, _, hostpart = rest.rpartition("@")
    return f"{scheme}://{_mask_userinfo(userinfo)}@{mask_url(hostpart)}"


def strip_secrets(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """Replace every known secret in ``text`` by ``***`` (longest first); secrets shorter
    than four characters only where they stand alone as a word."""
    out = str(text)
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        if len(secret) >= SHORT_SECRET:
            out = out.replace(secret, MASK)
        else:
            out = re.sub(rf"(?<![\w]){re.escape(secret)}(?![\w])", MASK, out)
    return out


def redact(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """Remove every URL password and every known secret from ``text``."""
    return strip_secrets(mask_url(str(text)), secrets)


def secret_forms(*passwords: str | None, min_length: int = 1) -> tuple[str, ...]:
    """Every form in which ``passwords`` could appear in text (raw, percent-encoded with and
    without ``/`` kept, form-encoded, decoded), longest first."""
    forms: set[str] = set()
    for pw in passwords:
        if not pw:
            continue
        for form in (pw, quote(pw, safe=""), quote(pw), quote_plus(pw), unquote(pw)):
            if form and len(form) >= min_length:
                forms.add(form)
    return tuple(sorted(forms, key=len, reverse=True))


def _raw_passwords(raw: str) -> list[str]:
    """Password candidates of a raw URL string, even one that does not parse."""
    out = []
    for pattern in (r"://[^:/@\s]*:(.*)@", r"://[^:/@\s]*:([^@\s]*)@",
                    r"[?&\s]password\s*=\s*([^&\s]*)"):
        match = re.search(pattern, raw, re.I | re.S)
        if match and match.group(1):
            out.append(match.group(1))
    _scheme, sep, rest = raw.partition("://")
    userinfo = rest.rpartition("@")[0] if sep else ""
    if ":" in userinfo:  # everything after the user up to the last @, as mask_single_url
        out.append(userinfo.partition(":")[2])
    return out


def url_secrets(raw: str | None) -> tuple[str, ...]:
    """Every form of the password of a raw URL (even one that does not parse), longest
    first, to remove from any text shown; passwords shorter than 4 characters are left to
    the structural URL masking."""
    if not raw:
        return ()
    passwords = _raw_passwords(raw)
    try:
        passwords.append(make_url(raw.strip()).password)
    except Exception:  # noqa: BLE001 - unparseable: the raw candidates are all we have
        pass
    return secret_forms(*passwords, min_length=URL_SECRET_MIN_LENGTH)


#: The loggers of the HTTP client libraries, which print request URLs and headers.
HTTP_LOGGERS = ("httpx", "httpcore", "httpcore.connection", "httpcore.http11",
                "httpcore.http2", "httpcore.proxy")


class RedactingFilter(logging.Filter):
    """Rewrites a log record so that none of ``secrets`` shows, whatever it prints."""

    def __init__(self, secrets: tuple[str, ...], owner: str) -> None:
        super().__init__()
        self.secrets, self.owner = secrets, owner

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is still redacted, never dropped
            message = str(record.msg)
        clean = redact(message, self.secrets)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def guard_logs(secrets: tuple[str, ...], *, owner: str,
               names: tuple[str, ...] = HTTP_LOGGERS) -> None:
    """Install ``owner``'s redacting filter on the loggers ``names``, replacing the one it
    installed before; other owners' filters (other secrets) stay."""
    for name in names:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters
                    if isinstance(f, RedactingFilter) and f.owner == owner]:
            logger.removeFilter(old)
        logger.addFilter(RedactingFilter(secrets, owner))
