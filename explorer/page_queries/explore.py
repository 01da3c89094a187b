"""The Explore page as a library: an actor's transfer neighbourhood, filtered.

Pick actors (by name, alias or id: "DPRK" finds North Korea), how many hops
of supplier/recipient links to follow, and which transfers count: statuses,
SIPRI armament categories of the weapon system, a year range and a minimum
TIV. The result is plain rows for ``explorer.graph.prepare_graph`` (supplier,
transfer, recipient, weapon systems and sources with their relationships),
so the dashboard, the CLI and the tests draw and export the same thing.

Every query here goes through ``explorer.runner.run_read`` (read-only, time
limit, row cap); Cypher lives in the module-level constants below and all
input travels as parameters.

Hops are computed breadth-first, one query per hop: hop 1 is every matching
transfer to or from the chosen actors; hop 2 adds the transfers of the actors
found at hop 1, and so on. A variable-length Cypher pattern would enumerate
every path instead of every actor, which explodes around a big supplier.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from explorer.config import DEFAULT_QUERY_TIMEOUT_S
from explorer.db import Database
from explorer.errors import ParameterError, UnresolvedName
from explorer.graph import STATUS_ORDER
from explorer.labels import year_span
from explorer.resolve import NameTable
from explorer.runner import QueryResult, run_read

MAX_HOPS = 3
# A neighbourhood is one row per transfer; Russia's in the full SIPRI export
# runs to a few thousand, two hops out to more than the console's cap.
EXPLORE_ROW_CAP = 20_000

# The filter every transfer of the neighbourhood passes, shared by both queries here
# and by the neighbour counts (page_queries/neighbours.py).
TRANSFER_FILTER = """
  t.status IN $statuses
  AND (size($categories) = 0
       OR EXISTS { MATCH (t)-[:OF]->(w:WeaponSystem) WHERE w.category IN $categories })
  AND ($year_from IS NULL
       OR coalesce(t.last_year, t.first_year, t.order_year) >= $year_from)
  AND ($year_to IS NULL
       OR coalesce(t.first_year, t.order_year, t.last_year) <= $year_to)
  AND ($min_tiv IS NULL
       OR coalesce(t.tiv_delivered, t.tiv_total, 0.0) >= $min_tiv)
"""

# The actors one hop away from $frontier through matching transfers.
NEXT_ACTORS = (
    """
UNWIND $frontier AS frontier_id
MATCH (f:Actor {id: frontier_id})
CALL (f) {
  MATCH (f)-[:SUPPLIED]->(t:Transfer)-[:TO]->(other:Actor) RETURN t, other
  UNION
  MATCH (f)<-[:TO]-(t:Transfer)<-[:SUPPLIED]-(other:Actor) RETURN t, other
}
WITH t, other
WHERE"""
    + TRANSFER_FILTER
    + """
RETURN DISTINCT other.id AS id
ORDER BY id
"""
)

# Every matching transfer to or from the actors in $actors, one row each, with
# the nodes and relationships graph.py needs to draw and describe the arrow.
NEIGHBOURHOOD = (
    """
UNWIND $actors AS actor_id
MATCH (f:Actor {id: actor_id})
CALL (f) {
  MATCH (f)-[:SUPPLIED]->(t:Transfer) RETURN t
  UNION
  MATCH (f)<-[:TO]-(t:Transfer) RETURN t
}
WITH DISTINCT t
WHERE"""
    + TRANSFER_FILTER
    + """
MATCH (supplier:Actor)-[supplied:SUPPLIED]->(t)-[to:TO]->(recipient:Actor)
OPTIONAL MATCH (t)-[of:OF]->(system:WeaponSystem)
OPTIONAL MATCH (t)-[evidenced:EVIDENCED_BY]->(source:Source)
RETURN supplier, supplied, t AS transfer, to, recipient,
       collect(DISTINCT of) AS of, collect(DISTINCT system) AS systems,
       collect(DISTINCT evidenced) AS evidenced_by, collect(DISTINCT source) AS sources
ORDER BY transfer.id
"""
)

# Every actor, for the picker: the label carries the aliases so that typing
# "DPRK" in the select box finds North Korea.
ACTOR_OPTIONS = """
MATCH (a:Actor)
RETURN a.id AS id, a.name AS name, coalesce(a.aliases, []) AS aliases, a.kind AS kind,
       COUNT { (a)-[:SUPPLIED|TO]-(:Transfer) } AS transfers
ORDER BY toLower(a.name), a.id
"""

CATEGORIES = """
MATCH (w:WeaponSystem) WHERE w.category IS NOT NULL
RETURN DISTINCT w.category AS category ORDER BY category
"""

YEAR_BOUNDS = """
MATCH (t:Transfer)
WITH coalesce(t.first_year, t.order_year) AS first, coalesce(t.last_year, t.first_year,
     t.order_year) AS last
RETURN min(first) AS first, max(last) AS last
"""

# What "all years" covers. SIPRI's years are its delivery and order years; a claim's
# year is when it was made (the as-of date of a statement from a source that is not a
# dataset: a dataset's as-of is its generation date).
DATA_RANGE = """
CALL () {
  MATCH (t:Transfer {origin: 'sipri'})
  UNWIND coalesce(t.delivery_years, []) AS y
  RETURN min(y) AS deliveries_first, max(y) AS deliveries_last
}
CALL () {
  MATCH (t:Transfer {origin: 'sipri'})
  RETURN min(t.order_year) AS orders_first, max(t.order_year) AS orders_last
}
CALL () {
  MATCH (t:Transfer)-[e:EVIDENCED_BY]->(s:Source)
  WHERE t.origin <> 'sipri' AND e.as_of IS NOT NULL AND s.kind <> 'dataset'
  WITH toInteger(left(e.as_of, 4)) AS y
  RETURN min(y) AS claims_first, max(y) AS claims_last
}
CALL () {
  MATCH (e:Event) WHERE e.year IS NOT NULL
  RETURN min(e.year) AS events_first, max(e.year) AS events_last
}
RETURN deliveries_first, deliveries_last, orders_first, orders_last, claims_first, claims_last,
       events_first, events_last
"""

@dataclass(frozen=True)
class ExploreFilters:
    """What the Explore page asks for. Empty ``categories`` means every category;
    None for a year bound or ``min_tiv`` means no bound."""

    actors: tuple[str, ...]
    hops: int = 1
    statuses: tuple[str, ...] = STATUS_ORDER
    categories: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    min_tiv: float | None = None

    def check(self) -> None:
        """Raise ParameterError (one sentence) for a filter that cannot run."""
        if not self.actors:
            raise ParameterError("pick at least one actor to explore")
        if not 1 <= self.hops <= MAX_HOPS:
            raise ParameterError(f"hops must be between 1 and {MAX_HOPS}, got {self.hops}")
        unknown = [s for s in self.statuses if s not in STATUS_ORDER]
        if unknown:
            raise ParameterError(
                f"unknown status {unknown[0]!r} — use one of {', '.join(STATUS_ORDER)}"
            )
        if not self.statuses:
            raise ParameterError("pick at least one transfer status")
        if (self.year_from is not None and self.year_to is not None
                and self.year_from > self.year_to):
            raise ParameterError(
                f"the year range starts after it ends ({self.year_from} > {self.year_to})"
            )
        if self.min_tiv is not None and self.min_tiv < 0:
            raise ParameterError(f"the minimum TIV cannot be negative, got {self.min_tiv:g}")

    def filter_parameters(self) -> dict[str, Any]:
        return {
            "statuses": list(self.statuses),
            "categories": list(self.categories),
            "year_from": self.year_from,
            "year_to": self.year_to,
            "min_tiv": self.min_tiv if self.min_tiv else None,
        }

    def describe(self) -> dict[str, Any]:
        """The filters as provenance parameters (what the analyst chose)."""
        return {"actors": list(self.actors), "hops": self.hops, **self.filter_parameters()}


@dataclass(frozen=True)
class Neighbourhood:
    """The rows to draw, the actors each hop reached, and the run's limits."""

    rows: list[dict[str, Any]]
    filters: ExploreFilters
    actors_by_hop: tuple[tuple[str, ...], ...]
    truncated: bool
    row_cap: int
    elapsed_ms: float
    cypher: str = NEIGHBOURHOOD
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def notice(self) -> str | None:
        if not self.truncated:
            return None
        return (f"truncated: only the first {self.row_cap:,} transfers were fetched — "
                "narrow the filters")


def neighbourhood(
    db: Database,
    filters: ExploreFilters,
    *,
    row_cap: int = EXPLORE_ROW_CAP,
    timeout_s: float = DEFAULT_QUERY_TIMEOUT_S,
) -> Neighbourhood:
    """Transfers within ``filters.hops`` hops of ``filters.actors`` (actor ids)."""
    filters.check()
    params = filters.filter_parameters()
    reached: list[str] = list(dict.fromkeys(filters.actors))
    by_hop: list[tuple[str, ...]] = [tuple(reached)]
    elapsed = 0.0
    frontier = list(reached)
    for _ in range(filters.hops - 1):
        if not frontier:
            break
        step = run_read(db, NEXT_ACTORS, {**params, "frontier": frontier},
                          timeout_s=timeout_s, row_cap=row_cap, label="explore:hop")
        elapsed += step.elapsed_ms
        seen = set(reached)
        frontier = [row["id"] for row in step.rows if row["id"] not in seen]
        reached.extend(frontier)
        by_hop.append(tuple(frontier))
    parameters = {**params, "actors": reached}
    result = run_read(db, NEIGHBOURHOOD, parameters, timeout_s=timeout_s, row_cap=row_cap,
                        label="explore:neighbourhood")
    return Neighbourhood(
        rows=result.rows,
        filters=filters,
        actors_by_hop=tuple(by_hop),
        truncated=result.truncated,
        row_cap=row_cap,
        elapsed_ms=elapsed + result.elapsed_ms,
        parameters=parameters,
    )


def actor_options(db: Database) -> list[dict[str, Any]]:
    """Every actor: ``{id, name, aliases, kind, transfers}``, by name."""
    return run_read(db, ACTOR_OPTIONS, label="explore:actors", row_cap=100_000).rows


def actor_label(actor: Mapping[str, Any]) -> str:
    """``North Korea — DPRK, Democratic People's Republic of Korea``: what the picker
    shows and searches, so an alias finds its actor."""
    name = str(actor.get("name") or actor.get("id") or "")
    aliases = [str(a) for a in actor.get("aliases") or [] if str(a) != name]
    return f"{name} — {', '.join(aliases)}" if aliases else name


def resolve_actors(table: NameTable, names: Iterable[str]) -> tuple[list[str], list[str]]:
    """Names, aliases or ids -> (the actor ids they name, one message per name that
    names no actor or several). The same resolver as the saved queries'
    (explorer/resolve.py): a name never stands in for another, however close —
    the message only suggests it."""
    found: list[str] = []
    problems: list[str] = []
    for text in names:
        if not text.strip():
            continue
        try:
            actor_id = table.resolve(text).id
        except UnresolvedName as error:
            problems.append(str(error))
            continue
        if actor_id not in found:
            found.append(actor_id)
    return found, problems


def categories(db: Database) -> list[str]:
    """The weapon-system categories present in the graph."""
    return [row["category"] for row in run_read(db, CATEGORIES, label="explore:cat").rows]


def year_bounds(db: Database) -> tuple[int | None, int | None]:
    """The first and last transfer year in the graph (None when no transfer has one)."""
    rows = run_read(db, YEAR_BOUNDS, label="explore:years").rows
    if not rows:
        return None, None
    return rows[0]["first"], rows[0]["last"]


@dataclass(frozen=True)
class DataRange:
    """The years the graph's data covers, by kind: what "all years" means."""

    deliveries_first: int | None = None
    deliveries_last: int | None = None
    orders_first: int | None = None
    orders_last: int | None = None
    claims_first: int | None = None
    claims_last: int | None = None
    events_first: int | None = None
    events_last: int | None = None

    def sentence(self) -> str:
        """"Data in this graph: SIPRI deliveries 1995–2024, orders 1950–2024; claims
        made 2023–2024; events 2022–2024." — parts without data are left out."""
        parts = []
        sipri = []
        if self.deliveries_first is not None:
            sipri.append(f"deliveries {year_span(self.deliveries_first, self.deliveries_last)}")
        if self.orders_first is not None:
            sipri.append(f"orders {year_span(self.orders_first, self.orders_last)}")
        if sipri:
            parts.append("SIPRI " + ", ".join(sipri))
        if self.claims_first is not None:
            parts.append(f"claims made {year_span(self.claims_first, self.claims_last)}")
        if self.events_first is not None:
            parts.append(f"events {year_span(self.events_first, self.events_last)}")
        if not parts:
            return "No dated transfers, claims or events in this graph yet."
        return "Data in this graph: " + "; ".join(parts) + "."


def data_range(db: Database) -> DataRange:
    """The years of SIPRI's records, of the sources' claims (when they were made) and
    of the events in the graph, computed from the graph."""
    rows = run_read(db, DATA_RANGE, label="explore:range").rows
    return DataRange(**rows[0]) if rows else DataRange()


def result_from(hood: Neighbourhood) -> QueryResult:
    """The neighbourhood as a runner result (for code that handles any query's result)."""
    return QueryResult(
        keys=list(hood.rows[0].keys()) if hood.rows else [],
        rows=hood.rows,
        truncated=hood.truncated,
        row_cap=hood.row_cap,
        elapsed_ms=hood.elapsed_ms,
        cypher=hood.cypher,
        parameters=hood.parameters,
    )
