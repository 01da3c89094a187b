"""The drawing as a self-contained vis-network page (no CDN: the dashboard
works offline), and the one-call ``prepare_graph`` the pages use.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from explorer.graph.layout import compute_layout
from explorer.graph.model import (
    SIPRI_ATTRIBUTION,
    GraphData,
    display_name,
    entity_id,
    extract_graph,
    primary_label,
)
from explorer.graph.rules import StyleRule, apply_rules, rule_scales
from explorer.graph.shape import CapNotice, cap_graph, collapse_transfers
from explorer.graph.style import LINK_STYLE, edge_style, edge_width, node_style, status_style

if TYPE_CHECKING:
    pass



_CSS_SIZE = re.compile(r"^\d+(\.\d+)?(px|%|vh|vw|em|rem)$")
_EXTERNAL_TAG = re.compile(
    r"<(script|link|img|iframe|source)\b[^>]*\b(src|href)\s*=\s*[\"']?\s*(https?:)?//[^>]*>"
    r"(\s*</\1>)?",
    re.IGNORECASE,
)
_SOURCE_MAP = re.compile(r"(//[#@]\s*sourceMappingURL=\S*|/\*[#@]\s*sourceMappingURL=[^*]*\*/)")
_LABEL_MAX = 40
_TITLE_TEXT_MAX = 300


@functools.lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """vis-network's JS and CSS from the installed pyvis package, read once."""
    import pyvis

    base = Path(pyvis.__file__).parent
    for folder in (base / "lib" / "vis-9.1.2", base / "templates" / "lib" / "vis-9.1.2"):
        js, css = folder / "vis-network.min.js", folder / "vis-network.css"
        if js.is_file() and css.is_file():
            # A source-map comment would make devtools fetch a file that is not there.
            return (
                _SOURCE_MAP.sub("", js.read_text(encoding="utf-8")),
                _SOURCE_MAP.sub("", css.read_text(encoding="utf-8")),
            )
    raise FileNotFoundError(f"vis-network 9.1.2 not found under {base}; reinstall pyvis 0.3.2")


def script_json(value: Any) -> str:
    """JSON that is safe inside ``<script>``: no ``</script>``, ``<!--`` or
    ``]]>`` can form, and U+2028/2029 cannot end a JS line."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def strip_external_refs(page: str) -> str:
    """Remove any script/link/img/iframe that would fetch from the network."""
    return _EXTERNAL_TAG.sub("", page)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.10g}" if abs(value) >= 1000 else f"{value:.10g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_fmt(v) for v in value)
    return str(value)


def _tooltip(heading: str, lines: Iterable[tuple[str, Any]]) -> str:
    """Hover text as an HTML fragment: fixed markup, every data string escaped.
    vis-network shows string titles as plain text, so the page turns these
    fragments into elements; anything else that reads them as HTML is safe too."""
    rows = [f"<b>{html.escape(heading)}</b>"]
    for key, value in lines:
        if value is None or value == "" or value == []:
            continue
        rows.append(html.escape(f"{key}: {_truncate(_fmt(value), _TITLE_TEXT_MAX)}"))
    return "<br>".join(rows)


# Node properties worth a line in the hover text, in this order.
_NODE_FACTS = tuple(
    (key, key.replace("_", " "))
    for key in (
        "aliases",
        "category",
        "status",
        "quantity",
        "quantity_text",
        "order_year",
        "delivery_years",
        "tiv_total",
        "tiv_delivered",
        "date",
        "publisher",
        "published",
        "generated",
        "origin",
        "description",
    )
)


def _node_tooltip(node: Mapping[str, Any]) -> str:
    props = node["properties"]
    label = primary_label(node) or "node"
    kind = props.get("kind")
    lines: list[tuple[str, Any]] = [("type", f"{label} · {kind}" if kind else label)]
    lines.append(("id", entity_id(node)))
    lines.extend((name, props[key]) for key, name in _NODE_FACTS if key in props)
    if node.get("stub"):
        lines.append(("note", "not in the result: only its id is known"))
    return _tooltip(display_name(node), lines)


def _edge_tooltip(
    edge: Mapping[str, Any], index: Mapping[str, Mapping[str, Any]], status: str | None
) -> str:
    props = edge["properties"]
    start, end = index.get(edge["start"]), index.get(edge["end"])
    head = f"{display_name(start or {})} → {display_name(end or {})}"
    years = None
    if props.get("first_year") is not None:
        first, last = props.get("first_year"), props.get("last_year")
        years = f"{first}" if last in (None, first) else f"{first}–{last}"
    quantity = props.get("quantity")
    if props.get("quantity_text"):
        texts = props["quantity_text"]
        texts = ", ".join(texts) if isinstance(texts, list) else str(texts)
        quantity = f"{_fmt(quantity)} + {texts}" if quantity is not None else texts
    lines: list[tuple[str, Any]] = [
        ("relationship", edge["type"]),
        ("status", status_style(status).label if status else None),
        # Counts say what they count (docs/reading-results.md): a pair summary's
        # SIPRI deals and claims apart; a folded arrow's transfers of any origin.
        ("SIPRI deals", props.get("sipri_deals")),
        ("claims", props.get("claims")),
        ("transfers", props.get("deals") if "sipri_deals" not in props else None),
        ("systems", props.get("systems")),
        ("quantity", quantity),
        ("years", years),
        ("TIV", props.get("tiv")),
        ("statuses", props.get("statuses")),
        ("sources", props.get("sources")),
        ("origin", props.get("origins")),
        ("quote", props.get("quote")),
        ("confidence", props.get("confidence")),
        ("as of", props.get("as_of")),
    ]
    descriptions = props.get("descriptions") or []
    if descriptions:
        more = f" (+{len(descriptions) - 1} more)" if len(descriptions) > 1 else ""
        lines.append(("description", descriptions[0] + more))
    return _tooltip(head, lines)


def vis_data(
    graph: GraphData,
    positions: Mapping[str, tuple[float, float]] | None = None,
    rules: Sequence[StyleRule] = (),
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Node and edge dicts in vis-network's vocabulary, positions included, restyled
    by the styling ``rules`` (``explorer.graph.rules``) when given."""
    if rules:
        nodes, edges = vis_data(graph, positions)
        return apply_rules(nodes, edges, rule_scales(graph, rules))
    if positions is None:
        positions = compute_layout(graph)
    index = graph.node_index()
    degree: dict[str, int] = defaultdict(int)
    edges = [e for e in graph.edges if e["start"] in index and e["end"] in index]
    for edge in edges:
        degree[edge["start"]] += 1
        degree[edge["end"]] += 1

    vis_nodes = []
    for node in graph.nodes:
        style = node_style(node)
        x, y = positions.get(node["id"], (0.0, 0.0))
        size = min(34.0, 10.0 + 3.0 * math.log2(1 + degree[node["id"]]))
        vis_nodes.append(
            {
                "id": node["id"],
                # Labels are drawn on the canvas as text, never parsed as HTML.
                "label": _truncate(display_name(node), _LABEL_MAX),
                "title": _node_tooltip(node),
                "shape": style.shape,
                "color": {
                    "background": style.color,
                    "border": "#333333",
                    "highlight": {"background": style.color, "border": "#000000"},
                    "hover": {"background": style.color, "border": "#000000"},
                },
                "size": round(size, 1),
                "x": x,
                "y": y,
                "entity_id": entity_id(node),
                "node_label": primary_label(node),
            }
        )

    # Parallel arrows between one pair would overlap; bend them apart.
    per_pair: dict[tuple[str, str], int] = defaultdict(int)
    pair_count: dict[frozenset[str], int] = defaultdict(int)
    for edge in edges:
        pair_count[frozenset((edge["start"], edge["end"]))] += 1

    vis_edges = []
    for edge in edges:
        style, status = edge_style(edge, index)
        props = edge["properties"]
        item: dict[str, Any] = {
            "id": edge["id"],
            "from": edge["start"],
            "to": edge["end"],
            "title": _edge_tooltip(edge, index, status),
            "color": {"color": style.color, "highlight": style.color, "hover": style.color},
            "dashes": list(style.dashes) if style.dashes else False,
            "width": 1.0 if style is LINK_STYLE else edge_width(props),
            "arrows": {"to": {"enabled": True, "type": style.arrow, "scaleFactor": 0.7}},
            "status": status,
            "rel_type": edge["type"],
        }
        if pair_count[frozenset((edge["start"], edge["end"]))] > 1:
            nth = per_pair[(edge["start"], edge["end"])]
            per_pair[(edge["start"], edge["end"])] += 1
            item["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": 0.15 + 0.12 * nth}
        vis_edges.append(item)
    return vis_nodes, vis_edges


def vis_options(node_count: int) -> dict[str, Any]:
    big = node_count > 1000
    return {
        "autoResize": True,
        # Positions come from Python: no physics, nothing spins in the browser.
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
            "keyboard": False,
        },
        "nodes": {"borderWidth": 1, "font": {"size": 13, "face": "system-ui, sans-serif"}},
        "edges": {
            "smooth": False,
            "selectionWidth": 1.5,
            "hoverWidth": 1.0,
            "font": {"size": 11, "strokeWidth": 3},
        },
    }


def uses_sipri(graph: GraphData) -> bool:
    """True when any node or edge carries SIPRI-origin data."""
    for item in (*graph.nodes, *graph.edges):
        props = item.get("properties") or {}
        if props.get("origin") == "sipri" or "sipri" in (props.get("origins") or []):
            return True
        attribution = props.get("attribution")
        if isinstance(attribution, str) and "SIPRI" in attribution:
            return True
    return False


_PAGE_CSS = """
html, body { margin: 0; padding: 0; background: #ffffff; }
body { font: 13px system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; }
#explorer-wrap { position: relative; border: 1px solid #e2e2e2; box-sizing: border-box; }
#explorer-graph { position: absolute; inset: 0; }
#explorer-empty { position: absolute; inset: 0; display: flex; align-items: center;
  justify-content: center; color: #777; pointer-events: none; }
.explorer-attribution { position: absolute; right: 6px; bottom: 4px; font-size: 11px;
  color: #555; background: rgba(255,255,255,.85); padding: 1px 4px; pointer-events: none; }
div.vis-tooltip { max-width: 420px; white-space: normal; font: 12px/1.45 system-ui, sans-serif;
  background: #fffef7; border: 1px solid #bbb; border-radius: 3px; padding: 6px 8px;
  box-shadow: 2px 2px 6px rgba(0,0,0,.15); }
"""

# The page's only script besides vis-network. Data arrives as JSON literals;
# the tooltip fragments were escaped in Python, so turning them into elements
# cannot create markup from data.
_PAGE_JS = """
(function () {
  "use strict";
  function tip(fragment) {
    var box = document.createElement("div");
    box.className = "explorer-tip";
    box.innerHTML = fragment;
    return box;
  }
  var nodeData = __NODES__;
  var edgeData = __EDGES__;
  var options = __OPTIONS__;
  nodeData.forEach(function (n) { if (typeof n.title === "string") n.title = tip(n.title); });
  edgeData.forEach(function (e) { if (typeof e.title === "string") e.title = tip(e.title); });
  var nodes = new vis.DataSet(nodeData);
  var edges = new vis.DataSet(edgeData);
  var container = document.getElementById("explorer-graph");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, options);
  window.__explorerGraph = {nodes: nodes, edges: edges, network: network};
  function drawn() { document.body.dataset.drawn = "true"; }
  network.once("stabilizationIterationsDone", drawn);
  network.once("afterDrawing", drawn);
})();
"""


def to_pyvis_html(
    graph: GraphData,
    height: str = "650px",
    width: str = "100%",
    *,
    positions: Mapping[str, tuple[float, float]] | None = None,
    attribution: bool | None = None,
    rules: Sequence[StyleRule] = (),
) -> str:
    """A self-contained page drawing ``graph`` with vis-network: its JS and CSS
    inlined from the installed pyvis package, no external reference, physics
    off at precomputed positions (``compute_layout`` unless given).

    It exposes ``window.__explorerGraph = {nodes, edges, network}`` and sets
    ``document.body.dataset.drawn = "true"`` once drawn; it talks to no other frame.
    The SIPRI attribution is shown when the data holds SIPRI-origin records
    (``attribution=None``) or when asked for. ``rules`` restyle nodes and arrows
    (``explorer.graph.rules``). The dashboard does not show this page: its
    drawings go as data to the graph component's own drawing frame
    (``drawing_payload``; the PNG with its footer is painted there).
    """
    for name, value in (("height", height), ("width", width)):
        if not _CSS_SIZE.match(value):
            raise ValueError(f"{name} must be a CSS size such as 650px or 100%, not {value!r}")

    # The data goes to vis-network directly: pyvis's add_node/add_edge check
    # membership in a list (quadratic at thousands of nodes) and its template links
    # bootstrap and vis from CDNs. pyvis is kept as the source of the vis-network
    # assets it ships (``vis_assets``).
    nodes, edges = vis_data(graph, positions, rules)
    options = vis_options(len(nodes))

    js, css = vis_assets()
    script = (
        _PAGE_JS.replace("__NODES__", script_json(nodes))
        .replace("__EDGES__", script_json(edges))
        .replace("__OPTIONS__", script_json(options))
    )
    show_attribution = uses_sipri(graph) if attribution is None else attribution
    overlays = []
    if not nodes:
        overlays.append('<div id="explorer-empty">No nodes to draw.</div>')
    if show_attribution:
        overlays.append(f'<div class="explorer-attribution">{html.escape(SIPRI_ATTRIBUTION)}</div>')
    page = "".join(
        [
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
            "<title>Arms-transfer graph</title>\n",
            f"<style>{css}</style>\n",
            f"<style>{_PAGE_CSS}#explorer-wrap {{ width: {width}; height: {height}; }}</style>\n",
            f"<script>{js}</script>\n",
            "</head>\n<body>\n",
            # vis-network empties its container, so the overlays sit beside it.
            '<div id="explorer-wrap">',
            '<div id="explorer-graph" aria-label="network of arms transfers"></div>',
            "".join(overlays),
            "</div>\n",
            f"<script>{script}</script>\n",
            "</body>\n</html>\n",
        ]
    )
    return strip_external_refs(page)


def drawing_payload(
    graph: GraphData,
    positions: Mapping[str, tuple[float, float]] | None = None,
    *,
    rules: Sequence[StyleRule] = (),
    attribution: bool | None = None,
    pinned: Iterable[str] = (),
) -> dict[str, Any]:
    """The drawing as data for the dashboard's graph component: ``{nodes, edges,
    options, attribution, rev}`` in vis-network's vocabulary (``vis_data``,
    ``vis_options``), the SIPRI line when the data holds SIPRI records (or when
    asked), and ``rev``, a digest of the rest (the component redraws only when it
    changes). Nodes whose element id is in ``pinned`` are fixed in place (they
    cannot be dragged) and drawn with a thick border.

    The component's static page (``explorer/app/components/graph_view/drawing.html``)
    loads vis-network once; ``to_pyvis_html`` is the self-contained page for export.
    """
    nodes, edges = vis_data(graph, positions, rules)
    held = set(pinned)
    for node in nodes:
        if node["id"] in held:
            node["fixed"] = {"x": True, "y": True}
            node["borderWidth"] = 4
            node["label"] = node["label"] + " \u2022 pinned"
    show = uses_sipri(graph) if attribution is None else attribution
    payload: dict[str, Any] = {
        "nodes": nodes,
        "edges": edges,
        "options": vis_options(len(nodes)),
        "attribution": SIPRI_ATTRIBUTION if show else None,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    payload["rev"] = hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
    return payload


VIS_VENDOR_DIR = Path(__file__).resolve().parents[1] / "app" / "components" / "graph_view" / \
    "vendor"


def write_vis_assets(folder: Path = VIS_VENDOR_DIR) -> None:
    """Copy pyvis's vis-network files (``vis_assets``) into the component's vendor
    folder: what to run after upgrading pyvis (the licence files stay beside them)."""
    js, css = vis_assets()
    (folder / "vis-network.min.js").write_text(js, encoding="utf-8")
    (folder / "vis-network.css").write_text(css, encoding="utf-8")


def prepare_graph(
    rows: Iterable[Mapping[str, Any]],
    *,
    collapse: bool = True,
    max_nodes: int = 300,
    keep: Sequence[str] = (),
) -> tuple[GraphData, CapNotice]:
    """extract -> collapse transfers -> cap: what the dashboard draws."""
    graph = extract_graph(rows)
    if collapse:
        graph = collapse_transfers(graph)
    return cap_graph(graph, max_nodes=max_nodes, keep=keep)


