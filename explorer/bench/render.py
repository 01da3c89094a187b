"""``explorer bench render``: how fast a network gets on screen.

Three measures:

- the HTML: ``bench_render`` times the layout and the
  self-contained vis-network page for synthetic graphs (100, 1,000 and 5,000
  nodes by default);
- the component: ``component_timings`` serves the graph component's folder and,
  in headless Chromium, times from handing a drawing over to vis-network having
  drawn it — the old way (a self-contained page per drawing as the sandboxed
  frame's srcdoc) against the new (the drawing as data to the static drawing
  frame, vis-network loaded once), and an expansion drawn in place;
- the browser: the dashboard is started on a free port against the current
  database, Debian's headless Chromium opens the Explore page on an actor
  (Russia by default) and the time from navigation to a settled drawing is
  taken (the drawing sets ``document.body.dataset.drawn``; physics is off, so
  drawn is settled): the first load (the app's query cache empty), loads in
  fresh browsers (nothing cached) and loads in a returning browser (Streamlit's
  static files cached), all within the dashboard's one-minute result cache; then
  the analyst's gesture: a click on the actor in the drawing around North Korea
  until the page offers "Expand neighbours", and that click until the actor's
  neighbourhood is drawn.
"""

from __future__ import annotations

import json
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


# --- the component, in headless Chromium: data received -> drawn ----------------------

COMPONENT_DIR = Path(__file__).resolve().parents[1] / "app" / "components" / "graph_view"

# The host page stands in for the Streamlit component frame: it times, in its own
# clock, from handing a drawing over to the drawing frame's "drawn" signal.
# "page": the old way, a self-contained page (vis-network inlined) set as the
# sandboxed frame's srcdoc, drawn when it sets body.dataset.drawn. "data": the
# static drawing.html (vis-network loaded once) sent the drawing by postMessage.
_HOST = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<iframe id="f" sandbox="allow-scripts" style="width:1200px;height:620px;border:0"></iframe>
<script>
var frame = document.getElementById("f");
var done = null, began = 0, ready = false;
window.addEventListener("message", function (e) {
  if (e.source !== frame.contentWindow || !e.data) return;
  if (e.data.type === "explorer:ready") ready = true;
  if (e.data.type === "explorer:drawn" && done) { var d = done; done = null;
    d([performance.now() - began, typeof e.data.ms === "number" ? e.data.ms : null]); }
});
window.loadDrawingPage = function () {
  return new Promise(function (resolve) { ready = false; frame.removeAttribute("srcdoc");
    frame.src = "drawing.html";
    var t = setInterval(function () { if (ready) { clearInterval(t); resolve(true); } }, 5); });
};
window.timeData = function (drawing, scene) {
  return new Promise(function (resolve) { done = resolve; began = performance.now();
    frame.contentWindow.postMessage({type: "explorer:draw", drawing: drawing, scene: scene},
                                    "*"); });
};
window.timePage = function (html) {
  return new Promise(function (resolve) { done = resolve; began = performance.now();
    frame.srcdoc = html; });
};
</script></body></html>"""
# Appended to the old self-contained page: say "drawn" to the host when it is.
# (vis-network may have drawn already when it runs: then it says so at once.)
_PAGE_SIGNAL = ("<script>(function () { var said = false; function say() {"
                "if (!said && document.body.dataset.drawn === 'true') { said = true;"
                "window.parent.postMessage({type: 'explorer:drawn'}, '*'); }}"
                "new MutationObserver(say).observe(document.body, {attributes: true});"
                "say(); })();</script>")


def _serve_component() -> tuple[Any, str]:
    """The component folder and the host page over HTTP on a free port, in a thread."""
    import functools
    import http.server
    import threading

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] == "/host.html":
                body = _HOST.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

        def end_headers(self) -> None:
            if not self.path.endswith(".html"):  # as Streamlit serves component files
                self.send_header("Cache-Control", "public, max-age=3600")
            super().end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", _free_port()),
        functools.partial(Handler, directory=str(COMPONENT_DIR)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def component_timings(
    sizes: Sequence[int] = (100, 500), runs: int = 5, *, browser: Any = None,
) -> list[dict[str, Any]]:
    """Per synthetic graph size, in headless Chromium: milliseconds from the
    component handing a drawing over to vis-network having drawn it (medians of
    ``runs``), the old way (``page_ms``: a self-contained page per drawing as srcdoc)
    and the new (``data_ms``: the drawing as data to the static drawing frame,
    vis-network already loaded; ``first_data_ms`` includes loading that frame and
    vis-network once; ``data_frame_ms`` is the part inside the drawing frame, from
    its receiving the data; ``grow_ms``: 25 more nodes drawn in place), with the
    bytes each carries per drawing. ``browser``: a Playwright Chromium to use
    (else one is started)."""
    server, base = _serve_component()
    try:
        if browser is not None:
            return _time_component(browser, base, sizes, runs)
        with _playwright()() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                  args=list(CHROMIUM_ARGS))
            try:
                return _time_component(chromium, base, sizes, runs)
            finally:
                chromium.close()
    finally:
        server.shutdown()


def _time_component(browser: Any, base: str, sizes: Sequence[int],
                    runs: int) -> list[dict[str, Any]]:
    from explorer.graph.page import drawing_payload

    results = []
    page = browser.new_page(viewport={"width": 1300, "height": 800})
    try:
        page.goto(f"{base}/host.html")
        for size in sizes:
            graph = synthetic_graph(size)
            positions = compute_layout(graph)
            html_page = to_pyvis_html(graph, positions=positions) + _PAGE_SIGNAL
            payload = json.dumps(drawing_payload(graph, positions))  # as sent
            old = [page.evaluate("(h) => timePage(h)", html_page)[0] for _ in range(runs)]
            began = time.perf_counter()
            page.evaluate("() => loadDrawingPage()")
            load_ms = (time.perf_counter() - began) * 1000
            timed = [page.evaluate("([d, s]) => timeData(d, s)", [payload, f"s{i}"])
                     for i in range(runs)]
            new = [total for total, _ in timed]
            inside = [frame for _, frame in timed[1:] or timed]
            # An expansion: the same scene, drawn without its last 25 nodes, then
            # whole; only the second drawing is timed.
            before = json.dumps(drawing_payload(_without_last(graph, 25), positions))
            grow = []
            for i in range(runs):
                page.evaluate("([d, s]) => timeData(d, s)", [before, f"g{i}"])
                page.wait_for_timeout(200)  # as an analyst would: the first drawing settles
                grow.append(page.evaluate("([d, s]) => timeData(d, s)",
                                          [payload, f"g{i}"])[0])
            results.append({
                "nodes": len(graph.nodes), "edges": len(graph.edges),
                "page_ms": round(statistics.median(old), 1),
                "page_kb": round(len(html_page.encode("utf-8")) / 1024),
                "first_data_ms": round(load_ms + new[0], 1),
                "data_ms": round(statistics.median(new[1:] or new), 1),
                # Of which in the drawing frame, from its receiving the data.
                "data_frame_ms": round(statistics.median(inside), 1),
                "data_kb": round(len(payload.encode("utf-8")) / 1024),
                "grow_ms": round(statistics.median(grow), 1),
            })
    finally:
        page.close()
    return results


def _without_last(graph: GraphData, count: int) -> GraphData:
    keep = {node["id"] for node in graph.nodes[:max(0, len(graph.nodes) - count)]}
    return GraphData(nodes=tuple(n for n in graph.nodes if n["id"] in keep),
                     edges=tuple(e for e in graph.edges if e["start"] in keep
                                 and e["end"] in keep))


def _playwright() -> Any:
    if not CHROMIUM.is_file():
        raise ConfigError("Chromium is not installed at /usr/bin/chromium — run 'make browser'")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ConfigError("the browser bench needs Playwright — pip install -e '.[dev]'") \
            from None
    return sync_playwright


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
            if not frame.url.endswith("/drawing.html"):  # the component's drawing frame
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


def _drawing_frame(page: Any, timeout_s: float, *, not_rev: str | None = None) -> Any:
    """The component's drawing frame once it shows a drawing (one whose revision is
    not ``not_rev``, when given)."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        for frame in page.frames:
            if not frame.url.endswith("/drawing.html"):
                continue
            try:
                rev = frame.evaluate("document.body && document.body.dataset.drawn === 'true'"
                                     " ? document.body.dataset.rev : null")
            except Exception:  # the frame is being replaced
                continue
            if rev is not None and rev != not_rev:
                return frame
        page.wait_for_timeout(10)
    raise ConfigError(f"no new drawing within {timeout_s:.0f} s")


def _time_click_expand(page: Any, base: str, start: str, target: str,
                       timeout_s: float) -> dict[str, float | int]:
    """On Explore around ``start``: a click on ``target``'s node until the page offers
    to expand it, then a click on "Expand neighbours" until its neighbourhood is
    drawn (the drawing settled: physics is off). Milliseconds, and the nodes drawn."""
    page.goto(f"{base}/explore?actors={start}")
    frame = _drawing_frame(page, timeout_s)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    node = frame.evaluate("(id) => { const n = window.__explorerGraph.nodes.get()"
                          ".find(n => n.entity_id === id); return n ? n.id : null; }", target)
    if node is None:
        raise ConfigError(f"{target!r} is not drawn around {start!r}: pick another --actor")
    frame.evaluate("window.__explorerGraph.network.fit({animation: false})")
    point = frame.evaluate("(id) => { const net = window.__explorerGraph.network;"
                           " return net.canvasToDOM(net.getPositions([id])[id]); }", node)
    element = frame.frame_element()
    element.scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # the page's smooth scroll
    box = element.bounding_box()
    before = frame.evaluate("document.body.dataset.rev")
    began = time.perf_counter()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    button = page.get_by_role("button", name="Expand neighbours")
    button.wait_for(timeout=timeout_s * 1000)
    offered = time.perf_counter()
    button.click()
    drawn = _drawing_frame(page, timeout_s, not_rev=before)
    done = time.perf_counter()
    return {"select_ms": (offered - began) * 1000, "expand_ms": (done - offered) * 1000,
            "total_ms": (done - began) * 1000,
            "nodes": int(drawn.evaluate("window.__explorerGraph.nodes.length"))}


def browser_timings(
    actor: str = "russia", runs: int = 4, timeout_s: float = 60.0,
    log: Callable[[str], None] = lambda _message: None, click_from: str = "north-korea",
) -> dict[str, Any]:
    """Start the dashboard on the current database and time the Explore drawing.

    Four measures: the first load (the app's caches empty: the query runs);
    ``runs`` loads in fresh browser contexts (nothing cached in the browser, so
    Streamlit's scripts are fetched and parsed each time); and ``runs`` loads in
    one context, as an analyst's browser returning to the page (static files
    cached); and, in that browser, ``runs`` times a click on ``actor`` in the
    drawing around ``click_from`` followed by "Expand neighbours" (after one
    unmeasured run). Each load is a new dashboard session.
    """
    sync_playwright = _playwright()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/explore?actors={actor}"
    proc = _start_dashboard(port)
    fresh: list[float] = []
    cached: list[float] = []
    clicks: list[dict[str, float | int]] = []
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
                # The analyst's gesture: a click on the actor in a drawing around a
                # neighbour, then "Expand neighbours" (the first one fills the caches).
                for run in range(runs + 1):
                    page = context.new_page()
                    click = _time_click_expand(page, base, click_from, actor, timeout_s)
                    if run:
                        clicks.append(click)
                    log(f"click on {actor}, then expand, run {run + 1}: "
                        f"{click['select_ms']:,.0f} + {click['expand_ms']:,.0f} ms, "
                        f"{click['nodes']} nodes")
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
        "click_from": click_from,
        "click_select_median_ms": round(statistics.median(c["select_ms"] for c in clicks)),
        "click_expand_median_ms": round(statistics.median(c["expand_ms"] for c in clicks)),
        "click_total_ms": [round(c["total_ms"]) for c in clicks],
        "click_total_median_ms": round(statistics.median(c["total_ms"] for c in clicks)),
        "click_nodes": int(clicks[-1]["nodes"]) if clicks else 0,
    }


def format_text(report: dict[str, Any]) -> str:
    lines = ["HTML (synthetic graphs, layout + vis-network page):",
             f"  {'nodes':>6} {'edges':>6} {'layout':>9} {'html':>9} {'size':>8}"]
    for row in report["html"]:
        lines.append(
            f"  {row['nodes']:>6,} {row['edges']:>6,} {row['layout_ms']:>7.0f} ms "
            f"{row['html_ms']:>6.0f} ms {row['html_kb']:>5,} KB"
        )
    component = report.get("component")
    if component:
        lines += ["Component (headless Chromium, synthetic graphs): from handing the drawing over",
                  "to vis-network's first drawing, median ms (size carried per drawing):",
                  f"  {'nodes':>6} {'own page':>16} {'as data':>16} {'in frame':>9} "
                  f"{'first':>9} {'+25 nodes':>10}"]
        for row in component:
            lines.append(
                f"  {row['nodes']:>6,} {row['page_ms']:>6.0f} ms {row['page_kb']:>5,} KB "
                f"{row['data_ms']:>6.0f} ms {row['data_kb']:>5,} KB "
                f"{row['data_frame_ms']:>6.0f} ms "
                f"{row['first_data_ms']:>6.0f} ms {row['grow_ms']:>7.0f} ms")
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
            f"Click on {browser['actor']} in the drawing around {browser['click_from']}, then "
            f"'Expand neighbours' ({browser['click_nodes']} nodes drawn):",
            f"  click to the offer, median     {browser['click_select_median_ms']:>7,} ms",
            f"  expand to drawn, median        {browser['click_expand_median_ms']:>7,} ms",
            f"  both, median                   {browser['click_total_median_ms']:>7,} ms "
            f"({runs('click_total_ms')})",
        ]
    return "\n".join(lines)
