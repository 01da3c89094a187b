"""Query results -> a graph -> a drawing.

Pure functions, no database: ``explorer/results.py`` turns driver records
into plain row dicts; this module finds the nodes and relationships in them,
folds the reified transfers into supplier -> recipient arrows, caps what gets
drawn, lays it out deterministically and writes a self-contained vis-network
page (no CDN: the dashboard must work offline). Exports live in
``explorer/graph_export.py``.

    rows --extract_graph--> GraphData --collapse_transfers--> GraphData
         --cap_graph--> (GraphData, CapNotice) --to_pyvis_html--> str

Relationships whose end nodes are not in the result are dropped and counted
(``GraphData.dropped_edges``, repeated in the ``CapNotice``) rather than drawn
to anonymous stub nodes, unless ``extract_graph(..., stub_missing=True)``.
"""

from __future__ import annotations

import functools
import html
import json
import math
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import networkx as nx

SIPRI_ATTRIBUTION = "Source: SIPRI Arms Transfers Database (c) SIPRI"

# Which label names a node when it carries several; order of the contract.
LABEL_PRIORITY = ("Actor", "Transfer", "WeaponSystem", "WeaponClass", "Event", "Place", "Source")

STATUS_ORDER = (
    "delivered",
    "ordered",
    "reported",
    "sought",
    "considered",
    "withheld",
    "not_supplied",
)

# Collapsed Actor -> Actor arrows get this relationship type.
TRANSFER_EDGE_TYPE = "TRANSFER"


@dataclass(frozen=True)
class EdgeStyle:
    color: str
    dashes: bool | tuple[int, ...]
    arrow: str  # vis-network arrow head: "arrow", or "bar" for "did not / will not happen"
    label: str
    description: str


@dataclass(frozen=True)
class NodeStyle:
    shape: str  # vis-network shape name
    color: str
    label: str


# Colours lean on the Okabe-Ito / Paul Tol palettes, and every status also
# differs by dash pattern or arrow head, so no reading depends on hue alone.
STATUS_STYLES: dict[str, EdgeStyle] = {
    "delivered": EdgeStyle("#08306b", False, "arrow", "Delivered", "arms handed over"),
    "ordered": EdgeStyle("#3a7dc9", (10, 6), "arrow", "Ordered", "deal signed, not yet delivered"),
    "reported": EdgeStyle(
        "#009e88", (14, 4, 3, 4), "arrow", "Reported", "reported handed over, not confirmed"
    ),
    "sought": EdgeStyle("#e66100", (8, 6), "arrow", "Sought", "the recipient wants it"),
    "considered": EdgeStyle("#c69200", (2, 6), "arrow", "Considered", "under discussion"),
    "withheld": EdgeStyle("#7b3294", (6, 4), "bar", "Withheld", "the supplier holds it back"),
    "not_supplied": EdgeStyle(
        "#8c8c8c", (3, 4), "bar", "Not supplied", "asked for or claimed, not supplied"
    ),
}
UNKNOWN_STATUS_STYLE = EdgeStyle("#5f5f5f", (1, 3), "arrow", "Unknown status", "no status given")
LINK_STYLE = EdgeStyle("#a8a8a8", False, "arrow", "Other link", "OF, IS_A, CONDUCTED, ...")

ACTOR_STYLES: dict[str, NodeStyle] = {
    "state": NodeStyle("dot", "#4477aa", "State"),
    "organization": NodeStyle("hexagon", "#66ccee", "Organization"),
    "armed_group": NodeStyle("triangle", "#ee6677", "Armed group"),
    "person": NodeStyle("triangleDown", "#aa3377", "Person"),
    "media": NodeStyle("square", "#ccbb44", "Media"),
    "unknown": NodeStyle("dot", "#bbbbbb", "Actor (kind unknown)"),
}
LABEL_STYLES: dict[str, NodeStyle] = {
    "WeaponSystem": NodeStyle("diamond", "#228833", "Weapon system"),
    "WeaponClass": NodeStyle("diamond", "#a6dba0", "Weapon class"),
    "Event": NodeStyle("star", "#ee7733", "Event"),
    "Place": NodeStyle("square", "#009988", "Place"),
    "Source": NodeStyle("database", "#d9d0c1", "Source"),
    "Transfer": NodeStyle("dot", "#777777", "Transfer (coloured by status)"),
}
OTHER_STYLE = NodeStyle("dot", "#dddddd", "Other")


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class GraphData:
    """Distinct nodes and relationships, sorted by id so equal inputs compare equal.

    Nodes are ``{"id", "labels", "properties"}`` and edges
    ``{"id", "type", "start", "end", "properties"}``: the shapes
    ``explorer/results.py`` produces, where ``id`` is the Neo4j element id and
    ``properties["id"]`` the domain id of the graph contract.
    """

    nodes: tuple[dict[str, Any], ...] = ()
    edges: tuple[dict[str, Any], ...] = ()
    dropped_edges: int = 0

    def node_index(self) -> dict[str, dict[str, Any]]:
        return {node["id"]: node for node in self.nodes}

    def to_networkx(self) -> nx.MultiDiGraph:
        """A MultiDiGraph keyed by element id; attributes are the properties plus
        ``labels`` on nodes and ``type`` on edges (edge keys are relationship ids)."""
        import networkx as nx  # a third of a second to import: only when asked for

        g = nx.MultiDiGraph()
        for node in self.nodes:
            g.add_node(node["id"])
            g.nodes[node["id"]].update(node["properties"])
            g.nodes[node["id"]]["labels"] = list(node["labels"])
        for edge in self.edges:
            g.add_edge(edge["start"], edge["end"], key=edge["id"])
            attrs = g.edges[edge["start"], edge["end"], edge["id"]]
            attrs.update(edge["properties"])
            attrs["type"] = edge["type"]
        return g


def is_node(value: Any) -> bool:
    return isinstance(value, Mapping) and {"id", "labels", "properties"} <= value.keys()


def is_relationship(value: Any) -> bool:
    return isinstance(value, Mapping) and {"id", "type", "start", "end"} <= value.keys()


def is_path(value: Any) -> bool:
    return isinstance(value, Mapping) and {"nodes", "relationships"} <= value.keys()


def extract_graph(rows: Iterable[Mapping[str, Any]], *, stub_missing: bool = False) -> GraphData:
    """Collect the distinct nodes and relationships found anywhere in ``rows``:
    as values, inside lists, paths and maps. A node met twice is merged
    (labels and properties unioned; results of one query agree anyway).

    A relationship whose start or end node is not in the result is dropped and
    counted, or, with ``stub_missing``, drawn to a stub node
    (``labels == []``, ``"stub": True``).
    """
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[str, dict[str, Any]] = {}
    # An explicit stack instead of recursion: a long path must not hit the recursion limit.
    stack: list[Any] = [list(row.values()) if isinstance(row, Mapping) else row for row in rows]
    while stack:
        value = stack.pop()
        if isinstance(value, Mapping):
            if is_node(value):
                _merge_node(nodes, value)
            elif is_relationship(value):
                key = str(value["id"])
                if key not in edges:
                    edges[key] = {
                        "id": key,
                        "type": str(value["type"]),
                        "start": str(value["start"]),
                        "end": str(value["end"]),
                        "properties": dict(value.get("properties") or {}),
                    }
            elif is_path(value):
                stack.extend(value["nodes"])
                stack.extend(value["relationships"])
            else:
                stack.extend(value.values())
        elif isinstance(value, (list, tuple, set, frozenset)):
            stack.extend(value)

    dropped = 0
    kept: list[dict[str, Any]] = []
    for edge in edges.values():
        missing = [end for end in (edge["start"], edge["end"]) if end not in nodes]
        if missing and not stub_missing:
            dropped += 1
            continue
        for end in missing:
            nodes[end] = {"id": end, "labels": [], "properties": {}, "stub": True}
        kept.append(edge)
    return GraphData(
        nodes=tuple(sorted(nodes.values(), key=lambda n: n["id"])),
        edges=tuple(sorted(kept, key=lambda e: e["id"])),
        dropped_edges=dropped,
    )


def _merge_node(nodes: dict[str, dict[str, Any]], value: Mapping[str, Any]) -> None:
    key = str(value["id"])
    seen = nodes.get(key)
    if seen is None:
        nodes[key] = {
            "id": key,
            "labels": [str(label) for label in value["labels"]],
            "properties": dict(value["properties"] or {}),
        }
        return
    for label in value["labels"]:
        if label not in seen["labels"]:
            seen["labels"].append(str(label))
    for name, prop in (value["properties"] or {}).items():
        seen["properties"].setdefault(name, prop)


def primary_label(node: Mapping[str, Any]) -> str:
    labels = node.get("labels") or []
    for label in LABEL_PRIORITY:
        if label in labels:
            return label
    return str(labels[0]) if labels else ""


def display_name(node: Mapping[str, Any]) -> str:
    """What a person calls the node: name, title, domain id, element id."""
    props = node.get("properties") or {}
    for key in ("name", "title", "id"):
        value = props.get(key)
        if value not in (None, ""):
            return str(value)
    return str(node.get("id", ""))


def entity_id(node: Mapping[str, Any]) -> str:
    """The domain id of the graph contract (``north-korea``), else the element id."""
    value = (node.get("properties") or {}).get("id")
    return str(value) if value not in (None, "") else str(node.get("id", ""))


# --------------------------------------------------------------------------- collapse


def collapse_transfers(graph: GraphData, *, drop_orphans: bool = True) -> GraphData:
    """Fold every ``(Actor)-[:SUPPLIED]->(Transfer)-[:TO]->(Actor)`` chain into one
    ``TRANSFER`` edge supplier -> recipient, one edge per (supplier, recipient,
    status), aggregating parallel transfers: ``deals``, ``quantity`` (sum of the
    known ones, only when all are of one weapon system), ``quantity_text``,
    ``first_year``/``last_year``, ``tiv`` (sum of ``tiv_delivered``, else
    ``tiv_total``), ``systems`` (from ``OF`` edges), ``sources`` (titles from
    ``EVIDENCED_BY``), ``origins``, ``transfer_ids``.

    A Transfer missing its supplier or recipient in the result stays a node.
    With ``drop_orphans``, nodes that only hung off folded transfers (the
    weapon system, the sources) are dropped: their names are on the edge.
    """
    index = graph.node_index()
    transfers = {nid for nid, node in index.items() if "Transfer" in node["labels"]}
    if not transfers:
        return graph

    def has_label(nid: str, label: str) -> bool:
        return nid in index and label in index[nid]["labels"]

    suppliers: dict[str, list[str]] = defaultdict(list)
    recipients: dict[str, list[str]] = defaultdict(list)
    systems: dict[str, set[str]] = defaultdict(set)
    sources: dict[str, set[str]] = defaultdict(set)
    for edge in graph.edges:
        start, end, kind = edge["start"], edge["end"], edge["type"]
        if kind == "SUPPLIED" and end in transfers and has_label(start, "Actor"):
            suppliers[end].append(start)
        elif kind == "TO" and start in transfers and has_label(end, "Actor"):
            recipients[start].append(end)
        elif kind == "OF" and start in transfers and has_label(end, "WeaponSystem"):
            systems[start].add(display_name(index[end]))
        elif kind == "EVIDENCED_BY" and start in transfers and end in index:
            sources[start].add(display_name(index[end]))

    folded = {t for t in transfers if suppliers[t] and recipients[t]}
    if not folded:
        return graph

    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for tid in sorted(folded):
        status = str(index[tid]["properties"].get("status") or "unknown")
        for supplier in sorted(set(suppliers[tid])):
            for recipient in sorted(set(recipients[tid])):
                groups[(supplier, recipient, status)].append(tid)

    edges = [e for e in graph.edges if e["start"] not in folded and e["end"] not in folded]
    for (supplier, recipient, status), tids in groups.items():
        edges.append(
            {
                "id": f"transfer:{supplier}->{recipient}:{status}",
                "type": TRANSFER_EDGE_TYPE,
                "start": supplier,
                "end": recipient,
                "properties": _aggregate(status, [index[t] for t in tids], systems, sources, tids),
            }
        )

    nodes = [n for n in graph.nodes if n["id"] not in folded]
    if drop_orphans:
        before = _touched(graph.edges)
        after = _touched(edges)
        nodes = [n for n in nodes if n["id"] in after or n["id"] not in before]
    return GraphData(
        nodes=tuple(nodes),
        edges=tuple(sorted(edges, key=lambda e: e["id"])),
        dropped_edges=graph.dropped_edges,
    )


def _touched(edges: Iterable[Mapping[str, Any]]) -> set[str]:
    return {end for e in edges for end in (e["start"], e["end"])}


def _aggregate(
    status: str,
    transfers: list[dict[str, Any]],
    systems: Mapping[str, set[str]],
    sources: Mapping[str, set[str]],
    tids: list[str],
) -> dict[str, Any]:
    quantities: list[int] = []
    quantity_texts: list[str] = []
    years: list[int] = []
    tivs: list[float] = []
    origins: set[str] = set()
    descriptions: list[str] = []
    for transfer in transfers:
        props = transfer["properties"]
        if isinstance(props.get("quantity"), (int, float)):
            quantities.append(int(props["quantity"]))
        elif props.get("quantity_text"):
            quantity_texts.append(str(props["quantity_text"]))
        for key in ("order_year", "first_year", "last_year", "year"):
            if isinstance(props.get(key), int):
                years.append(props[key])
        years.extend(y for y in props.get("delivery_years") or [] if isinstance(y, int))
        tiv = _number(props.get("tiv_delivered"))
        if tiv is None:
            tiv = _number(props.get("tiv_total"))
        if tiv is not None:
            tivs.append(tiv)
        if props.get("origin"):
            origins.add(str(props["origin"]))
        if props.get("description") and props["description"] not in descriptions:
            descriptions.append(str(props["description"]))
    shown_systems = sorted(set().union(*(systems.get(t, set()) for t in tids)))
    return {
        "status": status,
        "deals": len(transfers),
        # Numbers of unlike systems (missiles and vehicles) do not add up.
        "quantity": sum(quantities) if quantities and len(shown_systems) <= 1 else None,
        "quantity_text": sorted(set(quantity_texts)),
        "first_year": min(years) if years else None,
        "last_year": max(years) if years else None,
        "tiv": round(sum(tivs), 3) if tivs else None,
        "systems": shown_systems,
        "sources": sorted(set().union(*(sources.get(t, set()) for t in tids))),
        "origins": sorted(origins),
        "descriptions": descriptions,
        "transfer_ids": [entity_id(t) for t in transfers],
    }


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


# --------------------------------------------------------------------------- cap


@dataclass(frozen=True)
class CapNotice:
    """What ``cap_graph`` left out, worded for the page."""

    shown_nodes: int
    total_nodes: int
    shown_edges: int
    total_edges: int
    dropped_edges: int = 0

    @property
    def capped(self) -> bool:
        return self.shown_nodes < self.total_nodes

    @property
    def message(self) -> str:
        if self.capped:
            text = (
                f"showing {self.shown_nodes:,} of {self.total_nodes:,} nodes — narrow the filters"
            )
        else:
            text = f"showing all {self.total_nodes:,} nodes"
        if self.dropped_edges:
            noun = "relationship" if self.dropped_edges == 1 else "relationships"
            text += (
                f" ({self.dropped_edges:,} {noun} without both end nodes in the result not drawn)"
            )
        return text

    def __str__(self) -> str:
        return self.message


def cap_graph(
    graph: GraphData, max_nodes: int = 300, keep: Sequence[str] = ()
) -> tuple[GraphData, CapNotice]:
    """Keep at most ``max_nodes`` nodes: first the focus nodes ``keep`` (element
    ids or domain ids), then their neighbours, then the rest, each group taken
    alternately by degree and by TIV so that both the hubs and the big deals
    survive. Edges survive when both ends do."""
    total_nodes, total_edges = len(graph.nodes), len(graph.edges)
    if total_nodes <= max_nodes:
        return graph, CapNotice(
            total_nodes, total_nodes, total_edges, total_edges, graph.dropped_edges
        )

    index = graph.node_index()
    by_domain_id = {entity_id(n): n["id"] for n in graph.nodes}
    degree: dict[str, int] = defaultdict(int)
    tiv: dict[str, float] = defaultdict(float)
    neighbours: dict[str, set[str]] = defaultdict(set)
    for node in graph.nodes:
        tiv[node["id"]] += _edge_tiv(node["properties"])
    for edge in graph.edges:
        weight = _edge_tiv(edge["properties"])
        for end, other in ((edge["start"], edge["end"]), (edge["end"], edge["start"])):
            degree[end] += 1
            tiv[end] += weight
            neighbours[end].add(other)

    chosen: dict[str, None] = {}  # insertion-ordered set

    def take(candidates: Iterable[str]) -> None:
        for nid in candidates:
            if len(chosen) >= max_nodes:
                return
            chosen.setdefault(nid)

    focus = [index.get(k, {}).get("id") or by_domain_id.get(k) for k in keep]
    take(nid for nid in focus if nid)
    near = sorted({n for f in list(chosen) for n in neighbours[f]} - chosen.keys())
    take(_interleave(near, degree, tiv))
    take(_interleave([n["id"] for n in graph.nodes], degree, tiv))

    nodes = tuple(n for n in graph.nodes if n["id"] in chosen)
    edges = tuple(e for e in graph.edges if e["start"] in chosen and e["end"] in chosen)
    capped = GraphData(nodes=nodes, edges=edges, dropped_edges=graph.dropped_edges)
    return capped, CapNotice(len(nodes), total_nodes, len(edges), total_edges, graph.dropped_edges)


def _edge_tiv(props: Mapping[str, Any]) -> float:
    for key in ("tiv", "tiv_delivered", "tiv_total"):
        value = _number(props.get(key))
        if value is not None:
            return value
    return 0.0


def _interleave(
    ids: Sequence[str], degree: Mapping[str, int], tiv: Mapping[str, float]
) -> list[str]:
    by_degree = sorted(ids, key=lambda n: (-degree.get(n, 0), n))
    by_tiv = sorted((n for n in ids if tiv.get(n, 0) > 0), key=lambda n: (-tiv[n], n))
    out: dict[str, None] = {}
    for i in range(len(by_degree)):
        out.setdefault(by_degree[i])
        if i < len(by_tiv):
            out.setdefault(by_tiv[i])
    return list(out)


# --------------------------------------------------------------------------- style


def node_style(node: Mapping[str, Any]) -> NodeStyle:
    label = primary_label(node)
    if label == "Actor":
        kind = str((node.get("properties") or {}).get("kind") or "unknown")
        return ACTOR_STYLES.get(kind, ACTOR_STYLES["unknown"])
    if label == "Transfer":
        status = (node.get("properties") or {}).get("status")
        base = LABEL_STYLES["Transfer"]
        return NodeStyle(base.shape, status_style(status).color, base.label)
    return LABEL_STYLES.get(label, OTHER_STYLE)


def status_style(status: Any) -> EdgeStyle:
    return STATUS_STYLES.get(str(status), UNKNOWN_STATUS_STYLE)


def edge_status(edge: Mapping[str, Any], index: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The transfer status an edge stands for, if any: its own, the strongest of
    a derived ``TRANSFERS_TO``, or that of the Transfer node a SUPPLIED/TO touches."""
    props = edge.get("properties") or {}
    if props.get("status"):
        return str(props["status"])
    statuses = props.get("statuses")
    if isinstance(statuses, list) and statuses:
        ranked = [s for s in STATUS_ORDER if s in statuses]
        return ranked[0] if ranked else str(statuses[0])
    if edge.get("type") in ("SUPPLIED", "TO"):
        for end in (edge.get("end"), edge.get("start")):
            node = index.get(end)
            if node and "Transfer" in node["labels"]:
                status = node["properties"].get("status")
                return str(status) if status else None
    return None


def edge_style(
    edge: Mapping[str, Any], index: Mapping[str, Mapping[str, Any]]
) -> tuple[EdgeStyle, str | None]:
    """How to draw an edge, and the transfer status it stands for (None for plain links)."""
    status = edge_status(edge, index)
    if status is None and edge.get("type") not in (TRANSFER_EDGE_TYPE, "TRANSFERS_TO"):
        return LINK_STYLE, None
    return status_style(status), status


def edge_width(props: Mapping[str, Any]) -> float:
    """Line width from TIV when known, else quantity: log scale, 1.5 to 8."""
    value = _edge_tiv(props) or _number(props.get("quantity")) or 0.0
    if value <= 0:
        return 1.5
    return round(min(8.0, 1.5 + 1.6 * math.log10(1.0 + value)), 2)


def legend_items() -> list[dict[str, Any]]:
    """The legend as data, so the dashboard, the HTML and the SVG agree."""
    items: list[dict[str, Any]] = []
    for kind, style in ACTOR_STYLES.items():
        items.append(
            {
                "kind": "node",
                "key": f"Actor:{kind}",
                "label": style.label,
                "shape": style.shape,
                "color": style.color,
            }
        )
    for label, style in LABEL_STYLES.items():
        items.append(
            {
                "kind": "node",
                "key": label,
                "label": style.label,
                "shape": style.shape,
                "color": style.color,
            }
        )
    for status in STATUS_ORDER:
        style = STATUS_STYLES[status]
        items.append(
            {
                "kind": "edge",
                "key": status,
                "label": style.label,
                "color": style.color,
                "dashes": list(style.dashes) if style.dashes else [],
                "arrow": style.arrow,
                "description": style.description,
            }
        )
    items.append(
        {
            "kind": "edge",
            "key": "link",
            "label": LINK_STYLE.label,
            "color": LINK_STYLE.color,
            "dashes": [],
            "arrow": LINK_STYLE.arrow,
            "description": LINK_STYLE.description,
        }
    )
    items.append(
        {
            "kind": "note",
            "key": "width",
            "label": "Line width grows with TIV (log scale), else with quantity",
        }
    )
    return items


def legend_html() -> str:
    """A small legend: inline SVG swatches, escaped text, no scripts."""
    parts = ['<div class="explorer-legend" style="font:12px system-ui,sans-serif;line-height:1.6">']
    for item in legend_items():
        label = html.escape(item["label"])
        if item["kind"] == "node":
            swatch = svg_shape(item["shape"], 8.0, 8.0, 6.0, item["color"], "#333333")
            parts.append(
                f'<span style="display:inline-block;margin-right:12px">'
                f'<svg width="16" height="16" aria-hidden="true">{swatch}</svg> {label}</span>'
            )
        elif item["kind"] == "edge":
            dash = " ".join(str(d) for d in item["dashes"])
            title = html.escape(item["description"])
            end = (
                '<line x1="30" y1="3" x2="30" y2="13" stroke-width="2" stroke="{c}"/>'
                if item["arrow"] == "bar"
                else '<path d="M24 3 L32 8 L24 13 Z" fill="{c}"/>'
            ).format(c=html.escape(item["color"]))
            parts.append(
                f'<span style="display:inline-block;margin-right:12px" title="{title}">'
                f'<svg width="34" height="16" aria-hidden="true"><line x1="1" y1="8" x2="28" '
                f'y2="8" stroke="{html.escape(item["color"])}" stroke-width="2.5" '
                f'stroke-dasharray="{dash}"/>{end}</svg> {label}</span>'
            )
        else:
            parts.append(f'<div style="color:#555">{label}</div>')
    parts.append("</div>")
    return "".join(parts)


def svg_shape(shape: str, x: float, y: float, r: float, fill: str, stroke: str) -> str:
    """One node marker as SVG (used by the legend and the SVG export)."""
    fill, stroke = html.escape(fill), html.escape(stroke)
    paint = f'fill="{fill}" stroke="{stroke}" stroke-width="1"'

    def poly(points: Iterable[tuple[float, float]]) -> str:
        coords = " ".join(f"{x + px * r:.1f},{y + py * r:.1f}" for px, py in points)
        return f'<polygon points="{coords}" {paint}/>'

    if shape in ("square", "database", "box"):
        return (
            f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" '
            f'height="{2 * r:.1f}" rx="{r / 3 if shape != "square" else 0:.1f}" {paint}/>'
        )
    if shape == "diamond":
        return poly([(0, -1.2), (1.2, 0), (0, 1.2), (-1.2, 0)])
    if shape == "triangle":
        return poly([(0, -1.15), (1.05, 0.8), (-1.05, 0.8)])
    if shape == "triangleDown":
        return poly([(0, 1.15), (1.05, -0.8), (-1.05, -0.8)])
    if shape == "hexagon":
        return poly([(math.cos(a), math.sin(a)) for a in (i * math.pi / 3 for i in range(6))])
    if shape == "star":
        return poly(
            [
                (
                    math.sin(a) * (1.25 if i % 2 == 0 else 0.5),
                    -math.cos(a) * (1.25 if i % 2 == 0 else 0.5),
                )
                for i, a in ((i, i * math.pi / 5) for i in range(10))
            ]
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {paint}/>'


# --------------------------------------------------------------------------- layout

# Below this many nodes a component gets exact O(n^2) repulsion; above it the
# grid variant of Fruchterman-Reingold (repulsion only from the 3x3 neighbouring
# cells), which stays near-linear. networkx's own spring layout needs scipy
# beyond 500 nodes, which the project does not ship.
_EXACT_REPULSION_MAX = 250
_SPACING = 80.0  # the picture spans _SPACING * sqrt(nodes) px at zoom 1 (at least 480)


def compute_layout(graph: GraphData, *, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Deterministic positions: sorted ids, a seeded force layout per connected
    component, components packed in rows largest first. The same graph gets
    the same picture, whatever order the rows came in."""
    ids = sorted(node["id"] for node in graph.nodes)
    if not ids:
        return {}
    position_of = {nid: i for i, nid in enumerate(ids)}
    pairs = sorted(
        {
            (min(a, b), max(a, b))
            for a, b in (
                (position_of.get(e["start"]), position_of.get(e["end"])) for e in graph.edges
            )
            if a is not None and b is not None and a != b
        }
    )
    components, root = _components(len(ids), pairs)
    pairs_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for a, b in pairs:
        pairs_of[root[a]].append((a, b))

    boxes: list[tuple[np.ndarray, np.ndarray, float]] = []
    for members in components:
        local = {m: i for i, m in enumerate(members)}
        sub = np.array(
            [(local[a], local[b]) for a, b in pairs_of[root[members[0]]]], dtype=np.int64
        ).reshape(-1, 2)
        coords = _component_layout(len(members), sub, seed)
        coords -= coords.mean(axis=0)
        radius = float(np.sqrt((coords**2).sum(axis=1)).max()) + 0.8
        boxes.append((np.asarray(members), coords, radius))

    placed = _pack(boxes)
    placed -= (placed.max(axis=0) + placed.min(axis=0)) / 2
    # Degree-weighted forces make hub graphs very wide; scale the whole picture
    # to a size where the browser's zoom-to-fit still leaves labels readable.
    extent = float(np.abs(placed).max()) * 2
    if extent > 0:
        placed *= _SPACING * max(6.0, math.sqrt(len(ids))) / extent
    order = np.concatenate([members for members, _, _ in boxes])
    return {
        ids[int(i)]: (round(float(x), 1), round(float(y), 1))
        for i, (x, y) in zip(order, placed, strict=True)
    }


def _components(n: int, pairs: Sequence[tuple[int, int]]) -> tuple[list[list[int]], list[int]]:
    """Connected components (largest first) and each node's root, by union-find."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    root = [find(i) for i in range(n)]
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[root[i]].append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0])), root


def _component_layout(n: int, edges: np.ndarray, seed: int) -> np.ndarray:
    if n == 1:
        return np.zeros((1, 2))
    if n == 2:
        return np.array([[0.0, 0.0], [1.0, 0.0]])
    # Fewer sweeps for big components: the picture settles early and the time is per sweep.
    iterations = 60 if n <= 500 else 40 if n <= 2000 else 30
    return _force_layout(n, edges, np.random.default_rng(seed), iterations)


def _force_layout(
    n: int, edges: np.ndarray, rng: np.random.Generator, iterations: int
) -> np.ndarray:
    """A ForceAtlas2-style layout with Fruchterman-Reingold cooling: nodes repel
    with (deg_i + 1)(deg_j + 1) / d and edges pull linearly. Weighting the
    repulsion by degree pushes the big suppliers apart, so arms-transfer
    graphs (a few hubs, many recipients) open up instead of forming one knot."""
    mass = np.bincount(edges.ravel(), minlength=n).astype(float) + 1.0
    side = math.sqrt(mass.sum())
    start = rng.random((n, 2)) * side
    x, y = start[:, 0].copy(), start[:, 1].copy()
    src, dst = edges[:, 0], edges[:, 1]
    temperature = side / 8
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        if n <= _EXACT_REPULSION_MAX:
            dx = x[:, None] - x[None, :]
            dy = y[:, None] - y[None, :]
            weight = np.outer(mass, mass) / np.maximum(dx * dx + dy * dy, 1e-4)
            np.fill_diagonal(weight, 0.0)
            fx, fy = (dx * weight).sum(axis=1), (dy * weight).sum(axis=1)
        else:
            fx, fy = _near_repulsion(x, y, mass)
            far_x, far_y = _far_repulsion(x, y, mass)
            fx += far_x
            fy += far_y
        ex, ey = x[src] - x[dst], y[src] - y[dst]
        fx += np.bincount(dst, ex, n) - np.bincount(src, ex, n)
        fy += np.bincount(dst, ey, n) - np.bincount(src, ey, n)
        length = np.maximum(np.sqrt(fx * fx + fy * fy), 1e-9)
        step = np.minimum(length, temperature) / length
        x += fx * step
        y += fy * step
        temperature -= cooling
    return np.stack([x, y], axis=1)


def _near_repulsion(
    x: np.ndarray, y: np.ndarray, mass: np.ndarray, reach: float = 3.0
) -> tuple[np.ndarray, np.ndarray]:
    """Exact repulsion from every node within ``reach`` (the grid variant of
    Fruchterman-Reingold), vectorised: sort nodes by cell of side ``reach`` and
    pair each with the nodes of its 3x3 cell block through searchsorted
    ranges. Working in sorted order keeps the lookups sorted, several times faster."""
    n = len(x)
    cx = np.floor(x / reach).astype(np.int64)
    cy = np.floor(y / reach).astype(np.int64)
    cx -= cx.min() - 1
    cy -= cy.min() - 1
    width = int(cy.max()) + 2
    key = cx * width + cy
    order = np.argsort(key, kind="stable")
    key, xs, ys, ms = key[order], x[order], y[order], mass[order]
    fx, fy = np.zeros(n), np.zeros(n)
    owners = np.arange(n)
    for offset in (-width - 1, -width, -width + 1, -1, 0, 1, width - 1, width, width + 1):
        target = key + offset
        lo = np.searchsorted(key, target, "left")
        count = np.searchsorted(key, target, "right") - lo
        total = int(count.sum())
        if not total:
            continue
        first = np.cumsum(count) - count
        i = np.repeat(owners, count)
        j = np.repeat(lo - first, count) + np.arange(total)
        dx, dy = xs[i] - xs[j], ys[i] - ys[j]
        dist2 = dx * dx + dy * dy
        near = (dist2 < reach * reach) & (i != j)
        weight = np.where(near, ms[i] * ms[j] / np.maximum(dist2, 1e-4), 0.0)
        fx += np.bincount(i, dx * weight, n)
        fy += np.bincount(i, dy * weight, n)
    out_x, out_y = np.empty(n), np.empty(n)
    out_x[order], out_y[order] = fx, fy
    return out_x, out_y


def _far_repulsion(
    x: np.ndarray, y: np.ndarray, mass: np.ndarray, cells: int = 12
) -> tuple[np.ndarray, np.ndarray]:
    """The long-range push the grid variant lacks (without it big components
    collapse into dense knots): repulsion from the mass centres of a coarse
    ``cells`` x ``cells`` grid, softened by the cell size so that near cells
    add only a gentle, smooth push on top of the exact near field."""
    low_x, low_y = x.min(), y.min()
    size = max(float(max(x.max() - low_x, y.max() - low_y)) / cells, 1e-9)
    key = np.minimum(((x - low_x) / size).astype(np.int64), cells - 1) * cells + np.minimum(
        ((y - low_y) / size).astype(np.int64), cells - 1
    )
    cell_mass = np.bincount(key, mass, cells * cells)
    occupied = np.nonzero(cell_mass)[0]
    m = cell_mass[occupied]
    centre_x = np.bincount(key, mass * x, cells * cells)[occupied] / m
    centre_y = np.bincount(key, mass * y, cells * cells)[occupied] / m
    dx = x[:, None] - centre_x[None, :]
    dy = y[:, None] - centre_y[None, :]
    weight = m / (dx * dx + dy * dy + size * size)
    return mass * (dx * weight).sum(axis=1), mass * (dy * weight).sum(axis=1)


def _pack(boxes: Sequence[tuple[np.ndarray, np.ndarray, float]]) -> np.ndarray:
    """Shelf-pack component discs (largest first) into rows of a roughly square block."""
    row_width = max(
        max(2 * r for _, _, r in boxes), math.sqrt(sum((2 * r) ** 2 for _, _, r in boxes)) * 1.15
    )
    out: list[np.ndarray] = []
    x = y = row_height = 0.0
    for _, coords, radius in boxes:
        size = 2 * radius
        if x > 0 and x + size > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        out.append(coords + np.array([x + radius, y + radius]))
        x += size
        row_height = max(row_height, size)
    return np.concatenate(out)


# --------------------------------------------------------------------------- HTML

_CSS_SIZE = re.compile(r"^\d+(\.\d+)?(px|%|vh|vw|em|rem)$")
_EXTERNAL_TAG = re.compile(
    r"<(script|link|img|iframe|source)\b[^>]*\b(src|href)\s*=\s*[\"']?\s*(https?:)?//[^>]*>"
    r"(\s*</\1>)?",
    re.IGNORECASE,
)
_SOURCE_MAP = re.compile(r"(//[#@]\s*sourceMappingURL=\S*|/\*[#@]\s*sourceMappingURL=[^*]*\*/)")
_LABEL_MAX = 40
_TITLE_TEXT_MAX = 300


@functools.lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """vis-network's JS and CSS from the installed pyvis package, read once."""
    import pyvis

    base = Path(pyvis.__file__).parent
    for folder in (base / "lib" / "vis-9.1.2", base / "templates" / "lib" / "vis-9.1.2"):
        js, css = folder / "vis-network.min.js", folder / "vis-network.css"
        if js.is_file() and css.is_file():
            # A source-map comment would make devtools fetch a file that is not there.
            return (
                _SOURCE_MAP.sub("", js.read_text(encoding="utf-8")),
                _SOURCE_MAP.sub("", css.read_text(encoding="utf-8")),
            )
    raise FileNotFoundError(f"vis-network 9.1.2 not found under {base}; reinstall pyvis 0.3.2")


def script_json(value: Any) -> str:
    """JSON that is safe inside ``<script>``: no ``</script>``, ``<!--`` or
    ``]]>`` can form, and U+2028/2029 cannot end a JS line."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def strip_external_refs(page: str) -> str:
    """Remove any script/link/img/iframe that would fetch from the network."""
    return _EXTERNAL_TAG.sub("", page)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.10g}" if abs(value) >= 1000 else f"{value:.10g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_fmt(v) for v in value)
    return str(value)


def _tooltip(heading: str, lines: Iterable[tuple[str, Any]]) -> str:
    """Hover text as an HTML fragment: fixed markup, every data string escaped.
    vis-network shows string titles as plain text, so the page turns these
    fragments into elements; anything else that reads them as HTML is safe too."""
    rows = [f"<b>{html.escape(heading)}</b>"]
    for key, value in lines:
        if value is None or value == "" or value == []:
            continue
        rows.append(html.escape(f"{key}: {_truncate(_fmt(value), _TITLE_TEXT_MAX)}"))
    return "<br>".join(rows)


# Node properties worth a line in the hover text, in this order.
_NODE_FACTS = tuple(
    (key, key.replace("_", " "))
    for key in (
        "aliases",
        "category",
        "status",
        "quantity",
        "quantity_text",
        "order_year",
        "delivery_years",
        "tiv_total",
        "tiv_delivered",
        "date",
        "publisher",
        "published",
        "generated",
        "origin",
        "description",
    )
)


def _node_tooltip(node: Mapping[str, Any]) -> str:
    props = node["properties"]
    label = primary_label(node) or "node"
    kind = props.get("kind")
    lines: list[tuple[str, Any]] = [("type", f"{label} · {kind}" if kind else label)]
    lines.append(("id", entity_id(node)))
    lines.extend((name, props[key]) for key, name in _NODE_FACTS if key in props)
    if node.get("stub"):
        lines.append(("note", "not in the result: only its id is known"))
    return _tooltip(display_name(node), lines)


def _edge_tooltip(
    edge: Mapping[str, Any], index: Mapping[str, Mapping[str, Any]], status: str | None
) -> str:
    props = edge["properties"]
    start, end = index.get(edge["start"]), index.get(edge["end"])
    head = f"{display_name(start or {})} → {display_name(end or {})}"
    years = None
    if props.get("first_year") is not None:
        first, last = props.get("first_year"), props.get("last_year")
        years = f"{first}" if last in (None, first) else f"{first}–{last}"
    quantity = props.get("quantity")
    if props.get("quantity_text"):
        texts = props["quantity_text"]
        texts = ", ".join(texts) if isinstance(texts, list) else str(texts)
        quantity = f"{_fmt(quantity)} + {texts}" if quantity is not None else texts
    lines: list[tuple[str, Any]] = [
        ("relationship", edge["type"]),
        ("status", status_style(status).label if status else None),
        # Counts say what they count (docs/reading-results.md): a pair summary's
        # SIPRI deals and claims apart; a folded arrow's transfers of any origin.
        ("SIPRI deals", props.get("sipri_deals")),
        ("claims", props.get("claims")),
        ("transfers", props.get("deals") if "sipri_deals" not in props else None),
        ("systems", props.get("systems")),
        ("quantity", quantity),
        ("years", years),
        ("TIV", props.get("tiv")),
        ("statuses", props.get("statuses")),
        ("sources", props.get("sources")),
        ("origin", props.get("origins")),
        ("quote", props.get("quote")),
        ("confidence", props.get("confidence")),
        ("as of", props.get("as_of")),
    ]
    descriptions = props.get("descriptions") or []
    if descriptions:
        more = f" (+{len(descriptions) - 1} more)" if len(descriptions) > 1 else ""
        lines.append(("description", descriptions[0] + more))
    return _tooltip(head, lines)


def vis_data(
    graph: GraphData, positions: Mapping[str, tuple[float, float]] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Node and edge dicts in vis-network's vocabulary, positions included."""
    if positions is None:
        positions = compute_layout(graph)
    index = graph.node_index()
    degree: dict[str, int] = defaultdict(int)
    edges = [e for e in graph.edges if e["start"] in index and e["end"] in index]
    for edge in edges:
        degree[edge["start"]] += 1
        degree[edge["end"]] += 1

    vis_nodes = []
    for node in graph.nodes:
        style = node_style(node)
        x, y = positions.get(node["id"], (0.0, 0.0))
        size = min(34.0, 10.0 + 3.0 * math.log2(1 + degree[node["id"]]))
        vis_nodes.append(
            {
                "id": node["id"],
                # Labels are drawn on the canvas as text, never parsed as HTML.
                "label": _truncate(display_name(node), _LABEL_MAX),
                "title": _node_tooltip(node),
                "shape": style.shape,
                "color": {
                    "background": style.color,
                    "border": "#333333",
                    "highlight": {"background": style.color, "border": "#000000"},
                    "hover": {"background": style.color, "border": "#000000"},
                },
                "size": round(size, 1),
                "x": x,
                "y": y,
                "entity_id": entity_id(node),
                "node_label": primary_label(node),
            }
        )

    # Parallel arrows between one pair would overlap; bend them apart.
    per_pair: dict[tuple[str, str], int] = defaultdict(int)
    pair_count: dict[frozenset[str], int] = defaultdict(int)
    for edge in edges:
        pair_count[frozenset((edge["start"], edge["end"]))] += 1

    vis_edges = []
    for edge in edges:
        style, status = edge_style(edge, index)
        props = edge["properties"]
        item: dict[str, Any] = {
            "id": edge["id"],
            "from": edge["start"],
            "to": edge["end"],
            "title": _edge_tooltip(edge, index, status),
            "color": {"color": style.color, "highlight": style.color, "hover": style.color},
            "dashes": list(style.dashes) if style.dashes else False,
            "width": 1.0 if style is LINK_STYLE else edge_width(props),
            "arrows": {"to": {"enabled": True, "type": style.arrow, "scaleFactor": 0.7}},
            "status": status,
            "rel_type": edge["type"],
        }
        if pair_count[frozenset((edge["start"], edge["end"]))] > 1:
            nth = per_pair[(edge["start"], edge["end"])]
            per_pair[(edge["start"], edge["end"])] += 1
            item["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": 0.15 + 0.12 * nth}
        vis_edges.append(item)
    return vis_nodes, vis_edges


def vis_options(node_count: int) -> dict[str, Any]:
    big = node_count > 1000
    return {
        "autoResize": True,
        # Positions come from Python: no physics, nothing spins in the browser.
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
            "keyboard": False,
        },
        "nodes": {"borderWidth": 1, "font": {"size": 13, "face": "system-ui, sans-serif"}},
        "edges": {
            "smooth": False,
            "selectionWidth": 1.5,
            "hoverWidth": 1.0,
            "font": {"size": 11, "strokeWidth": 3},
        },
    }


def uses_sipri(graph: GraphData) -> bool:
    """True when any node or edge carries SIPRI-origin data."""
    for item in (*graph.nodes, *graph.edges):
        props = item.get("properties") or {}
        if props.get("origin") == "sipri" or "sipri" in (props.get("origins") or []):
            return True
        attribution = props.get("attribution")
        if isinstance(attribution, str) and "SIPRI" in attribution:
            return True
    return False


_PAGE_CSS = """
html, body { margin: 0; padding: 0; background: #ffffff; }
body { font: 13px system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; }
#explorer-wrap { position: relative; border: 1px solid #e2e2e2; box-sizing: border-box; }
#explorer-graph { position: absolute; inset: 0; }
#explorer-empty { position: absolute; inset: 0; display: flex; align-items: center;
  justify-content: center; color: #777; pointer-events: none; }
.explorer-attribution { position: absolute; right: 6px; bottom: 4px; font-size: 11px;
  color: #555; background: rgba(255,255,255,.85); padding: 1px 4px; pointer-events: none; }
div.vis-tooltip { max-width: 420px; white-space: normal; font: 12px/1.45 system-ui, sans-serif;
  background: #fffef7; border: 1px solid #bbb; border-radius: 3px; padding: 6px 8px;
  box-shadow: 2px 2px 6px rgba(0,0,0,.15); }
"""

# The page's only script besides vis-network. Data arrives as JSON literals;
# the tooltip fragments were escaped in Python, so turning them into elements
# cannot create markup from data.
_PAGE_JS = """
(function () {
  "use strict";
  function tip(fragment) {
    var box = document.createElement("div");
    box.className = "explorer-tip";
    box.innerHTML = fragment;
    return box;
  }
  var nodeData = __NODES__;
  var edgeData = __EDGES__;
  var options = __OPTIONS__;
  nodeData.forEach(function (n) { if (typeof n.title === "string") n.title = tip(n.title); });
  edgeData.forEach(function (e) { if (typeof e.title === "string") e.title = tip(e.title); });
  var nodes = new vis.DataSet(nodeData);
  var edges = new vis.DataSet(edgeData);
  var container = document.getElementById("explorer-graph");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, options);
  window.__explorerGraph = {nodes: nodes, edges: edges, network: network};
  function drawn() { document.body.dataset.drawn = "true"; }
  network.once("stabilizationIterationsDone", drawn);
  network.once("afterDrawing", drawn);
  network.on("click", function (params) {
    if (!params.nodes || params.nodes.length === 0) { return; }
    var id = params.nodes[0];
    var node = nodes.get(id) || {};
    window.parent.postMessage({
      type: "explorer:node-click", id: id,
      entityId: node.entity_id || null, label: node.node_label || null
    }, "*");
  });
})();
"""


def to_pyvis_html(
    graph: GraphData,
    height: str = "650px",
    width: str = "100%",
    *,
    positions: Mapping[str, tuple[float, float]] | None = None,
    attribution: bool | None = None,
) -> str:
    """A self-contained page drawing ``graph`` with vis-network: its JS and CSS
    inlined from the installed pyvis package, no external reference, physics
    off at precomputed positions (``compute_layout`` unless given).

    On node click it posts ``{type: "explorer:node-click", id, entityId, label}``
    to the parent frame; it exposes ``window.__explorerGraph = {nodes, edges,
    network}`` and sets ``document.body.dataset.drawn = "true"`` once drawn.
    The SIPRI attribution is shown when the data holds SIPRI-origin records
    (``attribution=None``) or when asked for.
    """
    from pyvis.network import Network

    for name, value in (("height", height), ("width", width)):
        if not _CSS_SIZE.match(value):
            raise ValueError(f"{name} must be a CSS size such as 650px or 100%, not {value!r}")

    vis_nodes, vis_edges = vis_data(graph, positions)
    net = Network(height=height, width=width, directed=True, cdn_resources="remote")
    # pyvis's add_node/add_edge check membership in a list (quadratic at
    # thousands of nodes) and its template links bootstrap and vis from CDNs,
    # so we fill its data directly and write the page ourselves.
    net.nodes = vis_nodes
    net.node_ids = [n["id"] for n in vis_nodes]
    net.node_map = {n["id"]: n for n in vis_nodes}
    net.edges = vis_edges
    net.options = vis_options(len(vis_nodes))
    nodes, edges, _heading, height, width, _options = net.get_network_data()

    js, css = vis_assets()
    script = (
        _PAGE_JS.replace("__NODES__", script_json(nodes))
        .replace("__EDGES__", script_json(edges))
        .replace("__OPTIONS__", script_json(net.options))
    )
    show_attribution = uses_sipri(graph) if attribution is None else attribution
    overlays = []
    if not nodes:
        overlays.append('<div id="explorer-empty">No nodes to draw.</div>')
    if show_attribution:
        overlays.append(f'<div class="explorer-attribution">{html.escape(SIPRI_ATTRIBUTION)}</div>')
    page = "".join(
        [
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
            "<title>Arms-transfer graph</title>\n",
            f"<style>{css}</style>\n",
            f"<style>{_PAGE_CSS}#explorer-wrap {{ width: {width}; height: {height}; }}</style>\n",
            f"<script>{js}</script>\n",
            "</head>\n<body>\n",
            # vis-network empties its container, so the overlays sit beside it.
            '<div id="explorer-wrap">',
            '<div id="explorer-graph" aria-label="network of arms transfers"></div>',
            "".join(overlays),
            "</div>\n",
            f"<script>{script}</script>\n",
            "</body>\n</html>\n",
        ]
    )
    return strip_external_refs(page)


def prepare_graph(
    rows: Iterable[Mapping[str, Any]],
    *,
    collapse: bool = True,
    max_nodes: int = 300,
    keep: Sequence[str] = (),
) -> tuple[GraphData, CapNotice]:
    """extract -> collapse transfers -> cap: what the dashboard draws."""
    graph = extract_graph(rows)
    if collapse:
        graph = collapse_transfers(graph)
    return cap_graph(graph, max_nodes=max_nodes, keep=keep)


# --------------------------------------------------------------------------- bench


def synthetic_graph(n_nodes: int, *, edges_per_node: float = 1.5, seed: int = 1) -> GraphData:
    """A deterministic actor-to-actor graph shaped like collapsed SIPRI data:
    a few big suppliers, many recipients, every status, some isolated actors."""
    rng = np.random.default_rng(seed)
    kinds = list(ACTOR_STYLES)
    nodes = [
        {
            "id": f"n{i:05d}",
            "labels": ["Actor"],
            "properties": {"id": f"actor-{i}", "name": f"Actor {i}", "kind": kinds[i % 6]},
        }
        for i in range(n_nodes)
    ]
    edges = []
    weights = 1.0 / np.arange(1, n_nodes + 1) ** 0.8  # a few suppliers dominate
    weights /= weights.sum()
    for k in range(int(n_nodes * edges_per_node) if n_nodes > 1 else 0):
        supplier = int(rng.choice(n_nodes, p=weights))
        recipient = int(rng.integers(n_nodes))
        if recipient == supplier:
            continue
        status = STATUS_ORDER[k % len(STATUS_ORDER)]
        edges.append(
            {
                "id": f"e{k:06d}",
                "type": TRANSFER_EDGE_TYPE,
                "start": f"n{supplier:05d}",
                "end": f"n{recipient:05d}",
                "properties": {
                    "status": status,
                    "deals": 1,
                    "quantity": int(rng.integers(1, 200)),
                    "tiv": round(float(rng.lognormal(3, 1.5)), 2),
                    "first_year": 2000 + k % 24,
                    "last_year": 2001 + k % 24,
                    "systems": [f"System {k % 97}"],
                    "sources": ["Synthetic source"],
                },
            }
        )
    return GraphData(nodes=tuple(nodes), edges=tuple(edges))


def bench_render(sizes: Sequence[int] = (100, 1000, 5000)) -> list[dict[str, Any]]:
    """Time the layout and the HTML for synthetic graphs of the given sizes.

    ``html_ms`` is the best of three runs of ``to_pyvis_html`` with the layout
    already computed; ``layout_ms`` is one run of ``compute_layout``.
    """
    to_pyvis_html(synthetic_graph(10))  # warm up: read the vis assets, import pyvis
    results = []
    for size in sizes:
        graph = synthetic_graph(size)
        start = time.perf_counter()
        positions = compute_layout(graph)
        layout_ms = (time.perf_counter() - start) * 1000
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            page = to_pyvis_html(graph, positions=positions)
            runs.append((time.perf_counter() - start) * 1000)
        results.append(
            {
                "nodes": len(graph.nodes),
                "edges": len(graph.edges),
                "layout_ms": round(layout_ms, 1),
                "html_ms": round(min(runs), 1),
                "html_kb": round(len(page.encode("utf-8")) / 1024),
            }
        )
    return results
