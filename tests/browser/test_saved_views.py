"""A view saved from Explore in Chromium reopens from the Saved queries page as the
same picture (explorer/app/saving.py)."""

from __future__ import annotations

from typing import Any

import pytest

from explorer import saved
from explorer.db import Database
from tests.browser.conftest import click, click_button, drawn_frames, no_exception, open_page
from tests.browser.test_explore_drawing import positions

pytestmark = pytest.mark.browser


def test_a_saved_view_reopens_from_its_link_as_the_same_picture(
        dashboard: str, page: Any, db: Database) -> None:
    db.write(lambda tx: tx.run("MATCH (n:SavedView {name: 'iran_rings'}) DELETE n").consume())
    try:
        open_page(page, f"{dashboard}/explore?actors=iran&hops=2&layout=radial")
        no_exception(page)
        (frame,) = drawn_frames(page)
        before = positions(frame)

        click(page, page.get_by_text("Save this view for the team"))
        page.get_by_label("Title", exact=True).fill("Iran, two hops, in rings")
        page.get_by_label("Name", exact=True).fill("iran_rings")
        click_button(page, "Save")
        page.get_by_text("Saved as").wait_for(timeout=30_000)
        [view] = [v for v in saved.saved_views(db) if v.name == "iran_rings"]
        assert "layout=radial" in view.query and "actors=iran" in view.query

        open_page(page, f"{dashboard}/saved_queries")
        click(page, page.get_by_role("link", name="Iran, two hops, in rings"))
        page.wait_for_url("**/explore?*", timeout=30_000)
        open_page(page, page.url)
        no_exception(page)
        (again,) = drawn_frames(page)
        assert positions(again) == before
    finally:
        db.write(lambda tx: tx.run("MATCH (n:SavedView {name: 'iran_rings'}) DELETE n")
                 .consume())
