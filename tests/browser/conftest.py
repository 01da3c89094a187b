"""Fixtures for driving the dashboard in Debian's headless Chromium.

``dashboard`` loads seeds + SIPRI into the test database, plants an XSS probe
(an actor named ``<img src=x onerror=alert(1)>`` with a transfer to Russia),
starts ``explorer app`` on a free port against it and yields the base URL;
afterwards it stops the app and removes the probe. ``page`` opens a fresh
browser page that records every request, websocket and dialog, and fails the
test when any request left 127.0.0.1 or any dialog opened.

Playwright drives /usr/bin/chromium (``make browser``); no browser is ever
downloaded.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from explorer.db import Database
from explorer.localdb.server import free_port
from explorer.walkthrough.steps import PROGRESS_COOKIE
from tests.conftest import REPO, ensure_loaded_graph

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]
ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

XSS_NAME = "<img src=x onerror=alert(1)>"
XSS_ID = "xss-probe"
_PLANT_PROBE = """
MERGE (a:Actor {id: $id})
SET a.name = $name, a.kind = 'armed_group', a.aliases = [$name], a.aliases_text = $name,
    a.name_key = 'img src x onerror alert 1'
WITH a
MATCH (r:Actor {id: 'russia'})
MERGE (t:Transfer {id: 't-' + $id})
SET t.status = 'delivered', t.origin = 'seed', t.quantity = 3, t.quantity_text = $name,
    t.description = $name, t.first_year = 2023, t.last_year = 2023
MERGE (a)-[:SUPPLIED]->(t)
MERGE (t)-[:TO]->(r)
"""
_REMOVE_PROBE = "MATCH (n) WHERE n.id IN [$id, 't-' + $id] DETACH DELETE n"

# The pages of the router, by file; each opens at /<file stem>.
PAGES = {
    "home": "", "walkthrough": "walkthrough", "explore": "explore", "profile": "profile",
    "weapon": "weapon",
    "timeline": "timeline", "map": "map", "saved_queries": "saved_queries",
    "console": "console", "sources": "sources",
}
APP_PAGES = REPO / "explorer" / "app" / "app_pages"


def existing_pages() -> dict[str, str]:
    return {name: path for name, path in PAGES.items() if (APP_PAGES / f"{name}.py").is_file()}


def load_graph(db: Database) -> None:
    """Seeds + SIPRI, the `loaded_graph` fixture's graph (loaded only if not there)."""
    ensure_loaded_graph(db)


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the dashboard exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the dashboard did not answer at {url} within {timeout_s:.0f} s")


@pytest.fixture(scope="module")
def dashboard(db: Database, cli_env: dict[str, str], browser: Any) -> Iterator[str]:
    """The dashboard on a free port, on the seeded graph with the XSS probe
    (asks for the browser first, so a missing Chromium skips before any loading)."""
    load_graph(db)
    db.write(lambda tx: tx.run(_PLANT_PROBE, id=XSS_ID, name=XSS_NAME).consume())
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # One log per pytest-xdist worker: two workers may each run a dashboard.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    log = ARTIFACTS / (f"dashboard-{worker}.log" if worker else "dashboard.log")
    ARTIFACTS.mkdir(exist_ok=True)
    with log.open("wb") as out:
        # A session of its own, so stopping it also stops the streamlit child.
        proc = subprocess.Popen(
            [sys.executable, "-m", "explorer", "app", "--port", str(port)],
            env=cli_env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_up(url, proc)
            yield url
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)
            db.write(lambda tx: tx.run(_REMOVE_PROBE, id=XSS_ID).consume())


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium — run 'make browser'")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Traffic:
    """What the browser asked for and what the page tried to pop up."""

    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def external(self) -> list[str]:
        """Requests to anywhere but this machine (data:, blob:, about: are not requests)."""
        out = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in \
                    LOCAL_HOSTS:
                out.append(url)
        return out


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def page(browser: Any, traffic: Traffic) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    # A returning analyst: a bare visit opens Home, not the walkthrough of a first
    # visit (tests/browser/test_walkthrough.py plays the newcomer).
    context.add_cookies([{"name": PROGRESS_COOKIE, "value": "started", "domain": "127.0.0.1",
                          "path": "/"}])
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    tab.on("request", lambda request: traffic.requests.append(request.url))
    tab.on("websocket", lambda socket: traffic.requests.append(socket.url))

    def on_dialog(dialog: Any) -> None:
        traffic.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    yield tab
    context.close()
    assert not traffic.dialogs, f"a dialog opened: {traffic.dialogs}"
    assert not traffic.external(), f"requests left 127.0.0.1: {traffic.external()}"


# --------------------------------------------------------------------------- helpers


def open_page(page: Any, url: str) -> None:
    """Go to ``url`` and wait until Streamlit has run the page script."""
    page.goto(url)
    settle(page)


def settle(page: Any, timeout_ms: int = 60_000) -> None:
    """Wait for the app to finish its current run (a rerun may start right after a click)."""
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stMain"]', timeout=timeout_ms)


def drawn_frames(page: Any, count: int = 1, timeout_ms: int = 30_000) -> list[Any]:
    """The network drawings (nested in the graph component) once drawn."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        ready = []
        for frame in page.frames:
            if frame.url != "about:srcdoc" and not frame.url.endswith("/drawing.html"):
                continue
            try:
                if frame.evaluate("document.body && document.body.dataset.drawn") == "true":
                    ready.append(frame)
            except Exception:  # a frame being replaced by a rerun
                continue
        if len(ready) >= count:
            return ready
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(ready)} of {count} network drawings finished in time")
        # Not time.sleep: Playwright only sees new frames while it runs its loop.
        page.wait_for_timeout(100)


def graph_nodes(frame: Any) -> list[dict[str, Any]]:
    return frame.evaluate(
        "window.__explorerGraph.nodes.get().map(n => ({id: n.id, label: n.label, "
        "entityId: n.entity_id}))"
    )


def click_node(page: Any, frame: Any, node_id: str) -> None:
    """Click a drawn node where it is on screen (canvas position + frame offsets)."""
    point = frame.evaluate(
        "(id) => { const net = window.__explorerGraph.network;"
        " return net.canvasToDOM(net.getPositions([id])[id]); }",
        node_id,
    )
    element = frame.frame_element()
    # The mouse only reaches what is on screen: bring the whole drawing into view.
    element.scroll_into_view_if_needed()
    wait_until_still(page, element)
    box = element.bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def wait_until_still(page: Any, target: Any, timeout_ms: int = 5_000) -> None:
    """Wait until ``target`` has stopped moving: two reads of its box 80 ms apart
    agree (Streamlit scrolls smoothly, and a click aimed while the page still
    moves lands elsewhere)."""
    deadline = time.monotonic() + timeout_ms / 1000
    last = None
    while time.monotonic() < deadline:
        box = target.bounding_box()
        if box is not None and box == last:
            return
        last = box
        page.wait_for_timeout(80)
    raise AssertionError(f"{target} kept moving for {timeout_ms} ms")


def click(page: Any, target: Any) -> None:
    """Click a locator once it has scrolled into view and stopped moving."""
    target.scroll_into_view_if_needed()
    wait_until_still(page, target)
    target.click()


def click_button(page: Any, name: str) -> None:
    click(page, page.get_by_role("button", name=name))


def table_cells(page: Any, timeout_ms: int = 15_000) -> list[str]:
    """The texts of the first data frame's cells in view (the grid draws on a canvas
    and keeps an accessible table of the rows it shows)."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    cells = grid.locator('[role="gridcell"]')
    cells.first.wait_for(state="attached", timeout=timeout_ms)
    return cells.all_text_contents()


def charts_drawn(page: Any, timeout_ms: int = 30_000) -> None:
    """Wait until every Vega chart on the page has drawn (they draw after the script run)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')].every(c => {"
        " const m = c.querySelector('canvas, svg'); const r = m && m.getBoundingClientRect();"
        " return r && r.width > 0 && r.height > 0; })", timeout=timeout_ms)


def no_exception(page: Any) -> None:
    shown = page.locator('[data-testid="stException"]')
    assert shown.count() == 0, shown.first.inner_text()


def screenshot(page: Any, name: str) -> Path:
    """The whole page (Streamlit scrolls inside its main block, so grow the viewport)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height + 40)})
    # Two animation frames: the page has laid itself out at the new size.
    page.evaluate("() => new Promise(done => requestAnimationFrame("
                  "() => requestAnimationFrame(done)))")
    page.wait_for_timeout(250)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    return path
