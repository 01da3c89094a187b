"""The SIPRI importer against a real Neo4j: the mission's rows meet the seed story
on the same nodes, the full export reconciles, a reload changes nothing, and a
bad file writes nothing.

The tests on the loaded graph come first, so the import runs once; the tests that
wipe the graph come after them. The graph holds the shipped extract; `make test-full`
loads the full shared export and checks it reconciles."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.db import Database
from explorer.errors import ValidationError
from explorer.loaders.seed_loader import load_seeds
from explorer.loaders.sipri_loader import load_sipri
from tests.conftest import (
    SIPRI_EXPORT,
    SIPRI_EXTRACT,
    graph_counts,
    invoke_cli,
    sipri_test_file,
)

FIXTURES = Path(__file__).parent / "fixtures" / "sipri"
# (delivery lines, deals) of each file the shared graph may hold.
EXPECTED = {SIPRI_EXTRACT: (2_068, 981), SIPRI_EXPORT: (25_024, 12_571)}
SOURCE = "src-sipri-at-2026-02-12"


def expected() -> tuple[int, int]:
    """(delivery lines, deals) of the SIPRI file loaded_graph imported this session."""
    return EXPECTED[sipri_test_file()]


def query(db: Database, cypher: str, **params) -> list[dict]:
    return db.read(lambda tx: tx.run(cypher, **params).data())


# --- on the loaded graph (seeds + SIPRI) ----------------------------------------------


def test_one_node_per_actor_and_system_whatever_the_source(loaded_graph: Database) -> None:
    actors = query(loaded_graph, "MATCH (a:Actor) WHERE a.name_key IN $keys "
                   "RETURN a.name_key AS key, collect(a.id) AS ids",
                   keys=["north korea", "russia", "iran", "ukraine", "united states"])
    assert {r["key"]: r["ids"] for r in actors} == {
        "north korea": ["north-korea"], "russia": ["russia"], "iran": ["iran"],
        "ukraine": ["ukraine"], "united states": ["united-states"]}
    duplicates = query(loaded_graph, "MATCH (a:Actor) WITH a.name_key AS key, count(*) AS n "
                       "WHERE n > 1 RETURN key")
    assert duplicates == []
    systems = query(loaded_graph, "MATCH (w:WeaponSystem) WHERE w.name_key IN $keys "
                    "RETURN w.name_key AS key, collect(w.id) AS ids",
                    keys=["hwasong 11", "shahed 136", "shahed 131", "mohajer 6", "fath 360"])
    assert {r["key"]: r["ids"] for r in systems} == {
        "hwasong 11": ["ws-hwasong-11"], "shahed 136": ["ws-shahed-136"],
        "shahed 131": ["ws-shahed-131"], "mohajer 6": ["ws-mohajer-6"],
        "fath 360": ["ws-fath-360"]}


def deliveries(db: Database, supplier: str, recipient: str) -> dict[str, dict]:
    rows = query(db, "MATCH (:Actor {id: $s})-[:SUPPLIED]->(t:Transfer {origin: 'sipri'})"
                 "-[:TO]->(:Actor {id: $r}) MATCH (t)-[:OF]->(w:WeaponSystem) "
                 "RETURN w.id AS system, w.name AS name, t.status AS status, "
                 "t.delivery_years AS years, t.delivered_per_year AS per_year",
                 s=supplier, r=recipient)
    return {r["system"]: r for r in rows}


def test_north_korea_supplied_russia_hwasong_11_and_m1978_guns(loaded_graph: Database) -> None:
    found = deliveries(loaded_graph, "north-korea", "russia")
    hwasong = found["ws-hwasong-11"]
    assert (hwasong["years"], hwasong["per_year"]) == ([2023, 2024], [5, 95])
    assert hwasong["status"] == "delivered"
    guns = [r for r in found.values() if r["name"] == "M-1978 170mm"]
    assert len(guns) == 1 and guns[0]["years"] == [2024]


def test_iran_supplied_russia_drones_and_fath_360(loaded_graph: Database) -> None:
    found = deliveries(loaded_graph, "iran", "russia")
    assert {"ws-shahed-136", "ws-shahed-131", "ws-mohajer-6", "ws-fath-360"} <= set(found)
    fath = found["ws-fath-360"]
    assert (fath["years"], fath["per_year"]) == ([2024], [200])


def test_sipri_rows_meet_the_seed_story_on_the_same_nodes(loaded_graph: Database) -> None:
    for supplier in ("north-korea", "iran"):
        origins = query(loaded_graph, "MATCH (:Actor {id: $s})-[:SUPPLIED]->(t:Transfer)"
                        "-[:TO]->(:Actor {id: 'russia'}) RETURN DISTINCT t.origin AS o "
                        "ORDER BY o", s=supplier)
        assert [r["o"] for r in origins] == ["seed", "sipri"], supplier
    ballistic = query(loaded_graph, "MATCH (w:WeaponSystem)-[:IS_A]->(:WeaponClass)"
                      "-[:SUBCLASS_OF*0..]->(:WeaponClass {id: 'wc-ballistic-missile'}) "
                      "WHERE w.id IN ['ws-kp-ballistic-missile', 'ws-hwasong-11'] "
                      "RETURN DISTINCT w.id AS id ORDER BY id")
    assert [r["id"] for r in ballistic] == ["ws-hwasong-11", "ws-kp-ballistic-missile"]
    summary = query(loaded_graph, "MATCH (:Actor {id: 'north-korea'})-[d:TRANSFERS_TO]->"
                    "(:Actor {id: 'russia'}) RETURN d.systems AS systems, d.statuses AS s")
    assert len(summary) == 1 and "Hwasong-11" in summary[0]["systems"]


def test_seed_curated_values_survive_the_sipri_load(loaded_graph: Database) -> None:
    row = query(loaded_graph, "MATCH (w:WeaponSystem {id: 'ws-hwasong-11'}), "
                "(s:WeaponSystem {id: 'ws-shahed-136'}), (a:Actor {id: 'north-korea'}) "
                "RETURN w.description AS d, w.aliases AS wa, s.aliases AS sa, a.aliases AS aa")[0]
    assert row["d"].startswith("North Korean surface-to-surface missile")
    assert row["wa"] == ["KN-23"] and row["sa"] == ["Geran-2"] and "DPRK" in row["aa"]


def test_every_sipri_transfer_cites_the_dated_sipri_source(loaded_graph: Database) -> None:
    check_every_sipri_transfer_cites_the_source(loaded_graph)


@pytest.mark.full_export
def test_the_full_export_loads_whole_and_every_transfer_cites_sipri(
    loaded_graph: Database,
) -> None:
    assert sipri_test_file() == SIPRI_EXPORT
    check_every_sipri_transfer_cites_the_source(loaded_graph)


def check_every_sipri_transfer_cites_the_source(loaded_graph: Database) -> None:
    row = query(loaded_graph, "MATCH (t:Transfer {origin: 'sipri'}) "
                "OPTIONAL MATCH (t)-[e:EVIDENCED_BY]->(s:Source {id: $source}) "
                "RETURN count(DISTINCT t) AS transfers, count(e) AS cited, "
                "collect(DISTINCT s.attribution) AS attribution", source=SOURCE)[0]
    assert row["transfers"] == row["cited"] == expected()[1]
    assert row["attribution"] == ["Source: SIPRI Arms Transfers Database (c) SIPRI"]
    quote = query(loaded_graph, "MATCH (:Transfer {id: 'sipri-67145'})-[e:EVIDENCED_BY]->() "
                  "RETURN e.quote AS q, e.as_of AS as_of")[0]
    assert quote["q"].startswith("SIPRI AT Database ID 67145: North Korea -> Russia, Hwasong-11")
    assert "delivered 5 in 2023, 95 in 2024" in quote["q"] and quote["as_of"] == "2026-02-12"


def test_second_import_reconciles_exactly_and_changes_nothing(loaded_graph: Database) -> None:
    before = graph_counts(loaded_graph)
    report, summary = load_sipri(loaded_graph, sipri_test_file())
    lines, deals = expected()
    assert (report.records_read, report.records_imported, len(report.rejects)) == (
        lines, lines, 0)
    assert report.deals == deals and report.balanced
    assert summary.nodes_created == 0 and summary.relationships_created == 0
    assert summary.rows["Transfer"] == deals
    assert graph_counts(loaded_graph) == before


# --- errors: nothing written ---------------------------------------------------------------


def _bad_files(tmp: Path) -> dict[str, Path]:
    other = tmp / "prices.csv"
    other.write_text("date,item,price\n2024-01-01,apples,3\n", encoding="utf-8")
    binary = tmp / "export.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    empty = tmp / "empty.csv"
    empty.write_bytes(b"")
    truncated = tmp / "truncated.csv"
    truncated.write_text("".join(SIPRI_EXTRACT.read_text(encoding="utf-8")
                                 .splitlines(keepends=True)[:5]), encoding="utf-8")
    return {"another CSV": other, "a binary": binary, "an empty file": empty,
            "a truncated file": truncated, "a header without data": FIXTURES / "header-only.csv"}


def test_non_sipri_files_get_one_error_line_exit_2_and_change_nothing(
    db: Database, cli_env: dict[str, str], tmp_path: Path
) -> None:
    before = graph_counts(db)
    for what, path in _bad_files(tmp_path).items():
        done = invoke_cli(["load", "sipri", str(path)], cli_env)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert done.returncode == 2, (what, done.stdout, done.stderr)
        assert len(lines) == 1 and lines[0].startswith("error: "), (what, done.stderr)
        assert path.name in lines[0], (what, lines[0])
        assert "Traceback" not in done.stderr
    assert graph_counts(db) == before


def test_a_file_that_stops_decoding_half_way_writes_nothing(
    db: Database, tmp_path: Path
) -> None:
    before = graph_counts(db)
    broken = tmp_path / "broken.csv"
    broken.write_bytes(SIPRI_EXTRACT.read_bytes() + b"99999,Iran,Russia,Caf\xe9,x,Other,"
                       b"2024,No,1,No,2024,No,New,1,1,1,No;\n")
    with pytest.raises(ValidationError, match=r"broken.csv is not valid utf-8 after line 20"):
        load_sipri(db, broken, encoding="utf-8")
    assert graph_counts(db) == before


# --- on an empty graph -------------------------------------------------------------------


def test_without_seeds_the_sipri_load_creates_seed_shaped_nodes(clean_db: Database) -> None:
    load_sipri(clean_db, FIXTURES / "atdb-small.csv")
    row = query(clean_db, "MATCH (a:Actor {id: 'north-korea'}) "
                "MATCH (w:WeaponSystem {id: 'ws-hwasong-11'})-[:IS_A]->(:WeaponClass)"
                "-[:SUBCLASS_OF*0..]->(c:WeaponClass {id: 'wc-ballistic-missile'}) "
                "RETURN a.aliases AS aliases, w.aliases AS walias, count(c) AS n")
    assert row and "DPRK" in row[0]["aliases"] and row[0]["walias"] == ["KN-23"]
    load_seeds(clean_db)
    names = query(clean_db, "MATCH (a:Actor) WHERE a.name_key = 'north korea' RETURN a.id AS id")
    assert names == [{"id": "north-korea"}]


def _snapshot(db: Database) -> dict[str, dict]:
    rows = query(db, "MATCH (n) WHERE NOT n:Transfer RETURN n.id AS id, properties(n) AS p")
    return {r["id"]: r["p"] for r in rows}


def test_sipri_never_overwrites_a_seed_value(clean_db: Database) -> None:
    load_seeds(clean_db)
    seeded = _snapshot(clean_db)
    load_sipri(clean_db, SIPRI_EXTRACT)
    after = _snapshot(clean_db)
    for node_id, props in seeded.items():
        assert {k: v for k, v in after[node_id].items() if k in props} == props, node_id


def _with_bad_lines(tmp: Path, bad: int) -> Path:
    path = tmp / "with-rejects.csv"
    lines = (FIXTURES / "atdb-small.csv").read_text(encoding="utf-8").splitlines()
    lines += [f"{7000 + n},Russia,Belarus,Mi-8,transport helicopter,Aircraft,2017,No,4,No,"
              "nineteen,No,New,10,10,40,No;" for n in range(bad)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cli_reports_counts_that_reconcile_and_lists_rejects(
    clean_db: Database, cli_env: dict[str, str], tmp_path: Path
) -> None:
    path = _with_bad_lines(tmp_path, 12)
    done = invoke_cli(["load", "sipri", str(path)], cli_env)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "AT Database export (atdb), encoding utf-8, generated 2026-02-12" in out
    assert "Records: 19 read = 7 imported + 12 rejected (every record accounted for); 5 deals" \
        in out
    assert "nodes created" in out and "relationships created" in out and "rows/s" in out
    listed = [line for line in out.splitlines() if line.strip().startswith("line ")]
    assert len(listed) == 10 and "non-numeric Delivery year 'nineteen'" in listed[0]
    assert "... and 2 more: rerun with --rejects" in out

    rejects = tmp_path / "rejects.csv"
    again = invoke_cli(["load", "sipri", str(path), "--rejects", str(rejects)], cli_env)
    assert again.returncode == 0, again.stderr
    assert f"all 12 written to {rejects}" in again.stdout
    assert "0 nodes created" in again.stdout and "0 relationships created" in again.stdout
    saved = rejects.read_text(encoding="utf-8").splitlines()
    assert saved[0] == "line,reason,text" and len(saved) == 13
    assert saved[1].startswith("20,")
