"""The search box the router puts in the sidebar of every page.

It searches names, aliases, titles, descriptions, SIPRI comments and quotes
(explorer/page_queries/search.py) and lists each hit with its kind and the text that matched,
as a link to the page that shows the thing.
"""

from __future__ import annotations

import streamlit as st

from explorer.app.cached import CACHE_TTL_S
from explorer.app.links import (
    MAP_PAGE,
    PROFILE_PAGE,
    SOURCES_PAGE,
    TIMELINE_PAGE,
    WEAPON_PAGE,
    escape_md,
    page_link,
)
from explorer.app.state import get_db
from explorer.db import Database
from explorer.errors import ExplorerError
from explorer.page_queries import search as graph_search

SEARCH_KEY = "app_search_text"
SHOWN = 12
# The sidebar is narrow: names and source titles are cut (the tooltip has them whole).
NAME_CHARS = 34
SOURCE_CHARS = 40

# search.Target.page -> the page file that shows it.
PAGE_FILES = {
    graph_search.ACTOR_PAGE: PROFILE_PAGE,
    graph_search.WEAPON_PAGE: WEAPON_PAGE,
    graph_search.SOURCES_PAGE: SOURCES_PAGE,
    graph_search.TIMELINE_PAGE: TIMELINE_PAGE,
    graph_search.MAP_PAGE: MAP_PAGE,
}
ICONS = {
    "actor": ":material/person:",
    "weapon system": ":material/rocket:",
    "weapon class": ":material/category:",
    "place": ":material/place:",
    "event": ":material/event:",
    "source": ":material/menu_book:",
    "transfer": ":material/swap_horiz:",
    graph_search.QUOTE_KIND: ":material/format_quote:",
}
FIELD_NAMES = {"aliases": "alias", "attributed_to": "said by"}


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def cached_search(_db: Database, text: str, limit: int) -> list[graph_search.Hit]:
    return graph_search.search(_db, text, limit)


def short(text: str | None, limit: int) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def describe(hit: graph_search.Hit) -> str:
    """The line under a hit's link, as Markdown: for a quote the matching sentence,
    then where it is from; else the kind and the text that matched."""
    if hit.kind == graph_search.QUOTE_KIND:
        label = FIELD_NAMES.get(hit.field, hit.field)
        about = f", about {article(hit.about)}" if hit.about else ""
        where = f" in {escape_md(short(hit.source, SOURCE_CHARS))}" if hit.source else ""
        return f"“{escape_md(hit.snippet)}” — **{label}**{where}{about}"
    field = FIELD_NAMES.get(hit.field, hit.field)
    text = f" · {field}: {escape_md(hit.snippet)}" if hit.field != "name" else ""
    return f"**{escape_md(hit.kind)}**{text}"


def article(kind: str) -> str:
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {escape_md(kind)}"


def search_box() -> None:
    """Draw the box in the sidebar and, when it holds text, the hits under it."""
    with st.sidebar:
        text = st.text_input(
            "Search the graph", key=SEARCH_KEY,
            placeholder="900 km, Geran-2, Zaporizhia…",
            help="Names, aliases, titles, descriptions, SIPRI comments and the sentences "
                 "the sources say things in. Every word must match; the last may be "
                 "the start of a word.",
        )
        if not text or not text.strip():
            return
        try:
            hits = cached_search(get_db(), text, SHOWN + 1)
        except ExplorerError as error:
            # The page below still runs: a bad search must not blank it.
            st.warning(escape_md(str(error)), icon=":material/search_off:")
            return
        if not hits:
            st.info(f"Nothing in the graph matches “{escape_md(text.strip())}”.",
                    icon=":material/search_off:")
            return
        for hit in hits[:SHOWN]:
            show_hit(hit)
        if len(hits) > SHOWN:
            st.caption(f"The {SHOWN} best matches are shown; add a word to narrow the search.")


def show_hit(hit: graph_search.Hit) -> None:
    target = hit.target
    page = PAGE_FILES.get(target.page) if target else None
    if page:
        page_link(page, short(hit.name, NAME_CHARS), dict(target.params),
                  icon=ICONS.get(hit.kind), help=f"{hit.name} — open the {target.label}")
    else:
        st.markdown(f"**{escape_md(hit.name)}** (no page of its own)")
    st.caption(describe(hit))
