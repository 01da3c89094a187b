"""The console's Cypher editor in Chromium: it completes the graph's own labels,
runs what is typed, and marks the server's syntax error at its line and column —
all from assets on 127.0.0.1 (the ``page`` fixture fails on any other request)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.browser.conftest import no_exception, open_page, screenshot, settle, table_cells

pytestmark = pytest.mark.browser


def editor_frame(page: Any, timeout_s: float = 30.0) -> Any:
    """The editor component's frame, once Ace is drawn in it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "code_editor" in frame.url:
                try:
                    if frame.evaluate("!!document.querySelector('.ace_content')"):
                        return frame
                except Exception:  # a frame being replaced by a rerun
                    pass
        page.wait_for_timeout(200)
    raise AssertionError("the Cypher editor did not appear")


def replace_text(page: Any, frame: Any, text: str) -> None:
    """Select all in the editor and type ``text`` as a person would, line by line."""
    frame.locator(".ace_editor:not(.ace_autocomplete) .ace_content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    for i, line in enumerate(text.split("\n")):
        if i:
            page.keyboard.press("Escape")  # close a completion popup, or Enter picks from it
            page.keyboard.press("Enter")
        page.keyboard.type(line, delay=15)


def editor_text(frame: Any) -> str:
    return frame.evaluate("ace.edit(document.querySelector('.ace_editor')).getValue()")


def submit(page: Any) -> None:
    page.keyboard.press("Escape")
    page.keyboard.press("Control+Enter")
    settle(page)


def errors(page: Any) -> list[str]:
    return page.locator('[data-testid="stAlertContentError"]').all_inner_texts()


def test_the_editor_completes_runs_and_marks_errors(dashboard: str, page: Any) -> None:
    open_page(page, f"{dashboard}/console")
    no_exception(page)
    frame = editor_frame(page)
    # Highlighting: the example's comment and keywords are coloured tokens.
    # (Ace loads the mode after drawing the text, so wait for the first coloured token.)
    frame.locator(".ace_comment").first.wait_for(timeout=10_000)
    assert frame.locator(".ace_keyword").count() >= 1

    # Completion: typing a label's first letters offers the graph's label.
    replace_text(page, frame, "MATCH (a:Weap")
    popup = frame.locator(".ace_autocomplete")
    popup.wait_for(state="visible", timeout=10_000)
    # Ace wraps the typed part of each entry in its own element: join the pieces.
    offered = "".join(popup.inner_text().split())
    assert "WeaponSystemlabel" in offered, offered
    assert "WeaponClasslabel" in offered, offered
    page.keyboard.type("Sy", delay=15)  # narrows the list to one, which Enter takes
    deadline = time.monotonic() + 10
    while "WeaponClass" in popup.inner_text() and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    page.keyboard.press("Enter")
    assert editor_text(frame) == "MATCH (a:WeaponSystem)"  # Ace closed the bracket

    # Running: what was typed runs, and its rows are shown.
    replace_text(page, frame, "MATCH (a:Actor {id: 'russia'})\nRETURN a.name AS name")
    submit(page)
    no_exception(page)
    assert not errors(page), errors(page)
    assert "Russia" in table_cells(page)

    # A syntax error: one sentence at the server's line and column, marked in the editor.
    frame = editor_frame(page)
    replace_text(page, frame, "MATCH (a:Actor)\nRETRUN a.name")
    submit(page)
    # The page reruns once more to mark the error in the editor: wait for it to show.
    page.locator('[data-testid="stAlertContentError"]').first.wait_for(timeout=30_000)
    settle(page)
    shown = errors(page)
    assert len(shown) == 1, shown
    assert ("Neo4j cannot read the query at line 2, column 1: Invalid input 'RETRUN'"
            in shown[0]), shown
    frame = editor_frame(page)
    frame.locator(".ace_gutter-cell.ace_error").wait_for(timeout=10_000)
    assert frame.locator(".ace_gutter-cell.ace_error").inner_text().strip() == "2"
    marker = frame.locator(".cypher-error-marker")
    assert marker.count() == 1
    screenshot(page, "console-editor-error")
