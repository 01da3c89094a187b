"""Explore's incremental exploration: the steps in the address (explorer/graph/exploration.py)
without a database, and the neighbour counts and expansions
(explorer/page_queries/neighbours.py) on the seeded graph."""

from __future__ import annotations

import pytest

from explorer.db import Database
from explorer.graph import exploration as xp
from explorer.graph.model import GraphData
from explorer.page_queries import neighbours as nb
from explorer.page_queries.explore import ExploreFilters, neighbourhood

RELATIONS = {label: [r.key for r in nb.relations_of(label)] for label in nb.LABELS}


# --------------------------------------------------------------------------- the address


def test_steps_round_trip_through_the_address() -> None:
    steps = [
        xp.Step("e", xp.NodeRef("Actor", "russia"), "suppliers"),
        xp.Step("e", xp.NodeRef("Actor", "russia"), "suppliers"),
        xp.Step("h", xp.NodeRef("Actor", "india")),
        # Ids with the separators in them survive (percent-escaped).
        xp.Step("p", xp.NodeRef("WeaponSystem", "odd:id,with.dots")),
        xp.Step("c", xp.NodeRef("Actor", "russia"), "suppliers"),
    ]
    text = xp.steps_text(steps)
    assert text.startswith("e:a:russia:suppliers,e:a:russia:suppliers,h:a:india,p:w:odd%3Aid%2C")
    parsed, problems = xp.parse_steps(text, RELATIONS)
    assert parsed == steps and problems == []
    assert xp.parse_steps("", RELATIONS) == ([], [])


def test_bad_steps_are_named_and_the_good_ones_kept() -> None:
    parsed, problems = xp.parse_steps(
        "e:a:russia:suppliers,zz,x:a:russia,e:a:russia:planets,h:a:india:suppliers,p:q:x,"
        "e:p:place-1:suppliers", RELATIONS)
    assert parsed == [xp.Step("e", xp.NodeRef("Actor", "russia"), "suppliers")]
    assert len(problems) == 6
    assert problems[0].startswith("step 'zz' is not op:label:id[:relation]")
    assert "a Actor has no relation 'planets' (choose " in problems[2]
    assert "suppliers" in problems[2] and "recipients" in problems[2]
    assert problems[3] == "step 'h:a:india:suppliers': hide takes no relation"
    assert "a Place has no relation 'suppliers'" in problems[5]


def test_a_long_link_is_cut_with_a_notice() -> None:
    text = ",".join(["p:a:russia"] * (xp.MAX_STEPS + 5))
    parsed, problems = xp.parse_steps(text, RELATIONS)
    assert len(parsed) == xp.MAX_STEPS
    assert problems == [f"the link holds {xp.MAX_STEPS + 5} exploration steps; the first "
                        f"{xp.MAX_STEPS} are replayed"]


def test_more_asks_for_the_next_page_and_collapse_starts_again() -> None:
    russia = xp.NodeRef("Actor", "russia")
    more = xp.Step("e", russia, "suppliers")
    steps = [more, xp.Step("e", russia, "recipients"), more, more,
             xp.Step("c", russia, "suppliers"), more]
    expands = [i for i, step in enumerate(steps) if step.op == "e"]
    assert [xp.pages_before(steps, i) for i in expands] == [0, 0, 1, 2, 0]


def test_merge_and_restrict() -> None:
    def node(nid: str) -> dict:
        return {"id": nid, "labels": ["Actor"], "properties": {"id": nid, "name": nid}}

    def edge(eid: str, a: str, b: str, deals: int) -> dict:
        return {"id": eid, "type": "TRANSFER", "start": a, "end": b,
                "properties": {"deals": deals}}

    one = GraphData((node("a"), node("b")), (edge("ab", "a", "b", 1),))
    two = GraphData((node("b"), node("c")), (edge("ab", "a", "b", 9), edge("bc", "b", "c", 2)))
    both = xp.merge(one, two)
    assert [n["id"] for n in both.nodes] == ["a", "b", "c"]
    assert {e["id"]: e["properties"]["deals"] for e in both.edges} == {"ab": 1, "bc": 2}
    assert [e["id"] for e in xp.restrict(both, {"b", "c"}).edges] == ["bc"]
    assert xp.find(both, xp.NodeRef("Actor", "c")) == "c"
    assert xp.find(both, xp.NodeRef("Place", "c")) is None


# --------------------------------------------------------------------------- the database


def test_counts_agree_with_the_neighbourhood(loaded_graph: Database) -> None:
    filters = ExploreFilters(("russia",))
    counts = {c.relation.key: c for c in nb.neighbour_counts(loaded_graph, "Actor", "russia",
                                                              filters)}
    assert set(counts) == {"suppliers", "recipients", "systems", "events", "places"}
    hood = neighbourhood(loaded_graph, filters)
    suppliers = {r["supplier"]["properties"]["id"] for r in hood.rows
                 if r["recipient"]["properties"]["id"] == "russia"}
    recipients = {r["recipient"]["properties"]["id"] for r in hood.rows
                  if r["supplier"]["properties"]["id"] == "russia"}
    assert counts["suppliers"].count == len(suppliers) > 0
    assert counts["recipients"].count == len(recipients) > 20
    assert counts["systems"].count > 10
    assert counts["recipients"].text == f"{len(recipients):,} recipients"
    # The page's filters count too: fewer recipients of what was merely sought.
    sought = nb.neighbour_counts(loaded_graph, "Actor", "russia",
                                 ExploreFilters(("russia",), statuses=("sought",)))
    assert {c.relation.key: c.count for c in sought}["recipients"] < len(recipients)


def test_expanding_ranks_and_caps_and_counts_a_weapon_system(loaded_graph: Database) -> None:
    filters = ExploreFilters(("russia",))
    grown = nb.expand(loaded_graph, "Actor", "russia", "recipients", filters, limit=3)
    assert len(grown.neighbours) == 3 and grown.focus is not None
    recipients = {row["recipient"]["properties"]["id"] for row in grown.rows}
    assert len(recipients) == 3 and "russia" not in recipients
    more = nb.expand(loaded_graph, "Actor", "russia", "recipients", filters, limit=6)
    assert more.neighbours[:3] == grown.neighbours  # the next page adds, never reorders

    systems = nb.expand(loaded_graph, "Actor", "russia", "systems", filters, limit=5)
    assert len(systems.neighbours) == 5
    arrows = [row["via"] for row in systems.rows]
    assert {a["type"] for a in arrows} == {nb.VIA_EDGE_TYPE}
    assert all(a["start"] == systems.focus and a["properties"]["deals"] >= 1 for a in arrows)

    # A non-actor node: the weapon system's suppliers include Russia.
    system_id = systems.rows[0]["neighbour"]["properties"]["id"]
    counts = {c.relation.key: c.count
              for c in nb.neighbour_counts(loaded_graph, "WeaponSystem", system_id, filters)}
    assert set(counts) == {"suppliers", "recipients", "transfers", "events", "classes"}
    assert counts["suppliers"] >= 1 and counts["transfers"] >= 1
    back = nb.expand(loaded_graph, "WeaponSystem", system_id, "suppliers", filters)
    assert "russia" in {row["neighbour"]["properties"]["id"] for row in back.rows}
    assert all(row["via"]["end"] == back.focus for row in back.rows)  # supplier -> system


def test_an_unknown_node_or_relation_is_one_sentence(loaded_graph: Database) -> None:
    filters = ExploreFilters(("russia",))
    with pytest.raises(nb.UnknownNode, match="no Actor with id 'atlantis' in the graph"):
        nb.neighbour_counts(loaded_graph, "Actor", "atlantis", filters)
    with pytest.raises(nb.ParameterError, match="a Actor has no relation 'planets'"):
        nb.expand(loaded_graph, "Actor", "russia", "planets", filters)
    with pytest.raises(nb.ParameterError, match="a SavedView cannot be explored"):
        nb.neighbour_counts(loaded_graph, "SavedView", "x", filters)
