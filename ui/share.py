"""The "링크 복사" / "Copy link" button: the absolute URL of the view shown, on the clipboard.

Every choice a page resolves is written to the URL (:mod:`ui.filters`), so the browser's
address *is* the view: scheme, host, path and every resolved parameter. The button copies
that address when it is pressed, not an address computed while the sidebar is drawn: the
sidebar is drawn before a page resolves its own choices (the race page's day, the
reliability page's grouping), and a fragment or a widget may rewrite the URL later.

It is a real ``<button>`` in the page (a ``st.components.v2`` component: no iframe), so it
is reached with Tab and pressed with Enter or Space. ``navigator.clipboard`` exists only on
secure origins (https, localhost); on a plain-http address in the office network the copy
falls back to ``document.execCommand("copy")``, and when both fail the address is shown
selected in a read-only field, to copy by hand. The outcome is announced (``aria-live``).
"""

from __future__ import annotations

import streamlit as st

from status_core.text import t

KEY = "copy_link"

_HTML = """
<div class="kra-share">
  <button type="button" class="kra-share-button"></button>
  <span class="kra-share-status" role="status" aria-live="polite"></span>
  <input class="kra-share-url" type="text" readonly hidden>
</div>
"""

_CSS = """
.kra-share { display: flex; flex-direction: column; gap: 0.25rem;
  font-family: var(--st-font, "Source Sans", sans-serif); }
.kra-share-button { width: 100%; min-height: 2.5rem; padding: 0.25rem 0.75rem;
  font: inherit; font-size: 1rem; cursor: pointer;
  color: var(--st-text-color, #31333f);
  background: var(--st-background-color, #ffffff);
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
  border-radius: var(--st-base-radius, 0.5rem); }
.kra-share-button:hover { border-color: var(--st-primary-color, #ff4b4b); }
.kra-share-button:focus-visible { outline: 3px solid var(--st-primary-color, #ff4b4b);
  outline-offset: 2px; }
.kra-share-status { font-size: 0.875rem; color: var(--st-text-color, #31333f); }
.kra-share-status:empty { display: none; }
.kra-share-url { width: 100%; box-sizing: border-box; font: inherit; font-size: 0.875rem; }
"""

# The address is read when the button is pressed (see the module docstring).
_JS = """
function fallbackCopy(text, root) {
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  root.appendChild(area);
  area.select();
  let ok = false;
  try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
  area.remove();
  return ok;
}

export default function (component) {
  const { data, parentElement } = component;
  const button = parentElement.querySelector(".kra-share-button");
  const status = parentElement.querySelector(".kra-share-status");
  const field = parentElement.querySelector(".kra-share-url");
  button.textContent = "🔗 " + data.label;
  button.title = data.help;
  field.setAttribute("aria-label", data.label);
  button.onclick = async () => {
    const url = window.location.href;
    let ok = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(url);
        ok = true;
      }
    } catch (e) { ok = false; }
    if (!ok) { ok = fallbackCopy(url, parentElement.firstElementChild); }
    field.hidden = ok;
    status.textContent = ok ? data.copied : data.failed;
    if (!ok) { field.value = url; field.focus(); field.select(); }
  };
}
"""

_COMPONENT = st.components.v2.component("kra_copy_link", html=_HTML, css=_CSS, js=_JS)


def copy_link_button(lang: str) -> None:
    """The copy-link button (in the sidebar of every page)."""
    _COMPONENT(key=KEY, data={
        "label": t("share.copy", lang), "help": t("share.help", lang),
        "copied": t("share.copied", lang), "failed": t("share.failed", lang),
    })

