"""`explorer bench queries`: how fast each saved query answers on the current graph.

Every query of the catalogue runs with its default parameters through the one
path analysts use (``explorer.runner.run_saved``: guard, read transaction,
time limit, row cap), first ``warmup`` times unmeasured (plan cache, page
cache), then ``runs`` times measured. A run's time is the runner's wall time:
sending the query, the server's work, streaming the rows back and turning them
into plain data. The report names the graph it ran on (node and relationship
counts), because a time means little without the size of the data behind it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from explorer.config import DEFAULT_QUERY_TIMEOUT_S, DEFAULT_ROW_CAP
from explorer.db import Database
from explorer.errors import ExplorerError, QueryError
from explorer.queries import SavedQuery, load_catalogue
from explorer.runner import run_cypher, run_saved

__all__ = [
    "TARGET_P95_MS",
    "BenchReport",
    "QueryTiming",
    "bench_queries",
    "format_text",
    "graph_size",
    "percentile",
]

TARGET_P95_MS = 100.0
"""Every saved query should answer within this at the 95th percentile on the
seeds plus the full SIPRI export."""

# Counts come from Neo4j's count store: no scan, whatever the graph's size.
_SIZE_QUERY = """
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
CALL () { MATCH (t:Transfer) RETURN count(t) AS transfers }
RETURN nodes, relationships, transfers
"""


@dataclass(frozen=True)
class QueryTiming:
    """One saved query's measured runs (milliseconds); ``error`` when it failed."""

    name: str
    runs: int
    p50_ms: float | None
    p95_ms: float | None
    rows: int | None
    max_ms: float | None = None
    truncated: bool = False
    error: str | None = None

    @property
    def over_target(self) -> bool:
        return self.error is not None or (self.p95_ms or 0.0) > TARGET_P95_MS

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class BenchReport:
    """The timings plus what they were measured on."""

    uri: str
    database: str
    graph: Mapping[str, int]
    runs: int
    warmup: int
    queries: tuple[QueryTiming, ...] = field(default_factory=tuple)

    @property
    def slow(self) -> list[QueryTiming]:
        return [q for q in self.queries if q.over_target]

    def as_dict(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "database": self.database,
            "graph": dict(self.graph),
            "runs": self.runs,
            "warmup": self.warmup,
            "target_p95_ms": TARGET_P95_MS,
            "queries": [q.as_dict() for q in self.queries],
        }


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile (0-100) by linear interpolation between closest ranks,
    so the p50 of an even count is the mean of the middle two."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100.0
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def graph_size(db: Database) -> dict[str, int]:
    """``{"nodes", "relationships", "transfers"}`` of the current database."""
    result = run_cypher(db, _SIZE_QUERY, label="bench:size")
    row = result.rows[0] if result.rows else {}
    return {key: int(row.get(key) or 0) for key in ("nodes", "relationships", "transfers")}


def _time_one(
    db: Database, query: SavedQuery, runs: int, warmup: int, timeout_s: float, row_cap: int
) -> QueryTiming:
    times: list[float] = []
    rows = 0
    truncated = False
    try:
        for attempt in range(warmup + runs):
            result = run_saved(db, query, {}, timeout_s=timeout_s, row_cap=row_cap)
            if attempt >= warmup:
                times.append(result.elapsed_ms)
            rows, truncated = len(result.rows), result.truncated
    except ExplorerError as error:
        return QueryTiming(query.name, len(times), None, None, None, error=str(error))
    return QueryTiming(
        name=query.name,
        runs=len(times),
        p50_ms=round(percentile(times, 50), 2),
        p95_ms=round(percentile(times, 95), 2),
        rows=rows,
        max_ms=round(max(times), 2),
        truncated=truncated,
    )


def bench_queries(
    db: Database,
    *,
    runs: int = 20,
    warmup: int = 2,
    names: Sequence[str] | None = None,
    catalogue: Mapping[str, SavedQuery] | None = None,
    timeout_s: float = DEFAULT_QUERY_TIMEOUT_S,
    row_cap: int = DEFAULT_ROW_CAP,
) -> BenchReport:
    """Time every saved query (or those in ``names``) with its defaults.

    A query that fails (a timeout, a missing default) is reported with its error
    and the others still run.
    """
    if runs < 1:
        raise ValueError("runs must be at least 1")
    queries = dict(catalogue if catalogue is not None else load_catalogue())
    if names:
        unknown = [n for n in names if n not in queries]
        if unknown:
            raise QueryError(
                f"no saved query {unknown[0]!r}; 'explorer query list' shows the catalogue"
            )
        queries = {n: queries[n] for n in names}
    graph = graph_size(db)
    timings = tuple(
        _time_one(db, query, runs, warmup, timeout_s, row_cap) for query in queries.values()
    )
    return BenchReport(db.uri, db.database, graph, runs, warmup, timings)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def format_text(report: BenchReport) -> str:
    """A plain-text table with a heading naming the graph and a verdict line."""
    g = report.graph
    lines = [
        f"Saved queries on {report.uri} (database {report.database}): "
        f"{g.get('nodes', 0):,} nodes, {g.get('relationships', 0):,} relationships, "
        f"{g.get('transfers', 0):,} transfers; {report.runs} runs each after "
        f"{report.warmup} warm-up run{'s' if report.warmup != 1 else ''}.",
        "",
    ]
    width = max([len("query"), *(len(q.name) for q in report.queries)])
    lines.append(f"{'query':<{width}}  {'rows':>6}  {'p50 ms':>8}  {'p95 ms':>8}  {'max ms':>8}")
    for q in report.queries:
        if q.error:
            lines.append(f"{q.name:<{width}}  failed: {q.error}")
            continue
        rows = f"{q.rows}{'+' if q.truncated else ''}"
        flag = "  over target" if q.over_target else ""
        lines.append(
            f"{q.name:<{width}}  {rows:>6}  {_ms(q.p50_ms):>8}  {_ms(q.p95_ms):>8}  "
            f"{_ms(q.max_ms):>8}{flag}"
        )
    lines.append("")
    slow = report.slow
    if slow:
        names = ", ".join(q.name for q in slow)
        lines.append(f"{len(slow)} of {len(report.queries)} queries over the "
                     f"{TARGET_P95_MS:.0f} ms p95 target: {names}")
    else:
        lines.append(f"All {len(report.queries)} queries within the {TARGET_P95_MS:.0f} ms "
                     "p95 target.")
    return "\n".join(lines)
