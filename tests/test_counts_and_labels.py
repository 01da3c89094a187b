"""Counts and labels that tell the truth (issue 9, part 4; tables of part 5): each
count says what it counts, quantities never add up unlike systems, "all years"
says which years, inferred dates carry their mark, empty cells are blank, and
result tables lead with the quote, who said it and when. Against the real server
with the seeds and the SIPRI export loaded; expected figures come from the graph's
own transfers or the SIPRI file, computed here independently of the code under test."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import pandas as pd

from explorer.db import Database
from explorer.graph import GraphData, collapse_transfers
from explorer.labels import INFERRED_SUFFIX, inferred_mark
from explorer.loaders.sipri_parse import read_export
from explorer.page_queries.explore import data_range
from explorer.page_queries.profiles import actor_profile
from explorer.page_queries.timeline import timeline
from explorer.queries import load_catalogue
from explorer.runner import run_cypher, run_saved
from tests.apptest import open_page
from tests.conftest import invoke_cli, sipri_test_file

CATALOGUE = load_catalogue()
APRIL_4 = "2024-04-04 (year inferred)"


def run(db: Database, name: str, **params: Any) -> list[dict[str, Any]]:
    return run_saved(db, CATALOGUE[name], params).rows


def scalar(db: Database, cypher: str, **params: Any) -> Any:
    rows = run_cypher(db, cypher, params).rows
    return next(iter(rows[0].values()))


# --------------------------------------------------------------------------- counts


def test_pair_summary_counts_sipri_deals_and_claims_apart(loaded_graph: Database) -> None:
    pair = run_cypher(loaded_graph, """
        MATCH (:Actor {id: 'north-korea'})-[l:TRANSFERS_TO]->(:Actor {id: 'russia'})
        RETURN l.sipri_deals AS sipri_deals, l.claims AS claims""").rows[0]
    sipri = scalar(loaded_graph, """
        MATCH (:Actor {id: 'north-korea'})-[:SUPPLIED]->(t:Transfer {origin: 'sipri'})
              -[:TO]->(:Actor {id: 'russia'}) RETURN count(t)""")
    seed = scalar(loaded_graph, """
        MATCH (:Actor {id: 'north-korea'})-[:SUPPLIED]->(t:Transfer {origin: 'seed'})
              -[:TO]->(:Actor {id: 'russia'}) RETURN count(t)""")
    assert (pair["sipri_deals"], pair["claims"]) == (sipri, seed)
    assert sipri > 0 and seed > 0
    # Every pair: the two counts cover all its transfers, none twice.
    mismatched = scalar(loaded_graph, """
        MATCH (s:Actor)-[l:TRANSFERS_TO]->(r:Actor)
        WHERE l.sipri_deals + l.claims <> COUNT { (s)-[:SUPPLIED]->(:Transfer)-[:TO]->(r) }
        RETURN count(l)""")
    assert mismatched == 0


def test_iran_profile_counts_sipri_deals_not_partner_system_pairs(
    loaded_graph: Database,
) -> None:
    """The issue's "102 records … 102 transfers" for 109 SIPRI deals."""
    profile = actor_profile(loaded_graph, "iran")
    assert profile is not None
    supplied = scalar(loaded_graph, "MATCH (:Actor {id: 'iran'})-[:SUPPLIED]->"
                                    "(t:Transfer {origin: 'sipri'}) RETURN count(t)")
    received = scalar(loaded_graph, "MATCH (t:Transfer {origin: 'sipri'})-[:TO]->"
                                    "(:Actor {id: 'iran'}) RETURN count(t)")
    out = [r for r in profile.partners if r["direction"] == "outbound"]
    inbound = [r for r in profile.partners if r["direction"] == "inbound"]
    assert sum(r["sipri_deals"] for r in out) == supplied
    assert sum(r["sipri_deals"] for r in inbound) == received
    # The SIPRI source's line counts its deals, not the distinct lines naming them.
    sipri_row = next(r for r in profile.sources if r["kind"] == "dataset")
    assert sipri_row["count"] == supplied + received
    # Claims are counted apart from deals: Iran's seed transfers.
    claims = scalar(loaded_graph, """
        MATCH (a:Actor {id: 'iran'})-[:SUPPLIED|TO]-(t:Transfer) WHERE t.origin <> 'sipri'
        RETURN count(DISTINCT t)""")
    assert sum(r["claims"] for r in profile.partners) == claims > 0
    russia = next(r for r in out if r["partner_id"] == "russia")
    assert "deals" not in russia


def test_no_saved_query_counts_deals_and_claims_together() -> None:
    """A column called `deals` added SIPRI's deals and the article's claims; the
    counts are `sipri_deals` and `claims` now, in every saved query."""
    for query in CATALOGUE.values():
        assert not re.search(r"\bAS deals\b|\.deals\b|\bdeals_(in|out)\b", query.cypher), \
            query.name


def _seed_claims(db: Database, supplier: str, recipient: str) -> list[dict[str, Any]]:
    return run_cypher(db, """
        MATCH (:Actor {id: $s})-[:SUPPLIED]->(t:Transfer)-[:TO]->(:Actor {id: $r})
        WHERE t.origin <> 'sipri'
        RETURN t.id AS id, t.status AS status,
               COLLECT { MATCH (t)-[e:EVIDENCED_BY]->() WHERE e.as_of IS NOT NULL
                         RETURN toInteger(left(e.as_of, 4)) AS y ORDER BY y LIMIT 1 }[0] AS year
        """, {"s": supplier, "r": recipient}).rows


def test_suppliers_of_russia_count_sipri_deals_and_claims_apart(loaded_graph: Database) -> None:
    rows = {r["supplier_id"]: r for r in run(loaded_graph, "suppliers_of_recipient",
                                             recipient="Russia", from_year="2022")}
    deals, _ = read_export(sipri_test_file())
    for supplier, name in (("iran", "Iran"), ("north-korea", "North Korea")):
        expected_deals = {
            d.id for d in deals if (d.supplier, d.recipient) == (name, "Russia")
            and (any(y >= 2022 for y in d.delivery_years)
                 or (not d.delivery_years and (d.order_year or 0) >= 2022))
        }
        expected_claims = [c for c in _seed_claims(loaded_graph, supplier, "russia")
                           if c["status"] in ("delivered", "ordered", "reported")
                           and (c["year"] or 0) >= 2022]
        assert rows[supplier]["sipri_deals"] == len(expected_deals), supplier
        assert rows[supplier]["claims"] == len(expected_claims), supplier
        assert "deals" not in rows[supplier]


# --------------------------------------------------------------------------- quantities


def test_suppliers_of_recipient_never_adds_unlike_systems(loaded_graph: Database) -> None:
    """The issue's 107,114: missiles and vehicles summed into one "quantity"."""
    rows = run(loaded_graph, "suppliers_of_recipient", recipient="Russia", from_year="2022")
    assert rows and all("quantity" not in r for r in rows)
    north_korea = next(r for r in rows if r["supplier_id"] == "north-korea")
    entries = north_korea["quantity_by_system"]
    systems = [e.rsplit(": ", 1)[0] for e in entries]
    assert len(systems) == len(set(systems)) >= 2  # one number per system
    deals, _ = read_export(sipri_test_file())
    hwasong = sum(q.quantity or 0 for d in deals
                  if (d.supplier, d.recipient, d.system_name) == ("North Korea", "Russia",
                                                                    "Hwasong-11")
                  for q in d.deliveries if q.year is not None and q.year >= 2022)
    assert f"Hwasong-11: {hwasong}" in entries


def test_timeline_gives_numbers_only_for_one_system(loaded_graph: Database) -> None:
    lane = {(d["year"], d["status"]): d for d in timeline(loaded_graph).deliveries
            if d["lane"] == "North Korea → Russia · transfers"}
    mixed = lane[(2024, "delivered")]
    assert len(mixed["systems"]) > 1 and mixed["number"] is None
    assert all(d["number"] is None for d in lane.values() if len(d["systems"]) > 1)


def test_folded_arrows_add_numbers_only_for_one_system() -> None:
    def transfer(tid: str, quantity: int) -> dict[str, Any]:
        return {"id": tid, "labels": ["Transfer"],
                "properties": {"id": tid, "status": "delivered", "quantity": quantity}}

    def node(nid: str, label: str) -> dict[str, Any]:
        return {"id": nid, "labels": [label], "properties": {"id": nid, "name": nid}}

    def edge(eid: str, kind: str, start: str, end: str) -> dict[str, Any]:
        return {"id": eid, "type": kind, "start": start, "end": end, "properties": {}}

    nodes = (node("kp", "Actor"), node("ru", "Actor"), node("missile", "WeaponSystem"),
             node("launcher", "WeaponSystem"), transfer("t1", 100), transfer("t2", 10))
    edges = [edge("s1", "SUPPLIED", "kp", "t1"), edge("r1", "TO", "t1", "ru"),
             edge("s2", "SUPPLIED", "kp", "t2"), edge("r2", "TO", "t2", "ru"),
             edge("o1", "OF", "t1", "missile")]
    one = collapse_transfers(GraphData(nodes=nodes, edges=tuple(edges), dropped_edges=0))
    assert next(e for e in one.edges if e["type"] == "TRANSFER")["properties"]["quantity"] == 110
    edges.append(edge("o2", "OF", "t2", "launcher"))
    two = collapse_transfers(GraphData(nodes=nodes, edges=tuple(edges), dropped_edges=0))
    folded = next(e for e in two.edges if e["type"] == "TRANSFER")["properties"]
    assert folded["systems"] == ["launcher", "missile"] and folded["quantity"] is None


# --------------------------------------------------------------------------- data range


def test_data_range_comes_from_the_graph(loaded_graph: Database) -> None:
    deals, _ = read_export(sipri_test_file())
    delivered = [y for d in deals for y in d.delivery_years]
    ordered = [d.order_year for d in deals if d.order_year is not None]
    claims = scalar(loaded_graph, """
        MATCH (t:Transfer)-[e:EVIDENCED_BY]->(s:Source)
        WHERE t.origin = 'seed' AND s.kind <> 'dataset'
        RETURN [min(left(e.as_of, 4)), max(left(e.as_of, 4))]""")
    found = data_range(loaded_graph)
    assert (found.deliveries_first, found.deliveries_last) == (min(delivered), max(delivered))
    assert (found.orders_first, found.orders_last) == (min(ordered), max(ordered))
    sentence = found.sentence()
    assert f"SIPRI deliveries {min(delivered)}–{max(delivered)}" in sentence
    assert f"claims made {claims[0]}" in sentence and claims[1] in sentence


# --------------------------------------------------------------------------- inferred dates


def test_inferred_mark() -> None:
    assert inferred_mark("2024-04-04", True) == APRIL_4
    assert inferred_mark("2022-02-24", False) == "2022-02-24"
    assert inferred_mark(None, True) == ""


def test_flows_between_marks_the_april_4_claim(loaded_graph: Database) -> None:
    rows = run(loaded_graph, "flows_between", actor="Iran", partner="Russia")
    denial = next(r for r in rows if r["status"] == "not_supplied")
    assert denial["as_of"] == APRIL_4
    assert denial["attributed_to"] and denial["quote"]
    # SIPRI rows (as of the export's date, which is printed) carry no mark.
    assert all(INFERRED_SUFFIX not in (r["as_of"] or "") for r in rows if r["origin"] == "sipri")


def test_every_saved_as_of_carries_the_graph_s_inferred_flag(loaded_graph: Database) -> None:
    flags = {(r["id"], r["quote"]): r["inferred"] for r in run_cypher(loaded_graph, """
        MATCH (t:Transfer {origin: 'seed'})-[e:EVIDENCED_BY]->()
        RETURN t.id AS id, e.quote AS quote, coalesce(e.as_of_inferred, false) AS inferred
        """).rows}
    assert any(flags.values())  # the article prints no years but the invasion's
    seeks = run(loaded_graph, "actor_seeks", actor="North Korea")
    for row in seeks:
        assert row["as_of"].endswith(INFERRED_SUFFIX) == flags[(row["transfer"], row["quote"])]
    provenance = run(loaded_graph, "provenance", item="t-kp-ru-ballistic-missiles")
    for row in provenance:
        assert row["as_of"].endswith(INFERRED_SUFFIX) == flags[(row["item"], row["quote"])]


def test_event_dates_are_marked_where_inferred(loaded_graph: Database) -> None:
    rows = run(loaded_graph, "supply_to_use", supplier="North Korea")
    assert rows and "2023-12-30 (year inferred)" in {r["date"] for r in rows}
    profile = run(loaded_graph, "actor_profile", actor="Russia")[0]
    assert any(x.startswith("2023-12-30 (year inferred) ") for x in profile["conducted"])
    assert any(x.startswith("2022-02-24 ") and INFERRED_SUFFIX not in x
               for x in profile["conducted"])
    pair = run(loaded_graph, "pair_timeline", actor="Iran", partner="Russia")
    claim = next(r for r in pair if r["kind"] == "claim" and r["date"] == "2024-04-04")
    assert claim["label"].endswith(f"[{APRIL_4}]")


def test_timeline_claims_are_marked_but_placed_by_the_bare_date(loaded_graph: Database) -> None:
    denial = next(c for c in timeline(loaded_graph).claims if c["status"] == "not_supplied")
    assert denial["as_of"] == APRIL_4 and denial["date"] == "2024-04-04"


def test_timeline_draws_claims_with_an_inferred_year_hollow(loaded_graph: Database) -> None:
    import datetime as dt

    from explorer.app.charts import timeline_chart

    tl = timeline(loaded_graph)
    inferred = [c for c in tl.claims if c["inferred"]]
    assert inferred, "the seed claims' years are inferred"
    spec = timeline_chart(tl, dt.date(2023, 12, 1), dt.date(2024, 5, 1)).to_dict()
    diamonds = [layer for layer in spec["layer"]
                if isinstance(layer.get("mark"), dict) and layer["mark"].get("shape") == "diamond"]
    hollow = [layer for layer in diamonds if layer["mark"].get("filled") is False]
    assert len(hollow) == 1
    drawn = spec["datasets"][hollow[0]["data"]["name"]]
    assert len(drawn) == len(inferred) and all(row["inferred"] for row in drawn)


def test_cli_table_marks_inferred_dates_and_leaves_empty_cells_blank(
    loaded_graph: Database, cli_env: dict[str, str]
) -> None:
    done = invoke_cli(["query", "run", "flows_between", "-p", "actor=Iran", "-p", "partner=Russia"],
                   {**cli_env, "COLUMNS": "400"})
    assert done.returncode == 0, done.stderr
    assert APRIL_4 in done.stdout
    assert not re.search(r"\bNone\b", done.stdout)


# --------------------------------------------------------------------------- dashboard


def test_display_rows_blank_text_cells_keep_number_columns() -> None:
    from explorer.app.tables import display_rows, long_text_columns, table_frame

    rows = [{"quote": None, "tiv": 1.5, "as_of": "2024", "source_ids": ["src-x"]},
            {"quote": "x" * 90, "tiv": None, "as_of": None, "source_ids": []}]
    shown = display_rows(rows)
    assert shown[0]["quote"] == "" and shown[1]["as_of"] == ""
    assert shown[1]["tiv"] is None  # a number column stays numeric, shown blank
    frame = table_frame(rows, None)
    assert "source_ids" not in frame.columns
    assert long_text_columns(frame) == ["quote"]


def test_saved_query_table_leads_with_quote_said_by_as_of_and_blank_cells(
    app_env: None,
) -> None:
    at = open_page("saved_queries.py", q="flows_between", actor="Iran", partner="Russia")
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0]
    frame: pd.DataFrame = table.value
    columns = list(frame.columns)
    # Who said it, when, and what: side by side, right after what the row is about.
    assert columns[3:6] == ["attributed_to", "as_of", "quote"]
    assert APRIL_4 in set(frame["as_of"])
    # Text cells hold "", number cells None shown with the blank placeholder.
    assert not (frame.astype(str) == "None").any().any()
    assert table.proto.HasField("placeholder") and table.proto.placeholder == ""
    assert '"said by"' in table.proto.columns and '"as of"' in table.proto.columns
    # The quote wraps: a wide column in rows tall enough for several lines.
    assert table.proto.row_height > 40
    assert any("year inferred" in c.value for c in at.caption)


def test_period_pickers_say_which_years_the_data_covers(app_env: None,
                                                        loaded_graph: Database) -> None:
    sentence = data_range(loaded_graph).sentence()
    for page, params in (("explore.py", {}), ("timeline.py", {}),
                         ("saved_queries.py", {"q": "suppliers_of_recipient"})):
        at = open_page(page, **params)
        assert not at.exception, (page, [e.value for e in at.exception])
        assert sentence in [c.value for c in at.caption], page


def test_profile_page_says_sipri_deals_and_claims(app_env: None) -> None:
    at = open_page("profile.py", actor="iran")
    assert not at.exception, [e.value for e in at.exception]
    labels = [m.label for m in at.metric]
    assert {"SIPRI deals supplied", "SIPRI deals received", "Claims"} <= set(labels)
    partners = at.dataframe[0].value
    assert {"SIPRI deals", "claims"} <= set(partners.columns)
    assert "deals" not in partners.columns


def _columns_by_query() -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for query in CATALOGUE.values():
        columns = query.view.get("columns")
        if columns:
            out[query.name] = list(columns)
    return out


def test_tables_that_show_a_quote_show_who_said_it_and_when() -> None:
    for name, columns in _columns_by_query().items():
        if "quote" in columns:
            assert "attributed_to" in columns and "as_of" in columns, name


def test_numbers_by_system_are_deliveries_in_the_period_only(loaded_graph: Database) -> None:
    """An order's or a claim's number is not a delivery; a delivery whose yearly numbers
    SIPRI does not give is 'number unknown', not silently left out."""
    deals, _ = read_export(sipri_test_file())
    known: dict[tuple[str, str], int] = defaultdict(int)
    unknown: dict[tuple[str, str], int] = defaultdict(int)
    for deal in deals:
        if deal.recipient != "Ukraine":
            continue
        in_period = [d for d in deal.deliveries if d.year is not None and d.year >= 2022]
        if not in_period:
            continue
        key = (deal.supplier, deal.system_name)
        if None in deal.delivered_per_year:
            unknown[key] += 1
        else:
            known[key] += sum(d.quantity for d in in_period)
    expected: dict[str, set[str]] = defaultdict(set)
    for supplier, system in {*known, *unknown}:
        text = f"{system}: "
        if (supplier, system) in known:
            text += str(known[supplier, system])
        if unknown.get((supplier, system)):
            n = unknown[supplier, system]
            text += (" + " if (supplier, system) in known else "")
            text += f"number unknown ({n} deal{'s' if n > 1 else ''})"
        expected[supplier].add(text)
    rows = run(loaded_graph, "suppliers_of_recipient", recipient="Ukraine")
    got = {r["supplier"]: set(r["quantity_by_system"]) for r in rows}
    for supplier, entries in got.items():
        assert entries == expected.get(supplier, set()), supplier
    assert set(expected) <= set(got)


def test_a_new_pair_known_from_claims_says_its_first_year_was_inferred(
    loaded_graph: Database,
) -> None:
    rows = run(loaded_graph, "new_relationships", since=2022)
    by_from = {r["first_year_from"] for r in rows}
    assert by_from <= {"transfer years", "statement", "statement (year inferred)"}
    claims_only = [r for r in rows if r["first_year_from"] != "transfer years"]
    # Every seed statement's year is inferred (the article prints no years).
    assert all(r["first_year_from"] == "statement (year inferred)" for r in claims_only)
    assert all(r["sipri_deals"] == 0 for r in claims_only)
