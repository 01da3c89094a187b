"""The console's keyword scan: write and escape attempts are refused at their line
and column, reads pass.

No database: the scan runs before the server is asked. The server's plan is the
gate and the read transaction the second wall; both are tested against Neo4j in
tests/test_console.py.
"""

from __future__ import annotations

import pytest

from explorer.errors import QueryError, ReadOnlyViolation
from explorer.readonly.guard import (
    ALLOWED_PROCEDURES,
    FUNCTION,
    STATEMENT,
    check_read_only,
    find_violation,
    is_read_only,
)
from explorer.readonly.lexer import NAME, PARAM, STRING, WORD, decode_unicode_escapes, tokenize
from explorer.readonly.plan import statement_to_plan

# (query, what the refusal must name)
REFUSED = [
    # writing clauses, in every case
    ("CREATE (n:Actor {id: 'x'})", "CREATE writes"),
    ("create (n)", "CREATE writes"),
    ("MERGE (a:Actor {id: 'russia'}) RETURN a", "MERGE writes"),
    ("MATCH (n:Actor) SET n.name = 'x' RETURN n", "SET writes"),
    ("MATCH (n:Actor) sEt n:Flagged", "SET writes"),
    ("MATCH (n:Actor) REMOVE n.aliases", "REMOVE writes"),
    ("MATCH (n) DELETE n", "DELETE writes"),
    ("MATCH (n) DETACH DELETE n", "DETACH DELETE writes"),
    ("MATCH (n) NODETACH DELETE n", "NODETACH DELETE writes"),
    ("MATCH (n) CALL { WITH n DETACH DELETE n }", "DETACH DELETE writes"),
    ("MATCH (n) CALL (n) { SET n.x = 1 } IN TRANSACTIONS OF 10 ROWS", "SET writes"),
    ("UNWIND range(1, 10) AS i FOREACH (x IN [i] | CREATE (:X))", "FOREACH"),
    ("MATCH (a) MERGE (a)-[:R]->(b) ON CREATE SET b.x = 1", "MERGE writes"),
    ("INSERT (:Actor {id: 'x'})", "INSERT writes"),
    ("MATCH (n) RETURN n UNION CREATE (m) RETURN m AS n", "CREATE writes"),
    ("CALL { MATCH (n) RETURN n } IN TRANSACTIONS", "IN TRANSACTIONS"),
    ("CALL { MATCH (n) RETURN n } IN 4 CONCURRENT TRANSACTIONS", "IN TRANSACTIONS"),
    # files and URLs
    ("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line", "LOAD CSV reads files"),
    ("LOAD CSV WITH HEADERS FROM 'https://example.org/x.csv' AS row RETURN row", "LOAD CSV"),
    ("load csv from 'http://169.254.169.254/latest/meta-data/' as l return l", "LOAD CSV"),
    ("USING PERIODIC COMMIT 500 LOAD CSV FROM 'file:///x' AS l RETURN l", "PERIODIC COMMIT"),
    # procedures and functions outside the allow-list
    ("CALL dbms.security.createUser('eve', 'pw', false)", "procedure dbms.security.createUser"),
    ("CALL dbms.killQuery('query-1')", "procedure dbms.killQuery"),
    ("CALL dbms.setConfigValue('db.logs.query.enabled', 'off')", "dbms.setConfigValue"),
    ("CALL db.createLabel('Spy')", "procedure db.createLabel"),
    ("CALL db.create.setNodeVectorProperty(n, 'v', [1.0])", "procedure db.create.setNode"),
    ("CALL tx.setMetaData({app: 'x'})", "procedure tx.setMetaData"),
    ("CALL apoc.load.json('https://example.org/x.json')", "procedure apoc.load.json"),
    ("CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DELETE n', {})", "apoc.periodic"),
    ("CALL `dbms`.`security`.`createUser`('eve', 'pw', false)", "dbms.security.createUser"),
    ("CALL db . createLabel ('Spy')", "procedure db.createLabel"),
    ("OPTIONAL CALL dbms.listConfig() YIELD name RETURN name", "procedure dbms.listConfig"),
    ("CALL db.labels() YIELD label CALL db.createLabel(label)", "procedure db.createLabel"),
    ("CALL db.indexes()", "procedure db.indexes"),
    ("CALL custom()", "procedure custom"),
    ("RETURN apoc.cypher.runFirstColumnSingle('CREATE (n) RETURN n', {})", "apoc.cypher"),
    ("RETURN apoc.version()", "function apoc.version"),
    ("WITH {k: apoc.load.json('x')} AS m RETURN m", "function apoc.load.json"),
    ("RETURN `apoc`.`util`.sha1(['x'])", "function apoc.util.sha1"),
    ("RETURN `apoc.load.json`('x')", "function apoc.load.json"),
    ("RETURN apoc /* */ . load . json ('x')", "function apoc.load.json"),
    # schema and administration
    ("CREATE INDEX actor_name FOR (a:Actor) ON (a.name)", "CREATE INDEX writes"),
    ("CREATE CONSTRAINT c FOR (a:Actor) REQUIRE a.id IS UNIQUE", "CREATE CONSTRAINT"),
    ("DROP INDEX actor_name", "DROP INDEX is an administration command"),
    ("DROP CONSTRAINT actor_id IF EXISTS", "DROP CONSTRAINT"),
    ("CREATE USER eve SET PASSWORD 'secret' CHANGE NOT REQUIRED", "CREATE USER"),
    ("ALTER USER neo4j SET PASSWORD 'owned'", "ALTER USER"),
    ("CREATE ROLE spy", "CREATE ROLE"),
    ("GRANT ROLE admin TO eve", "GRANT ROLE"),
    ("DENY MATCH {*} ON GRAPH * NODES * TO reader", "DENY MATCH"),
    ("REVOKE ROLE admin FROM neo4j", "REVOKE ROLE"),
    ("RENAME USER eve TO mallory", "RENAME USER"),
    ("CREATE DATABASE shadow", "CREATE DATABASE"),
    ("CREATE OR REPLACE DATABASE neo4j", "CREATE OR"),
    ("START DATABASE neo4j", "START DATABASE"),
    ("STOP DATABASE neo4j", "STOP DATABASE"),
    ("TERMINATE TRANSACTIONS 'neo4j-transaction-42'", "TERMINATE TRANSACTIONS"),
    ("ENABLE SERVER 'abc'", "ENABLE SERVER"),
    ("SHOW USERS", "SHOW USERS is not allowed"),
    ("SHOW CURRENT USER", "SHOW CURRENT"),
    ("SHOW ALL PRIVILEGES", "SHOW ALL PRIVILEGES"),
    ("SHOW USER PRIVILEGES", "SHOW USER PRIVILEGES"),
    ("SHOW TRANSACTIONS", "SHOW TRANSACTIONS"),
    ("SHOW SETTINGS", "SHOW SETTINGS"),
    ("SHOW DATABASES", "SHOW DATABASES"),
    # switching databases
    ("USE system SHOW USERS", "USE switches to another database"),
    ("USE neo4j MATCH (n) RETURN n", "USE switches"),
    ("USE `system` SHOW ROLES", "USE switches"),
    ("USE graph.byName('other') MATCH (n) RETURN n", "USE switches"),
    ("MATCH (n) CALL { USE other MATCH (m) RETURN m } RETURN n", "USE switches"),
    # more than one statement
    ("MATCH (n) RETURN n; CREATE (m)", "CREATE writes"),
    ("MATCH (n) RETURN n; MATCH (m) RETURN m", "more than one statement"),
    ("RETURN 1;;", "more than one statement"),
    # comments, whitespace and case tricks
    ("/**/CREATE (n)", "CREATE writes"),
    ("MATCH (n)/*x*/DELETE n", "DELETE writes"),
    ("// only a comment\nCREATE (n)", "CREATE writes"),
    ("MATCH (n) // DELETE n\nDETACH\tDELETE n", "DETACH DELETE"),
    ("MATCH (n)\u3000DELETE\u00a0n", "DELETE writes"),
    ("RETURN 'x' /* ' */ CREATE (n) //'", "CREATE writes"),
    ('RETURN "a\\"b" CREATE (n)', "CREATE writes"),
    ("RETURN 'a\\\\' CREATE (n) //'", "CREATE writes"),
    ("RETURN `a``b` CREATE (n)", "CREATE writes"),
    ("MATCH (n) ſET n.x = 1", "SET writes"),  # long s upper-cases to S
    ("CRE\u200bATE (n)", "CREATE writes"),  # a zero-width space hides nothing
    ("EXPLAIN CREATE (n)", "CREATE writes"),
    ("PROFILE MATCH (n) DETACH DELETE n", "DETACH DELETE"),
    ("RETURN 1.CREATE (n)", "CREATE writes"),
    ("MATCH (n) WHERE n.AS CREATE (m)", "CREATE writes"),  # AS as a property key
    ("MATCH (n) WHERE n.as\nDETACH DELETE n", "DETACH DELETE"),
    ("MATCH (a)-[*1..2]-(b) WITH b, [1..CREATE] AS x RETURN x", "CREATE writes"),
    # Java-style unicode escapes, which Neo4j 5 decodes anywhere in the text
    ("\\u0043REATE (n)", "CREATE writes"),
    ("M\\u0041TCH (n) \\u0044ETACH DELETE n", "DELETE writes"),
    ("MATCH (n) \\uuu0053ET n.x = 1", "SET writes"),
    ("RETURN '\\u0027 CREATE (n) //'", "CREATE writes"),
    ("MATCH (`x\\u0060 DELETE n //`) RETURN 1", "DELETE writes"),
    ("RETURN 1 \\u002f\\u002a */ CREATE (n)", "CREATE writes"),
    # what cannot be read cannot be checked
    ("RETURN 'unterminated", "unterminated string literal"),
    ("MATCH (n) /* never closed RETURN n", "unterminated /* comment"),
    ("MATCH (`n) RETURN 1", "unterminated `backticked` name"),
    ("RETURN 'O\\u0027Brien'", "a \\u escape changes where a string"),
]

ALLOWED = [
    "MATCH (n) WHERE n.name CONTAINS 'set' RETURN n",
    "MATCH (n) WHERE toLower(n.description) CONTAINS 'delete' RETURN n.created, n.offset",
    "MATCH (s:Settings) RETURN s ORDER BY s.set DESC",
    "MATCH (n:Create|Delete&!Merge) RETURN n",
    "MATCH ()-[r:SET|REMOVE]->() RETURN count(r)",
    "MATCH (`CREATE`:`DELETE` {`SET`: 1}) RETURN `CREATE`.`MERGE`",
    "RETURN {delete: true, set: 1, create: 'x'} AS flags",
    "MATCH (a:Actor) WITH a.name AS start, a.id AS stop RETURN start, stop ORDER BY start",
    "WITH 1 AS drop, 2 AS use, 3 AS show, 4 AS load RETURN drop, use, show AS s, load",
    "MATCH (n) WHERE n.status = $set AND n.kind IN $delete RETURN n",
    "CALL db.labels()",
    "CALL db.labels YIELD label RETURN label ORDER BY label",
    "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType",
    "CALL db.propertyKeys()",
    "CALL db.schema.visualization()",
    "CALL db.schema.nodeTypeProperties()",
    "CALL db.schema.relTypeProperties()",
    "CALL db.index.fulltext.queryNodes('names', 'shahed~') YIELD node, score RETURN node, score",
    "CALL db.index.fulltext.queryRelationships('quotes', 'missile') YIELD relationship "
    "RETURN relationship",
    "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition",
    "SHOW INDEXES",
    "SHOW RANGE INDEXES YIELD name, state RETURN name",
    "SHOW ALL CONSTRAINTS",
    "SHOW USER DEFINED FUNCTIONS",
    "SHOW PROCEDURES EXECUTABLE BY CURRENT USER",
    "EXPLAIN MATCH (a:Actor)-[:SUPPLIED]->(t:Transfer) RETURN t",
    "PROFILE MATCH (a:Actor) RETURN a LIMIT 5",
    "CYPHER runtime=slotted MATCH (a:Actor) RETURN a",
    "MATCH (a:Actor) RETURN a.name AS name UNION MATCH (w:WeaponSystem) RETURN w.name AS name",
    "MATCH (a:Actor) CALL { WITH a MATCH (a)-[:SUPPLIED]->(t) RETURN count(t) AS n } RETURN a, n",
    "MATCH (a:Actor) CALL (a) { MATCH (a)-[:SUPPLIED]->(t) RETURN count(t) AS n } RETURN a, n",
    "MATCH (a:Actor) WHERE EXISTS { (a)-[:SUPPLIED]->(:Transfer {status: 'delivered'}) } RETURN a",
    "MATCH (a:Actor) RETURN a, COUNT { (a)-[:SUPPLIED]->() } AS deals, "
    "COLLECT { MATCH (a)-[:CONDUCTED]->(e) RETURN e.title } AS events",
    "MATCH (a:Actor) RETURN [x IN a.aliases WHERE x CONTAINS 'create' | toUpper(x)] AS al",
    "MATCH (t:Transfer) RETURN reduce(total = 0, y IN t.delivered_per_year | total + y) AS sum",
    "MATCH p = (a)-[:SUPPLIED|TO*1..4]-(b) RETURN [(a)-->(x) | x.name] AS names, p",
    "RETURN date.truncate('year', date()), duration.between(date('2022-02-24'), date())",
    "RETURN point.distance(point({latitude: 1, longitude: 2}), point({x: 1, y: 2}))",
    "MATCH (n) RETURN elementId(n), db.nameFromElementId(elementId(n)) LIMIT 1",
    'RETURN \'it\\\'s a CREATE\' AS s, "a \\"DELETE\\" b" AS t',
    "// CREATE (n)\nMATCH (n) /* DETACH DELETE n */ RETURN n // SET",
    "RETURN 'http://example.org/*not a comment*/' AS url",
    'MATCH (n) WHERE n.name CONTAINS "\\u00B0" RETURN n',
    "MATCH (`\\u0043REATE`) RETURN `\\u0043REATE`",
    "MATCH (n:Actor) RETURN n.name;",
    "MATCH (n) RETURN n.x AS x, call, n.call ORDER BY x",
    "MATCH (n) WHERE n.x :: INTEGER RETURN n LIMIT 10 OFFSET 5",
    "MATCH (t:Transfer) WHERE 1.5 < t.tiv_total RETURN t.first_year..t.last_year",
    "",
    "   // nothing to run\n",
]


@pytest.mark.parametrize(("query", "named"), REFUSED)
def test_refused(query: str, named: str) -> None:
    with pytest.raises(ReadOnlyViolation) as caught:
        check_read_only(query)
    message = str(caught.value)
    assert named in message
    assert message.startswith("refused at line ")
    assert message.endswith("the console only runs read queries")
    assert not is_read_only(query)


@pytest.mark.parametrize("query", ALLOWED)
def test_allowed(query: str) -> None:
    check_read_only(query)
    assert is_read_only(query)


def test_enough_cases() -> None:
    assert len(REFUSED) >= 30
    assert len([q for q in ALLOWED if q.strip()]) >= 15


def test_violation_is_a_query_error_with_position() -> None:
    with pytest.raises(QueryError, match=r"^refused at line 3, column 5: DELETE writes"):
        check_read_only("MATCH (n)\nWITH n\n    DELETE n")
    found = find_violation("MATCH (n)\nWITH n\n    DELETE n")
    assert found is not None and (found.line, found.column) == (3, 5)


def test_allow_list_is_case_insensitive_but_exact() -> None:
    assert "db.labels" in ALLOWED_PROCEDURES
    assert is_read_only("CALL DB.LABELS()")
    assert not is_read_only("CALL db.labels.extra()")
    assert not is_read_only("CALL db()")


def test_tokenizer_keeps_strings_names_and_parameters_whole() -> None:
    tokens = tokenize("MATCH (`a b`) WHERE a.x = 'x // y' AND $p = $`q r` // c\nRETURN a$b")
    kinds = [(t.kind, t.text) for t in tokens if t.kind != "punct"]
    assert kinds == [
        (WORD, "MATCH"),
        (NAME, "a b"),
        (WORD, "WHERE"),
        (WORD, "a"),
        (WORD, "x"),
        (STRING, "x // y"),
        (WORD, "AND"),
        (PARAM, "p"),
        (PARAM, "q r"),
        (WORD, "RETURN"),
        (WORD, "a$b"),
    ]


def test_unicode_escape_decoding_follows_java() -> None:
    assert decode_unicode_escapes("M\\u0041TCH") == "MATCH"
    assert decode_unicode_escapes("\\uuu0041") == "A"
    assert decode_unicode_escapes("\\\\u0041") == "\\\\u0041"  # escaped backslash
    assert decode_unicode_escapes("\\\\\\u0041") == "\\\\A"
    assert decode_unicode_escapes("\\u00zz") == "\\u00zz"


def test_a_refusal_carries_its_line_and_column() -> None:
    with pytest.raises(ReadOnlyViolation) as caught:
        check_read_only("MATCH (n)\n  DETACH DELETE n")
    assert (caught.value.line, caught.value.column) == (2, 3)


def test_only_function_calls_are_findings_the_scan_alone_judges() -> None:
    # A plan does not list the functions a query calls; everything else it shows.
    function = find_violation("RETURN apoc.version()")
    assert function is not None and function.kind == FUNCTION
    for query in ("CREATE (n)", "CALL db.createLabel('X')", "LOAD CSV FROM 'x' AS l RETURN l",
                  "SHOW USERS", "RETURN 1; RETURN 2", "RETURN 'open"):
        found = find_violation(query)
        assert found is not None and found.kind == STATEMENT, query


@pytest.mark.parametrize(
    ("query", "planned"),
    [
        ("PROFILE MATCH (n) RETURN n", "EXPLAIN MATCH (n) RETURN n"),
        ("profile\nMATCH (n) RETURN n", "EXPLAIN\nMATCH (n) RETURN n"),
        ("CYPHER runtime=slotted PROFILE RETURN 1", "CYPHER runtime=slotted EXPLAIN RETURN 1"),
        ("CYPHER 5 PROFILE RETURN 1", "CYPHER 5 EXPLAIN RETURN 1"),
        ("// why\nPROFILE RETURN 1", "// why\nEXPLAIN RETURN 1"),
        ("MATCH (profile) RETURN profile", "MATCH (profile) RETURN profile"),
        ("RETURN 'PROFILE' AS p", "RETURN 'PROFILE' AS p"),
        ("EXPLAIN MATCH (n) RETURN n", "EXPLAIN MATCH (n) RETURN n"),
        ("RETURN 'open", "RETURN 'open"),
    ],
)
def test_profile_is_planned_as_explain_in_place(query: str, planned: str) -> None:
    # PROFILE runs the query, so the plan check must not: the word is swapped for
    # EXPLAIN of the same length, keeping every line and column where it was.
    assert statement_to_plan(query) == planned
    assert len(statement_to_plan(query)) == len(query)
