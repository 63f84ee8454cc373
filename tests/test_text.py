"""The text catalogue (status_core.text) and the cause table (status_core.causes).

Every fixed user-facing string has both languages with the same placeholders; every cause
has its label and its hint; every step has its title; every key the code names exists,
and every key of the catalogue is used.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from status_core.causes import CAUSES, TABLE, cause_label, cause_of
from status_core.diagnose import STEP_NAMES, Step
from status_core.hints import check_hint_for, hint_for
from status_core.text import DEFAULT_LANG, LANGS, STRINGS, t

ROOT = Path(__file__).resolve().parents[1]
KEYS = sorted(STRINGS)


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text)
            if name is not None}


@pytest.mark.parametrize("key", KEYS)
def test_every_key_has_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = STRINGS[key]
    assert set(entry) == set(LANGS), key
    assert all(entry[lang].strip() for lang in LANGS), key
    assert _fields(entry["ko"]) == _fields(entry["en"]), key
    assert "" not in _fields(entry["ko"]), f"{key}: positional placeholder"


@pytest.mark.parametrize("cause", CAUSES)
@pytest.mark.parametrize("lang", LANGS)
def test_every_cause_has_a_label_and_a_hint(cause: str, lang: str) -> None:
    row = cause_of(cause)
    assert row.name == cause
    assert STRINGS[row.label_key][lang]
    assert cause_label(cause, lang) == STRINGS[row.label_key][lang]
    if cause == "ok":
        assert row.hint_key is None and hint_for(cause, lang) == ""
    else:
        assert STRINGS[row.hint_key][lang]
        assert hint_for(cause, lang) and "{" not in hint_for(cause, lang)


def test_every_cause_text_belongs_to_a_cause() -> None:
    prefixes = {"cause.": {r.label_key for r in TABLE},
                "hint.": {r.hint_key for r in TABLE if r.hint_key},
                "check_hint.": {f"check_hint.{r.name}" for r in TABLE}}
    for prefix, allowed in prefixes.items():
        orphans = {k for k in STRINGS if k.startswith(prefix)} - allowed
        assert not orphans, f"texts of no cause: {sorted(orphans)}"
    assert len(CAUSES) == len(TABLE)  # no cause twice


@pytest.mark.parametrize("name", STEP_NAMES)
@pytest.mark.parametrize("lang", LANGS)
def test_every_step_has_a_title(name: str, lang: str) -> None:
    step = Step(name=name, outcome="ok")
    assert step.title_in(lang) == STRINGS[f"step.{name}"][lang] != name


def test_t() -> None:
    assert t("nav.jobs", "en") == "Jobs" and t("nav.jobs") == t("nav.jobs", DEFAULT_LANG)
    assert t("no.such.key", "en") == "no.such.key"
    assert t("metric.of_races", "ko", n=3) == "3개 경주"
    assert t("nav.jobs", "xx") == t("nav.jobs", DEFAULT_LANG)
    assert check_hint_for("ok", "en") == ""


# --------------------------------------------------------------------------- keys in code

SOURCES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")),
           *sorted((ROOT / "ui").glob("*.py")),
           *sorted(p for p in (ROOT / "status_core").rglob("*.py") if "text" not in p.parts)]
# Calls that name a key: t("key"), ctx.t("key"), say("key"); ui/auth.py's _t("x") is
# t("auth.x"); run.block("x") is t("diag.blocked.x").
_CALLED = re.compile(r"\b(?:t|say)\(\s*[\"']([a-z_]+\.[a-z0-9_.]+)[\"']")
_AUTH = re.compile(r"\b_t\(\s*\"(\w+)\"")
_BLOCK = re.compile(r"\.block\(\s*\"(\w+)\"")
# Any quoted text shaped like a key (a key chosen by a condition before the call).
_QUOTED = re.compile(r"[\"']([a-z_]+(?:\.[a-z0-9_]+)+)[\"']")
# Families of keys the code builds from a value (f"badge.{status}", note_for(name), ...).
DYNAMIC = ("nav.", "col.", "badge.", "kind.", "job.", "state.", "stage.", "weekday.",
           "meet.", "step.", "cause.", "hint.", "check_hint.", "note.",
           "check.col.", "jobtype.", "race_status.")  # keys built from a value


def _source() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in SOURCES)


def _called(text: str) -> set[str]:
    return (set(_CALLED.findall(text)) | {f"auth.{k}" for k in _AUTH.findall(text)}
            | {f"diag.blocked.{k}" for k in _BLOCK.findall(text)})


def test_every_key_the_code_names_exists() -> None:
    missing = sorted(k for k in _called(_source()) if k not in STRINGS)
    assert not missing, missing


def test_every_key_is_used() -> None:
    text = _source()
    named = _called(text) | set(_QUOTED.findall(text))
    unused = sorted(k for k in STRINGS if k not in named and not k.startswith(DYNAMIC))
    assert not unused, unused
