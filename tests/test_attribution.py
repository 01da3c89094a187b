"""Attribution follows the rows (issue 9, part 3): a result credits the Sources
behind the transfers, events and sources its rows show, and only those — in the
CLI's JSON, CSV and table output, the dashboard, and every export."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from explorer.attribution import (
    SIPRI_ATTRIBUTION,
    attribute,
    attribution_lines,
    evidence_in,
    result_attribution,
)
from explorer.db import Database
from explorer.graph import GraphData, collapse_transfers, extract_graph
from explorer.graph_export import export_csv, export_svg, make_provenance
from explorer.queries import load_catalogue
from explorer.results import csv_text
from explorer.runner import run_cypher, run_saved
from tests.apptest import open_page, unescaped
from tests.conftest import run_cli

ARTICLE = "src-article-north-korea-role-ukraine"
ARTICLE_TITLE = "White House Reveals Startling News: North Korea’s Role in Ukraine Conflict"
SEED_TRANSFERS = 'MATCH (t:Transfer {origin:"seed"}) RETURN t.id AS transfer LIMIT 3'
# A SIPRI-only ranking that names its deals: Ukraine's suppliers by TIV since 2022.
SIPRI_RANKING = (
    "MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer {origin: 'sipri'})-[:TO]->(:Actor {id: 'ukraine'}) "
    "WHERE t.last_year >= 2022 "
    "RETURN s.name AS supplier, round(sum(t.tiv_delivered), 1) AS tiv, "
    "collect(t.id) AS transfers ORDER BY tiv DESC LIMIT 5"
)
# The same ranking as bare aggregates: nothing in its rows says where it comes from.
BARE_RANKING = (
    "MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer {origin: 'sipri'})-[:TO]->(:Actor {id: 'ukraine'}) "
    "RETURN s.name AS supplier, round(sum(t.tiv_delivered), 1) AS tiv ORDER BY tiv DESC LIMIT 5"
)
SIPRI = {"id": "src-sipri-at", "title": "SIPRI Arms Transfers Database", "kind": "dataset",
         "publisher": "SIPRI", "generated": "2026-02-12", "attribution": SIPRI_ATTRIBUTION}
ARTICLE_SOURCE = {"id": ARTICLE, "title": ARTICLE_TITLE, "kind": "article"}


def sipri_source_ids(db: Database) -> list[str]:
    rows = run_cypher(db, "MATCH (s:Source) WHERE s.attribution CONTAINS 'SIPRI' "
                          "RETURN s.id AS id").rows
    return [r["id"] for r in rows]


def sipri_dataset_ids(db: Database) -> list[str]:
    rows = run_cypher(db, "MATCH (s:Source {kind: 'dataset'}) WHERE s.attribution "
                          "CONTAINS 'SIPRI' RETURN s.id AS id").rows
    return [r["id"] for r in rows]


def node(eid: str, label: str, **props: object) -> dict:
    return {"id": eid, "labels": [label], "properties": props}


# --------------------------------------------------------------------------- pure


def test_evidence_is_found_in_id_columns_nodes_relationships_and_paths() -> None:
    transfer = node("4:x:1", "Transfer", id="t-a")
    rows = [
        {"transfer": "t-kp-ru", "received_transfer": "sipri-1", "actor_id": "russia"},
        {"t": transfer, "rel": {"id": "5:x:9", "type": "OF", "start": "4:x:2", "end": "4:x:3",
                                "properties": {}}},
        {"p": {"nodes": [node("4:x:7", "Event", id="ev-1")], "relationships": []},
         "link": {"id": "5:x:1", "type": "TRANSFERS_TO", "start": "4:x:5", "end": "4:x:6",
                  "properties": {"deals": 3}}},
        {"supplier": "Iran", "tiv": 10.0, "supplier_id": "iran"},
    ]
    found = evidence_in(rows)
    assert found[0].keys == {("id", "t-kp-ru"), ("id", "sipri-1")}  # not the actor id
    assert found[1].keys == {("node", "4:x:1"), ("end", "4:x:2"), ("end", "4:x:3")}
    assert found[2].keys == {("node", "4:x:7"), ("pair", "4:x:5>4:x:6")}
    assert found[3].empty
    graph = GraphData(edges=({"id": "e", "type": "TRANSFER", "start": "a", "end": "b",
                              "properties": {"transfer_ids": ["sipri-7", "t-x"]}},))
    assert evidence_in(graph)[0].keys == {("id", "sipri-7"), ("id", "t-x")}


def test_a_sources_column_makes_a_sipri_only_ranking_cite_sipri_and_not_the_article() -> None:
    # The convention for aggregate saved queries: a `source_ids` column per row.
    ranking = [{"actor": "United States", "tiv": 60949.3, "actor_id": "united-states",
                "source_ids": ["src-sipri-at"]},
               {"actor": "France", "tiv": 13764.7, "actor_id": "france",
                "source_ids": ["src-sipri-at"]}]
    evidence = evidence_in(ranking)
    assert evidence[0].keys == {("source", "src-sipri-at")}
    known = {"src-sipri-at": SIPRI, ARTICLE: ARTICLE_SOURCE}
    result = attribute(evidence, {("source", "src-sipri-at"): ["src-sipri-at"]}, known)
    assert [s["id"] for s in result.sources] == ["src-sipri-at"]
    assert result.lines == (SIPRI_ATTRIBUTION,) and result.determined


def test_rows_without_evidence_say_so_instead_of_crediting_every_source() -> None:
    ranking = [{"supplier": "Iran", "tiv": 10.0}, {"supplier": "Belarus", "tiv": 2.0}]
    result = attribute(evidence_in(ranking), {}, {"src-sipri-at": SIPRI})
    assert result.sources == () and result.lines == ()
    assert result.note is not None and result.note.startswith(
        "sources: not determined from these rows")
    mixed = [{"transfer": "t-1"}, {"supplier": "Iran"}]
    partly = attribute(evidence_in(mixed), {("id", "t-1"): [ARTICLE]},
                       {ARTICLE: ARTICLE_SOURCE})
    assert [s["id"] for s in partly.sources] == [ARTICLE]
    assert partly.note is not None and "determined for 1 of 2 rows only" in partly.note
    assert attribute([], {}, {}).determined  # no rows: nothing shown, nothing to credit


def test_the_sipri_line_goes_exactly_with_a_sipri_source() -> None:
    assert attribution_lines([ARTICLE_SOURCE]) == []
    assert attribution_lines([ARTICLE_SOURCE, SIPRI]) == [SIPRI_ATTRIBUTION]
    other = {"id": "src-x", "title": "X", "attribution": "Data (c) X"}
    assert attribution_lines([other, SIPRI]) == [SIPRI_ATTRIBUTION, "Data (c) X"]


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)"])
def test_cli_and_dashboard_csv_neutralise_formulas_the_same_way(text: str) -> None:
    rows = [{"cell": text, "n": -3}]
    cli = list(csv.reader(io.StringIO(csv_text(rows, ["cell", "n"]), newline="")))
    dashboard = [r for r in csv.reader(io.StringIO(export_csv(rows, make_provenance("q")),
                                                   newline=""))
                 if not r[0].startswith("#")]
    assert cli == dashboard == [["cell", "n"], ["'" + text, "-3"]]


# --------------------------------------------------------------------------- the library


def test_actor_seeks_cites_the_article_and_not_sipri(loaded_graph: Database) -> None:
    result = run_saved(loaded_graph, load_catalogue()["actor_seeks"], {"actor": "DPRK"})
    assert result.rows
    sources = result_attribution(loaded_graph, result.rows)
    assert sources.source_ids == [ARTICLE]
    assert SIPRI_ATTRIBUTION not in sources.lines and sources.determined


# Queries that describe the graph itself (its shape, a name search) report no data.
DESCRIBE_THE_GRAPH = {"graph_overview", "find_by_name"}
# Queries whose rows are SIPRI figures only (TIV rankings and sums): they must not
# credit the article.
SIPRI_ONLY = {"top_suppliers_recipients", "actor_tiv_by_year"}


@pytest.mark.parametrize("name", sorted(load_catalogue()))
def test_every_saved_query_with_its_defaults_names_its_sources(loaded_graph: Database,
                                                               name: str) -> None:
    result = run_saved(loaded_graph, load_catalogue()[name], {})
    found = result_attribution(loaded_graph, result.rows)
    if not result.rows:  # e.g. intermediaries through Iran, in the shipped extract
        assert not found.sources, name
        return
    if name in DESCRIBE_THE_GRAPH:
        assert not found.sources or found.determined
        return
    assert found.determined, (name, found.note)
    kinds = {s["kind"] for s in found.sources}
    assert found.sources, name
    if name in SIPRI_ONLY:
        assert kinds == {"dataset"} and SIPRI_ATTRIBUTION in found.lines, (name, kinds)


def test_a_sipri_only_ranking_with_its_deals_cites_sipri_only(loaded_graph: Database) -> None:
    result = run_cypher(loaded_graph, SIPRI_RANKING)
    sources = result_attribution(loaded_graph, result.rows)
    assert sources.source_ids == sipri_dataset_ids(loaded_graph)
    assert ARTICLE not in sources.source_ids and sources.lines == (SIPRI_ATTRIBUTION,)


def test_a_transfers_to_summary_cites_the_transfers_it_sums(loaded_graph: Database) -> None:
    rows = run_cypher(loaded_graph, "MATCH (:Actor {id: 'north-korea'})-[l:TRANSFERS_TO]->"
                                    "(:Actor {id: 'russia'}) RETURN l").rows
    sources = result_attribution(loaded_graph, rows)
    expected = run_cypher(loaded_graph, "MATCH (:Actor {id: 'north-korea'})-[:SUPPLIED]->"
                                        "(t:Transfer)-[:TO]->(:Actor {id: 'russia'}), "
                                        "(t)-[:EVIDENCED_BY]->(s:Source) "
                                        "RETURN collect(DISTINCT s.id) AS ids").rows[0]["ids"]
    assert sorted(sources.source_ids) == sorted(expected) and ARTICLE in expected


# --------------------------------------------------------------------------- the CLI


def test_query_run_json_has_exactly_the_result_sources(loaded_graph: Database,
                                                        cli_env: dict[str, str]) -> None:
    done = run_cli(["query", "run", "actor_seeks", "-p", "actor=DPRK", "--format", "json"],
                   cli_env)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert set(body) == {"columns", "rows", "sources", "attribution", "sources_note"}
    assert body["columns"][-1] == "transfer" and len(body["rows"]) == 7
    assert [s["id"] for s in body["sources"]] == [ARTICLE]
    assert body["sources"][0]["title"] == ARTICLE_TITLE
    assert body["attribution"] == [] and body["sources_note"] is None


def test_query_run_csv_carries_the_sources_in_comment_lines(loaded_graph: Database,
                                                           cli_env: dict[str, str]) -> None:
    done = run_cli(["query", "run", "actor_seeks", "-p", "actor=DPRK", "--format", "csv"],
                   cli_env)
    assert done.returncode == 0, done.stderr
    comments = [line for line in done.stdout.splitlines() if line.startswith("# ")]
    assert f"# source: {ARTICLE_TITLE}" in comments
    assert "# query: actor_seeks" in comments
    assert not any("SIPRI" in line for line in comments)
    # Read as the docs say: skip the leading provenance lines (comment="#" would also
    # cut a cell at a '#').
    table = pd.read_csv(io.StringIO(done.stdout), skiprows=len(comments))
    assert len(table) == 7 and table.columns[-1] == "transfer"
    assert table["quote"].str.startswith("According to Kirby").sum() == 6


def test_cypher_json_of_seed_transfers_cites_only_the_article_side(
    loaded_graph: Database, cli_env: dict[str, str]
) -> None:
    done = run_cli(["cypher", SEED_TRANSFERS, "--format", "json"], cli_env)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert len(body["rows"]) == 3
    cited = {s["id"] for s in body["sources"]}
    assert cited and not cited & set(sipri_source_ids(loaded_graph))
    assert ARTICLE in cited and body["attribution"] == []


def test_cypher_sipri_ranking_cites_sipri_in_every_format(loaded_graph: Database,
                                                          cli_env: dict[str, str]) -> None:
    body = json.loads(run_cli(["cypher", SIPRI_RANKING, "--format", "json"], cli_env).stdout)
    assert [s["id"] for s in body["sources"]] == sipri_dataset_ids(loaded_graph)
    assert body["attribution"] == [SIPRI_ATTRIBUTION]
    as_csv = run_cli(["cypher", SIPRI_RANKING, "--format", "csv"], cli_env).stdout
    assert f"# {SIPRI_ATTRIBUTION}" in as_csv.splitlines() and ARTICLE_TITLE not in as_csv
    table = run_cli(["cypher", SIPRI_RANKING], cli_env)
    lines = table.stdout.splitlines()
    assert lines[-1] == SIPRI_ATTRIBUTION
    assert lines[-2].startswith("source: SIPRI Arms Transfers Database")


def test_cypher_bare_ranking_says_its_sources_are_not_determined(
    loaded_graph: Database, cli_env: dict[str, str]
) -> None:
    body = json.loads(run_cli(["cypher", BARE_RANKING, "--format", "json"], cli_env).stdout)
    assert body["rows"] and body["sources"] == [] and body["attribution"] == []
    assert body["sources_note"].startswith("sources: not determined from these rows")
    table = run_cli(["cypher", BARE_RANKING], cli_env).stdout
    assert "sources: not determined from these rows" in table


def test_walkthrough_cli_credits_the_rows_it_shows(loaded_graph: Database,
                                                  cli_env: dict[str, str]) -> None:
    # Step 6 shows where the article's ballistic-missile claim comes from.
    done = run_cli(["walkthrough", "--step", "6", "--rows", "2"], cli_env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert f"source: {ARTICLE_TITLE}" in lines
    assert SIPRI_ATTRIBUTION not in lines


# --------------------------------------------------------------------------- exports


def test_svg_footer_lists_only_the_used_sources_and_fits(loaded_graph: Database) -> None:
    rows = run_cypher(loaded_graph, """
        MATCH (s:Actor)-[a:SUPPLIED]->(t:Transfer)-[b:TO]->(r:Actor {id: 'russia'})
        WHERE s.id IN ['north-korea', 'iran']
        RETURN s, a, t, b, r""").rows
    graph = collapse_transfers(extract_graph(rows))
    sources = result_attribution(loaded_graph, graph)
    assert SIPRI_ATTRIBUTION in sources.lines and ARTICLE in sources.source_ids
    svg = export_svg(graph, make_provenance("MATCH " + "(x)-->" * 40 + "(y) RETURN x",
                                            {"actor": "russia"}, sources))
    root = ET.fromstring(svg.encode("utf-8"))
    left, top, width, height = (float(v) for v in root.get("viewBox", "").split())
    texts = [t for t in root.iter("{http://www.w3.org/2000/svg}text")
             if t.get("font-size") == "11" and t.get("fill") == "#555555"]
    footer = " ".join(t.text or "" for t in texts)
    in_graph = {r["title"] for r in run_cypher(loaded_graph, "MATCH (s:Source) "
                                                             "RETURN s.title AS title").rows}
    cited = {s["title"] for s in sources.sources}
    assert all(title in footer for title in cited)
    assert not any(title in footer for title in in_graph - cited)  # e.g. the reference notes
    assert SIPRI_ATTRIBUTION in [t.text for t in texts]
    for text in texts:  # every footer line inside the drawing (6.5 px a character at most)
        x, y = float(text.get("x", 0)), float(text.get("y", 0))
        assert x + 6.5 * len(text.text or "") <= left + width, text.text
        assert y + 4 <= top + height, text.text


# --------------------------------------------------------------------------- the dashboard


def captions(page: str, **query_params: str) -> list[str]:
    at = open_page(page, **query_params)
    assert not at.exception, [e.value for e in at.exception]
    return [unescaped(str(c.value)) for c in at.caption]


def test_dashboard_credits_the_rows_sources(app_env: None) -> None:
    seeks = captions("saved_queries.py", q="actor_seeks", actor="North Korea")
    assert any(ARTICLE_TITLE in c for c in seeks), seeks
    assert SIPRI_ATTRIBUTION not in seeks
    ranking = captions("console.py", cypher=SIPRI_RANKING)
    assert SIPRI_ATTRIBUTION in ranking, ranking
    assert not any(ARTICLE_TITLE in c for c in ranking)
    bare = captions("console.py", cypher=BARE_RANKING)
    assert any(c.startswith("sources: not determined from these rows") for c in bare), bare
    assert SIPRI_ATTRIBUTION not in bare
