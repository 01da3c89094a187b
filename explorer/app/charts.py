"""Altair charts the dashboard shares: bar, line, timeline and a tile-free map.

Everything is drawn from the rows themselves: no map tiles, web fonts or
remote data, so the charts work offline. Column names come from a saved
query's view options; values from data reach Vega-Lite as data, never as
markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

MAP_POINT_COLOUR = "#08306b"
MAP_SEA = "#f3f6f9"
MAP_GRID = "#d5dde6"


def frame(rows: Sequence[Mapping[str, Any]], columns: Sequence[str | None]) -> pd.DataFrame:
    """The named columns of ``rows`` as a DataFrame (missing columns are empty;
    lists are joined so a chart can show them)."""
    wanted = [c for c in dict.fromkeys(columns) if c]
    data = {
        c: [_scalar(row.get(c)) for row in rows] for c in wanted
    }
    return pd.DataFrame(data, columns=wanted)


def _scalar(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Mapping):
        props = value.get("properties")
        if isinstance(props, Mapping):
            return props.get("name") or props.get("title") or props.get("id")
        return str(value)
    return value


def _type(series: pd.Series) -> str:
    return "quantitative" if pd.api.types.is_numeric_dtype(series) else "nominal"


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
    if _type(data[x]) == "quantitative":
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
    x_type = "Q" if _type(data[x]) == "quantitative" else "T" if _looks_like_dates(data[x]) \
        else "O"
    encoding: dict[str, Any] = {
        "x": alt.X(f"{x}:{x_type}", title=x,
                   axis=alt.Axis(format="d") if x_type == "Q" else alt.Axis()),
        "y": alt.Y(f"{y}:Q", title=y),
        "tooltip": [c for c in (x, y, color) if c],
    }
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=color)
    return alt.Chart(data).mark_line(point=True).encode(**encoding).properties(height=380)


def _looks_like_dates(series: pd.Series) -> bool:
    sample = series.dropna().astype(str).head(20)
    return bool(len(sample)) and sample.str.match(r"^\d{4}(-\d{2}){0,2}").all()


def timeline_chart(
    rows: Sequence[Mapping[str, Any]],
    date: str,
    label: str,
    end: str | None = None,
    color: str | None = None,
) -> alt.Chart:
    """Events on a time axis, one labelled row each; a bar to ``end`` when given.

    Dates at year or month precision ("2024", "2024-04") are placed at their start.
    """
    data = frame(rows, [date, label, end, color])
    data = data[data[date].notna() & (data[date].astype(str) != "")].copy()
    data["_start"] = pd.to_datetime(data[date].astype(str).map(_iso_start), errors="coerce")
    data = data[data["_start"].notna()]
    data["_row"] = data[label].astype(str)
    tooltip = [alt.Tooltip(f"{date}:N", title=date), alt.Tooltip(f"{label}:N", title=label)]
    colour = alt.Color(f"{color}:N", title=color) if color else alt.value(MAP_POINT_COLOUR)
    if color:
        tooltip.append(alt.Tooltip(f"{color}:N", title=color))
    y = alt.Y("_row:N", sort=alt.EncodingSortField("_start", order="ascending"), title=None,
              axis=alt.Axis(labelLimit=300))
    height = max(160, 26 * data["_row"].nunique())
    points = alt.Chart(data).mark_point(filled=True, size=110).encode(
        x=alt.X("_start:T", title=date), y=y, color=colour, tooltip=tooltip
    )
    if end:
        data["_end"] = pd.to_datetime(data[end].astype(str).map(_iso_start), errors="coerce")
        bars = alt.Chart(data).mark_rule(strokeWidth=4, opacity=0.6).encode(
            x="_start:T", x2="_end:T", y=y, color=colour, tooltip=tooltip
        )
        return (bars + points).properties(height=height)
    return points.properties(height=height)


def _iso_start(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) == 4 and text.isdigit():
        return f"{text}-01-01"
    if len(text) == 7 and text[4] == "-":
        return f"{text}-01"
    return text[:10]


def map_chart(
    rows: Sequence[Mapping[str, Any]],
    lat: str = "lat",
    lon: str = "lon",
    label: str | None = None,
    *,
    size: str | None = None,
    color: str | None = None,
    width: int | str = "container",
    height: int = 480,
) -> alt.LayerChart:
    """Points at ``lon``/``lat`` with labels on a plain globe: an outline and a
    15-degree graticule, no tiles. The view fits the points (with a margin);
    rows without coordinates are left out; long labels are shortened (the
    tooltip has them whole).

    With ``width="container"`` (the default) show it with
    ``st.altair_chart(chart, width="stretch")``; the points are fitted to the width.
    """
    data = frame(rows, [lat, lon, label, size, color])
    for column in (lat, lon):
        data[column] = pd.to_numeric(data[column], errors="coerce")
    data = data[data[lat].between(-90, 90) & data[lon].between(-180, 180)].copy()
    # Plate carrée: the fitted latitude/longitude box is exactly what is shown,
    # and the graticule reads as a plain grid.
    projection: dict[str, Any] = {"type": "equirectangular"}
    if len(data):
        # Fit the view to the points instead of the whole globe, so that places
        # in one region stay apart; the height follows the box's shape.
        margin = 10.0
        corners = [
            [max(-180.0, data[lon].min() - margin), max(-80.0, data[lat].min() - margin)],
            [min(180.0, data[lon].max() + margin), min(85.0, data[lat].max() + margin)],
        ]
        span_lon = corners[1][0] - corners[0][0]
        span_lat = corners[1][1] - corners[0][1]
        # The container is about 700 px wide in the dashboard's main column.
        across = width if isinstance(width, int) else 700
        height = int(min(max(across * span_lat / max(span_lon, 1.0), 320), height))
        projection["fit"] = {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {},
                          "geometry": {"type": "MultiPoint", "coordinates": corners}}],
        }
    sphere = alt.Chart(alt.sphere()).mark_geoshape(fill=MAP_SEA, stroke="#b8c4d0", clip=True)
    grid = alt.Chart(alt.graticule(step=[15, 15])).mark_geoshape(
        stroke=MAP_GRID, strokeWidth=0.6, fill=None, clip=True
    )
    tooltip = [c for c in (label, lat, lon, size, color) if c]
    encoding: dict[str, Any] = {
        "longitude": f"{lon}:Q",
        "latitude": f"{lat}:Q",
        "tooltip": tooltip,
    }
    encoding["color"] = alt.Color(f"{color}:N", title=color) if color \
        else alt.value(MAP_POINT_COLOUR)
    if size:
        encoding["size"] = alt.Size(f"{size}:Q", title=size, scale=alt.Scale(range=[40, 700]))
    points = alt.Chart(data).mark_circle(opacity=0.8, stroke="#ffffff", strokeWidth=1,
                                         clip=True).encode(**encoding)
    layers: list[alt.Chart] = [sphere, grid, points]
    if label:
        labels = _place_labels(data, lat, lon, label, size)
        # Labels run away from the nearer side edge, so none is cut off.
        middle = (data[lon].min() + data[lon].max()) / 2 if len(data) else 0.0
        for side, align, dx in (("left", "left", 8), ("right", "right", -8)):
            part = labels[labels[lon] <= middle] if side == "left" else \
                labels[labels[lon] > middle]
            layers.append(
                alt.Chart(part).mark_text(align=align, dx=dx, dy=-7, fontSize=11,
                                          color="#222222", clip=True)
                .encode(longitude=f"{lon}:Q", latitude=f"{lat}:Q", text="_label:N")
            )
    return (
        alt.layer(*layers)
        .project(**projection)
        .properties(width=width, height=height)
        .configure_view(stroke=None)
    )


def _place_labels(
    data: pd.DataFrame, lat: str, lon: str, label: str, size: str | None = None
) -> pd.DataFrame:
    """One label per place: points at the same coordinates would print over each
    other, so the label of the biggest says how many more share its spot."""
    rows = []
    for (y, x), group in data.groupby([lat, lon], sort=False):
        if size:
            group = group.sort_values(size, ascending=False, kind="stable")
        names = [str(v) for v in group[label] if v is not None and str(v) != ""]
        text = _short_label(names[0]) if names else ""
        if len(names) > 1:
            text += f" +{len(names) - 1} more"
        rows.append({lat: y, lon: x, "_label": text})
    return pd.DataFrame(rows, columns=[lat, lon, "_label"])


def _short_label(value: Any, limit: int = 34) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
