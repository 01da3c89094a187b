"""The Walkthrough page (Streamlit AppTest on the loaded test graph): tasks checked
with feedback, "show me" and skip kept apart from solved, progress in the address,
the closing page, and a malformed step file as one visible error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from explorer.db import Database
from tests.apptest import assert_clean, open_page, page_text, unescaped
from tests.test_walkthrough import BELARUS, STEP, WALKTHROUGH_DIR, answers


def button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def answer(at: AppTest, step_id: str, text: str) -> AppTest:
    at.text_input(key=f"walkthrough_answer_{step_id}").input(text)
    return button(at, "Check").click().run()


def shown(at: AppTest) -> tuple[list[str], list[str], list[str]]:
    return ([unescaped(s.value) for s in at.success], [unescaped(w.value) for w in at.warning],
            [unescaped(e.value) for e in at.error])


def test_a_wrong_answer_explains_and_a_right_one_solves_the_step(app_env: None,
                                                                loaded_graph: Database
                                                                ) -> None:
    at = open_page("walkthrough.py", step="1")
    assert_clean(at)
    # Step 1 shows its short query in full.
    assert any("MATCH (n)" in c.value for c in at.code)
    at = answer(at, "shape", "15")
    _, warned, _ = shown(at)
    assert any("That is only the article's transfers" in w and "nodes column" in w
               for w in warned)
    assert "progress" not in at.query_params
    right = answers(loaded_graph, "shape")[0][1]  # with a thousands comma
    at = answer(at, "shape", right)
    succeeded, _, _ = shown(at)
    assert any(s.startswith("Right.") for s in succeeded)
    assert at.query_params["step"] == "1"
    assert at.query_params["progress"] == "shape:s"
    button(at, "Next step").click().run()
    assert at.query_params["step"] == "2"
    assert "1 solved" in unescaped(at.get("progress")[0].proto.text)


def test_names_resolve_and_an_unknown_name_is_not_an_answer(app_env: None) -> None:
    at = open_page("walkthrough.py", step="find-actor")
    assert_clean(at)
    at = answer(at, "find-actor", "Nort Korea")
    _, _, errors = shown(at)
    assert errors == ["Cannot check that: no actor called 'Nort Korea' — did you mean North "
                      "Korea (DPRK)?"]
    at = answer(at, "find-actor", "DPRK")
    assert any(s.startswith("Right.") for s in shown(at)[0])
    assert at.query_params["progress"] == "find-actor:s"


def test_show_me_marks_shown_and_skip_moves_on(app_env: None) -> None:
    at = open_page("walkthrough.py", step="3")
    at.button(key="walkthrough_show_sources").click().run()
    assert_clean(at)
    assert any("The answer: John Kirby." in unescaped(i.value).replace("**", "")
               for i in at.info)
    assert at.query_params["progress"] == "sources:h"
    # Answering after "show me" does not make it solved.
    at = answer(at, "sources", "John Kirby")
    assert at.query_params["progress"] == "sources:h"
    button(at, "Next step").click().run()
    at.button(key="walkthrough_skip_statuses").click().run()
    assert at.query_params["step"] == "5"
    assert at.query_params["progress"] == "sources:h,statuses:k"


def test_progress_in_the_address_resumes_where_the_analyst_left_off(app_env: None) -> None:
    at = open_page("walkthrough.py", progress="shape:s,find-actor:h,sources:k")
    assert_clean(at)
    assert at.query_params["step"] == "4"
    assert any(h.value.startswith("4.") for h in at.header)
    jump = at.selectbox(key="walkthrough_jump_4")
    labels = list(jump.options)
    assert labels[0].startswith("✓ 1.") and labels[1].startswith("👁 2.")
    assert labels[2].startswith("↷ 3.") and labels[3].startswith("· 4.")


def test_the_rows_a_step_talks_about_come_first(app_env: None) -> None:
    at = open_page("walkthrough.py", step="supply-to-use")
    assert_clean(at)
    first = at.dataframe[0].value
    assert list(first["place"]) == ["Zaporizhzhia region"]
    assert any("The 1 row this step is about, of 4" in c.value for c in at.caption)
    at = answer(at, "supply-to-use", "Zaporizhia")
    assert any(s.startswith("Right.") for s in shown(at)[0])


def test_a_choice_and_a_typed_node(app_env: None) -> None:
    at = open_page("walkthrough.py", step="verdicts")
    at.radio(key="walkthrough_answer_verdicts").set_value("contradicts")
    button(at, "Check").click().run()
    assert any("A contradiction needs deliveries" in w for w in shown(at)[1])
    at.radio(key="walkthrough_answer_verdicts").set_value("timing_unclear")
    button(at, "Check").click().run()
    assert any(s.startswith("Right.") for s in shown(at)[0])
    at = open_page("walkthrough.py", step="explore")
    assert_clean(at)
    at = answer(at, "explore", "Iran")
    assert any(s.startswith("Right.") for s in shown(at)[0])


def test_the_console_task_checks_the_result_of_the_edited_query(app_env: None) -> None:
    at = open_page("walkthrough.py", step="first-cypher")
    assert_clean(at)
    editor = at.text_area(key="walkthrough_cypher_first-cypher")
    assert "{name: 'Russia'}" in editor.value
    editor.input(editor.value)  # run as given: Russia's suppliers
    button(at, "Run and check").click().run()
    assert any("do not belong" in w for w in shown(at)[1])
    at.text_area(key="walkthrough_cypher_first-cypher").input(BELARUS)
    button(at, "Run and check").click().run()
    assert_clean(at)
    assert any(s.startswith("Right.") for s in shown(at)[0])
    # The analyst's own rows are shown under the editor.
    assert sorted(at.dataframe[-1].value["supplier"]) == ["Iran", "Russia"]


def test_the_parameter_task_runs_the_saved_query_and_gives_the_link(app_env: None) -> None:
    at = open_page("walkthrough.py", step="share")
    assert_clean(at)
    at.text_input(key="walkthrough_param_share").input("Russia")
    button(at, "Run and check").click().run()
    assert any("change the recipient" in w for w in shown(at)[1])
    at.text_input(key="walkthrough_param_share").input("UKRAINE")
    button(at, "Run and check").click().run()
    assert_clean(at)
    assert any(s.startswith("Right.") for s in shown(at)[0])
    links = [c.value for c in at.code if "/saved_queries?" in c.value]
    assert links and "recipient=UKRAINE" in links[0] and "from_year=2022" in links[0]


def test_the_closing_page_sums_up_with_links(app_env: None) -> None:
    at = open_page("walkthrough.py", step="done", progress="shape:s,find-actor:h,tiv:k")
    assert_clean(at)
    text = page_text(at)
    assert "1 of 12 solved" in text and "1 shown" in text and "1 skipped" in text
    assert "a Transfer is one supplier -> recipient movement of arms" in text
    targets = [link.proto.page for link in at.get("page_link")]
    assert sum("saved_queries" in t for t in targets) >= 8
    assert any("console" in t for t in targets) and any("explore" in t for t in targets)
    at.button(key="walkthrough_restart").click().run()
    assert at.query_params["step"] == "1" and "progress" not in at.query_params


def test_an_unknown_step_says_so(app_env: None) -> None:
    at = open_page("walkthrough.py", step="99")
    assert not at.exception
    assert any("There is no step 99" in unescaped(w.value) for w in at.warning)
    assert at.query_params["step"] == "1"


def test_a_malformed_step_file_is_one_error_on_the_page(
    app_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "walkthrough.yaml"
    step = json.loads(json.dumps(STEP))
    step["task"]["kind"] = "essay"
    bad.write_text(json.dumps({"steps": [step]}), encoding="utf-8")
    (tmp_path / "walkthrough").symlink_to(WALKTHROUGH_DIR)
    monkeypatch.setenv("EXPLORER_WALKTHROUGH", str(bad))
    at = open_page("walkthrough.py")
    assert not at.exception
    [error] = [unescaped(e.value) for e in at.error]
    assert error.startswith(f"{bad}: step 1 (a): task kind 'essay' is not one of")
