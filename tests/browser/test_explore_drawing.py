"""Explore's drawing in headless Chromium: the three layouts, a styling rule, and the
PNG download with its provenance footer."""

from __future__ import annotations

import re
import struct
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from explorer.bench.render import component_timings, format_text
from tests.browser.conftest import (
    SCREENSHOTS,
    click,
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


def rev(frame: Any) -> str:
    return frame.evaluate("document.body.dataset.rev || ''")


def redrawn(page: Any, frame: Any, before: str, url_part: str | None = None) -> Any:
    """After a click that reruns the page: the address changed as expected, the run
    ended, and the same drawing frame drew a new revision (in place)."""
    if url_part is not None:
        page.wait_for_function("(part) => decodeURIComponent(location.search).includes(part)",
                               arg=url_part)
    settle(page)
    frame.wait_for_function(
        "(rev) => document.body.dataset.drawn === 'true' && document.body.dataset.rev !== rev",
        arg=before)
    return frame


def shot(page: Any, name: str) -> None:
    """The page as shown (conftest's ``screenshot`` grows the viewport to the whole
    page, which resizes the drawing under vis-network)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(5, 5)  # no tooltip over the picture
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


ALL_IN_VIEW = (
    "() => { const net = window.__explorerGraph.network;"
    " const box = document.getElementById('explorer-graph');"
    " return Object.values(net.getPositions()).every(p => { const d = net.canvasToDOM(p);"
    " return d.x >= 0 && d.y >= 0 && d.x <= box.clientWidth && d.y <= box.clientHeight;"
    " }); }")


def eventually(page: Any, check: Any, what: str, timeout_s: float = 15.0) -> None:
    """Wait until ``check()`` holds: a rerun may send an intermediate drawing before
    the one the step asked for, and the frame shows each in turn."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not so after {timeout_s:.0f} s")
        page.wait_for_timeout(100)


def wait_all_in_view(frame: Any, timeout_ms: int = 10_000) -> None:
    """Every drawn node's centre ends up inside the drawing's box (the view is set
    as the drawing lands, a frame later than the data on a busy machine)."""
    try:
        frame.wait_for_function(ALL_IN_VIEW, timeout=timeout_ms)
    except Exception as error:  # Playwright's TimeoutError: say what was not seen
        raise AssertionError(f"some nodes stayed outside the view for {timeout_ms} ms") \
            from error


def select(page: Any, frame: Any, entity: str) -> None:
    """Click the drawn node with this domain id (fitted into view first) and wait
    for the page to offer its neighbours."""
    node = next(n for n in graph_nodes(frame) if n["entityId"] == entity)
    frame.evaluate("window.__explorerGraph.network.fit({animation: false})")
    click_node(page, frame, node["id"])
    page.locator('[data-testid="stMarkdown"]', has_text="Selected:").wait_for()
    settle(page)


def relation_button(page: Any, noun: str) -> Any:
    """The button offering a relation with its count: '23 suppliers' (its accessible
    name may start with the icon's ligature)."""
    return page.get_by_role("button", name=re.compile(rf"(^|\D)\d[\d,]* {noun}$"))


def test_exploring_step_by_step_moves_nothing_and_survives_a_reload(
        dashboard: str, page: Any) -> None:
    # Tall enough for the selection, the toolbar and the drawing: the pictures for
    # the manual are taken as shown, without resizing the page under the drawing.
    page.set_viewport_size({"width": 1440, "height": 1400})
    frame = draw(page, f"{dashboard}/explore?actors=north-korea")
    before = positions(frame)

    # An actor: its neighbours by kind, with counts; expanding adds, in place.
    select(page, frame, "russia")
    recipients = relation_button(page, "recipients")
    count = int(re.search(r"(\d[\d,]*) recipients", recipients.inner_text()).group(1)
                .replace(",", ""))
    assert count > 20
    for noun in ("suppliers", "weapon systems"):
        assert relation_button(page, noun).count() == 1
    old = rev(frame)
    click(page, recipients)
    redrawn(page, frame, old, "e:a:russia:recipients")
    assert frame.evaluate("window.__explorerTiming.mode") == "updated"  # not redrawn anew
    grown = positions(frame)
    assert len(grown) > len(before)
    assert {name: grown[name] for name in before} == before  # nothing placed moved
    wait_all_in_view(frame)  # the view zoomed out to show the new nodes
    # The cap: the first 25, and the rest one click away.
    assert len(set(grown) - set(before)) <= 25
    more = page.get_by_role("button", name=re.compile(r"\+\d[\d,]* more$"))
    assert more.count() == (1 if count > 25 else 0)
    if count > 25:
        assert more.inner_text().strip().endswith(f"+{count - 25:,} more")

    shot(page, "explore-expand")

    # A weapon system, reached through Russia's transfers: a non-actor node.
    old = rev(frame)
    click(page, relation_button(page, "weapon systems"))
    redrawn(page, frame, old, "e:a:russia:systems")
    systems = [n for n in frame.evaluate(
        "window.__explorerGraph.nodes.get().map(n => [n.entity_id, n.node_label])")
        if n[1] == "WeaponSystem"]
    assert systems
    placed = positions(frame)
    system = systems[0][0]
    select(page, frame, system)
    assert "WeaponSystem" in page.locator('[data-testid="stMarkdown"]',
                                          has_text="Selected:").inner_text()
    assert relation_button(page, "suppliers?").count() == 1  # counts offered for it too
    assert relation_button(page, "transfers?").count() == 1
    shot(page, "explore-weapon-system-neighbours")

    # Pin it, then expand it: the pinned node and everything placed stay put.
    old = rev(frame)
    click(page, page.get_by_role("button", name="Pin", exact=True))
    redrawn(page, frame, old, f"p:w:{system}")
    fixed = frame.evaluate(
        "(id) => window.__explorerGraph.nodes.get().find(n => n.entity_id === id).fixed", system)
    assert fixed == {"x": True, "y": True}
    old = rev(frame)
    click(page, relation_button(page, "recipients?"))
    redrawn(page, frame, old, f"e:w:{system}:recipients")
    after = positions(frame)
    assert {name: after[name] for name in placed} == placed

    # Hide India, then undo: it comes back where it was.
    select(page, frame, "india")
    old = rev(frame)
    click(page, page.get_by_role("button", name="Hide", exact=True))
    redrawn(page, frame, old, "h:a:india")
    eventually(page, lambda: "india" not in positions(frame), "India hidden")
    old = rev(frame)
    click(page, page.get_by_role("button", name="Undo", exact=True))
    page.wait_for_function("() => !decodeURIComponent(location.search).includes('h:a:india')")
    redrawn(page, frame, old)
    eventually(page, lambda: positions(frame) == after, "the drawing as before hiding India")

    # The address holds the exploration: a reload draws the same picture.
    again = draw(page, page.url)
    assert positions(again) == after
    no_exception(page)


def test_a_bad_exploration_in_a_link_is_said(dashboard: str, page: Any) -> None:
    frame = draw(page, f"{dashboard}/explore?actors=north-korea"
                       "&x=e:a:russia:recipients,e:a:atlantis:suppliers,zz")
    shown = page.locator('[data-testid="stAlert"]')
    text = " ".join(shown.all_inner_texts())
    assert "step 'zz' is not op:label:id[:relation]" in text
    assert "step 'e:a:atlantis:suppliers'" in text and "not in the drawing" in text
    assert len(positions(frame)) > 10  # the good step is drawn, not an empty picture
    page.wait_for_function("() => !location.search.includes('atlantis')")


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


def test_the_render_bench_times_the_component(browser: Any) -> None:
    # A static server of the component folder: the drawing frame draws the data it
    # is sent, and the old self-contained page draws too.
    (row,) = component_timings((40,), runs=2, browser=browser)
    assert row["nodes"] == 40
    assert 0 < row["data_frame_ms"] <= row["data_ms"] and row["page_ms"] > 0
    assert row["grow_ms"] > 0
    assert row["data_kb"] * 5 < row["page_kb"]  # vis-network no longer travels with it
    assert "Component (headless Chromium" in format_text({"html": [], "component": [row]})
