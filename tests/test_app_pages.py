"""The dashboard's Explore, Saved queries and Console pages, run by Streamlit's AppTest
through the router against the seeded test database (seeds + SIPRI)."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from explorer.config import Settings
from explorer.queries import load_catalogue
from tests.apptest import MAIN, assert_clean, clear_caches, open_page, point_app_at, unescaped

REPO = Path(__file__).resolve().parents[1]
APP_QUERIES = REPO / "tests" / "fixtures" / "app_queries"
CATALOGUE = REPO / "cypher" / "queries"


@pytest.fixture
def app_env(
    loaded_graph: object, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    # These pages are tested on a small catalogue of their own (tests/fixtures/app_queries).
    point_app_at(monkeypatch, settings, queries_dir=APP_QUERIES)
    yield
    clear_caches()


def errors(at: AppTest) -> list[str]:
    """The error lines as the user reads them (Markdown escapes removed)."""
    return [unescaped(str(e.value)) for e in at.error]


def frame_text(at: AppTest) -> str:
    return "\n".join(df.value.to_csv(index=False) for df in at.dataframe)


# --------------------------------------------------------------------------- the router


def test_every_page_of_the_router_renders(app_env: None) -> None:
    for page in ("home.py", "explore.py", "saved_queries.py", "console.py"):
        at = open_page(page)
        assert_clean(at)


def test_router_lists_only_existing_pages(tmp_path: Path) -> None:
    from explorer.app.page_table import PAGE_TABLE, available_pages

    # Every page of the table ships, in its section and order.
    shipped = available_pages(Path(MAIN).parent / "app_pages")
    assert [p for pages in shipped.values() for p in pages] == list(PAGE_TABLE)
    # A folder missing pages gives a router without them (and without empty sections).
    for name in ("home.py", "console.py"):
        (tmp_path / name).write_text("", encoding="utf-8")
    partial = available_pages(tmp_path)
    assert {section: [p.file for p in pages] for section, pages in partial.items()} == {
        "Start": ["home.py"], "Query": ["console.py"]}


# --------------------------------------------------------------------------- Explore


def test_explore_draws_the_default_actors(app_env: None) -> None:
    at = open_page("explore.py")
    assert_clean(at)
    assert at.multiselect(key="explore_actors").value == ["north-korea"]
    table = frame_text(at)
    assert "North Korea" in table and "Russia" in table
    assert any("transfers · showing" in c.value for c in at.caption)
    # As the user reads it: the caption escapes Markdown (explorer.app.links.escape_md).
    assert any("SIPRI Arms Transfers Database (c) SIPRI" in unescaped(c.value)
               for c in at.caption)
    assert at.query_params["actors"] == "north-korea"


def test_explore_link_may_name_an_actor_by_alias(app_env: None) -> None:
    at = open_page("explore.py", actors="DPRK", hops="2")
    assert_clean(at)
    assert at.multiselect(key="explore_actors").value == ["north-korea"]
    assert at.segmented_control(key="explore_hops").value == 2


def test_explore_status_filter_changes_the_drawing(app_env: None) -> None:
    at = open_page("explore.py", actors="north-korea")
    everything = at.dataframe[0].value
    at.pills(key="explore_statuses").set_value(["sought"]).run()
    assert_clean(at)
    sought = at.dataframe[0].value
    assert len(sought) < len(everything)
    assert set(sought["status"]) == {"sought"}
    assert at.query_params["status"] == "sought"


def test_explore_expand_adds_the_clicked_actor(app_env: None) -> None:
    at = open_page("explore.py", actors="north-korea")
    # What the graph component reports on a click, as the page receives it.
    at.session_state["explore_selected"] = {
        "id": "x", "entityId": "russia", "label": "Actor", "nonce": "1"}
    at.run()
    assert any("Selected:" in m.value for m in at.markdown)
    expand = next(b for b in at.button if b.label == "Expand neighbours")
    expand.click().run()
    assert_clean(at)
    assert at.multiselect(key="explore_actors").value == ["north-korea", "russia"]


def test_explore_with_no_actor_says_what_to_do(app_env: None) -> None:
    at = open_page("explore.py", actors="north-korea")
    at.multiselect(key="explore_actors").set_value([]).run()
    assert_clean(at)
    assert any("Pick one or more actors" in i.value for i in at.info)


# --------------------------------------------------------------------------- Saved queries


def test_saved_query_from_the_url_is_selected_and_run(app_env: None) -> None:
    at = open_page("saved_queries.py", q="deals_by_year", supplier="Russia", since="2015")
    assert_clean(at)
    assert at.radio(key="saved_query").value == "deals_by_year"
    assert at.number_input(key="saved_p_deals_by_year_since").value == 2015
    years = at.dataframe[0].value["year"]
    assert years.min() >= 2015


def test_saved_query_parameter_change_changes_the_result(app_env: None) -> None:
    at = open_page("saved_queries.py", q="deals_by_year")
    before = at.dataframe[0].value
    at.number_input(key="saved_p_deals_by_year_since").set_value(2020)
    at.button(key="FormSubmitter:saved_form_deals_by_year-Run query").click().run()
    assert_clean(at)
    after = at.dataframe[0].value
    assert len(after) < len(before)
    assert after["year"].min() >= 2020
    assert at.query_params["since"] == "2020"
    assert at.query_params["q"] == "deals_by_year"


def test_saved_query_url_with_out_of_range_value_is_clamped(app_env: None) -> None:
    at = open_page("saved_queries.py", q="deals_by_year", since="1200")
    assert_clean(at)
    assert at.number_input(key="saved_p_deals_by_year_since").value == 1950


def test_saved_query_views(app_env: None) -> None:
    graph = open_page("saved_queries.py", q="transfers_of", actor="DPRK")
    assert_clean(graph)
    assert "Russia" in frame_text(graph)
    events = open_page("saved_queries.py", q="events", since="2024-03")
    assert_clean(events)
    assert "2024-03-30" in frame_text(events)
    places = open_page("saved_queries.py", q="places", kind="city")
    assert_clean(places)
    assert "Pyongyang" in frame_text(places)
    assert "Zaporizhzhia" not in frame_text(places)


def test_saved_query_with_a_required_parameter_waits_for_it(app_env: None) -> None:
    at = open_page("saved_queries.py", q="actors_named")
    assert_clean(at)
    assert any("Fill in text" in i.value for i in at.info)
    at.text_input(key="saved_p_actors_named_text").input("korea")
    at.button(key="FormSubmitter:saved_form_actors_named-Run query").click().run()
    assert_clean(at)
    assert list(at.dataframe[0].value.columns) == ["name", "kind", "aliases"]
    assert "North Korea" in frame_text(at)


def test_saved_query_search_filters_the_catalogue(app_env: None) -> None:
    at = open_page("saved_queries.py")
    at.text_input(key="saved_search").input("timeline").run()
    assert_clean(at)
    assert at.radio(key="saved_query").options[-1] == "Events"


def test_unknown_saved_query_in_the_url_is_a_warning(app_env: None) -> None:
    at = open_page("saved_queries.py", q="no_such_query")
    assert not at.exception
    # As the user reads it: the name is escaped so Markdown cannot act on it.
    assert any("no_such_query" in unescaped(w.value) for w in at.warning)


# The real catalogue: every query must run with its defaults on the seeded graph.
def _real_catalogue() -> list[str]:
    try:
        return sorted(load_catalogue(CATALOGUE))
    except Exception:  # a malformed file fails its own test (test_queries_*), not collection
        return []


_REAL = _real_catalogue()


@pytest.mark.parametrize("name", _REAL)
def test_catalogue_query_renders_with_its_defaults(
    name: str, app_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPLORER_QUERIES_DIR", str(CATALOGUE))
    st.cache_data.clear()
    at = open_page("saved_queries.py", q=name)
    assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="saved_query").value == name
    if not any(i.value.startswith("Fill in") for i in at.info):
        assert not errors(at), errors(at)


# --------------------------------------------------------------------------- Console


def test_console_runs_the_example_as_a_network(app_env: None) -> None:
    at = open_page("console.py")
    assert_clean(at)
    assert [t.label for t in at.tabs] == ["Network", "Table"]
    assert "North Korea" in frame_text(at)


def test_console_refuses_a_write_in_one_line(app_env: None) -> None:
    # The editor is a component AppTest cannot type into: the query comes by link.
    at = open_page("console.py", cypher="CREATE (n:Probe {name: 'x'}) RETURN n")
    assert not at.exception
    assert len(at.error) == 1
    message = errors(at)[0]
    assert "CREATE" in message and "\n" not in message
    assert not at.dataframe


def test_console_table_and_parameters(app_env: None) -> None:
    at = open_page("console.py", cypher="MATCH (a:Actor) WHERE a.id IN $ids "
                   "RETURN a.name AS name ORDER BY name", params='ids=["iran", "russia"]')
    assert_clean(at)
    assert list(at.dataframe[0].value["name"]) == ["Iran", "Russia"]
    assert not at.tabs


def test_console_row_cap_notice(app_env: None) -> None:
    at = open_page("console.py", cypher="UNWIND range(1, 6000) AS i RETURN i")
    assert_clean(at)
    assert any("truncated" in w.value for w in at.warning)
    assert len(at.dataframe[0].value) == 5000


@pytest.mark.parametrize(
    ("cypher", "params", "fragment"),
    [
        ("RETURN $x AS x", "x 1", "name=value"),
        ("RETURN $x AS x", "{not json", "not valid JSON"),
        ("RETURN $x AS x", "", "x"),
        ("MATCH (a:Actor RETURN a", "", "Neo4j cannot read the query at line 1, column 16"),
    ],
)
def test_console_errors_are_one_line(app_env: None, cypher: str, params: str,
                                     fragment: str) -> None:
    at = open_page("console.py", cypher=cypher, **({"params": params} if params else {}))
    assert not at.exception
    assert len(at.error) == 1, errors(at)
    assert fragment in errors(at)[0]
    assert "\n" not in errors(at)[0]


# --------------------------------------------------------------------------- database down


class _Forwarder:
    """A TCP relay to Neo4j that can be cut and restored on the same port, to take
    the database away from a running app and bring it back."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.server: socket.socket | None = None
        self.conns: list[socket.socket] = []

    def start(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(16)
        self.server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self.server is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would not.
            with contextlib.suppress(OSError):
                self.server.shutdown(socket.SHUT_RDWR)
            self.server.close()
            self.server = None
        for conn in self.conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            except OSError:
                pass
        self.conns = []


@pytest.mark.parametrize(
    ("page", "query_params"),
    [("explore.py", {}), ("saved_queries.py", {"q": "deals_by_year"}), ("console.py", {})],
)
def test_database_down_is_one_line_and_the_page_recovers(
    page: str, query_params: dict[str, str], loaded_graph: object, settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    host, port = settings.uri.rsplit("//", 1)[1].rsplit(":", 1)
    relay = _Forwarder((host, int(port)))
    relay.start()
    point_app_at(monkeypatch, settings, uri=f"bolt://127.0.0.1:{relay.port}",
                 queries_dir=APP_QUERIES)
    try:
        at = open_page(page, **query_params)
        assert_clean(at)
        relay.stop()
        st.cache_data.clear()  # what the minute of caching would otherwise hide
        at.run()
        assert not at.exception
        assert len(at.error) == 1, errors(at)
        assert "cannot reach Neo4j" in errors(at)[0]
        assert "explorer db start" in errors(at)[0]
        relay.start()
        at.run()
        assert_clean(at)
    finally:
        relay.stop()
        st.cache_resource.clear()
        st.cache_data.clear()
