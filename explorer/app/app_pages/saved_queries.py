"""Saved queries: the catalogue of cypher/queries, run with typed parameters,
shown in each query's declared view; the URL holds the query and its values."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from explorer.app import cached, charts, param_widgets, tables
from explorer.app import widgets as w
from explorer.app.links import escape_md
from explorer.app.saving import saved_library
from explorer.app.state import get_db
from explorer.errors import ExplorerError, UnresolvedName
from explorer.labels import INFERRED_NOTE, INFERRED_SUFFIX
from explorer.queries import Param, SavedQuery

QUERY_KEY = "q"
# Parameters that choose a period: the form says which years the data covers.
PERIOD_PARAMS = ("from_year", "to_year", "since", "since_year")
CATALOGUE_PX = 520


def widget_key(query: SavedQuery, param: Param) -> str:
    return f"saved_p_{query.name}_{param.name}"


@st.cache_data(ttl=cached.CACHE_TTL_S, show_spinner=False, max_entries=32)
def saved_drawing(_db: Any, name: str, params_json: str) -> dict[str, Any]:
    result = cached.cached_saved(_db, name, params_json)
    return w.drawing(result.rows)


def param_choices(db: Any, param: Param) -> list[tuple[Any, str]] | None:
    """(value, label) pairs for a select widget, or None for a free input."""
    if param.choices_query:
        pairs = w.guarded(lambda: cached.cached_choices(db, param.choices_query))
    elif param.choices is not None:
        pairs = [(c, str(c)) for c in param.choices]
    else:
        return None
    if not param.is_list and (param.optional or param.default is None):
        # A single choice that may stay empty: "any" is the first option.
        pairs = [(None, "any"), *pairs]
    return pairs


def suggestions_for(db: Any, param: Param) -> list[dict[str, Any]] | None:
    if param.type == "actor":
        return w.guarded(lambda: cached.cached_actor_options(db))
    if param.type == "weapon_system":
        return w.guarded(lambda: cached.cached_weapon_options(db))
    return None


def matches(query: SavedQuery, text: str, tags: Sequence[str]) -> bool:
    if tags and not set(tags) <= set(query.tags):
        return False
    words = text.lower().split()
    haystack = " ".join([query.name, query.title, query.description, *query.tags]).lower()
    return all(word in haystack for word in words)


def show_result(db: Any, query: SavedQuery, params_json: str, rows: list[dict[str, Any]],
                keys: Sequence[str]) -> tuple[Any, str | None]:
    """Draw ``rows`` in the query's view; returns (what to export, a fallback note)."""
    view = query.view
    missing = view.missing_columns(keys) if rows else []
    if missing and view.kind != "graph":
        st.warning(
            f"The result has no column {', '.join(missing)} that the {view.kind} view needs "
            "— shown as a table.", icon=":material/table:")
        table(rows, None)
        return rows, "table"
    if view.kind == "graph":
        drawn = w.guarded(lambda: saved_drawing(db, query.name, params_json))
        if drawn["capped"]:
            st.warning(drawn["notice"], icon=":material/filter_alt:")
        clicked = w.graph_view(drawn["drawing"], key=f"saved_graph_{query.name}")
        w.node_actions(drawn["graph"], clicked, key=f"saved_node_{query.name}")
        st.caption(drawn["notice"])
        with st.expander("Legend", icon=":material/info:"):
            w.legend()
        graph = drawn["graph"]
        arrows, raw = st.tabs(["Transfers (arrows)", "Rows"])
        with arrows:
            st.dataframe(pd.DataFrame(tables.arrow_rows(graph)), hide_index=True, width="stretch",
                         placeholder="")
        with raw:
            table(rows, None)
        return graph, None
    if not rows:
        # Every actor and weapon-system name resolved (an unknown one stops the run
        # with its own warning), so this is a true "nothing matches".
        st.info("The query returned no rows for these values.",
                icon=":material/search_off:")
        return rows, None
    chart = None
    if view.kind == "bar":
        chart = charts.bar_chart(rows, view.get("x"), view.get("y"), view.get("color"))
    elif view.kind == "line":
        chart = charts.line_chart(rows, view.get("x"), view.get("y"), view.get("color"))
    elif view.kind == "timeline":
        chart = charts.rows_timeline(rows, view.get("date"), view.get("label"),
                                     view.get("end"), view.get("color"))
    elif view.kind == "map":
        chart = charts.map_chart(rows, view.get("lat"), view.get("lon"), view.get("label"),
                                 size=view.get("size"), color=view.get("color"))
    if chart is not None:
        # The chart names its sources itself, so a PNG saved from its menu keeps them.
        credited = w.guarded(lambda: w.result_sources(db, rows))
        footer = charts.footer_lines(credited.sources) + ([credited.note] if credited.note
                                                          else [])
        st.altair_chart(charts.with_footer(chart, footer), width="stretch")
        with st.expander(f"The {len(rows):,} rows as a table", icon=":material/table:"):
            table(rows, None)
    else:
        columns = view.get("columns")
        table(rows, list(columns) if columns else None)
    return rows, None


def table(rows: Sequence[Mapping[str, Any]], columns: list[str] | None) -> None:
    tables.result_table(rows, columns)
    if any(str(value).endswith(INFERRED_SUFFIX) for row in rows for value in row.values()
           if isinstance(value, str)):
        st.caption(INFERRED_NOTE)


db = get_db()
st.title("Saved queries")
st.caption("The questions the team asks often, as Cypher with parameters. The address bar "
           "holds the query and its values: copy it to share exactly this view.")

catalogue: dict[str, SavedQuery] = dict(w.guarded(cached.cached_catalogue))
# The team's own, saved from the console or imported (explorer saved import), beside them.
saved_library(db)
catalogue.update(w.guarded(lambda: cached.cached_team_queries(db)))
if not catalogue:
    st.info("No saved queries yet: add .cypher files to cypher/queries (see docs/queries.md).",
            icon=":material/bookmarks:")
    st.stop()

# --- the URL -> the widgets, when it changed from outside (a link, a reload, Back) ---------
url = st.query_params.to_dict()
if url and url != st.session_state.get("saved_url"):
    chosen_name = url.get(QUERY_KEY)
    if chosen_name in catalogue:
        st.session_state["saved_query"] = chosen_name
        query_from_url = catalogue[chosen_name]
        for param in query_from_url.params:
            st.session_state[widget_key(query_from_url, param)] = param_widgets.initial_state(
                param, url.get(param.name), param_choices(db, param))
        st.session_state["saved_search"] = ""
        st.session_state["saved_tags"] = []
    elif chosen_name:
        st.warning(f"There is no saved query {escape_md(repr(chosen_name))}; pick one below.",
                   icon=":material/search_off:")
st.session_state.setdefault("saved_query", next(iter(catalogue)))
if st.session_state["saved_query"] not in catalogue:
    st.session_state["saved_query"] = next(iter(catalogue))

# --- the catalogue -----------------------------------------------------------------------
left, right = st.columns([1, 2.6], gap="large")
with left:
    search = st.text_input("Search", key="saved_search", placeholder="words in title or text",
                           icon=":material/search:")
    all_tags = sorted({tag for q in catalogue.values() for tag in q.tags})
    tags = st.multiselect("Tags", all_tags, key="saved_tags", placeholder="any tag")
    shown = [name for name, q in catalogue.items() if matches(q, search, tags)]
    current = st.session_state["saved_query"]
    if current not in shown:
        shown = [current, *shown]
    matching = sum(matches(catalogue[name], search, tags) for name in shown)
    # A scrolling list, so the result below is not pushed under eighteen entries.
    with st.container(height=CATALOGUE_PX, border=False):
        st.radio(
            f"{matching} of {len(catalogue)} queries", shown, key="saved_query",
            # Radio labels are Markdown, and a team query's title is an analyst's text.
            format_func=lambda name: escape_md(catalogue[name].title),
            captions=[escape_md(", ".join(catalogue[name].tags)) for name in shown],
        )

query = catalogue[st.session_state["saved_query"]]

with right:
    st.subheader(escape_md(query.title))
    if query.description:
        st.markdown(escape_md(query.description))
    raw: dict[str, Any] = {}
    with st.form(f"saved_form_{query.name}", border=True):
        columns = st.columns(2) if len(query.params) > 1 else [st.container()]
        for i, param in enumerate(query.params):
            key = widget_key(query, param)
            choices = param_choices(db, param)
            if key not in st.session_state:
                st.session_state[key] = param_widgets.initial_state(param, None, choices)
            with columns[i % len(columns)]:
                raw[param.name] = param_widgets.param_widget(param, key=key, choices=choices,
                                                 suggestions=suggestions_for(db, param))
        if not query.params:
            st.caption("This query takes no parameters.")
        elif any(p.name in PERIOD_PARAMS for p in query.params):
            # What "no limit" means: the years the data in this graph covers.
            st.caption(w.guarded(lambda: cached.cached_data_range(db)).sentence())
        st.form_submit_button("Run query", icon=":material/play_arrow:", type="primary")

    # The URL says which query with which values; a colleague's link reruns it.
    url_state = {QUERY_KEY: query.name}
    for param in query.params:
        text = param_widgets.to_text(param, raw.get(param.name))
        if text:
            url_state[param.name] = text
    if url_state != url:
        st.query_params.from_dict(url_state)
    st.session_state["saved_url"] = url_state

    values = {name: value for name, value in raw.items() if value not in (None, "", [])}
    params_json = json.dumps(values, sort_keys=True, default=str)
    result = None
    missing = [p.name for p in query.params if p.required and p.name not in values]
    if missing:
        st.info(f"Fill in {', '.join(missing)} and press Run query.", icon=":material/edit:")
    else:
        try:
            with st.spinner("Running…"):
                result = cached.cached_saved(db, query.name, params_json)
        except UnresolvedName as error:
            # A name the analyst typed: say which, with the closest names.
            message = str(error)
            st.warning(escape_md(message[:1].upper() + message[1:]),
                       icon=":material/person_search:")
        except ExplorerError as error:
            w.show_error(error)

# The result spans the page's width, below the catalogue and the form: a table
# needs the room for its quotes.
if result is not None:
    w.result_notices(result)
    exported, _ = show_result(db, query, params_json, result.rows, result.keys)
    st.caption(f"{len(result.rows):,} rows · {result.elapsed_ms:,.0f} ms · read-only")
    drawn = exported if isinstance(exported, w.GraphData) else None
    provenance = w.provenance_for(db, query.name, result.parameters, result.rows, drawn)
    w.attribution_line(exported, provenance)
    w.download_buttons(exported, provenance, key=f"saved_{query.name}",
                       stem=query.name.replace("_", "-"))
# Drawn only when open: the highlighter is a large script that would otherwise
# load with every result and delay a network drawing.
cypher_box = st.expander("Cypher", icon=":material/code:", expanded=result is None,
                         key=f"saved_cypher_{query.name}", on_change="rerun")
if cypher_box.open:
    with cypher_box:
        st.code(query.cypher.strip(), language="cypher")
        st.caption(f"{query.path} · parameters: "
                   + (", ".join(p.signature for p in query.params) or "none"))
