"""Explore's exploration state: the steps an analyst took on the drawing (expand a
node by one relation, collapse it, hide a node, pin one), written compactly for
the page address so that a reload or a shared link redraws the same picture, and
the pure graph operations that replay them.

A step is ``op:code:id[:relation]``, steps joined by commas, in the ``x`` query
parameter: ``x=e:a:russia:suppliers,e:a:russia:suppliers,h:a:india,p:w:sipri-ws-12``.
``op`` is ``e`` expand (once more: the next page, "+N more"), ``c`` collapse, ``h``
hide, ``p`` pin (again: unpin); ``code`` the node's label (``LABEL_CODES``); ``id``
its domain id, percent-escaped. Undo drops the last step. Replaying the steps in
order is deterministic, and a step only ever adds to what the steps before it drew,
so adding a step never moves what is placed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from explorer.graph.model import GraphData, entity_id, primary_label

LABEL_CODES: dict[str, str] = {
    "Actor": "a", "WeaponSystem": "w", "Transfer": "t", "Event": "e", "Source": "s",
    "Place": "p", "WeaponClass": "c",
}  # fmt: skip
CODE_LABELS = {code: label for label, code in LABEL_CODES.items()}
OPS: dict[str, str] = {"e": "expand", "c": "collapse", "h": "hide", "p": "pin"}
MAX_STEPS = 40  # each step is one cached drawing: a long link cannot make the page crawl


@dataclass(frozen=True, order=True)
class NodeRef:
    """A node as the address names it: its label and domain id."""

    label: str
    id: str

    def __str__(self) -> str:
        return f"{self.label} {self.id!r}"


@dataclass(frozen=True)
class Step:
    op: str  # one of OPS
    node: NodeRef
    relation: str = ""

    @property
    def token(self) -> str:
        parts = [self.op, LABEL_CODES[self.node.label], quote(self.node.id, safe="")]
        if self.relation:
            parts.append(self.relation)
        return ":".join(parts)


def steps_text(steps: Iterable[Step]) -> str:
    """The steps as the ``x`` query parameter ('' for none)."""
    return ",".join(step.token for step in steps)


def parse_steps(
    text: str, relations: Mapping[str, Iterable[str]],
) -> tuple[list[Step], list[str]]:
    """``x`` -> (the steps, one sentence per token ignored and why). ``relations``
    maps each label to the relation keys it can be expanded by."""
    steps: list[Step] = []
    problems: list[str] = []
    for token in (t.strip() for t in text.split(",")):
        if not token:
            continue
        parts = token.split(":")
        if len(parts) not in (3, 4) or parts[0] not in OPS or parts[1] not in CODE_LABELS \
                or not parts[2]:
            problems.append(f"step {token!r} is not op:label:id[:relation] (op one of "
                            f"{', '.join(OPS)}; label one of {', '.join(CODE_LABELS)})")
            continue
        op, label, node_id = parts[0], CODE_LABELS[parts[1]], unquote(parts[2])
        rel = parts[3] if len(parts) == 4 else ""
        if op in ("e", "c"):
            allowed = set(relations.get(label, ()))
            if rel not in allowed:
                problems.append(f"step {token!r}: a {label} has no relation {rel!r} "
                                f"(choose {', '.join(sorted(allowed)) or 'none'})")
                continue
        elif rel:
            problems.append(f"step {token!r}: {OPS[op]} takes no relation")
            continue
        steps.append(Step(op, NodeRef(label, node_id), rel))
    if len(steps) > MAX_STEPS:
        problems.append(f"the link holds {len(steps)} exploration steps; the first "
                        f"{MAX_STEPS} are replayed")
        steps = steps[:MAX_STEPS]
    return steps, problems


def ref_of(node: Mapping[str, Any]) -> NodeRef | None:
    """The address's name for a drawn node (None for a label it cannot name)."""
    label = primary_label(node)
    return NodeRef(label, entity_id(node)) if label in LABEL_CODES else None


def find(graph: GraphData, ref: NodeRef) -> str | None:
    """The element id of the drawn node ``ref`` names, or None."""
    for node in graph.nodes:
        if entity_id(node) == ref.id and primary_label(node) == ref.label:
            return str(node["id"])
    return None


def pages_before(steps: Sequence[Step], index: int) -> int:
    """How many times the expansion at ``steps[index]`` ran since its last collapse
    (0 for the first): the page it asks for is this plus one."""
    step = steps[index]
    pages = 0
    for earlier in steps[:index]:
        if earlier.node == step.node and earlier.relation == step.relation:
            pages = pages + 1 if earlier.op == "e" else 0
    return pages


def merge(base: GraphData, extra: GraphData) -> GraphData:
    """Nodes and edges of both, by id (what ``base`` has wins), sorted by id."""
    nodes = {n["id"]: n for n in extra.nodes}
    nodes.update({n["id"]: n for n in base.nodes})
    edges = {e["id"]: e for e in extra.edges}
    edges.update({e["id"]: e for e in base.edges})
    return GraphData(nodes=tuple(sorted(nodes.values(), key=lambda n: n["id"])),
                     edges=tuple(sorted(edges.values(), key=lambda e: e["id"])),
                     dropped_edges=base.dropped_edges)


def restrict(graph: GraphData, keep: Iterable[str]) -> GraphData:
    """Only the nodes in ``keep`` (element ids) and the edges between them."""
    wanted = set(keep)
    return GraphData(
        nodes=tuple(n for n in graph.nodes if n["id"] in wanted),
        edges=tuple(e for e in graph.edges if e["start"] in wanted and e["end"] in wanted),
        dropped_edges=graph.dropped_edges,
    )
