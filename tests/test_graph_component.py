"""The dashboard's graph component: vis-network shipped once (pyvis's copy, with its
licences), the drawing frame a static page with no external reference, and drawings
sent to it as data (explorer.graph.page.drawing_payload)."""

from __future__ import annotations

import json
import re

from explorer.graph.model import GraphData
from explorer.graph.page import VIS_VENDOR_DIR, drawing_payload, vis_assets

COMPONENT = VIS_VENDOR_DIR.parent


def test_the_shipped_vis_network_is_pyvis_own_with_its_licences() -> None:
    js, css = vis_assets()
    assert (VIS_VENDOR_DIR / "vis-network.min.js").read_text(encoding="utf-8") == js
    assert (VIS_VENDOR_DIR / "vis-network.css").read_text(encoding="utf-8") == css
    assert "vis.js is dual licensed" in js[:2000]  # the header stays in the file
    assert "MIT License" in (VIS_VENDOR_DIR / "LICENSE-vis-network.txt").read_text()
    assert "West Health Institute" in (VIS_VENDOR_DIR / "LICENSE-pyvis.txt").read_text()


def test_the_drawing_frame_loads_only_its_own_files() -> None:
    page = (COMPONENT / "drawing.html").read_text(encoding="utf-8")
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", page)
    assert sorted(refs) == ["drawing.js", "vendor/vis-network.css", "vendor/vis-network.min.js"]
    index = (COMPONENT / "index.html").read_text(encoding="utf-8")
    # The drawing stays sandboxed without an origin: it cannot reach the app.
    frame = re.search(r"<iframe[^>]*>", index).group(0)
    assert 'sandbox="allow-scripts"' in frame and 'src="drawing.html"' in frame
    assert "allow-same-origin" not in frame and "srcdoc" not in index


def _graph(*names: str) -> GraphData:
    nodes = tuple({"id": f"e{i}", "labels": ["Actor"],
                   "properties": {"id": name.lower(), "name": name}}
                  for i, name in enumerate(names))
    edges = tuple({"id": f"r{i}", "type": "TRANSFER", "start": "e0", "end": f"e{i}",
                   "properties": {"status": "delivered", "deals": 1}}
                  for i in range(1, len(names)))
    return GraphData(nodes, edges)


def test_a_drawing_is_data_with_a_revision_and_pins() -> None:
    graph = _graph("Russia", "India", "<img src=x onerror=alert(1)>")
    positions = {"e0": (0.0, 0.0), "e1": (100.0, 0.0), "e2": (0.0, 100.0)}
    one = drawing_payload(graph, positions)
    assert set(one) == {"nodes", "edges", "options", "attribution", "rev"}
    assert one["options"]["physics"] == {"enabled": False}
    assert {n["id"]: (n["x"], n["y"]) for n in one["nodes"]} == positions
    assert one == drawing_payload(graph, positions)  # deterministic, the revision too
    assert "<img" not in json.dumps([n["title"] for n in one["nodes"]])  # tooltips escaped
    assert len(json.dumps(one)) < 20_000  # the graph only: vis-network is not in it

    pinned = drawing_payload(graph, positions, pinned=["e1"])
    india = next(n for n in pinned["nodes"] if n["id"] == "e1")
    assert india["fixed"] == {"x": True, "y": True} and india["label"].endswith("pinned")
    assert all("fixed" not in n for n in pinned["nodes"] if n["id"] != "e1")
    assert pinned["rev"] != one["rev"]
    moved = drawing_payload(graph, {**positions, "e2": (5.0, 5.0)})
    assert moved["rev"] != one["rev"]
