"""explorer/resolve.py: one resolver for actor and weapon-system names — the pure
matching without a server, then the same rules against the seeded graph (seeds +
SIPRI) through saved queries, the console and the walkthrough's hand-off."""

from __future__ import annotations

from typing import Any

import pytest

from explorer.db import Database
from explorer.errors import AmbiguousName, ParameterError, QueryError, UnknownName
from explorer.loaders.sipri_parse import read_export
from explorer.queries import load_catalogue
from explorer.resolve import (
    Entity,
    NameTable,
    fetch_names,
    resolve_entity_params,
    resolve_typed,
    split_typed,
    typed_kinds,
)
from explorer.runner import run_console, run_cypher, run_saved, saved_parameters
from explorer.walkthrough.judging import console_text, step_parameters
from explorer.walkthrough.steps import load_steps
from tests.conftest import sipri_test_file

ACTORS = NameTable("actor", [
    Entity("north-korea", "North Korea", ("DPRK", "Democratic People's Republic of Korea")),
    Entity("south-korea", "South Korea"),
    Entity("cote-d-ivoire", "Cote d'Ivoire"),
    Entity("united-states", "United States", ("U.S.",)),
    Entity("ukraine", "Ukraine"),
    Entity("ukraine-rebels", "Ukraine Rebels"),
    # A name that is another actor's alias: the name wins (rule 2 before rule 3).
    Entity("georgia", "Georgia"),
    Entity("georgia-us", "Georgia (US state)", ("Georgia",)),
])
SYSTEMS = NameTable("weapon_system", [
    Entity("ws-shahed-136", "Shahed-136", ("Geran-2",)),
    Entity("ws-shahed-131", "Shahed-131", ("Geran-1",)),
    # Two systems with one designation: a name that cannot pick one.
    Entity("ws-aditya-ship", "Aditya"),
    Entity("ws-aditya-apc", "Aditya"),
])


def lookup(kind: str) -> NameTable:
    return {"actor": ACTORS, "weapon_system": SYSTEMS}[kind]


# --------------------------------------------------------------------------- pure rules


@pytest.mark.parametrize(("typed", "expected"), [
    ("north-korea", "north-korea"),         # an id
    ("North Korea", "north-korea"),         # the name
    ("north korea", "north-korea"),         # case folded
    ("dprk", "north-korea"),                # an alias, case folded
    ("Democratic People's Republic of Korea", "north-korea"),
    ("Cote d'Ivoire", "cote-d-ivoire"),     # as SIPRI spells it
    ("Côte d'Ivoire", "cote-d-ivoire"),     # accents folded
    ("  CÔTE D’IVOIRE ", "cote-d-ivoire"),  # spaces, case, a curly apostrophe
    ("US", "united-states"),                # "U.S." with the punctuation and spaces out
    ("ukraine", "ukraine"),                 # never Ukraine Rebels as well
    ("Georgia", "georgia"),                 # the name beats another's alias
    ("georgia us state", "georgia-us"),
])
def test_one_match_gives_its_id(typed: str, expected: str) -> None:
    assert ACTORS.resolve(typed).id == expected


def test_weapon_systems_resolve_by_alias_and_id() -> None:
    assert SYSTEMS.resolve("Geran-2").id == "ws-shahed-136"
    assert SYSTEMS.resolve("geran 2").id == "ws-shahed-136"
    assert SYSTEMS.resolve("ws-shahed-131").id == "ws-shahed-131"


def test_an_unknown_name_is_named_with_the_closest_one() -> None:
    with pytest.raises(UnknownName) as caught:
        ACTORS.resolve("Nort Korea")
    assert str(caught.value) == ("no actor called 'Nort Korea' — did you mean "
                                 "North Korea (DPRK)?")
    assert [e.id for e in caught.value.candidates] == ["north-korea"]
    with pytest.raises(UnknownName, match=r"no weapon system called 'Shahed-163' "
                                          r"\(parameter 'system'\) — did you mean .*Shahed-1"):
        SYSTEMS.resolve("Shahed-163", where="parameter 'system'")


def test_a_name_like_nothing_says_where_to_search() -> None:
    with pytest.raises(UnknownName, match="nothing has a similar name either; the saved query "
                                          "find_by_name") as caught:
        ACTORS.resolve("Atlantis")
    assert caught.value.candidates == []


def test_an_ambiguous_name_lists_every_candidate_with_its_id() -> None:
    with pytest.raises(AmbiguousName) as caught:
        SYSTEMS.resolve("aditya")
    assert str(caught.value) == ("'aditya' names 2 weapon systems: Aditya (id ws-aditya-apc), "
                                 "Aditya (id ws-aditya-ship) — give one of the ids")
    assert {e.id for e in caught.value.candidates} == {"ws-aditya-apc", "ws-aditya-ship"}
    assert SYSTEMS.resolve("ws-aditya-apc").id == "ws-aditya-apc"


def test_resolution_errors_are_parameter_errors_with_exit_code_2() -> None:
    assert issubclass(UnknownName, ParameterError) and issubclass(AmbiguousName, QueryError)
    assert UnknownName.exit_code == AmbiguousName.exit_code == 2


def test_entity_parameters_resolve_and_nulls_stay_null() -> None:
    params = {"actor": "DPRK", "supplier": None, "system": "Geran-2", "depth": 2,
              "others": ["ukraine", "U.S."]}
    kinds = {"actor": "actor", "supplier": "actor", "system": "weapon_system",
             "others": "actor"}
    assert resolve_entity_params(kinds, params, lookup) == {
        "actor": "north-korea", "supplier": None, "system": "ws-shahed-136", "depth": 2,
        "others": ["ukraine", "united-states"]}


def test_console_values_typed_with_a_prefix_resolve_and_others_pass() -> None:
    assert split_typed("actor:Ukraine") == ("actor", "Ukraine")
    assert split_typed("weapon_system: Geran-2") == ("weapon_system", "Geran-2")
    assert split_typed("Ukraine") is None and split_typed(3) is None
    given = {"recipient": "actor:dprk", "systems": ["weapon_system:Geran-2", "plain"],
             "name": "actor", "year": 2022}
    assert typed_kinds(given) == {"actor", "weapon_system"}
    assert resolve_typed(given, lookup) == {
        "recipient": "north-korea", "systems": ["ws-shahed-136", "plain"], "name": "actor",
        "year": 2022}
    with pytest.raises(UnknownName, match=r"no actor called 'Nort Korea' \(parameter "
                                          r"'recipient'\) — did you mean North Korea"):
        resolve_typed({"recipient": "actor:Nort Korea"}, lookup)
    with pytest.raises(ParameterError, match="typed actor but gives no name"):
        resolve_typed({"recipient": "actor:"}, lookup)


def test_the_walkthrough_hands_the_console_one_typed_line_per_entity() -> None:
    catalogue = load_catalogue()
    step = next(s for s in load_steps() if s.console)
    params = step_parameters(step, catalogue)
    assert params["recipient"] == "actor:Russia"
    assert not any(name.endswith("_key") for name in params)
    text = console_text(params)
    assert "recipient=actor:Russia" in text.splitlines()
    assert "from_year=2022" in text.splitlines()


# --------------------------------------------------------------------------- the graph


@pytest.fixture(scope="module")
def catalogue() -> dict[str, Any]:
    return load_catalogue()


@pytest.mark.parametrize(("typed", "expected"), [
    ("dprk", "north-korea"), ("DPRK", "north-korea"), ("Cote d'Ivoire", "cote-d-ivoire"),
    ("Côte d'Ivoire", "cote-d-ivoire"), ("ukraine", "ukraine"), ("U.S.", "united-states"),
])
def test_the_graph_names_resolve(loaded_graph: Database, typed: str, expected: str) -> None:
    assert fetch_names(loaded_graph, "actor").resolve(typed).id == expected


def test_the_graph_weapon_names_resolve(loaded_graph: Database) -> None:
    systems = fetch_names(loaded_graph, "weapon_system")
    assert systems.resolve("Geran-2").id == systems.resolve("Shahed-136").id == "ws-shahed-136"
    assert systems.resolve("KN-23").id == "ws-hwasong-11"


def test_a_misspelt_actor_stops_the_saved_query_with_a_suggestion(
    loaded_graph: Database, catalogue: dict[str, Any]
) -> None:
    # Before: 0 rows and no word of why — a misspelling read as "no transfers".
    with pytest.raises(UnknownName) as caught:
        run_saved(loaded_graph, catalogue["flows_between"], {"actor": "Nort Korea"})
    message = str(caught.value)
    assert message.startswith("no actor called 'Nort Korea' (parameter 'actor' of query "
                              "'flows_between')")
    assert "did you mean North Korea (DPRK)?" in message


def test_a_misspelt_weapon_system_stops_the_saved_query_with_a_suggestion(
    loaded_graph: Database, catalogue: dict[str, Any]
) -> None:
    with pytest.raises(UnknownName, match=r"no weapon system called 'Shahed-163' .*"
                                          r"did you mean .*Shahed-136"):
        run_saved(loaded_graph, catalogue["weapon_spread"], {"system": "Shahed-163"})


def test_defaults_resolve_and_null_optionals_stay_null(
    loaded_graph: Database, catalogue: dict[str, Any]
) -> None:
    params = saved_parameters(loaded_graph, catalogue["actor_seeks"])
    assert params["actor"] == "north-korea" and params["supplier"] is None
    path = saved_parameters(loaded_graph, catalogue["supply_path"], {"target": "belarus"})
    assert (path["source"], path["target"]) == ("north-korea", "belarus")


def test_an_ambiguous_name_stops_the_saved_query_listing_the_candidates(
    loaded_graph: Database, catalogue: dict[str, Any]
) -> None:
    # The shipped graph has no two actors sharing a name, so the table is given.
    twins = NameTable("actor", [Entity("georgia", "Georgia"), Entity("georgia-2", "Georgia")])
    with pytest.raises(AmbiguousName, match=r"'Georgia' \(parameter 'actor' of query "
                                            r"'flows_between'\) names 2 actors: Georgia "
                                            r"\(id georgia\), Georgia \(id georgia-2\)"):
        run_saved(loaded_graph, catalogue["flows_between"], {"actor": "Georgia"},
                  names=lambda kind: twins)


def us_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if r["supplier"] == "United States"]


def us_deals_with_ukraine_since_2022() -> int:
    """The United States' SIPRI deals with Ukraine delivered (or, undelivered, ordered)
    since 2022, counted in the SIPRI file the graph was loaded from."""
    deals, _ = read_export(sipri_test_file())
    return sum(1 for d in deals if (d.supplier, d.recipient) == ("United States", "Ukraine")
               and (any(y >= 2022 for y in d.delivery_years) if d.delivery_years
                    else (d.order_year or 0) >= 2022))


def check_ukraine_suppliers(rows: list[dict[str, Any]]) -> None:
    """Ukraine's suppliers since 2022, and no row of Russia's merged in: the US row
    counts the US deals with Ukraine and nothing else (SIPRI deals and claims apart,
    docs/reading-results.md)."""
    suppliers = [r["supplier"] for r in rows]
    assert len(suppliers) == len(set(suppliers)), "one row per supplier"
    assert "Iran" not in suppliers and "North Korea" not in suppliers
    (us,) = us_rows(rows)
    assert (us["sipri_deals"], us["claims"]) == (us_deals_with_ukraine_since_2022(), 0)
    # The figures: 5,627.06 from 76 deals, not 5,628.31 from 77 with Russia's
    # one US deal merged in. The shipped extract keeps every US deal with Ukraine and
    # Russia since 2014, so they hold for it and for the full export alike.
    assert (us["tiv"], us["sipri_deals"]) == (5627.06, 76)


def test_lower_case_ukraine_gives_exactly_ukraines_suppliers(
    loaded_graph: Database, catalogue: dict[str, Any]
) -> None:
    query = catalogue["suppliers_of_recipient"]
    named = run_saved(loaded_graph, query, {"recipient": "Ukraine"}).rows
    check_ukraine_suppliers(named)
    for typed in ("ukraine", "UKRAINE", "ukraine "):
        assert run_saved(loaded_graph, query, {"recipient": typed}).rows == named


def test_the_walkthrough_console_hand_off_changed_to_ukraine_gives_ukraines_suppliers(
    loaded_graph: Database, catalogue: dict[str, Any]
) -> None:
    from explorer.app.param_widgets import parse_params_text

    step = next(s for s in load_steps() if s.console)
    query = catalogue[step.query]
    text = console_text(step_parameters(step, catalogue))
    # As handed over: Russia's suppliers, Iran first.
    russia = run_console(loaded_graph, query.cypher, parse_params_text(text)).rows
    assert russia == run_saved(loaded_graph, query, step.params).rows
    assert russia[0]["supplier"] == "Iran"
    # The analyst changes the recipient, as the step suggests (before: Russia's
    # suppliers again for "Ukraine", both countries merged for "ukraine").
    expected = run_saved(loaded_graph, query, {"recipient": "Ukraine", "from_year": "2022"}).rows
    for typed in ("Ukraine", "ukraine"):
        edited = text.replace("recipient=actor:Russia", f"recipient=actor:{typed}")
        rows = run_console(loaded_graph, query.cypher, parse_params_text(edited)).rows
        assert rows == expected
        check_ukraine_suppliers(rows)


def test_the_server_warns_of_an_unknown_label_relationship_type_and_property(
    loaded_graph: Database,
) -> None:
    (label,) = run_cypher(loaded_graph, "MATCH (n:Actr) RETURN n").warnings
    assert label == ("The label `Actr` does not exist. Verify that the spelling is correct "
                     "(line 1, column 10).")
    warnings = run_cypher(loaded_graph, "MATCH (a:Actor)-[:SUPPLIES]->(b) "
                                        "WHERE a.nmae = 'Iran' RETURN b").warnings
    assert any("relationship type `SUPPLIES` does not exist" in w for w in warnings)
    assert any("property `nmae` does not exist" in w for w in warnings)
    assert run_cypher(loaded_graph, "MATCH (n:Actor) RETURN n.name LIMIT 1").warnings == ()


def test_saved_queries_run_without_warnings(loaded_graph: Database,
                                            catalogue: dict[str, Any]) -> None:
    # Optional properties no dataset fills (tiv_total) are not misspellings there.
    for name, query in catalogue.items():
        assert run_saved(loaded_graph, query).warnings == (), name
