"""UI pieces the pages share: the database-down line, the graph component with
its legend and node actions, and the export buttons with their provenance.
Tables are ``explorer.app.tables``, parameter widgets ``explorer.app.param_widgets``,
cached query runs ``explorer.app.cached``."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import streamlit as st
import streamlit.components.v1 as components

from explorer import attribution
from explorer.app.cached import cached_source_lookup
from explorer.app.links import escape_md
from explorer.db import Database
from explorer.errors import DatabaseUnavailable, ExplorerError
from explorer.graph import (
    GraphData,
    display_name,
    entity_id,
    legend_html,
    prepare_graph,
    primary_label,
)
from explorer.graph.page import drawing_payload
from explorer.graph_export import (
    attributions,
    export_csv,
    export_graphml,
    export_json,
    export_svg,
    make_provenance,
)
from explorer.runner import QueryResult

GRAPH_HEIGHT_PX = 620
MAX_DRAWN_NODES = 300

_COMPONENT_DIR = Path(__file__).parent / "components" / "graph_view"
_graph_component = components.declare_component("graph_view", path=str(_COMPONENT_DIR))


# --------------------------------------------------------------------------- errors


def show_error(error: Exception) -> None:
    """One line: the error's own sentence (it names the fix)."""
    icon = ":material/cloud_off:" if isinstance(error, DatabaseUnavailable) else \
        ":material/error:"
    # The sentence may quote what the user typed: shown as text, never as Markdown.
    st.error(escape_md(str(error)), icon=icon)


def result_notices(result: QueryResult) -> None:
    """Above any result: the server's warnings about the query (a label, type or
    property that does not exist reads as a warning, not as a true "0 rows") and
    the row cap's notice."""
    for warning in result.warnings:
        st.warning(f"The server warns: {escape_md(warning)}", icon=":material/warning:")
    if result.notice:
        st.warning(result.notice, icon=":material/content_cut:")


def guarded(work: Callable[[], Any]) -> Any:
    """Run ``work``; on a project error show its one line and stop the page."""
    try:
        return work()
    except ExplorerError as error:
        show_error(error)
        st.stop()


# --------------------------------------------------------------------------- graph


def graph_view(
    drawing: Mapping[str, Any],
    *,
    key: str,
    height: int = GRAPH_HEIGHT_PX,
    on_change: Callable[[], None] | None = None,
    footer: Sequence[str] = (),
    png_name: str = "arms-transfers.png",
    scene: str | None = None,
) -> dict[str, Any] | None:
    """Show a drawing (``explorer.graph.page.drawing_payload``: nodes, edges and
    options as data) in the ``graph_view`` component; returns the last clicked node
    ``{id, entityId, label, nonce}`` or None.

    The component hosts a static drawing page (vis-network loaded once, cached by
    the browser) in a sandboxed nested frame (scripts only, no access to the app)
    and sends it each drawing by postMessage; it relays the frame's
    ``explorer:node-click`` messages. Drawings of the same ``scene`` update in
    place (what is drawn stays where it is, the zoom is kept); a new scene (by
    default: any other drawing) replaces the picture and fits it. Given ``footer``
    lines (``graph_export.provenance_lines``) it offers a PNG download of the
    drawing as shown, with those lines painted under it.
    """
    rev = str(drawing.get("rev", ""))
    # As JSON text: the component hands it on to the drawing frame as it is, which
    # costs less between frames than the object graph it holds.
    text = json.dumps(drawing, ensure_ascii=False, separators=(",", ":"))
    value = _graph_component(drawing=text, rev=rev, scene=scene or rev, height=int(height),
                             key=key, default=None, on_change=on_change,
                             footer=list(footer), png_name=png_name)
    return value if isinstance(value, dict) else None


PROFILE_PAGE = "app_pages/profile.py"
EXPLORE_PAGE = "app_pages/explore.py"


def has_page(name: str) -> bool:
    return (Path(__file__).parent / "app_pages" / f"{name}.py").is_file()


def go_to(page: str, query_params: Mapping[str, str]) -> None:
    """A button callback: switch pages at the start of the next run (the router
    does it). A callback always runs, even when the rerun that follows the click
    no longer draws the button, so the click cannot get lost."""
    st.session_state["app_go_to"] = (page, dict(query_params))


def follow_go_to() -> None:
    """Called by the router before it runs the page."""
    target = st.session_state.pop("app_go_to", None)
    if target:
        st.switch_page(target[0], query_params=target[1])


def node_actions(graph: GraphData, clicked: Mapping[str, Any] | None, *, key: str) -> None:
    """After a click on a drawn actor: a line naming it, with buttons to explore from
    it or open its profile. Dismissed per click (the nonce)."""
    if not clicked or clicked.get("nonce") == st.session_state.get(f"{key}_dismissed"):
        return
    entity = str(clicked.get("entityId") or "")
    node = next((n for n in graph.nodes if entity_id(n) == entity), None)
    if node is None:
        return
    is_actor = primary_label(node) == "Actor"
    with st.container(border=True):
        info, explore_col, profile_col, close = st.columns([4, 2, 2, 1],
                                                           vertical_alignment="center")
        info.markdown(f"Selected: **{escape_md(display_name(node))}** · "
                      f"{escape_md(primary_label(node) or 'node')}")
        if is_actor:
            explore_col.button("Explore from here", key=f"{key}_explore", icon=":material/hub:",
                               width="stretch", on_click=go_to,
                               args=(EXPLORE_PAGE, {"actors": entity}))
        if is_actor and has_page("profile"):
            profile_col.button("Open profile", key=f"{key}_profile", icon=":material/person:",
                               width="stretch", on_click=go_to,
                               args=(PROFILE_PAGE, {"actor": entity}))
        close.button("", key=f"{key}_close", icon=":material/close:",
                     help="Clear the selection", on_click=_dismiss,
                     args=(f"{key}_dismissed", clicked.get("nonce")))


def _dismiss(key: str, nonce: Any) -> None:
    st.session_state[key] = nonce


_LEGEND_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>'
    "body{margin:0;padding:2px 0;font:12px system-ui,sans-serif;color:#31333f;"
    "overflow-y:auto}"
    "</style></head><body>{legend}</body></html>"
)


def legend(body: str | None = None, height: int = 96) -> None:
    # Our own markup, every data string in it escaped (``body``: the legend with
    # styling rules, from explorer.graph). st.html would strip the inline SVG
    # swatches, so it gets a small frame of its own: three lines in the wide
    # layout ("content" sizing keeps an iframe's default 150 px at least).
    st.iframe(_LEGEND_PAGE.replace("{legend}", legend_html() if body is None else body),
              height=height)


def drawing(
    rows: Sequence[Mapping[str, Any]], *, keep: Sequence[str] = (),
    max_nodes: int = MAX_DRAWN_NODES, height: int = GRAPH_HEIGHT_PX,
) -> dict[str, Any]:
    """rows -> the capped graph, its notice and the drawing to show (``graph_view``)."""
    graph, notice = prepare_graph(rows, max_nodes=max_nodes, keep=keep)
    return {"graph": graph, "notice": notice.message, "capped": notice.capped,
            "drawing": drawing_payload(graph)}


# --------------------------------------------------------------------------- exports


def download_buttons(
    data: GraphData | Sequence[Mapping[str, Any]],
    provenance: Mapping[str, Any],
    *,
    key: str,
    stem: str = "arms-transfers",
    positions: Mapping[str, tuple[float, float]] | None = None,
) -> None:
    """CSV, JSON (and GraphML and SVG for a graph), each with its provenance; the SVG
    at ``positions`` when given (the page's layout choice), else the force layout.

    The files are written when clicked, so the time in them is the download time.
    """
    is_graph = isinstance(data, GraphData)
    formats: list[tuple[str, str, Callable[[], str]]] = [
        ("CSV", "text/csv", lambda: export_csv(data, provenance)),
        ("JSON", "application/json", lambda: export_json(data, provenance)),
    ]
    if is_graph:
        formats.append(("GraphML", "application/graphml+xml",
                        lambda: export_graphml(data, provenance)))  # type: ignore[arg-type]
        formats.append(("SVG", "image/svg+xml",
                        lambda: export_svg(data, provenance,  # type: ignore[arg-type]
                                           positions=positions)))
    columns = st.columns(len(formats))
    for column, (name, mime, build) in zip(columns, formats, strict=True):
        column.download_button(
            f"{name}", data=build, file_name=f"{stem}.{name.lower()}", mime=mime,
            key=f"{key}_download_{name.lower()}", on_click="ignore",
            icon=":material/download:", width="stretch",
        )


def provenance_for(
    db: Database, query: str, parameters: Mapping[str, Any],
    rows: Sequence[Mapping[str, Any]], data: GraphData | None = None,
) -> dict[str, Any]:
    """Query, parameters, time and the result's own sources (``explorer.attribution``):
    those behind what ``data`` draws when given, else behind ``rows``."""
    shown: GraphData | Sequence[Mapping[str, Any]] = data if data is not None else rows
    return make_provenance(query, _jsonable(parameters), result_sources(db, shown))


def result_sources(db: Database, shown: GraphData | Sequence[Mapping[str, Any]]
                   ) -> attribution.Attribution:
    """The sources of what is shown (rows or a drawing), the lookup cached briefly."""
    evidence = attribution.evidence_in(shown)
    keys = attribution.evidence_keys(evidence)
    resolved, known = cached_source_lookup(db, keys) if keys else ({}, {})
    return attribution.attribute(evidence, resolved, known)


def _jsonable(parameters: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(dict(parameters), default=str))


def attribution_line(data: GraphData | Sequence[Mapping[str, Any]],
                     provenance: Mapping[str, Any]) -> None:
    """Under a result: the sources it credits (from ``provenance_for``), SIPRI's
    attribution line exactly when a SIPRI source is among them (its terms ask for it
    wherever its data is shown), or why its sources could not be determined."""
    sources = [s for s in provenance.get("sources") or [] if isinstance(s, Mapping)]
    if sources:
        titles = "; ".join(str(s.get("title") or s.get("id")) for s in sources)
        label = "Source" if len(sources) == 1 else "Sources"
        st.caption(f"{label}: {escape_md(titles)}")
    note = provenance.get("sources_note")
    if note:
        st.caption(escape_md(str(note)), help=(
            "A result credits the sources behind the transfers, events and sources its rows "
            "show. Rows of sums and rankings say where their figures come from in a "
            "source_ids column; see docs/attribution.md."))
    for line in attributions(provenance):
        st.caption(escape_md(line))


