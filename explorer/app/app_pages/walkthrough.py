"""Walkthrough: a new analyst's tour, one step at a time, each step a saved query.

The step lives in ``?step=<number>`` so Back and Next, a reload and a shared
link all land on the same step.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from explorer.app import charts
from explorer.app import widgets as w
from explorer.app.links import CONSOLE_PAGE, escape_md, page_link, saved_query_link
from explorer.app.state import get_db
from explorer.errors import ExplorerError
from explorer.queries import SavedQuery
from explorer.runner import QueryResult
from explorer.walkthrough import (
    Step,
    check_steps,
    console_text,
    load_steps,
    step_parameters,
)


@st.cache_data(ttl=w.CACHE_TTL_S, show_spinner=False)
def cached_steps() -> list[Step]:
    return load_steps()


def go_to(number: int) -> None:
    st.query_params["step"] = str(number)


def step_number(text: str | None, steps: list[Step]) -> int:
    """``?step=3`` or ``?step=provenance`` -> 3; anything else -> 1."""
    if text and text.isdigit() and 1 <= int(text) <= len(steps):
        return int(text)
    for number, step in enumerate(steps, start=1):
        if step.id == text:
            return number
    return 1


def show_result(db: Any, query: SavedQuery, step: Step, result: QueryResult) -> None:
    """The rows in the query's declared view; a table when the view cannot be drawn."""
    view = query.view
    if not result.rows:
        st.info("The query returned no rows — is the data loaded? (`explorer load seeds`, "
                "`explorer load sipri`)", icon=":material/search_off:")
        return
    chart = None
    if not view.missing_columns(result.keys):
        if view.kind == "bar":
            chart = charts.bar_chart(result.rows, view.get("x"), view.get("y"), view.get("color"))
        elif view.kind == "line":
            chart = charts.line_chart(result.rows, view.get("x"), view.get("y"),
                                      view.get("color"))
        elif view.kind == "timeline":
            chart = charts.timeline_chart(result.rows, view.get("date"), view.get("label"),
                                          view.get("end"), view.get("color"))
        elif view.kind == "map":
            chart = charts.map_chart(result.rows, view.get("lat"), view.get("lon"),
                                     view.get("label"), size=view.get("size"),
                                     color=view.get("color"))
    if view.kind == "graph" and w.has_graph(result.rows):
        drawn = w.drawing(result.rows)
        w.graph_view(drawn["html"], key=f"walkthrough_graph_{step.id}")
        st.caption(drawn["notice"])
    elif chart is not None:
        st.altair_chart(chart, width="stretch")
    frame = pd.DataFrame(w.display_rows(result.rows))
    columns = view.get("columns") if view.kind == "table" else None
    if columns:
        frame = frame[[c for c in columns if c in frame.columns]]
    if chart is not None or view.kind == "graph":
        with st.expander(f"The {len(result.rows):,} rows as a table", icon=":material/table:"):
            st.dataframe(frame, hide_index=True, width="stretch", placeholder="")
    else:
        st.dataframe(frame, hide_index=True, width="stretch", placeholder="")


st.title("Walkthrough")
st.caption("Seven steps through the graph, each one a saved query you can reopen, change and "
           "rerun. Start here if the explorer is new to you.")
db = get_db()
steps = w.guarded(cached_steps)
catalogue = w.guarded(w.cached_catalogue)
problems = check_steps(steps, catalogue)
if problems:
    st.error(problems[0] + " — fix cypher/walkthrough.yaml", icon=":material/error:")
    st.stop()

number = step_number(st.query_params.get("step"), steps)
st.query_params["step"] = str(number)
step = steps[number - 1]
query = catalogue[step.query]

st.progress(number / len(steps), text=f"Step {number} of {len(steps)}")
nav = st.columns([1, 1, 4])
nav[0].button("Back", icon=":material/arrow_back:", disabled=number == 1,
              on_click=go_to, args=(number - 1,), key="walkthrough_back", width="stretch")
nav[1].button("Next", icon=":material/arrow_forward:", type="primary",
              disabled=number == len(steps), on_click=go_to, args=(number + 1,),
              key="walkthrough_next", width="stretch")
nav[2].selectbox("Jump to", range(1, len(steps) + 1), index=number - 1,
                 format_func=lambda n: f"{n}. {steps[n - 1].title}",
                 key=f"walkthrough_jump_{number}", label_visibility="collapsed",
                 on_change=lambda: go_to(st.session_state[f"walkthrough_jump_{number}"]))

st.header(escape_md(step.title))
st.markdown(escape_md(step.explanation))
shown = ", ".join(f"{name} = {value}" for name, value in step.params.items()) or \
    "no parameters"
st.markdown(f"**Runs** the saved query *{escape_md(query.title)}* (`{step.query}`) with "
            f"{escape_md(shown)}.")
st.info(escape_md(step.look_for), icon=":material/visibility:")

try:
    with st.spinner("Running the step's query…"):
        result = w.cached_saved(db, step.query, json.dumps(step.params, sort_keys=True))
except ExplorerError as error:
    w.show_error(error)
    st.stop()
w.result_notices(result)
show_result(db, query, step, result)
st.caption(f"{len(result.rows):,} rows · {result.elapsed_ms:,.0f} ms · read-only")
if result.rows:
    # The sources of this step's rows, and SIPRI's line when SIPRI's among them.
    w.attribution_line(result.rows, w.provenance_for(db, step.query, result.parameters,
                                                     result.rows))

links = st.columns(2)
with links[0]:
    saved_query_link(step.query, step.params, label="Open this step in Saved queries")
if step.console:
    with links[1]:
        # One typed line per parameter (recipient=actor:Russia): the console resolves
        # whatever name is put there, as the saved query does.
        params = step_parameters(step, catalogue)
        page_link(CONSOLE_PAGE, "Open this step's Cypher in the console",
                  {"cypher": query.cypher, "params": console_text(params)},
                  icon=":material/terminal:")
with st.expander("The Cypher behind this step", icon=":material/code:",
                 expanded=step.console):
    st.code(query.cypher.strip(), language="cypher")
