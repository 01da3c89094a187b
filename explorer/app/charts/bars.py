"""Bars and lines: a saved query's bar and line views, a weapon system's deliveries per
year, an actor's transfers per year by status."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

from explorer.app.charts.data import frame, is_quantitative, looks_like_dates
from explorer.app.charts.palette import status_label, status_scale
from explorer.graph import STATUS_ORDER, STATUS_STYLES

# Pixels per bar: enough for a label of 11-px text beside every bar, so no label is
# dropped (Vega-Lite hides overlapping axis labels, which left every other supplier
# unnamed in a chart of 15 countries).
BAR_STEP_PX = 24


def bar_chart(
    rows: Sequence[Mapping[str, Any]], x: str, y: str, color: str | None = None
) -> alt.Chart:
    """Bars of ``y`` by ``x``, stacked by ``color``, every bar labelled.

    Names (suppliers, systems) make horizontal bars, one row each in the rows' order,
    so long names read whole; a numeric ``x`` (years) stays a vertical, ordinal axis
    with every year printed (turned upright when there are many).
    """
    data = frame(rows, [x, y, color])
    tooltip = [c for c in (x, y, color) if c]
    colour = {"color": alt.Color(f"{color}:N", title=color)} if color else {}
    if is_quantitative(data[x]):
        count = data[x].nunique()
        axis = alt.Axis(labelOverlap=False, labelAngle=0 if count <= 12 else -90)
        return alt.Chart(data).mark_bar().encode(
            x=alt.X(f"{x}:O", title=x, axis=axis), y=alt.Y(f"{y}:Q", title=y),
            tooltip=tooltip, **colour,
        ).properties(height=380)
    count = data[x].astype(str).nunique()
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y(f"{x}:N", title=x, sort=None,
                axis=alt.Axis(labelOverlap=False, labelLimit=320)),
        x=alt.X(f"{y}:Q", title=y), tooltip=tooltip, **colour,
    ).properties(height=max(120, BAR_STEP_PX * count))


def deliveries_chart(rows: Sequence[Mapping[str, Any]], *, year: str = "year",
                     value: str = "delivered", flow: str = "flow") -> alt.Chart:
    """Number delivered per year, one colour per supplier → recipient; every year
    between the first and the last is on the axis and labelled."""
    data = frame(rows, [year, value, flow])
    years = sorted(int(v) for v in data[year].dropna().unique())
    domain = list(range(years[0], years[-1] + 1)) if years else []
    axis = alt.Axis(labelOverlap=False, labelAngle=0 if len(domain) <= 12 else -90)
    return alt.Chart(data).mark_bar().encode(
        x=alt.X(f"{year}:O", title=None, scale=alt.Scale(domain=domain), axis=axis),
        y=alt.Y(f"sum({value}):Q", title="number delivered"),
        color=alt.Color(f"{flow}:N", title="supplier → recipient",
                        legend=alt.Legend(orient="bottom", columns=2, labelLimit=360)),
        tooltip=[alt.Tooltip(f"{year}:O", title="year"),
                 alt.Tooltip(f"{flow}:N", title="supplier → recipient"),
                 alt.Tooltip(f"{value}:Q", title="delivered")],
    ).properties(height=280)


def line_chart(
    rows: Sequence[Mapping[str, Any]], x: str, y: str, color: str | None = None
) -> alt.Chart:
    """A line of ``y`` over ``x``, one line per ``color``."""
    data = frame(rows, [x, y, color])
    x_type = "Q" if is_quantitative(data[x]) else "T" if looks_like_dates(data[x]) else "O"
    encoding: dict[str, Any] = {
        "x": alt.X(f"{x}:{x_type}", title=x,
                   axis=alt.Axis(format="d") if x_type == "Q" else alt.Axis()),
        "y": alt.Y(f"{y}:Q", title=y),
        "tooltip": [c for c in (x, y, color) if c],
    }
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=color)
    return alt.Chart(data).mark_line(point=True).encode(**encoding).properties(height=380)


def transfers_by_year(rows: Sequence[Mapping[str, Any]], *, metric: str = "transfers",
                      years: Sequence[int] | None = None, title: str = "") -> alt.Chart:
    """Stacked bars: ``metric`` (transfers or tiv) per year, one colour per status."""
    data = pd.DataFrame([
        {"year": r["year"], "status": status_label(r["status"]), "transfers": r["transfers"],
         "tiv": round(float(r["tiv"] or 0.0), 2)}
        for r in rows if r.get("year") is not None
    ], columns=["year", "status", "transfers", "tiv"])
    axis_years = list(years) if years else sorted(data["year"].unique().tolist())
    order = {STATUS_STYLES[s].label: i for i, s in enumerate(STATUS_ORDER)}
    data["order"] = data["status"].map(order)
    y_title = "transfers (deals and claims)" if metric == "transfers" else "SIPRI TIV (millions)"
    return alt.Chart(data, title=title).mark_bar().encode(
        x=alt.X("year:O", scale=alt.Scale(domain=axis_years), title=None,
                # Every year labelled (labelOverlap would hide every other one);
                # upright, so 30 years fit in half the page.
                axis=alt.Axis(labelAngle=-90, labelOverlap=False, labelFontSize=10)),
        y=alt.Y(f"sum({metric}):Q", title=y_title),
        color=alt.Color("status:N", title="status",
                        scale=status_scale([r["status"] for r in rows])),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("year:O"), alt.Tooltip("status:N"),
                 alt.Tooltip("sum(transfers):Q", title="transfers"),
                 alt.Tooltip("sum(tiv):Q", title="TIV (millions)", format=",.2f")],
    ).properties(height=260)
