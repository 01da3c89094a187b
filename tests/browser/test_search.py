"""The search box in headless Chromium: type, see the hits, click one, land on the thing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import click, no_exception, open_page, screenshot, settle

pytestmark = pytest.mark.browser


def search(page: Any, text: str) -> None:
    box = page.get_by_role("textbox", name="Search the graph")
    box.fill(text)
    box.press("Enter")
    settle(page)


def test_900_km_jumps_to_the_missile(dashboard: str, page: Any) -> None:
    open_page(page, f"{dashboard}/sources")
    search(page, "900 km")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("about 900 km (560 miles)", exact=False).first.wait_for()
    click(page, sidebar.get_by_role("link", name="North Korean ballistic missile"))
    page.wait_for_function("() => location.pathname.endsWith('/weapon')")
    settle(page)
    no_exception(page)
    assert "system=ws-kp-ballistic-missile" in page.url
    main = page.locator('[data-testid="stMain"]')
    main.get_by_role("heading", name="North Korean ballistic missile").wait_for()
    assert main.get_by_text("Range about 900 km", exact=False).count() == 1
    # The box keeps its text on the new page, with the same hits.
    assert page.get_by_role("textbox", name="Search the graph").input_value() == "900 km"
    screenshot(page, "search-900-km-weapon")


def test_alias_and_place_spelling(dashboard: str, page: Any) -> None:
    open_page(page, f"{dashboard}/")
    search(page, "Geran-2")
    sidebar = page.locator('[data-testid="stSidebar"]')
    click(page, sidebar.get_by_role("link", name="Shahed-136").first)
    page.wait_for_function("() => location.search.includes('ws-shahed-136')")
    settle(page)
    no_exception(page)
    page.locator('[data-testid="stMain"]').get_by_role("heading", name="Shahed-136").wait_for()

    search(page, "Zaporizhia")
    click(page, sidebar.get_by_role("link", name="Zaporizhzhia region").first)
    page.wait_for_function("() => location.pathname.endsWith('/map')")
    settle(page)
    no_exception(page)


def test_punctuation_only_warns(dashboard: str, page: Any) -> None:
    open_page(page, f"{dashboard}/")
    search(page, '("')
    page.locator('[data-testid="stSidebar"]').get_by_text(
        "has no letters or digits", exact=False).wait_for()
    no_exception(page)
    page.locator('[data-testid="stMain"]').get_by_role(
        "heading", name="Arms-transfer graph explorer").wait_for()
