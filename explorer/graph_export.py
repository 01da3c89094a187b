"""Exports that can be cited: CSV, JSON, GraphML and SVG, each carrying its provenance.

``provenance`` is a dict such as::

    {"query": "supplied-by" or the Cypher text, "parameters": {...},
     "sources": [{"id", "title", "kind", "generated" or "published", "attribution", ...}],
     "sources_note": None or "sources: not determined from these rows — ...",
     "generated_at": ISO timestamp, "tool": "arms-transfer-explorer 0.1.0"}

(``make_provenance`` fills the defaults). The sources are the result's own,
computed from its rows by ``explorer.attribution`` (docs/attribution.md); an
export cites those and only those, and carries "Source: SIPRI Arms Transfers
Database (c) SIPRI" exactly when a SIPRI Source is among them, as SIPRI's terms
require wherever an extract of its data is shown or shipped. Where it goes: CSV
leading ``# `` comment lines; JSON a top-level ``"provenance"`` object; GraphML
graph-level data keys; SVG a ``<metadata>`` block and a visible footer.
"""

from __future__ import annotations

import html
import io
import json
import re
import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from explorer import __version__
from explorer.attribution import Attribution, attribution_lines, source_lines
from explorer.graph import (
    LINK_STYLE,
    GraphData,
    compute_layout,
    display_name,
    edge_style,
    edge_width,
    entity_id,
    is_node,
    is_path,
    is_relationship,
    legend_items,
    node_style,
    primary_label,
    svg_shape,
)
from explorer.results import write_records

TOOL = f"arms-transfer-explorer {__version__}"

Rows = Sequence[Mapping[str, Any]]

# XML 1.0 cannot carry these at all, not even escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def make_provenance(
    query: str,
    parameters: Mapping[str, Any] | None = None,
    sources: Iterable[Mapping[str, Any]] | Attribution = (),
    *,
    sources_note: str | None = None,
    generated_at: str | None = None,
    tool: str = TOOL,
) -> dict[str, Any]:
    """A provenance dict with the current UTC time and this tool's name.
    ``sources`` may be an ``Attribution`` (its sources and note are taken)."""
    if isinstance(sources, Attribution):
        sources_note = sources.note if sources_note is None else sources_note
        sources = sources.sources
    return {
        "query": query,
        "parameters": dict(parameters or {}),
        "sources": [dict(s) for s in sources],
        "sources_note": sources_note,
        "generated_at": generated_at or _now(),
        "tool": tool,
    }


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def attributions(provenance: Mapping[str, Any]) -> list[str]:
    """Attribution lines the export must carry: SIPRI's when a cited source is
    SIPRI's, then each other cited source's own attribution, once each."""
    return attribution_lines(_sources(provenance))


def _sources(provenance: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [s for s in provenance.get("sources") or [] if isinstance(s, Mapping)]


def _full_provenance(provenance: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(provenance)
    out.setdefault("tool", TOOL)
    out.setdefault("generated_at", _now())
    out.setdefault("sources_note", None)
    out["attribution"] = attributions(provenance)
    return out


def provenance_lines(provenance: Mapping[str, Any]) -> list[str]:
    """The provenance as plain-text lines (the CSV header, the SVG footer)."""
    prov = _full_provenance(provenance)
    lines = [f"{prov['tool']} export"]
    query = str(prov.get("query") or "").strip()
    if query:
        query_lines = query.splitlines()
        lines.append(f"query: {query_lines[0]}")
        lines.extend(f"  {line}" for line in query_lines[1:])
    lines.append(f"parameters: {json.dumps(prov.get('parameters') or {}, default=str)}")
    lines.append(f"generated_at: {prov['generated_at']}")
    lines.extend(source_lines(_sources(prov)))
    if prov.get("sources_note"):
        lines.append(str(prov["sources_note"]))
    lines.extend(prov["attribution"])
    # A newline hidden in a value would end the comment and start a data line.
    return [part for line in lines for part in str(line).splitlines() or [""]]


# --------------------------------------------------------------------------- CSV


def export_csv(data: GraphData | Rows, provenance: Mapping[str, Any]) -> str:
    """CSV with ``# `` provenance lines first. Rows keep their columns (nodes
    become their name, paths "a -> b -> c", lists "; "-joined); a graph becomes
    one line per node and per edge. Written by ``explorer.results.write_records``,
    the CLI's writer too: text a spreadsheet would run as a formula gets a ``'``."""
    out = io.StringIO(newline="")
    if isinstance(data, GraphData):
        header, records = _graph_table(data)
    else:
        header = _columns(data)
        records = [[_cell(row.get(column)) for column in header] for row in data]
    write_records(header, records, out, provenance_lines(provenance))
    return out.getvalue()


def _columns(rows: Rows) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(str(key))
    return list(seen)


def _graph_table(graph: GraphData) -> tuple[list[str], list[list[str]]]:
    index = graph.node_index()
    keys = sorted({k for item in (*graph.nodes, *graph.edges) for k in item["properties"]} - {"id"})
    fixed = ["record", "element_id", "id", "label", "display_name", "from", "to"]
    header = [*fixed, *(f"property_{k}" if k in fixed else k for k in keys)]
    records = []
    for node in graph.nodes:
        props = node["properties"]
        records.append(
            [
                "node",
                node["id"],
                entity_id(node),
                ";".join(node["labels"]),
                display_name(node),
                "",
                "",
                *(_cell(props.get(k)) for k in keys),
            ]
        )
    for edge in graph.edges:
        props = edge["properties"]
        start, end = index.get(edge["start"], {}), index.get(edge["end"], {})
        records.append(
            [
                "edge",
                edge["id"],
                _cell(props.get("id")),
                edge["type"],
                "",
                display_name(start) if start else edge["start"],
                display_name(end) if end else edge["end"],
                *(_cell(props.get(k)) for k in keys),
            ]
        )
    return header, records


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_node(value):
        return display_name(value)
    if is_relationship(value):
        return str(value["type"])
    if is_path(value):
        return " -> ".join(display_name(n) for n in value["nodes"])
    if isinstance(value, (list, tuple)):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


# --------------------------------------------------------------------------- JSON


def export_json(data: GraphData | Rows, provenance: Mapping[str, Any], *, indent: int = 2) -> str:
    """``{"provenance": ..., "nodes": [...], "edges": [...]}`` for a graph,
    ``{"provenance": ..., "columns": [...], "rows": [...]}`` for rows."""
    prov = _full_provenance(provenance)
    if isinstance(data, GraphData):
        body: dict[str, Any] = {
            "provenance": prov,
            "nodes": list(data.nodes),
            "edges": list(data.edges),
            "dropped_edges": data.dropped_edges,
        }
    else:
        body = {"provenance": prov, "columns": _columns(data), "rows": list(data)}
    return json.dumps(body, ensure_ascii=False, indent=indent, default=str) + "\n"


# --------------------------------------------------------------------------- GraphML


def export_graphml(graph: GraphData, provenance: Mapping[str, Any]) -> str:
    """GraphML via networkx: a directed multigraph keyed by element id. Lists and
    maps become JSON text (GraphML takes scalars only), nulls are left out,
    provenance fields are graph-level data keys."""
    import networkx as nx  # slow to import, and only GraphML needs it

    prov = _full_provenance(provenance)
    g = nx.MultiDiGraph()
    for key in ("query", "tool", "generated_at"):
        g.graph[key] = _xml_text(str(prov.get(key) or ""))
    g.graph["parameters"] = _xml_text(json.dumps(prov.get("parameters") or {}, default=str))
    g.graph["sources"] = _xml_text(json.dumps(_sources(prov), ensure_ascii=False, default=str))
    g.graph["attribution"] = _xml_text("\n".join(prov["attribution"]))
    if prov.get("sources_note"):
        g.graph["sources_note"] = _xml_text(str(prov["sources_note"]))
    g.graph["dropped_edges"] = graph.dropped_edges
    for node in graph.nodes:
        g.add_node(node["id"])
        g.nodes[node["id"]].update(_scalars(node["properties"]))
        g.nodes[node["id"]]["labels"] = json.dumps(node["labels"], ensure_ascii=False)
        g.nodes[node["id"]]["name"] = _xml_text(display_name(node))
    for edge in graph.edges:
        g.add_edge(edge["start"], edge["end"], key=edge["id"])
        attrs = g.edges[edge["start"], edge["end"], edge["id"]]
        attrs.update(_scalars(edge["properties"]))
        attrs["type"] = edge["type"]
    return "\n".join(nx.generate_graphml(g)) + "\n"


def _scalars(props: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in props.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, Mapping)):
            out[str(key)] = _xml_text(json.dumps(value, ensure_ascii=False, default=str))
        elif isinstance(value, (bool, int, float)):
            out[str(key)] = value
        else:
            out[str(key)] = _xml_text(str(value))
    return out


def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("\ufffd", text)


# --------------------------------------------------------------------------- SVG


def export_svg(
    graph: GraphData,
    provenance: Mapping[str, Any],
    *,
    positions: Mapping[str, tuple[float, float]] | None = None,
    legend: bool = True,
) -> str:
    """The drawn network as a standalone SVG from the same positions and styles
    as the HTML drawing; hover titles, a legend and a provenance footer."""
    if positions is None:
        positions = compute_layout(graph)
    index = graph.node_index()
    esc = _svg_escape
    margin = 60.0
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    width = max(max(xs) - min(xs) + 2 * margin, 480.0)
    left, top = (max(xs) + min(xs) - width) / 2, min(ys) - margin
    # Footer lines wrap to the drawing's width, so none runs past its right edge.
    footer = _wrap_footer(provenance_lines(provenance), width - 24)
    legend_rows = _svg_legend_rows(width - 24) if legend else []
    graph_height = max(ys) - min(ys) + 2 * margin
    height = graph_height + 16 * (len(footer) + len(legend_rows)) + 24

    prov = _full_provenance(provenance)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{left:.1f} {top:.1f} '
        f'{width:.1f} {height:.1f}" width="{width:.0f}" height="{height:.0f}" '
        'font-family="system-ui, sans-serif">\n',
        f"<metadata>{esc(json.dumps(prov, ensure_ascii=False, default=str))}</metadata>\n",
        f"<title>{esc(str(prov.get('query') or 'arms-transfer graph'))}</title>\n",
        f'<rect x="{left:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:.1f}" '
        'fill="#ffffff"/>\n',
        "<defs>\n",
    ]
    styles = {edge["id"]: edge_style(edge, index) for edge in graph.edges}
    colours = sorted({style.color for style, _ in styles.values()})
    for i, colour in enumerate(colours):
        parts.append(
            f'<marker id="arrow{i}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            f'fill="{esc(colour)}"/></marker>\n'
            f'<marker id="bar{i}" viewBox="0 0 4 10" refX="4" refY="5" markerWidth="3" '
            f'markerHeight="7" orient="auto"><rect width="3" height="10" '
            f'fill="{esc(colour)}"/></marker>\n'
        )
    parts.append("</defs>\n<g>\n")
    marker_of = {c: i for i, c in enumerate(colours)}
    drawn = [e for e in graph.edges if e["start"] in positions and e["end"] in positions]
    pair_count = Counter(frozenset((e["start"], e["end"])) for e in drawn)
    nth_of: Counter[tuple[str, str]] = Counter()
    for edge in drawn:
        style, status = styles[edge["id"]]
        (x1, y1), (x2, y2) = positions[edge["start"]], positions[edge["end"]]
        length = max(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5, 1e-9)
        # Parallel arrows bend to the right of their direction, as in the HTML drawing.
        bend = 0.0
        if pair_count[frozenset((edge["start"], edge["end"]))] > 1:
            bend = 0.15 + 0.12 * nth_of[(edge["start"], edge["end"])]
            nth_of[(edge["start"], edge["end"])] += 1
        cx = (x1 + x2) / 2 - (y2 - y1) * bend
        cy = (y1 + y2) / 2 + (x2 - x1) * bend
        # Stop short of the node, along the curve's last tangent, so the head shows.
        tx, ty = x2 - cx, y2 - cy
        tangent = max((tx * tx + ty * ty) ** 0.5, 1e-9)
        shrink = min(14.0, length / 3)
        x2s, y2s = x2 - tx / tangent * shrink, y2 - ty / tangent * shrink
        dash = " ".join(str(d) for d in style.dashes) if style.dashes else "none"
        width_px = 1.0 if style is LINK_STYLE else edge_width(edge["properties"])
        marker = ("bar" if style.arrow == "bar" else "arrow") + str(marker_of[style.color])
        name = f"{display_name(index[edge['start']])} → {display_name(index[edge['end']])}"
        parts.append(
            f'<path d="M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2s:.1f},{y2s:.1f}" fill="none" '
            f'stroke="{esc(style.color)}" stroke-width="{width_px:.2f}" '
            f'stroke-dasharray="{dash}" marker-end="url(#{marker})" opacity="0.85">'
            f"<title>{esc(name)} ({esc(status or edge['type'])})</title></path>\n"
        )
    parts.append("</g>\n<g>\n")
    for node in graph.nodes:
        if node["id"] not in positions:
            continue
        x, y = positions[node["id"]]
        style = node_style(node)
        shape = svg_shape(style.shape, x, y, 8.0, style.color, "#333333")
        name = display_name(node)
        short = name if len(name) <= 40 else name[:39] + "…"
        parts.append(
            f"<g><title>{esc(name)} ({esc(primary_label(node) or 'node')})</title>{shape}"
            f'<text x="{x:.1f}" y="{y + 22:.1f}" font-size="12" text-anchor="middle" '
            f'fill="#222222">{esc(short)}</text></g>\n'
        )
    parts.append("</g>\n")
    y = top + graph_height
    for row in legend_rows:
        parts.append(_svg_legend_row(row, left + 12, y))
        y += 16
    for line in footer:
        y += 16
        parts.append(
            f'<text x="{left + 12:.1f}" y="{y:.1f}" font-size="11" fill="#555555">'
            f"{esc(line)}</text>\n"
        )
    parts.append("</svg>\n")
    return "".join(parts)


# About 6.5 px per character at font-size 11 in a sans-serif face (wide enough
# for capitals and digits), as the legend reckons too.
_FOOTER_CHAR_PX = 6.5


def _wrap_footer(lines: Sequence[str], width: float) -> list[str]:
    """Footer lines cut to fit ``width``; continuations are indented."""
    chars = max(int(width / _FOOTER_CHAR_PX), 20)
    out: list[str] = []
    for line in lines:
        parts = textwrap.wrap(line, chars, subsequent_indent="    ", break_long_words=True,
                              break_on_hyphens=False, drop_whitespace=True)
        out.extend(parts or [""])
    return out


def _svg_escape(text: str) -> str:
    return html.escape(_xml_text(text), quote=True)


def _legend_item_width(item: Mapping[str, Any]) -> float:
    # Roughly 6.5 px per character at font-size 11, plus the swatch.
    return (44.0 if item["kind"] == "edge" else 22.0) + 6.5 * len(item["label"])


def _svg_legend_rows(width: float) -> list[list[dict[str, Any]]]:
    """Legend items in rows that fit ``width``: node kinds first, then statuses."""
    rows: list[list[dict[str, Any]]] = []
    for kind in ("node", "edge"):
        row: list[dict[str, Any]] = []
        used = 0.0
        for item in (i for i in legend_items() if i["kind"] == kind):
            if row and used + _legend_item_width(item) > width:
                rows.append(row)
                row, used = [], 0.0
            row.append(item)
            used += _legend_item_width(item)
        if row:
            rows.append(row)
    return rows


def _svg_legend_row(items: list[dict[str, Any]], x: float, y: float) -> str:
    out = []
    for item in items:
        label = _svg_escape(item["label"])
        if item["kind"] == "node":
            out.append(svg_shape(item["shape"], x + 6, y + 8, 5.0, item["color"], "#333333"))
            out.append(f'<text x="{x + 16:.1f}" y="{y + 12:.1f}" font-size="11">{label}</text>')
        else:
            dash = " ".join(str(d) for d in item["dashes"]) or "none"
            out.append(
                f'<line x1="{x:.1f}" y1="{y + 8:.1f}" x2="{x + 26:.1f}" y2="{y + 8:.1f}" '
                f'stroke="{_svg_escape(item["color"])}" stroke-width="2.5" '
                f'stroke-dasharray="{dash}"/>'
            )
            out.append(f'<text x="{x + 30:.1f}" y="{y + 12:.1f}" font-size="11">{label}</text>')
        x += _legend_item_width(item)
    return "".join(out) + "\n"
