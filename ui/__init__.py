"""Streamlit-side helpers shared by the pages: strings, sidebar, caching, error states.

Everything Streamlit-specific that is not a page lives here, so that ``status_core`` stays
free of Streamlit and each page reads like a description of its screen.
"""
