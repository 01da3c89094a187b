"""Console: read-only Cypher with parameters; a network when the result holds
nodes and relationships, a table otherwise.

The statement is written in the Cypher editor (explorer/app/cypher_editor.py):
it completes the graph's labels, relationship types and property keys and the
saved queries' parameters, and marks a refusal or syntax error at its line and
column.

A parameter value written ``actor:NAME`` or ``weapon_system:NAME`` is resolved
to that entity's id first (explorer/resolve.py, docs/names.md), and the
server's warnings about the query (an unknown label, relationship type or
property key) are shown above the result."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from explorer.app import cached, param_widgets, tables
from explorer.app import widgets as w
from explorer.app.cypher_editor import cypher_editor, graph_completions
from explorer.app.links import escape_md
from explorer.app.saving import save_query_form
from explorer.app.state import get_db
from explorer.config import DEFAULT_QUERY_TIMEOUT_S, DEFAULT_ROW_CAP
from explorer.errors import ExplorerError, LocatedQueryError
from explorer.resolve import NameTable, resolve_typed, split_typed

EXAMPLE = """// Who supplies North Korea, and whom does it supply? One path per transfer.
MATCH p = (:Actor {id: $actor})-[:SUPPLIED|TO]-(:Transfer)-[:SUPPLIED|TO]-(:Actor)
RETURN p
LIMIT 100"""
# Typed: the console looks the name up, as a saved query's actor parameter does.
EXAMPLE_PARAMS = "actor=actor:North Korea"


def names(kind: str) -> NameTable:
    return cached.cached_names(db, kind)


def _marks(error: LocatedQueryError | None) -> tuple[Any, ...] | None:
    """What the editor marks for ``error``: where, and the sentence."""
    return None if error is None else (error.line, error.column, str(error))


def resolutions(given: dict[str, Any], sent: dict[str, Any]) -> list[str]:
    """``recipient = actor:ukraine → Ukraine (id ukraine)`` for each typed value."""
    lines = []
    for name, value in given.items():
        typed = split_typed(value)
        if typed is None or not isinstance(sent.get(name), str):
            continue
        entity = names(typed[0]).get(sent[name])
        if entity is not None:
            lines.append(f"{name} = {typed[0]}:{typed[1]} → {entity.name} (id {entity.id})")
    return lines


@st.cache_data(ttl=cached.CACHE_TTL_S, show_spinner=False, max_entries=16)
def console_drawing(_db: Any, cypher: str, params_json: str) -> dict[str, Any]:
    result = cached.cached_cypher(_db, cypher, params_json)
    return w.drawing(result.rows)


db = get_db()
st.title("Console")
st.caption(f"Read-only Cypher: writes are refused, every query stops after "
           f"{DEFAULT_QUERY_TIMEOUT_S:g} s and returns at most {DEFAULT_ROW_CAP:,} rows. "
           "Results are cached for a minute.")

# A link with ?cypher=...&params=... opens the console on that query.
url = st.query_params.to_dict()
if "cypher" in url and url != st.session_state.get("console_url"):
    st.session_state["console_cypher"] = url["cypher"]
    st.session_state["console_params"] = url.get("params", "")
    st.session_state["console_run"] = {"cypher": url["cypher"], "params": url.get("params", "")}
    # The editor keeps its own text once shown: a new key loads the link's text.
    st.session_state["console_editor"] = st.session_state.get("console_editor", 0) + 1
st.session_state.setdefault("console_cypher", EXAMPLE)
st.session_state.setdefault("console_params", EXAMPLE_PARAMS)
# The example runs on arrival, so the page shows what the console can do.
st.session_state.setdefault("console_run", {"cypher": EXAMPLE, "params": EXAMPLE_PARAMS})
st.html("<style>.st-key-console_params textarea "
        "{ font-family: ui-monospace, 'DejaVu Sans Mono', monospace; font-size: 0.9rem; }"
        "</style>")

# The error the last run raised, marked in the editor at its line and column.
shown_error: LocatedQueryError | None = st.session_state.get("console_error")
editor, side = st.columns([3, 1])
with editor:
    event = cypher_editor(
        st.session_state["console_cypher"],
        key=f"console_editor_{st.session_state.get('console_editor', 0)}",
        completions=graph_completions(db), error=shown_error,
    )
    st.caption("One read-only statement. **Ctrl+Enter** or **Run** runs it; type to "
               "complete labels, relationship types, property keys and `$parameters`.")
side.text_area("Parameters", key="console_params", height=180,
               placeholder='name=value lines, or a JSON object {"actor": "russia"}',
               help="Lines name=value (values parsed as JSON when they can be: 2, true, "
                    "[\"a\"]), or one JSON object. Write actor:NAME or "
                    "weapon_system:NAME to send that entity's id: "
                    "recipient=actor:Ukraine, system=weapon_system:Geran-2.")
if event.submitted:
    st.session_state["console_cypher"] = event.text
    st.session_state["console_run"] = {"cypher": event.text,
                                       "params": st.session_state["console_params"]}

run = st.session_state.get("console_run")
if not run or not run["cypher"].strip():
    st.caption("Write a query and press Run.")
    st.stop()

url_state = {"cypher": run["cypher"], **({"params": run["params"]} if run["params"] else {})}
if url_state != url:
    st.query_params.from_dict(url_state)
st.session_state["console_url"] = url_state

# The run's error, kept across the one rerun that marks it in the editor, so a slow
# failure (a timeout) is not run twice.
marked = st.session_state.pop("console_marked", None)
try:
    if marked is not None and marked[0] == run:
        raise marked[1]
    given = param_widgets.parse_params_text(run["params"])
    params = resolve_typed(given, names)
    params_json = json.dumps(params, sort_keys=True)
    with st.spinner("Running…"):
        result = cached.cached_cypher(db, run["cypher"], params_json)
except ExplorerError as error:
    located = error if isinstance(error, LocatedQueryError) and error.line else None
    if _marks(located) != _marks(shown_error):
        # The editor was drawn before the run: draw it again with the error marked.
        st.session_state["console_error"] = located
        st.session_state["console_marked"] = (dict(run), error)
        st.rerun()
    w.show_error(error)
    st.stop()
if shown_error is not None:
    st.session_state["console_error"] = None
    st.rerun()

w.result_notices(result)
resolved = resolutions(given, params)
if resolved:
    st.caption("Resolved: " + "; ".join(escape_md(line) for line in resolved))
st.caption(f"{len(result.rows):,} rows · {result.elapsed_ms:,.0f} ms")
if not result.rows:
    st.info("No rows.", icon=":material/search_off:")

exported: Any = result.rows
if result.rows and tables.has_graph(result.rows):
    drawn = w.guarded(lambda: console_drawing(db, run["cypher"], params_json))
    if drawn["capped"]:
        st.warning(drawn["notice"], icon=":material/filter_alt:")
    graph_tab, table_tab = st.tabs(["Network", "Table"])
    with graph_tab:
        clicked = w.graph_view(drawn["drawing"], key="console_graph")
        w.node_actions(drawn["graph"], clicked, key="console_node")
        st.caption(drawn["notice"])
        with st.expander("Legend", icon=":material/info:"):
            w.legend()
    with table_tab:
        st.dataframe(pd.DataFrame(tables.display_rows(result.rows)), hide_index=True,
                     width="stretch", placeholder="")
    exported = drawn["graph"]
elif result.rows:
    st.dataframe(pd.DataFrame(tables.display_rows(result.rows)), hide_index=True, width="stretch",
                 placeholder="")

if result.rows:
    drawn = exported if isinstance(exported, w.GraphData) else None
    provenance = w.provenance_for(db, run["cypher"], params, result.rows, drawn)
    w.attribution_line(exported, provenance)
    w.download_buttons(exported, provenance, key="console", stem="console-result")
save_query_form(db, run["cypher"], given)
