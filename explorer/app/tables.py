"""Results as tables: display values, the columns an analyst reads first, wrapped
long text, and a drawing's arrows and nodes as rows."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from explorer import attribution
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
    primary_label,
)


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


