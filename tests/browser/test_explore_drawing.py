"""Explore's drawing in headless Chromium: the three layouts, a styling rule, and the
PNG download with its provenance footer."""

from __future__ import annotations

import struct
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import (
    SCREENSHOTS,
    click,
    click_button,
    click_node,
    drawn_frames,
    graph_nodes,
    no_exception,
    open_page,
    screenshot,
    settle,
)

pytestmark = pytest.mark.browser

SIPRI_LINE = "Source: SIPRI Arms Transfers Database (c) SIPRI"
VIEW = "explore?actors=russia"


def positions(frame: Any) -> dict[str, tuple[float, float]]:
    """Where each node is drawn, by graph id (element ids differ between runs)."""
    drawn = frame.evaluate(
        "(() => { const g = window.__explorerGraph; const at = g.network.getPositions();"
        " return g.nodes.get().map(n => [n.entity_id, at[n.id].x, at[n.id].y]); })()")
    return {entity: (round(x, 1), round(y, 1)) for entity, x, y in drawn}


def draw(page: Any, url: str) -> Any:
    open_page(page, url)
    no_exception(page)
    (frame,) = drawn_frames(page)
    return frame


def test_each_layout_draws_deterministically(dashboard: str, page: Any) -> None:
    pictures = {}
    for layout in ("force", "hierarchical", "radial"):
        frame = draw(page, f"{dashboard}/{VIEW}&layout={layout}")
        pictures[layout] = positions(frame)
        assert len(pictures[layout]) > 20
        # The same view drawn again, in a fresh page load: the same positions.
        again = draw(page, f"{dashboard}/{VIEW}&layout={layout}")
        assert positions(again) == pictures[layout]
    assert pictures["force"] != pictures["hierarchical"] != pictures["radial"]
    assert pictures["force"] != pictures["radial"]

    # Rings: Russia, the focus, in the centre; every partner on one ring around it.
    radial = pictures["radial"]
    assert radial["russia"] == (0.0, 0.0)
    radii = [(x * x + y * y) ** 0.5 for name, (x, y) in radial.items() if name != "russia"]
    assert max(radii) - min(radii) < 1.0 and min(radii) > 100  # one ring (positions to 0.1 px)
    # Tiers: Russia supplies far more partners than it receives from, so it sits
    # above the recipients of its arms (India is one in the SIPRI test data).
    tiers = pictures["hierarchical"]
    bottom = max(y for _, y in tiers.values())
    assert tiers["russia"][1] < bottom
    assert tiers["india"][1] > tiers["russia"][1]

    # For the manual: North Korea's two-hop neighbourhood in tiers and in rings.
    for layout in ("hierarchical", "radial"):
        draw(page, f"{dashboard}/explore?actors=north-korea&hops=2&layout={layout}")
        screenshot(page, f"explore-{layout}")


def test_the_layout_picker_is_kept_in_the_address(dashboard: str, page: Any) -> None:
    frame = draw(page, f"{dashboard}/{VIEW}")
    before = positions(frame)
    click(page, page.locator('[data-testid="stSidebar"] button',
                             has_text="Rings around the focus"))
    page.wait_for_function("() => location.search.includes('layout=radial')")
    settle(page)
    (frame,) = drawn_frames(page)
    assert positions(frame) != before
    assert positions(frame)["russia"] == (0.0, 0.0)
    assert parse_qs(urlsplit(page.url).query)["layout"] == ["radial"]


def test_expanding_moves_nothing_already_drawn(dashboard: str, page: Any) -> None:
    frame = draw(page, f"{dashboard}/explore?actors=north-korea")
    before = positions(frame)
    russia = next(n for n in graph_nodes(frame) if n["entityId"] == "russia")
    click_node(page, frame, russia["id"])
    page.get_by_text("Selected:").wait_for()
    settle(page)
    click_button(page, "Expand neighbours")
    page.wait_for_function("() => location.search.includes('russia')")
    settle(page)
    (frame,) = drawn_frames(page)
    after = positions(frame)
    assert len(after) > len(before) + 20  # Russia's partners joined the drawing
    assert {name: after[name] for name in before} == before
    # The link reproduces the grown picture, not a fresh layout of it.
    again = draw(page, page.url)
    assert positions(again) == after


def edge_widths(frame: Any) -> list[float]:
    return sorted(frame.evaluate("window.__explorerGraph.edges.get().map(e => e.width)"))


def node_sizes(frame: Any) -> dict[str, float]:
    return dict(frame.evaluate(
        "window.__explorerGraph.nodes.get().map(n => [n.entity_id, n.size])"))


def legend_text(page: Any) -> str:
    for frame in page.frames:
        try:
            text = frame.evaluate("document.querySelector('.explorer-legend') ?"
                                  " document.body.innerText : ''")
        except Exception:  # a frame being replaced by a rerun
            continue
        if text:
            return text
    raise AssertionError("no legend frame found")


def test_a_styling_rule_changes_the_drawing(dashboard: str, page: Any) -> None:
    plain = draw(page, f"{dashboard}/{VIEW}")
    widths, sizes = edge_widths(plain), node_sizes(plain)
    assert "Line width grows with TIV" in legend_text(page)

    styled = draw(page, f"{dashboard}/{VIEW}&style=width:TRANSFER.tiv")
    assert edge_widths(styled) != widths
    assert max(edge_widths(styled)) == 12.0  # the largest TIV gets the widest line
    legend = legend_text(page)
    assert "Line width of TRANSFER arrows by TIV (millions): " in legend
    assert "Line width grows with TIV" not in legend  # the rule replaces the default note

    # Picked in the sidebar: the rule reaches the address and the drawing.
    box = page.get_by_role("combobox", name="Actor size by")
    click(page, box)
    page.get_by_role("option", name="number of partners drawn").click()
    page.wait_for_function("() => location.search.includes('size%3AActor.partners')"
                           " || location.search.includes('size:Actor.partners')")
    settle(page)
    (frame,) = drawn_frames(page)
    resized = node_sizes(frame)
    assert resized != sizes
    assert resized["russia"] == 40.0  # the focus has the most partners
    style = parse_qs(urlsplit(page.url).query)["style"][0]
    assert set(style.split(",")) == {"width:TRANSFER.tiv", "size:Actor.partners"}
    assert "Size of Actor nodes by number of partners drawn: 1 to " in legend_text(page)
    screenshot(page, "explore-styling-rules")


def test_a_bad_rule_in_a_link_is_said(dashboard: str, page: Any) -> None:
    frame = draw(page, f"{dashboard}/{VIEW}&style=size:Actor.region")
    warning = page.locator('[data-testid="stAlert"]', has_text="has no property 'region'")
    warning.wait_for()
    assert "no styling rule from the link is applied" in warning.inner_text()
    assert frame is not None and graph_nodes(frame)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_the_png_downloads_with_its_sources(dashboard: str, page: Any, tmp_path: Any) -> None:
    frame = draw(page, f"{dashboard}/explore?actors=north-korea,russia&layout=hierarchical")
    component = frame.parent_frame
    button = component.locator("#png")
    button.wait_for(state="visible")
    with page.expect_download() as caught:
        button.click()
    download = caught.value
    assert download.suggested_filename == "explore-neighbourhood.png"
    path = tmp_path / "drawing.png"
    download.save_as(path)
    data = path.read_bytes()
    (SCREENSHOTS / "explore-download.png").write_bytes(data)  # to look at
    width, height = png_size(data)
    assert width >= 800 and height > 620  # the drawing, plus the footer under it
    assert len(data) > 20_000  # a picture, not a blank page
    painted = frame.evaluate("window.__explorerPng")
    assert (painted["width"], painted["height"]) == (width, height)
    footer = " ".join(line.strip() for line in painted["footer"])
    assert "query: explore: actor neighbourhood" in footer
    assert "source: SIPRI Arms Transfers Database" in footer
    assert SIPRI_LINE in footer
    # The article behind the seed story is credited too.
    assert "source: " in footer and footer.count("source: ") >= 2
