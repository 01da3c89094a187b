"""The query console is read-only and bounded: the server's plan (EXPLAIN) decides
what runs, the keyword scan names what it refuses at its line and column, the
read transaction refuses writes again, slow queries are stopped and huge results
cut at the row cap — and the graph never changes."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from explorer.config import DEFAULT_ROW_CAP
from explorer.db import Database
from explorer.errors import QueryError, QuerySyntaxError, QueryTimeout, ReadOnlyViolation
from explorer.readonly import plan as plan_check
from explorer.readonly.guard import find_violation
from explorer.runner import run_cypher, run_read
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


def test_the_pages_own_path_still_runs_in_a_read_transaction(
    loaded_graph: Database, before: tuple[int, int, str]
) -> None:
    # run_read (the dashboard's page queries) skips the plan check, not the wall.
    with pytest.raises(QueryError, match=r"^Neo4j refused the query:"):
        run_read(loaded_graph, "CREATE (n:Probe) RETURN n", label="page")
    assert fingerprint(loaded_graph) == before


# With the keyword scan switched off, the server's plan alone must refuse these,
# and name why: (statement, what the refusal names).
PLAN_REFUSALS = [
    ("MATCH (a:Actor) WITH a LIMIT 1 CALL (a) { SET a.hacked = true } RETURN a",
     "reads and writes the database (query type 'rw')"),
    ("MATCH (a:Actor) CALL (a) { DETACH DELETE a }", "query type 'w'"),
    ("CALL db.createLabel('Probe')", "procedure 'db.createLabel'"),
    ("CALL dbms.listConfig() YIELD name RETURN name", "procedure 'dbms.listConfig'"),
    ("CALL tx.setMetaData({app: 'x'})", "procedure 'tx.setMetaData'"),
    ("LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row", "loads a file or URL"),
    ("LOAD CSV WITH HEADERS FROM 'http://127.0.0.1:9/x.csv' AS row RETURN row", "LOAD CSV"),
    ("SHOW USERS", "administration command"),
    ("CREATE USER mallory SET PASSWORD 'secret-pass'", "administration command"),
    ("SHOW TRANSACTIONS", "command ShowTransactions"),
    ("SHOW SETTINGS", "command ShowSettings"),
    ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "command TerminateTransactions"),
    ("USE system CALL db.labels()", "runs on database 'system'"),
    ("CALL () { MATCH (n) RETURN n } IN TRANSACTIONS RETURN 1", "IN TRANSACTIONS"),
    ("CREATE INDEX probe_index IF NOT EXISTS FOR (n:Actor) ON (n.kind)", "query type 's'"),
    ("FOREACH (x IN range(1, 3) | CREATE (:Probe {x: x}))", "query type 'w'"),
    ("PROFILE CREATE (n:Probe)", "query type 'w'"),
    ("EXPLAIN CREATE (n:Probe)", "query type 'w'"),
]


@pytest.fixture
def scan_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """The keyword scan finds nothing: only the server's plan stands in the way."""
    monkeypatch.setattr(plan_check, "find_violation", lambda cypher: None)


@pytest.mark.parametrize(("cypher", "named"), PLAN_REFUSALS)
def test_the_servers_plan_refuses_what_the_scan_does_not_see(
    loaded_graph: Database, before: tuple[int, int, str], scan_off: None, cypher: str,
    named: str,
) -> None:
    with pytest.raises(ReadOnlyViolation) as caught:
        run_cypher(loaded_graph, cypher)
    message = str(caught.value)
    assert message.startswith("refused by the server's plan: ") and "\n" not in message
    assert named in message
    assert message.endswith("the console only runs read queries")
    assert graph_counts(loaded_graph) == before[:2]


def test_with_the_scan_off_every_attempt_is_still_refused(
    loaded_graph: Database, before: tuple[int, int, str], scan_off: None
) -> None:
    # The scan is not the only gate: each of the attempts above fails on the
    # server (its plan, or its parser for what is not Cypher at all).
    for cypher in ATTEMPTS:
        with pytest.raises(QueryError):
            run_cypher(loaded_graph, cypher)
    assert fingerprint(loaded_graph) == before


@pytest.mark.parametrize(
    ("cypher", "rows"),
    [
        # The scan reads `drop` followed by a word as DROP LIMIT, a command.
        ("MATCH (a:Actor {id: 'russia'}) WITH a.name AS drop RETURN drop LIMIT 1",
         [{"drop": "Russia"}]),
        # The scan refuses every USE; the plan shows this one stays on the graph.
        ("USE neo4j MATCH (a:Actor {id: 'russia'}) RETURN a.name AS name",
         [{"name": "Russia"}]),
    ],
)
def test_the_server_decides_where_the_scan_is_wrong(
    loaded_graph: Database, cypher: str, rows: list[dict[str, Any]]
) -> None:
    assert find_violation(cypher) is not None
    assert run_cypher(loaded_graph, cypher).rows == rows


def test_profile_and_allowed_dbms_procedures_run(loaded_graph: Database) -> None:
    # PROFILE is planned as EXPLAIN before it runs; dbms.components plans as
    # query type "s" but is an allow-listed procedure and nothing else.
    profiled = run_cypher(loaded_graph, "PROFILE MATCH (a:Actor {id: 'russia'}) "
                                        "RETURN a.name AS name")
    assert profiled.rows == [{"name": "Russia"}]
    components = run_cypher(loaded_graph, "CALL dbms.components() YIELD name RETURN name")
    assert components.rows == [{"name": "Neo4j Kernel"}]


def test_a_syntax_error_is_one_sentence_at_the_servers_line_and_column(
    loaded_graph: Database,
) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        run_cypher(loaded_graph, "MATCH (a:Actor)\n  WHERE a.id = 'russia'\nRETRUN a")
    message = str(caught.value)
    assert message.startswith(
        "Neo4j cannot read the query at line 3, column 1: Invalid input 'RETRUN': expected "
    ), message
    assert "\n" not in message and len(message) < 240
    assert (caught.value.line, caught.value.column) == (3, 1)
    with pytest.raises(QuerySyntaxError) as caught:
        run_cypher(loaded_graph, "RETURN 1 AS x,\n       unknownFunction(2) AS y")
    assert (caught.value.line, caught.value.column) == (2, 8)
    assert "Unknown function 'unknownFunction'" in str(caught.value)


def test_cli_syntax_error_is_one_line_and_exit_2(loaded_graph: Database,
                                                 cli_env: dict[str, str]) -> None:
    result = run_cli(["cypher", "MATCH (a:Actor)\nRETRUN a"], cli_env)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: Neo4j cannot read the query at line 2, column 1: "
                               "Invalid input 'RETRUN'")


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


# --------------------------------------------------------------------------- the editor


def test_the_editor_offers_the_graphs_names_and_the_saved_parameters(
    loaded_graph: Database,
) -> None:
    from explorer.app.cypher_editor import completion_items
    from explorer.queries import load_catalogue

    names = loaded_graph.schema_names()
    assert {"Actor", "Transfer", "WeaponSystem"} <= set(names["labels"])
    assert {"SUPPLIED", "TO", "TRANSFERS_TO"} <= set(names["relationship_types"])
    assert {"name", "status", "first_year"} <= set(names["property_keys"])
    parameters = {p.name for query in load_catalogue().values() for p in query.params}
    items = completion_items(names, parameters)
    by_value = {item["value"]: item for item in items}
    assert len(by_value) == len(items)  # each name offered once
    assert by_value["Actor"]["meta"] == "label"
    assert by_value["SUPPLIED"]["meta"] == "relationship type"
    assert by_value["status"]["meta"] == "property key"
    assert by_value["$actor"]["meta"] == "parameter"
    assert by_value["MATCH"]["meta"] == "keyword"
    # The graph's own names sort above keywords in the popup.
    assert by_value["Actor"]["score"] > by_value["$actor"]["score"] > by_value["MATCH"]["score"]


def test_the_editor_marks_an_error_at_its_line_and_column() -> None:
    from explorer.app.cypher_editor import error_marks

    text = "MATCH (a:Actor)\nRETRUN a"
    error = QuerySyntaxError("Neo4j cannot read the query at line 2, column 1: ...",
                             line=2, column=1)
    marks = error_marks(text, error)
    assert marks["annotations"] == [{"row": 1, "column": 0, "text": str(error),
                                     "type": "error"}]
    marker = marks["markers"][0]
    assert (marker["startRow"], marker["startCol"], marker["endRow"], marker["endCol"]) == \
        (1, 0, 1, 6)  # the word RETRUN
    unplaced = ReadOnlyViolation("refused by the server's plan: ...")
    assert error_marks(text, unplaced) == {"annotations": [], "markers": []}
