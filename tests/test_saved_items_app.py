"""Saving from the dashboard (explorer/app/saving.py), through the router with
AppTest against the real server: a console query and an Explore view are saved,
listed beside the built-in queries and run; bad input says why and saves nothing."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest

from explorer import saved
from explorer.app.links import escape_md
from explorer.db import Database
from tests.apptest import assert_clean, open_page, page_text

QUERY = ("MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer)-[:TO]->(r:Actor {id: $recipient}) "
         "RETURN s.name AS supplier, count(t) AS transfers ORDER BY transfers DESC LIMIT 5")


@pytest.fixture
def library(app_env: None, loaded_graph: Database) -> Iterator[Database]:
    wipe = "MATCH (n:SavedQuery|SavedView) DELETE n"
    loaded_graph.write(lambda tx: tx.run(wipe).consume())
    yield loaded_graph
    loaded_graph.write(lambda tx: tx.run(wipe).consume())


def _save(at, prefix: str, title: str, name: str = "", description: str = ""):
    at.text_input(key=f"{prefix}_title").input(title)
    at.text_input(key=f"{prefix}_name").input(name)
    at.text_area(key=f"{prefix}_description").input(description)
    [button] = [b for b in at.button if b.label == "Save"]
    return button.click().run()


def test_a_console_query_is_saved_listed_and_run_from_saved_queries(library: Database) -> None:
    at = open_page("console.py", cypher=QUERY, params="recipient=actor:Russia")
    assert_clean(at)
    at = _save(at, "console_save", "Russia's suppliers", description="Top five.")
    assert [s.value for s in at.success], "no confirmation after Save"
    assert "russias_suppliers" in at.success[0].value

    [stored] = saved.saved_queries(library)
    assert stored.query is not None
    [param] = stored.query.params
    assert (param.name, param.type, param.default) == ("recipient", "actor", "Russia")

    listed = open_page("saved_queries.py", q="russias_suppliers")
    assert_clean(listed)
    text = page_text(listed)
    assert "Russia's suppliers" in text and "supplier" in text  # run, with its columns
    assert "Saved by the team: 1 query, 0 views" in [e.label for e in listed.expander]


def test_a_team_title_is_listed_as_text_not_markdown(library: Database) -> None:
    title = "**Loud** [a link](http://example.org)"
    at = _save(open_page("console.py", cypher="RETURN 1 AS one"), "console_save", title,
               name="loud")
    assert at.success
    listed = open_page("saved_queries.py", q="loud")
    assert_clean(listed)
    options = listed.radio(key="saved_query").options
    assert escape_md(title) in options and title not in options


def test_a_query_that_writes_is_refused_and_offers_nothing_to_save(library: Database) -> None:
    at = open_page("console.py", cypher="MATCH (a:Actor) SET a.flag = true RETURN a.name")
    assert any("writes" in e.value or "read-only" in e.value for e in at.error), \
        [e.value for e in at.error]
    assert "console_save_title" not in [t.key for t in at.text_input]
    assert saved.saved_queries(library) == []


def test_an_empty_title_is_refused_with_a_message(library: Database) -> None:
    at = open_page("console.py", cypher="MATCH (a:Actor) RETURN a.name AS name LIMIT 3")
    at = _save(at, "console_save", "   ", name="attempt")
    assert any("needs a title" in e.value for e in at.error), [e.value for e in at.error]
    assert saved.saved_queries(library) == []


def test_a_duplicate_name_is_refused_and_the_first_is_kept(library: Database) -> None:
    at = open_page("console.py", cypher="RETURN 1 AS one")
    at = _save(at, "console_save", "One", name="one")
    assert at.success
    at = open_page("console.py", cypher="RETURN 2 AS two")
    at = _save(at, "console_save", "Two", name="one")
    assert any("already exists" in e.value for e in at.error)
    [kept] = saved.saved_queries(library)
    assert kept.query is not None and kept.query.title == "One"


def test_an_explore_view_is_saved_with_its_address_and_listed_with_its_link(
        library: Database) -> None:
    at = open_page("explore.py", actors="russia", hops="2", layout="radial")
    assert_clean(at)
    at = _save(at, "explore_view", "Russia, two hops, radial")
    assert at.success
    [view] = saved.saved_views(library)
    assert view.page == "explore"
    assert dict(p.split("=", 1) for p in view.query.split("&")) == {
        "actors": "russia", "hops": "2", "layout": "radial"}

    listed = open_page("saved_queries.py")
    [link] = [link for link in listed.get("page_link")
              if link.proto.label == "Russia, two hops, radial"]
    assert "explore" in link.proto.page
    assert parse_qs(link.proto.query_string) == parse_qs(view.query)
