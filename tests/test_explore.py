"""explorer/page_queries/explore.py: the Explore page's queries, run on the seeded graph, and its
pure helpers without a database."""

from __future__ import annotations

import pytest

from explorer.db import Database
from explorer.errors import ParameterError
from explorer.graph import prepare_graph
from explorer.page_queries import explore
from explorer.page_queries.explore import ExploreFilters, neighbourhood
from explorer.resolve import fetch_names


def transfer_ids(rows: list[dict]) -> set[str]:
    return {row["transfer"]["properties"]["id"] for row in rows}


# --------------------------------------------------------------------------- search


def test_resolve_actors_reports_what_matched_nothing(loaded_graph: Database) -> None:
    table = fetch_names(loaded_graph, "actor")
    found, problems = explore.resolve_actors(table, ["DPRK", "russia", "Atlantis"])
    assert found == ["north-korea", "russia"]
    assert len(problems) == 1 and problems[0].startswith("no actor called 'Atlantis'")


def test_resolve_actors_never_substitutes_a_near_name(loaded_graph: Database) -> None:
    # Before: the first search hit stood in for a misspelt name (North Korea was drawn).
    found, problems = explore.resolve_actors(fetch_names(loaded_graph, "actor"),
                                             ["Nort Korea"])
    assert found == []
    assert problems == ["no actor called 'Nort Korea' — did you mean North Korea (DPRK)?"]


def test_actor_label_carries_the_aliases() -> None:
    label = explore.actor_label({"name": "North Korea", "aliases": ["DPRK", "North Korea"]})
    assert label == "North Korea — DPRK"


# --------------------------------------------------------------------------- neighbourhood


def test_one_hop_is_the_actors_own_transfers(loaded_graph: Database) -> None:
    hood = neighbourhood(loaded_graph, ExploreFilters(("north-korea",)))
    ids = transfer_ids(hood.rows)
    assert {"t-kp-ru-ballistic-missiles", "t-ru-kp-fighter-jets"} <= ids
    for row in hood.rows:
        ends = {row["supplier"]["properties"]["id"], row["recipient"]["properties"]["id"]}
        assert "north-korea" in ends
    graph, notice = prepare_graph(hood.rows, keep=["north-korea"])
    names = {n["properties"]["name"] for n in graph.nodes}
    assert {"North Korea", "Russia"} <= names
    assert not notice.capped


def test_two_hops_reach_the_partners_partners(loaded_graph: Database) -> None:
    one = neighbourhood(loaded_graph, ExploreFilters(("north-korea",), hops=1))
    two = neighbourhood(loaded_graph, ExploreFilters(("north-korea",), hops=2))
    assert transfer_ids(one.rows) < transfer_ids(two.rows)
    assert "russia" in two.actors_by_hop[1]
    assert "t-ir-ru-drones" in transfer_ids(two.rows)  # Iran -> Russia, via Russia


def test_filters_narrow_the_transfers(loaded_graph: Database) -> None:
    sought = neighbourhood(loaded_graph, ExploreFilters(("north-korea",), statuses=("sought",)))
    assert sought.rows
    assert {row["transfer"]["properties"]["status"] for row in sought.rows} == {"sought"}

    aircraft = neighbourhood(
        loaded_graph, ExploreFilters(("russia",), statuses=("sought",), categories=("Aircraft",)))
    assert transfer_ids(aircraft.rows) == {"t-ru-kp-fighter-jets"}

    rich = neighbourhood(loaded_graph, ExploreFilters(("russia",), min_tiv=500.0))
    assert rich.rows
    for row in rich.rows:
        props = row["transfer"]["properties"]
        assert (props.get("tiv_delivered") or props.get("tiv_total") or 0) >= 500

    recent = neighbourhood(loaded_graph, ExploreFilters(("russia",), year_from=2022,
                                                        year_to=2023))
    assert recent.rows
    for row in recent.rows:
        props = row["transfer"]["properties"]
        last = props.get("last_year") or props.get("first_year") or props.get("order_year")
        first = props.get("first_year") or props.get("order_year") or props.get("last_year")
        assert last >= 2022 and first <= 2023


def test_the_row_cap_truncates_with_a_notice(loaded_graph: Database) -> None:
    hood = neighbourhood(loaded_graph, ExploreFilters(("russia",)), row_cap=5)
    assert len(hood.rows) == 5 and hood.truncated
    assert "narrow the filters" in (hood.notice or "")


@pytest.mark.parametrize(
    ("filters", "fragment"),
    [
        (ExploreFilters(()), "at least one actor"),
        (ExploreFilters(("russia",), hops=4), "hops must be between 1 and 3"),
        (ExploreFilters(("russia",), statuses=("bought",)), "unknown status 'bought'"),
        (ExploreFilters(("russia",), statuses=()), "at least one transfer status"),
        (ExploreFilters(("russia",), year_from=2020, year_to=2010), "starts after it ends"),
        (ExploreFilters(("russia",), min_tiv=-1), "cannot be negative"),
    ],
)
def test_bad_filters_are_one_sentence(filters: ExploreFilters, fragment: str) -> None:
    with pytest.raises(ParameterError, match=fragment):
        filters.check()


def test_lists_for_the_filters(loaded_graph: Database) -> None:
    assert "Aircraft" in explore.categories(loaded_graph)
    first, last = explore.year_bounds(loaded_graph)
    assert first is not None and last is not None and first < last
    options = explore.actor_options(loaded_graph)
    korea = next(a for a in options if a["id"] == "north-korea")
    assert "DPRK" in korea["aliases"] and korea["transfers"] > 0
