"""The dashboard in headless Chromium: every page, the drawn network, saved queries
and shared links, click to act, the XSS probe, and nothing fetched from outside."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import (
    XSS_ID,
    XSS_NAME,
    Traffic,
    charts_drawn,
    click,
    click_button,
    click_node,
    drawn_frames,
    existing_pages,
    graph_nodes,
    no_exception,
    open_page,
    screenshot,
    settle,
    table_cells,
)

pytestmark = pytest.mark.browser

# Pages whose default view draws a network.
DRAWS = {"explore", "saved_queries", "console"}


def test_every_page_opens_offline(dashboard: str, page: Any, traffic: Traffic) -> None:
    pages = existing_pages()
    assert {"home", "explore", "saved_queries", "console"} <= set(pages)
    for name, path in pages.items():
        open_page(page, f"{dashboard}/{path}")
        no_exception(page)
        if name in DRAWS:
            drawn_frames(page)
        else:
            charts_drawn(page)
        assert page.locator('[data-testid="stSidebarNav"]').count() == 1
        screenshot(page, f"page-{name}")
    assert not traffic.external()


def test_explore_draws_the_seed_story(dashboard: str, page: Any) -> None:
    open_page(page, f"{dashboard}/explore?actors=north-korea,russia")
    (frame,) = drawn_frames(page)
    names = {node["label"] for node in graph_nodes(frame)}
    assert {"North Korea", "Russia", "Iran"} <= names
    # Delivered and sought arrows both drawn, styled apart (solid vs dashed).
    styles = frame.evaluate(
        "Object.fromEntries(window.__explorerGraph.edges.get()"
        ".map(e => [e.status, JSON.stringify([e.color.color, e.dashes])]))")
    assert "delivered" in styles and "sought" in styles
    assert styles["delivered"] != styles["sought"]
    cells = table_cells(page)  # the grid renders the rows in view only
    assert "Russia" in cells and "delivered" in cells
    assert page.get_by_text("Source: SIPRI Arms Transfers Database (c) SIPRI").count() >= 1
    assert page.get_by_role("button", name="GraphML").count() == 1
    screenshot(page, "explore-north-korea-russia")
    # The Query tab is drawn when opened: the Cypher and its parameters.
    click(page, page.get_by_role("tab", name="Query"))
    code = page.locator('[data-testid="stCode"]', has_text="MATCH (supplier:Actor)")
    code.wait_for()
    assert '"north-korea"' in page.locator('[data-testid="stCode"]').last.inner_text()


def test_explore_alias_link(dashboard: str, page: Any) -> None:
    open_page(page, f"{dashboard}/explore?actors=DPRK&hops=2")
    (frame,) = drawn_frames(page)
    labels = {node["label"] for node in graph_nodes(frame)}
    assert "North Korea" in labels and "Iran" in labels  # Iran is two hops out, via Russia
    query = parse_qs(urlsplit(page.url).query)
    assert query["actors"] == ["north-korea"] and query["hops"] == ["2"]


def test_clicking_a_node_acts_on_it(dashboard: str, page: Any) -> None:
    open_page(page, f"{dashboard}/explore?actors=north-korea")
    (frame,) = drawn_frames(page)
    russia = next(n for n in graph_nodes(frame) if n["entityId"] == "russia")
    click_node(page, frame, russia["id"])
    page.get_by_text("Selected:").wait_for()
    settle(page)
    assert "Russia" in page.locator('[data-testid="stMarkdown"]', has_text="Selected:").inner_text()
    screenshot(page, "explore-node-selected")
    click_button(page, "Expand neighbours")
    page.wait_for_function("() => location.search.includes('russia')")
    settle(page)
    assert parse_qs(urlsplit(page.url).query)["actors"] == ["north-korea,russia"]
    # In the console too: a click offers to explore from the node.
    open_page(page, f"{dashboard}/console")
    (frame,) = drawn_frames(page)
    russia = next(n for n in graph_nodes(frame) if n["entityId"] == "russia")
    click_node(page, frame, russia["id"])
    selected = page.locator('[data-testid="stMarkdown"]', has_text="Selected:")
    selected.wait_for()
    assert "Russia" in selected.inner_text()
    settle(page)
    click_button(page, "Explore from here")
    # st.switch_page changes the address in place (no page load to wait for).
    page.wait_for_function("() => location.pathname.endsWith('/explore')")
    settle(page)
    assert urlsplit(page.url).query == "actors=russia", page.url
    drawn_frames(page)
    if "profile" in existing_pages():
        open_page(page, f"{dashboard}/explore?actors=north-korea,russia")
        (frame,) = drawn_frames(page)
        iran = next(n for n in graph_nodes(frame) if n["entityId"] == "iran")
        click_node(page, frame, iran["id"])
        page.get_by_text("Selected:").wait_for()
        settle(page)
        click_button(page, "Open profile")
        page.wait_for_function(
            "() => location.pathname.endsWith('/profile') && location.search === '?actor=iran'")
        settle(page)
        no_exception(page)


def test_saved_query_parameter_change_and_shared_link(
    dashboard: str, page: Any, browser: Any
) -> None:
    open_page(page, f"{dashboard}/saved_queries?q=top_suppliers_recipients")
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
    before = _rows_caption(page)
    top = page.get_by_label("top", exact=True)
    top.fill("3")
    click_button(page, "Run query")
    page.wait_for_function("() => new URLSearchParams(location.search).get('top') === '3'")
    settle(page)
    after = _rows_caption(page)
    assert after != before
    click(page, page.get_by_text("Cypher", exact=True))
    page.locator('[data-testid="stCode"]', has_text="$top").wait_for()
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 1
    screenshot(page, "saved-query-chart")

    # A colleague opens the link: same query, same values, same result.
    shared = page.url
    other = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    try:
        open_page(other, shared)
        other.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
        assert _rows_caption(other) == after
        assert other.get_by_label("top", exact=True).input_value() == "3"
        other.reload()
        settle(other)
        other.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
        assert _rows_caption(other) == after
    finally:
        other.context.close()


def _rows_caption(page: Any) -> str:
    caption = page.locator('[data-testid="stCaptionContainer"]', has_text=" rows · ").first
    caption.wait_for()
    return caption.inner_text().split(" · ")[0]


def test_saved_query_graph_and_map(dashboard: str, page: Any) -> None:
    open_page(page, f"{dashboard}/saved_queries?q=actor_neighbourhood&actor=DPRK")
    (frame,) = drawn_frames(page)
    assert "Russia" in {n["label"] for n in graph_nodes(frame)}
    open_page(page, f"{dashboard}/saved_queries?q=map_places")
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(state="attached")
    # Vega draws once the element has its size; then the map has marks on it.
    page.wait_for_function(
        "() => { const c = document.querySelector('[data-testid=stVegaLiteChart] canvas,"
        " [data-testid=stVegaLiteChart] svg'); const r = c && c.getBoundingClientRect();"
        " return r && r.width > 300 && r.height > 200; }")
    screenshot(page, "saved-query-map")


def test_console_refuses_a_write(dashboard: str, page: Any) -> None:
    open_page(page, f"{dashboard}/console?cypher=CREATE+(n:Probe)+RETURN+n")
    alert = page.locator('[data-testid="stAlertContentError"]')
    alert.wait_for()
    assert alert.count() == 1
    assert "CREATE" in alert.inner_text()


def test_xss_probe_renders_as_text(dashboard: str, page: Any, traffic: Traffic) -> None:
    open_page(page, f"{dashboard}/explore?actors={XSS_ID}")
    (frame,) = drawn_frames(page)
    assert XSS_NAME in {n["label"] for n in graph_nodes(frame)}
    # Shown as text in the actor picker and the table, never as an image.
    assert page.get_by_text(XSS_NAME).count() >= 1
    assert XSS_NAME in table_cells(page)
    for each in page.frames:
        assert each.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    probe = next(n for n in graph_nodes(frame) if n["entityId"] == XSS_ID)
    click_node(page, frame, probe["id"])
    page.get_by_text("Selected:").wait_for()
    screenshot(page, "xss-probe-explore")

    open_page(page, f"{dashboard}/console?cypher=MATCH+(a:Actor+{{id:+'{XSS_ID}'}})"
                    "-[r:SUPPLIED]->(t)-[s:TO]->(b)+RETURN+a,r,t,s,b")
    (frame,) = drawn_frames(page)
    assert XSS_NAME in {n["label"] for n in graph_nodes(frame)}
    click(page, page.get_by_role("tab", name="Table"))
    page.wait_for_timeout(500)
    assert any(XSS_NAME in cell for cell in table_cells(page))
    for each in page.frames:
        assert each.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    page.wait_for_timeout(500)
    assert not traffic.dialogs
