"""``explorer bench render``: how fast a network gets on screen.

Two measures:

- the HTML: ``bench_render`` times the layout and the
  self-contained vis-network page for synthetic graphs (100, 1,000 and 5,000
  nodes by default);
- the browser: the dashboard is started on a free port against the current
  database, Debian's headless Chromium opens the Explore page on an actor
  (Russia by default) and the time from navigation to a settled drawing is
  taken (the drawing sets ``document.body.dataset.drawn``; physics is off, so
  drawn is settled): the first load (the app's query cache empty), loads in
  fresh browsers (nothing cached) and loads in a returning browser (Streamlit's
  static files cached), all within the dashboard's one-minute result cache.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from explorer.errors import ConfigError
from explorer.graph import (
    ACTOR_STYLES,
    STATUS_ORDER,
    TRANSFER_EDGE_TYPE,
    GraphData,
    compute_layout,
    to_pyvis_html,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
)


def html_timings(sizes: Sequence[int]) -> list[dict[str, Any]]:
    return bench_render(sizes)


# --- the HTML, on synthetic graphs -------------------------------------------------


def synthetic_graph(n_nodes: int, *, edges_per_node: float = 1.5, seed: int = 1) -> GraphData:
    """A deterministic actor-to-actor graph shaped like collapsed SIPRI data:
    a few big suppliers, many recipients, every status, some isolated actors."""
    rng = np.random.default_rng(seed)
    kinds = list(ACTOR_STYLES)
    nodes = [
        {
            "id": f"n{i:05d}",
            "labels": ["Actor"],
            "properties": {"id": f"actor-{i}", "name": f"Actor {i}", "kind": kinds[i % 6]},
        }
        for i in range(n_nodes)
    ]
    edges = []
    weights = 1.0 / np.arange(1, n_nodes + 1) ** 0.8  # a few suppliers dominate
    weights /= weights.sum()
    for k in range(int(n_nodes * edges_per_node) if n_nodes > 1 else 0):
        supplier = int(rng.choice(n_nodes, p=weights))
        recipient = int(rng.integers(n_nodes))
        if recipient == supplier:
            continue
        status = STATUS_ORDER[k % len(STATUS_ORDER)]
        edges.append(
            {
                "id": f"e{k:06d}",
                "type": TRANSFER_EDGE_TYPE,
                "start": f"n{supplier:05d}",
                "end": f"n{recipient:05d}",
                "properties": {
                    "status": status,
                    "deals": 1,
                    "quantity": int(rng.integers(1, 200)),
                    "tiv": round(float(rng.lognormal(3, 1.5)), 2),
                    "first_year": 2000 + k % 24,
                    "last_year": 2001 + k % 24,
                    "systems": [f"System {k % 97}"],
                    "sources": ["Synthetic source"],
                },
            }
        )
    return GraphData(nodes=tuple(nodes), edges=tuple(edges))


def bench_render(sizes: Sequence[int] = (100, 1000, 5000)) -> list[dict[str, Any]]:
    """Time the layout and the HTML for synthetic graphs of the given sizes.

    ``html_ms`` is the best of three runs of ``to_pyvis_html`` with the layout
    already computed; ``layout_ms`` is one run of ``compute_layout``.
    """
    to_pyvis_html(synthetic_graph(10))  # warm up: read the vis assets, import pyvis
    results = []
    for size in sizes:
        graph = synthetic_graph(size)
        start = time.perf_counter()
        positions = compute_layout(graph)
        layout_ms = (time.perf_counter() - start) * 1000
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            page = to_pyvis_html(graph, positions=positions)
            runs.append((time.perf_counter() - start) * 1000)
        results.append(
            {
                "nodes": len(graph.nodes),
                "edges": len(graph.edges),
                "layout_ms": round(layout_ms, 1),
                "html_ms": round(min(runs), 1),
                "html_kb": round(len(page.encode("utf-8")) / 1024),
            }
        )
    return results


def _free_port() -> int:
    from explorer.localdb.server import free_port

    return free_port()


def _start_dashboard(port: int) -> subprocess.Popen[bytes]:
    # Its own session: stopping it also stops the streamlit child it runs.
    return subprocess.Popen(
        [sys.executable, "-m", "explorer", "app", "--port", str(port)],
        env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ConfigError("the dashboard stopped at start — run 'explorer app' to see why")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise ConfigError(f"the dashboard did not answer at {url} within {timeout_s:.0f} s")


def _time_drawing(page: Any, url: str, timeout_s: float) -> tuple[float, int]:
    """Milliseconds from navigation to a drawn network, and the nodes drawn."""
    began = time.perf_counter()
    page.goto(url, wait_until="commit")
    deadline = began + timeout_s
    while time.perf_counter() < deadline:
        for frame in page.frames:
            if frame.url != "about:srcdoc":
                continue
            try:
                state = frame.evaluate(
                    "document.body && document.body.dataset.drawn === 'true' ? "
                    "window.__explorerGraph.nodes.length : -1")
            except Exception:  # the frame is being replaced
                continue
            if state is not None and state >= 0:
                return (time.perf_counter() - began) * 1000, int(state)
        # Playwright notices new frames only while its loop runs: no time.sleep here.
        page.wait_for_timeout(20)
    raise ConfigError(f"the network at {url} was not drawn within {timeout_s:.0f} s")


def browser_timings(
    actor: str = "russia", runs: int = 4, timeout_s: float = 60.0,
    log: Callable[[str], None] = lambda _message: None,
) -> dict[str, Any]:
    """Start the dashboard on the current database and time the Explore drawing.

    Three measures: the first load (the app's caches empty: the query runs);
    ``runs`` loads in fresh browser contexts (nothing cached in the browser, so
    Streamlit's scripts are fetched and parsed each time); and ``runs`` loads in
    one context, as an analyst's browser returning to the page (static files
    cached). Each load is a new dashboard session.
    """
    if not CHROMIUM.is_file():
        raise ConfigError("Chromium is not installed at /usr/bin/chromium — run 'make browser'")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ConfigError("the browser bench needs Playwright — pip install -e '.[dev]'") \
            from None

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/explore?actors={actor}"
    proc = _start_dashboard(port)
    fresh: list[float] = []
    cached: list[float] = []
    nodes = 0
    try:
        _wait_until_up(base, proc)
        log(f"dashboard up at {base}")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                 args=list(CHROMIUM_ARGS))
            try:
                for run in range(runs + 1):
                    context = browser.new_context(viewport={"width": 1440, "height": 1000})
                    elapsed, nodes = _time_drawing(context.new_page(), url, timeout_s)
                    fresh.append(elapsed)
                    log(f"fresh browser, load {run + 1}: {elapsed:,.0f} ms, {nodes} nodes")
                    context.close()
                context = browser.new_context(viewport={"width": 1440, "height": 1000})
                _time_drawing(context.new_page(), url, timeout_s)  # fills the browser cache
                for run in range(runs):
                    page = context.new_page()
                    elapsed, nodes = _time_drawing(page, url, timeout_s)
                    cached.append(elapsed)
                    log(f"returning browser, load {run + 1}: {elapsed:,.0f} ms")
                    page.close()
                context.close()
            finally:
                browser.close()
    finally:
        _stop(proc)
    return {
        "actor": actor,
        "url_path": f"/explore?actors={actor}",
        "nodes": nodes,
        "first_load_ms": round(fresh[0]),
        "fresh_browser_ms": [round(t) for t in fresh[1:]],
        "fresh_browser_median_ms": round(statistics.median(fresh[1:])),
        "returning_browser_ms": [round(t) for t in cached],
        "returning_browser_median_ms": round(statistics.median(cached)),
    }


def format_text(report: dict[str, Any]) -> str:
    lines = ["HTML (synthetic graphs, layout + vis-network page):",
             f"  {'nodes':>6} {'edges':>6} {'layout':>9} {'html':>9} {'size':>8}"]
    for row in report["html"]:
        lines.append(
            f"  {row['nodes']:>6,} {row['edges']:>6,} {row['layout_ms']:>7.0f} ms "
            f"{row['html_ms']:>6.0f} ms {row['html_kb']:>5,} KB"
        )
    browser = report.get("browser")
    if browser:
        def runs(key: str) -> str:
            return ", ".join(f"{t:,}" for t in browser[key])

        lines += [
            f"Browser: Explore {browser['url_path']} ({browser['nodes']} nodes), navigation "
            "to a settled drawing:",
            f"  first load (app caches empty)  {browser['first_load_ms']:>7,} ms",
            f"  fresh browser, median          {browser['fresh_browser_median_ms']:>7,} ms "
            f"({runs('fresh_browser_ms')})",
            f"  returning browser, median      {browser['returning_browser_median_ms']:>7,} ms "
            f"({runs('returning_browser_ms')})",
        ]
    return "\n".join(lines)
