"""The walkthrough: its steps are data (cypher/walkthrough.yaml + cypher/walkthrough/),
each task's check is a query against the live graph that accepts the right answer
and rejects plausible wrong ones, progress is kept, and the terminal twin asks the
same tasks."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from explorer.db import Database
from explorer.errors import ConfigError
from explorer.queries import load_catalogue
from explorer.walkthrough.checks import check_answer, expected_values, reveal, run_show
from explorer.walkthrough.progress import (
    SHOWN,
    SKIPPED,
    SOLVED,
    decode_progress,
    encode_progress,
    first_open,
    record,
)
from explorer.walkthrough.steps import (
    TASK_KINDS,
    Step,
    check_steps,
    focus_rows,
    load_steps,
    parse_steps,
    short_cypher,
)
from tests.conftest import REPO, invoke_cli

WALKTHROUGH_DIR = REPO / "cypher" / "walkthrough"
BELARUS = ("MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer)-[:TO]->(:Actor {name: 'Belarus'}) "
           "WHERE t.status = 'delivered' AND t.last_year >= 2022 "
           "RETURN DISTINCT s.name AS supplier ORDER BY supplier")
# Written another way: the result counts, not the text.
BELARUS_OTHERWISE = ("MATCH (b:Actor {id: 'belarus'})<-[:TO]-(t:Transfer {status: "
                     "'delivered'})<-[:SUPPLIED]-(s) WHERE t.last_year > 2021 RETURN s.name")
RUSSIA = BELARUS.replace("Belarus", "Russia")

# Per step: answers a user could type that are right, and plausible wrong ones.
ANSWERS: dict[str, tuple[list[str], list[str]]] = {
    # Step 1's count depends on the export loaded (the full one or the extract):
    # filled in from the graph by `answers`.
    "shape": ([], ["15"]),
    "find-actor": (["DPRK", "North Korea", "north-korea",
                    "Democratic People's Republic of Korea"], ["Russia", "South Korea"]),
    "sources": (["John Kirby", "john kirby"], ["NSC", "Russia"]),
    "statuses": (["2", "Russia → North Korea"], ["1", "North Korea → Russia"]),
    "seeks": (["7"], ["6", "8"]),
    "supply-to-use": (["Zaporizhzhia region", "Zaporizhia", "zaporizhzhia"],
                      ["Ukraine", "Kyiv"]),
    "tiv": (["720"], ["600", "2000"]),
    "verdicts": (["timing_unclear", "3", "Timing unclear"], ["contradicts", "corroborates"]),
    "explore": (["Iran", "iran"], ["North Korea", "China"]),
    "first-cypher": ([BELARUS, BELARUS_OTHERWISE], [RUSSIA]),
    "share": (["Ukraine", "recipient=ukraine"], ["Russia", "Belarus"]),
    "export": (["2026-02-12"], ["2024-04-04", "2026-02-13"]),
}


def answers(db: Database, step_id: str) -> tuple[list[str], list[str]]:
    """ANSWERS, with step 1's right answer counted in the graph (and one off it wrong)."""
    rights, wrongs = ANSWERS[step_id]
    if step_id == "shape":
        n = db.read(lambda tx: tx.run("MATCH (t:Transfer) RETURN count(t) AS n").single()["n"])
        return [str(n), f"{n:,}"], [*wrongs, str(n - 1)]
    return rights, wrongs


@pytest.fixture(scope="module")
def steps() -> list[Step]:
    return load_steps()


@pytest.fixture(scope="module")
def by_id(steps: list[Step]) -> dict[str, Step]:
    return {s.id: s for s in steps}


# --------------------------------------------------------------------------- the steps


def test_twelve_steps_each_with_a_task_whose_queries_exist(steps: list[Step]) -> None:
    assert len(steps) >= 12
    assert len({s.id for s in steps}) == len(steps)
    assert check_steps(steps, load_catalogue()) == []
    # Every kind of task a new analyst should try is among them.
    assert {s.task.kind for s in steps} >= set(TASK_KINDS)
    assert set(ANSWERS) == {s.id for s in steps}
    for step in steps:
        assert step.explanation and step.look_for and step.learned and step.task.prompt
        assert step.task.right and step.task.hint


def test_queries_shown_in_a_step_are_short(steps: list[Step]) -> None:
    # A query of the walkthrough's own is shown in full, so it must be short; the
    # saved queries (up to 200 lines) stay behind "Show the Cypher".
    own = [s for s in steps if not s.show.saved]
    assert len(own) >= 4
    for step in own:
        assert short_cypher(step.show.cypher), step.id
    # The first step shows its query in full.
    assert not steps[0].show.saved
    # The console task starts from a short query too.
    console = next(s for s in steps if s.task.kind == "console")
    assert short_cypher(console.task.given)


def test_no_check_holds_its_answer(loaded_graph: Database, steps: list[Step]) -> None:
    """The checks compute the answer: no right answer is written in a check's Cypher."""
    catalogue = load_catalogue()
    for step in steps:
        ref = step.task.check.ref
        if ref.saved:
            continue  # claims_vs_records: the rules engine names every verdict
        for value in expected_values(loaded_graph, step, catalogue):
            assert str(value) not in ref.cypher, (step.id, value)


@pytest.mark.parametrize("step_id", list(ANSWERS))
def test_each_check_accepts_the_right_answer_and_rejects_wrong_ones(
    loaded_graph: Database, by_id: dict[str, Step], step_id: str
) -> None:
    step = by_id[step_id]
    catalogue = load_catalogue()
    rights, wrongs = answers(loaded_graph, step_id)
    for answer in rights:
        feedback = check_answer(loaded_graph, step, answer, catalogue)
        assert feedback.outcome == "right", (answer, feedback.message)
        assert feedback.message.startswith("Right.") and step.task.right in feedback.message
    for answer in wrongs:
        feedback = check_answer(loaded_graph, step, answer, catalogue)
        assert feedback.outcome == "wrong", (answer, feedback.message)
        # It says where to look.
        assert step.task.hint in feedback.message


@pytest.mark.parametrize(("step_id", "answer", "says"), [
    ("shape", "many", "is not a number"),
    ("find-actor", "Narnia", "no actor called 'Narnia'"),
    ("sources", "Kirby", "did you mean John Kirby"),
    ("statuses", "7", "is not one of the choices"),
    ("first-cypher", "CREATE (n:Actor {id: 'x'})", "only runs read queries"),
    ("first-cypher", "MATCH (n RETURN n", "the query did not run"),
    ("share", "Ukrain", "did you mean Ukraine"),
    ("supply-to-use", "  ", "type an answer"),
])
def test_what_is_no_answer_says_what_to_type(loaded_graph: Database, by_id: dict[str, Step],
                                             step_id: str, answer: str, says: str) -> None:
    feedback = check_answer(loaded_graph, by_id[step_id], answer, load_catalogue())
    assert feedback.outcome == "bad"
    assert feedback.exit_code == 2
    assert says in feedback.message


def test_wrong_answers_get_their_own_feedback(loaded_graph: Database,
                                              by_id: dict[str, Step]) -> None:
    catalogue = load_catalogue()
    six = check_answer(loaded_graph, by_id["seeks"], "6", catalogue)
    assert "Six is Kirby's list" in six.message
    russia = check_answer(loaded_graph, by_id["find-actor"], "Russia", catalogue)
    assert "Russia is the recipient" in russia.message
    # A console answer says what is missing or extra, without giving the answer away.
    console = check_answer(loaded_graph, by_id["first-cypher"], RUSSIA, catalogue)
    assert "1 of the 2 expected values is missing" in console.message
    assert "North Korea" in console.message  # an extra row, named


def test_show_me_reveals_the_answer_the_check_accepts(loaded_graph: Database,
                                                      steps: list[Step]) -> None:
    catalogue = load_catalogue()
    shown = {s.id: reveal(loaded_graph, s, catalogue) for s in steps}
    assert shown["find-actor"].answer == "North Korea (DPRK)"
    assert shown["seeks"].answer == "7"
    assert shown["tiv"].answer == "720"
    assert shown["verdicts"].answer == "timing_unclear"
    assert shown["share"].answer == "recipient = Ukraine"
    # The console task's "show me" gives a query that passes its own check.
    query = shown["first-cypher"].cypher
    assert "Belarus" in query
    console = next(s for s in steps if s.id == "first-cypher")
    assert check_answer(loaded_graph, console, query, catalogue).right


def test_the_checks_follow_the_graph_not_a_literal(loaded_graph: Database,
                                                   by_id: dict[str, Step]) -> None:
    """Add a transfer: step 1's right answer moves with the graph."""
    catalogue = load_catalogue()
    step = by_id["shape"]
    (before,) = expected_values(loaded_graph, step, catalogue)
    loaded_graph.write(lambda tx: tx.run("CREATE (:Transfer {id: 'walkthrough-probe', "
                                         "origin: 'seed', status: 'reported'})").consume())
    try:
        assert check_answer(loaded_graph, step, str(before + 1), catalogue).right
        assert not check_answer(loaded_graph, step, str(before), catalogue).right
    finally:
        loaded_graph.write(lambda tx: tx.run(
            "MATCH (t:Transfer {id: 'walkthrough-probe'}) DETACH DELETE t").consume())
    assert check_answer(loaded_graph, step, str(before), catalogue).right


def test_each_step_brings_the_rows_it_talks_about_into_view(loaded_graph: Database,
                                                            by_id: dict[str, Step]) -> None:
    catalogue = load_catalogue()
    shown = {}
    for step_id, step in by_id.items():
        rows = run_show(loaded_graph, step, catalogue).rows
        assert rows, step_id
        in_view = focus_rows(rows, step.focus)
        assert in_view, f"{step_id}: its focus matches no row"
        # The columns a step puts first are columns of its result.
        assert set(step.columns) <= set(rows[0]), step_id
        shown[step_id] = in_view
    # Before: the supply-to-use rows of the 30 December strike were one of four, and the
    # flows step's table was half 1990s deals with the sought items below the fold.
    (december,) = shown["supply-to-use"]
    assert december["place"] == "Zaporizhzhia region"
    statuses = shown["statuses"]
    assert {r["direction"] for r in statuses} == {"Russia → North Korea"}
    assert {r["status"] for r in statuses} == {"sought", "considered"}
    every = run_show(loaded_graph, by_id["statuses"], catalogue).rows
    assert not [r for r in every if r["years"] and r["years"][:4] < "2022"
                and r["years"][-4:] < "2022"]
    assert {r["record_system"] for r in shown["verdicts"]} == {"Fath-360"}
    assert {r["year"] for r in shown["tiv"]} == {2022}
    assert sum(r["delivered"] for r in shown["tiv"]) == 720


# --------------------------------------------------------------------------- malformed files

STEP: dict[str, Any] = {
    "id": "a", "title": "A", "explanation": "Why.", "look_for": "What.", "learned": "L.",
    "show": {"query": "graph_overview"},
    "task": {"kind": "number", "prompt": "How many?", "right": "Yes.", "hint": "Look.",
             "check": {"cypher": "count_transfers"}},
}


def _with(**changes: Any) -> dict[str, Any]:
    step = json.loads(json.dumps(STEP))
    for path, value in changes.items():
        target = step
        *parents, last = path.split("__")
        for name in parents:
            target = target[name]
        if value is None:
            del target[last]
        else:
            target[last] = value
    return step


@pytest.mark.parametrize(("data", "message"), [
    ([], "a list under 'steps'"),
    ({"steps": []}, "has no steps"),
    ({"steps": ["x"]}, "step 1: is not a mapping"),
    ({"steps": [_with(colour="red")]}, r"step 1 \(a\): has unknown field 'colour'"),
    ({"steps": [_with(title=" ")]}, r"step 1 \(a\): needs a non-empty text field 'title'"),
    ({"steps": [STEP, STEP]}, r"step 2 \(a\): the id 'a' is used twice"),
    ({"steps": [_with(task=None)]}, "needs a 'task'"),
    ({"steps": [_with(task__kind="essay")]}, "task kind 'essay' is not one of"),
    ({"steps": [_with(task__check=None)]}, "'task.check' must be a mapping"),
    ({"steps": [_with(task__check={"cypher": "nowhere"})]}, r"nowhere\.cypher, which cannot"),
    ({"steps": [_with(task__check={"query": "x", "cypher": "y"})]}, "not both"),
    ({"steps": [_with(task__kind="choice")]}, "needs 'choices'"),
    ({"steps": [_with(task__kind="console")]}, "needs 'given'"),
    ({"steps": [_with(task__kind="parameter")]}, "needs 'param'"),
    ({"steps": [_with(task__kind="parameter", task__param="x",
                      show={"cypher": "shape"})]}, "must name one with 'query'"),
    ({"steps": [_with(show__params=["x"])]}, "'show.params' must map"),
    ({"steps": [_with(show={"cypher": "shape", "params": {"a": 1}})]}, "takes no parameters"),
    ({"steps": [_with(show__focus="Russia")]}, "'show.focus' must map"),
    ({"steps": [_with(task__entity="place")]}, "task entity 'place'"),
    ({"steps": [_with(show__columns="place")]}, "'show.columns' must be a list"),
])
def test_a_malformed_step_is_one_error_naming_the_file_and_the_step(data: Any,
                                                                    message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        parse_steps(data, "steps.yaml", WALKTHROUGH_DIR)
    assert str(caught.value).startswith("steps.yaml")
    assert "\n" not in str(caught.value)


def test_a_malformed_file_on_disk_names_its_path_and_step(tmp_path: Path) -> None:
    bad = tmp_path / "walkthrough.yaml"
    second = _with(id="second", task__check={"cypher": "missing"})
    bad.write_text(json.dumps({"steps": [_with(), second]}), encoding="utf-8")
    (tmp_path / "walkthrough").mkdir()
    (tmp_path / "walkthrough" / "count_transfers.cypher").write_text(
        "MATCH (t:Transfer) RETURN count(t) AS answer", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_steps(bad)
    text = str(caught.value)
    assert text.startswith(f"{bad}: step 2 (second):")
    assert str(tmp_path / "walkthrough" / "missing.cypher") in text
    bad.write_text("steps: [ {id: a", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not valid YAML"):
        load_steps(bad)
    with pytest.raises(ConfigError, match="EXPLORER_WALKTHROUGH"):
        load_steps(tmp_path / "nowhere.yaml")


def test_check_steps_names_a_missing_query_and_a_bad_parameter() -> None:
    [good] = parse_steps({"steps": [STEP]}, "w.yaml", WALKTHROUGH_DIR)
    [gone] = parse_steps({"steps": [_with(show__query="no_such_query")]}, "w.yaml",
                         WALKTHROUGH_DIR)
    [odd] = parse_steps({"steps": [_with(show__params={"depth": "three"},
                                         show__query="actor_neighbourhood")]}, "w.yaml",
                        WALKTHROUGH_DIR)
    [param] = parse_steps({"steps": [_with(task__kind="parameter", task__param="nope",
                                           show__query="actor_seeks")]}, "w.yaml",
                          WALKTHROUGH_DIR)
    catalogue = load_catalogue()
    assert check_steps([good], catalogue) == []
    assert "no saved query 'no_such_query'" in check_steps([gone], catalogue)[0]
    assert "must be an int" in check_steps([odd], catalogue)[0]
    assert "changes 'nope', which 'actor_seeks' does not declare" in \
        check_steps([param], catalogue)[0]


# --------------------------------------------------------------------------- progress


def test_progress_round_trips_and_keeps_shown_apart_from_solved(steps: list[Step]) -> None:
    done = record({}, "shape", SOLVED)
    done = record(done, "find-actor", SHOWN)
    done = record(done, "find-actor", SOLVED)  # answered after "show me": still shown
    done = record(done, "sources", SKIPPED)
    done = record(done, "sources", SOLVED)  # a skipped step can be solved later
    done = record(done, "shape", SKIPPED)  # solved stays solved
    assert done == {"shape": SOLVED, "find-actor": SHOWN, "sources": SOLVED}
    text = encode_progress(done, steps)
    assert text == "shape:s,find-actor:h,sources:s"
    assert decode_progress(text, steps) == done
    # Steps renamed since, unknown marks and noise are left out.
    assert decode_progress("gone:s,shape:x,,sources:k,started", steps) == {"sources": SKIPPED}
    assert first_open(done, steps) == 4
    assert first_open({s.id: SOLVED for s in steps}, steps) == len(steps) + 1


# --------------------------------------------------------------------------- the terminal


def test_cli_lists_the_steps_with_their_tasks(cli_env: dict[str, str],
                                              steps: list[Step]) -> None:
    listed = invoke_cli(["walkthrough", "--list"], cli_env)
    assert listed.returncode == 0, listed.stderr
    for step in steps:
        assert step.title in listed.stdout
    as_json = json.loads(invoke_cli(["walkthrough", "--list", "--format", "json"],
                                 cli_env).stdout)
    assert [item["id"] for item in as_json] == [s.id for s in steps]
    verdicts = next(item for item in as_json if item["id"] == "verdicts")
    assert verdicts["kind"] == "choice" and "timing_unclear" in verdicts["choices"]
    assert verdicts["number"] == 8 and verdicts["query"] == "claims_vs_records"


def test_cli_checks_one_answer_with_its_exit_code(loaded_graph: Database,
                                                  cli_env: dict[str, str]) -> None:
    right = invoke_cli(["walkthrough", "--step", "5", "--answer", "7"], cli_env)
    assert right.returncode == 0, right.stderr
    assert right.stdout.startswith("right: Right.")
    wrong = invoke_cli(["walkthrough", "--step", "seeks", "--answer", "6"], cli_env)
    assert wrong.returncode == 1
    assert "Six is Kirby's list" in wrong.stdout
    named = invoke_cli(["walkthrough", "--step", "2", "--answer", "DPRK"], cli_env)
    assert named.returncode == 0
    unknown = invoke_cli(["walkthrough", "--step", "2", "--answer", "Nort Korea"], cli_env)
    assert unknown.returncode == 2
    assert "did you mean North Korea" in unknown.stderr
    not_a_number = invoke_cli(["walkthrough", "--step", "1", "--answer", "lots"], cli_env)
    assert not_a_number.returncode == 2 and "is not a number" in not_a_number.stderr
    refused = invoke_cli(["walkthrough", "--step", "first-cypher", "--answer",
                       "MATCH (n) DETACH DELETE n"], cli_env)
    assert refused.returncode == 2 and "read queries" in refused.stderr
    no_step = invoke_cli(["walkthrough", "--answer", "7"], cli_env)
    assert no_step.returncode == 2 and "give it with --step N" in no_step.stderr
    nowhere = invoke_cli(["walkthrough", "--step", "99", "--answer", "7"], cli_env)
    assert nowhere.returncode == 2
    assert nowhere.stderr.strip().count("\n") == 0
    assert "no walkthrough step '99'" in nowhere.stderr


def _script(db: Database, steps: list[Step]) -> str:
    """Answers for every step: a wrong one first on step 1, "show" on step 3,
    "skip" on step 7, a name the resolver refuses on step 2."""
    lines = {s.id: [answers(db, s.id)[0][0]] for s in steps}
    lines["shape"] = ["15", answers(db, "shape")[0][0]]
    lines["find-actor"] = ["Nort Korea", "DPRK"]
    lines["sources"] = ["show"]
    lines["tiv"] = ["skip"]
    lines["first-cypher"] = [BELARUS]
    return "\n".join(line for s in steps for line in lines[s.id]) + "\n"


def test_the_terminal_walkthrough_runs_end_to_end(loaded_graph: Database,
                                                  cli_env: dict[str, str],
                                                  steps: list[Step]) -> None:
    done = invoke_cli(["walkthrough", "--rows", "2"], cli_env, stdin=_script(loaded_graph, steps))
    assert done.returncode == 0, done.stderr
    text = done.stdout
    for number, step in enumerate(steps, start=1):
        assert f"Step {number} of {len(steps)}: {step.title}" in text
        assert f"Task: {step.task.prompt}" in text
    # Each step's feedback, as on the dashboard.
    assert "Not quite. That is only the article's transfers" in text
    assert "did you mean North Korea (DPRK)?" in text
    assert "The answer: John Kirby." in text and "(Marked as shown, not solved.)" in text
    assert "Skipped." in text
    assert text.count("Right.") == len(steps) - 2
    # The closing summary counts what was solved, shown and skipped.
    assert "What you learned" in text
    assert f"{len(steps) - 2} solved, 1 shown, 1 skipped." in text
    for step in steps:
        assert step.learned in text
    # The rows that matter: step 6's row of the 30 December strike, credited to the
    # article (and to nothing else).
    six = text.split("Step 6 of")[1].split("Step 7 of")[0]
    assert "Zaporizhzhia region" in six and "2023-12-30" in six
    assert "source: White House Reveals Startling News" in six
    assert "(c) SIPRI" not in six


def test_the_terminal_walkthrough_stops_at_the_end_of_its_input(loaded_graph: Database,
                                                                cli_env: dict[str, str]
                                                                ) -> None:
    done = invoke_cli(["walkthrough", "--step", "seeks", "--rows", "1"], cli_env,
                   stdin="6\n")
    assert done.returncode == 0, done.stderr
    assert "Step 5 of" in done.stdout and "Step 4 of" not in done.stdout
    assert "Six is Kirby's list" in done.stdout
    assert "Stopped at step 5. Go on with: explorer walkthrough --step 5" in done.stdout
    quit_ = invoke_cli(["walkthrough", "--rows", "1"], cli_env, stdin="quit\n")
    assert quit_.returncode == 0
    assert "Stopped at step 1." in quit_.stdout


def test_the_terminal_prints_steps_without_running_them(cli_env: dict[str, str],
                                                        steps: list[Step]) -> None:
    listed = invoke_cli(["walkthrough", "--no-run"], cli_env)
    assert listed.returncode == 0, listed.stderr
    for step in steps:
        assert step.title in listed.stdout and step.task.prompt in listed.stdout
    assert "explorer query run flows_between -p 'actor=North Korea'" in listed.stdout
    # A query of the walkthrough's own: one runnable line, comments left out.
    line = next(x for x in listed.stdout.splitlines() if x.startswith("Runs: explorer cypher"))
    assert "//" not in line and re.search(r"MATCH \(n\) RETURN labels", line)
