"""The seed loader against a real Neo4j: facts come back, reloads change nothing,
bad files write nothing, and a killed load leaves no trace."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from explorer.db import Database
from explorer.loaders.seed_loader import load_seeds
from tests.conftest import REPO, graph_counts, invoke_cli, run_cli

BAD_SEEDS = sorted(p for p in (REPO / "tests" / "fixtures" / "bad_seeds").iterdir()
                   if not p.name.startswith("_"))


def snapshot(db: Database) -> tuple[list, list]:
    """Every node and relationship with all its properties, in a stable order."""

    def read(tx):
        nodes = tx.run("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props").data()
        rels = tx.run("MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS type, b.id AS b, "
                      "properties(r) AS props").data()
        key = functools.partial(json.dumps, sort_keys=True)
        return sorted(nodes, key=key), sorted(rels, key=key)

    return db.read(read)


def id_set(db: Database) -> set[str]:
    return set(db.read(lambda tx: tx.run("MATCH (n) RETURN n.id AS id").value()))


@pytest.fixture(scope="module")
def seeded(db: Database) -> Database:
    """The seeds alone, loaded once for this module; the tests below leave them as they were."""
    db.write(lambda tx: tx.run("MATCH (n) DETACH DELETE n").consume())
    load_seeds(db)
    return db


def test_evidence_keeps_whether_its_date_was_inferred(seeded: Database) -> None:
    """The article prints "April 4" without a year: the graph says the year was inferred,
    and a date the source printed in full says it was not."""
    rows = seeded.read(lambda tx: tx.run(
        "MATCH (:Transfer {id: 't-kp-ru-ballistic-missiles'})-[e:EVIDENCED_BY]->() "
        "RETURN e.as_of AS as_of, e.as_of_precision AS precision, "
        "e.as_of_inferred AS inferred ORDER BY as_of DESC").data())
    assert {"as_of": "2024-04-04", "precision": "day", "inferred": True} in rows
    assert {"as_of": "2024-04", "precision": "month", "inferred": True} in rows
    # Every dated statement says whether its year was printed; reference data has no date.
    claims = seeded.read(lambda tx: tx.run(
        "MATCH (:Transfer|Event)-[e:EVIDENCED_BY]->() "
        "RETURN count(e.as_of_inferred) AS flagged, count(e) AS n").single())
    reference = seeded.read(lambda tx: tx.run(
        "MATCH (:WeaponSystem)-[e:EVIDENCED_BY]->() "
        "RETURN count(e.as_of_inferred) AS flagged, count(e) AS n").single())
    assert claims["n"] > 0 and claims["flagged"] == claims["n"]
    assert reference["n"] > 0 and reference["flagged"] == 0


def test_north_korea_seeks_exactly_six_items_from_russia_each_quoted(seeded: Database) -> None:
    rows = seeded.read(lambda tx: tx.run(
        "MATCH (:Actor {id: 'russia'})-[:SUPPLIED]->(t:Transfer {status: 'sought'})"
        "-[:TO]->(:Actor {id: 'north-korea'}) "
        "MATCH (t)-[:OF]->(w:WeaponSystem) MATCH (t)-[e:EVIDENCED_BY]->(s:Source) "
        "RETURN w.name AS item, e.quote AS quote, s.title AS source, "
        "       e.attributed_to AS said_by").data())
    kirby = [r for r in rows if r["said_by"] == "John Kirby"]
    assert len(kirby) == 6
    assert all("North Korea reportedly seeks fighter jets" in r["quote"] for r in kirby)
    items = " | ".join(sorted(r["item"].lower() for r in kirby))
    for word in ("fighter", "ground-to-air", "armored", "production equipment", "materials",
                 "technolog"):
        assert word in items, items
    # The ICBM help comes from other officials via the NYT: a separate, seventh claim.
    others = [r for r in rows if r["said_by"] != "John Kirby"]
    assert len(others) == 1 and "intercontinental" in others[0]["quote"]


def test_december_30_strike_has_an_inferred_year_and_a_mapped_place(seeded: Database) -> None:
    row = seeded.read(lambda tx: tx.run(
        "MATCH (:Actor {id: 'russia'})-[:CONDUCTED]->(e:Event {date: '2023-12-30'})"
        "-[:TARGETED]->(:Actor {id: 'ukraine'}) MATCH (e)-[:AT]->(p:Place) "
        "MATCH (e)-[:USED]->(w:WeaponSystem) "
        "RETURN e.date_precision AS precision, e.date_inferred AS inferred, e.year AS year, "
        "       p.name AS place, p.lat AS lat, p.lon AS lon, w.id AS weapon").single())
    assert row["precision"] == "day" and row["inferred"] is True and row["year"] == 2023
    assert "Zaporizh" in row["place"] and 46 < row["lat"] < 49 and 34 < row["lon"] < 37
    assert row["weapon"] == "ws-kp-ballistic-missile"


def test_strike_dates_and_invasion_date(seeded: Database) -> None:
    dates = seeded.read(lambda tx: tx.run(
        "MATCH (e:Event) RETURN e.date AS date, e.date_inferred AS inferred").data())
    by_date = {d["date"]: d["inferred"] for d in dates}
    assert by_date["2024-03-30"] is True and by_date["2024-04-02"] is True
    # The only year the article prints.
    assert by_date["2022-02-24"] is False


def test_iran_not_supplied_srbms_and_us_withholding(seeded: Database) -> None:
    statuses = seeded.read(lambda tx: tx.run(
        "MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer)-[:TO]->(r:Actor) "
        "RETURN s.id + '>' + r.id + ':' + t.status AS flow").value())
    assert "iran>russia:not_supplied" in statuses
    assert "united-states>ukraine:withheld" in statuses
    assert "russia>north-korea:considered" in statuses


def test_every_transfer_and_event_has_a_source_with_a_quote(seeded: Database) -> None:
    unsourced = seeded.read(lambda tx: tx.run(
        "MATCH (n) WHERE (n:Transfer OR n:Event) AND NOT EXISTS { "
        "  MATCH (n)-[e:EVIDENCED_BY]->(:Source) WHERE size(e.quote) > 0 } "
        "RETURN n.id").value())
    assert unsourced == []
    cited = seeded.read(lambda tx: tx.run(
        "MATCH (:Source {kind: 'article'})-[:CITES]->(s:Source) RETURN count(s)").single()[0])
    assert cited >= 5


def test_loading_twice_changes_nothing(seeded: Database) -> None:
    before = snapshot(seeded)
    _, summary = load_seeds(seeded)
    assert summary.nodes_created == 0 and summary.relationships_created == 0
    assert snapshot(seeded) == before


@pytest.mark.parametrize("bad", BAD_SEEDS, ids=[p.name for p in BAD_SEEDS])
def test_malformed_seed_file_is_refused_and_writes_nothing(
    bad: Path, seeded: Database, cli_env: dict[str, str]
) -> None:
    counts, ids = graph_counts(seeded), id_set(seeded)
    # The fixtures are small files on top of a valid base, as a user edits one file.
    # In this process (a subprocess each cost a second; the exit code through the
    # interpreter is test_cli_basics's): the same main(), its exit code and stderr.
    base = bad.parent / "_base"
    result = invoke_cli(["load", "seeds", str(base), str(bad)], cli_env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    # Each problem names the file it is in.
    assert bad.name in result.stderr, result.stderr
    assert graph_counts(seeded) == counts and id_set(seeded) == ids


def _big_seed_dir(tmp_path: Path, transfers: int) -> Path:
    """A valid seed directory large enough that its load takes a while."""
    for name in ("sources.yaml", "actors.yaml", "places.yaml", "weapons.yaml"):
        (tmp_path / name).write_text((REPO / "seeds" / name).read_text())
    quote = "Russia is heavily dependent on Iran for drones and other weapons"
    source = "src-article-north-korea-role-ukraine"
    records = [{
        "id": f"t-bulk-{i}", "supplier": "iran", "recipient": "russia",
        "systems": ["ws-shahed-136"], "status": "reported", "quantity": i,
        "evidence": [{"source": source, "quote": quote, "as_of": {"value": "2024-04-04"},
                      "confidence": "reported"}],
    } for i in range(transfers)]
    # Several files: one seed file may hold at most 4 MiB / 200,000 values.
    for start in range(0, transfers, 4000):
        (tmp_path / f"transfers-{start // 4000:03d}.yaml").write_text(
            yaml.safe_dump({"transfers": records[start:start + 4000]}))
    return tmp_path


# A kill test: 15,000 transfers written, killed, then loaded whole (a minute or two on
# 2 cores), so it runs with the other kill tests (make test-reliability; CI runs them).
@pytest.mark.reliability
def test_a_load_killed_part_way_leaves_the_database_as_before(
    tmp_path: Path, seeded: Database, cli_env: dict[str, str]
) -> None:
    seeds = _big_seed_dir(tmp_path, 15000)
    before_counts, before_ids = graph_counts(seeded), id_set(seeded)
    process = subprocess.Popen(
        [sys.executable, "-m", "explorer", "load", "seeds", str(seeds)],
        env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )
    # Wait until rows are being written inside the transaction, then kill it.
    line = process.stderr.readline()
    assert "wrote" in line, line + process.stderr.read()
    time.sleep(0.3)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    # The server rolls the open transaction back once the connection drops.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and graph_counts(seeded) != before_counts:
        time.sleep(0.5)
    assert graph_counts(seeded) == before_counts and id_set(seeded) == before_ids
    rerun = run_cli(["load", "seeds", str(seeds)], cli_env, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert seeded.read(lambda tx: tx.run(
        "MATCH (t:Transfer) WHERE t.id STARTS WITH 't-bulk-' RETURN count(t)").single()[0]
    ) == 15000


@pytest.mark.reliability
def test_seeds_too_big_for_one_transaction_are_one_error_and_write_nothing(
    tmp_path: Path, seeded: Database, cli_env: dict[str, str]
) -> None:
    # 40,000 transfers need more than the server's 256 MiB per transaction: seeds
    # load atomically, so they are refused as a whole, with what to do instead.
    seeds = _big_seed_dir(tmp_path, 40000)
    before_counts, before_ids = graph_counts(seeded), id_set(seeded)
    done = run_cli(["load", "seeds", str(seeds)], cli_env, timeout=900)
    assert done.returncode == 2, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "more than one transaction may hold" in errors[0], done.stderr
    assert "--transaction-memory-mb" in errors[0] and "Traceback" not in done.stderr
    assert graph_counts(seeded) == before_counts and id_set(seeded) == before_ids
