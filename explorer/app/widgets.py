"""UI pieces the pages share: the database-down line, the graph component,
export buttons, parameter widgets, and the briefly cached query runs.

Cached functions take the Database as ``_db`` (not hashed: there is one per
process) and plain, hashable arguments. A failing run raises instead of
returning, so nothing is cached and the page recovers by itself once Neo4j
is back.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import streamlit as st
import streamlit.components.v1 as components

from explorer import attribution
from explorer.app.links import escape_md
from explorer.db import Database
from explorer.errors import DatabaseUnavailable, ExplorerError
from explorer.graph import (
    TRANSFER_EDGE_TYPE,
    GraphData,
    display_name,
    edge_status,
    entity_id,
    extract_graph,
    is_node,
    is_path,
    is_relationship,
    legend_html,
    prepare_graph,
    primary_label,
    to_pyvis_html,
)
from explorer.graph_export import (
    attributions,
    export_csv,
    export_graphml,
    export_json,
    export_svg,
    make_provenance,
)
from explorer.page_queries import explore
from explorer.queries import Param, SavedQuery, load_catalogue
from explorer.runner import QueryResult, run_cypher, run_saved

CACHE_TTL_S = 60
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
    page_html: str,
    *,
    key: str,
    height: int = GRAPH_HEIGHT_PX,
    on_change: Callable[[], None] | None = None,
) -> dict[str, Any] | None:
    """Show a drawing from ``explorer.graph.to_pyvis_html`` in the ``graph_view``
    component; returns the last clicked node ``{id, entityId, label, nonce}`` or None.

    The component hosts the page in a sandboxed nested frame (scripts only, no
    access to the app) and relays its ``explorer:node-click`` messages.
    """
    value = _graph_component(html=page_html, height=int(height), key=key, default=None,
                             on_change=on_change)
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


def legend() -> None:
    # Our own static markup, no data in it. st.html would strip the inline SVG
    # swatches, so it gets a small frame of its own: three lines in the wide
    # layout ("content" sizing keeps an iframe's default 150 px at least).
    st.iframe(_LEGEND_PAGE.replace("{legend}", legend_html()), height=96)


def drawing(
    rows: Sequence[Mapping[str, Any]], *, keep: Sequence[str] = (),
    max_nodes: int = MAX_DRAWN_NODES, height: int = GRAPH_HEIGHT_PX,
) -> dict[str, Any]:
    """rows -> the capped graph, its notice and the page to show."""
    graph, notice = prepare_graph(rows, max_nodes=max_nodes, keep=keep)
    page = to_pyvis_html(graph, height=f"{height}px")
    return {"graph": graph, "notice": notice.message, "capped": notice.capped, "html": page}


def has_graph(rows: Sequence[Mapping[str, Any]]) -> bool:
    """True when the rows hold nodes and relationships between them."""
    graph = extract_graph(rows)
    return bool(graph.nodes) and bool(graph.edges)


def arrow_rows(graph: GraphData) -> list[dict[str, Any]]:
    """The drawn arrows as table rows: who to whom, status, what, how much, when, sources.

    Folded transfers (``TRANSFER``) and the derived ``TRANSFERS_TO`` summaries carry
    counts, systems, years and TIV; other links show their type only. Counts say what
    they count (docs/reading-results.md): a summary's SIPRI deals and claims apart, a
    folded arrow's transfers (any origin, named in ``origin``); a quantity only when
    the arrow is of one weapon system.
    """
    index = graph.node_index()
    out: list[dict[str, Any]] = []
    for edge in graph.edges:
        props = edge["properties"]
        start, end = index.get(edge["start"], {}), index.get(edge["end"], {})
        systems = props.get("systems") or []
        quantity = props.get("quantity") if len(systems) <= 1 else None
        words = ", ".join(props.get("quantity_text") or [])
        summary = edge["type"] == "TRANSFERS_TO"
        out.append({
            "from": display_name(start) if start else edge["start"],
            "to": display_name(end) if end else edge["end"],
            "status": edge_status(edge, index),
            "statuses": ", ".join(props.get("statuses") or []) or None,
            "SIPRI deals": props.get("sipri_deals") if summary else None,
            "claims": props.get("claims") if summary else None,
            "transfers": props.get("deals") if not summary else None,
            "systems": ", ".join(systems) or None,
            "quantity": str(quantity) if quantity is not None else words or None,
            "years": _years(props.get("first_year"), props.get("last_year")),
            "tiv": props.get("tiv"),
            "sources": "; ".join(props.get("sources") or []) or None,
            "origin": ", ".join(props.get("origins") or []) or None,
            "link": "transfer" if edge["type"] == TRANSFER_EDGE_TYPE else edge["type"],
        })
    # Columns nobody filled (statuses outside TRANSFERS_TO, ...) only add noise.
    filled = {key for row in out for key, value in row.items() if value not in (None, "")}
    return [{k: v for k, v in row.items() if k in filled} for row in out]


def _years(first: Any, last: Any) -> str | None:
    if first is None and last is None:
        return None
    if first == last or last is None:
        return str(first)
    if first is None:
        return str(last)
    return f"{first}–{last}"


def node_rows(graph: GraphData) -> list[dict[str, Any]]:
    return [
        {"name": display_name(n), "kind": primary_label(n) or "node",
         "type": (n.get("properties") or {}).get("kind")
         or (n.get("properties") or {}).get("category"),
         "id": entity_id(n)}
        for n in graph.nodes
    ]


def display_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Result rows with nodes, relationships and paths as readable text, for a table.

    An empty value is "" in a text column, never "None"; a number column keeps
    None (so it stays a number column) and the tables show it blank
    (``placeholder=""``, see ``result_table``).
    """
    shown = [{key: _display(value) for key, value in row.items()} for row in rows]
    numeric = {
        key for key in {k for row in shown for k in row}
        if all(_is_number(row.get(key)) for row in shown if row.get(key) is not None)
    }
    return [{key: ("" if value is None and key not in numeric else value)
             for key, value in row.items()} for row in shown]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _display(value: Any) -> Any:
    if isinstance(value, Mapping):
        if is_node(value):
            return f"{display_name(value)} ({primary_label(value) or 'node'})"
        if is_relationship(value):
            return f"[{value['type']}]"
        if is_path(value):
            return " → ".join(display_name(n) for n in value["nodes"])
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, (list, tuple)):
        if all(not isinstance(v, (Mapping, list, tuple)) for v in value):
            return ", ".join("" if v is None else str(v) for v in value)
        return "; ".join(str(_display(v)) for v in value)
    return value


# The columns an analyst reads first, by their result names: the heading shown and a
# width (px) that leaves the quote in view; longer values wrap in the tall rows.
READ_FIRST = {"quote": ("quote", 330), "attributed_to": ("said by", 120),
              "said_by": ("said by", 120), "as_of": ("as of", 90)}
# Text that needs room: these columns, and any whose values run long, wrap onto
# several lines of a taller row.
LONG_TEXT = ("quote", "reason", "label", "description", "comments", "what", "about")
LONG_TEXT_CHARS = 60
WRAPPED_ROW_PX = 116  # five lines of text
WRAPPED_ROWS_SHOWN = 7
# Plumbing for the attribution line (docs/attribution.md), not for reading.
HIDDEN_COLUMNS = (attribution.SOURCE_IDS_COLUMN,)


def table_frame(rows: Sequence[Mapping[str, Any]],
                columns: Sequence[str] | None = None) -> Any:
    """The rows as a DataFrame for ``result_table``: readable cells, the declared
    ``columns`` in their order (all when None), without the hidden ones."""
    import pandas as pd

    frame = pd.DataFrame(display_rows(rows))
    if columns:
        frame = frame[[c for c in columns if c in frame.columns]]
    return frame.drop(columns=[c for c in HIDDEN_COLUMNS if c in frame.columns])


def long_text_columns(frame: Any) -> list[str]:
    """Columns whose text needs wrapping: named ones, or with a value over
    ``LONG_TEXT_CHARS`` characters."""
    out = []
    for column in frame.columns:
        values = [v for v in frame[column] if isinstance(v, str)]
        if values and (column in LONG_TEXT or any(len(v) > LONG_TEXT_CHARS for v in values)):
            out.append(column)
    return out


def result_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None,
                 *, key: str | None = None) -> None:
    """A result as an interactive table: blank empty cells, "said by" and "as of"
    headings, long text wrapped in taller rows."""
    frame = table_frame(rows, columns)
    wide = long_text_columns(frame)
    config: dict[str, Any] = {}
    for column in frame.columns:
        if column in READ_FIRST:
            heading, width = READ_FIRST[column]
            config[column] = st.column_config.TextColumn(heading, width=width)
        elif column in wide:
            config[column] = st.column_config.TextColumn(column, width="large")
    # Tall rows need a taller table, or only two or three of them show.
    height: Any = "auto"
    if wide:
        height = WRAPPED_ROW_PX * min(len(frame), WRAPPED_ROWS_SHOWN) + 40
    st.dataframe(frame, hide_index=True, width="stretch", placeholder="",
                 column_config=config or None, row_height=WRAPPED_ROW_PX if wide else None,
                 height=height, key=key)


# --------------------------------------------------------------------------- exports


def download_buttons(
    data: GraphData | Sequence[Mapping[str, Any]],
    provenance: Mapping[str, Any],
    *,
    key: str,
    stem: str = "arms-transfers",
) -> None:
    """CSV, JSON (and GraphML and SVG for a graph), each with its provenance.

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
                        lambda: export_svg(data, provenance)))  # type: ignore[arg-type]
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
    resolved, known = _cached_source_lookup(db, keys) if keys else ({}, {})
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
        st.caption(f"{label}: {_caption_escape(titles)}")
    note = provenance.get("sources_note")
    if note:
        st.caption(_caption_escape(str(note)), help=(
            "A result credits the sources behind the transfers, events and sources its rows "
            "show. Rows of sums and rankings say where their figures come from in a "
            "source_ids column; see docs/attribution.md."))
    for line in attributions(provenance):
        st.caption(_caption_escape(line))


_INLINE_MARKUP = re.compile(r"([\\`*_\[\]<>#|~$])")


def _caption_escape(text: str) -> str:
    """Text from data for a one-line caption: the characters that start inline
    markup escaped, and a leading list marker; "(c)" and dates stay as written."""
    text = _INLINE_MARKUP.sub(r"\\\1", str(text))
    if re.match(r"[-+]\s", text):
        return "\\" + text
    return re.sub(r"^(\d+)([.)]\s)", r"\1\\\2", text)


# --------------------------------------------------------------------------- cached runs


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def cached_actor_options(_db: Database) -> list[dict[str, Any]]:
    return explore.actor_options(_db)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def cached_categories(_db: Database) -> list[str]:
    return explore.categories(_db)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def cached_year_bounds(_db: Database) -> tuple[int | None, int | None]:
    return explore.year_bounds(_db)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def cached_data_range(_db: Database) -> explore.DataRange:
    return explore.data_range(_db)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False, max_entries=64)
def _cached_source_lookup(
    _db: Database, keys: tuple[tuple[str, str], ...]
) -> tuple[dict[tuple[str, str], list[str]], dict[str, dict[str, Any]]]:
    return attribution.lookup_sources(_db, keys)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False, max_entries=32)
def cached_cypher(_db: Database, cypher: str, params_json: str) -> QueryResult:
    return run_cypher(_db, cypher, json.loads(params_json))


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False, max_entries=64)
def cached_saved(_db: Database, name: str, params_json: str) -> QueryResult:
    query = cached_catalogue()[name]
    # Names resolve against the cached tables (read once a minute, not per run).
    return run_saved(_db, query, json.loads(params_json),
                     names=lambda kind: cached_names(_db, kind))


@st.cache_data(ttl=10, show_spinner=False)
def cached_catalogue() -> dict[str, SavedQuery]:
    # A short ttl: a new or edited .cypher file shows up without a restart.
    return load_catalogue()


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def cached_choices(_db: Database, choices_query: str) -> list[tuple[Any, str]]:
    """(value, label) pairs from a parameter's ``choices_query``."""
    result = run_cypher(_db, choices_query, {}, label="choices")
    pairs = []
    for row in result.rows:
        value = row.get("value")
        label = row.get("label", value)
        pairs.append((value, "" if label is None else str(label)))
    return pairs


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def cached_weapon_options(_db: Database) -> list[dict[str, Any]]:
    result = run_cypher(
        _db,
        "MATCH (w:WeaponSystem) RETURN w.id AS id, w.name AS name, "
        "coalesce(w.aliases, []) AS aliases ORDER BY toLower(w.name), w.id",
        {}, label="choices:weapons", row_cap=100_000,
    )
    return result.rows


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def cached_names(_db: Database, kind: str) -> Any:
    """The name table explorer.resolve checks typed names against ("actor",
    "weapon_system"): read once a minute, not on every resolution."""
    from explorer.resolve import fetch_names

    return fetch_names(_db, kind)


# --------------------------------------------------------------------------- parameters


def to_text(param: Param, value: Any) -> str:
    """A widget value as URL text that ``convert_params`` reads back."""
    if value is None:
        return ""
    if param.is_list:
        return json.dumps([v for v in value], ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and param.type == "int":
        return str(int(value))
    return str(value)


def param_widget(
    param: Param,
    *,
    key: str,
    choices: Sequence[tuple[Any, str]] | None = None,
    suggestions: Sequence[Mapping[str, Any]] | None = None,
) -> Any:
    """One input for a declared parameter; its state lives under ``key`` (seed it
    with ``initial_state`` before the first call). Returns a value for ``convert_params``.

    ``choices`` are (value, label) pairs (declared choices or a choices_query);
    ``suggestions`` are graph entities ``{id, name, aliases}`` for actor and
    weapon-system parameters.
    """
    label = param.name.replace("_", " ")
    help_text = param.help or None
    kind = param.type
    if param.choices is not None and choices is None:
        choices = [(c, str(c)) for c in param.choices]

    if param.is_list and choices is not None:
        labels = dict(choices)
        return st.multiselect(label, [c for c, _ in choices], key=key, help=help_text,
                              format_func=lambda v: labels.get(v, str(v)))
    if choices is not None:
        labels = dict(choices)
        return st.selectbox(label, [c for c, _ in choices], key=key, help=help_text,
                            format_func=lambda v: labels.get(v, str(v)),
                            placeholder="any" if param.optional else "choose")
    if kind in ("actor", "weapon_system") and suggestions is not None:
        names = [str(s.get("name")) for s in suggestions if s.get("name")]
        extra = st.session_state.get(key)
        if isinstance(extra, str) and extra and extra not in names:
            names.insert(0, extra)
        labels = {str(s.get("name")): explore.actor_label(s) for s in suggestions}
        return st.selectbox(label, names, key=key, help=help_text,
                            format_func=lambda v: labels.get(v, v), accept_new_options=True,
                            placeholder="type a name, alias or id")
    if kind == "int":
        return st.number_input(label, key=key, help=help_text, step=1,
                               min_value=param.min, max_value=param.max)
    if kind == "float":
        return st.number_input(label, key=key, help=help_text,
                               min_value=_float(param.min), max_value=_float(param.max))
    if kind == "bool":
        return st.toggle(label, key=key, help=help_text)
    placeholder = {
        "date": "YYYY, YYYY-MM or YYYY-MM-DD",
        "list": "comma-separated",
        "list[int]": "comma-separated numbers",
        "list[float]": "comma-separated numbers",
    }.get(kind, "")
    return st.text_input(label, key=key, help=help_text, placeholder=placeholder or None)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def initial_state(param: Param, text: str | None,
                  choices: Sequence[tuple[Any, str]] | None = None) -> Any:
    """The widget state for ``param`` from URL text (or its default when None)."""
    value: Any = param.default if text is None else _from_text(param, text)
    if param.choices is not None and choices is None:
        choices = [(c, str(c)) for c in param.choices]
    if param.is_list:
        items = list(value or [])
        if choices is not None:
            allowed = [c for c, _ in choices]
            return [v for v in items if v in allowed]
        return ", ".join(str(v) for v in items)
    if choices is not None:
        allowed = [c for c, _ in choices]
        return value if value in allowed else None
    if param.type in ("int", "float") and value is not None:
        # A link may carry a value outside the bounds; the input would refuse it.
        number = int(value) if param.type == "int" else float(value)
        if param.min is not None:
            number = max(number, param.min)
        if param.max is not None:
            number = min(number, param.max)
        return number
    if param.type in ("int", "float"):
        return None
    if param.type == "bool":
        return bool(value)
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return "" if value is None else str(value)


def _from_text(param: Param, text: str) -> Any:
    """URL text -> a Python value for the widget, leniently (a bad value gives the default)."""
    from explorer.errors import ParameterError
    from explorer.queries import convert_params

    probe = SavedQuery(name="url", path="", title="", params=(
        Param(name=param.name, type=param.type, optional=True),
    ))
    try:
        return convert_params(probe, {param.name: text})[param.name]
    except ParameterError:
        return param.default


def parse_params_text(text: str) -> dict[str, Any]:
    """Console parameters: a JSON object, or ``name=value`` lines whose values are
    read as JSON when they parse (``2``, ``true``, ``["a", "b"]``) and as text otherwise."""
    from explorer.errors import ParameterError

    text = text.strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            loaded = json.loads(text)
        except ValueError as error:
            raise ParameterError(f"the parameters are not valid JSON ({error})") from None
        if not isinstance(loaded, dict):
            raise ParameterError("the parameters must be a JSON object")
        return loaded
    params: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, value = line.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ParameterError(
                f"parameter line {number} must be written name=value, e.g. actor=north-korea"
            )
        value = value.strip()
        try:
            params[name] = json.loads(value)
        except ValueError:
            params[name] = value
    return params
