"""The graph found in query results: nodes, relationships, names and ids.

Rows from ``explorer/results.py`` -> ``GraphData``; see ``explorer.graph``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from explorer.contract import LABEL_PRIORITY as CONTRACT_LABEL_PRIORITY
from explorer.contract import TRANSFER_STATUSES

if TYPE_CHECKING:
    import networkx as nx


SIPRI_ATTRIBUTION = "Source: SIPRI Arms Transfers Database (c) SIPRI"

# The contract's label priority and status order (explorer.contract), under the
# names the drawing and the pages have always used.
LABEL_PRIORITY = CONTRACT_LABEL_PRIORITY
STATUS_ORDER = TRANSFER_STATUSES

# Collapsed Actor -> Actor arrows get this relationship type.
TRANSFER_EDGE_TYPE = "TRANSFER"





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


def number(value: Any) -> float | None:
    """A property as a float, or None when it is not a number (booleans are not)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def edge_tiv(props: Mapping[str, Any]) -> float:
    """An edge's TIV: the summary's ``tiv``, else the transfer's delivered or total."""
    for key in ("tiv", "tiv_delivered", "tiv_total"):
        value = number(props.get(key))
        if value is not None:
            return value
    return 0.0
