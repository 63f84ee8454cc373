"""Text from the database or the URL is never rendered as Markdown, HTML or LaTeX.

Table-driven over hostile strings (``tests/injection_support.PAYLOADS``) on a real
PostgreSQL: stored as race names, warnings, job errors, steps, ids and creators, and typed
into every URL parameter a page reads. On every page no Markdown element carries the string
unescaped, the string is still shown (as text, code or a table cell), and nothing raises.
Echoed URL values are shortened.
"""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from status_core.text import t
from tests.apptest_support import app, ok, table
from tests.injection_support import PAYLOADS, shown_anywhere, unescaped_in_markdown
from tests.rows import make_job, make_race

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("fresh_caches")]
DAY, MEET = "20260214", 1
RACE, JOBS = "pages/1_race.py", "pages/2_jobs.py"
CASES = [pytest.param(p, id=name) for name, p in PAYLOADS.items()]


def assert_plain(at: AppTest, payload: str, *, shown: str | None = None) -> None:
    ok(at)
    found = unescaped_in_markdown(at, payload)
    assert not found, f"{payload!r} rendered as Markdown in {found}"
    if shown is not None:
        assert shown_anywhere(at, shown), f"{shown!r} is not shown on the page"


def store(db, payload: str) -> None:  # noqa: ANN001
    now = dt.datetime.now(dt.UTC)
    db.load(
        races=[
            make_race(DAY, MEET, 1, race_name=payload, collection_status="failed",
                      warnings=[payload, "plain warning"]),
            make_race(DAY, MEET, 2, race_name="제2경주", collection_status="collected",
                      warnings=[payload]),
        ],
        jobs=[
            make_job("job-1", status="failed", error_message=payload,
                     current_step=payload, created_by=payload, created_at=now,
                     started_at=now, parameters={"race_date": DAY, "meet": MEET}),
            make_job(payload, status="processing", error_message=f"step 2: {payload}",
                     created_at=now - dt.timedelta(hours=3),
                     started_at=now - dt.timedelta(hours=3),
                     parameters={"race_date": DAY, "meet": MEET}),
        ],
    )


@pytest.mark.parametrize("payload", CASES)
def test_stored_text_is_shown_as_text(hostile_db, payload: str) -> None:  # noqa: ANN001
    store(hostile_db, payload)

    at = ok(app(RACE, date=DAY, meet=str(MEET)).run())
    assert_plain(at, payload, shown=payload)
    flagged = table(at, "states")
    assert payload in flagged["race_name"].tolist()
    # the whole name and warnings of the first flagged race, and the whole job error
    at.selectbox(key="race_detail").set_value(0)
    at.selectbox(key="race_job_detail").set_value("job-1")
    at.run()
    assert_plain(at, payload)
    assert at.text[0].value == payload
    assert any(c.value == f"{payload}\nplain warning" for c in at.code)
    assert any(c.value == payload for c in at.code)

    at = ok(app(JOBS).run())
    assert_plain(at, payload, shown=payload)
    at.selectbox(key="job_detail").set_value(payload)
    at.run()
    assert_plain(at, payload)
    assert any(c.value == f"step 2: {payload}" for c in at.code)

    at = ok(app(start=DAY, end=DAY).run())
    assert_plain(at, payload)


# Every URL parameter each page reads, all hostile at once.
URL_PARAMS = {
    "overview": (None, ("start", "end", "meet", "live", "lang")),
    "race": (RACE, ("date", "meet", "live")),
    "jobs": (JOBS, ("status", "type", "race_date", "start", "end", "meet", "live")),
}


@pytest.mark.parametrize("page", list(URL_PARAMS))
@pytest.mark.parametrize("payload", CASES)
def test_url_values_are_echoed_as_text(hostile_db, page: str, payload: str) -> None:  # noqa: ANN001
    hostile_db.load(races=[make_race(DAY, MEET, 1)])
    path, names = URL_PARAMS[page]
    at = ok(app(path, **dict.fromkeys(names, payload)).run())
    assert at.warning, "a bad value must be named"
    # Python's repr is how the message quotes it (a backslash doubled).
    assert_plain(at, payload, shown=repr(payload)[1:-1])


LONG = "x" * 10_000


@pytest.mark.parametrize(("page", "param"), [
    ("race", "date"), ("race", "live"), ("jobs", "status"), ("jobs", "type"),
    ("jobs", "race_date"), ("overview", "start"), ("overview", "meet"),
    ("overview", "live"),
])
def test_a_long_url_value_is_echoed_shortened(hostile_db, page: str, param: str) -> None:  # noqa: ANN001
    hostile_db.load(races=[make_race(DAY, MEET, 1)])
    path, _ = URL_PARAMS[page]
    params = {param: LONG} | ({"end": DAY} if param == "start" else {})
    at = ok(app(path, **params).run())
    bodies = [w.value for w in at.warning if t("error.input", "ko") in w.value]
    assert bodies, [w.value for w in at.warning]
    for body in bodies:
        assert "x" * 41 not in body and "x" * 40 + "…" in body
        assert len(body) < 300


def test_the_echo_helper_cuts_every_quoted_value() -> None:
    from ui.text import SHOWN_MAX, shorten_message

    message = f"status {'a' * 500!r}, {'b' * 500!r} is not one of queued; live '{'c' * 9}'"
    got = shorten_message(message)
    assert f"'{'a' * SHOWN_MAX}…'" in got and f"'{'b' * SHOWN_MAX}…'" in got
    assert "'ccccccccc'" in got and "is not one of queued" in got


# --------------------------------------------------------------------------- big data


def test_ten_thousand_flagged_races_are_one_table(hostile_db) -> None:  # noqa: ANN001
    n = 10_000
    hostile_db.execute(f"""
        INSERT INTO races (race_id, date, meet, race_number, race_name, collection_status,
                           warnings)
        SELECT '{DAY}_1_' || i, '{DAY}', 1, i, repeat('긴 경주명 ', 30), 'failed',
               jsonb_build_array('API timeout ' || i, repeat('w', 500))
        FROM generate_series(1, {n}) AS i""")
    at = ok(app(RACE, date=DAY, meet="1").run())
    flagged = table(at, "states")
    assert len(flagged) == n
    assert len(table(at, "race_number")) == n
    # one table for the races, one for the flagged ones, no element per race
    assert len(at.dataframe) == 2
    assert len(at.markdown) + len(at.caption) + len(at.text) + len(at.code) < 30
    # long texts are cut in the cells ...
    assert flagged["race_name"].map(len).max() <= 121
    assert max(len(w) for ws in flagged["warnings"] for w in ws) <= 101
    # ... and whole on demand
    at.selectbox(key="race_detail").set_value(n - 1)
    at.run()
    assert at.text[0].value == ("긴 경주명 " * 30).strip()  # st.text drops the edge blanks
    assert any(c.value == f"API timeout {n}\n{'w' * 500}" for c in at.code)


def test_six_hundred_big_job_errors_ship_a_bounded_text(hostile_db) -> None:  # noqa: ANN001
    n, size = 600, 100_000
    hostile_db.execute(f"""
        INSERT INTO jobs (job_id, type, status, created_at, started_at, completed_at,
                          error_message, current_step, parameters)
        SELECT 'big-' || i, 'collection', 'failed', now() - i * interval '1 second',
               now() - i * interval '1 second', now(),
               rpad('Traceback ' || i || ': ', {size}, 'e'), 'fetching',
               '{{"race_date": "{DAY}", "meet": 1}}'::jsonb
        FROM generate_series(1, {n}) AS i""")
    at = ok(app(JOBS).run())
    texts = ("error_message", "current_step", "pattern", "example")
    shipped = sum(len(v) for frame in at.dataframe for col in texts if col in frame.value
                  for v in frame.value[col] if isinstance(v, str))
    assert shipped < n * 300, shipped
    errors = table(at, "error_message")["error_message"]
    assert errors.map(len).max() <= 301 and errors.str.endswith("…").all()
    # the whole error of one job, read on demand
    at.selectbox(key="job_detail").set_value("big-7")
    at.run()
    [code] = [c for c in at.code if c.value.startswith("Traceback")]
    assert len(code.value) == size and code.value.startswith("Traceback 7: ")


@pytest.mark.parametrize("payload", CASES)
def test_check_page_shows_stored_text_as_text(hostile_db, payload: str) -> None:  # noqa: ANN001
    # the newest migration's name is stored text the diagnosis quotes (detail and hint)
    hostile_db.load(races=[make_race(DAY, MEET, 1)], migrations=[payload])
    at = ok(app("pages/3_check.py").run())
    at.button(key="check.run").click().run()
    assert_plain(at, payload, shown=payload)
