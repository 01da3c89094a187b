"""`explorer search`: the dashboard's search box from the command line."""

from __future__ import annotations

import json

from explorer.db import Database
from tests.conftest import invoke_cli


def test_search_finds_the_range_quote_and_opens_the_missile(loaded_graph: Database,
                                                            cli_env: dict[str, str]) -> None:
    result = invoke_cli(["search", "900 km", "--format", "json"], cli_env)
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    quote = next(h for h in hits if h["field"] == "quote")
    assert "about 900 km (560 miles)" in quote["snippet"]
    assert quote["target"]["page"] == "weapon"
    system = quote["target"]["params"]["system"]
    range_km = loaded_graph.read(lambda tx: tx.run(
        "MATCH (w:WeaponSystem {id: $id}) RETURN w.range_km AS r", id=system).single()["r"])
    assert range_km == 900


def test_search_table_names_the_alias_and_the_page(loaded_graph: Database,
                                                   cli_env: dict[str, str]) -> None:
    result = invoke_cli(["search", "Geran-2"], cli_env)
    assert result.returncode == 0, result.stderr
    first = next(line for line in result.stdout.splitlines() if "Shahed-136" in line)
    assert "/weapon?system=ws-shahed-136" in first
    assert "hit" in result.stderr


def test_search_without_letters_is_one_line_and_exit_2(loaded_graph: Database,
                                                       cli_env: dict[str, str]) -> None:
    result = invoke_cli(["search", "(("], cli_env)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
