"""The saved-query library: every .cypher file parses, EXPLAINs and answers with
the rows an analyst expects on the seeds plus SIPRI (golden answers derived
from the seed YAML and the SIPRI file itself)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from explorer.bench.queries import percentile
from explorer.db import Database
from explorer.errors import QueryError
from explorer.loaders.seeds import load_seed_bundle
from explorer.loaders.sipri_parse import read_export
from explorer.loaders.sipri_records import SipriDeal
from explorer.names import name_key
from explorer.queries import (
    catalogue_problems,
    convert_params,
    load_catalogue,
    parse_query_text,
)
from explorer.runner import run_saved
from tests.conftest import graph_counts, sipri_test_file

CATALOGUE = load_catalogue()

# The questions the library must answer (docs/queries.md, "The saved-query library").
REQUIRED = {
    "actor_neighbourhood", "suppliers_of_recipient", "flows_between", "actor_seeks",
    "supply_to_use", "pair_timeline", "top_suppliers_recipients", "new_relationships",
    "weapon_spread", "intermediaries", "supply_path", "provenance", "claims_vs_records",
    "graph_overview", "map_places", "actor_profile",
}

KIRBY_SEEKS = (
    "According to Kirby, North Korea reportedly seeks fighter jets, ground-to-air missiles, "
    "armored vehicles, ballistic missile production equipment and materials, and other "
    "advanced technologies in exchange for its support to Russia."
)
SOUGHT_BY_NORTH_KOREA = {
    "t-ru-kp-fighter-jets", "t-ru-kp-ground-to-air-missiles", "t-ru-kp-armored-vehicles",
    "t-ru-kp-ballistic-missile-production-equipment", "t-ru-kp-materials",
    "t-ru-kp-advanced-technologies", "t-ru-kp-icbm-range-accuracy-help",
}
SEED_NK_RU = {"t-kp-ru-ballistic-missiles", "t-kp-ru-ballistic-missile-launchers"}
SEED_RU_NK = SOUGHT_BY_NORTH_KOREA | {"t-ru-kp-advanced-missile-system-help"}


def run(db: Database, name: str, **params: Any) -> list[dict[str, Any]]:
    return run_saved(db, CATALOGUE[name], params).rows


@pytest.fixture(scope="module")
def deals() -> list[SipriDeal]:
    """The SIPRI deals the test graph was loaded from, parsed independently of it."""
    parsed, _ = read_export(sipri_test_file())
    return parsed


def deliveries(deals: list[SipriDeal]) -> Iterator[tuple[SipriDeal, int, float]]:
    """(deal, year, tiv) for every delivery with a TIV."""
    for deal in deals:
        for d in deal.deliveries:
            if d.year is not None and d.tiv is not None:
                yield deal, d.year, d.tiv


# --- the catalogue itself ----------------------------------------------------------------


def test_catalogue_has_no_problems_and_answers_every_required_question() -> None:
    assert catalogue_problems() == []
    assert set(CATALOGUE) >= REQUIRED, sorted(REQUIRED - set(CATALOGUE))


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_query_is_documented_and_its_defaults_convert(name: str) -> None:
    query = CATALOGUE[name]
    assert query.title and query.title != name
    assert len(query.description) > 60, "say what question the query answers"
    assert query.tags
    for param in query.params:
        assert param.help, f"{name}: parameter {param.name} has no help"
    params = convert_params(query, {})
    assert set(params) >= set(query.param_names)


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_query_explains_with_its_defaults_and_returns_its_view_columns(
    db: Database, name: str
) -> None:
    query = CATALOGUE[name]
    params = convert_params(query, {})

    def explain(tx: Any) -> list[str]:
        result = tx.run("EXPLAIN " + query.cypher, params)
        keys = list(result.keys())
        result.consume()
        return keys

    keys = db.read(explain)
    assert query.view.missing_columns(keys) == [], f"{name}: view names missing columns"
    for param in query.params:
        if param.choices_query:
            db.read(lambda tx, q=param.choices_query: tx.run("EXPLAIN " + q).consume())


def test_a_help_text_cannot_run_on_without_an_attribute() -> None:
    # Real failure: a long help wrapped inside braces, where a comma starts a new key.
    text = ("// title: t\n// params:\n"
            "//   a: {type: bool, default: true, help: also link systems through their\n"
            "//     classes, not only the same system}\nRETURN $a")
    with pytest.raises(QueryError, match=r":4: unknown attribute 'not only the same system' "
                                         r"of parameter 'a'"):
        parse_query_text(text, "x")


def test_no_query_takes_a_derived_key_twin() -> None:
    # An actor parameter travels as the resolved id alone: $actor_key is gone, so a
    # body that still uses it is refused instead of silently matching a second actor.
    text = ("// title: t\n// params:\n//   actor: {type: actor}\nMATCH (a:Actor)\n"
            "WHERE a.id = $actor OR a.name_key = $actor_key\n")
    with pytest.raises(QueryError, match=r":5: the query uses \$actor_key but the header"):
        parse_query_text(text + "RETURN a", "x")
    for query in CATALOGUE.values():
        assert not any(name.endswith("_key") for name in convert_params(query, {})), query.name


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([3.0, 1.0, 2.0, 4.0], 50) == 2.5
    assert percentile([1.0], 95) == 1.0
    assert percentile(list(map(float, range(1, 101))), 95) == pytest.approx(95.05)


# --- golden answers on seeds + SIPRI ----------------------------------------------------


def test_what_north_korea_seeks_is_kirbys_six_items_and_the_nyt_icbm_help(
    loaded_graph: Database,
) -> None:
    rows = run(loaded_graph, "actor_seeks")
    assert {r["transfer"] for r in rows} == SOUGHT_BY_NORTH_KOREA
    assert len(rows) == 7 and {r["supplier"] for r in rows} == {"Russia"}
    kirby = [r for r in rows if r["quote"] == KIRBY_SEEKS]
    assert len(kirby) == 6 and {r["attributed_to"] for r in kirby} == {"John Kirby"}
    # The article prints "April 4" without a year: the as-of says it was inferred.
    assert {(r["as_of"], r["confidence"]) for r in kirby} == {
        ("2024-04-04 (year inferred)", "reported")}
    (nyt,) = [r for r in rows if r["quote"] != KIRBY_SEEKS]
    assert nyt["transfer"] == "t-ru-kp-icbm-range-accuracy-help"
    assert "The New York Times" in nyt["attributed_to"]
    assert nyt["as_of"] == "2024-04 (year inferred)"
    # An alias finds the same actor; considered adds Russia's weighing of missile help.
    assert run(loaded_graph, "actor_seeks", actor="DPRK") == rows
    wider = run(loaded_graph, "actor_seeks", statuses="sought, considered", supplier="Russia")
    assert {r["transfer"] for r in wider} == SEED_RU_NK
    # Russia asks Iran for missile systems: the supplier is still Iran.
    assert [r["transfer"] for r in run(loaded_graph, "actor_seeks", actor="Russia")] == [
        "t-ir-ru-missile-systems"
    ]


def test_flows_between_north_korea_and_russia_both_ways(
    loaded_graph: Database, deals: list[SipriDeal]
) -> None:
    rows = run(loaded_graph, "flows_between")
    ids = [r["transfer"] for r in rows]
    nk_ru = {d.id for d in deals if (d.supplier, d.recipient) == ("North Korea", "Russia")}
    ru_nk = {d.id for d in deals if (d.supplier, d.recipient) == ("Russia", "North Korea")}
    assert "sipri-67145" in nk_ru
    assert set(ids) == nk_ru | ru_nk | SEED_NK_RU | SEED_RU_NK
    # Side by side: North Korea -> Russia first, then what flows back.
    directions = [r["direction"] for r in rows]
    split = directions.index("Russia → North Korea")
    assert set(directions[:split]) == {"North Korea → Russia"}
    assert set(directions[split:]) == {"Russia → North Korea"}
    hwasong = rows[ids.index("sipri-67145")]
    assert hwasong["system"] == ["Hwasong-11"] and hwasong["years"] == "2023–2024"
    assert hwasong["classes"] == ["short-range ballistic missile"]
    sought = [r for r in rows if r["status"] == "sought"]
    assert {r["transfer"] for r in sought} == SOUGHT_BY_NORTH_KOREA
    missiles = rows[ids.index("t-kp-ru-ballistic-missiles")]
    assert missiles["quantity"] == "dozens" and missiles["statements"] == 2
    assert missiles["as_of"] == "2024-04-04 (year inferred)"
    assert missiles["confidence"] == "assessed"


def test_supply_to_use_links_north_korean_missiles_to_strikes_in_ukraine(
    loaded_graph: Database,
) -> None:
    rows = run(loaded_graph, "supply_to_use", supplier="North Korea")
    by_transfer = defaultdict(set)
    for r in rows:
        by_transfer[r["transfer"]].add(r["event"])
        assert (r["supplier"], r["recipient"], r["target"]) == ("North Korea", "Russia", "Ukraine")
    strikes = {
        "North Korean ballistic missile lands in an open field in the Zaporizhzhia region",
        "Russia uses multiple North Korean ballistic missiles in night raids on Ukraine",
        "Russia fires a North Korean ballistic missile at Ukraine",
        "Missile launched on April 2, its impact under evaluation",
    }
    # The article's missiles are the very system used; SIPRI's Hwasong-11 meets them
    # through the taxonomy (a short-range ballistic missile is a ballistic missile).
    assert strikes <= by_transfer["t-kp-ru-ballistic-missiles"]
    assert strikes <= by_transfer["sipri-67145"]
    # "December 30 last year": the year is inferred, and the date says so.
    dec30 = [r for r in rows if r["transfer"] == "sipri-67145"
             and r["date"] == "2023-12-30 (year inferred)"]
    assert len(dec30) == 1
    assert dec30[0]["place"] == "Zaporizhzhia region" and dec30[0]["class_steps"] == 1
    assert dec30[0]["link"] == (
        "supplied short-range ballistic missile is a kind of ballistic missile"
    )
    same = [r for r in rows if r["transfer"] == "t-kp-ru-ballistic-missiles"]
    assert {r["link"] for r in same if r["event"] in strikes} == {"same system"}
    # Launchers and artillery were not used in any recorded event.
    assert "t-kp-ru-ballistic-missile-launchers" not in by_transfer
    assert "sipri-68227" not in by_transfer
    # Without a supplier filter, Iranian drones meet the drone strikes, but Iranian
    # Fath-360s are never taken for the North Korean missiles of a strike.
    everyone = run(loaded_graph, "supply_to_use")
    assert any(r["system_supplied"] == "Shahed-136" and r["supplier"] == "Iran" for r in everyone)
    assert not any(r["supplier"] == "Iran" and r["system_used"] == "North Korean ballistic missile"
                   for r in everyone)
    only_same = run(loaded_graph, "supply_to_use", supplier="DPRK", class_links="false")
    assert {r["link"] for r in only_same} == {"same system"}


def test_claims_against_records_give_verdicts_with_reasons(loaded_graph: Database) -> None:
    # The verdict rules have their own tests (tests/test_verdicts.py); here the seed
    # story's headline pairs.
    rows = run(loaded_graph, "claims_vs_records")
    pairs = {(r["claim"], r["record"]): r for r in rows}
    # April 2024: "Iran hasn't supplied short-range ballistic missiles to Russia"
    # against SIPRI's Fath-360 deliveries of 2024: the same year, so the order of
    # the two is unknown (SIPRI gives years only) — not a contradiction.
    fath = pairs[("t-ir-ru-short-range-ballistic-missiles", "sipri-67926")]
    assert fath["verdict"] == "timing_unclear"
    assert (fath["claim_status"], fath["record_system"]) == ("not_supplied", "Fath-360")
    assert (fath["match_level"], fath["time_relation"]) == ("same_class", "same_year")
    assert fath["shared_class"] == "short-range ballistic missile"
    assert fath["record_years"] == "ordered 2023, delivered 2024"
    assert "before or after it is unknown" in fath["reason"]
    # The article's North Korean missiles against SIPRI's Hwasong-11 records.
    hwasong = pairs[("t-kp-ru-ballistic-missiles", "sipri-67145")]
    assert hwasong["verdict"] == "corroborates"
    assert hwasong["shared_class"] == "ballistic missile"
    assert hwasong["record_years"] == "ordered 2023, delivered 2023–2024"
    # Iranian drones against Shahed-136 deliveries.
    assert pairs[("t-ir-ru-drones", "sipri-65539")]["verdict"] == "corroborates"
    # Corroborations come first (nothing contradicts); verdicts are a closed vocabulary.
    assert rows[0]["verdict"] == "corroborates"
    assert {r["verdict"] for r in rows} <= {
        "corroborates", "contradicts", "timing_unclear", "later_record", "request_met",
        "earlier_record", "order_only", "broad_match"}
    unmatched = run(loaded_graph, "claims_vs_records", unmatched="true", supplier="russia")
    assert {r["claim"] for r in unmatched if r["verdict"] == "no_record"} >= {
        "t-ru-kp-fighter-jets", "t-ru-kp-icbm-range-accuracy-help",
        "t-ru-kp-armored-vehicles",
    }


def test_weapon_spread_of_shahed_136_resolves_name_alias_and_id(
    loaded_graph: Database, deals: list[SipriDeal]
) -> None:
    expected = {(d.supplier, d.recipient, d.id) for d in deals if d.system_name == "Shahed-136"}
    rows = run(loaded_graph, "weapon_spread")
    assert {(r["supplier"], r["recipient"], r["transfer"]) for r in rows} == expected
    assert ("Iran", "Russia", "sipri-65539") in expected
    assert run(loaded_graph, "weapon_spread", system="Geran-2") == rows
    assert run(loaded_graph, "weapon_spread", system="ws-shahed-136") == rows
    wider = run(loaded_graph, "weapon_spread", same_class="yes")
    assert {r["system"] for r in wider} >= {"Shahed-136", "Shahed-131"}


def test_intermediaries_through_iran_match_the_sipri_file(
    loaded_graph: Database, deals: list[SipriDeal]
) -> None:
    passed = [d for d in deals if d.supplier == "Iran"]
    received = [d for d in deals if d.recipient == "Iran" and d.deliveries]
    expected = {
        (r.id, p.id)
        for p in passed for r in received
        if r.system_name == p.system_name and r.supplier != p.recipient
        and (r.first_year is None or p.last_year is None or r.first_year <= p.last_year)
    }
    rows = run(loaded_graph, "intermediaries")
    assert {(r["received_transfer"], r["passed_transfer"]) for r in rows} == expected
    for r in rows:
        assert r["via"] == "Iran" and r["received"] == r["passed_on"]
        assert r["plausibility"] in (
            "received first", "received and passed on in overlapping years"
        )


def test_intermediaries_by_class_link_only_systems_of_one_kind(
    loaded_graph: Database, deals: list[SipriDeal]
) -> None:
    """Artillery gathers towed guns, rocket launchers and mortars: a class match
    through it must not turn a towed gun received into a rocket launcher passed on."""
    described = {d.system_name: name_key(d.description or "") for d in deals}
    broad = {c.name for c in load_seed_bundle().weapon_classes
             if len(c.sipri_descriptions) > 1}
    assert "artillery" in broad
    rows = run(loaded_graph, "intermediaries", match_on="class")
    linked = [r for r in rows if r["received"] != r["passed_on"]]
    assert linked, "class matching finds no chain at all"
    for r in linked:
        if r["shared"] in broad and r["received"] in described \
                and r["passed_on"] in described:
            assert described[r["received"]] == described[r["passed_on"]], r
    # The chain the first build reported: Russia's D-30 guns "passed on" as Fajr-5s.
    assert not any(r["received"].startswith("D-30") and r["passed_on"] == "Fajr-5"
                   for r in rows)


def test_top_suppliers_and_recipients_by_tiv_match_the_sipri_file(
    loaded_graph: Database, deals: list[SipriDeal]
) -> None:
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for deal, year, tiv in deliveries(deals):
        if 2020 <= year <= 2025:
            totals[("supplier", deal.supplier)] += tiv
            totals[("recipient", deal.recipient)] += tiv
    rows = run(loaded_graph, "top_suppliers_recipients")
    assert [r["rank"] for r in rows if r["role"] == "supplier"] == list(range(1, 11))
    for role in ("supplier", "recipient"):
        ranked = sorted((v, k[1]) for k, v in totals.items() if k[0] == role)[::-1][:5]
        got = [(r["tiv"], r["actor"]) for r in rows if r["role"] == role][:5]
        assert [name for _, name in got] == [name for _, name in ranked]
        for (tiv, _), (expected, _) in zip(got, ranked, strict=True):
            assert tiv == pytest.approx(expected, rel=0.005)
    only = run(loaded_graph, "top_suppliers_recipients", role="recipient", top=3)
    assert [r["role"] for r in only] == ["recipient"] * 3


def test_suppliers_of_russia_since_2022_with_quantities_and_tiv(
    loaded_graph: Database, deals: list[SipriDeal]
) -> None:
    tiv: dict[str, float] = defaultdict(float)
    for deal, year, value in deliveries(deals):
        if deal.recipient == "Russia" and year >= 2022:
            tiv[deal.supplier] += value
    rows = run(loaded_graph, "suppliers_of_recipient", recipient="Russia")
    got = {r["supplier"]: r for r in rows}
    assert set(got) == set(tiv)
    for supplier, value in tiv.items():
        assert got[supplier]["tiv"] == pytest.approx(value, abs=0.05)
    # Seed claims count too (without TIV): the article's missiles and drones.
    assert "North Korean ballistic missile" in got["North Korea"]["systems"]
    assert {"Shahed-136", "Fath-360", "Iranian drone"} <= set(got["Iran"]["systems"])
    # Numbers per system, never one sum of missiles and artillery (the old
    # "quantity" added them): Hwasong-11: 5 in 2023 and 95 in 2024; M-1978: 10 in 2024.
    numbers: dict[str, int] = defaultdict(int)
    for deal in deals:
        if (deal.supplier, deal.recipient) == ("North Korea", "Russia"):
            for d in deal.deliveries:
                if d.year is not None and d.year >= 2022 and d.quantity is not None:
                    numbers[deal.system_name] += d.quantity
    assert got["North Korea"]["quantity_by_system"] == sorted(
        f"{name}: {n}" for name, n in numbers.items())
    assert "quantity" not in got["North Korea"]
    missiles = run(loaded_graph, "suppliers_of_recipient", recipient="Russia",
                   category="missiles")
    assert {tuple(r["categories"]) for r in missiles} == {("Missiles",)}


def claims_only_pairs_since(sipri_first: dict[tuple[str, str], int],
                            since: int) -> set[tuple[str, str]]:
    """Seed pairs with no SIPRI delivery year whose earliest statement is in or after
    ``since`` (default statuses of new_relationships: all but not_supplied/withheld)."""
    bundle = load_seed_bundle()
    names = {a.id: a.name for a in bundle.actors}
    earliest: dict[tuple[str, str], int] = {}
    for t in bundle.transfers:
        if t.status in ("not_supplied", "withheld") or t.first_year is not None:
            continue
        pair = (names[t.supplier], names[t.recipient])
        year = min(int(str(ev.as_of.value)[:4]) for ev in t.evidence)
        earliest[pair] = min(earliest.get(pair, year), year)
    return {pair for pair, year in earliest.items()
            if year >= since and pair not in sipri_first}


def test_new_relationships_since_2022(loaded_graph: Database, deals: list[SipriDeal]) -> None:
    first: dict[tuple[str, str], int] = {}
    for d in deals:
        if d.first_year is not None:
            key = (d.supplier, d.recipient)
            first[key] = min(first.get(key, d.first_year), d.first_year)
    expected = {k for k, year in first.items() if year >= 2022}
    # A pair known only from claims starts at its earliest statement (the query's
    # description). Which pairs those are depends on the SIPRI file loaded: with the
    # shipped extract (deliveries since 2014) Russia -> North Korea has no SIPRI record.
    expected |= claims_only_pairs_since(first, 2022)
    rows = run(loaded_graph, "new_relationships")
    assert {(r["supplier"], r["recipient"]) for r in rows} == expected
    by_pair = {(r["supplier"], r["recipient"]): r for r in rows}
    assert by_pair[("North Korea", "Russia")]["first_year"] == 2023
    assert "Hwasong-11" in by_pair[("North Korea", "Russia")]["systems"]
    assert by_pair[("Iran", "Russia")]["first_year"] == 2022
    assert all(r["first_year"] >= 2022 for r in rows)


def test_actor_neighbourhood_is_every_pair_around_the_actor(
    loaded_graph: Database, deals: list[SipriDeal]
) -> None:
    expected = {(d.supplier, d.recipient) for d in deals
                if "North Korea" in (d.supplier, d.recipient)}
    expected.add(("Russia", "North Korea"))
    rows = run(loaded_graph, "actor_neighbourhood")
    pairs = {(r["supplier"]["properties"]["name"], r["recipient"]["properties"]["name"])
             for r in rows}
    assert pairs == expected
    link = next(r["link"] for r in rows
                if r["supplier"]["properties"]["id"] == "russia"
                and r["recipient"]["properties"]["id"] == "north-korea")
    assert link["type"] == "TRANSFERS_TO" and "sought" in link["properties"]["statuses"]
    # Two hops reach the partners' partners; claims-only filters keep claim pairs.
    wider = run(loaded_graph, "actor_neighbourhood", depth=2)
    assert len(wider) > len(rows)
    sought = run(loaded_graph, "actor_neighbourhood", statuses="sought")
    assert {r["supplier"]["properties"]["id"] for r in sought} == {"russia"}


def test_pair_timeline_is_in_date_order_with_transfers_events_and_claims(
    loaded_graph: Database,
) -> None:
    rows = run(loaded_graph, "pair_timeline")
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates)
    assert {r["kind"] for r in rows} == {"transfer", "event", "claim"}
    items = {r["item"] for r in rows}
    assert {"sipri-67145", "ev-2023-12-30-north-korean-missile-strike",
            "t-ru-kp-fighter-jets"} <= items
    hwasong = next(r for r in rows if r["item"] == "sipri-67145")
    assert (hwasong["date"], hwasong["end"]) == ("2023", "2024")
    kirby = [r for r in rows if r["kind"] == "claim" and KIRBY_SEEKS in r["label"]]
    assert len(kirby) == 1
    assert kirby[0]["label"].endswith("(6 transfers) [2024-04-04 (year inferred)]")
    recent = run(loaded_graph, "pair_timeline", from_year=2023)
    assert min(r["end"] or r["date"] for r in recent) >= "2023"


def test_supply_path_from_north_korea_to_belarus_runs_through_russia(
    loaded_graph: Database,
) -> None:
    rows = run(loaded_graph, "supply_path")
    assert rows and {r["hops"] for r in rows} == {2}
    routes = {tuple(n["properties"]["name"] for n in r["p"]["nodes"]) for r in rows}
    assert ("North Korea", "Russia", "Belarus") in routes
    assert run(loaded_graph, "supply_path", max_hops=1) == []


def test_provenance_lists_every_source_statement(loaded_graph: Database) -> None:
    rows = run(loaded_graph, "provenance")
    assert len(rows) == 2 and {r["item"] for r in rows} == {"t-kp-ru-ballistic-missiles"}
    assert {r["attributed_to"] for r in rows} == {
        "the White House (John Kirby, citing declassified information)", "National Security Council"
    }
    assert all(r["source"].startswith("White House Reveals Startling News") for r in rows)
    assert all(len(r["cites"]) == 5 for r in rows)
    (sipri,) = run(loaded_graph, "provenance", item="sipri-67145")
    assert sipri["attribution"] == "Source: SIPRI Arms Transfers Database (c) SIPRI"
    assert sipri["quote"].startswith("SIPRI AT Database ID 67145")
    event = run(loaded_graph, "provenance", item="ev-2023-12-30-north-korean-missile-strike")
    assert event and event[0]["as_of"] == "2024-04-04 (year inferred)"


def test_graph_overview_counts_match_the_database(loaded_graph: Database) -> None:
    rows = run(loaded_graph, "graph_overview")
    nodes, rels = graph_counts(loaded_graph)
    assert sum(r["count"] for r in rows if r["section"] == "nodes") == nodes
    assert sum(r["count"] for r in rows if r["section"] == "relationships") == rels
    sources = {r["name"]: r for r in rows if r["section"] == "sources"}
    sipri = next(r for name, r in sources.items() if name.startswith("SIPRI"))
    assert sipri["date"] == "2026-02-12" and "(c) SIPRI" in sipri["detail"]


def test_map_places_has_coordinates_for_actors_and_events(loaded_graph: Database,
                                                          deals: list[SipriDeal]) -> None:
    rows = run(loaded_graph, "map_places")
    assert all(isinstance(r["lat"], float) and isinstance(r["lon"], float) for r in rows)
    events = [r for r in rows if r["kind"] == "event"]
    assert any(r["lat"] == 47.3 and "Zaporizhzhia" in r["label"] for r in events)
    actors = {r["item"] for r in rows if r["kind"] == "actor"}
    assert {"north-korea", "russia", "iran", "ukraine", "united-states"} <= actors
    # Focused on Iran: Iran and its supply partners with a place; it took part in no event.
    # Its partners are read from the seeds and the SIPRI file loaded (North Korea is one
    # in the full export, not in the shipped extract).
    bundle = load_seed_bundle()
    ids_by_name = {name: a.id for a in bundle.actors for name in (a.name, *a.aliases)}
    partners = {ids_by_name.get(other) for d in deals
                for me, other in ((d.supplier, d.recipient), (d.recipient, d.supplier))
                if me == "Iran"}
    partners |= {t.recipient if t.supplier == "iran" else t.supplier
                 for t in bundle.transfers if "iran" in (t.supplier, t.recipient)}
    focused = run(loaded_graph, "map_places", actor="Iran")
    assert {r["item"] for r in focused} == {"iran"} | (partners & actors)
    assert "russia" in partners
    assert {r["kind"] for r in focused} == {"actor"}


def test_actor_profile_and_find_by_name(loaded_graph: Database) -> None:
    (profile,) = run(loaded_graph, "actor_profile", actor="DPRK")
    assert profile["id"] == "north-korea" and "DPRK" in profile["aliases"]
    assert "receives sought: 7" in profile["claims"]
    assert "Russia" in profile["top_recipients"]
    found = run(loaded_graph, "find_by_name")
    assert {"north-korea", "south-korea"} <= {r["id"] for r in found}
    assert [r["id"] for r in run(loaded_graph, "find_by_name", text="Geran-2")] == [
        "ws-shahed-136"
    ]


def test_actor_tiv_by_year_matches_the_sipri_file(
    loaded_graph: Database, deals: list[SipriDeal]
) -> None:
    totals: dict[tuple[int, str], float] = defaultdict(float)
    for deal, year, tiv in deliveries(deals):
        if deal.supplier == "Russia":
            totals[(year, "supplied")] += tiv
        if deal.recipient == "Russia":
            totals[(year, "received")] += tiv
    rows = run(loaded_graph, "actor_tiv_by_year")
    assert {(r["year"], r["role"]) for r in rows} == {k for k, v in totals.items() if v > 0}
    for r in rows:
        assert r["tiv"] == pytest.approx(totals[(r["year"], r["role"])], abs=0.1)
