"""Styling rules (explorer.graph.rules): parsing and validation, what they do to the
node and edge data vis-network draws, the legend that follows them. Pure."""

from __future__ import annotations

import json
import re

import pytest

from explorer.errors import ParameterError
from explorer.graph import (
    ACTOR_STYLES,
    STATUS_STYLES,
    GraphData,
    parse_rules,
    rule_scales,
    rules_from_dicts,
    rules_legend_html,
    rules_text,
    to_pyvis_html,
    vis_data,
)
from explorer.graph.rules import (
    CATEGORY_COLOURS,
    MISSING_WIDTH_PX,
    SIZE_PX,
    WIDTH_PX,
    legend_lines,
)


def actor(eid: str, name: str, kind: str = "state") -> dict:
    return {"id": eid, "labels": ["Actor"],
            "properties": {"id": name.lower(), "name": name, "kind": kind}}


def arrow(start: str, end: str, status: str, tiv: float | None) -> dict:
    return {"id": f"{start}->{end}:{status}", "type": "TRANSFER", "start": start, "end": end,
            "properties": {"status": status, "tiv": tiv, "deals": 1}}


def graph() -> GraphData:
    """Russia (4 partners) supplies much; the Houthis (armed group, 1 partner)."""
    nodes = [actor("a", "Russia"), actor("b", "Iran"), actor("c", "North Korea"),
             actor("d", "Syria"), actor("e", "Houthis", "armed_group")]
    edges = [arrow("a", "b", "delivered", 400.0), arrow("a", "c", "sought", None),
             arrow("a", "d", "delivered", 4.0), arrow("b", "a", "delivered", 100.0),
             arrow("b", "e", "reported", 1.0), arrow("c", "a", "delivered", 25.0)]
    return GraphData(nodes=tuple(nodes), edges=tuple(edges))


def by_id(items: list[dict]) -> dict[str, dict]:
    return {item["id"]: item for item in items}


def test_rules_round_trip_as_text_and_json() -> None:
    text = "size:Actor.partners,width:TRANSFER.tiv,color:Actor.kind,color:TRANSFER.status"
    rules = parse_rules(text)
    assert rules_text(rules) == text
    assert rules_from_dicts(json.loads(json.dumps([r.as_dict() for r in rules]))) == rules
    assert parse_rules("") == () and parse_rules(" , ") == ()


@pytest.mark.parametrize(("text", "message"), [
    ("size:Actr.partners", "no node label or arrow type 'Actr' — choose one of Actor"),
    ("size:Actor.region", "Actor has no property 'region' to size by — choose one of "
                          "partners, tiv_supplied, tiv_received"),
    ("size:Actor.kind", "kind is a category and size needs a number"),
    ("size:TRANSFER.tiv", "size applies to node labels; for arrows use width"),
    ("width:Actor.partners", "width applies to arrow types"),
    ("glow:Actor.kind", "unknown target 'glow' — use color, size or width"),
    ("Actor.kind", "must read target:Label.property, e.g. width:TRANSFER.tiv"),
    ("size:Actor.partners,size:Actor.tiv_supplied", "both set the size of Actor; keep one"),
])
def test_a_bad_rule_is_one_clear_sentence(text: str, message: str) -> None:
    with pytest.raises(ParameterError) as caught:
        parse_rules(text)
    assert message in str(caught.value)
    assert not re.search(r"\. [A-Z]", str(caught.value))  # one sentence
    assert "\n" not in str(caught.value)


def test_node_size_by_partners_changes_the_drawn_sizes() -> None:
    plain, _ = vis_data(graph())
    nodes, _ = vis_data(graph(), rules=parse_rules("size:Actor.partners"))
    plain, nodes = by_id(plain), by_id(nodes)
    # Russia has 3 partners (Iran, North Korea, Syria), the Houthis 1.
    assert nodes["a"]["size"] == SIZE_PX[1]
    assert nodes["e"]["size"] < nodes["b"]["size"] < nodes["a"]["size"]
    assert nodes["e"]["size"] == pytest.approx(8 + 32 * (1 / 3) ** 0.5, abs=0.01)
    assert nodes["a"]["size"] != plain["a"]["size"]
    assert nodes["a"]["rule_value"] == {"size": 3.0}


def test_edge_width_by_tiv_changes_the_drawn_widths() -> None:
    _, plain = vis_data(graph())
    _, edges = vis_data(graph(), rules=parse_rules("width:TRANSFER.tiv"))
    plain, edges = by_id(plain), by_id(edges)
    assert edges["a->b:delivered"]["width"] == WIDTH_PX[1]  # the largest TIV, 400
    assert edges["a->d:delivered"]["width"] == pytest.approx(1 + 11 * (4 / 400) ** 0.5, abs=0.01)
    assert edges["a->c:sought"]["width"] == MISSING_WIDTH_PX  # no TIV
    assert edges["a->b:delivered"]["width"] != plain["a->b:delivered"]["width"]
    # The status still reads from the line pattern.
    assert edges["a->c:sought"]["dashes"] == list(STATUS_STYLES["sought"].dashes)


def test_colour_by_category_changes_the_drawn_colours() -> None:
    nodes, edges = vis_data(graph(), rules=parse_rules("color:Actor.kind,color:TRANSFER.status"))
    nodes, edges = by_id(nodes), by_id(edges)
    # Four states, one armed group: the commonest value takes the first colour.
    assert nodes["a"]["color"]["background"] == CATEGORY_COLOURS[0]
    assert nodes["e"]["color"]["background"] == CATEGORY_COLOURS[1]
    assert nodes["e"]["shape"] == ACTOR_STYLES["armed_group"].shape  # the kind stays as shape
    assert edges["a->b:delivered"]["color"]["color"] == CATEGORY_COLOURS[0]
    assert edges["a->c:sought"]["color"]["color"] != edges["a->b:delivered"]["color"]["color"]


def test_colour_by_number_uses_steps() -> None:
    nodes, _ = vis_data(graph(), rules=parse_rules("color:Actor.tiv_supplied"))
    nodes = by_id(nodes)
    assert nodes["a"]["color"]["background"] != nodes["d"]["color"]["background"]
    assert nodes["a"]["color"]["background"] == "#440154"  # the top step: 404 supplied


def test_the_page_carries_the_restyled_data() -> None:
    page = to_pyvis_html(graph(), rules=parse_rules("width:TRANSFER.tiv"))
    edges = json.loads(re.search(r"var edgeData = (\[.*?\]);\n", page).group(1))
    assert max(e["width"] for e in edges) == WIDTH_PX[1]


def test_the_legend_says_what_each_rule_means_with_the_range() -> None:
    rules = parse_rules("size:Actor.partners,width:TRANSFER.tiv,color:Actor.kind")
    lines = legend_lines(rule_scales(graph(), rules))
    size, width, colour = (line["text"] for line in lines)
    assert size.startswith("Size of Actor nodes by number of partners drawn: 1 to 3, drawn")
    assert "40 px" in size and "square root" in size
    assert width.startswith("Line width of TRANSFER arrows by TIV (millions): 1 to 400")
    assert ("no value (1)", MISSING_WIDTH_PX) in lines[1]["swatches"]
    assert colour.startswith("Colour of Actor nodes by kind")
    assert [s[0] for s in lines[2]["swatches"]] == ["state (4)", "armed_group (1)"]
    page = rules_legend_html(rule_scales(graph(), rules))
    assert "1 to 400" in page and "<script" not in page


def test_a_hostile_category_value_is_escaped_in_the_legend() -> None:
    hostile = GraphData(nodes=(actor("x", "X", "<img src=x onerror=alert(1)>"),))
    page = rules_legend_html(rule_scales(hostile, parse_rules("color:Actor.kind")))
    assert "<img" not in page and "&lt;img" in page
