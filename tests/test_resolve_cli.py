"""Names on the command line: `explorer query run` and `explorer cypher` resolve actor
and weapon-system names or stop with exit code 2 and a suggestion; `explorer
cypher` prints the server's warnings about a misspelt label."""

from __future__ import annotations

import json

from explorer.db import Database
from tests.conftest import invoke_cli


def json_rows(stdout: str) -> list[dict]:
    """The rows of `--format json` (a list, or an object holding them with its sources)."""
    data = json.loads(stdout)
    return data["rows"] if isinstance(data, dict) else data


def one_line_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


def test_a_misspelt_actor_exits_2_with_did_you_mean(loaded_graph: Database,
                                                     cli_env: dict[str, str]) -> None:
    # Before: 0 rows, exit 0.
    result = invoke_cli(["query", "run", "flows_between", "-p", "actor=Nort Korea"], cli_env)
    assert result.returncode == 2, result.stdout
    assert result.stdout == ""
    assert one_line_error(result.stderr) == (
        "error: no actor called 'Nort Korea' (parameter 'actor' of query 'flows_between') — "
        "did you mean North Korea (DPRK)?")


def test_a_misspelt_weapon_system_exits_2_with_a_suggestion(loaded_graph: Database,
                                                             cli_env: dict[str, str]) -> None:
    result = invoke_cli(["query", "run", "weapon_spread", "-p", "system=Shahed-163"], cli_env)
    assert result.returncode == 2, result.stdout
    line = one_line_error(result.stderr)
    assert line.startswith("error: no weapon system called 'Shahed-163' (parameter 'system' "
                           "of query 'weapon_spread') — did you mean ")
    assert "Shahed-136 (Geran-2)" in line


def test_folded_names_and_aliases_give_the_same_rows(loaded_graph: Database,
                                                     cli_env: dict[str, str]) -> None:
    def rows(*params: str) -> list[dict]:
        args = ["query", "run", "suppliers_of_recipient", "--format", "json"]
        for param in params:
            args += ["-p", param]
        result = invoke_cli(args, cli_env)
        assert result.returncode == 0, result.stderr
        return json_rows(result.stdout)

    named = rows("recipient=Ukraine")
    assert rows("recipient=ukraine") == named
    assert len([r for r in named if r["supplier"] == "United States"]) == 1
    assert rows("recipient=dprk") == rows("recipient=North Korea")
    assert rows("recipient=Cote d'Ivoire", "from_year=1995") == \
        rows("recipient=Côte d'Ivoire", "from_year=1995")


def test_cypher_resolves_typed_parameters(loaded_graph: Database,
                                          cli_env: dict[str, str]) -> None:
    query = "MATCH (a:Actor {id: $who}) RETURN a.name AS name"
    found = invoke_cli(["cypher", query, "-p", "who=actor:dprk", "--format", "json"], cli_env)
    assert found.returncode == 0, found.stderr
    assert json_rows(found.stdout) == [{"name": "North Korea"}]
    system = invoke_cli(["cypher", "MATCH (w:WeaponSystem {id: $w}) RETURN w.id AS id",
                      "-p", "w=weapon_system:Geran-2", "--format", "json"], cli_env)
    assert json_rows(system.stdout) == [{"id": "ws-shahed-136"}]
    wrong = invoke_cli(["cypher", query, "-p", "who=actor:Nort Korea"], cli_env)
    assert wrong.returncode == 2
    assert "did you mean North Korea (DPRK)?" in one_line_error(wrong.stderr)


def test_cypher_prints_the_servers_warning_about_a_misspelt_label(
    loaded_graph: Database, cli_env: dict[str, str]
) -> None:
    # Before: a bare "0 rows".
    result = invoke_cli(["cypher", "MATCH (n:Actr) RETURN n"], cli_env)
    assert result.returncode == 0, result.stderr
    assert ("warning: The label `Actr` does not exist. Verify that the spelling is correct "
            "(line 1, column 10).") in result.stderr.splitlines()
    assert "Received notification" not in result.stderr  # the driver's raw log line
    clean = invoke_cli(["cypher", "MATCH (n:Actor) RETURN n.name LIMIT 1"], cli_env)
    assert "warning:" not in clean.stderr
