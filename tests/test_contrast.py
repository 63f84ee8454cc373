"""Contrast (WCAG 2.2): at least 4.5:1 for text, 3:1 for the focus indicator.

Two halves. The first computes the ratios from the theme colours in
``.streamlit/config.toml`` (WCAG relative luminance) for the pairs Streamlit draws, with
Streamlit's own opacities (captions 60 %, placeholders 70 %, focus ring 50 % of the primary
colour), and checks the README's "Accessibility" figures against them. The second opens the
dashboard in Chromium and reads the computed colours of what a user sees (captions, body
text, chart axis labels, the DB check button's focus ring reached with Tab), blends
semi-transparent colours over what is behind them, and checks the same minimums, so a
Streamlit upgrade that changes its opacities or chart colours is caught.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterator

import pytest

from status_core import demo
from tests.browser_support import APP_IDLE, ROOT, StreamlitServer, start_server

CONFIG = ROOT / ".streamlit" / "config.toml"
README = ROOT / "README.md"
TEXT, FOCUS = 4.5, 3.0
#: Streamlit 1.67's own opacities (the browser half checks the captions' and measures the ring
#: as drawn).
CAPTION_OPACITY, PLACEHOLDER_OPACITY, RING_ALPHA = 0.6, 0.7, 0.5
WHITE = "#ffffff"

Rgb = tuple[float, float, float]


# --------------------------------------------------------------------------- WCAG


def hex_rgb(text: str) -> Rgb:
    text = text.lstrip("#")
    return tuple(float(int(text[i:i + 2], 16)) for i in (0, 2, 4))  # type: ignore[return-value]


def luminance(rgb: Rgb) -> float:
    """WCAG 2.x relative luminance of an sRGB colour (0-255 channels)."""
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = map(channel, rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: Rgb, b: Rgb) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def blend(fg: Rgb, alpha: float, bg: Rgb) -> Rgb:
    """``fg`` at ``alpha`` over an opaque ``bg`` (what the screen shows)."""
    return tuple(alpha * f + (1 - alpha) * b for f, b in zip(fg, bg, strict=True))  # type: ignore[return-value]


def theme() -> dict[str, str]:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))["theme"]


def pairs() -> dict[str, tuple[float, float]]:
    """Every pair the theme decides: name -> (ratio, minimum). The README quotes these."""
    th = theme()
    text, bg, side, primary = (hex_rgb(th[k]) for k in (
        "textColor", "backgroundColor", "secondaryBackgroundColor", "primaryColor"))
    ring_bg, ring_side = blend(primary, RING_ALPHA, bg), blend(primary, RING_ALPHA, side)
    return {
        "body text on the page": (ratio(text, bg), TEXT),
        "body text on the sidebar and inputs": (ratio(text, side), TEXT),
        "captions on the page": (ratio(blend(text, CAPTION_OPACITY, bg), bg), TEXT),
        "captions on the sidebar": (ratio(blend(text, CAPTION_OPACITY, side), side), TEXT),
        "input placeholders": (ratio(blend(text, PLACEHOLDER_OPACITY, side), side), TEXT),
        "chart axis and legend text": (ratio(text, bg), TEXT),
        "button text on the primary colour": (ratio(hex_rgb(WHITE), primary), TEXT),
        "focus ring against the page": (ratio(ring_bg, bg), FOCUS),
        "focus ring against the sidebar": (ratio(ring_side, side), FOCUS),
        "focus ring against a primary button": (ratio(ring_bg, primary), FOCUS),
    }


# --------------------------------------------------------------------------- from the theme


def test_the_wcag_formula_on_known_values():
    assert ratio(hex_rgb("#000000"), hex_rgb("#ffffff")) == pytest.approx(21.0)
    assert ratio(hex_rgb("#777777"), hex_rgb("#ffffff")) == pytest.approx(4.48, abs=0.01)
    # Streamlit's default caption (3.9:1) and chart grey (3.7:1), as the issue measured
    default_caption = blend(hex_rgb("#2f2d2b"), CAPTION_OPACITY, hex_rgb(WHITE))
    assert ratio(default_caption, hex_rgb(WHITE)) == pytest.approx(3.89, abs=0.01)
    assert ratio(hex_rgb("#808495"), hex_rgb(WHITE)) == pytest.approx(3.72, abs=0.01)


@pytest.mark.parametrize("name", list(pairs()))
def test_theme_pair_meets_wcag(name):
    value, minimum = pairs()[name]
    assert value >= minimum, f"{name}: {value:.2f}:1 < {minimum}:1"


def test_the_readme_quotes_the_computed_figures():
    text = README.read_text(encoding="utf-8")
    section = text.split("## Accessibility", 1)[1].split("\n## ", 1)[0]
    for name, (value, minimum) in pairs().items():
        row = f"| {name} | {value:.2f}:1 | {minimum:g}:1 |"
        assert row in section, f"README Accessibility lacks {row!r}"


def test_the_theme_keeps_the_light_base():
    # The opacities and the focus ring above are the light theme's; a dark base would
    # need other pairs.
    assert theme()["base"] == "light"


# --------------------------------------------------------------------------- in Chromium

# For one element: its colour (or SVG fill), the opacities up the tree, and the background
# layers from the element up to the first opaque one.
_LOOK = """
(el, prop) => {
  const cs = getComputedStyle(el);
  let colour = prop === 'fill' ? cs.fill : cs.color;
  if (prop === 'fill' && cs.fillOpacity !== '1') colour += ' / ' + cs.fillOpacity;
  let opacity = 1, bgs = [];
  for (let e = el; e; e = e.parentElement) {
    const s = getComputedStyle(e);
    opacity *= parseFloat(s.opacity);
    const bg = s.backgroundColor;
    if (bg && !/rgba\\(.*, 0\\)$/.test(bg) && bg !== 'transparent') {
      bgs.push(bg);
      if (!bg.startsWith('rgba')) break;
    }
  }
  return {colour, opacity, bgs, text: (el.textContent || '').trim().slice(0, 40)};
}
"""

_RGBA = re.compile(r"rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)(?: / ([\d.]+))?")


def css_colour(text: str) -> tuple[Rgb, float]:
    m = _RGBA.search(text)
    assert m, f"not an rgb() colour: {text!r}"
    alpha = float(m.group(4) or 1) * float(m.group(5) or 1)
    return (float(m.group(1)), float(m.group(2)), float(m.group(3))), alpha


def backdrop(bgs: list[str]) -> Rgb:
    """The background layers (innermost first) blended over the white document."""
    bg = hex_rgb(WHITE)
    for layer in reversed(bgs):
        rgb, alpha = css_colour(layer)
        bg = blend(rgb, alpha, bg)
    return bg


def shown_ratio(look: dict) -> float:
    """What the screen shows: the colour at its alpha times the opacities, against the
    background behind it."""
    bg = backdrop(look["bgs"])
    rgb, alpha = css_colour(look["colour"])
    return ratio(blend(rgb, alpha * look["opacity"], bg), bg)


@pytest.fixture(scope="module")
def server(chromium_path, tmp_path_factory) -> Iterator[StreamlitServer]:  # noqa: ARG001
    home = tmp_path_factory.mktemp("contrast")
    path = home / "demo.sqlite"
    demo.build_demo_file(path, now=dt.datetime.now(dt.UTC))
    srv = start_server({"KRA_DEMO_PATH": str(path)}, home)
    try:
        yield srv
    finally:
        srv.stop()


def open_page(page, server: StreamlitServer, path: str, ready: str) -> None:  # noqa: ANN001
    page.goto(server.url(path))
    page.wait_for_selector(ready, timeout=120_000)
    page.wait_for_selector(APP_IDLE, timeout=120_000)
    page.wait_for_timeout(500)
    page.wait_for_selector(APP_IDLE, timeout=120_000)


def looks(page, selector: str, prop: str = "color") -> list[dict]:  # noqa: ANN001
    return [loc.evaluate(_LOOK, prop) for loc in page.locator(selector).all()]


def assert_all(found: list[dict], minimum: float, what: str) -> float:
    assert found, f"no {what} on the page"
    worst = min(found, key=shown_ratio)
    value = shown_ratio(worst)
    assert value >= minimum, f"{what} {worst['text']!r}: {value:.2f}:1 < {minimum}:1 ({worst})"
    return value


@pytest.mark.browser
def test_overview_text_and_axis_labels_in_chromium(server, page):
    open_page(page, server, "/", ".role-axis-label text")
    captions = looks(page, '[data-testid="stCaptionContainer"]')
    # Streamlit still fades captions by opacity 0.6 (the theme figures assume it)
    assert {c["opacity"] for c in captions} == {CAPTION_OPACITY}, captions[:3]
    assert_all(captions, TEXT, "caption")
    body = looks(page, '[data-testid="stMain"] [data-testid="stMarkdownContainer"] p')
    assert_all(body, TEXT, "paragraph")
    assert_all(looks(page, '[data-testid="stWidgetLabel"] p'), TEXT, "widget label")
    for role in ("axis-label", "axis-title", "legend-label", "legend-title"):
        assert_all(looks(page, f".role-{role} text", "fill"), TEXT, role)


@pytest.mark.browser
def test_the_check_buttons_focus_ring_in_chromium(server, page):
    open_page(page, server, "/check", ".st-key-check-run button")
    for _ in range(40):  # the keyboard path, as a keyboard user takes it
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('.st-key-check-run')"):
            break
    else:
        pytest.fail("Tab never reached the DB check button")
    ring = page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
        return {shadow: s.boxShadow, outline: s.outlineStyle, outlineColour: s.outlineColor,
                fill: s.backgroundColor}; }""")
    look = looks(page, ".st-key-check-run")[0]  # the page behind the ring
    assert ring["shadow"] != "none" or ring["outline"] != "none", ring
    rgb, alpha = css_colour(ring["shadow"] if ring["shadow"] != "none" else ring["outlineColour"])
    page_bg = backdrop(look["bgs"])
    shown = blend(rgb, alpha, page_bg)
    fill, _ = css_colour(ring["fill"])
    # the ring is drawn outside the button: it must stand out from the page around it
    # (the change a keyboard user sees) and from the button's own fill next to it
    assert ratio(shown, page_bg) >= FOCUS, (ring, ratio(shown, page_bg))
    assert ratio(shown, fill) >= FOCUS, (ring, ratio(shown, fill))


@pytest.mark.browser
def test_a_page_links_focus_ring_in_chromium(server, page):
    open_page(page, server, "/", ".role-axis-label text")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches("
                         "'[data-testid=\"stPageLink-NavLink\"]')"):
            break
    else:
        pytest.fail("Tab never reached a page link")
    ring = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return {outline: s.outlineStyle, colour: s.outlineColor, width: s.outlineWidth}; }""")
    assert ring["outline"] == "solid" and ring["width"] == "2px", ring
    behind = page.locator(":focus").evaluate(_LOOK, "color")
    rgb, alpha = css_colour(ring["colour"])
    bg = backdrop(behind["bgs"])
    assert ratio(blend(rgb, alpha, bg), bg) >= FOCUS, (ring, behind)
