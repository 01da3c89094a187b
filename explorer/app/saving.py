"""Saving from the dashboard: a console query or an Explore view, into the team's
library in the database (explorer/saved.py), and the list of what is saved.

Every save goes through ``explorer.saved``, which validates it (title, name,
the library's header format, the console's read-only checks including the
server's plan) and writes nothing when it refuses; the refusal is shown as
one sentence where the analyst typed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import streamlit as st

from explorer import saved
from explorer.app import cached
from explorer.app import widgets as w
from explorer.app.links import escape_md, page_link, saved_query_link
from explorer.errors import ExplorerError
from explorer.queries import load_catalogue


def _name_and_title(key: str) -> tuple[str, str, str]:
    title = st.text_input("Title", key=f"{key}_title", max_chars=200,
                          placeholder="What it shows, in a few words")
    name = st.text_input("Name", key=f"{key}_name", max_chars=64,
                         placeholder=saved.name_from_title(title) if title.strip() else
                         "lower_case_with_underscores",
                         help="Its name in lists, links and as a file on export; "
                              "from the title when left empty.")
    description = st.text_area("Description", key=f"{key}_description", height=80,
                               placeholder="What to look for, where the data stops")
    return (name.strip() or (saved.name_from_title(title) if title.strip() else "")), title, \
        description


def save_query_form(db: Any, cypher: str, given: Mapping[str, Any]) -> None:
    """"Save this query": title, name and description; the header's parameters come
    from the statement's ``$names`` with the values it ran with as defaults."""
    with st.expander("Save this query for the team", icon=":material/bookmark_add:"):
        with st.form("console_save", border=False, clear_on_submit=False):
            name, title, description = _name_and_title("console_save")
            replace = st.checkbox("Replace a saved query of the same name",
                                  key="console_save_replace")
            submitted = st.form_submit_button("Save", icon=":material/save:")
        if not submitted:
            return
        try:
            text = saved.render_query_text(title, description, cypher, given)
            query = saved.save_query(db, name, text, replace=replace,
                                     builtin=load_catalogue())
        except ExplorerError as error:
            st.error(escape_md(str(error)), icon=":material/block:")
            return
        cached.cached_team_queries.clear()
        st.success(f"Saved as **{escape_md(query.name)}** — listed under Saved queries, "
                   f"and `explorer query run {query.name}` runs it.",
                   icon=":material/bookmark_added:")


def save_view_form(db: Any, page: str, params: Mapping[str, Any]) -> None:
    """"Save this view": the page's address with a title and a description."""
    with st.expander("Save this view for the team", icon=":material/bookmark_add:"):
        with st.form(f"{page}_save_view", border=False, clear_on_submit=False):
            name, title, description = _name_and_title(f"{page}_view")
            replace = st.checkbox("Replace a saved view of the same name",
                                  key=f"{page}_view_replace")
            submitted = st.form_submit_button("Save", icon=":material/save:")
        if not submitted:
            return
        try:
            view = saved.save_view(db, saved.SavedView(
                name, title, description, page, saved.view_query(params)), replace=replace)
        except ExplorerError as error:
            st.error(escape_md(str(error)), icon=":material/block:")
            return
        st.success(f"Saved as **{escape_md(view.name)}**: [open it]({view.link()}) — listed "
                   "under Saved queries.", icon=":material/bookmark_added:")


def saved_library(db: Any) -> list[saved.StoredQuery]:
    """The saved views (links, delete) and the saved queries' list; returns the
    queries so the page can offer them beside the built-in ones."""
    queries = w.guarded(lambda: saved.saved_queries(db))
    views = w.guarded(lambda: saved.saved_views(db))
    counted = (f"{len(queries)} {'query' if len(queries) == 1 else 'queries'}, "
               f"{len(views)} {'view' if len(views) == 1 else 'views'}")
    with st.expander(f"Saved by the team: {counted}",
                     icon=":material/bookmarks:", expanded=bool(queries or views)):
        failed = st.session_state.pop("saved_delete_error", None)
        if failed:
            st.error(escape_md(failed), icon=":material/block:")
        if not queries and not views:
            st.caption("Nothing saved yet: save a query from the Console, or a view from "
                       "Explore.")
        for view in views:
            link, delete = st.columns([6, 1], vertical_alignment="center")
            with link:
                # A page link opens in this tab (a Markdown link would open a new one).
                page_link(f"app_pages/{view.page}.py", view.title,
                          dict(parse_qsl(view.query)), icon=":material/bookmark:",
                          help=f"{view.name}: {view.description or view.link()}")
            delete.button("", key=f"saved_view_delete_{view.name}", icon=":material/delete:",
                          help="Delete this view", on_click=_delete, args=(db, "view", view.name))
        for stored in queries:
            row, download, delete = st.columns([5, 1, 1], vertical_alignment="center")
            if stored.query is None:
                row.warning(f"`{stored.name}` does not parse: {escape_md(stored.problem)}",
                            icon=":material/warning:")
            else:
                with row:
                    saved_query_link(stored.name, label=f"Query: {stored.query.title} · "
                                                        f"{stored.name}")
            download.download_button("", stored.text, file_name=f"{stored.name}.cypher",
                                     mime="text/plain", key=f"saved_query_export_{stored.name}",
                                     icon=":material/download:",
                                     help="Export as a .cypher file in the library's format")
            delete.button("", key=f"saved_query_delete_{stored.name}", icon=":material/delete:",
                          help="Delete this query", on_click=_delete,
                          args=(db, "query", stored.name))
    return queries


def _delete(db: Any, kind: str, name: str) -> None:
    try:
        saved.delete(db, kind, name)
    except ExplorerError as error:
        st.session_state["saved_delete_error"] = str(error)
    cached.cached_team_queries.clear()

