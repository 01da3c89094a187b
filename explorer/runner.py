"""Run analyst queries — console text or saved queries — read-only, with limits.

Two layers keep the console read-only: ``check_read_only`` refuses writes and
escapes before the text reaches the server, and the query then runs in a read
transaction, so the server itself refuses any write the guard missed. Every run
has a time limit and a row cap; rows beyond the cap are not fetched.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import neo4j

from explorer.config import DEFAULT_QUERY_TIMEOUT_S, DEFAULT_ROW_CAP
from explorer.db import Database
from explorer.queries import SavedQuery, convert_params
from explorer.readonly import check_read_only
from explorer.results import plain


@dataclass(frozen=True)
class QueryResult:
    keys: list[str]
    rows: list[dict[str, Any]]
    truncated: bool
    row_cap: int
    elapsed_ms: float
    cypher: str
    parameters: dict[str, Any] = field(default_factory=dict)

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
) -> QueryResult:
    """Check, then run ``cypher`` in a read transaction; rows come back as plain data."""
    check_read_only(cypher)
    params = dict(parameters or {})

    def work(tx: neo4j.ManagedTransaction) -> tuple[list[str], list[dict[str, Any]], bool]:
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
        result.consume()
        return keys, rows, truncated

    began = time.perf_counter()
    keys, rows, truncated = db.read(work, timeout=timeout_s, label=label)
    elapsed_ms = (time.perf_counter() - began) * 1000
    return QueryResult(keys, rows, truncated, row_cap, elapsed_ms, cypher, params)


def run_saved(
    db: Database,
    query: SavedQuery,
    raw_parameters: Mapping[str, Any] | None = None,
    *,
    timeout_s: float = DEFAULT_QUERY_TIMEOUT_S,
    row_cap: int = DEFAULT_ROW_CAP,
) -> QueryResult:
    """Convert the parameters by their declared types, then run through the console's path."""
    params = convert_params(query, dict(raw_parameters or {}))
    return run_cypher(db, query.cypher, params, timeout_s=timeout_s, row_cap=row_cap,
                      label=f"saved:{query.name}")


def choices_for(db: Database, query: SavedQuery) -> dict[str, list[Any]]:
    """Values offered for parameters declared with a ``choices_query``."""
    found: dict[str, list[Any]] = {}
    for param in query.params:
        if param.choices_query:
            result = run_cypher(db, param.choices_query, {}, label=f"choices:{query.name}")
            found[param.name] = [row.get("value") for row in result.rows]
    return found
