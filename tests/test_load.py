"""Load: 20 concurrent `explorer query run` processes and 10 concurrent dashboard
page loads against one Neo4j server — no errors, the right answers, and the
latencies (p50/p95 per client kind) printed and written to
test-artifacts/load-test.json.

Run it with ``make test-reliability`` or
``.venv/bin/pytest tests/test_load.py -m reliability -s``. It needs headless
Chromium (``make browser``); docs/reliability.md reports its figures.

Each CLI client is a real process running a saved query (``actor_seeks`` for
DPRK, answered as JSON); each page client is a separate browser context, that
is a separate dashboard session, opening the Saved queries page on the same
query and waiting until its result is on screen. The two kinds start together.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from explorer.db import Database
from explorer.localdb.server import free_port
from explorer.queries import find_query
from explorer.runner import run_saved
from tests.conftest import REPO

CLI_CLIENTS = 20
PAGE_CLIENTS = 10
QUERY = "actor_seeks"
ACTOR = "DPRK"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]
PAGE_TIMEOUT_MS = 300_000  # generous: a 2-core machine under the whole load
ARTIFACTS = REPO / "test-artifacts"

pytestmark = pytest.mark.reliability


@dataclass
class Sample:
    """One client's request: wall seconds, and whether it got the right answer."""

    seconds: float
    ok: bool
    detail: str = ""
    cpu_s: float | None = None


@dataclass
class Figures:
    samples: list[Sample] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [s.detail for s in self.samples if not s.ok]

    def summary(self) -> dict[str, Any]:
        times = sorted(s.seconds for s in self.samples)
        cpu = [s.cpu_s for s in self.samples if s.cpu_s is not None]
        return {
            "clients": len(times),
            "errors": len(self.errors),
            "p50_s": round(statistics.median(times), 2),
            "p95_s": round(_percentile(times, 95), 2),
            "max_s": round(times[-1], 2),
            **({"cpu_per_client_p50_s": round(statistics.median(cpu), 2)} if cpu else {}),
        }


def _percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile: of 20 values the 19th is the p95."""
    rank = max(1, -(-len(sorted_values) * pct // 100))
    return sorted_values[int(rank) - 1]


# --- the clients ------------------------------------------------------------------------


def _expected_transfers(db: Database) -> list[str]:
    result = run_saved(db, find_query(QUERY), {"actor": ACTOR})
    transfers = [row["transfer"] for row in result.rows]
    assert transfers, "the load test needs the seed story loaded"
    return transfers


def cli_client(env: dict[str, str], expected: list[str]) -> Sample:
    """One `explorer query run` process, timed from start to exit; its own CPU time
    comes from wait4 (the per-child figure, which RUSAGE_CHILDREN would mix up)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "explorer", "query", "run", QUERY, "-p", f"actor={ACTOR}",
             "--format", "json"],
            env=env, cwd=REPO, stdout=out, stderr=err,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        cpu = usage.ru_utime + usage.ru_stime
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        return Sample(seconds, False, f"exit {proc.returncode}: {stderr.decode()[-300:]}", cpu)
    try:
        got = [row["transfer"] for row in json.loads(stdout)["rows"]]
    except (ValueError, KeyError) as error:
        return Sample(seconds, False, f"unreadable answer ({error}): {stdout[:200]!r}", cpu)
    if got != expected:
        return Sample(seconds, False, f"wrong answer: {got} != {expected}", cpu)
    return Sample(seconds, True, cpu_s=cpu)


async def page_client(browser: Any, url: str, expected_rows: int) -> Sample:
    """One dashboard session: open the page, wait for the result's row count."""
    context = await browser.new_context(viewport={"width": 1440, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    start = time.perf_counter()
    try:
        await page.goto(url)
        caption = page.locator('[data-testid="stCaptionContainer"]', has_text=" rows · ").first
        await caption.wait_for()
        seconds = time.perf_counter() - start
        text = (await caption.inner_text()).split(" · ")[0]
        failures = await page.locator('[data-testid="stException"], '
                                      '[data-testid="stAlertContentError"]').count()
        if failures:
            return Sample(seconds, False, f"{failures} error box(es) on the page")
        if text != f"{expected_rows} rows":
            return Sample(seconds, False, f"wrong answer: {text!r}, expected {expected_rows}")
        return Sample(seconds, True)
    except Exception as error:  # a timeout or a crashed page is this client's error
        return Sample(time.perf_counter() - start, False, f"{type(error).__name__}: {error}")
    finally:
        await context.close()


async def page_burst(url: str, expected_rows: int, count: int,
                     started: threading.Event | None = None) -> list[Sample]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                   args=CHROMIUM_ARGS)
        try:
            if started is not None:
                started.set()
            return list(await asyncio.gather(
                *(page_client(browser, url, expected_rows) for _ in range(count))))
        finally:
            await browser.close()


# --- the dashboard --------------------------------------------------------------------------


@pytest.fixture
def dashboard_url(loaded_graph: Database, cli_env: dict[str, str]) -> Iterator[str]:
    if not CHROMIUM.is_file():
        pytest.fail("the load test needs Debian's Chromium at /usr/bin/chromium: make browser")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / "load-dashboard.log").open("wb") as log:
        # A session of its own, so stopping it also stops the streamlit child.
        proc = subprocess.Popen([sys.executable, "-m", "explorer", "app", "--port", str(port)],
                                env=cli_env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            deadline = time.monotonic() + 90
            while True:
                assert proc.poll() is None, f"the dashboard exited ({proc.returncode})"
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                        if answer.status == 200:
                            break
                except OSError:
                    assert time.monotonic() < deadline, "the dashboard did not start in 90 s"
                    time.sleep(0.3)
            yield url
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


# --- the test -----------------------------------------------------------------------------


def test_20_cli_runs_and_10_page_loads_at_once(loaded_graph: Database, cli_env: dict[str, str],
                                               dashboard_url: str) -> None:
    expected = _expected_transfers(loaded_graph)
    page = f"{dashboard_url}/saved_queries?q={QUERY}&actor={ACTOR}"

    # Warm-up, and the figures of one client alone to compare with: one CLI run
    # (its CPU too), then one page load (the first session imports the pages).
    load_before = os.getloadavg()[0]
    alone_cli = [cli_client(cli_env, expected) for _ in range(3)]
    asyncio.run(page_burst(page, len(expected), 1))
    alone_page = asyncio.run(page_burst(page, len(expected), 1))
    assert all(s.ok for s in alone_cli + alone_page), [s.detail for s in alone_cli + alone_page]

    # Both kinds at once: the browser starts first, then the CLI processes and the
    # page loads go together.
    cli, pages = Figures(), Figures()
    browser_up = threading.Event()
    with ThreadPoolExecutor(max_workers=CLI_CLIENTS + 1) as pool:
        page_future = pool.submit(lambda: asyncio.run(
            page_burst(page, len(expected), PAGE_CLIENTS, browser_up)))
        assert browser_up.wait(120), "Chromium did not start"
        wall = time.perf_counter()
        cli_futures = [pool.submit(cli_client, cli_env, expected) for _ in range(CLI_CLIENTS)]
        cli.samples = [f.result() for f in cli_futures]
        pages.samples = page_future.result()
        wall = time.perf_counter() - wall

    report = {
        "machine": {"cpus": os.cpu_count(), "load_1min_before": round(load_before, 2),
                    "load_1min_after": round(os.getloadavg()[0], 2)},
        "wall_s": round(wall, 1),
        "cli": {**cli.summary(), "alone": Figures(alone_cli).summary()},
        "pages": {**pages.summary(), "alone_s": round(alone_page[0].seconds, 2)},
        # p50 close to the max means the clients shared the machine and finished
        # together; a queue would spread them out (p50 near half the max).
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load-test.json").write_text(json.dumps(report, indent=2) + "\n")
    print("\nload test:", json.dumps(report, indent=2))

    assert len(cli.samples) == CLI_CLIENTS and len(pages.samples) == PAGE_CLIENTS
    assert not cli.errors, cli.errors
    assert not pages.errors, pages.errors
