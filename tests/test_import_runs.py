"""Batched SIPRI loads against a real Neo4j: every record kept, corrections replace
what they correct, missing deals counted (and retired on request), an interrupted
load reported and resumed to the graph one uninterrupted load gives, and files of
mixed encodings read line by line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from explorer.db import Database
from explorer.errors import ValidationError
from explorer.loaders import import_runs
from explorer.loaders.seed_loader import load_seeds
from explorer.loaders.sipri_loader import LoadOutcome, load_sipri, report_lines
from explorer.loaders.sipri_parse import register_id
from tests.conftest import SIPRI_EXTRACT, invoke_cli

FIXTURES = Path(__file__).parent / "fixtures" / "sipri"


def query(db: Database, cypher: str, **params: Any) -> list[dict]:
    return db.read(lambda tx: [dict(r) for r in tx.run(cypher, **params)])


def snapshot(db: Database) -> tuple[list, list]:
    """Every node and relationship with its properties, ImportRun bookkeeping aside:
    two loads that end in the same graph give equal snapshots."""
    nodes = query(db, "MATCH (n) WHERE NOT n:ImportRun "
                      "RETURN labels(n) AS labels, properties(n) AS props")
    rels = query(db, "MATCH (a)-[r]->(b) RETURN type(r) AS type, a.id AS a, b.id AS b, "
                     "properties(r) AS props")
    def key(row: dict) -> str:
        return repr(sorted((k, repr(v)) for k, v in row.items()))
    return sorted(nodes, key=key), sorted(rels, key=key)


def _atdb(tmp: Path, name: str, replace: dict[str, str] | None = None,
          drop: str | None = None) -> Path:
    """atdb-small.csv, with text replaced in the data lines or the lines of one deal dropped."""
    lines = (FIXTURES / "atdb-small.csv").read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("SIPRI AT Database ID"))
    data = lines[header + 1:]
    if drop:
        data = [line for line in data if not line.startswith(drop + ",")]
    text = "\n".join(data)
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp / name
    path.write_text("\n".join(lines[: header + 1]) + "\n" + text + "\n", encoding="utf-8")
    return path


def test_identical_register_records_are_distinct_deals_stable_across_imports(
    clean_db: Database,
) -> None:
    report, _ = load_sipri(clean_db, FIXTURES / "register-collision.csv")
    assert (report.records_read, report.records_imported, len(report.rejects)) == (4, 4, 0)
    ids = [r["id"] for r in query(clean_db, "MATCH (t:Transfer) RETURN t.id AS id ORDER BY id")]
    base = register_id("United States", "Mexico", "T-6 Texan-2", 2014)
    assert ids == sorted([base, f"{base}-2", f"{base}-3", f"{base}-4"])
    # Two deals with identical fields both count in the pair's summary (16 TIV each).
    summary = query(clean_db, "MATCH (:Actor {id: 'united-states'})-[d:TRANSFERS_TO]->"
                              "(:Actor {id: 'mexico'}) RETURN d.sipri_deals AS n, d.tiv AS tiv")
    assert summary == [{"n": 4, "tiv": 64.0}]
    before = snapshot(clean_db)
    _, again = load_sipri(clean_db, FIXTURES / "register-collision.csv")
    assert (again.nodes_created, again.relationships_created,
            again.relationships_deleted) == (0, 0, 0)
    assert snapshot(clean_db) == before


def test_a_corrected_deal_replaces_its_recipient_and_evidence(
    clean_db: Database, tmp_path: Path
) -> None:
    first = _atdb(tmp_path, "old.csv")
    # A newer file: deal 65539's recipient corrected, deal 67926's delivery corrected.
    corrected = _atdb(tmp_path, "new.csv", {
        "65539,Iran,Russia,": "65539,Iran,Belarus,",
        "67926,Iran,Russia,Fath-360,surface-to-surface missile,Missiles,2023,,200,":
        "67926,Iran,Russia,Fath-360,surface-to-surface missile,Missiles,2023,,250,",
    })
    load_sipri(clean_db, first)
    outcome = LoadOutcome()
    report, summary = load_sipri(clean_db, corrected, outcome=outcome)
    recipients = query(clean_db, "MATCH (:Transfer {id: 'sipri-65539'})-[:TO]->(a) "
                                 "RETURN a.id AS id")
    assert recipients == [{"id": "belarus"}]
    quotes = query(clean_db, "MATCH (:Transfer {id: 'sipri-67926'})-[e:EVIDENCED_BY]->() "
                             "RETURN e.quote AS quote")
    assert len(quotes) == 1 and "delivered 250 in 2024" in quotes[0]["quote"]
    quantity = query(clean_db, "MATCH (t:Transfer {id: 'sipri-67926'}) "
                               "RETURN t.quantity_delivered AS n")
    assert quantity == [{"n": 250}]
    # The summaries follow: Iran->Russia lost the drone deal, Iran->Belarus gained it.
    pairs = {(r["r"]): r["n"] for r in query(
        clean_db, "MATCH (:Actor {id: 'iran'})-[d:TRANSFERS_TO]->(r) "
                  "RETURN r.id AS r, d.sipri_deals AS n")}
    assert pairs == {"russia": 1, "belarus": 1}
    # The old TO, and the two old quotes (the drone deal's names its recipient).
    assert summary.relationships_deleted == 3
    lines = report_lines(report, summary, 1.0, outcome=outcome)
    assert any(line.startswith("Corrections: 3 relationships") for line in lines), lines


def test_deals_a_newer_file_lacks_are_counted_and_retired_only_on_request(
    clean_db: Database, tmp_path: Path
) -> None:
    load_sipri(clean_db, _atdb(tmp_path, "all.csv"))
    fewer = _atdb(tmp_path, "fewer.csv", drop="24321")
    outcome = LoadOutcome()
    report, summary = load_sipri(clean_db, fewer, outcome=outcome)
    assert (outcome.missing, outcome.retired) == (1, 0)
    assert query(clean_db, "MATCH (t:Transfer {id: 'sipri-24321'}) RETURN count(t) AS n") \
        == [{"n": 1}]
    assert any("Not in this file: 1 SIPRI deals" in line
               for line in report_lines(report, summary, 1.0, outcome=outcome))
    retired = LoadOutcome()
    load_sipri(clean_db, fewer, retire_missing=True, outcome=retired)
    assert (retired.missing, retired.retired) == (1, 1)
    assert query(clean_db, "MATCH (t:Transfer {id: 'sipri-24321'}) RETURN count(t) AS n") \
        == [{"n": 0}]
    assert query(clean_db, "MATCH (:Actor {id: 'belarus'})-[d:TRANSFERS_TO]->"
                           "(:Actor {id: 'pakistan'}) RETURN count(d) AS n") == [{"n": 0}]


class _Stop(Exception):
    pass


def test_an_interrupted_load_is_reported_and_resumes_to_the_same_graph(
    clean_db: Database,
) -> None:
    load_seeds(clean_db)
    load_sipri(clean_db, SIPRI_EXTRACT, batch_size=200)
    reference = snapshot(clean_db)
    clean_db.write(lambda tx: tx.run("MATCH (n) DETACH DELETE n").consume())
    load_seeds(clean_db)

    calls = []

    def stop_after_two_batches(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 2:
            raise _Stop

    with pytest.raises(_Stop):
        load_sipri(clean_db, SIPRI_EXTRACT, batch_size=200, progress=stop_after_two_batches)
    runs = import_runs.incomplete_runs(clean_db)
    assert [(r["file"], r["deals_done"]) for r in runs] == [("sipri-extract.csv", 400)]
    line = import_runs.describe_incomplete(runs[0])
    assert "incomplete load of sipri-extract.csv" in line
    assert f"explorer load sipri {SIPRI_EXTRACT.resolve()}" in line
    # Batches are whole deals: every transfer written so far has its four edges.
    half = query(clean_db, "MATCH (t:Transfer {origin: 'sipri'}) RETURN count(t) AS n, "
                           "sum(COUNT { (t)--() }) AS edges")[0]
    assert half["n"] == 400 and half["edges"] == 4 * 400

    outcome = LoadOutcome()
    load_sipri(clean_db, SIPRI_EXTRACT, batch_size=200, outcome=outcome)
    assert outcome.resumed_after == 2
    assert import_runs.incomplete_runs(clean_db) == []
    assert snapshot(clean_db) == reference


def test_a_file_of_mixed_encodings_is_read_line_by_line_and_says_which_lines(
    clean_db: Database, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    path = _atdb(tmp_path, "mixed.csv", {"38937,Australia,": "38937,Türkiye,",
                                         "24321,Belarus,": "24321,Curaçao,"})
    lines = path.read_bytes().split(b"\n")
    # The Curaçao line as an older Latin-1 export wrote it; the rest stays UTF-8.
    bad = next(i for i, line in enumerate(lines) if line.startswith(b"24321"))
    lines[bad] = lines[bad].decode("utf-8").encode("cp1252")
    path.write_bytes(b"\n".join(lines))
    done = invoke_cli(["load", "sipri", str(path)], cli_env)
    assert done.returncode == 0, done.stderr
    assert "Mixed encodings: 1 lines are cp1252 (Latin-1), the rest UTF-8" in done.stdout
    assert f"check the names on lines {bad + 1}" in done.stdout
    names = {r["name"] for r in query(clean_db, "MATCH (a:Actor) RETURN a.name AS name")}
    assert {"Türkiye", "Curaçao"} <= names
    assert not any("Ã" in name for name in names), names
    # Told to read it all as UTF-8, the file is refused at the Latin-1 line, unwritten.
    clean_db.write(lambda tx: tx.run("MATCH (n) DETACH DELETE n").consume())
    with pytest.raises(ValidationError, match=rf"mixed.csv is not valid utf-8 after line {bad}"):
        load_sipri(clean_db, path, encoding="utf-8")
    assert query(clean_db, "MATCH (n) RETURN count(n) AS n") == [{"n": 0}]


def test_the_progress_shows_the_final_count_once(
    clean_db: Database, cli_env: dict[str, str]
) -> None:
    done = invoke_cli(["load", "sipri", str(SIPRI_EXTRACT), "--batch-size", "200"], cli_env)
    assert done.returncode == 0, done.stderr
    progress = [line for line in done.stderr.splitlines() if line.startswith("sipri: wrote")]
    final = [line for line in progress if line.startswith("sipri: wrote 2068/2068 ")]
    assert len(final) == 1, done.stderr
    assert progress[-1] == final[0]


def test_a_name_too_long_to_index_rejects_its_record_with_the_line(
    clean_db: Database, tmp_path: Path
) -> None:
    path = _atdb(tmp_path, "long.csv", {"67926,Iran,Russia,Fath-360,":
                                        "67926,Iran,Russia," + "X" * 10_000 + ","})
    report, _ = load_sipri(clean_db, path)
    (reject,) = report.rejects
    assert reject.reason == ("Designation is 10,000 characters long; a name may have at "
                             "most 200")
    assert path.read_text(encoding="utf-8").splitlines()[reject.line - 1].startswith("67926,")
    # Every other deal of the file is in the graph.
    ids = {r["id"] for r in query(clean_db, "MATCH (t:Transfer) RETURN t.id AS id")}
    assert ids == {"sipri-67145", "sipri-65539", "sipri-38937", "sipri-24321"}


def test_home_page_reports_an_incomplete_load_with_the_command(
    app_env: None, loaded_graph: Database
) -> None:
    from tests.apptest import clear_caches, open_page, unescaped

    loaded_graph.write(lambda tx: tx.run(
        "CREATE (:ImportRun {id: 'import-test-home', file: 'big.csv', path: '/data/big.csv', "
        "kind: 'sipri', status: 'running', deals_done: 10000, started: datetime(), "
        "updated: datetime()})").consume())
    try:
        clear_caches()
        at = open_page("home.py")
        warnings = [unescaped(w.value) for w in at.warning]
        assert any("incomplete load of big.csv" in w and "after 10,000 deals" in w
                   and "explorer load sipri /data/big.csv" in w for w in warnings), warnings
    finally:
        loaded_graph.write(lambda tx: tx.run(
            "MATCH (r:ImportRun {id: 'import-test-home'}) DELETE r").consume())
