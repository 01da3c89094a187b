"""The verdict model of ``claims_vs_records`` (docs/verdicts.md): one synthetic
claim and record per cell of the rules table, then the seed story against the
shared SIPRI export, where each observation of issue 9 (part 2) is checked."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

from explorer.db import Database
from explorer.page_queries.findings import claims_against_records
from explorer.page_queries.provenance import VERDICTS, claims_vs_records, tally
from explorer.queries import load_catalogue
from explorer.runner import run_saved
from tests.conftest import REPO, graph_counts, invoke_cli

CATALOGUE = load_catalogue()
QUERY = CATALOGUE["claims_vs_records"]


def run(db: Database, **params: Any) -> list[dict[str, Any]]:
    return run_saved(db, QUERY, params).rows


# --------------------------------------------------------------------------- fixture

# A small taxonomy: missile > surface-to-surface missile > ballistic missile >
# short-range ballistic missile; artillery on its own.
CLASSES = [
    ("wc-t-missile", "missile", None),
    ("wc-t-ssm", "surface-to-surface missile", "wc-t-missile"),
    ("wc-t-bm", "ballistic missile", "wc-t-ssm"),
    ("wc-t-srbm", "short-range ballistic missile", "wc-t-bm"),
    ("wc-t-artillery", "artillery", None),
]
# id, name, generic (an unnamed item of its class, as the article's), class
SYSTEMS = [
    ("ws-t-bm", "unnamed ballistic missile", True, "wc-t-bm"),
    ("ws-t-srbm", "unnamed short-range ballistic missile", True, "wc-t-srbm"),
    ("ws-t-fath", "Fath-T", False, "wc-t-srbm"),
    ("ws-t-hwasong", "Hwasong-T", False, "wc-t-srbm"),
    ("ws-t-ssm", "Klub-T", False, "wc-t-ssm"),
    ("ws-t-d30", "D-30-T", False, "wc-t-artillery"),
    ("ws-t-msta", "2S19-T", False, "wc-t-artillery"),
]


@dataclass(frozen=True)
class Record:
    system: str
    order_year: int | None
    first_year: int | None = None
    last_year: int | None = None


@dataclass(frozen=True)
class Case:
    """One cell of the rules table: a claim, the records of its pair, and what the
    query must say about the first record (or, without records, about the claim)."""

    id: str
    status: str
    system: str
    as_of: str
    records: tuple[Record, ...]
    verdict: str
    match_level: str | None
    time_relation: str | None


CASES = [
    # A broader class never confirms or denies.
    Case("named-claim-other-system-of-its-class", "delivered", "ws-t-d30", "2024-04-04",
         (Record("ws-t-msta", 2018, 2019, 2020),), "broad_match", "broader_class", "before"),
    Case("record-classed-above-the-claim", "not_supplied", "ws-t-srbm", "2024-04",
         (Record("ws-t-ssm", 2020, 2021, 2022),), "broad_match", "broader_class", "before"),
    # A claim about deliveries is not met by an order without deliveries.
    Case("supply-order-only", "delivered", "ws-t-bm", "2024-04",
         (Record("ws-t-fath", 2022),), "order_only", "same_class", "before"),
    Case("denial-order-only", "not_supplied", "ws-t-srbm", "2024",
         (Record("ws-t-fath", 2022),), "order_only", "same_class", "before"),
    # Supply (delivered, reported): before / same year / after.
    Case("supply-before", "delivered", "ws-t-fath", "2024-04-04",
         (Record("ws-t-fath", 2022, 2023, 2024),), "corroborates", "same_system", "before"),
    Case("supply-same-year", "reported", "ws-t-bm", "2024-04-04",
         (Record("ws-t-hwasong", 2023, 2024, 2024),), "timing_unclear", "same_class",
         "same_year"),
    Case("supply-after", "delivered", "ws-t-bm", "2024-04",
         (Record("ws-t-hwasong", 2024, 2025, 2025),), "later_record", "same_class", "after"),
    # An order (compared by the record's order year).
    Case("order-before", "ordered", "ws-t-srbm", "2024-04-04",
         (Record("ws-t-fath", 2023, 2025, 2025),), "corroborates", "same_class", "before"),
    Case("order-same-year", "ordered", "ws-t-srbm", "2024-04-04",
         (Record("ws-t-fath", 2024),), "timing_unclear", "same_class", "same_year"),
    Case("order-after", "ordered", "ws-t-srbm", "2024-04-04",
         (Record("ws-t-fath", 2025),), "later_record", "same_class", "after"),
    # A denial: contradicted only by deliveries from a year before the claim's.
    Case("denial-before", "not_supplied", "ws-t-srbm", "2024-04-04",
         (Record("ws-t-fath", 2022, 2023, 2024),), "contradicts", "same_class", "before"),
    Case("denial-same-year", "not_supplied", "ws-t-srbm", "2024-04-04",
         (Record("ws-t-fath", 2023, 2024, 2024),), "timing_unclear", "same_class",
         "same_year"),
    Case("denial-after", "not_supplied", "ws-t-srbm", "2024-04-04",
         (Record("ws-t-fath", 2024, 2025, 2026),), "later_record", "same_class", "after"),
    # Withheld (holding back more): earlier deliveries do not contradict it.
    Case("withheld-before", "withheld", "ws-t-bm", "2024-04",
         (Record("ws-t-hwasong", 2022, 2023, 2024),), "earlier_record", "same_class",
         "before"),
    Case("withheld-same-year", "withheld", "ws-t-bm", "2024-04",
         (Record("ws-t-hwasong", 2024, 2024, 2024),), "timing_unclear", "same_class",
         "same_year"),
    Case("withheld-after", "withheld", "ws-t-bm", "2024-04",
         (Record("ws-t-hwasong", 2025, 2025, 2025),), "later_record", "same_class", "after"),
    # A request (sought, considered) is met only by a deal after it.
    Case("request-before", "sought", "ws-t-bm", "2024-04-04",
         (Record("ws-t-hwasong", 1992, 1995, 2003),), "earlier_record", "same_class",
         "before"),
    Case("request-ordered-before-delivered-after", "sought", "ws-t-bm", "2024-04-04",
         (Record("ws-t-hwasong", 2023, 2025, 2025),), "earlier_record", "same_class",
         "before"),
    Case("request-same-year", "considered", "ws-t-bm", "2024",
         (Record("ws-t-hwasong", 2024, 2025, 2025),), "timing_unclear", "same_class",
         "same_year"),
    Case("request-after", "sought", "ws-t-bm", "2024-04-04",
         (Record("ws-t-hwasong", 2025),), "request_met", "same_class", "after"),
    # A record with no year at all: nothing can be said about timing.
    Case("request-undated", "sought", "ws-t-bm", "2024-04-04",
         (Record("ws-t-hwasong", None),), "timing_unclear", "same_class", "unknown"),
    # No record: none at all, or none that bears on the claim.
    Case("no-record-at-all", "delivered", "ws-t-bm", "2024-04",
         (), "no_record", None, None),
    Case("no-record-only-artillery", "delivered", "ws-t-bm", "2024-04",
         (Record("ws-t-d30", 2020, 2021, 2021),), "no_record", None, None),
]


def build(tx: Any, cases: list[Case]) -> None:
    tx.run("CREATE (:Source {id: 'src-t', title: 'test source', kind: 'article'})")
    tx.run("UNWIND $classes AS k CREATE (:WeaponClass {id: k[0], name: k[1]})",
           classes=[list(k[:2]) for k in CLASSES])
    tx.run("UNWIND $classes AS k MATCH (c:WeaponClass {id: k[0]}), (p:WeaponClass {id: k[1]}) "
           "CREATE (c)-[:SUBCLASS_OF]->(p)",
           classes=[[k[0], k[2]] for k in CLASSES if k[2]])
    tx.run("UNWIND $systems AS w MATCH (k:WeaponClass {id: w.class}) "
           "CREATE (:WeaponSystem {id: w.id, name: w.name, generic: w.generic})-[:IS_A]->(k)",
           systems=[{"id": i, "name": n, "generic": g, "class": k} for i, n, g, k in SYSTEMS])
    for case in cases:
        tx.run("""
            MATCH (w:WeaponSystem {id: $system}), (src:Source {id: 'src-t'})
            CREATE (s:Actor {id: 'sup-' + $id, name: 'Supplier ' + $id})
                   -[:SUPPLIED]->(c:Transfer {id: 't-' + $id, origin: 'seed', status: $status})
                   -[:TO]->(r:Actor {id: 'rec-' + $id, name: 'Recipient ' + $id})
            CREATE (c)-[:OF]->(w)
            CREATE (c)-[:EVIDENCED_BY {quote: 'a claim', as_of: $as_of,
                                       confidence: 'reported', attributed_to: 'someone'}]->(src)
            WITH s, r
            UNWIND range(0, size($records) - 1) AS i
            WITH s, r, i, $records[i] AS rec
            MATCH (wd:WeaponSystem {id: rec.system})
            CREATE (s)-[:SUPPLIED]->(d:Transfer {
                       id: 'sipri-' + $id + '-' + toString(i), origin: 'sipri',
                       status: CASE WHEN rec.first_year IS NULL THEN 'ordered'
                                    ELSE 'delivered' END,
                       order_year: rec.order_year, first_year: rec.first_year,
                       last_year: rec.last_year})-[:TO]->(r)
            CREATE (d)-[:OF]->(wd)
            """, id=case.id, status=case.status, system=case.system, as_of=case.as_of,
               records=[r.__dict__ for r in case.records])


@pytest.fixture
def synthetic(clean_db: Database) -> Database:
    clean_db.write(lambda tx: build(tx, CASES))
    return clean_db


# --------------------------------------------------------------------------- the rules table


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rules_table_cell(synthetic: Database, case: Case) -> None:
    rows = run(synthetic, supplier=f"sup-{case.id}", unmatched="true")
    assert {r["claim"] for r in rows} == {f"t-{case.id}"}
    first = rows[0] if case.records and case.verdict != "no_record" else rows[-1]
    got = (first["verdict"], first["match_level"], first["time_relation"])
    assert got == (case.verdict, case.match_level, case.time_relation), first["reason"]
    # Every row says why, in one sentence, naming the record it is about.
    for row in rows:
        assert row["reason"] and row["reason"].endswith(".")
        assert row["reason"].count(". ") == 0, row["reason"]
        if row["record_system"]:
            assert row["record_system"] in row["reason"]
    assert {r["verdict"] for r in rows} <= set(VERDICTS)


def test_rules_table_covers_every_verdict() -> None:
    assert {c.verdict for c in CASES} == set(VERDICTS)


KINDS = {"delivered": "supply", "reported": "supply", "ordered": "order",
         "not_supplied": "denial", "withheld": "withheld", "sought": "request",
         "considered": "request"}


def documented_rules() -> dict[tuple[str, str, str], str]:
    """(claim kind, record, time relation) -> verdict, from the table in
    docs/verdicts.md ("## Rules")."""
    text = (REPO / "docs" / "verdicts.md").read_text(encoding="utf-8")
    rules: dict[tuple[str, str, str], str] = {}
    for line in text.split("## Rules", 1)[1].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 7 or not all(re.fullmatch(r"`[a-z_]+`", c) for c in cells[4:]):
            continue
        for kind in cells[2].split(", "):
            for time, verdict in zip(("before", "same_year", "after"), cells[4:], strict=True):
                rules[(kind, cells[3], time)] = verdict.strip("`")
    return rules


def test_the_documented_rules_table_is_what_the_query_does() -> None:
    rules = documented_rules()
    checked = 0
    for case in CASES:
        if case.verdict == "no_record" or case.time_relation == "unknown":
            continue
        delivered = case.records[0].first_year is not None
        if case.match_level == "broader_class":
            key = ("any", "any", case.time_relation)
        elif not delivered and KINDS[case.status] in ("supply", "denial"):
            key = (KINDS[case.status], "ordered, no delivery", case.time_relation)
        else:
            record = next(r for k, r, t in rules if k == KINDS[case.status]
                          and r != "ordered, no delivery")
            key = (KINDS[case.status], record, case.time_relation)
        assert rules[key] == case.verdict, (case.id, key)
        checked += 1
    # Every cell of the table but the broad rows' other times is a case above.
    assert checked >= 19
    assert set(rules.values()) == set(VERDICTS) - {"no_record"}


def test_a_claim_only_meeting_context_records_is_listed_as_no_record(
        synthetic: Database) -> None:
    rows = run(synthetic, supplier="sup-request-before", unmatched="true")
    assert [r["verdict"] for r in rows] == ["earlier_record", "no_record"]
    assert "earlier_record" in rows[1]["reason"]
    # Without unmatched, the earlier record is listed, labelled as such.
    assert [r["verdict"] for r in run(synthetic, supplier="sup-request-before")] == [
        "earlier_record"]
    # Artillery is no ballistic missile: nothing is listed for that claim but no_record.
    only_artillery = run(synthetic, supplier="sup-no-record-only-artillery", unmatched="true")
    assert [(r["verdict"], r["record"]) for r in only_artillery] == [("no_record", None)]
    assert "is of the claimed system or its class" in only_artillery[0]["reason"]


def test_a_broad_class_match_is_labelled_and_never_counts_as_corroboration(
        synthetic: Database) -> None:
    [row] = run(synthetic, supplier="sup-named-claim-other-system-of-its-class")
    assert row["shared_class"] == "artillery"
    assert "only through the broader class artillery" in row["reason"]
    with_unmatched = run(synthetic, supplier="sup-named-claim-other-system-of-its-class",
                         unmatched="true")
    assert [r["verdict"] for r in with_unmatched] == ["broad_match", "no_record"]
    counts = tally(with_unmatched)
    assert "corroborates" not in counts and counts["broad_match"].claims == (
        "t-named-claim-other-system-of-its-class",)


def test_counts_are_of_distinct_claims(synthetic: Database) -> None:
    # Two more records for one corroborated claim: three pairs, still one claim.
    synthetic.write(lambda tx: tx.run("""
        MATCH (s:Actor)-[:SUPPLIED]->(:Transfer {id: 't-supply-before'})-[:TO]->(r:Actor)
        MATCH (w:WeaponSystem {id: 'ws-t-fath'})
        UNWIND [1, 2] AS i
        CREATE (s)-[:SUPPLIED]->(d:Transfer {id: 'sipri-extra-' + toString(i),
               origin: 'sipri', status: 'delivered', order_year: 2020, first_year: 2021,
               last_year: 2021})-[:TO]->(r)
        CREATE (d)-[:OF]->(w)""").consume())
    rows = run(synthetic, unmatched="true")
    corroborating = [r for r in rows if r["verdict"] == "corroborates"]
    assert len(corroborating) == 4  # supply-before x3, order-before
    counts = tally(rows)
    assert counts["corroborates"].sentence() == "2 claims corroborated by 4 SIPRI records"
    finding = claims_against_records(synthetic, CATALOGUE)
    assert finding.value == 2
    assert finding.shown == f"2 of {len(CASES)}"
    assert "2 claims corroborated by 4 SIPRI records" in finding.headline
    assert "1 claim contradicted by 1 SIPRI record" in finding.headline


def test_the_home_card_without_claims_says_what_to_load(clean_db: Database) -> None:
    finding = claims_against_records(clean_db, CATALOGUE)
    assert (finding.value, finding.shown) == (None, "–")
    assert "explorer load seeds" in finding.headline


# --------------------------------------------------------------------------- the seed story


def pairs(rows: list[dict[str, Any]]) -> dict[tuple[str, str | None], dict[str, Any]]:
    return {(r["claim"], r["record"]): r for r in rows}


def test_fath_360_in_the_statements_year_is_timing_unclear(loaded_graph: Database) -> None:
    rows = run(loaded_graph, supplier="iran", recipient="russia")
    fath = pairs(rows)[("t-ir-ru-short-range-ballistic-missiles", "sipri-67926")]
    assert (fath["verdict"], fath["match_level"], fath["time_relation"]) == (
        "timing_unclear", "same_class", "same_year")
    assert fath["record_years"] == "ordered 2023, delivered 2024"
    assert fath["as_of"] == "2024-04-04 (year inferred)"
    assert "whether before or after it is unknown" in fath["reason"]
    assert not [r for r in rows if r["verdict"] == "contradicts"]


def test_withholding_more_is_not_contradicted_by_earlier_deliveries(
        loaded_graph: Database) -> None:
    rows = run(loaded_graph, supplier="united-states", recipient="ukraine")
    patriot = next(r for r in rows if r["record_system"] == "Patriot-3 SAMS")
    assert patriot["claim"] == "t-us-ua-air-missile-defence"
    assert patriot["record_years"] == "ordered 2022, delivered 2023–2024"
    assert (patriot["verdict"], patriot["time_relation"]) == ("earlier_record", "before")
    assert "holding back more is not contradicted" in patriot["reason"]
    assert {r["verdict"] for r in rows} == {"earlier_record"}


@pytest.mark.full_export
def test_requests_are_not_met_by_1990s_deliveries(loaded_graph: Database) -> None:
    rows = run(loaded_graph, supplier="russia", recipient="north-korea", unmatched="true")
    by_claim: dict[str, list[str]] = {}
    for r in rows:
        by_claim.setdefault(r["claim"], []).append(r["verdict"])
    for claim in ("t-ru-kp-armored-vehicles", "t-ru-kp-ground-to-air-missiles"):
        assert "no_record" in by_claim[claim], claim
        assert set(by_claim[claim]) == {"earlier_record", "no_record"}, claim
    t62 = next(r for r in rows if r["record_system"] == "T-62")
    assert t62["record_years"] == "ordered 1992, delivered 1995–2003"
    assert "an earlier deal does not meet a new request" in t62["reason"]
    # Every claim from Russia to North Korea is a request none of SIPRI's records meets.
    assert {r["claim"] for r in rows if r["verdict"] == "no_record"} == set(by_claim)


def test_home_counts_corroborated_claims_not_pairs(loaded_graph: Database) -> None:
    rows = run(loaded_graph, unmatched="true")
    corroborating = [r for r in rows if r["verdict"] == "corroborates"]
    assert {(r["claim"], r["record_system"]) for r in corroborating} == {
        ("t-kp-ru-ballistic-missiles", "Hwasong-11"), ("t-ir-ru-drones", "Shahed-136"),
        ("t-ir-ru-drones", "Shahed-131"), ("t-ir-ru-drones", "Mohajer-6")}
    finding = claims_against_records(loaded_graph, CATALOGUE)
    claims = {r["claim"] for r in rows}
    assert len(claims) == 15  # every seed transfer is a claim
    assert finding.value == 2 and finding.shown == "2 of 15"
    assert "2 claims corroborated by 4 SIPRI records; none contradicted" in finding.headline
    assert "distinct claims" in finding.headline
    assert "Fath-360" in finding.detail and "Timing unclear" in finding.detail
    # The Sources page reads the same rows through the same saved query.
    comparisons = claims_vs_records(loaded_graph, {"unmatched": True})
    assert [c.row for c in comparisons] == rows


@pytest.mark.full_export
def test_a_named_system_does_not_meet_every_system_of_its_class(
        loaded_graph: Database) -> None:
    """Any artillery is not the artillery claimed: a claim naming Fajr-5 meets SIPRI's
    Fajr-5 (Iran → Hezbollah, 2002) as the same system and the M-1985 240mm rocket
    launcher only through the broad class artillery."""
    before = graph_counts(loaded_graph)
    loaded_graph.write(lambda tx: tx.run("""
        MATCH (s:Actor {id: 'iran'}), (r:Actor {id: 'hezbollah-lebanon'}),
              (w:WeaponSystem {id: 'ws-fajr-5'}),
              (src:Source {id: 'src-article-north-korea-role-ukraine'})
        CREATE (s)-[:SUPPLIED]->(c:Transfer {id: 't-test-fajr-5', origin: 'seed',
                                              status: 'delivered'})-[:TO]->(r)
        CREATE (c)-[:OF]->(w)
        CREATE (c)-[:EVIDENCED_BY {quote: 'test', as_of: '2010', confidence: 'reported',
                                   attributed_to: 'test'}]->(src)""").consume())
    try:
        rows = run(loaded_graph, supplier="iran", recipient="hezbollah-lebanon")
    finally:
        loaded_graph.write(lambda tx: tx.run(
            "MATCH (c:Transfer {id: 't-test-fajr-5'}) DETACH DELETE c").consume())
    assert graph_counts(loaded_graph) == before
    found = {r["record_system"]: r for r in rows if r["claim"] == "t-test-fajr-5"}
    assert (found["Fajr-5"]["verdict"], found["Fajr-5"]["match_level"]) == (
        "corroborates", "same_system")
    assert (found["M-1985 240mm"]["verdict"], found["M-1985 240mm"]["match_level"]) == (
        "broad_match", "broader_class")
    assert found["M-1985 240mm"]["shared_class"] == "artillery"
    # Nothing else of the pair (UAVs, SAMs, launchers) is set against it.
    assert set(found) == {"Fajr-5", "M-1985 240mm"}


def test_cli_prints_the_verdicts_of_the_saved_query(loaded_graph: Database,
                                                    cli_env: dict[str, str]) -> None:
    done = invoke_cli(["query", "run", "claims_vs_records", "-p", "supplier=Iran",
                    "-p", "recipient=Russia", "-p", "unmatched=true", "--format", "json"],
                   cli_env)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    rows = payload["rows"] if isinstance(payload, dict) else payload
    assert rows == run(loaded_graph, supplier="iran", recipient="russia", unmatched="true")
    verdicts = {(r["claim"], r["verdict"]) for r in rows}
    assert ("t-ir-ru-short-range-ballistic-missiles", "timing_unclear") in verdicts
    assert ("t-ir-ru-missile-systems", "no_record") in verdicts
    assert ("t-ir-ru-other-weapons", "no_record") in verdicts
