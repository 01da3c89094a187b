"""The batched graph writer every loader uses: ``UNWIND $batch.rows … MERGE`` on ids.

Rows follow docs/graph-model.md: node rows are ``{"id", "props"}``, relationship
rows ``{"start", "end", "start_label", "end_label", "props"}``. ``write_rows`` (the
seeds) writes everything in ONE transaction (in batches inside it), so a failed or
killed load leaves the database as it was, and MERGE makes a rerun change nothing;
the SIPRI loader uses ``write_chunk_tx`` once per batch of whole deals, each batch
its own transaction (docs/loading.md).

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

from explorer.contract import NODE_LABELS, PARALLEL_KEYS, RELATIONSHIP_TYPES
from explorer.db import Database
from explorer.errors import ValidationError
from explorer.loaders.seed_bundle import NODE_PROPERTIES
from explorer.schema import await_fulltext

_PROPERTY_NAME = re.compile(r"[a-z_][a-z0-9_]*")

# Every statement here reads its rows from one map parameter, ``$batch`` (``UNWIND
# $batch.rows``), never from a list parameter: Neo4j keys its plan cache on the size
# of each list parameter (1-9, 10-99, 100-999 ... items), so a list of 5 actors, then
# of 182, then of 15 had the same statement planned three times in one load (10-90 ms
# each). A list inside a map has no size hint: one plan per statement, whatever the
# batch holds.

DEFAULT_BATCH_SIZE = 2000
# A whole load is one transaction; give it longer than the server default.
LOAD_TIMEOUT_S = 900.0

Row = dict[str, Any]
Progress = Callable[[int, int], None]


def node_statement(label: str) -> str:
    if label not in NODE_LABELS:
        raise ValueError(f"unknown node label {label!r}")
    return f"UNWIND $batch.rows AS row MERGE (n:{label} {{id: row.id}}) SET n += row.props"


def relationship_statement(rel_type: str, start_label: str, end_label: str) -> str:
    if rel_type not in RELATIONSHIP_TYPES:
        raise ValueError(f"unknown relationship type {rel_type!r}")
    for label in (start_label, end_label):
        if label not in NODE_LABELS:
            raise ValueError(f"unknown node label {label!r}")
    key = PARALLEL_KEYS.get(rel_type)
    merge_props = f" {{{key}: row.props.{key}}}" if key else ""
    return (
        f"UNWIND $batch.rows AS row "
        f"MATCH (a:{start_label} {{id: row.start}}) MATCH (b:{end_label} {{id: row.end}}) "
        f"MERGE (a)-[r:{rel_type}{merge_props}]->(b) SET r += row.props "
        f"RETURN count(*) AS matched"
    )


# The actor-to-actor summary of the transfers under one MATCH of
# (s:Actor)-[:SUPPLIED]->(t:Transfer)-[:TO]->(r:Actor): the same aggregation for a
# rebuild of the whole graph (the seed loader, in its one transaction) and for a
# rebuild supplier by supplier in bounded batches (big loads).
_SUMMARY_TAIL = """
WITH s, r, t, COLLECT { MATCH (t)-[:OF]->(w:WeaponSystem) RETURN w.name } AS names,
     COLLECT { MATCH (t)-[:EVIDENCED_BY]->(src:Source) RETURN src.id } AS said_by
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
     collect(names) AS nested_names,
     collect(said_by) AS nested_sources
MERGE (s)-[d:TRANSFERS_TO]->(r)
// Rounded: a float sum depends on the order it is taken in, and a resumed load must
// give the same graph as an uninterrupted one.
SET d.deals = deals, d.sipri_deals = sipri_deals, d.claims = claims, d.tiv = round(tiv, 6),
    d.first_year = first_year, d.last_year = last_year,
    // Sorted and distinct, so a rebuild over the same data gives the same values.
    d.statuses = COLLECT { UNWIND statuses AS x RETURN DISTINCT x ORDER BY x },
    d.systems = COLLECT { UNWIND nested_names AS ns UNWIND ns AS x
                          RETURN DISTINCT x ORDER BY x },
    // The pair's sources, so results built on the summary cite them without
    // walking every transfer again (new_relationships did, 129k db hits).
    d.source_ids = COLLECT { UNWIND nested_sources AS ns UNWIND ns AS x
                             RETURN DISTINCT x ORDER BY x }
RETURN count(d) AS summaries
"""

REBUILD_SUMMARY = """
MATCH ()-[old:TRANSFERS_TO]->() DELETE old
WITH count(*) AS removed
MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer)-[:TO]->(r:Actor)
""" + _SUMMARY_TAIL

SUMMARY_SUPPLIERS = """
MATCH (s:Actor)
WHERE EXISTS { (s)-[:SUPPLIED]->(:Transfer) } OR EXISTS { (s)-[:TRANSFERS_TO]->() }
RETURN s.id AS id ORDER BY id
"""
DELETE_SUMMARIES_FROM = """
UNWIND $batch.suppliers AS sid
MATCH (:Actor {id: sid})-[old:TRANSFERS_TO]->() DELETE old
"""
BUILD_SUMMARIES_FROM = """
UNWIND $batch.suppliers AS sid
MATCH (s:Actor {id: sid})-[:SUPPLIED]->(t:Transfer)-[:TO]->(r:Actor)
""" + _SUMMARY_TAIL
SUMMARY_BATCH = 200
"""Suppliers per summary transaction: Russia or the United States alone carry
thousands of deals, so a batch is bounded by the graph's biggest suppliers, not
by the file."""


@dataclass
class WriteSummary:
    rows: dict[str, int] = field(default_factory=dict)
    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0
    relationships_deleted: int = 0
    nodes_deleted: int = 0
    summaries: int = 0

    def count(self, counters: Any) -> None:
        """Add a result's counters (``neo4j.SummaryCounters``)."""
        self.nodes_created += counters.nodes_created
        self.relationships_created += counters.relationships_created
        self.properties_set += counters.properties_set
        self.relationships_deleted += counters.relationships_deleted
        self.nodes_deleted += counters.nodes_deleted

    def add(self, other: WriteSummary) -> None:
        """Add another batch's summary to this one."""
        for key, n in other.rows.items():
            self.rows[key] = self.rows.get(key, 0) + n
        self.nodes_created += other.nodes_created
        self.relationships_created += other.relationships_created
        self.properties_set += other.properties_set
        self.relationships_deleted += other.relationships_deleted
        self.nodes_deleted += other.nodes_deleted

    @property
    def nodes_changed(self) -> int:
        """Nodes created or deleted (not merely updated)."""
        return self.nodes_created + self.nodes_deleted

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
    never overwrites them.

    The statement names every property of the label (docs/graph-model.md) and any
    other key of ``keys``: its text, and so its cached plan, is the same whichever
    properties a batch's rows carry. A property a row lacks is set to itself."""
    if label not in NODE_LABELS:
        raise ValueError(f"unknown node label {label!r}")
    keys = sorted(set(keys) | set(NODE_PROPERTIES.get(label, ())))
    for key in keys:
        if not _PROPERTY_NAME.fullmatch(key):
            raise ValueError(f"not a property name: {key!r}")
    sets = ", ".join(f"n.{k} = coalesce(n.{k}, row.props.{k})" for k in keys)
    merge = f"UNWIND $batch.rows AS row MERGE (n:{label} {{id: row.id}})"
    return f"{merge} SET {sets}" if sets else merge


def run_rows(
    tx: neo4j.ManagedTransaction, statement: str, batch: Sequence[Row], matched: bool = False,
    **params: Any,
) -> tuple[int | None, Any]:
    """Run ``statement`` with ``$batch.rows`` = ``batch`` (and ``params``):
    ``(matched count or None, counters)``.

    The rows list is emptied afterwards: the driver keeps every result's parameters
    until the transaction ends, so a long load would otherwise hold all its rows
    in memory at once.
    """
    payload = list(batch)
    result = tx.run(statement, batch={"rows": payload}, **params)
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
    """Write node rows, then relationship rows, then rebuild the TRANSFERS_TO of the
    suppliers in ``rows`` — in ``tx``."""
    summary = WriteSummary()
    total = sum(len(rows.get(k, ())) for k in (*NODE_LABELS, *RELATIONSHIP_TYPES))
    write_chunk_tx(tx, rows, summary, batch_size=batch_size, tick=_Ticker(total, progress))
    # Only the suppliers this load touches: a seed load on top of the whole SIPRI
    # database rebuilds a handful of summaries, not thousands.
    suppliers = sorted({row["start"] for row in rows.get("SUPPLIED", ())})
    tx.run(DELETE_SUMMARIES_FROM, batch={"suppliers": suppliers}).consume()
    summary.summaries = tx.run(BUILD_SUMMARIES_FROM, batch={"suppliers": suppliers}
                               ).single()["summaries"]
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
    await_fulltext(db)
    forget_query_plans(db, summary.nodes_changed)
    return summary


PLAN_AHEAD_ID = "\x00plan-ahead"
"""The id of ``plan_ahead``'s placeholder rows: no real id starts with a NUL."""


class _RollBack(Exception):
    """Ends ``plan_ahead``'s transaction without a commit."""


def plan_ahead(db: Database, statements: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
    """Have the server plan ``statements`` before the data for them exists: each runs
    once with its parameters (placeholder rows, ``PLAN_AHEAD_ID``), in one
    transaction that is rolled back, so nothing is written.

    A big load calls it while its parser builds the first batch: the server is idle
    then, and the first batch would otherwise wait for the planning of each of its
    statements (about 0.3 s after the plan cache was cleared, as every big load
    does). Run, not ``EXPLAIN``-ed: an ``EXPLAIN``'s plan is cached apart from the
    executing query's. The parameters must have the real calls' shape — a list with
    one item, not an empty one, which Neo4j caches separately. An optimisation only:
    any failure is ignored, and a statement left out is planned when it first runs.
    """

    def work(tx: neo4j.ManagedTransaction) -> None:
        for statement, params in statements:
            tx.run(statement, **params).consume()
        raise _RollBack

    with contextlib.suppress(Exception):
        db.write(work, label="plan-ahead")


PLAN_REFRESH_SHARE = 0.25
"""A load that created or deleted at least this share of the graph's nodes drops the
server's cached query plans (``forget_query_plans``)."""


def forget_query_plans(db: Database, changed: int) -> bool:
    """Drop cached query plans after a load that changed a good part of the graph.

    Neo4j keeps plans made on the graph before the load; after a SIPRI import on top
    of the seeds, some saved queries kept a plan 100x slower than a fresh one. But
    every plan then has to be made again, the loaders' own included (about 1 s of
    server CPU for a SIPRI load's statements, most of the seed loader's second), so
    a load whose ``changed`` nodes (created or deleted) are under
    ``PLAN_REFRESH_SHARE`` of the graph's keeps them — re-importing a file, or the
    seeds on top of SIPRI. Returns whether the plans were dropped.

    The procedure needs admin rights that a remote or Aura user may lack, so a
    refusal is ignored: the plans then age out on their own.
    """
    if changed <= 0:
        return False
    try:  # an optimisation, never a reason to fail a load that has landed
        # A count-store lookup, no scan.
        nodes = db.read(lambda tx: tx.run("MATCH (n) RETURN count(n) AS n").single()["n"],
                        label="graph-size")
        if changed < PLAN_REFRESH_SHARE * nodes:
            return False
        db.write(lambda tx: tx.run("CALL db.clearQueryCaches()").consume(),
                 label="clear-query-caches")
    except Exception:
        return False
    return True


def rebuild_summaries(db: Database, batch: int = SUMMARY_BATCH) -> int:
    """Rebuild every TRANSFERS_TO, a batch of suppliers per transaction, so the
    server's transaction memory does not grow with the graph. A supplier's
    summaries are replaced in one transaction: a query sees its old ones or its
    new ones, never none."""
    suppliers = db.read(lambda tx: [r["id"] for r in tx.run(SUMMARY_SUPPLIERS)],
                        label="summary-suppliers")
    total = 0
    for start in range(0, len(suppliers), batch):
        part = suppliers[start : start + batch]

        def work(tx: neo4j.ManagedTransaction, part: list[str] = part) -> int:
            tx.run(DELETE_SUMMARIES_FROM, batch={"suppliers": part}).consume()
            return tx.run(BUILD_SUMMARIES_FROM, batch={"suppliers": part}).single()["summaries"]

        total += db.write(work, label="rebuild-summaries")
    return total
