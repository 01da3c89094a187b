"""Apply ``cypher/schema.cypher``: constraints and indexes, idempotently."""

from __future__ import annotations

import re
from pathlib import Path

import neo4j

from explorer.config import data_path, setting
from explorer.db import Database
from explorer.errors import ConfigError


def cypher_dir() -> Path:
    """``$EXPLORER_CYPHER_DIR``, else the cypher/ folder the package ships."""
    chosen = setting("EXPLORER_CYPHER_DIR")
    if chosen:
        return Path(chosen)
    found = data_path("cypher")
    if not found.is_dir():
        raise ConfigError(
            f"cannot find the cypher/ directory at {found} — reinstall the package, or set "
            "EXPLORER_CYPHER_DIR to the project's cypher/"
        )
    return found


def schema_statements(text: str | None = None) -> list[str]:
    """The statements of schema.cypher, comments stripped, split on ';'."""
    if text is None:
        text = (cypher_dir() / "schema.cypher").read_text(encoding="utf-8")
    without_comments = re.sub(r"//[^\n]*", "", text)
    return [" ".join(part.split()) for part in without_comments.split(";") if part.strip()]


def schema_names(statements: list[str] | None = None) -> set[str]:
    names = set()
    for statement in statements or schema_statements():
        match = re.search(r"(?:CONSTRAINT|INDEX)\s+(\w+)\s+IF NOT EXISTS", statement)
        if match:
            names.add(match.group(1))
    return names


def _eventually_consistent(statements: list[str]) -> dict[str, bool]:
    """Full-text index name -> whether schema.cypher makes it eventually consistent."""
    wanted = {}
    for statement in statements:
        match = re.search(r"FULLTEXT INDEX\s+(\w+)\s+IF NOT EXISTS", statement)
        if match:
            wanted[match.group(1)] = "`fulltext.eventually_consistent`: true" in statement
    return wanted


def _outdated_fulltext(tx: neo4j.ManagedTransaction, statements: list[str]) -> set[str]:
    """Full-text indexes whose consistency setting differs from schema.cypher's: made
    before the setting changed. ``IF NOT EXISTS`` keeps an index by its name, so these
    are dropped and made again."""
    wanted = _eventually_consistent(statements)
    found = tx.run("SHOW FULLTEXT INDEXES YIELD name, options RETURN name, options")
    return {
        r["name"] for r in found
        if r["name"] in wanted
        and bool((r["options"] or {}).get("indexConfig", {})
                 .get("fulltext.eventually_consistent")) != wanted[r["name"]]
    }


def apply_schema(db: Database) -> int:
    """Create what is missing; returns how many statements ran. Waits for indexes to be online."""
    statements = schema_statements()
    for name in db.read(lambda tx: _outdated_fulltext(tx, statements)):
        db.write(lambda tx, n=name: tx.run(f"DROP INDEX {n} IF EXISTS").consume())
    # Schema commands cannot share a transaction with data writes, so each gets its own.
    for statement in statements:
        db.write(lambda tx, s=statement: tx.run(s).consume())
    db.write(lambda tx: tx.run("CALL db.awaitIndexes(300)").consume())
    return len(statements)


def missing_schema(db: Database) -> set[str]:
    """Names of constraints/indexes from schema.cypher that the database lacks, or has
    with another full-text consistency setting (``apply_schema`` remakes those)."""
    statements = schema_statements()

    def missing(tx: neo4j.ManagedTransaction) -> set[str]:
        names = {r["name"] for r in tx.run("SHOW CONSTRAINTS YIELD name RETURN name")}
        names |= {r["name"] for r in tx.run("SHOW INDEXES YIELD name RETURN name")}
        return (schema_names(statements) - names) | _outdated_fulltext(tx, statements)

    return db.read(missing)


AWAIT_FULLTEXT = "CALL db.index.fulltext.awaitEventuallyConsistentIndexRefresh()"


def await_fulltext(db: Database) -> None:
    """Wait until the eventually consistent full-text indexes hold every committed
    write: a loader calls it before it returns, so a search after a load finds what
    the load wrote."""
    db.write(lambda tx: tx.run(AWAIT_FULLTEXT).consume(), label="await-fulltext")
