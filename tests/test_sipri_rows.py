"""SIPRI deals -> graph rows and entity resolution, without a database."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from explorer.loaders.seed_bundle import NODE_PROPERTIES, SeedBundle
from explorer.loaders.seeds import SEED_DIR, load_seed_bundle
from explorer.loaders.sipri_parse import read_export
from explorer.loaders.sipri_records import SipriDeal
from explorer.loaders.sipri_rows import (
    ATTRIBUTION,
    SipriRowBuilder,
    deal_rows,
    fuse_transfers,
    merged_rows,
    quote,
    source_id,
)

FIXTURES = Path(__file__).parent / "fixtures" / "sipri"


@pytest.fixture(scope="module")
def bundle() -> SeedBundle:
    return load_seed_bundle([SEED_DIR])


def deals_of(name: str) -> tuple[list[SipriDeal], str | None]:
    deals, report = read_export(FIXTURES / name)
    return deals, report.generated


def by_id(rows: list[dict]) -> dict[str, dict]:
    return {row["id"]: row for row in rows}


def test_hwasong_deal_becomes_one_delivered_transfer_with_years_and_quantities(bundle) -> None:
    deals, generated = deals_of("atdb-small.csv")
    rows, _ = deal_rows(deals, bundle, generated)
    props = by_id(rows["Transfer"])["sipri-67145"]["props"]
    assert props["status"] == "delivered" and props["origin"] == "sipri"
    assert props["delivery_years"] == [2023, 2024] and props["delivered_per_year"] == [5, 95]
    assert props["quantity"] == props["quantity_delivered"] == 100
    assert props["quantity_estimate"] is True and props["order_year"] == 2023
    assert props["order_year_estimate"] is True
    assert (props["first_year"], props["last_year"]) == (2023, 2024)
    assert props["tiv_unit"] == 2.5 and props["tiv_delivered"] == 250.0
    assert props["sipri_status"] == "New" and props["local_production"] is False
    assert set(props) == set(NODE_PROPERTIES["Transfer"])


def test_names_resolve_to_seed_ids_and_unknown_names_get_slugs(bundle) -> None:
    deals, generated = deals_of("atdb-small.csv")
    rows, fill = deal_rows(deals, bundle, generated)
    supplied = {row["end"]: row["start"] for row in rows["SUPPLIED"]}
    of = {row["start"]: row["end"] for row in rows["OF"]}
    assert supplied["sipri-67145"] == "north-korea" and supplied["sipri-67926"] == "iran"
    assert {row["end"] for row in rows["TO"] if row["start"] == "sipri-67145"} == {"russia"}
    assert of["sipri-67145"] == "ws-hwasong-11" and of["sipri-65539"] == "ws-shahed-136"
    # "Bushmaster -": SIPRI's variant dashes are not part of the system's id or name.
    assert of["sipri-38937"] == "ws-bushmaster"
    assert by_id(rows["WeaponSystem"])["ws-bushmaster"]["props"]["name"] == "Bushmaster"
    assert by_id(rows["Actor"])["netherlands"]["props"]["name"] == "Netherlands"
    # Seed nodes come as fill rows only, SIPRI-only nodes as plain rows, never both.
    assert {"north-korea", "russia", "iran"} <= set(by_id(fill["Actor"]))
    assert not set(by_id(fill["Actor"])) & set(by_id(rows["Actor"]))
    assert "ws-hwasong-11" in by_id(fill["WeaponSystem"])


def test_resolution_goes_through_aliases(bundle) -> None:
    builder = SipriRowBuilder(bundle, "2026-02-12")
    assert builder.actor_id("DPRK") == "north-korea"
    assert builder.actor_id("Democratic People's Republic of Korea") == "north-korea"
    assert builder.actor_id("United States") == "united-states"
    assert builder.actor_id("Côte d'Ivoire") == builder.actor_id("Cote d'Ivoire") == "cote-d-ivoire"
    assert builder.index.system_id("Geran-2") == "ws-shahed-136"
    assert builder.index.system_id("KN-23") == "ws-hwasong-11"


def test_seed_values_win_over_sipri_in_fill_rows(bundle) -> None:
    deals, generated = deals_of("atdb-small.csv")
    _, fill = deal_rows(deals, bundle, generated)
    hwasong = by_id(fill["WeaponSystem"])["ws-hwasong-11"]["props"]
    assert hwasong["description"].startswith("North Korean surface-to-surface missile")
    assert hwasong["aliases"] == ["KN-23"]
    assert by_id(fill["Actor"])["north-korea"]["props"]["aliases"][0] == "DPRK"


def test_classes_seed_systems_keep_theirs_others_follow_the_description(bundle) -> None:
    deals, generated = deals_of("atdb-small.csv")
    rows, fill = deal_rows(deals, bundle, generated)
    is_a = {(row["start"], row["end"]) for row in rows["IS_A"]}
    # The seed says short-range ballistic; SIPRI's "surface-to-surface missile" is not added.
    assert ("ws-hwasong-11", "wc-short-range-ballistic-missile") in is_a
    assert ("ws-hwasong-11", "wc-surface-to-surface-missile") not in is_a
    assert ("ws-bushmaster", "wc-armoured-vehicle") in is_a
    assert not any(start == "ws-9m119" for start, _ in is_a)  # anti-tank missile: unclassed
    # The taxonomy travels with the first chunk, so IS_A works without the seeds.
    assert "wc-ballistic-missile" in by_id(fill["WeaponClass"])
    assert ("wc-short-range-ballistic-missile", "wc-ballistic-missile") in {
        (row["start"], row["end"]) for row in rows["SUBCLASS_OF"]}


def test_evidence_points_at_the_dated_sipri_source_with_a_compact_quote(bundle) -> None:
    deals, generated = deals_of("atdb-small.csv")
    rows, _ = deal_rows(deals, bundle, generated)
    assert source_id(generated) == "src-sipri-at-2026-02-12"
    source = rows["Source"][0]
    assert source["id"] == "src-sipri-at-2026-02-12"
    assert source["props"]["attribution"] == ATTRIBUTION
    assert source["props"]["kind"] == "dataset" and source["props"]["generated"] == "2026-02-12"
    evidence = {row["start"]: row for row in rows["EVIDENCED_BY"]}
    assert set(evidence) == {row["id"] for row in rows["Transfer"]}
    hwasong = evidence["sipri-67145"]
    assert hwasong["end"] == "src-sipri-at-2026-02-12"
    assert hwasong["props"]["quote"] == (
        "SIPRI AT Database ID 67145: North Korea -> Russia, Hwasong-11 "
        "(surface-to-surface missile), ordered 2023 (estimate); delivered 5 in 2023, "
        "95 in 2024 (numbers estimated)"
    )
    assert hwasong["props"]["as_of"] == "2026-02-12"
    assert hwasong["props"]["confidence"] == "assessed"


def test_register_deals_use_ordered_numbers_and_leave_unknown_years_empty(bundle) -> None:
    deals, generated = deals_of("register-uncertain.csv")
    rows, _ = deal_rows(deals, bundle, generated)
    transfers = [row["props"] for row in rows["Transfer"]]
    assert all(row["id"].startswith("sipri-reg-") for row in rows["Transfer"])
    su30 = next(t for t in transfers if t["delivery_years"] == [2019, 2020, 2021])
    # One total for three years: no per-year numbers (a Neo4j list cannot hold nulls).
    assert su30["delivered_per_year"] == [] and su30["quantity"] == 12
    assert su30["tiv_total"] == 600
    quotes = [row["props"]["quote"] for row in rows["EVIDENCED_BY"]]
    assert any(q.startswith("SIPRI trade register: Russia -> Belarus, Su-30SM") for q in quotes)


def test_actor_kinds_and_non_state_marks(bundle) -> None:
    deals, generated = deals_of("atdb-actors.csv")
    rows, _ = deal_rows(deals, bundle, generated)
    actors = {row["id"]: row["props"] for row in rows["Actor"]}
    assert actors["syria-rebels"]["kind"] == "armed_group" and actors["syria-rebels"]["non_state"]
    assert actors["nato"]["kind"] == "organization" and actors["nato"]["non_state"]
    assert actors["unknown-supplier-s"]["kind"] == "unknown"
    assert actors["brazil"]["kind"] == "state" and actors["brazil"]["non_state"] is False


def test_undelivered_deal_is_ordered_and_quote_says_so(bundle) -> None:
    deal = read_export(FIXTURES / "atdb-small.csv")[0][0]
    pending = replace(deal, deliveries=(), quantity_delivered=None)
    rows, _ = deal_rows([pending], bundle, None)
    props = rows["Transfer"][0]["props"]
    assert props["status"] == "ordered" and props["delivery_years"] == []
    assert (props["first_year"], props["last_year"]) == (2023, 2023)
    assert quote(pending).endswith("ordered 2023 (estimate); no deliveries recorded")
    assert rows["Source"][0]["id"] == "src-sipri-at-undated"


def test_chunks_emit_shared_nodes_once(bundle) -> None:
    deals, generated = deals_of("atdb-small.csv")
    builder = SipriRowBuilder(bundle, generated)
    chunks = list(builder.chunks(deals + deals, 2))
    assert len(chunks) == 5
    actors = [row["id"] for rows, fill in chunks for key in ("Actor",)
              for row in [*rows.get(key, []), *fill.get(key, [])]]
    assert sorted(actors) == sorted(set(actors))
    assert sum(len(rows.get("Source", [])) for rows, _ in chunks) == 1
    assert sum(len(rows.get("Transfer", [])) for rows, _ in chunks) == 2 * len(deals)


def test_fused_transfers_carry_their_four_edges(bundle) -> None:
    deals, generated = deals_of("atdb-small.csv")
    rows, fill = deal_rows(deals, bundle, generated)
    fused, rest = fuse_transfers(rows)
    assert len(fused) == len(deals) and "Transfer" not in rest
    assert not any(key in rest for key in ("SUPPLIED", "TO", "OF", "EVIDENCED_BY"))
    hwasong = by_id(fused)["sipri-67145"]
    assert (hwasong["supplier"], hwasong["recipient"], hwasong["system"]) == (
        "north-korea", "russia", "ws-hwasong-11")
    assert hwasong["evidence"]["quote"].startswith("SIPRI AT Database ID 67145")
    # merged_rows is what writers without fill semantics get: every node once.
    merged = merged_rows((rows, fill))
    assert len(by_id(merged["Actor"])) == len(merged["Actor"])
