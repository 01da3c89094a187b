"""The walkthrough in headless Chromium, as a newcomer meets it: a bare first visit
opens it, every step's task is done the way a person does it — typing, picking,
clicking a node in the drawing, editing a query, changing a parameter — a
screenshot per step, and the progress survives a reload and a later visit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from explorer.db import Database
from explorer.walkthrough.steps import PROGRESS_COOKIE, Step, load_steps
from tests.browser.conftest import (
    Traffic,
    click,
    click_button,
    click_node,
    drawn_frames,
    graph_nodes,
    no_exception,
    screenshot,
    settle,
)

pytestmark = pytest.mark.browser

# How a person answers each step on the page: (what, value).
DOING: dict[str, tuple[str, str]] = {
    "shape": ("type", "transfers"),  # counted in the test graph (it holds the XSS probe)
    "find-actor": ("type", "DPRK"),
    "sources": ("type", "John Kirby"),
    "statuses": ("pick", "Russia → North Korea"),
    "seeks": ("type", "7"),
    "supply-to-use": ("type", "Zaporizhia"),
    "tiv": ("type", "720"),
    "verdicts": ("pick", "timing_unclear"),
    "explore": ("click", "iran"),
    "first-cypher": ("edit", "Belarus"),
    "share": ("parameter", "Ukraine"),
    "export": ("type", "2026-02-12"),
}


@pytest.fixture
def newcomer(browser: Any, traffic: Traffic) -> Iterator[Any]:
    """A browser that has never seen the dashboard: no cookies."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    tab.on("request", lambda request: traffic.requests.append(request.url))
    tab.on("websocket", lambda socket: traffic.requests.append(socket.url))
    yield tab
    context.close()
    assert not traffic.external(), f"requests left 127.0.0.1: {traffic.external()}"


def main(page: Any) -> Any:
    return page.locator('[data-testid="stMain"]')


def address(page: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def wait_for_address(page: Any, **expected: str) -> None:
    page.wait_for_function(
        "(want) => { const q = new URLSearchParams(location.search);"
        " return Object.entries(want).every(([k, v]) => q.get(k) === v); }",
        arg=expected)


def progress_cookie(page: Any) -> str | None:
    return next((c["value"] for c in page.context.cookies()
                 if c["name"] == PROGRESS_COOKIE), None)


def feedback(page: Any, text: str | re.Pattern[str]) -> None:
    main(page).get_by_text(text).first.wait_for()


def transfers(db: Database) -> str:
    return str(db.read(lambda tx: tx.run("MATCH (t:Transfer) RETURN count(t) AS n")
                       .single()["n"]))


def do_task(page: Any, step: Step, db: Database) -> None:
    what, value = DOING[step.id]
    if value == "transfers":
        value = transfers(db)
    box = page.locator(f".st-key-walkthrough_task_{step.id}")
    if what == "type":
        box.get_by_role("textbox", name="Your answer").fill(value)
        click(page, box.get_by_role("button", name="Check"))
    elif what == "pick":
        click(page, box.locator('[data-testid="stRadio"]').get_by_text(value, exact=True))
        click(page, box.get_by_role("button", name="Check"))
    elif what == "click":
        (frame,) = drawn_frames(page)
        node = next(n for n in graph_nodes(frame) if n["entityId"] == value)
        click_node(page, frame, node["id"])
    elif what == "edit":
        editor = box.get_by_role("textbox", name="Cypher")
        editor.fill(editor.input_value().replace("Russia", value))
        click(page, box.get_by_role("button", name="Run and check"))
    elif what == "parameter":
        box.get_by_role("textbox", name=step.task.param).fill(value)
        click(page, box.get_by_role("button", name="Run and check"))
    settle(page)


def test_a_newcomer_walks_every_step(dashboard: str, newcomer: Any, db: Database) -> None:
    page = newcomer
    steps = load_steps()
    assert set(DOING) == {s.id for s in steps}
    # A bare first visit opens the walkthrough, and the browser keeps a cookie.
    page.goto(f"{dashboard}/")
    settle(page)
    page.wait_for_function("() => location.pathname.endsWith('/walkthrough')")
    assert address(page).get("step") == "1"
    main(page).get_by_role("heading", name="1. The shape of the graph").wait_for()
    page.wait_for_function(f"() => document.cookie.includes('{PROGRESS_COOKIE}=')")

    for number, step in enumerate(steps, start=1):
        main(page).get_by_role("heading", name=f"{number}. {step.title}").wait_for()
        no_exception(page)
        if step.id == "seeks":
            # A wrong answer first: the feedback says where to look.
            box = page.locator(f".st-key-walkthrough_task_{step.id}")
            box.get_by_role("textbox", name="Your answer").fill("6")
            click(page, box.get_by_role("button", name="Check"))
            settle(page)
            feedback(page, re.compile("Six is Kirby's list"))
        do_task(page, step, db)
        feedback(page, re.compile(r"^Right\."))
        no_exception(page)
        wait_for_address(page, step=str(number))
        assert f"{step.id}:s" in address(page)["progress"].split(",")
        if step.id == "explore":
            # The click selected Iran and offers to expand from it.
            main(page).get_by_role("button", name="Explore from here").wait_for()
        if step.id == "share":
            assert main(page).get_by_text("recipient=Ukraine", exact=False).count() >= 1
        screenshot(page, f"walkthrough-step-{number:02d}-{step.id}")
        if step.id == "seeks":
            # A reload keeps the step and the progress.
            page.reload()
            settle(page)
            main(page).get_by_role("heading", name=f"{number}. {step.title}").wait_for()
            assert address(page)["step"] == str(number)
            page.get_by_text(f"Step {number} of {len(steps)} · {number} solved").wait_for()
        click_button(page, "Next step" if number < len(steps) else "Finish: what you learned")
        settle(page)

    main(page).get_by_role("heading", name="What you learned").wait_for()
    wait_for_address(page, step="done")
    page.get_by_text(f"{len(steps)} of {len(steps)} solved", exact=False).wait_for()
    page.mouse.move(0, 0)  # no tooltip from the last click in the picture
    screenshot(page, "walkthrough-closing")
    # The cookie holds every step, solved.
    page.wait_for_function("() => document.cookie.includes('export%3As')")
    assert "shape%3As" in (progress_cookie(page) or "")


def test_progress_comes_back_on_a_later_visit(dashboard: str, newcomer: Any,
                                              db: Database) -> None:
    page = newcomer
    page.goto(f"{dashboard}/walkthrough?step=1")
    settle(page)
    do_task(page, load_steps()[0], db)
    feedback(page, re.compile(r"^Right\."))
    click_button(page, "Next step")
    settle(page)
    click(page, page.locator(".st-key-walkthrough_skip_find-actor").get_by_role("button"))
    settle(page)
    wait_for_address(page, step="3")
    page.wait_for_function("() => document.cookie.includes('find-actor%3Ak')")
    # Later, in a new tab of the same browser: the bare address is Home (no longer a
    # first visit), and the walkthrough resumes at the first step not done.
    later = page.context.new_page()
    later.goto(f"{dashboard}/")
    settle(later)
    main(later).get_by_role("heading", name="Arms-transfer graph explorer").wait_for()
    assert urlsplit(later.url).path.rstrip("/") == ""
    later.goto(f"{dashboard}/walkthrough")
    settle(later)
    main(later).get_by_role("heading", name=re.compile(r"^3\. ")).wait_for()
    assert address(later)["progress"] == "shape:s,find-actor:k"
    later.get_by_text("1 solved, 0 shown, 1 skipped", exact=False).wait_for()
    no_exception(later)
    # A deep link still opens the page it names, even for a newcomer.
    fresh = page.context.browser.new_context()
    try:
        other = fresh.new_page()
        other.goto(f"{dashboard}/explore?actors=iran")
        settle(other)
        assert urlsplit(other.url).path.endswith("/explore")
    finally:
        fresh.close()

