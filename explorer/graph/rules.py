"""Styling rules: per node label or arrow type, colour, size or width by a property.

A rule reads ``target:Label.property`` — ``size:Actor.partners``,
``width:TRANSFER.tiv``, ``color:Actor.kind`` — and a list of rules is those joined
by commas, short enough for a page address or a saved view (``rules_text`` /
``parse_rules``; ``rule.as_dict()`` / ``rules_from_dicts`` for JSON). Parsing
validates against ``NODE_PROPERTIES`` / ``EDGE_PROPERTIES``: an unknown label,
type or property, or a size by a category, is a ``ParameterError`` of one
sentence. ``rule_scales`` measures the drawn values, ``apply_rules`` restyles
vis-network's node and edge dicts, and ``rules_legend_html`` says what each
colour, size and width means, with the range. Pure: no database, no Streamlit.
"""

from __future__ import annotations

import html
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from explorer.errors import ParameterError
from explorer.graph.model import (
    TRANSFER_EDGE_TYPE,
    GraphData,
    edge_tiv,
    number,
    primary_label,
)
from explorer.graph.style import edge_status

TARGETS: tuple[str, ...] = ("color", "size", "width")
NUMBER, CATEGORY = "number", "category"

# What a rule may use, per node label: stored properties (docs/graph-model.md)
# and three measured on the drawing (partners, TIV supplied, TIV received).
NODE_PROPERTIES: dict[str, dict[str, str]] = {
    "Actor": {"partners": NUMBER, "tiv_supplied": NUMBER, "tiv_received": NUMBER,
              "kind": CATEGORY, "non_state": CATEGORY},
    "Transfer": {"tiv_delivered": NUMBER, "tiv_total": NUMBER, "quantity": NUMBER,
                 "order_year": NUMBER, "partners": NUMBER, "status": CATEGORY,
                 "origin": CATEGORY},
    "WeaponSystem": {"partners": NUMBER, "range_km": NUMBER, "category": CATEGORY},
    "WeaponClass": {"partners": NUMBER},
    "Event": {"partners": NUMBER, "year": NUMBER, "kind": CATEGORY},
    "Place": {"partners": NUMBER, "kind": CATEGORY},
    "Source": {"partners": NUMBER, "kind": CATEGORY},
}
# Per arrow type: the folded supplier -> recipient arrows and the derived summaries.
EDGE_PROPERTIES: dict[str, dict[str, str]] = {
    TRANSFER_EDGE_TYPE: {"tiv": NUMBER, "deals": NUMBER, "quantity": NUMBER,
                         "first_year": NUMBER, "last_year": NUMBER, "status": CATEGORY},
    "TRANSFERS_TO": {"tiv": NUMBER, "deals": NUMBER, "sipri_deals": NUMBER, "claims": NUMBER,
                     "first_year": NUMBER, "last_year": NUMBER, "status": CATEGORY},
}
PROPERTY_NAMES: dict[str, str] = {
    "partners": "number of partners drawn",
    "tiv_supplied": "TIV supplied (arrows drawn, millions)",
    "tiv_received": "TIV received (arrows drawn, millions)",
    "tiv": "TIV (millions)",
    "tiv_delivered": "TIV delivered (millions)",
    "tiv_total": "TIV of the deal (millions)",
    "deals": "number of transfers",
    "sipri_deals": "number of SIPRI deals",
    "claims": "number of claims",
    "non_state": "non-state actor",
    "range_km": "range (km)",
    "first_year": "first year",
    "last_year": "last year",
    "order_year": "order year",
}

SIZE_PX = (8.0, 40.0)
WIDTH_PX = (1.0, 12.0)
MISSING_SIZE_PX = 6.0
MISSING_WIDTH_PX = 0.6
MISSING_COLOUR = "#d0d0d0"
OTHER_COLOUR = "#8c8c8c"
# Okabe-Ito, distinguishable with the common colour blindnesses.
CATEGORY_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00",
                    "#f0e442", "#000000")
# Viridis in five steps, light to dark read as low to high.
NUMBER_COLOURS = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")


@dataclass(frozen=True)
class StyleRule:
    target: str  # "color", "size" (nodes) or "width" (arrows)
    label: str  # a node label, or an arrow type
    prop: str

    @property
    def text(self) -> str:
        return f"{self.target}:{self.label}.{self.prop}"

    @property
    def on_edges(self) -> bool:
        return self.label in EDGE_PROPERTIES

    @property
    def kind(self) -> str:
        table = EDGE_PROPERTIES if self.on_edges else NODE_PROPERTIES
        return table[self.label][self.prop]

    def as_dict(self) -> dict[str, str]:
        return {"target": self.target, "label": self.label, "property": self.prop}


def make_rule(target: str, label: str, prop: str) -> StyleRule:
    """A validated rule; a ``ParameterError`` of one sentence otherwise."""
    text = f"{target}:{label}.{prop}"
    if target not in TARGETS:
        raise ParameterError(
            f"style rule {text!r}: unknown target {target!r} — use color, size or width")
    if target == "size" and label in EDGE_PROPERTIES:
        raise ParameterError(
            f"style rule {text!r}: size applies to node labels; for arrows use width")
    if target == "width" and label in NODE_PROPERTIES:
        raise ParameterError(
            f"style rule {text!r}: width applies to arrow types "
            f"({', '.join(EDGE_PROPERTIES)}); for nodes use size")
    table = {**NODE_PROPERTIES, **EDGE_PROPERTIES}
    if label not in table:
        raise ParameterError(
            f"style rule {text!r}: no node label or arrow type {label!r} — choose one of "
            f"{', '.join(table)}")
    allowed = [p for p, kind in table[label].items() if target == "color" or kind == NUMBER]
    if prop not in table[label]:
        raise ParameterError(
            f"style rule {text!r}: {label} has no property {prop!r} to {_verb(target)} by — "
            f"choose one of {', '.join(allowed)}")
    if prop not in allowed:
        raise ParameterError(
            f"style rule {text!r}: {prop} is a category and {target} needs a number — "
            f"choose one of {', '.join(allowed)}")
    return StyleRule(target, label, prop)


def _verb(target: str) -> str:
    return {"color": "colour", "size": "size", "width": "set the width"}.get(target, target)


def parse_rules(text: str) -> tuple[StyleRule, ...]:
    """``"size:Actor.partners,width:TRANSFER.tiv"`` -> rules; "" -> no rules."""
    rules: list[StyleRule] = []
    for part in (p.strip() for p in str(text or "").split(",")):
        if not part:
            continue
        target, colon, rest = part.partition(":")
        label, dot, prop = rest.partition(".")
        if not colon or not dot or not target or not label or not prop:
            raise ParameterError(
                f"style rule {part!r} must read target:Label.property, e.g. width:TRANSFER.tiv")
        rules.append(make_rule(target.strip(), label.strip(), prop.strip()))
    return check_unique(rules)


def rules_from_dicts(items: Iterable[Mapping[str, Any]]) -> tuple[StyleRule, ...]:
    """The JSON form back: ``[{"target", "label", "property"}, ...]``."""
    rules = []
    for item in items:
        if not isinstance(item, Mapping) or not {"target", "label", "property"} <= item.keys():
            raise ParameterError(
                f"style rule {item!r} must have a target, a label and a property")
        rules.append(make_rule(str(item["target"]), str(item["label"]), str(item["property"])))
    return check_unique(rules)


def check_unique(rules: Sequence[StyleRule]) -> tuple[StyleRule, ...]:
    seen: dict[tuple[str, str], StyleRule] = {}
    for rule in rules:
        other = seen.setdefault((rule.target, rule.label), rule)
        if other is not rule:
            raise ParameterError(
                f"style rules {other.text!r} and {rule.text!r} both set the {rule.target} of "
                f"{rule.label}; keep one")
    return tuple(rules)


def rules_text(rules: Iterable[StyleRule]) -> str:
    return ",".join(rule.text for rule in rules)


# --------------------------------------------------------------------------- values


def node_metrics(graph: GraphData) -> dict[str, dict[str, float]]:
    """What the drawing itself says about each node: distinct partners, and the TIV
    of the supplier -> recipient arrows leaving and reaching it."""
    ids = {node["id"] for node in graph.nodes}
    partners: dict[str, set[str]] = defaultdict(set)
    supplied: dict[str, float] = defaultdict(float)
    received: dict[str, float] = defaultdict(float)
    for edge in graph.edges:
        start, end = edge["start"], edge["end"]
        if start not in ids or end not in ids:
            continue
        if start != end:
            partners[start].add(end)
            partners[end].add(start)
        if edge["type"] in EDGE_PROPERTIES:
            tiv = edge_tiv(edge["properties"])
            supplied[start] += tiv
            received[end] += tiv
    return {
        nid: {"partners": float(len(partners[nid])), "tiv_supplied": supplied[nid],
              "tiv_received": received[nid]}
        for nid in ids
    }


def _value(rule: StyleRule, props: Mapping[str, Any], measured: Mapping[str, float]) -> Any:
    if rule.prop in measured:
        return measured[rule.prop]
    raw = props.get(rule.prop)
    if rule.kind == NUMBER:
        return number(raw)
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    return str(raw)


def rule_values(graph: GraphData, rule: StyleRule) -> dict[str, Any]:
    """Element id -> the rule's value (None when missing), for the nodes or arrows
    the rule applies to."""
    index = graph.node_index()
    if rule.on_edges:
        out: dict[str, Any] = {}
        for edge in graph.edges:
            if edge["type"] != rule.label or edge["start"] not in index or \
                    edge["end"] not in index:
                continue
            props = edge["properties"]
            if rule.prop == "status":
                props = {**props, "status": edge_status(edge, index)}
            out[edge["id"]] = _value(rule, props, {})
        return out
    metrics = node_metrics(graph)
    return {
        node["id"]: _value(rule, node["properties"], metrics[node["id"]])
        for node in graph.nodes if primary_label(node) == rule.label
    }


# --------------------------------------------------------------------------- scales


@dataclass(frozen=True)
class RuleScale:
    """One rule measured on the drawing: its values and how they map to paint."""

    rule: StyleRule
    values: Mapping[str, Any]
    low: float | None = None
    high: float | None = None
    categories: tuple[tuple[str, str, int], ...] = ()  # (value, colour, count)
    bins: tuple[tuple[float, float, str], ...] = ()  # (from, to, colour)
    missing: int = 0
    other: int = 0  # values beyond the palette, drawn grey
    _colour_of: Mapping[str, str] = field(default_factory=dict)

    def paint(self, value: Any) -> Any:
        """A value -> a size (px), a width (px) or a colour."""
        target = self.rule.target
        if target == "color":
            if value is None:
                return MISSING_COLOUR
            if self.rule.kind == CATEGORY:
                return self._colour_of.get(str(value), OTHER_COLOUR)
            for _low, high, colour in self.bins:
                if value <= high:
                    return colour
            return self.bins[-1][2]
        lo_px, hi_px = SIZE_PX if target == "size" else WIDTH_PX
        if value is None:
            return MISSING_SIZE_PX if target == "size" else MISSING_WIDTH_PX
        high = self.high or 0.0
        if high <= 0:
            return lo_px
        # Area (a node) or thickness (a line) grows with the square root, so a
        # value ten times larger looks about three times as big, not ten.
        share = math.sqrt(max(0.0, float(value)) / high)
        return round(lo_px + (hi_px - lo_px) * share, 2)


def rule_scale(graph: GraphData, rule: StyleRule) -> RuleScale:
    values = rule_values(graph, rule)
    present = [v for v in values.values() if v is not None]
    missing = len(values) - len(present)
    if rule.kind == CATEGORY:
        counts = Counter(str(v) for v in present)
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        shown = ranked[: len(CATEGORY_COLOURS)]
        colour_of = {v: CATEGORY_COLOURS[i] for i, (v, _) in enumerate(shown)}
        return RuleScale(
            rule, values, categories=tuple((v, colour_of[v], n) for v, n in shown),
            missing=missing, other=sum(n for _, n in ranked[len(shown):]), _colour_of=colour_of)
    low = min(present) if present else None
    high = max(present) if present else None
    bins: tuple[tuple[float, float, str], ...] = ()
    if rule.target == "color" and low is not None and high is not None:
        steps = len(NUMBER_COLOURS) if high > low else 1
        edges = [low + (high - low) * i / steps for i in range(steps + 1)]
        bins = tuple((edges[i], edges[i + 1], NUMBER_COLOURS[i if steps > 1 else -1])
                     for i in range(steps))
    return RuleScale(rule, values, low=low, high=high, bins=bins, missing=missing)


def rule_scales(graph: GraphData, rules: Sequence[StyleRule]) -> list[RuleScale]:
    return [rule_scale(graph, rule) for rule in rules]


def apply_rules(
    vis_nodes: Sequence[Mapping[str, Any]],
    vis_edges: Sequence[Mapping[str, Any]],
    scales: Sequence[RuleScale],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """vis-network node and edge dicts restyled by the rules (new dicts; the shape
    and line pattern stay, so kind and status still read where colour is taken)."""
    nodes = [dict(n) for n in vis_nodes]
    edges = [dict(e) for e in vis_edges]
    for scale in scales:
        items = edges if scale.rule.on_edges else nodes
        for item in items:
            if item["id"] not in scale.values:
                continue
            paint = scale.paint(scale.values[item["id"]])
            item["rule_value"] = {**item.get("rule_value", {}),
                                  scale.rule.target: scale.values[item["id"]]}
            if scale.rule.target == "size":
                item["size"] = paint
            elif scale.rule.target == "width":
                item["width"] = paint
            elif scale.rule.on_edges:
                item["color"] = {"color": paint, "highlight": paint, "hover": paint}
            else:
                item["color"] = {**item["color"], "background": paint,
                                 "highlight": {"background": paint, "border": "#000000"},
                                 "hover": {"background": paint, "border": "#000000"}}
    return nodes, edges


# --------------------------------------------------------------------------- legend


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3g}"


def _thing(rule: StyleRule) -> str:
    return f"{rule.label} arrows" if rule.on_edges else f"{rule.label} nodes"


def legend_lines(scales: Sequence[RuleScale]) -> list[dict[str, Any]]:
    """Per rule: a heading sentence and swatches ``(text, colour or px)``, in words a
    reader can check against the hover texts."""
    out: list[dict[str, Any]] = []
    for scale in scales:
        rule = scale.rule
        what = PROPERTY_NAMES.get(rule.prop, rule.prop.replace("_", " "))
        count = len(scale.values)
        if not count:
            out.append({"rule": rule.text, "text": f"{_thing(rule).capitalize()}: "
                        f"{rule.target} by {what} — none drawn.", "swatches": []})
            continue
        swatches: list[tuple[str, Any]] = []
        if rule.target in ("size", "width"):
            noun = "Size" if rule.target == "size" else "Line width"
            lo_px, hi_px = SIZE_PX if rule.target == "size" else WIDTH_PX
            text = (f"{noun} of {_thing(rule)} by {what}: {_num(scale.low)} to "
                    f"{_num(scale.high)}, drawn {scale.paint(scale.low):g} to "
                    f"{hi_px:g} px (grows with the square root; 0 is {lo_px:g} px)")
            swatches = [(_num(scale.low), scale.paint(scale.low)),
                        (_num(scale.high), scale.paint(scale.high))]
        elif rule.kind == CATEGORY:
            text = f"Colour of {_thing(rule)} by {what}"
            if rule.on_edges:
                text += " (the line pattern still shows the status)"
            elif rule.label == "Actor":
                text += " (the shape still shows the kind)"
            swatches = [(f"{value} ({n:,})", colour) for value, colour, n in scale.categories]
            if scale.other:
                swatches.append((f"other values ({scale.other:,})", OTHER_COLOUR))
        else:
            text = (f"Colour of {_thing(rule)} by {what}: {_num(scale.low)} to "
                    f"{_num(scale.high)} in {len(scale.bins)} equal steps, light to dark")
            swatches = [(f"{_num(lo)}–{_num(hi)}" if hi > lo else _num(lo), colour)
                        for lo, hi, colour in scale.bins]
        if scale.missing:
            missing_paint = (MISSING_COLOUR if rule.target == "color" else
                             MISSING_SIZE_PX if rule.target == "size" else MISSING_WIDTH_PX)
            swatches.append((f"no value ({scale.missing:,})", missing_paint))
        out.append({"rule": rule.text, "target": rule.target, "text": text + ".",
                    "swatches": swatches})
    return out


def rules_legend_html(scales: Sequence[RuleScale]) -> str:
    """The rules' legend as escaped HTML with inline SVG swatches (no script)."""
    parts = ['<div class="explorer-rules-legend" '
             'style="font:12px system-ui,sans-serif;line-height:1.7">']
    for line in legend_lines(scales):
        parts.append(f'<div data-rule="{html.escape(line["rule"])}"><b>'
                     f'{html.escape(line["text"])}</b> ')
        for text, paint in line["swatches"]:
            parts.append(f'<span style="display:inline-block;margin-right:10px">'
                         f'{_swatch(line.get("target", "color"), paint)} '
                         f'{html.escape(text)}</span>')
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def _swatch(target: str, paint: Any) -> str:
    if target == "size":
        r = max(1.5, min(9.0, float(paint) / 4))
        return (f'<svg width="20" height="20" aria-hidden="true"><circle cx="10" cy="10" '
                f'r="{r:.1f}" fill="#4477aa" stroke="#333"/></svg>')
    if target == "width":
        return (f'<svg width="34" height="16" aria-hidden="true"><line x1="1" y1="8" x2="33" '
                f'y2="8" stroke="#08306b" stroke-width="{float(paint):.1f}"/></svg>')
    return (f'<svg width="14" height="14" aria-hidden="true"><rect x="1" y="1" width="12" '
            f'height="12" fill="{html.escape(str(paint))}" stroke="#333"/></svg>')
