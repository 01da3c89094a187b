"""The query console is read-only and bounded: writes and escapes are refused by
the guard, anything the guard missed by the server, slow queries are stopped
and huge results cut at the row cap — and the graph never changes."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from explorer.config import DEFAULT_ROW_CAP
from explorer.db import Database
from explorer.errors import QueryError, QueryTimeout, ReadOnlyViolation
from explorer.runner import run_cypher
from tests.conftest import graph_counts, run_cli

ATTEMPTS = [
    "CREATE (n:Actor {id: 'probe'}) RETURN n",
    "MERGE (n:Actor {id: 'north-korea'}) SET n.name = 'X'",
    "MATCH (a:Actor {id: 'russia'}) SET a.name = 'Rus'",
    "MATCH (a:Actor {id: 'russia'}) REMOVE a.name",
    "MATCH (t:Transfer) DELETE t",
    "MATCH (a:Actor) CALL (a) { DETACH DELETE a }",
    "MATCH (a:Actor) CALL { WITH a DETACH DELETE a } IN TRANSACTIONS OF 10 ROWS",
    "MATCH (n:Actor) WITH n LIMIT 1 CALL (n) { SET n.hacked = true } RETURN n",
    "FOREACH (x IN range(1, 3) | CREATE (:Probe {x: x}))",
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "LOAD CSV WITH HEADERS FROM 'http://127.0.0.1:9/x.csv' AS row RETURN row",
    "CALL dbms.listConfig() YIELD name RETURN name",
    "CALL dbms.security.createUser('mallory', 'secret-pass', false)",
    "CALL db.createLabel('Probe')",
    "CALL apoc.create.node(['Probe'], {}) YIELD node RETURN node",
    "RETURN apoc.text.join(['a'], ',') AS x",
    "CREATE INDEX probe_index IF NOT EXISTS FOR (n:Actor) ON (n.kind)",
    "CREATE CONSTRAINT probe_unique IF NOT EXISTS FOR (n:Probe) REQUIRE n.id IS UNIQUE",
    "DROP INDEX actor_name",
    "CREATE USER mallory SET PASSWORD 'secret-pass'",
    "ALTER USER neo4j SET PASSWORD 'changed-pass'",
    "GRANT ROLE admin TO mallory",
    "SHOW USERS",
    "USE system SHOW DATABASES",
    "cReAtE (n:Probe) RETURN n",
    "MATCH (n) /* nothing here */ DETACH /**/ DELETE n",
    "MATCH (n:Actor)\n// a comment\nSET n.hacked = true",
    "MATCH (n:Actor) S\\u0045T n.hacked = true",  # Neo4j decodes \u0045 to E: SET
    "MATCH (n:Actor) \u017fET n.hacked = true",  # the long s
    "CRE\u200bATE (n:Probe)",  # a zero-width space inside the keyword
    "RETURN 1; CREATE (n:Probe)",
    "EXPLAIN CREATE (n:Probe)",
]

# Through the CLI as well: one of each kind (a subprocess each, so not all 32).
CLI_ATTEMPTS = [
    "CREATE (n:Probe) RETURN n",
    "MATCH (a:Actor) CALL (a) { DETACH DELETE a }",
    "LOAD CSV FROM 'https://example.org/x.csv' AS row RETURN row",
    "CALL dbms.security.listUsers()",
    "CREATE INDEX probe_index IF NOT EXISTS FOR (n:Actor) ON (n.kind)",
    "MATCH (n) /**/SeT n.x = 1",
]


def fingerprint(db: Database) -> tuple[int, int, str]:
    """Node and relationship counts plus a digest of every node id and property map."""

    def digest(tx: Any) -> str:
        h = hashlib.sha256()
        for record in tx.run("MATCH (n) RETURN n.id AS id, properties(n) AS p ORDER BY id"):
            h.update(repr((record["id"], sorted(record["p"].items()))).encode())
        return h.hexdigest()

    return (*graph_counts(db), db.read(digest))


_BEFORE: list[tuple[int, int, str]] = []


@pytest.fixture
def before(loaded_graph: Database) -> tuple[int, int, str]:
    """The loaded graph's fingerprint, taken once (a reload gives the same one)."""
    if not _BEFORE:
        _BEFORE.append(fingerprint(loaded_graph))
    return _BEFORE[0]


@pytest.mark.parametrize("cypher", ATTEMPTS)
def test_write_and_escape_attempts_are_refused_by_the_guard(
    loaded_graph: Database, before: tuple[int, int, str], cypher: str
) -> None:
    with pytest.raises(ReadOnlyViolation) as caught:
        run_cypher(loaded_graph, cypher)
    message = str(caught.value)
    assert message.startswith("refused at line ") and "\n" not in message
    assert graph_counts(loaded_graph) == before[:2]


def test_the_graph_is_unchanged_after_every_attempt(
    loaded_graph: Database, before: tuple[int, int, str]
) -> None:
    for cypher in ATTEMPTS:
        with pytest.raises(ReadOnlyViolation):
            run_cypher(loaded_graph, cypher)
    assert fingerprint(loaded_graph) == before


@pytest.mark.parametrize("cypher", CLI_ATTEMPTS)
def test_cli_refuses_writes_in_one_line(
    loaded_graph: Database, before: tuple[int, int, str], cli_env: dict[str, str], cypher: str
) -> None:
    result = run_cli(["cypher", cypher], cli_env)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: refused at line 1"), result.stderr
    assert graph_counts(loaded_graph) == before[:2]


@pytest.mark.parametrize(
    "cypher",
    [
        "CREATE (:Probe {id: 'bypass'})",
        "MATCH (a:Actor {id: 'russia'}) SET a.name = 'bypassed'",
        "MATCH (t:Transfer) WITH t LIMIT 5 DETACH DELETE t",
        "CREATE INDEX bypass_index IF NOT EXISTS FOR (n:Probe) ON (n.id)",
    ],
)
def test_a_write_that_bypasses_the_guard_is_refused_by_the_server(
    loaded_graph: Database, before: tuple[int, int, str], cypher: str
) -> None:
    # What would happen if the guard missed something: the console's read
    # transaction (db.read) is the second layer, and the server refuses the write.
    with pytest.raises(QueryError) as caught:
        loaded_graph.read(lambda tx: tx.run(cypher).consume(), timeout=5, label="bypass")
    assert str(caught.value).startswith("Neo4j refused the query:")
    assert "read" in str(caught.value).lower()
    assert fingerprint(loaded_graph) == before


def test_reads_that_look_like_writes_still_run(loaded_graph: Database) -> None:
    result = run_cypher(
        loaded_graph,
        "MATCH (a:Actor) WHERE a.name CONTAINS 'delete' OR a.id = $set "
        "RETURN a.name AS created ORDER BY created",
        {"set": "north-korea"},
    )
    assert result.rows == [{"created": "North Korea"}]


# `MATCH (a),(b),(c),(d) RETURN count(*)` alone is answered from the count store
# at once; comparing properties forces the server to walk the product.
CARTESIAN = ("MATCH (a), (b), (c), (d) WHERE a.id < b.id AND b.id < c.id AND c.id < d.id "
             "RETURN count(*) AS n")


def test_a_cartesian_product_stops_at_the_time_limit(loaded_graph: Database) -> None:
    with pytest.raises(QueryTimeout) as caught:
        run_cypher(loaded_graph, CARTESIAN, timeout_s=1)
    assert str(caught.value).startswith("the query ran past 1 s time limit and was stopped")


def test_cli_timeout_is_one_line_and_exit_2(loaded_graph: Database, cli_env: dict[str, str]
                                            ) -> None:
    result = run_cli(["cypher", CARTESIAN, "--timeout", "1"], cli_env)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: the query ran past 1 s time limit and was stopped — narrow it (a LIMIT, fewer "
        "hops) or raise the limit"
    )


def test_a_huge_result_is_cut_at_the_row_cap_with_a_notice(loaded_graph: Database) -> None:
    result = run_cypher(loaded_graph, "UNWIND range(1, 100000) AS x RETURN x")
    assert len(result.rows) == DEFAULT_ROW_CAP and result.truncated
    assert result.rows[-1] == {"x": DEFAULT_ROW_CAP}
    assert result.notice == (
        "truncated: showing the first 5,000 rows — add a LIMIT or narrow the query"
    )
    small = run_cypher(loaded_graph, "UNWIND range(1, 10) AS x RETURN x", row_cap=10)
    assert not small.truncated and small.notice is None


def test_cli_truncation_notice_goes_to_stderr(loaded_graph: Database, cli_env: dict[str, str]
                                              ) -> None:
    result = run_cli(["cypher", "UNWIND range(1, 100000) AS x RETURN x", "--format", "csv"],
                     cli_env)
    assert result.returncode == 0
    lines = [line for line in result.stdout.splitlines() if not line.startswith("# ")]
    assert lines[0] == "x" and len(lines) == 1 + DEFAULT_ROW_CAP and lines[-1] == "5000"
    assert "truncated: showing the first 5,000 rows" in result.stderr
