"""How each node and edge is drawn: colours, shapes and dashes per status
and kind, edge widths, the legend.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from explorer.graph.model import STATUS_ORDER, TRANSFER_EDGE_TYPE, edge_tiv, number, primary_label

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class EdgeStyle:
    color: str
    dashes: bool | tuple[int, ...]
    arrow: str  # vis-network arrow head: "arrow", or "bar" for "did not / will not happen"
    label: str
    description: str


@dataclass(frozen=True)
class NodeStyle:
    shape: str  # vis-network shape name
    color: str
    label: str


# Colours lean on the Okabe-Ito / Paul Tol palettes, and every status also
# differs by dash pattern or arrow head, so no reading depends on hue alone.
STATUS_STYLES: dict[str, EdgeStyle] = {
    "delivered": EdgeStyle("#08306b", False, "arrow", "Delivered", "arms handed over"),
    "ordered": EdgeStyle("#3a7dc9", (10, 6), "arrow", "Ordered", "deal signed, not yet delivered"),
    "reported": EdgeStyle(
        "#009e88", (14, 4, 3, 4), "arrow", "Reported", "reported handed over, not confirmed"
    ),
    "sought": EdgeStyle("#e66100", (8, 6), "arrow", "Sought", "the recipient wants it"),
    "considered": EdgeStyle("#c69200", (2, 6), "arrow", "Considered", "under discussion"),
    "withheld": EdgeStyle("#7b3294", (6, 4), "bar", "Withheld", "the supplier holds it back"),
    "not_supplied": EdgeStyle(
        "#8c8c8c", (3, 4), "bar", "Not supplied", "asked for or claimed, not supplied"
    ),
}
UNKNOWN_STATUS_STYLE = EdgeStyle("#5f5f5f", (1, 3), "arrow", "Unknown status", "no status given")
LINK_STYLE = EdgeStyle("#a8a8a8", False, "arrow", "Other link", "OF, IS_A, CONDUCTED, ...")

ACTOR_STYLES: dict[str, NodeStyle] = {
    "state": NodeStyle("dot", "#4477aa", "State"),
    "organization": NodeStyle("hexagon", "#66ccee", "Organization"),
    "armed_group": NodeStyle("triangle", "#ee6677", "Armed group"),
    "person": NodeStyle("triangleDown", "#aa3377", "Person"),
    "media": NodeStyle("square", "#ccbb44", "Media"),
    "unknown": NodeStyle("dot", "#bbbbbb", "Actor (kind unknown)"),
}
LABEL_STYLES: dict[str, NodeStyle] = {
    "WeaponSystem": NodeStyle("diamond", "#228833", "Weapon system"),
    "WeaponClass": NodeStyle("diamond", "#a6dba0", "Weapon class"),
    "Event": NodeStyle("star", "#ee7733", "Event"),
    "Place": NodeStyle("square", "#009988", "Place"),
    "Source": NodeStyle("database", "#d9d0c1", "Source"),
    "Transfer": NodeStyle("dot", "#777777", "Transfer (coloured by status)"),
}
OTHER_STYLE = NodeStyle("dot", "#dddddd", "Other")




def node_style(node: Mapping[str, Any]) -> NodeStyle:
    label = primary_label(node)
    if label == "Actor":
        kind = str((node.get("properties") or {}).get("kind") or "unknown")
        return ACTOR_STYLES.get(kind, ACTOR_STYLES["unknown"])
    if label == "Transfer":
        status = (node.get("properties") or {}).get("status")
        base = LABEL_STYLES["Transfer"]
        return NodeStyle(base.shape, status_style(status).color, base.label)
    return LABEL_STYLES.get(label, OTHER_STYLE)


def status_style(status: Any) -> EdgeStyle:
    return STATUS_STYLES.get(str(status), UNKNOWN_STATUS_STYLE)


def edge_status(edge: Mapping[str, Any], index: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The transfer status an edge stands for, if any: its own, the strongest of
    a derived ``TRANSFERS_TO``, or that of the Transfer node a SUPPLIED/TO touches."""
    props = edge.get("properties") or {}
    if props.get("status"):
        return str(props["status"])
    statuses = props.get("statuses")
    if isinstance(statuses, list) and statuses:
        ranked = [s for s in STATUS_ORDER if s in statuses]
        return ranked[0] if ranked else str(statuses[0])
    if edge.get("type") in ("SUPPLIED", "TO"):
        for end in (edge.get("end"), edge.get("start")):
            node = index.get(end)
            if node and "Transfer" in node["labels"]:
                status = node["properties"].get("status")
                return str(status) if status else None
    return None


def edge_style(
    edge: Mapping[str, Any], index: Mapping[str, Mapping[str, Any]]
) -> tuple[EdgeStyle, str | None]:
    """How to draw an edge, and the transfer status it stands for (None for plain links)."""
    status = edge_status(edge, index)
    if status is None and edge.get("type") not in (TRANSFER_EDGE_TYPE, "TRANSFERS_TO"):
        return LINK_STYLE, None
    return status_style(status), status


def edge_width(props: Mapping[str, Any]) -> float:
    """Line width from TIV when known, else quantity: log scale, 1.5 to 8."""
    value = edge_tiv(props) or number(props.get("quantity")) or 0.0
    if value <= 0:
        return 1.5
    return round(min(8.0, 1.5 + 1.6 * math.log10(1.0 + value)), 2)


def legend_items() -> list[dict[str, Any]]:
    """The legend as data, so the dashboard, the HTML and the SVG agree."""
    items: list[dict[str, Any]] = []
    for kind, style in ACTOR_STYLES.items():
        items.append(
            {
                "kind": "node",
                "key": f"Actor:{kind}",
                "label": style.label,
                "shape": style.shape,
                "color": style.color,
            }
        )
    for label, style in LABEL_STYLES.items():
        items.append(
            {
                "kind": "node",
                "key": label,
                "label": style.label,
                "shape": style.shape,
                "color": style.color,
            }
        )
    for status in STATUS_ORDER:
        style = STATUS_STYLES[status]
        items.append(
            {
                "kind": "edge",
                "key": status,
                "label": style.label,
                "color": style.color,
                "dashes": list(style.dashes) if style.dashes else [],
                "arrow": style.arrow,
                "description": style.description,
            }
        )
    items.append(
        {
            "kind": "edge",
            "key": "link",
            "label": LINK_STYLE.label,
            "color": LINK_STYLE.color,
            "dashes": [],
            "arrow": LINK_STYLE.arrow,
            "description": LINK_STYLE.description,
        }
    )
    items.append(
        {
            "kind": "note",
            "key": "width",
            "label": "Line width grows with TIV (log scale), else with quantity",
        }
    )
    return items


def legend_html(*, replaced: Iterable[str] = ()) -> str:
    """A small legend: inline SVG swatches, escaped text, no scripts. ``replaced``
    names notes a styling rule now explains instead (``"width"``)."""
    parts = ['<div class="explorer-legend" style="font:12px system-ui,sans-serif;line-height:1.6">']
    for item in legend_items():
        if item["kind"] == "note" and item["key"] in replaced:
            continue
        label = html.escape(item["label"])
        if item["kind"] == "node":
            swatch = svg_shape(item["shape"], 8.0, 8.0, 6.0, item["color"], "#333333")
            parts.append(
                f'<span style="display:inline-block;margin-right:12px">'
                f'<svg width="16" height="16" aria-hidden="true">{swatch}</svg> {label}</span>'
            )
        elif item["kind"] == "edge":
            dash = " ".join(str(d) for d in item["dashes"])
            title = html.escape(item["description"])
            end = (
                '<line x1="30" y1="3" x2="30" y2="13" stroke-width="2" stroke="{c}"/>'
                if item["arrow"] == "bar"
                else '<path d="M24 3 L32 8 L24 13 Z" fill="{c}"/>'
            ).format(c=html.escape(item["color"]))
            parts.append(
                f'<span style="display:inline-block;margin-right:12px" title="{title}">'
                f'<svg width="34" height="16" aria-hidden="true"><line x1="1" y1="8" x2="28" '
                f'y2="8" stroke="{html.escape(item["color"])}" stroke-width="2.5" '
                f'stroke-dasharray="{dash}"/>{end}</svg> {label}</span>'
            )
        else:
            parts.append(f'<div style="color:#555">{label}</div>')
    parts.append("</div>")
    return "".join(parts)


def svg_shape(shape: str, x: float, y: float, r: float, fill: str, stroke: str) -> str:
    """One node marker as SVG (used by the legend and the SVG export)."""
    fill, stroke = html.escape(fill), html.escape(stroke)
    paint = f'fill="{fill}" stroke="{stroke}" stroke-width="1"'

    def poly(points: Iterable[tuple[float, float]]) -> str:
        coords = " ".join(f"{x + px * r:.1f},{y + py * r:.1f}" for px, py in points)
        return f'<polygon points="{coords}" {paint}/>'

    if shape in ("square", "database", "box"):
        return (
            f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" '
            f'height="{2 * r:.1f}" rx="{r / 3 if shape != "square" else 0:.1f}" {paint}/>'
        )
    if shape == "diamond":
        return poly([(0, -1.2), (1.2, 0), (0, 1.2), (-1.2, 0)])
    if shape == "triangle":
        return poly([(0, -1.15), (1.05, 0.8), (-1.05, 0.8)])
    if shape == "triangleDown":
        return poly([(0, 1.15), (1.05, -0.8), (-1.05, -0.8)])
    if shape == "hexagon":
        return poly([(math.cos(a), math.sin(a)) for a in (i * math.pi / 3 for i in range(6))])
    if shape == "star":
        return poly(
            [
                (
                    math.sin(a) * (1.25 if i % 2 == 0 else 0.5),
                    -math.cos(a) * (1.25 if i % 2 == 0 else 0.5),
                )
                for i, a in ((i, i * math.pi / 5) for i in range(10))
            ]
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {paint}/>'


