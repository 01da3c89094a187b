"""Names in the dashboard (AppTest through the router, seeds + SIPRI, the shipped
catalogue): an unknown name is a visible warning naming it with suggestions and
nothing is drawn in its place; the console resolves typed parameters and shows
the server's warnings."""

from __future__ import annotations

from urllib.parse import parse_qs

from streamlit.testing.v1 import AppTest

from explorer.queries import load_catalogue
from explorer.walkthrough.judging import console_text, step_parameters
from explorer.walkthrough.steps import load_steps
from tests.apptest import assert_clean, open_page, page_text, unescaped


def warnings(at: AppTest) -> list[str]:
    return [unescaped(w.value) for w in at.warning]


def test_explore_with_an_unknown_actor_warns_and_draws_no_substitute(app_env: None) -> None:
    # Before: the first search hit (North Korea) was drawn instead, without a word.
    at = open_page("explore.py", actors="Nort Korea")
    assert_clean(at)
    assert warnings(at) == ["No actor called 'Nort Korea' — did you mean North Korea (DPRK)?"]
    assert at.multiselect(key="explore_actors").value == []
    assert not at.dataframe
    assert not any("transfers · showing" in c.value for c in at.caption)
    assert any("Pick one or more actors" in i.value for i in at.info)


def test_explore_draws_the_names_that_resolve_and_warns_about_the_rest(app_env: None) -> None:
    at = open_page("explore.py", actors="dprk,Atlantis")
    assert_clean(at)
    assert at.multiselect(key="explore_actors").value == ["north-korea"]
    (warning,) = warnings(at)
    assert warning.startswith("No actor called 'Atlantis'")
    assert "North Korea" in at.dataframe[0].value.to_csv(index=False)


def test_profile_of_an_unknown_actor_warns_and_offers_the_suggestion(app_env: None) -> None:
    # Before: "showing North Korea instead" — another actor's profile.
    at = open_page("profile.py", actor="Nort Korea")
    assert_clean(at)
    assert warnings(at) == ["No actor called 'Nort Korea' — did you mean North Korea (DPRK)?"]
    assert not at.header and not at.dataframe
    at.button(key="profile_open_north-korea").click().run()
    assert_clean(at)
    assert at.query_params["actor"] == "north-korea"
    assert at.header[0].value == "North Korea"


def test_saved_query_with_an_unknown_name_warns_instead_of_no_rows(app_env: None) -> None:
    at = open_page("saved_queries.py", q="weapon_spread", system="Shahed-163")
    assert_clean(at)
    (warning,) = warnings(at)
    assert warning.startswith("No weapon system called 'Shahed-163' (parameter 'system' of "
                              "query 'weapon_spread') — did you mean ")
    assert "Shahed-136" in warning
    assert not any("no rows" in i.value for i in at.info)
    assert not at.dataframe


def test_saved_query_resolves_a_folded_name(app_env: None) -> None:
    at = open_page("saved_queries.py", q="suppliers_of_recipient", recipient="ukraine")
    assert_clean(at)
    text = page_text(at)
    assert "United States" in text and "Iran" not in text


def test_console_warns_about_a_label_that_does_not_exist(app_env: None) -> None:
    # Before: a bare "No rows."
    at = open_page("console.py", cypher="MATCH (n:Actr) RETURN n")
    assert_clean(at)
    assert warnings(at) == ["The server warns: The label `Actr` does not exist. Verify that "
                            "the spelling is correct (line 1, column 10)."]


def test_console_hand_off_from_the_walkthrough_changed_to_ukraine(app_env: None) -> None:
    catalogue = load_catalogue()
    step = next(s for s in load_steps() if s.console)
    text = console_text(step_parameters(step, catalogue))
    assert "recipient=actor:Russia" in text
    edited = text.replace("recipient=actor:Russia", "recipient=actor:ukraine")
    at = open_page("console.py", cypher=catalogue[step.query].cypher, params=edited)
    assert_clean(at)
    suppliers = list(at.dataframe[0].value["supplier"])
    assert suppliers.count("United States") == 1
    assert "Iran" not in suppliers and "North Korea" not in suppliers
    assert any("recipient = actor:ukraine → Ukraine (id ukraine)" in unescaped(c.value)
               for c in at.caption)
    wrong = open_page("console.py", cypher=catalogue[step.query].cypher,
                      params=text.replace("actor:Russia", "actor:Rusia"))
    assert not wrong.exception
    assert any("no actor called 'Rusia'" in unescaped(e.value) for e in wrong.error)


def test_walkthrough_console_link_carries_typed_parameters(app_env: None) -> None:
    steps = load_steps()
    number = next(n for n, s in enumerate(steps, start=1) if s.console)
    at = open_page("walkthrough.py", step=str(number))
    assert_clean(at)
    links = [link for link in at.get("page_link") if "console" in link.proto.page]
    assert len(links) == 1
    handed = parse_qs(links[0].proto.query_string)["params"][0].splitlines()
    # One typed line for the recipient; no hidden recipient_key twin.
    assert "recipient=actor:Russia" in handed
    assert not any(line.split("=", 1)[0].endswith("_key") for line in handed)
