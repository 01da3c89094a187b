"""Query results -> a graph -> a drawing.

Pure functions, no database: ``explorer/results.py`` turns driver records
into plain row dicts; this package finds the nodes and relationships in them
(``model``), folds the reified transfers into supplier -> recipient arrows and
caps what gets drawn (``shape``), styles it (``style``, and the analyst's
styling rules in ``rules``), lays it out deterministically (``layout``: force;
``layouts``: the choice of force, supplier -> recipient tiers or rings around the
focus) and writes a self-contained vis-network page
(``page``; no CDN: the dashboard must work offline). Exports live in
``explorer/graph_export.py``; the render benchmark in ``explorer/bench/render.py``.
Everything public is importable from ``explorer.graph``.

    rows --extract_graph--> GraphData --collapse_transfers--> GraphData
         --cap_graph--> (GraphData, CapNotice) --to_pyvis_html--> str

Relationships whose end nodes are not in the result are dropped and counted
(``GraphData.dropped_edges``, repeated in the ``CapNotice``) rather than drawn
to anonymous stub nodes, unless ``extract_graph(..., stub_missing=True)``.
"""


from __future__ import annotations

import importlib
from typing import Any

from explorer.graph.model import (
    LABEL_PRIORITY,
    SIPRI_ATTRIBUTION,
    STATUS_ORDER,
    TRANSFER_EDGE_TYPE,
    GraphData,
    display_name,
    edge_tiv,
    entity_id,
    extract_graph,
    is_node,
    is_path,
    is_relationship,
    number,
    primary_label,
)
from explorer.graph.rules import (
    RuleScale,
    StyleRule,
    apply_rules,
    make_rule,
    parse_rules,
    rule_scales,
    rules_from_dicts,
    rules_legend_html,
    rules_text,
)
from explorer.graph.shape import (
    CapNotice,
    cap_graph,
    collapse_transfers,
)
from explorer.graph.style import (
    ACTOR_STYLES,
    LABEL_STYLES,
    LINK_STYLE,
    OTHER_STYLE,
    STATUS_STYLES,
    UNKNOWN_STATUS_STYLE,
    EdgeStyle,
    NodeStyle,
    edge_status,
    edge_style,
    edge_width,
    legend_html,
    legend_items,
    node_style,
    status_style,
    svg_shape,
)

# The layout and the page need numpy; a saved-query run in the terminal needs only
# the model (attribution), so they load on first use (PEP 562).
_LAZY = {
    "compute_layout": "explorer.graph.layout",
    "LAYOUTS": "explorer.graph.layouts",
    "LAYOUT_LABELS": "explorer.graph.layouts",
    "compute_positions": "explorer.graph.layouts",
    "prepare_graph": "explorer.graph.page",
    "script_json": "explorer.graph.page",
    "strip_external_refs": "explorer.graph.page",
    "to_pyvis_html": "explorer.graph.page",
    "uses_sipri": "explorer.graph.page",
    "vis_assets": "explorer.graph.page",
    "vis_data": "explorer.graph.page",
    "vis_options": "explorer.graph.page",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'explorer.graph' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "ACTOR_STYLES",
    "LABEL_PRIORITY",
    "LABEL_STYLES",
    "LAYOUTS",
    "LAYOUT_LABELS",
    "LINK_STYLE",
    "OTHER_STYLE",
    "SIPRI_ATTRIBUTION",
    "STATUS_ORDER",
    "STATUS_STYLES",
    "TRANSFER_EDGE_TYPE",
    "UNKNOWN_STATUS_STYLE",
    "CapNotice",
    "EdgeStyle",
    "GraphData",
    "NodeStyle",
    "RuleScale",
    "StyleRule",
    "apply_rules",
    "cap_graph",
    "collapse_transfers",
    "compute_layout",
    "compute_positions",
    "display_name",
    "edge_status",
    "edge_style",
    "edge_tiv",
    "edge_width",
    "entity_id",
    "extract_graph",
    "is_node",
    "is_path",
    "is_relationship",
    "legend_html",
    "legend_items",
    "make_rule",
    "node_style",
    "number",
    "parse_rules",
    "prepare_graph",
    "primary_label",
    "rule_scales",
    "rules_from_dicts",
    "rules_legend_html",
    "rules_text",
    "script_json",
    "status_style",
    "strip_external_refs",
    "svg_shape",
    "to_pyvis_html",
    "uses_sipri",
    "vis_assets",
    "vis_data",
    "vis_options",
]
