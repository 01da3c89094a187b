"""Saved queries and views kept in the graph (explorer/saved.py), against the real
server: what is saved runs and exports like a library file; what is refused
writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from explorer import saved
from explorer.config import data_path
from explorer.db import Database
from explorer.errors import QueryError, QuerySyntaxError, ReadOnlyViolation, ValidationError
from explorer.queries import load_catalogue, parse_query_text
from explorer.runner import run_saved
from explorer.saved import SavedView

CONSOLE_QUERY = """MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer)-[:TO]->(r:Actor {id: $recipient})
WHERE t.first_year >= $since
RETURN s.name AS supplier, count(t) AS transfers
ORDER BY transfers DESC, supplier LIMIT $limit"""


def _saved_nodes(db: Database) -> list[str]:
    return db.read(lambda tx: [r["name"] for r in tx.run(
        "MATCH (n:SavedQuery|SavedView) RETURN n.name AS name ORDER BY name")])


@pytest.fixture
def library(db: Database) -> Iterator[Database]:
    """No saved items before or after: the shared graph's counts stay as loaded."""
    wipe = "MATCH (n:SavedQuery|SavedView) DELETE n"
    db.write(lambda tx: tx.run(wipe).consume())
    yield db
    db.write(lambda tx: tx.run(wipe).consume())


def test_a_console_query_saved_with_its_values_runs_like_a_library_query(
        loaded_graph: Database, library: Database) -> None:
    text = saved.render_query_text(
        "Suppliers of a recipient since a year", "Who supplies whom, counted.",
        CONSOLE_QUERY, {"recipient": "russia", "since": 2000, "limit": 5})
    stored = saved.save_query(library, "suppliers_since", text)
    assert stored.title == "Suppliers of a recipient since a year"
    assert [(p.name, p.type) for p in stored.params] == [
        ("recipient", "string"), ("since", "int"), ("limit", "int")]

    [listed] = saved.saved_queries(library)
    assert listed.problem is None and listed.query is not None
    assert listed.query.cypher == stored.cypher
    result = run_saved(library, listed.query, {"limit": "2"})
    assert 1 <= len(result.rows) <= 2
    assert set(result.rows[0]) == {"supplier", "transfers"}

    # It exports as the file it was saved as, and that file parses identically.
    exported = saved.query_text(library, "suppliers_since")
    assert exported == text
    again = parse_query_text(exported, "suppliers_since")
    assert (again.title, again.params, again.cypher) == (stored.title, stored.params,
                                                         stored.cypher)


def test_a_library_file_imports_under_a_new_name_and_reads_the_same(library: Database) -> None:
    catalogue = load_catalogue()
    original = catalogue["flows_between"]
    text = data_path("cypher", "queries", "flows_between.cypher").read_text(encoding="utf-8")
    saved.save_query(library, "flows_between_copy", text, builtin=catalogue)
    [listed] = saved.saved_queries(library)
    assert listed.query is not None
    assert (listed.query.title, listed.query.params, listed.query.cypher) == (
        original.title, original.params, original.cypher)


@pytest.mark.parametrize(("cypher", "error", "where"), [
    ("MATCH (a:Actor) SET a.name = 'x' RETURN a", ReadOnlyViolation, "SET"),
    ("MATCH (a:Actor) DETACH DELETE a", ReadOnlyViolation, "DELETE"),
    ("CALL db.createLabel('Planted')", ReadOnlyViolation, "createLabel"),
    ("MATCH (a:Actor RETURN a", QuerySyntaxError, "line 1"),
])
def test_a_query_that_writes_or_does_not_parse_is_refused_and_nothing_is_saved(
        library: Database, cypher: str, error: type[Exception], where: str) -> None:
    text = saved.render_query_text("Looks harmless", "", cypher)
    with pytest.raises(error) as raised:
        saved.save_query(library, "harmless", text)
    assert where.lower() in str(raised.value).lower()
    assert _saved_nodes(library) == []


def test_an_empty_title_a_bad_name_and_a_taken_name_are_refused(library: Database) -> None:
    with pytest.raises(ValidationError, match="needs a title"):
        saved.render_query_text("   ", "", "RETURN 1 AS one")
    with pytest.raises(QueryError, match="title"):
        saved.save_query(library, "untitled", "// title: ''\nRETURN 1 AS one\n")
    text = saved.render_query_text("One", "", "RETURN 1 AS one")
    with pytest.raises(ValidationError, match="lower-case letters"):
        saved.save_query(library, "Bad Name!", text)
    with pytest.raises(ValidationError, match="built-in query is already called"):
        saved.save_query(library, "flows_between", text, builtin=load_catalogue())
    assert _saved_nodes(library) == []

    saved.save_query(library, "one", text)
    other = saved.render_query_text("Two", "", "RETURN 2 AS two")
    with pytest.raises(ValidationError, match="already exists"):
        saved.save_query(library, "one", other)
    assert saved.query_text(library, "one") == text  # the first one is untouched
    saved.save_query(library, "one", other, replace=True)
    assert saved.query_text(library, "one") == other
    assert _saved_nodes(library) == ["one"]


def test_a_stored_text_that_no_longer_parses_is_listed_with_its_problem(
        library: Database) -> None:
    library.write(lambda tx: tx.run(
        "CREATE (:SavedQuery {name: 'broken', text: '// title: [unclosed\\nRETURN 1'})").consume())
    [listed] = saved.saved_queries(library)
    assert listed.query is None and listed.problem and "broken" in listed.problem


def test_views_save_list_replace_and_delete(library: Database) -> None:
    query = saved.view_query({"actor": "russia", "depth": 2, "statuses": ["delivered", "sought"],
                              "layout": "radial", "empty": ""})
    assert query == ("actor=russia&depth=2&layout=radial&statuses=delivered&statuses=sought")
    view = saved.save_view(library, SavedView("russia_radial", "Russia, radial", "two hops",
                                              "explore", query))
    [listed] = saved.saved_views(library)
    assert (listed.name, listed.title, listed.description, listed.query) == (
        "russia_radial", "Russia, radial", "two hops", query)
    assert listed.link() == "/explore?" + query == view.link()

    with pytest.raises(ValidationError, match="already exists"):
        saved.save_view(library, SavedView("russia_radial", "Other", "", "explore", ""))
    with pytest.raises(ValidationError, match="needs a title"):
        saved.save_view(library, SavedView("untitled", " ", "", "explore", ""))
    with pytest.raises(ValidationError, match="cannot be saved"):
        saved.save_view(library, SavedView("console_view", "Console", "", "console", ""))
    assert [v.name for v in saved.saved_views(library)] == ["russia_radial"]

    assert saved.delete(library, "view", "russia_radial") is True
    assert saved.delete(library, "view", "russia_radial") is False
    assert saved.saved_views(library) == []


def test_names_come_from_titles() -> None:
    assert saved.name_from_title("Drones to Russia, 2022+") == "drones_to_russia_2022"
    assert saved.name_from_title("2024 strikes") == "q_2024_strikes"
    assert saved.name_from_title("Russia's top suppliers") == "russias_top_suppliers"


# A server of its own, restarted (a minute on 2 cores): with the long checks.
@pytest.mark.reliability
def test_saved_items_survive_a_server_restart(tmp_path) -> None:
    from explorer.config import load_settings
    from explorer.localdb import LocalServer
    from explorer.localdb.server import free_port
    from explorer.schema import apply_schema

    server = LocalServer(tmp_path / "state", port=free_port())
    try:
        server.start()
        settings = load_settings({"EXPLORER_STATE_DIR": str(server.state_dir)})
        with Database(settings) as db:
            apply_schema(db)
            text = saved.render_query_text("One", "", "RETURN $n AS n", {"n": 1})
            saved.save_query(db, "one", text)
            view = saved.save_view(db, SavedView("russia", "Russia", "", "explore",
                                                 "actor=russia&layout=radial"))
        server.stop()
        server.start()
        with Database(settings) as db:
            [query] = saved.saved_queries(db)
            [kept] = saved.saved_views(db)
        assert query.text == text
        assert (kept.name, kept.title, kept.link()) == (view.name, view.title, view.link())
    finally:
        server.stop()


def test_the_cli_imports_lists_runs_exports_and_deletes(library: Database, cli_env, tmp_path
                                                        ) -> None:
    from tests.conftest import invoke_cli

    source = tmp_path / "arrivals_by_year.cypher"
    source.write_text(saved.render_query_text(
        "Arrivals by year", "", "MATCH (t:Transfer)-[:TO]->(:Actor {id: $who})\n"
        "RETURN t.first_year AS year, count(*) AS n ORDER BY year", {"who": "russia"}))
    done = invoke_cli(["saved", "import", str(source)], cli_env)
    assert done.returncode == 0, done.stderr
    assert "saved as 'arrivals_by_year' (Arrivals by year)" in done.stdout

    again = invoke_cli(["saved", "import", str(source)], cli_env)
    assert again.returncode == 2 and "already exists" in again.stderr

    listed = invoke_cli(["saved", "list", "--format", "json"], cli_env)
    data = json.loads(listed.stdout)
    assert [(q["name"], q["params"]) for q in data["queries"]] == [("arrivals_by_year", ["who"])]

    ran = invoke_cli(["query", "run", "arrivals_by_year", "-p", "who=ukraine", "--format",
                      "json"], cli_env)
    assert ran.returncode == 0, ran.stderr

    exported = invoke_cli(["saved", "export", "arrivals_by_year"], cli_env)
    assert exported.stdout == source.read_text()

    writes = tmp_path / "sneaky.cypher"
    writes.write_text("// title: Sneaky\nMATCH (a:Actor) SET a.flag = true RETURN a\n")
    refused = invoke_cli(["saved", "import", str(writes)], cli_env)
    assert refused.returncode == 2
    assert "line 1, column 17: SET writes to the database" in refused.stderr

    gone = invoke_cli(["saved", "delete", "arrivals_by_year"], cli_env)
    assert gone.returncode == 0
    missing = invoke_cli(["saved", "delete", "arrivals_by_year"], cli_env)
    assert missing.returncode == 2 and "no saved query is called" in missing.stderr
    assert _saved_nodes(library) == []


def test_defaults_keep_their_types_so_a_saved_query_answers_as_it_ran() -> None:
    text = saved.render_query_text(
        "Typed", "", "MATCH (t:Transfer) WHERE t.order_year IN $years AND t.tiv_total > $tiv "
        "AND t.status IN $statuses AND t.local_production = $local RETURN count(t) AS n",
        {"years": [2022, 2023], "tiv": 1.5, "statuses": ["delivered", "sought"],
         "local": False})
    query = parse_query_text(text, "typed")
    typed = {p.name: (p.type, p.default) for p in query.params}
    assert typed == {"years": ("list[int]", (2022, 2023)), "tiv": ("float", 1.5),
                     "statuses": ("list", ("delivered", "sought")), "local": ("bool", False)}


@pytest.mark.parametrize("value", [{"k": 1}, [{"k": 1}], [[1, 2]], [True, False]])
def test_a_default_with_no_header_type_is_refused(value: object) -> None:
    with pytest.raises(ValidationError, match="cannot be saved as a default"):
        saved.render_query_text("Odd", "", "RETURN $x AS x", {"x": value})


def test_the_server_decides_what_is_read_only_as_in_the_console(library: Database) -> None:
    # The keyword scan alone would refuse `drop` as an alias; the server plans a read.
    text = saved.render_query_text(
        "Names", "", "MATCH (a:Actor) WITH a.name AS drop RETURN drop LIMIT 1")
    saved.save_query(library, "names", text)
    [listed] = saved.saved_queries(library)
    assert listed.problem is None and listed.query is not None
