"""Links between pages (to a saved query with its parameters, to an actor's
profile) and the escaping of data shown through Markdown."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

# Paths relative to the router (explorer/app/main.py), as st.page_link wants them.
SAVED_QUERIES_PAGE = "app_pages/saved_queries.py"
CONSOLE_PAGE = "app_pages/console.py"
PROFILE_PAGE = "app_pages/profile.py"
WEAPON_PAGE = "app_pages/weapon.py"
SOURCES_PAGE = "app_pages/sources.py"
TIMELINE_PAGE = "app_pages/timeline.py"
MAP_PAGE = "app_pages/map.py"

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:=])")


def escape_md(text: Any) -> str:
    """``text`` as literal Markdown: every character Markdown (or Streamlit's
    extensions: colours, maths) could read as syntax is backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", "" if text is None else str(text))


# The brief of the Saved queries page names the query in `query`; the page as
# written reads `q`. Links carry both, so they open the query either way.
QUERY_KEYS = ("query", "q")


def query_link_params(name: str, params: Mapping[str, Any] | None = None) -> dict[str, str]:
    """``?query=<name>&<param>=<value>``, as the Saved queries page reads them."""
    out = dict.fromkeys(QUERY_KEYS, name)
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        out[key] = str(value)
    return out


def page_link(page: str, label: str, params: Mapping[str, str], *,
              icon: str | None = None, help: str | None = None) -> None:
    """``st.page_link`` to ``page`` with query parameters; when the router has not
    registered that page (a page run on its own, in tests), a plain Markdown link
    to its URL instead, so the page still renders."""
    try:
        st.page_link(page, label=escape_md(label), icon=icon, query_params=dict(params),
                     help=None if help is None else escape_md(help))
    except StreamlitAPIException:
        url_path = page.rsplit("/", 1)[-1].removesuffix(".py")
        st.markdown(f"[{escape_md(label)}]({url_path}?{urlencode(params)})")


def saved_query_link(name: str, params: Mapping[str, Any] | None = None, *,
                     label: str | None = None) -> None:
    page_link(SAVED_QUERIES_PAGE, label or f"Open the saved query “{name}”",
              query_link_params(name, params), icon=":material/manage_search:")


def profile_link(actor_id: str, label: str) -> None:
    page_link(PROFILE_PAGE, label, {"actor": actor_id}, icon=":material/person:")


def weapon_link(system_id: str, label: str) -> None:
    page_link(WEAPON_PAGE, label, {"system": system_id}, icon=":material/rocket:")


def markdown_table(frame: pd.DataFrame, *, nowrap: Sequence[str] = ()) -> None:
    """``st.table`` (static, wrapping long quotes) with every cell and header escaped:
    st.table reads Markdown in cells, and these cells hold text from the graph.
    Columns named in ``nowrap`` (short values such as dates) are kept on one line."""
    shown = frame.copy()
    shown.columns = [escape_md(c) for c in shown.columns]
    for column in shown.columns:
        shown[column] = shown[column].map(lambda v: "" if _missing(v) else escape_md(v))
    if nowrap:
        # The cell's text sits in a Markdown paragraph, which wraps on its own: the
        # rule has to reach it.
        positions = [i for i, c in enumerate(frame.columns) if c in nowrap]
        styles = [{"selector": f"td.col{i} p, td.col{i}", "props": "white-space: nowrap"}
                  for i in positions]
        st.table(shown.style.set_table_styles(styles), hide_index=True)
        return
    st.table(shown, hide_index=True)


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
