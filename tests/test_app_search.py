"""The search box (in the router's sidebar, on every page) and the weapon-system
profile page, run by Streamlit's AppTest through the router against the test
server with the seeds and the full SIPRI export loaded."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import assert_clean, open_page, unescaped
from tests.apptest import page_text as shared_page_text

SEARCH_KEY = "app_search_text"


def page_text(at: AppTest) -> str:
    # Bold markers out, so a line reads as the user sees it.
    return shared_page_text(at).replace("**", "")


def search(at: AppTest, text: str) -> AppTest:
    at.sidebar.text_input(key=SEARCH_KEY).input(text).run()
    return at


def links(at: AppTest) -> list[tuple[str, str, dict[str, list[str]]]]:
    """(label, page, query parameters) of every page link in the sidebar."""
    return [(unescaped(link.proto.label),
             link.proto.page.rsplit("/", 1)[-1].removesuffix(".py"),
             parse_qs(link.proto.query_string))
            for link in at.sidebar.get("page_link")]


# --------------------------------------------------------------------------- the search box


@pytest.mark.parametrize("page", ["home.py", "weapon.py", "sources.py", "saved_queries.py"])
def test_every_page_has_the_search_box(app_env: None, page: str) -> None:
    at = open_page(page)
    assert_clean(at)
    assert at.sidebar.text_input(key=SEARCH_KEY).label == "Search the graph"


def test_900_km_links_to_the_missile_with_the_quote(app_env: None) -> None:
    at = search(open_page("home.py"), "900 km")
    assert_clean(at)
    label, page, params = links(at)[0]
    assert label == "North Korean ballistic missile"
    assert page == "weapon" and params == {"system": ["ws-kp-ballistic-missile"]}
    captions = unescaped("\n".join(c.value for c in at.sidebar.caption))
    assert "quote" in captions and "about a weapon system" in captions
    assert "about 900 km (560 miles)" in captions
    # The page under the box still ran.
    assert at.title[0].value


def test_an_alias_and_a_place_spelling_link_to_the_thing(app_env: None) -> None:
    at = search(open_page("home.py"), "Geran-2")
    label, page, params = links(at)[0]
    assert (label, params) == ("Shahed-136", {"system": ["ws-shahed-136"]})
    assert "alias: Geran-2" in unescaped("\n".join(c.value for c in at.sidebar.caption))
    search(at, "Zaporizhia")
    label, page, params = links(at)[0]
    assert label == "Zaporizhzhia region"
    assert page == "map" and params == {"place": ["pl-zaporizhzhia-region"]}
    assert any(p == "timeline" for _, p, _ in links(at))


def test_an_actor_hit_opens_the_profile(app_env: None) -> None:
    at = search(open_page("home.py"), "Kirby")
    assert ("John Kirby", "profile", {"actor": ["john-kirby"]}) in links(at)


@pytest.mark.parametrize("text", ["(", '"', "!!"])
def test_punctuation_only_is_a_visible_warning_and_the_page_still_renders(
    app_env: None, text: str
) -> None:
    at = search(open_page("home.py"), text)
    assert not at.exception
    warnings = [unescaped(w.value) for w in at.sidebar.warning]
    assert any("type a name, alias or words from a quote to search for" in w
               and "has no letters or digits" in w for w in warnings), warnings
    assert at.title and at.title[0].value  # Home rendered below


def test_nothing_found_says_so(app_env: None) -> None:
    at = search(open_page("home.py"), "qqqzzzxxy")
    assert_clean(at)
    assert any("Nothing in the graph matches “qqqzzzxxy”" in unescaped(i.value)
               for i in at.sidebar.info)
    assert not links(at)


# --------------------------------------------------------------------------- the weapon page


def test_weapon_page_shows_hwasong_11(app_env: None) -> None:
    at = open_page("weapon.py", system="ws-hwasong-11")
    assert_clean(at)
    assert unescaped(at.header[0].value) == "Hwasong-11"
    text = page_text(at)
    assert "also called KN-23" in text
    assert ("class short-range ballistic missile  →  ballistic missile  →  "
            "surface-to-surface missile  →  missile") in text
    assert "Range not recorded in the graph." in text
    assert "North Korean ballistic missile (a ballistic missile, unnamed in the reporting): " \
           "about 900 km" in text
    assert "Fath-360 and Hwasong-11 are short-range ballistic missiles" in text
    flows = at.dataframe[0].value
    row = flows[(flows["supplier"] == "North Korea") & (flows["recipient"] == "Russia")]
    assert row[["deals", "ordered", "delivered", "TIV delivered", "years delivered"]] \
        .values.tolist() == [[1, 100, 100, 250.0, "2023–2024"]]
    assert "Source: SIPRI Arms Transfers Database (c) SIPRI" in text
    assert at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")


def test_weapon_page_opens_by_alias(app_env: None) -> None:
    at = open_page("weapon.py", system="KN-23")
    assert_clean(at)
    assert unescaped(at.header[0].value) == "Hwasong-11"


def test_weapon_page_shows_the_range_claims_and_events(app_env: None) -> None:
    at = open_page("weapon.py", system="ws-kp-ballistic-missile")
    assert_clean(at)
    text = page_text(at)
    assert "Range about 900 km — “He assessed that these North Korean ballistic missiles " \
           "range is about 900 km (560 miles).”" in text
    claims = at.table[1].value
    assert {"quote", "said by", "as of"} <= set(claims.columns)
    said = dict(zip(claims["said by"].map(unescaped), claims["as of"].map(unescaped),
                    strict=True))
    assert said["the White House (John Kirby, citing declassified information)"] \
        .startswith("2024-04-04")
    assert "North Korean ballistic missile lands in an open field in the Zaporizhzhia region" \
        in text
    assert "SIPRI records no deal of this system." in text


def test_unknown_system_is_a_visible_warning_not_a_blank_page(app_env: None) -> None:
    at = open_page("weapon.py", system="Shahed-163")
    assert not at.exception
    warnings = [unescaped(w.value) for w in at.warning]
    assert any("No weapon system called 'Shahed-163'" in w and "did you mean" in w
               and "Shahed-136" in w for w in warnings), warnings
    # No other system is quietly shown in its place; the picker is there to choose one.
    assert not at.header
    assert at.selectbox(key="weapon_system").value is None
    at.selectbox(key="weapon_system").select("ws-shahed-136").run()
    assert_clean(at)
    assert unescaped(at.header[0].value) == "Shahed-136"


def test_a_search_link_to_a_source_opens_its_entry(app_env: None) -> None:
    at = open_page("sources.py", source="src-article-north-korea-role-ukraine")
    assert_clean(at)
    assert any("Opened below" in unescaped(i.value) and "North Korea" in unescaped(i.value)
               for i in at.info)
    opened = [e for e in at.expander if "North Korea’s Role" in unescaped(e.label)]
    assert opened and opened[0].proto.expanded
    unknown = open_page("sources.py", source="src-nope")
    assert any("No source has the id “src-nope”" in unescaped(w.value) for w in unknown.warning)


def test_a_search_link_to_a_place_names_what_happened_there(app_env: None) -> None:
    at = open_page("map.py", place="pl-zaporizhzhia-region")
    assert_clean(at)
    text = " ".join(unescaped(i.value) for i in at.info)
    assert "Zaporizhzhia" in text and "2023-12-30 (year inferred)" in text
    unknown = open_page("map.py", place="pl-nope")
    assert any("“pl-nope”" in unescaped(w.value) for w in unknown.warning)


def test_a_search_link_to_an_event_opens_the_timeline_of_its_actors(app_env: None) -> None:
    at = open_page("timeline.py", event="ev-2023-12-30-north-korean-missile-strike")
    assert_clean(at)
    assert set(at.multiselect(key="timeline_actors").value) == {"russia", "ukraine"}
    text = " ".join(unescaped(i.value) for i in at.info)
    assert "2023-12-30 (year inferred)" in text and "Zaporizhzhia" in text
    unknown = open_page("timeline.py", event="ev-nope")
    assert any("“ev-nope”" in unescaped(w.value) for w in unknown.warning)


def test_an_event_link_followed_later_in_the_session_still_opens_on_its_actors(
    app_env: None,
) -> None:
    at = open_page("timeline.py")
    assert set(at.multiselect(key="timeline_actors").value) == {
        "north-korea", "russia", "iran", "ukraine"}
    at.query_params["event"] = "ev-2023-12-30-north-korean-missile-strike"
    at.run()
    assert_clean(at)
    assert set(at.multiselect(key="timeline_actors").value) == {"russia", "ukraine"}


def test_the_timeline_credits_sipri_only_when_it_draws_sipri_bars(app_env: None) -> None:
    sipri = "SIPRI Arms Transfers Database (c) SIPRI"
    at = open_page("timeline.py")
    assert any(sipri in c.value for c in at.caption)
    # Ukraine alone: its events, no transfer between picked actors, so no SIPRI bar.
    at.multiselect(key="timeline_actors").set_value(["ukraine"]).run()
    assert_clean(at)
    assert not any(sipri in c.value for c in at.caption)
