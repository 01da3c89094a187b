"""What is in the graph: counts by label and relationship type, and the data sources."""

from __future__ import annotations

from typing import Any

import neo4j

from explorer.db import Database


def _overview(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
    labels = {
        r["label"]: r["count"]
        for r in tx.run(
            "CALL db.labels() YIELD label "
            "CALL (label) { MATCH (n) WHERE label IN labels(n) RETURN count(n) AS count } "
            "RETURN label, count ORDER BY label"
        )
    }
    relationships = {
        r["type"]: r["count"]
        for r in tx.run(
            "CALL db.relationshipTypes() YIELD relationshipType AS type "
            "CALL (type) { MATCH ()-[r]->() WHERE type(r) = type RETURN count(r) AS count } "
            "RETURN type, count ORDER BY type"
        )
    }
    sources = [
        dict(r)
        for r in tx.run(
            "MATCH (s:Source) WHERE s.kind = 'dataset' OR NOT (:Source)-[:CITES]->(s) "
            "RETURN s.id AS id, s.title AS title, s.kind AS kind, "
            "coalesce(s.generated, s.published) AS date, s.attribution AS attribution "
            "ORDER BY s.kind, s.title"
        )
    ]
    return {"labels": labels, "relationships": relationships, "sources": sources}


def graph_overview(db: Database) -> dict[str, Any]:
    """Counts by label and by relationship type, and the top-level data sources."""
    return db.read(_overview, label="overview")
