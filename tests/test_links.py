"""Links that mean the same tomorrow (issue 12): every page writes the view it resolved to
the URL (also a default that moves with the clock), so the URL taken on one day opens the
same view the next day; thresholds that differ from the defaults travel in the URL too.

The clock is frozen with ``time_machine`` (process-wide: the AppTest script thread sees it).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import time_machine
from streamlit.testing.v1 import AppTest

from status_core import attention
from status_core import reliability as rel
from status_core.domain import KST
from tests.apptest_support import app, ok, page_links, texts, walk
from tests.rows import make_race, write_sqlite
from ui import filters

pytestmark = pytest.mark.usefixtures("fresh_caches")

#: Day X (a Saturday) at noon in Korean time, and the next day.
DAY_X = dt.datetime(2026, 2, 14, 12, 0, tzinfo=KST)
DAY_AFTER = DAY_X + dt.timedelta(days=1)
X, X1 = "20260214", "20260215"


@pytest.fixture
def collector_db(db_path: Path) -> Path:
    """Race days a week before X and on X (meets 1 and 3), and on X+1 (meet 1): on X+1 the
    race page's "latest day" is X+1."""
    races = [make_race(date, meet, n, collection_status="collected")
             for date, meets in (("20260207", (1, 3)), (X, (1, 3)), (X1, (1,)))
             for meet in meets for n in (1, 2)]
    return write_sqlite(db_path, races)


def run_at(moment: dt.datetime, page: str | None = None, query: dict | None = None) -> AppTest:
    """The page opened (a fresh session) at ``moment`` with ``query``."""
    with time_machine.travel(moment, tick=False):
        return ok(app(page, query or {}).run())


def url_of(at: AppTest) -> dict[str, list[str]]:
    """The page's URL query, every value as a list (as a copied link carries it)."""
    return {k: v if isinstance(v, list) else [v] for k, v in at.query_params.items()}


# --------------------------------------------------------------------------- a day later


@pytest.mark.parametrize(("page", "names", "moved"), [
    ("overview", ("start", "end", "meet"), ("start", "end")),
    ("jobs", ("start", "end", "meet"), ("start", "end")),
    ("reliability", ("start", "end", "meet"), ("end",)),
    ("race", ("date", "meet"), ("date",)),
])
def test_a_link_taken_on_day_x_shows_the_same_view_on_day_x_plus_1(
        collector_db, page, names, moved) -> None:  # noqa: ANN001
    first = run_at(DAY_X, page)
    link = url_of(first)
    assert set(link) >= set(names), link  # the default view is written, not left out
    if page == "race":
        assert (link["date"], link["meet"]) == ([X], ["1"])
    else:
        default = (rel.default_range if page == "reliability" else attention.default_range)
        assert (link["start"][0], link["end"][0]) == default(DAY_X)
        assert link["meet"] == ["1", "2", "3"]

    later = run_at(DAY_AFTER, page, link)
    assert {n: url_of(later)[n] for n in names} == {n: link[n] for n in names}
    assert not [w.value for w in later.warning]
    if page == "race":
        assert later.date_input(key=filters.W_DAY).value == dt.date(2026, 2, 14)
    else:
        assert later.date_input(key=filters.W_RANGE).value == first.date_input(
            key=filters.W_RANGE).value

    # The same page without the link on X+1 shows something else: the test can fail.
    fresh = url_of(run_at(DAY_AFTER, page))
    for name in moved:
        assert fresh[name] != link[name], name


def test_the_range_survives_a_rerun_and_a_reload(collector_db) -> None:  # noqa: ANN001
    with time_machine.travel(DAY_X, tick=False):
        at = ok(app().run())
        written = url_of(at)
        ok(at.run())  # a rerun: no new choice, the same URL
        assert url_of(at) == written
    reloaded = run_at(DAY_AFTER, None, written)
    assert url_of(reloaded) == written


# --------------------------------------------------------------------------- thresholds


def _link_queries(at: AppTest) -> list[dict[str, list[str]]]:
    return [parse_qs(node.proto.query_string) for node in walk(at._tree)
            if getattr(node, "type", None) == "page_link"]


def test_a_non_default_threshold_is_in_the_url_and_in_every_link(collector_db) -> None:  # noqa: ANN001
    with time_machine.travel(DAY_X, tick=False):
        at = ok(app().run())
        assert not {"stalled", "stuck", "usual"} & set(at.query_params)  # defaults: out
        at.number_input(key=filters.W_STALLED).set_value(45)
        at.multiselect(key=filters.W_USUAL.format(meet=3)).set_value([4])
        ok(at.run())
        assert at.query_params["stalled"] == "45"
        assert at.query_params["usual"] == "1=sat,sun;2=fri,sat;3=fri"
        assert "stuck" not in at.query_params
        # every link (sidebar and page) carries them
        queries = _link_queries(at)
        assert page_links(at) and all(q.get("stalled") == ["45"] for q in queries)
        assert "45" in texts(at)  # the attention caption names the threshold used
        link = url_of(at)
        # back to the default: out of the URL again
        at.number_input(key=filters.W_STALLED).set_value(30)
        ok(at.run())
        assert "stalled" not in at.query_params
    reopened = run_at(DAY_AFTER, None, link)
    assert reopened.number_input(key=filters.W_STALLED).value == 45
    assert reopened.multiselect(key=filters.W_USUAL.format(meet=3)).value == [4]
    assert reopened.multiselect(key=filters.W_USUAL.format(meet=1)).value == [5, 6]
    assert url_of(reopened)["stalled"] == ["45"]


def test_a_threshold_travels_through_a_page_without_the_settings_box(collector_db) -> None:  # noqa: ANN001
    check = run_at(DAY_X, "check", {"stuck": "90"})
    assert check.query_params["stuck"] == "90"
    assert all(q.get("stuck") == ["90"] for q in _link_queries(check))


@pytest.mark.parametrize(("query", "needle", "kept"), [
    ({"stalled": "0"}, "stalled '0'", {}),
    ({"stalled": "abc", "stuck": "90"}, "stalled 'abc'", {"stuck": "90"}),
    ({"stuck": "99999999"}, "stuck '99999999'", {}),
    ({"usual": "9=mon"}, "usual", {}),
    ({"usual": "1=funday"}, "funday", {}),
])
def test_a_bad_threshold_warns_and_uses_the_default(collector_db, query, needle, kept) -> None:  # noqa: ANN001
    at = run_at(DAY_X, None, query)  # ok(): no traceback
    warnings = " ".join(w.value for w in at.warning)
    assert needle in warnings
    assert at.number_input(key=filters.W_STALLED).value == 30
    assert {k: at.query_params[k] for k in ("stalled", "stuck", "usual")
            if k in at.query_params} == kept
    assert at.number_input(key=filters.W_STUCK).value == int(kept.get("stuck", 60))


def test_the_copy_link_button_is_on_every_page(collector_db) -> None:  # noqa: ANN001
    for key in ("overview", "race", "jobs", "check", "reliability"):
        at = run_at(DAY_X, key, {"lang": "en"})
        found = [node for node in walk(at._tree) if "kra_copy_link" in str(
            getattr(node, "proto", ""))]
        assert found, key
        assert "Copy link" in str(found[0].proto), key

