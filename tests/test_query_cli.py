"""`explorer query list|show|run`, `explorer cypher` and `explorer bench queries`."""

from __future__ import annotations

import csv
import io
import json

import pytest

from explorer.contract import TRANSFER_STATUSES
from explorer.db import Database
from explorer.queries import load_catalogue
from tests.conftest import run_cli

CATALOGUE = load_catalogue()


def test_query_list_as_table_and_json(cli_env: dict[str, str]) -> None:
    table = run_cli(["query", "list"], cli_env)
    assert table.returncode == 0, table.stderr
    for name in CATALOGUE:
        assert name in table.stdout
    data = json.loads(run_cli(["query", "list", "--format", "json"], cli_env).stdout)
    assert [q["name"] for q in data] == list(CATALOGUE)
    flows = next(q for q in data if q["name"] == "flows_between")
    assert flows["view"] == "table" and "pairs" in flows["tags"]
    actor = flows["params"][0]
    assert (actor["name"], actor["type"], actor["default"]) == ("actor", "actor", "North Korea")
    tagged = json.loads(run_cli(["query", "list", "--tag", "MAP", "--format", "json"],
                                cli_env).stdout)
    assert [q["name"] for q in tagged] == ["map_places"]


def test_query_show_prints_params_view_and_cypher(cli_env: dict[str, str]) -> None:
    result = run_cli(["query", "show", "actor_neighbourhood"], cli_env)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("actor_neighbourhood — Actor neighbourhood")
    assert 'actor (actor, default "North Korea") — the actor to centre on' in text
    assert "depth (int, default 1)" in text and "min 1, max 3" in text
    # The statuses are the graph contract's, in its order (`choices: statuses`).
    assert f"choices: {', '.join(TRANSFER_STATUSES)}" in text
    assert "view: graph" in text
    assert CATALOGUE["actor_neighbourhood"].cypher in text
    bar = run_cli(["query", "show", "suppliers_of_recipient"], cli_env).stdout
    assert "view: bar (x: supplier, y: tiv)" in bar
    assert "choices from: MATCH (w:WeaponSystem)" in bar


def test_unknown_query_is_one_line_with_a_suggestion(cli_env: dict[str, str]) -> None:
    result = run_cli(["query", "show", "flows_betwen"], cli_env)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: no saved query 'flows_betwen' (did you mean 'flows_between'?); "
        "'explorer query list' shows them all"
    )


def test_query_run_in_each_format(loaded_graph: Database, cli_env: dict[str, str]) -> None:
    args = ["query", "run", "actor_seeks", "-p", "actor=DPRK"]
    as_json = run_cli([*args, "--format", "json"], cli_env)
    assert as_json.returncode == 0, as_json.stderr
    body = json.loads(as_json.stdout)  # {"columns", "rows", "sources", ...}
    rows = body["rows"]
    assert isinstance(rows, list) and len(rows) == 7
    assert {r["supplier"] for r in rows} == {"Russia"}
    assert body["columns"] == list(rows[0])
    as_csv = run_cli([*args, "--format", "csv"], cli_env)
    # The sources come first as "# " comment lines; the table follows.
    data = [line for line in as_csv.stdout.splitlines() if not line.startswith("# ")]
    table = list(csv.DictReader(io.StringIO("\n".join(data))))
    assert [r["transfer"] for r in table] == [r["transfer"] for r in rows]
    assert data[0] == (
        "item,supplier,status,quote,as_of,confidence,attributed_to,source,transfer"
    )
    as_table = run_cli(args, cli_env)
    assert as_table.returncode == 0
    assert "t-ru-kp-fighter-jets" in as_table.stdout and "7 rows in" in as_table.stderr
    # An aggregate's source ids are named under the table, not printed as a column.
    ranking = run_cli(["query", "run", "suppliers_of_recipient", "-p", "recipient=Russia"],
                      cli_env)
    assert ranking.returncode == 0, ranking.stderr
    assert "source_ids" not in ranking.stdout and "src-sipri" not in ranking.stdout
    assert "Source: SIPRI Arms Transfers Database (c) SIPRI" in ranking.stdout


def test_query_run_json_nodes_and_relationships(loaded_graph: Database,
                                                cli_env: dict[str, str]) -> None:
    result = run_cli(["query", "run", "actor_neighbourhood", "--format", "json"], cli_env)
    rows = json.loads(result.stdout)["rows"]
    row = rows[0]
    assert set(row) == {"supplier", "link", "recipient"}
    assert {"id", "labels", "properties"} <= set(row["supplier"])
    assert row["supplier"]["labels"] == ["Actor"]
    assert {"type", "start", "end", "properties"} <= set(row["link"])
    assert row["link"]["type"] == "TRANSFERS_TO"
    assert row["link"]["start"] == row["supplier"]["id"]
    assert row["link"]["end"] == row["recipient"]["id"]
    # Paths in a table are drawn as arrows of names.
    table = run_cli(["query", "run", "supply_path"], cli_env)
    assert "North Korea → Russia → Belarus" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "dept=2"], "error: query 'actor_neighbourhood' has no parameter 'dept' "
                           "(did you mean 'depth'?); its parameters are actor, depth, statuses, "
                           "from_year, to_year"),
        (["-p", "depth=three"], "error: parameter 'depth' of query 'actor_neighbourhood' must "
                                "be an int, got 'three'"),
        (["-p", "depth=9"], "error: parameter 'depth' of query 'actor_neighbourhood' must be at "
                            "most 3, got 9"),
        (["-p", "statuses=delivered,bogus"], "error: parameter 'statuses' of query "
                                             "'actor_neighbourhood' must be one of delivered"),
        (["-p", "depth"], "error: parameter 'depth' must be written name=value, e.g. depth=2"),
    ],
)
def test_bad_parameters_are_one_line_and_exit_2(
    cli_env: dict[str, str], args: list[str], message: str
) -> None:
    result = run_cli(["query", "run", "actor_neighbourhood", *args], cli_env)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), result.stderr


def test_cypher_console_in_each_format(loaded_graph: Database, cli_env: dict[str, str]) -> None:
    query = ("MATCH (a:Actor)-[l:TRANSFERS_TO]->(b:Actor) WHERE a.id = $id AND l.tiv > $min "
             "RETURN b.name AS recipient, l.deals AS deals ORDER BY recipient")
    params = ["-p", "id=north-korea", "-p", "min=100"]
    rows = json.loads(run_cli(["cypher", query, *params, "--format", "json"],
                              cli_env).stdout)["rows"]
    assert {"recipient": "Russia", "deals": 4} in rows
    as_csv = run_cli(["cypher", query, *params, "--format", "csv"], cli_env).stdout
    assert next(ln for ln in as_csv.splitlines() if not ln.startswith("# ")) == "recipient,deals"
    table = run_cli(["cypher", query, *params], cli_env)
    assert "Russia" in table.stdout and table.returncode == 0
    from_stdin = run_cli(["cypher", "-", "--format", "json"], cli_env,
                         stdin="RETURN [1, 2] AS xs, null AS nothing")
    assert json.loads(from_stdin.stdout)["rows"] == [{"xs": [1, 2], "nothing": None}]
    capped = run_cli(["cypher", "UNWIND range(1, 50) AS x RETURN x", "--max-rows", "10",
                      "--format", "json"], cli_env)
    assert len(json.loads(capped.stdout)["rows"]) == 10
    assert "truncated: showing the first 10 rows" in capped.stderr
    bad = run_cli(["cypher", "RETURN 1", "--format", "xml"], cli_env)
    assert bad.returncode == 2 and "'xml' is not one of table, json, csv" in bad.stderr


@pytest.mark.reliability  # a benchmark: with the long checks (CI runs them)
def test_bench_queries_reports_the_graph_and_percentiles(loaded_graph: Database,
                                                         cli_env: dict[str, str]) -> None:
    result = run_cli(["bench", "queries", "--runs", "3", "--warmup", "1", "-q", "provenance",
                      "-q", "weapon_spread", "--format", "json"], cli_env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    # The report's graph figures are the loaded graph's own, whichever SIPRI file it holds.
    transfers = loaded_graph.read(
        lambda tx: tx.run("MATCH (t:Transfer) RETURN count(t) AS c").single()["c"])
    assert report["graph"]["transfers"] == transfers and transfers > 0
    assert report["graph"]["nodes"] > transfers
    assert [q["name"] for q in report["queries"]] == ["provenance", "weapon_spread"]
    for q in report["queries"]:
        assert q["runs"] == 3 and q["rows"] > 0
        assert 0 < q["p50_ms"] <= q["p95_ms"] <= q["max_ms"]
    text = run_cli(["bench", "queries", "--runs", "2", "-q", "map_places"], cli_env)
    assert text.returncode == 0
    assert "nodes" in text.stdout.splitlines()[0] and "map_places" in text.stdout
    unknown = run_cli(["bench", "queries", "-q", "nope"], cli_env)
    assert unknown.returncode == 2 and unknown.stderr.startswith("error: no saved query 'nope'")


def test_a_category_must_be_one_the_graph_has(loaded_graph: Database,
                                              cli_env: dict[str, str]) -> None:
    # A misspelt category was "0 rows" with exit 0; the graph's own categories decide.
    typo = run_cli(["query", "run", "suppliers_of_recipient", "-p", "recipient=Russia",
                    "-p", "category=Missle"], cli_env)
    assert typo.returncode == 2 and typo.stdout == ""
    assert "is not among the listed choices" in typo.stderr and "Missiles" in typo.stderr
    folded = run_cli(["query", "run", "suppliers_of_recipient", "-p", "recipient=Russia",
                      "-p", "category=missiles", "--format", "json"], cli_env)
    assert folded.returncode == 0, folded.stderr
    rows = json.loads(folded.stdout)["rows"]
    assert rows and all(r["categories"] == ["Missiles"] for r in rows)
