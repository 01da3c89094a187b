"""Run analyst queries — console text or saved queries — read-only, with limits.

Two walls keep the console read-only: ``check_statement`` asks the server for
the statement's plan (``EXPLAIN``) and refuses anything but a read
(explorer/readonly/plan.py), and the query then runs in a read transaction, so
the server refuses any write even then. Every run has a time limit and a row
cap; rows beyond the cap are not fetched.

Names become ids before a query runs: a saved query's ``actor`` and
``weapon_system`` parameters, and the console's typed values (``actor:Ukraine``),
go through ``explorer.resolve``, so a misspelt name is an error with
suggestions instead of an empty result. The server's warnings about the query
(an unknown label, relationship type or property key) come back as
``QueryResult.warnings``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import neo4j

from explorer.config import DEFAULT_QUERY_TIMEOUT_S, DEFAULT_ROW_CAP
from explorer.db import Database
from explorer.queries import Param, SavedQuery, convert_params
from explorer.readonly.plan import check_statement
from explorer.resolve import NameLookup, lookup_for, resolve_entity_params, resolve_typed
from explorer.results import plain

# Server notifications of severity WARNING become QueryResult.warnings: a
# misspelt label, relationship type or property key, deprecated syntax.
# Performance hints (severity INFORMATION) are left out.
_WARNING_SEVERITY = "WARNING"
# "The property `x` does not exist": saved queries read properties the graph
# model allows but a dataset may leave empty everywhere (SIPRI's export has no
# tiv_total), so for them this one is expected, not a misspelling.
UNKNOWN_PROPERTY = "01N52"
# The driver logs every notification itself, raw, to stderr; they are reported
# once, readably, through QueryResult.warnings instead.
logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)


@dataclass(frozen=True)
class QueryResult:
    keys: list[str]
    rows: list[dict[str, Any]]
    truncated: bool
    row_cap: int
    elapsed_ms: float
    cypher: str
    parameters: dict[str, Any] = field(default_factory=dict)
    # The server's warnings about the query text, one sentence each.
    warnings: tuple[str, ...] = ()

    @property
    def notice(self) -> str | None:
        if not self.truncated:
            return None
        return (f"truncated: showing the first {self.row_cap:,} rows — add a LIMIT or narrow "
                "the query")


def run_cypher(
    db: Database,
    cypher: str,
    parameters: Mapping[str, Any] | None = None,
    *,
    timeout_s: float = DEFAULT_QUERY_TIMEOUT_S,
    row_cap: int = DEFAULT_ROW_CAP,
    label: str = "console",
    ignore_warnings: frozenset[str] = frozenset(),
) -> QueryResult:
    """Check ``cypher``'s plan, then run it in a read transaction; rows come back as
    plain data. For text an analyst wrote or saved: the console, saved queries.

    The server's warnings come back too, except those whose GQL status code is
    in ``ignore_warnings``."""
    params = dict(parameters or {})
    check_statement(db, cypher, params, timeout_s=timeout_s, label=label)
    return run_read(db, cypher, params, timeout_s=timeout_s, row_cap=row_cap, label=label,
                    ignore_warnings=ignore_warnings)


def run_read(
    db: Database,
    cypher: str,
    parameters: Mapping[str, Any] | None = None,
    *,
    timeout_s: float = DEFAULT_QUERY_TIMEOUT_S,
    row_cap: int = DEFAULT_ROW_CAP,
    label: str = "page",
    ignore_warnings: frozenset[str] = frozenset(),
) -> QueryResult:
    """Run the project's own query text (a page's queries, the source lookup) in a
    read transaction, without ``run_cypher``'s plan check: the text is a constant
    of this package, so asking the server for its plan first would only add a
    round trip to every page. The read transaction still refuses any write."""
    params = dict(parameters or {})

    def work(
        tx: neo4j.ManagedTransaction,
    ) -> tuple[list[str], list[dict[str, Any]], bool, tuple[str, ...]]:
        result = tx.run(cypher, params)
        keys = list(result.keys())
        rows = []
        truncated = False
        for record in result:
            if len(rows) >= row_cap:
                truncated = True
                break
            values = record.values()
            rows.append({key: plain(value) for key, value in zip(keys, values, strict=True)})
        # Closing the cursor discards the rest on the server instead of streaming it.
        summary = result.consume()
        return keys, rows, truncated, server_warnings(summary, ignore_warnings)

    began = time.perf_counter()
    keys, rows, truncated, warnings = db.read(work, timeout=timeout_s, label=label)
    elapsed_ms = (time.perf_counter() - began) * 1000
    return QueryResult(keys, rows, truncated, row_cap, elapsed_ms, cypher, params, warnings)


def server_warnings(summary: neo4j.ResultSummary,
                    ignore: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The server's warnings about a query, e.g. "The label `Actr` does not exist
    (line 1, column 10)" — what tells a misspelling from a true "no rows"."""
    found: list[str] = []
    for status in summary.gql_status_objects:
        if (not status.is_notification or status.raw_severity != _WARNING_SEVERITY
                or status.gql_status in ignore):
            continue
        text = " ".join(status.status_description.split())
        # "warn: label does not exist. The label `Actr` does not exist. Verify ...":
        # the status title repeats the sentence after it, so it goes.
        if text.lower().startswith("warn:"):
            title, dot, rest = text[len("warn:"):].partition(". ")
            text = rest.strip() if dot and rest.strip() else title.strip()
        position = status.position
        if position is not None and position.line:
            text = text.rstrip(".") + f" (line {position.line}, column {position.column})."
        if text not in found:
            found.append(text)
    return tuple(found)


def run_console(
    db: Database,
    cypher: str,
    parameters: Mapping[str, Any] | None = None,
    *,
    names: NameLookup | None = None,
    timeout_s: float = DEFAULT_QUERY_TIMEOUT_S,
    row_cap: int = DEFAULT_ROW_CAP,
    label: str = "console",
) -> QueryResult:
    """``run_cypher`` after resolving typed values (``actor:Ukraine`` -> ``ukraine``).

    ``names`` gives each kind's name table (the dashboard passes its cache);
    by default the tables are read from ``db`` when a typed value needs them.
    """
    params = resolve_typed(dict(parameters or {}), names or lookup_for(db))
    return run_cypher(db, cypher, params, timeout_s=timeout_s, row_cap=row_cap, label=label)


def run_saved(
    db: Database,
    query: SavedQuery,
    raw_parameters: Mapping[str, Any] | None = None,
    *,
    names: NameLookup | None = None,
    timeout_s: float = DEFAULT_QUERY_TIMEOUT_S,
    row_cap: int = DEFAULT_ROW_CAP,
) -> QueryResult:
    """Convert the parameters by their declared types, resolve the actor and
    weapon-system ones to ids, then run through the console's path."""
    params = saved_parameters(db, query, raw_parameters, names=names)
    return run_cypher(db, query.cypher, params, timeout_s=timeout_s, row_cap=row_cap,
                      label=f"saved:{query.name}",
                      ignore_warnings=frozenset({UNKNOWN_PROPERTY}))


def saved_parameters(
    db: Database,
    query: SavedQuery,
    raw_parameters: Mapping[str, Any] | None = None,
    *,
    names: NameLookup | None = None,
) -> dict[str, Any]:
    """The parameters ``query`` runs with: converted, defaults filled in, and each
    actor/weapon-system name resolved to its id (``UnknownName``/``AmbiguousName``
    otherwise). Null optional entities stay null."""
    raw = dict(raw_parameters or {})
    # A value for a parameter whose choices come from the graph must be one of them:
    # a misspelt category is an error, not "0 rows".
    asked = [p for p in query.params if p.choices_query and raw.get(p.name) not in (None, "")]
    dynamic = choices_for(db, query, asked) if asked else None
    params = convert_params(query, raw, dynamic_choices=dynamic)
    kinds = {p.name: p.entity_kind for p in query.params if p.entity_kind}
    if not kinds:
        return params
    return resolve_entity_params(
        kinds, params, names or lookup_for(db),
        where=lambda name: f"parameter {name!r} of query {query.name!r}",
    )


def choices_for(db: Database, query: SavedQuery,
                params: Iterable[Param] | None = None) -> dict[str, list[Any]]:
    """Values offered for parameters declared with a ``choices_query`` (all of the
    query's, or those of ``params``)."""
    found: dict[str, list[Any]] = {}
    for param in query.params if params is None else params:
        if param.choices_query:
            result = run_cypher(db, param.choices_query, {}, label=f"choices:{query.name}")
            found[param.name] = [row.get("value") for row in result.rows]
    return found
