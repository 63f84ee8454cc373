"""Words a user reads, in a real browser on a phone-sized screen, in both languages.

Chromium at 390 x 844 opens every page (overview, race, jobs, DB check, reliability) in
Korean and in English against a real ``streamlit run`` on the demo, presses the DB check's
button there, and once more on a server whose ``DATABASE_URL`` has a wrong password for the
throwaway PostgreSQL cluster. What the user can read (``document.body.innerText`` plus the
placeholders, ARIA labels and titles of the page) must hold:

- no ``None`` / ``nan`` / ``NaT`` (an empty value is "-");
- no raw placeholder token such as ``<n>``;
- in Korean, no English word outside :data:`KO_ALLOWED`;
- in English, no Hangul outside :data:`EN_ALLOWED_HANGUL`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from status_core import demo
from status_core.attention import normalise_error
from status_core.text import t
from tests import browser_support
from tests.browser_support import BROWSER_TIMEZONE, ROOT, start_servers
from tests.pgcluster import READER

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 90_000
NOW = dt.datetime.now(dt.UTC)

#: Page paths; the defaults (no query) are what a new user opens.
PAGES = {"overview": "/", "race": "/race", "jobs": "/jobs", "check": "/check",
         "reliability": "/reliability"}

#: English words allowed in the Korean UI, each a proper name, a unit or a technical
#: name staff type or read as it is. Compared case-sensitively, whole words.
KO_ALLOWED = frozenset({
    "KRA",  # the Korea Racing Authority, the data's source
    "DB", "SQL", "PostgreSQL", "SQLite", "Supabase",  # products by their names
    "API", "URL", "CSV", "KST", "UTC", "DNS", "TCP", "IP", "ID", "PNG",  # acronyms as used
    "ms", "s", "KiB",  # units of durations and sizes ("120 ms", "2904 KiB")
    "races", "jobs",  # the collector's two tables, by the names they have in the database
    "D",  # "D+1 09:00": the deadline in the D-day notation Korean uses
    "English",  # the language switch offers English by its own name (as "한국어" in English)
})
#: Technical tokens shown as they are in any language: file names and paths, environment
#: variables, identifiers (snake_case), URLs, job ids, the CLI's command lines, Supabase's
#: own (English-only) menu path in the wrong-password hint, the configuration key
#: ``[connections.kra] url``.
_B, _E = r"(?<![A-Za-z0-9_])", r"(?![A-Za-z0-9_])"  # ASCII word edges (Hangul follows)
TOKEN_PATTERNS = (
    r"GET /api/\S+",  # the collector's API path
    r"[a-z][a-z0-9+]*://\S+",  # URLs (passwords masked by the app)
    r"\.?[\w.+-]*(?:/[\w.+-]+)+",  # paths: /tmp/.../demo.sqlite, .streamlit/secrets.toml
    _B + r"[\w.-]+\.(?:sql|sqlite|toml|csv|py|md|json)" + _E,  # file names
    _B + r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+" + _E,  # environment variables: DATABASE_URL
    _B + r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+" + _E,  # identifiers: auth_password, race_date
    _B + r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}" + _E,  # job ids (UUIDs)
    r"\bkra-status\b[^\n]*",  # the CLI's command lines
    r"\[connections\.kra\] url",  # the secrets file's key
    _B + r"[a-z]+\+[a-z]+" + _E,  # SQLAlchemy driver names: postgresql+psycopg
    r"%[0-9A-F]{2}",  # percent-encoding examples in the password hint: %40, %2F
    r"Project Settings → Database → Database password",  # Supabase's menu, as it reads
)
#: What the database server says, quoted after our own words (a search finds it as is).
SERVER_TEXT = (r'password authentication failed for user "[^"]*"',)
#: Streamlit's own text that no API lets us set (whole lines of the visible text, or the
#: whole ARIA label/title): the skip link, icon ligatures, the element toolbars, the
#: date picker's segments and ARIA names, the pickers' chips and buttons.
STREAMLIT_LINES = (
    r"Skip to main content", r"[a-z]+(?:_[a-z]+)*",  # icon ligatures: error, check, ...
    r"yyyy", r"mm", r"dd", r"Sidebar", r"Main menu", r"Expand sidebar", r"Collapse sidebar",
    r"Link to heading", r"Copy to clipboard", r"Show/hide columns", r"Download as CSV",
    r"Search", r"Fullscreen", r"Close fullscreen", r"Show data", r"Download as PNG",
    r"Download as SVG", r"Copy Vega-Lite spec", r"Vega visualization", r"Open in Vega Editor",
    r"Decrement", r"Increment", r"Clear all", r"Clear value", r"Open", r"Close",
    r"Selected values",
    r"Choose date range", r"Choose date", r"Help for .*", r"Remove .*",
    r"(?:year|month|day), .*",  # the date picker's segments ("year, 기간 start date")
    r".* (?:start|end) date",  # the range picker's halves
    r"Vega-Lite .*",  # the chart's own description of itself
)
#: Hangul allowed in the English UI: the language switch offers "한국어" by its own name.
EN_ALLOWED_HANGUL = frozenset({"한국어"})

MISSING = re.compile(r"\b(?:None|nan|NaN|NaT)\b")
RAW_TOKEN = re.compile(r"<[a-z]+>")
#: A date as stored (20261129) where a person reads one: the one format is 2026-11-29 (일).
RAW_DATE = re.compile(r"(?<![\w/=.:-])(?:19|20)\d{6}(?![\w-])")
HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]+")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_OWN_LINE = re.compile("|".join(f"(?:{p})" for p in STREAMLIT_LINES))

# The body's text without code blocks/inline code and the JSON viewer (machine text:
# commands, cause codes, the copyable report, the collector API's own values), plus every
# placeholder, ARIA label and title outside charts. (Vega writes its own English ARIA
# description of every mark and axis, from the encodings; not checked here.)
_READABLE = """() => {
  let text = document.body.innerText;
  // longest first: `status` must not cut a hole into `collection_status`
  const machine = [...document.querySelectorAll('code, pre, [data-testid="stJson"]')]
    .map(el => el.innerText.trim()).filter(Boolean).sort((a, b) => b.length - a.length);
  for (const inner of machine) text = text.split(inner).join(' ');
  const extra = [];
  // A chart label drawn as lines (one tspan each) reads as words, not run together.
  for (const el of document.querySelectorAll('svg text')) {
    const lines = [...el.querySelectorAll('tspan')].map(s => s.textContent);
    if (lines.length > 1) { text = text.split(el.textContent).join(' '); extra.push(lines.join(' ')); }
  }
  for (const el of document.querySelectorAll('[placeholder],[aria-label],[title]')) {
    if (el.closest('svg')) continue;
    for (const a of ['placeholder', 'aria-label', 'title']) {
      const v = el.getAttribute(a);
      if (v) extra.push(v);
    }
  }
  return text + '\\n' + extra.join('\\n');
}"""


def readable(page) -> str:  # noqa: ANN001
    """Everything on ``page`` a user can read: its text and the attributes read aloud or
    shown in an empty field."""
    return page.evaluate(_READABLE)


def problems(text: str, lang: str, stored: frozenset[str] = frozenset()) -> list[str]:
    """What in ``text`` breaks the rules for ``lang`` (empty: nothing); ``stored`` are
    the words of text the database holds (errors, job ids), shown as stored."""
    found = [f"missing value {m!r}" for m in MISSING.findall(text)]
    found += [f"raw token {m!r}" for m in RAW_TOKEN.findall(text)]
    found += [f"raw date {m!r}" for m in RAW_DATE.findall(text)]
    lines = [line.strip() for line in text.splitlines()]
    text = "\n".join(line for line in lines if not _OWN_LINE.fullmatch(line))
    if lang == "ko":
        for pattern in (*SERVER_TEXT, *TOKEN_PATTERNS):
            text = re.sub(pattern, " ", text)
        found += sorted({f"English {w!r}" for w in WORD.findall(text)
                         if w not in KO_ALLOWED and w not in stored})
    else:
        found += sorted({f"Hangul {w!r}" for w in HANGUL.findall(text)
                         if w not in EN_ALLOWED_HANGUL and w not in stored})
    return found


@pytest.mark.parametrize(("text", "lang", "want"), [
    ("마지막 갱신 None", "ko", ["missing value 'None'", "English 'None'"]),
    ("오류 <n>건", "ko", ["raw token '<n>'", "English 'n'"]),
    ("DB 점검 KST 120 ms DATABASE_URL race_date", "ko", []),
    ("results missing", "ko", ["English 'missing'", "English 'results'"]),
    ("Seoul (서울) 한국어", "en", ["Hangul '서울'"]),
    ("2026-02-14 (Sat) -", "en", []),
    ("Skip to main content\nHelp for 기간\nyear, 기간 start date\nerror\n점검", "ko", []),
    ("오류 Too Many Requests", "ko", []),  # stored: the collector's own error text
    ("비밀번호 오류: password authentication failed for user \"x\"", "ko", []),
    ("/tmp/a/demo.sqlite · sqlite+pysqlite:////tmp/x 2904 KiB", "ko", []),
    ("수집 collected 3", "ko", ["English 'collected'"]),
    ("20261101 ~ 2026-11-30 (월)", "ko", ["raw date '20261101'"]),
    ("수집 2026-11-01 (일) 12:00", "ko", []),
])
def test_the_rules_themselves(text, lang, want):  # noqa: ANN001
    assert problems(text, lang, frozenset({"Too", "Many", "Requests"})) == want


def stored_words(data: demo.DemoData) -> frozenset[str]:
    """Words of the text the demo stores and the pages show as stored: job ids, errors,
    steps, race names and warnings (not the statuses: those the pages translate)."""
    texts = [str(job.get(k) or "") for job in data.jobs
             for k in ("job_id", "error_message", "current_step")]
    texts += [str(race.get("race_name") or "") for race in data.races]
    texts += [str(w) for race in data.races for w in (race.get("warnings") or [])]
    # ... also as the error groups show them (normalised, numbers as "#")
    texts += [normalise_error(text).replace("<n>", "#") for text in texts]
    words = set()
    for text in texts:
        words.update(WORD.findall(text))
        words.update(HANGUL.findall(text))
    return frozenset(words)


# --------------------------------------------------------------------------- servers


@dataclass
class Servers:
    demo: object
    broken: object
    stored: frozenset[str] = frozenset()


@pytest.fixture(scope="module")
def servers(pg_cluster, chromium_path, tmp_path_factory) -> Iterator[Servers]:  # noqa: ANN001, ARG001
    if (ROOT / ".streamlit" / "secrets.toml").exists():
        pytest.skip("a .streamlit/secrets.toml in the repo would replace the demo")
    tmp = tmp_path_factory.mktemp("words")
    path = tmp / "demo.sqlite"
    db = pg_cluster.database()
    wrong = pg_cluster.url(READER, "not-the-password", db.name, scheme="postgresql")
    built: list[demo.DemoData] = []
    started = start_servers([{"KRA_DEMO_PATH": str(path)}, {"DATABASE_URL": wrong}],
                            tmp / "home",
                            while_starting=lambda: built.append(
                                demo.build_demo_file(path, now=NOW)))
    try:
        yield Servers(*started, stored=stored_words(built[0]))
    finally:
        for server in started:
            server.stop()
        db.drop()


@pytest.fixture(scope="module")
def phone(browser) -> Iterator[object]:  # noqa: ANN001
    context = browser.new_context(viewport=PHONE, timezone_id=BROWSER_TIMEZONE)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def settle(page) -> None:  # noqa: ANN001
    """The page drawn and its script idle, twice; no exception drawn."""
    browser_support.settle(page, '[data-testid="stMain"]', timeout=TIMEOUT_MS,
                           no_exception=True)


def press_check(page, lang: str) -> None:  # noqa: ANN001
    page.get_by_role("button", name=t("check.run", lang)).click()
    page.wait_for_timeout(500)
    settle(page)


def _dump(name: str, text: str) -> None:
    """With KRA_WORDS_DUMP=DIR, keep each page's text (to see what a failure saw)."""
    target = os.environ.get("KRA_WORDS_DUMP")
    if target:
        os.makedirs(target, exist_ok=True)
        with open(os.path.join(target, f"{name}.txt"), "w", encoding="utf-8") as out:
            out.write(text)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_page_speaks_one_language(servers, phone, lang):  # noqa: ANN001
    found: dict[str, list[str]] = {}
    query = "" if lang == "ko" else "?lang=en"
    for name, path in PAGES.items():
        phone.goto(servers.demo.url(path) + query)
        settle(phone)
        if name == "check":
            press_check(phone, lang)
        text = readable(phone)
        _dump(f"{name}-{lang}", text)
        found[name] = problems(text, lang, servers.stored)
    phone.goto(servers.broken.url("/check") + query)
    settle(phone)
    press_check(phone, lang)
    text = readable(phone)
    _dump(f"check-broken-{lang}", text)
    found["check (wrong password)"] = problems(text, lang, servers.stored)
    assert not {k: v for k, v in found.items() if v}, found
