"""The batched graph writer every loader uses: ``UNWIND $rows … MERGE`` on ids.

Rows follow docs/graph-model.md: node rows are ``{"id", "props"}``, relationship
rows ``{"start", "end", "start_label", "end_label", "props"}``. Everything is
written in ONE transaction (in batches inside it), so a failed or killed load
leaves the database as it was, and MERGE makes a rerun change nothing.

Labels and relationship types cannot be query parameters in Cypher, so the
statements are built from the closed sets below; anything else is refused, and
every value travels as a parameter.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import neo4j

from explorer.db import Database
from explorer.errors import ValidationError

NODE_LABELS = ("Source", "Place", "Actor", "WeaponClass", "WeaponSystem", "Transfer", "Event")
RELATIONSHIP_TYPES = (
    "CITES", "LOCATED_IN", "SUBCLASS_OF", "IS_A", "SUPPLIED", "TO", "OF",
    "CONDUCTED", "TARGETED", "USED", "AT", "EVIDENCED_BY",
)  # fmt: skip
# Relationships that may run in parallel between the same two nodes, told apart by a key.
PARALLEL_KEYS = {"EVIDENCED_BY": "quote"}
_PROPERTY_NAME = re.compile(r"[a-z_][a-z0-9_]*")

DEFAULT_BATCH_SIZE = 2000
# A whole load is one transaction; give it longer than the server default.
LOAD_TIMEOUT_S = 900.0

Row = dict[str, Any]
Progress = Callable[[int, int], None]


def node_statement(label: str) -> str:
    if label not in NODE_LABELS:
        raise ValueError(f"unknown node label {label!r}")
    return f"UNWIND $rows AS row MERGE (n:{label} {{id: row.id}}) SET n += row.props"


def relationship_statement(rel_type: str, start_label: str, end_label: str) -> str:
    if rel_type not in RELATIONSHIP_TYPES:
        raise ValueError(f"unknown relationship type {rel_type!r}")
    for label in (start_label, end_label):
        if label not in NODE_LABELS:
            raise ValueError(f"unknown node label {label!r}")
    key = PARALLEL_KEYS.get(rel_type)
    merge_props = f" {{{key}: row.props.{key}}}" if key else ""
    return (
        f"UNWIND $rows AS row "
        f"MATCH (a:{start_label} {{id: row.start}}) MATCH (b:{end_label} {{id: row.end}}) "
        f"MERGE (a)-[r:{rel_type}{merge_props}]->(b) SET r += row.props "
        f"RETURN count(*) AS matched"
    )


REBUILD_SUMMARY = """
MATCH ()-[old:TRANSFERS_TO]->() DELETE old
WITH count(*) AS removed
MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer)-[:TO]->(r:Actor)
WITH s, r, t, COLLECT { MATCH (t)-[:OF]->(w:WeaponSystem) RETURN w.name } AS names
// Counts say what they count: SIPRI's deals (records) and the sources' claims
// apart; `deals` stays as their total for the drawings' arrow widths.
WITH s, r,
     count(t) AS deals,
     count(CASE WHEN t.origin = 'sipri' THEN t END) AS sipri_deals,
     count(CASE WHEN t.origin <> 'sipri' THEN t END) AS claims,
     sum(coalesce(t.tiv_delivered, t.tiv_total, 0.0)) AS tiv,
     min(t.first_year) AS first_year,
     max(t.last_year) AS last_year,
     collect(t.status) AS statuses,
     collect(names) AS nested_names
MERGE (s)-[d:TRANSFERS_TO]->(r)
SET d.deals = deals, d.sipri_deals = sipri_deals, d.claims = claims, d.tiv = tiv,
    d.first_year = first_year, d.last_year = last_year,
    // Sorted and distinct, so a rebuild over the same data gives the same values.
    d.statuses = COLLECT { UNWIND statuses AS x RETURN DISTINCT x ORDER BY x },
    d.systems = COLLECT { UNWIND nested_names AS ns UNWIND ns AS x
                          RETURN DISTINCT x ORDER BY x }
RETURN count(d) AS summaries
"""


@dataclass
class WriteSummary:
    rows: dict[str, int] = field(default_factory=dict)
    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0
    summaries: int = 0

    @property
    def nodes_written(self) -> int:
        return sum(n for k, n in self.rows.items() if k in NODE_LABELS)

    @property
    def relationships_written(self) -> int:
        return sum(n for k, n in self.rows.items() if k in RELATIONSHIP_TYPES)

    def describe(self) -> str:
        nodes_updated = self.nodes_written - self.nodes_created
        rels_updated = self.relationships_written - self.relationships_created
        return (
            f"{self.nodes_created} nodes created, {nodes_updated} updated; "
            f"{self.relationships_created} relationships created, {rels_updated} updated; "
            f"{self.summaries} actor-to-actor summaries rebuilt"
        )


def _batches(rows: Sequence[Row], size: int) -> list[Sequence[Row]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def fill_node_statement(label: str, keys: Iterable[str]) -> str:
    """MERGE on id, then set each property only where the node has none, so that a
    load from another source (SIPRI) fills gaps in curated nodes (the seeds') and
    never overwrites them."""
    if label not in NODE_LABELS:
        raise ValueError(f"unknown node label {label!r}")
    keys = sorted(set(keys))
    for key in keys:
        if not _PROPERTY_NAME.fullmatch(key):
            raise ValueError(f"not a property name: {key!r}")
    sets = ", ".join(f"n.{k} = coalesce(n.{k}, row.props.{k})" for k in keys)
    merge = f"UNWIND $rows AS row MERGE (n:{label} {{id: row.id}})"
    return f"{merge} SET {sets}" if sets else merge


def run_rows(
    tx: neo4j.ManagedTransaction, statement: str, batch: Sequence[Row], matched: bool = False
) -> tuple[int | None, Any]:
    """Run ``statement`` with ``$rows`` = ``batch``: ``(matched count or None, counters)``.

    The rows list is emptied afterwards: the driver keeps every result's parameters
    until the transaction ends, so a long load would otherwise hold all its rows
    in memory at once.
    """
    payload = list(batch)
    result = tx.run(statement, rows=payload)
    count = result.single()["matched"] if matched else None
    counters = result.consume().counters
    payload.clear()
    return count, counters


class _Ticker:
    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total, self.progress, self.done = total, progress, 0

    def __call__(self, rows: int) -> None:
        self.done += rows
        if self.progress:
            self.progress(self.done, self.total)


def write_chunk_tx(
    tx: neo4j.ManagedTransaction,
    rows: Mapping[str, Sequence[Row]],
    summary: WriteSummary,
    *,
    fill: Mapping[str, Sequence[Row]] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    tick: Callable[[int], None] | None = None,
) -> None:
    """Write one chunk of rows in ``tx``, nodes then relationships, adding to ``summary``.

    A loader that streams a big file calls this per chunk inside one transaction
    (relationships may point at nodes of earlier chunks), then rebuilds the
    summaries once. ``fill`` holds node rows (per label) that only set the
    properties a node lacks (see ``fill_node_statement``).
    """
    fill = fill or {}
    tick = tick or (lambda rows: None)
    for label in NODE_LABELS:
        label_rows = rows.get(label, ())
        fill_rows = fill.get(label, ())
        summary.rows[label] = summary.rows.get(label, 0) + len(label_rows) + len(fill_rows)
        for batch in _batches(fill_rows, batch_size):
            keys = {key for row in batch for key in row["props"]}
            statement = fill_node_statement(label, keys)
            _, counters = run_rows(tx, statement, batch)
            summary.nodes_created += counters.nodes_created
            summary.properties_set += counters.properties_set
            tick(len(batch))
        for batch in _batches(label_rows, batch_size):
            _, counters = run_rows(tx, node_statement(label), batch)
            summary.nodes_created += counters.nodes_created
            summary.properties_set += counters.properties_set
            tick(len(batch))
    for rel_type in RELATIONSHIP_TYPES:
        rel_rows = rows.get(rel_type, ())
        summary.rows[rel_type] = summary.rows.get(rel_type, 0) + len(rel_rows)
        groups: dict[tuple[str, str], list[Row]] = {}
        for row in rel_rows:
            groups.setdefault((row["start_label"], row["end_label"]), []).append(row)
        for (start_label, end_label), group in sorted(groups.items()):
            statement = relationship_statement(rel_type, start_label, end_label)
            for batch in _batches(group, batch_size):
                matched, counters = run_rows(tx, statement, batch, matched=True)
                if matched != len(batch):
                    # Validation should make this impossible; refuse rather than drop edges.
                    raise ValidationError(
                        f"{len(batch) - matched} {rel_type} rows point at nodes that do not "
                        "exist — nothing was written"
                    )
                summary.relationships_created += counters.relationships_created
                summary.properties_set += counters.properties_set
                tick(len(batch))


def write_rows_tx(
    tx: neo4j.ManagedTransaction,
    rows: Mapping[str, Sequence[Row]],
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> WriteSummary:
    """Write node rows, then relationship rows, then rebuild TRANSFERS_TO — in ``tx``."""
    summary = WriteSummary()
    total = sum(len(rows.get(k, ())) for k in (*NODE_LABELS, *RELATIONSHIP_TYPES))
    write_chunk_tx(tx, rows, summary, batch_size=batch_size, tick=_Ticker(total, progress))
    summary.summaries = tx.run(REBUILD_SUMMARY).single()["summaries"]
    return summary


def write_rows(
    db: Database,
    rows: Mapping[str, Sequence[Row]],
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> WriteSummary:
    """All rows in one write transaction: it all lands, or nothing does."""
    summary = db.write(lambda tx: write_rows_tx(tx, rows, batch_size, progress), label="load",
                       timeout=LOAD_TIMEOUT_S)
    forget_query_plans(db)
    return summary


def forget_query_plans(db: Database) -> None:
    """Drop cached query plans after a load.

    Neo4j keeps plans made on the graph before the load; after a SIPRI import on top
    of the seeds, some saved queries kept a plan 100x slower than a fresh one. The
    procedure needs admin rights that a remote or Aura user may lack, so a refusal
    is ignored: the plans then age out on their own.
    """
    # An optimisation, never a reason to fail a load.
    with contextlib.suppress(Exception):
        db.write(lambda tx: tx.run("CALL db.clearQueryCaches()").consume(),
                 label="clear-query-caches")


def rebuild_summaries(db: Database) -> int:
    return db.write(lambda tx: tx.run(REBUILD_SUMMARY).single()["summaries"],
                    label="rebuild-summaries")
