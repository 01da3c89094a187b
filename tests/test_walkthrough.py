"""The walkthrough: its steps are data (cypher/walkthrough.yaml), each runs a saved
query of the catalogue with parameters that convert, and the CLI prints and runs them."""

from __future__ import annotations

from typing import Any

import pytest

from explorer.db import Database
from explorer.errors import ConfigError
from explorer.queries import load_catalogue
from explorer.walkthrough import (
    Step,
    check_steps,
    load_steps,
    parse_steps,
    run_step,
    step_parameters,
)
from tests.conftest import run_cli

STEP = {"id": "a", "title": "A", "query": "graph_overview", "explanation": "Why.",
        "look_for": "What."}


def test_every_step_runs_a_saved_query_whose_parameters_convert() -> None:
    steps = load_steps()
    catalogue = load_catalogue()
    assert len(steps) == 7
    assert len({s.id for s in steps}) == len(steps)
    assert check_steps(steps, catalogue) == []
    for step in steps:
        assert step.query in catalogue
        assert step.explanation and step.look_for
        step_parameters(step, catalogue)


def test_the_story_is_in_order() -> None:
    order = [s.id for s in load_steps()]
    assert order[0] == "overview" and order[-1] == "console"
    steps = {s.id: s for s in load_steps()}
    assert steps["seed-story"].params == {"actor": "North Korea", "partner": "Russia",
                                          "statuses": "delivered"}
    assert steps["iran-claims-vs-records"].query == "claims_vs_records"
    assert steps["provenance"].params == {"item": "t-kp-ru-ballistic-missiles"}
    assert steps["console"].console is True


@pytest.mark.parametrize(("data", "message"), [
    ([], "a list under 'steps'"),
    ({"steps": []}, "has no steps"),
    ({"steps": ["x"]}, "step 1 is not a mapping"),
    ({"steps": [{**STEP, "colour": "red"}]}, "unknown field 'colour'"),
    ({"steps": [{**STEP, "title": " "}]}, "non-empty text field 'title'"),
    ({"steps": [STEP, STEP]}, "the id 'a' is used twice"),
    ({"steps": [{**STEP, "params": ["x"]}]}, "'params' must map"),
])
def test_malformed_steps_are_refused_with_their_place(data: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_steps(data, "w.yaml")


def test_parameters_are_text_as_on_the_command_line() -> None:
    [step] = parse_steps({"steps": [{**STEP, "params": {"n": 3, "flag": False,
                                                         "items": ["a", "b"]}}]})
    assert step.params == {"n": "3", "flag": "false", "items": '["a", "b"]'}


def test_check_steps_names_a_missing_query_and_a_bad_value() -> None:
    catalogue = load_catalogue()
    steps = [
        Step("gone", "Gone", "no_such_query", "x", "y"),
        Step("bad", "Bad", "actor_neighbourhood", "x", "y", {"depth": "three"}),
        Step("odd", "Odd", "graph_overview", "x", "y", {"actor": "Iran"}),
    ]
    problems = check_steps(steps, catalogue)
    assert len(problems) == 3
    assert "no saved query 'no_such_query'" in problems[0]
    assert "'depth'" in problems[1] and "must be an int" in problems[1]
    assert "takes no parameters" in problems[2]


def test_a_missing_file_says_how_to_point_at_one(tmp_path: Any) -> None:
    with pytest.raises(ConfigError, match="EXPLORER_WALKTHROUGH"):
        load_steps(tmp_path / "nowhere.yaml")


def test_every_step_returns_rows_on_the_loaded_graph(loaded_graph: Database) -> None:
    catalogue = load_catalogue()
    results = {step.id: run_step(loaded_graph, step, catalogue) for step in load_steps()}
    assert all(result.rows for result in results.values())
    seed = results["seed-story"].rows
    assert {r["origin"] for r in seed} == {"seed", "sipri"}
    assert any(r["system"] == ["Hwasong-11"] for r in seed)
    back = {r["direction"] for r in results["flows-back"].rows}
    assert back == {"North Korea → Russia", "Russia → North Korea"}
    strikes = {r["date"] for r in results["supply-to-use"].rows}
    # The article prints these dates without their year: marked as inferred.
    assert {f"{d} (year inferred)" for d in ("2023-12-30", "2024-03-30", "2024-04-02")} <= strikes
    iran = results["iran-claims-vs-records"].rows
    assert any(r["verdict"] == "timing_unclear" and r["record_system"] == "Fath-360"
               for r in iran)
    assert results["console"].rows[0]["supplier"] == "Iran"


def test_cli_prints_the_steps_and_runs_them(loaded_graph: Database,
                                            cli_env: dict[str, str]) -> None:
    listed = run_cli(["walkthrough", "--no-run"], cli_env)
    assert listed.returncode == 0, listed.stderr
    for step in load_steps():
        assert step.title in listed.stdout
    assert "explorer query run flows_between -p 'actor=North Korea'" in listed.stdout

    one = run_cli(["walkthrough", "--step", "5", "--rows", "1"], cli_env)
    assert one.returncode == 0, one.stderr
    assert "Step 5 of 7" in one.stdout and "timing_unclear" in one.stdout
    assert "Step 4 of 7" not in one.stdout
    assert "1 of" in one.stderr

    wrong = run_cli(["walkthrough", "--step", "99"], cli_env)
    assert wrong.returncode == 2
    assert wrong.stderr.strip().count("\n") == 0
    assert "no walkthrough step '99'" in wrong.stderr
