"""Explore's incremental exploration: a node's neighbours by kind of relation, as
counts ("23 suppliers, 41 weapon systems") and, for one kind, the first N of them
with what draws them.

Every kind of relation is a fixed pattern below, chosen by its key; the clicked
node's domain id and the Explore filters travel as parameters. Relations that run
through transfers (suppliers, recipients, weapon systems) count and fetch only the
transfers that pass the page's filters, like the neighbourhood itself
(``explorer.page_queries.explore``); direct relationships (events, places,
sources, a transfer's ends) are not filtered.

Three ways a relation is drawn:

- ``fold``: actor -> actor through transfers: the transfer rows, which the drawing
  folds into supplier -> recipient arrows as everywhere else;
- ``via``: an actor and a weapon system through transfers: one derived arrow
  (``VIA_TRANSFERS``) carrying the number of transfers and their TIV;
- ``link``: a relationship of the graph, drawn as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from explorer.config import DEFAULT_QUERY_TIMEOUT_S
from explorer.db import Database
from explorer.errors import ParameterError
from explorer.page_queries.explore import TRANSFER_FILTER, ExploreFilters
from explorer.runner import run_read

# Neighbours one expansion adds at a time ("+N more" fetches the next as many).
EXPAND_PAGE = 25
VIA_EDGE_TYPE = "VIA_TRANSFERS"


@dataclass(frozen=True)
class Relation:
    """One kind of neighbour of a label: ``pattern`` binds the clicked node ``n``,
    the neighbour ``m``, the transfer ``t`` for fold/via relations and the
    relationship ``r`` for links; ``direction`` says which way a via arrow runs."""

    key: str
    label: str
    one: str
    many: str
    kind: str  # fold | via | link
    pattern: str
    direction: str = "out"  # via: out = n -> m, in = m -> n

    def heading(self, count: int) -> str:
        return f"{count:,} {self.one if count == 1 else self.many}"


RELATIONS: tuple[Relation, ...] = (
    Relation("suppliers", "Actor", "supplier", "suppliers", "fold",
             "(m:Actor)-[:SUPPLIED]->(t:Transfer)-[:TO]->(n)"),
    Relation("recipients", "Actor", "recipient", "recipients", "fold",
             "(n)-[:SUPPLIED]->(t:Transfer)-[:TO]->(m:Actor)"),
    Relation("systems", "Actor", "weapon system", "weapon systems", "via",
             "(n)-[:SUPPLIED|TO]-(t:Transfer)-[:OF]->(m:WeaponSystem)"),
    Relation("events", "Actor", "event", "events", "link",
             "(n)-[r:CONDUCTED|TARGETED]-(m:Event)"),
    Relation("places", "Actor", "place", "places", "link", "(n)-[r:LOCATED_IN]->(m:Place)"),
    Relation("suppliers", "WeaponSystem", "supplier", "suppliers", "via",
             "(m:Actor)-[:SUPPLIED]->(t:Transfer)-[:OF]->(n)", "in"),
    Relation("recipients", "WeaponSystem", "recipient", "recipients", "via",
             "(n)<-[:OF]-(t:Transfer)-[:TO]->(m:Actor)"),
    Relation("transfers", "WeaponSystem", "transfer", "transfers", "link",
             "(m:Transfer)-[r:OF]->(n)"),
    Relation("events", "WeaponSystem", "event", "events", "link", "(m:Event)-[r:USED]->(n)"),
    Relation("classes", "WeaponSystem", "weapon class", "weapon classes", "link",
             "(n)-[r:IS_A]->(m:WeaponClass)"),
    Relation("actors", "Transfer", "actor", "actors (supplier, recipient)", "link",
             "(n)-[r:SUPPLIED|TO]-(m:Actor)"),
    Relation("systems", "Transfer", "weapon system", "weapon systems", "link",
             "(n)-[r:OF]->(m:WeaponSystem)"),
    Relation("sources", "Transfer", "source", "sources", "link",
             "(n)-[r:EVIDENCED_BY]->(m:Source)"),
    Relation("actors", "Event", "actor", "actors", "link",
             "(n)-[r:CONDUCTED|TARGETED]-(m:Actor)"),
    Relation("systems", "Event", "weapon system", "weapon systems", "link",
             "(n)-[r:USED]->(m:WeaponSystem)"),
    Relation("places", "Event", "place", "places", "link", "(n)-[r:AT]->(m:Place)"),
    Relation("sources", "Event", "source", "sources", "link",
             "(n)-[r:EVIDENCED_BY]->(m:Source)"),
    Relation("transfers", "Source", "transfer", "transfers", "link",
             "(m:Transfer)-[r:EVIDENCED_BY]->(n)"),
    Relation("events", "Source", "event", "events", "link",
             "(m:Event)-[r:EVIDENCED_BY]->(n)"),
    Relation("cited", "Source", "cited source", "cited sources", "link",
             "(n)-[r:CITES]-(m:Source)"),
    Relation("actors", "Place", "actor", "actors", "link", "(m:Actor)-[r:LOCATED_IN]->(n)"),
    Relation("events", "Place", "event", "events", "link", "(m:Event)-[r:AT]->(n)"),
    Relation("systems", "WeaponClass", "weapon system", "weapon systems", "link",
             "(m:WeaponSystem)-[r:IS_A]->(n)"),
)
LABELS: tuple[str, ...] = tuple(dict.fromkeys(r.label for r in RELATIONS))


def relations_of(label: str) -> tuple[Relation, ...]:
    return tuple(r for r in RELATIONS if r.label == label)


def relation(label: str, key: str) -> Relation:
    """The relation ``key`` of ``label``; ParameterError naming the choices."""
    for item in relations_of(label):
        if item.key == key:
            return item
    choices = ", ".join(r.key for r in relations_of(label)) or "none"
    raise ParameterError(f"a {label or 'node'} has no relation {key!r} to expand — "
                         f"choose one of {choices}")


def _where(item: Relation) -> str:
    return f"WHERE {TRANSFER_FILTER}" if item.kind in ("fold", "via") else ""


def _counts_query(label: str) -> str:
    """One query per label: the count of distinct neighbours of each relation."""
    calls = [f"MATCH (n:{label} {{id: $id}})"]
    for i, item in enumerate(relations_of(label)):
        calls.append(f"CALL (n) {{ MATCH {item.pattern} {_where(item)}\n"
                     f"  RETURN count(DISTINCT m) AS c{i} }}")
    columns = ", ".join(f"c{i}" for i in range(len(relations_of(label))))
    return "\n".join(calls) + f"\nRETURN [{columns}] AS counts\n"


# Per label, built once from the constants above: no input is ever formatted in.
COUNTS: dict[str, str] = {label: _counts_query(label) for label in LABELS}


def _expand_query(item: Relation) -> str:
    head = f"MATCH (n:{item.label} {{id: $id}})\n"
    if item.kind == "link":
        return head + (
            f"CALL (n) {{ MATCH {item.pattern}\n"
            "  WITH m, collect(r) AS rels ORDER BY m.id LIMIT $limit RETURN m, rels }\n"
            "RETURN n AS focus, m AS neighbour, rels ORDER BY m.id\n")
    ranked = (f"CALL (n) {{ MATCH {item.pattern} {_where(item)}\n"
              "  WITH m, count(DISTINCT t) AS deals,\n"
              "       sum(coalesce(t.tiv_delivered, t.tiv_total, 0.0)) AS tiv\n"
              "  RETURN m, deals, tiv ORDER BY tiv DESC, deals DESC, m.id LIMIT $limit }\n")
    if item.kind == "via":
        return head + ranked + ("RETURN n AS focus, m AS neighbour, deals, tiv\n"
                                "ORDER BY tiv DESC, deals DESC, m.id\n")
    # fold: every passing transfer between n and each chosen neighbour, drawn as the
    # neighbourhood draws its transfers.
    return head + ranked + (
        f"MATCH {item.pattern} {_where(item)}\n"
        "MATCH (supplier:Actor)-[supplied:SUPPLIED]->(t)-[to:TO]->(recipient:Actor)\n"
        "OPTIONAL MATCH (t)-[of:OF]->(system:WeaponSystem)\n"
        "OPTIONAL MATCH (t)-[evidenced:EVIDENCED_BY]->(source:Source)\n"
        "RETURN n AS focus, m AS neighbour, tiv AS rank_tiv, deals AS rank_deals,\n"
        "       supplier, supplied, t AS transfer, to, recipient,\n"
        "       collect(DISTINCT of) AS of, collect(DISTINCT system) AS systems,\n"
        "       collect(DISTINCT evidenced) AS evidenced_by, collect(DISTINCT source) AS sources\n"
        "ORDER BY rank_tiv DESC, rank_deals DESC, neighbour.id, transfer.id\n")


EXPAND: dict[tuple[str, str], str] = {(r.label, r.key): _expand_query(r) for r in RELATIONS}


class UnknownNode(ParameterError):
    """The node to explore from is not in the graph."""


@dataclass(frozen=True)
class RelationCount:
    relation: Relation
    count: int

    @property
    def text(self) -> str:
        return self.relation.heading(self.count)


def neighbour_counts(
    db: Database, label: str, node_id: str, filters: ExploreFilters,
    *, timeout_s: float = DEFAULT_QUERY_TIMEOUT_S,
) -> list[RelationCount]:
    """How many distinct neighbours ``node_id`` (a ``label``) has by each relation.
    UnknownNode when there is no such node; ParameterError for a label that cannot
    be explored."""
    if label not in COUNTS:
        raise ParameterError(f"a {label or 'node without a label'} cannot be explored — "
                             f"only {', '.join(LABELS)}")
    result = run_read(db, COUNTS[label], {"id": node_id, **filters.filter_parameters()},
                        timeout_s=timeout_s, label="explore:counts")
    if not result.rows:
        raise UnknownNode(f"no {label} with id {node_id!r} in the graph")
    counts = result.rows[0]["counts"]
    return [RelationCount(item, int(c)) for item, c in zip(relations_of(label), counts,
                                                           strict=True)]


@dataclass(frozen=True)
class Expansion:
    """The rows that draw the first ``limit`` neighbours of one relation, and which
    neighbours they are (element ids, in rank order)."""

    relation: Relation
    rows: list[dict[str, Any]]
    neighbours: tuple[str, ...]
    focus: str | None  # the clicked node's element id (None when it does not exist)


def expand(
    db: Database, label: str, node_id: str, key: str, filters: ExploreFilters,
    *, limit: int = EXPAND_PAGE, timeout_s: float = DEFAULT_QUERY_TIMEOUT_S,
) -> Expansion:
    """The first ``limit`` neighbours of ``node_id`` by relation ``key``, ranked
    (fold and via: by TIV, then transfers, then id; links: by id), with what draws
    them: rows for ``explorer.graph.prepare_graph``, a derived ``VIA_TRANSFERS``
    arrow per neighbour for via relations."""
    item = relation(label, key)
    params = {"id": node_id, "limit": int(limit), **filters.filter_parameters()}
    result = run_read(db, EXPAND[(label, key)], params, timeout_s=timeout_s,
                        row_cap=100_000, label="explore:expand")
    rows = result.rows
    neighbours = tuple(dict.fromkeys(str(row["neighbour"]["id"]) for row in rows))
    focus = str(rows[0]["focus"]["id"]) if rows else None
    if item.kind == "via":
        rows = [_via_row(item, row) for row in rows]
    return Expansion(item, rows, neighbours, focus)


def _via_row(item: Relation, row: Mapping[str, Any]) -> dict[str, Any]:
    focus, other = row["focus"], row["neighbour"]
    start, end = (focus, other) if item.direction == "out" else (other, focus)
    edge = {
        "id": f"via:{item.key}:{focus['id']}:{other['id']}",
        "type": VIA_EDGE_TYPE,
        "start": start["id"],
        "end": end["id"],
        # Summed per deal as delivered where SIPRI gives it, else the deal's total:
        # said on the line itself, so the figure is not read as deliveries alone.
        "properties": {"deals": row["deals"], "tiv": row["tiv"] or None,
                       "tiv_basis": "delivered, else the deal's total"},
    }
    return {"focus": focus, "neighbour": other, "via": edge}
