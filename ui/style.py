"""The dashboard's few layout rules for phones, in one place.

Streamlit stacks every ``st.columns`` row below 640 px and has no layout switch per width,
so a page marks the parts that change on a phone with keyed containers and this module's
CSS (injected once per run by :func:`ui.common.setup_page`) shows, hides or re-flows them:

- :func:`wide_only` / :func:`narrow_only`: the same thing drawn two ways (a heatmap on a
  wide screen, a per-date list on a phone); the other one is hidden by a media query;
- :func:`pairs`: columns that stay two abreast on a phone instead of one per row
  (headline metrics), so a first screen is not six stacked numbers.
"""

from __future__ import annotations

import streamlit as st

#: Streamlit's own breakpoint (theme ``breakpoints.columns``): below it columns stack.
NARROW_PX = 640

# Streamlit gives a keyed container the class ``st-key-<key>``; the prefixes select them.
WIDE, NARROW, PAIRS = "wide_", "narrow_", "pairs_"

CSS = f"""
<style>
@media (max-width: {NARROW_PX}px) {{
  /* a phone's first screen is for the data: less air above the title, a smaller title */
  [data-testid="stMainBlockContainer"] {{
    padding-top: 3.5rem; padding-left: 1rem; padding-right: 1rem;
  }}
  [data-testid="stMain"] h1 {{ font-size: 1.9rem; padding-top: 0; }}
  [data-testid="stMain"] h2 {{ font-size: 1.35rem; }}
  [data-testid="stMain"] h3 {{ font-size: 1.2rem; }}
  [class*="st-key-{WIDE}"] {{ display: none !important; }}
  [class*="st-key-{PAIRS}"] [data-testid="stColumn"] {{
    min-width: calc(50% - 0.5rem) !important; flex: 1 1 calc(50% - 0.5rem) !important;
  }}
  [class*="st-key-{PAIRS}"] [data-testid="stHorizontalBlock"] {{
    flex-wrap: wrap; row-gap: 0.25rem;
  }}
  [class*="st-key-{PAIRS}"] [data-testid="stMetricValue"] {{ font-size: 1.6rem; }}
}}
@media (min-width: {NARROW_PX + 1}px) {{
  [class*="st-key-{NARROW}"] {{ display: none !important; }}
}}
</style>
"""


def inject() -> None:
    """Add the layout CSS to the page (a style-only ``st.html`` takes no space)."""
    st.html(CSS)


def wide_only(key: str, **kw: object):  # noqa: ANN201 - a Streamlit container
    """A container shown only wider than :data:`NARROW_PX`."""
    return st.container(key=WIDE + key, **kw)


def narrow_only(key: str, **kw: object):  # noqa: ANN201
    """A container shown only up to :data:`NARROW_PX` wide (a phone)."""
    return st.container(key=NARROW + key, **kw)


def pairs(key: str, **kw: object):  # noqa: ANN201
    """A container whose ``st.columns`` stay two abreast on a phone."""
    return st.container(key=PAIRS + key, **kw)
