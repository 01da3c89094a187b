"""The search box's engine (explorer/page_queries/search.py) against the real server with the
seeds and the full SIPRI export loaded, and the full-text indexes it needs."""

from __future__ import annotations

import pytest

from explorer.db import Database
from explorer.errors import ParameterError
from explorer.loaders.sipri_loader import load_sipri
from explorer.page_queries.search import (
    QUOTE_KIND,
    WEAPON_PAGE,
    EmptySearch,
    escape_lucene,
    lucene_query,
    search,
    snippet,
)
from explorer.schema import apply_schema, missing_schema, schema_names
from tests.conftest import SIPRI_EXTRACT, invoke_cli

# --------------------------------------------------------------------------- pure parts


def test_lucene_syntax_in_user_text_is_escaped() -> None:
    assert escape_lucene('a(b) "c" x:y [1 TO 2] ~^*?\\/!+-&|{}') == (
        'a\\(b\\) \\"c\\" x\\:y \\[1 TO 2\\] \\~\\^\\*\\?\\\\\\/\\!\\+\\-\\&\\|\\{\\}'
    )
    # The query is built from words only, lower-cased, so AND/OR/NOT are words too.
    assert lucene_query("Geran-2") == '"geran 2"^4 OR (geran AND 2*)'
    assert lucene_query("NOT") == "not^4 OR not*"


@pytest.mark.parametrize("text", ["", "   ", '"', "(", "-- !! ??", None])
def test_a_search_without_a_word_is_a_clear_error(text: str | None) -> None:
    with pytest.raises(EmptySearch) as caught:
        lucene_query(text)
    assert isinstance(caught.value, ParameterError)  # exit 2 in a CLI, a warning in the app
    assert "type a name, alias or words from a quote" in str(caught.value)
    if text and text.strip():
        assert f"“{text.strip()}” has no letters or digits" in str(caught.value)


def test_snippet_is_cut_around_the_match() -> None:
    long = "word " * 60 + "the range is about 900 km (560 miles) " + "tail " * 60
    cut = snippet(long, ["900", "km"], width=80)
    assert "900 km" in cut and cut.startswith("…") and cut.endswith("…")
    assert len(cut) <= 82
    assert snippet("short text", ["x"]) == "short text"


# --------------------------------------------------------------------------- the indexes


def test_schema_declares_the_search_indexes() -> None:
    assert {"text_search", "quote_search"} <= schema_names()


def test_an_existing_database_gets_the_indexes_and_applying_twice_changes_nothing(
    db: Database,
) -> None:
    def indexes() -> set[str]:
        return db.read(lambda tx: {r["name"] for r in tx.run("SHOW INDEXES YIELD name")})

    # A database made before the search existed: the indexes are not there yet.
    for name in ("text_search", "quote_search"):
        db.write(lambda tx, n=name: tx.run(f"DROP INDEX {n} IF EXISTS").consume())
    assert {"text_search", "quote_search"} <= missing_schema(db)
    apply_schema(db)
    first = indexes()
    assert {"text_search", "quote_search"} <= first
    apply_schema(db)
    assert indexes() == first
    assert not missing_schema(db)


def test_db_init_adds_the_search_index_to_an_existing_database(
    db: Database, cli_env: dict[str, str]
) -> None:
    db.write(lambda tx: tx.run("DROP INDEX quote_search IF EXISTS").consume())
    done = invoke_cli(["db", "init"], cli_env)
    assert done.returncode == 0, done.stderr
    assert "quote_search" not in missing_schema(db)


# --------------------------------------------------------------------------- searching


def test_900_km_finds_the_range_quote_and_leads_to_the_missile(loaded_graph: Database) -> None:
    hits = search(loaded_graph, "900 km")
    top = hits[0]
    assert top.kind == QUOTE_KIND
    assert "about 900 km (560 miles)" in top.snippet
    assert top.id == "ws-kp-ballistic-missile" and top.about == "weapon system"
    assert top.name == "North Korean ballistic missile"
    assert top.target is not None and top.target.page == WEAPON_PAGE
    assert dict(top.target.params) == {"system": "ws-kp-ballistic-missile"}
    assert "North Korea’s Role in Ukraine" in (top.source or "")


def test_an_alias_finds_the_system(loaded_graph: Database) -> None:
    top = search(loaded_graph, "Geran-2")[0]
    assert (top.kind, top.id, top.name) == ("weapon system", "ws-shahed-136", "Shahed-136")
    assert top.field == "aliases" and top.snippet == "Geran-2"
    assert dict(top.target.params) == {"system": "ws-shahed-136"}


def test_the_articles_spelling_finds_the_place(loaded_graph: Database) -> None:
    hits = search(loaded_graph, "Zaporizhia")
    top = hits[0]
    assert (top.kind, top.id, top.name) == ("place", "pl-zaporizhzhia-region",
                                            "Zaporizhzhia region")
    assert top.target.page == "map" and dict(top.target.params) == {
        "place": "pl-zaporizhzhia-region"}
    # The strike that landed there is found through its quote and leads to the Timeline.
    strike = next(h for h in hits if h.id == "ev-2023-12-30-north-korean-missile-strike")
    assert strike.target.page == "timeline"


def test_a_name_ranks_the_thing_before_sipri_records(loaded_graph: Database) -> None:
    hits = search(loaded_graph, "Shahed-136", limit=10)
    assert hits[0].id == "ws-shahed-136" and hits[0].kind == "weapon system"
    sipri = [h for h in hits if "(SIPRI deal)" in h.name]
    assert sipri, "the SIPRI deals of Shahed-136 are found too"
    assert hits.index(sipri[0]) > 0
    # A deal is named by its flow and leads to its system's profile.
    assert any(h.name == "Iran → Russia: Shahed-136 (SIPRI deal)" for h in sipri)
    assert all(dict(h.target.params) == {"system": "ws-shahed-136"} for h in sipri)


def test_actor_and_source_hits_lead_to_their_pages(loaded_graph: Database) -> None:
    hits = search(loaded_graph, "Kirby")
    kirby = next(h for h in hits if h.kind == "actor")
    assert kirby.id == "john-kirby" and kirby.target.page == "actor"
    source = next(h for h in hits if h.kind == "source")
    assert source.target.page == "sources"
    assert dict(source.target.params) == {"source": source.id}


@pytest.mark.parametrize("text", [
    '"', "(", "a(b", "x:y", "\\", "AND", "OR NOT", "*", "~", "[1 TO 2]", "/regex/", "&&",
    "||", "^2", '"900 km', "Geran-2)", "Shahed-136*", "Zaporizhia~", "{", "?",
])
def test_special_characters_never_raise_a_server_error(loaded_graph: Database,
                                                       text: str) -> None:
    try:
        hits = search(loaded_graph, text)
    except EmptySearch:
        return
    assert isinstance(hits, list)


def test_limit_is_respected(loaded_graph: Database) -> None:
    assert len(search(loaded_graph, "missile", limit=5)) == 5


def test_nothing_found_is_an_empty_list(loaded_graph: Database) -> None:
    assert search(loaded_graph, "qqqzzzxxy") == []


# --------------------------------------------------------------------------- consistency


def _fulltext_options(db: Database) -> dict[str, bool]:
    return db.read(lambda tx: {
        r["name"]: r["options"]["indexConfig"]["fulltext.eventually_consistent"]
        for r in tx.run("SHOW FULLTEXT INDEXES YIELD name, options RETURN name, options")})


def test_a_search_index_made_before_it_was_eventually_consistent_is_remade(db: Database) -> None:
    # A database from before the option: the same name, committed synchronously.
    db.write(lambda tx: tx.run("DROP INDEX text_search IF EXISTS").consume())
    db.write(lambda tx: tx.run(
        "CREATE FULLTEXT INDEX text_search FOR (n:Actor|WeaponSystem|WeaponClass|Place|Event|"
        "Source|Transfer) ON EACH [n.name, n.aliases, n.title, n.description, n.comments]"
    ).consume())
    assert _fulltext_options(db)["text_search"] is False
    assert "text_search" in missing_schema(db)
    apply_schema(db)
    assert _fulltext_options(db) == {
        "name_search": True, "text_search": True, "quote_search": True}
    assert not missing_schema(db)


def test_a_search_right_after_a_sipri_load_finds_its_last_batch(clean_db: Database) -> None:
    # The indexes catch up in the background; the load waits for them before it returns.
    load_sipri(clean_db, SIPRI_EXTRACT, batch_size=200)
    hits = search(clean_db, "Mugin-5")
    assert [(h.kind, h.name) for h in hits][:1] == [("weapon system", "Mugin-5")]
