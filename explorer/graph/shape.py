"""Shaping a graph for drawing: transfers folded into supplier -> recipient
arrows, and the caps on what is drawn (with a notice of what was left out).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from explorer.graph.model import (
    TRANSFER_EDGE_TYPE,
    GraphData,
    display_name,
    edge_tiv,
    entity_id,
    number,
)

if TYPE_CHECKING:
    pass




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
        tiv = number(props.get("tiv_delivered"))
        if tiv is None:
            tiv = number(props.get("tiv_total"))
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
        tiv[node["id"]] += edge_tiv(node["properties"])
    for edge in graph.edges:
        weight = edge_tiv(edge["properties"])
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


