"""The charts' colours: statuses as the graph drawing styles them, and the few others.

Status colours, labels and dash patterns come from ``explorer.graph.STATUS_STYLES`` (the
drawing's styles, over the statuses of ``explorer.contract``), so "delivered" (dark blue,
solid) and "sought" (orange, dashed) read the same in every chart and in the drawing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import altair as alt

from explorer.graph import STATUS_ORDER, STATUS_STYLES

INK = "#08306b"
"""Marks without a status (points of a saved query's map or timeline)."""
TEXT = "#1a1a1a"
SEA = "#f3f6f9"
LAND = "#e4e7ea"
BORDER = "#ffffff"
GRID = "#d5dde6"
EVENT_COLOUR = "#1a1a1a"
CLAIM_COLOUR = "#2b2b2b"
STRIKE_COLOUR = "#b2182b"
EVENT_CLAIM = "claim about an event"

STATUS_DASHES: dict[str, list[int]] = {
    status: list(style.dashes) if style.dashes else [1, 0]
    for status, style in STATUS_STYLES.items()
}
"""Vega-Lite strokeDash per status ([1, 0] is solid)."""


def status_label(status: Any) -> str:
    style = STATUS_STYLES.get(str(status))
    return style.label if style else str(status)


def status_of_label(label: str) -> str | None:
    return next((s for s, style in STATUS_STYLES.items() if style.label == label), None)


def shown_statuses(statuses: Iterable[Any] | None) -> list[str]:
    """The statuses among ``statuses`` in the fixed order (all of them for None)."""
    present = None if statuses is None else {str(s) for s in statuses}
    return [s for s in STATUS_ORDER if present is None or s in present]


def status_scale(statuses: Iterable[Any] | None = None, *, extra: Mapping[str, str] = {}
                 ) -> alt.Scale:
    """Colour scale over status labels in the fixed order (only those present, when given)."""
    shown = shown_statuses(statuses)
    return alt.Scale(domain=[*(STATUS_STYLES[s].label for s in shown), *extra],
                     range=[*(STATUS_STYLES[s].color for s in shown), *extra.values()])


def dash_scale(statuses: Iterable[Any] | None = None) -> alt.Scale:
    """Dash patterns over status labels, matching ``status_scale``: with the same field
    on colour and strokeDash, Vega-Lite draws one legend showing both."""
    shown = shown_statuses(statuses)
    return alt.Scale(domain=[STATUS_STYLES[s].label for s in shown],
                     range=[STATUS_DASHES[s] for s in shown])
