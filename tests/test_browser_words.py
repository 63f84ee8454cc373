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
from status_core.text import t
from tests.browser_support import APP_IDLE, BROWSER_TIMEZONE, EXCEPTION, ROOT, start_servers
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
    "DB", "SQL", "PostgreSQL", "SQLite", "Supabase", "PgBouncer",  # products / names
    "API", "URL", "CSV", "KST", "UTC", "RLS", "JSON",  # acronyms staff use as they are
    "ms", "s",  # units in durations ("120 ms", "12.3 s")
    "p90",  # the 90th percentile's usual short name
})
#: Patterns of technical tokens shown as they are in any language: job ids, file names,
#: environment variables, host names, URLs, SQL identifiers in code, command lines.
TOKEN_PATTERNS = (
    r"\b[\w.-]+\.(?:sql|sqlite|toml|csv|py|md|json)\b",  # file names
    r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b",  # environment variables: DATABASE_URL
    r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b",  # column / table / key names: race_date
    r"\b[a-z]+://\S+",  # URLs (passwords masked by the app)
    r"\b[\w-]+(?:\.[\w-]+){2,}\b",  # host names: aws-0-...pooler.supabase.com
    r"\bkra-status\b[^\n]*",  # the CLI's command lines
    r"\b(?:job|demo|live)-[\w-]+\b",  # job ids (demo jobs: 'job-...')
)
#: Streamlit's own text that no API lets us set, per language checked.
STREAMLIT_OWN = (
    "Press Enter to apply",  # text_input's hint while typing (not shown at rest)
    "keyboard_double_arrow_right", "keyboard_double_arrow_left",  # sidebar icons' ligatures
    "arrow_drop_down", "arrow_right", "arrow_upward", "arrow_downward",  # icon ligatures
    "open_in_new", "expand_more", "expand_less", "chevron_right", "check_circle",
)
#: Hangul allowed in the English UI: the language switch offers "한국어" by its own name.
EN_ALLOWED_HANGUL = frozenset({"한국어"})

MISSING = re.compile(r"\b(?:None|nan|NaN|NaT)\b")
RAW_TOKEN = re.compile(r"<[a-z]+>")
HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]+")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")

_READABLE = """() => {
  const extra = [];
  for (const el of document.querySelectorAll('[placeholder],[aria-label],[title]')) {
    if (el.closest('[data-testid="stSidebar"][aria-expanded="false"]')) continue;
    for (const a of ['placeholder', 'aria-label', 'title']) {
      const v = el.getAttribute(a);
      if (v) extra.push(v);
    }
  }
  return document.body.innerText + '\\n' + extra.join('\\n');
}"""


def readable(page) -> str:  # noqa: ANN001
    """Everything on ``page`` a user can read: its text and the attributes read aloud or
    shown in an empty field."""
    return page.evaluate(_READABLE)


def problems(text: str, lang: str) -> list[str]:
    """What in ``text`` breaks the rules for ``lang`` (empty: nothing)."""
    found = [f"missing value {m!r}" for m in MISSING.findall(text)]
    found += [f"raw token {m!r}" for m in RAW_TOKEN.findall(text)]
    for own in STREAMLIT_OWN:
        text = text.replace(own, " ")
    if lang == "ko":
        for pattern in TOKEN_PATTERNS:
            text = re.sub(pattern, " ", text)
        found += sorted({f"English {w!r}" for w in WORD.findall(text) if w not in KO_ALLOWED})
    else:
        found += sorted({f"Hangul {w!r}" for w in HANGUL.findall(text)
                         if w not in EN_ALLOWED_HANGUL})
    return found


@pytest.mark.parametrize(("text", "lang", "want"), [
    ("마지막 갱신 None", "ko", ["missing value 'None'", "English 'None'"]),
    ("오류 <n>건", "ko", ["raw token '<n>'", "English 'n'"]),
    ("DB 점검 KST 120 ms DATABASE_URL race_date", "ko", []),
    ("results missing", "ko", ["English 'missing'", "English 'results'"]),
    ("Seoul (서울) 한국어", "en", ["Hangul '서울'"]),
    ("2026-02-14 (Sat) -", "en", []),
])
def test_the_rules_themselves(text, lang, want):  # noqa: ANN001
    assert problems(text, lang) == want


# --------------------------------------------------------------------------- servers


@dataclass
class Servers:
    demo: object
    broken: object


@pytest.fixture(scope="module")
def servers(pg_cluster, chromium_path, tmp_path_factory) -> Iterator[Servers]:  # noqa: ANN001, ARG001
    if (ROOT / ".streamlit" / "secrets.toml").exists():
        pytest.skip("a .streamlit/secrets.toml in the repo would replace the demo")
    tmp = tmp_path_factory.mktemp("words")
    path = tmp / "demo.sqlite"
    db = pg_cluster.database()
    wrong = pg_cluster.url(READER, "not-the-password", db.name, scheme="postgresql")
    started = start_servers([{"KRA_DEMO_PATH": str(path)}, {"DATABASE_URL": wrong}],
                            tmp / "home",
                            while_starting=lambda: demo.build_demo_file(path, now=NOW))
    try:
        yield Servers(*started)
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
    """Wait until the script is idle, twice (a rerun may start right after the first)."""
    page.wait_for_selector('[data-testid="stMain"]', timeout=TIMEOUT_MS)
    page.wait_for_selector(APP_IDLE, timeout=TIMEOUT_MS)
    page.wait_for_timeout(400)
    page.wait_for_selector(APP_IDLE, timeout=TIMEOUT_MS)
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()


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
        found[name] = problems(text, lang)
    phone.goto(servers.broken.url("/check") + query)
    settle(phone)
    press_check(phone, lang)
    text = readable(phone)
    _dump(f"check-broken-{lang}", text)
    found["check (wrong password)"] = problems(text, lang)
    assert not {k: v for k, v in found.items() if v}, found
