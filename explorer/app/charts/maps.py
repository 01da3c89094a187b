"""Maps on Natural Earth's country outlines, offline: the Map page's flow map (arcs by
status and TIV, a choropleth, event places) and a saved query's map view (points).

The outlines travel inline with the chart (``explorer.geo.world``: the 110m TopoJSON
shipped in the package, read with ``alt.InlineData`` and ``format=topojson``), so no tile
server and no URL is involved. Both maps use a plate carrée (equirectangular)
projection: the frame's longitude/latitude box is exactly what is shown, and an arrow
head's direction computed in degrees is its direction on screen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import altair as alt
import pandas as pd

from explorer.app.charts.data import flow_years, frame, short_label, short_list
from explorer.app.charts.palette import (
    BORDER,
    INK,
    LAND,
    SEA,
    STRIKE_COLOUR,
    TEXT,
    dash_scale,
    status_label,
    status_scale,
)
from explorer.geo import placement, world
from explorer.graph import STATUS_ORDER

Extent = tuple[float, float, float, float]
"""west, south, east, north in degrees."""

WORLD: Extent = (-170.0, -56.0, 180.0, 84.0)
"""The inhabited world: Antarctica is left out of the outlines and the frame."""

SHADES = {"supplied": "TIV supplied (millions)", "received": "TIV received (millions)"}


# --------------------------------------------------------------------------- the base


@lru_cache(maxsize=1)
def _outlines() -> dict[str, Any]:
    topo = world.drawn_topology(placement.numeric_to_iso3())
    topo["objects"]["countries"]["geometries"] = [
        g for g in topo["objects"]["countries"]["geometries"]
        if (g.get("properties") or {}).get("iso3") != "ATA"
    ]
    return topo


def _countries() -> alt.InlineData:
    return alt.InlineData(values=_outlines(), format=alt.DataFormat(type="topojson",
                                                                     feature="countries"))


def _fit(extent: Extent) -> dict[str, Any]:
    west, south, east, north = extent
    feature = {"type": "Feature", "properties": {},
               "geometry": {"type": "MultiPoint", "coordinates": [[west, south], [east, north]]}}
    return {"type": "FeatureCollection", "features": [feature]}


def _extent(points: Sequence[tuple[float, float]], margin: float = 8.0) -> Extent:
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return (max(-180.0, min(lons) - margin), max(-60.0, min(lats) - margin),
            min(180.0, max(lons) + margin), min(85.0, max(lats) + margin))


def _height(extent: Extent, across: int = 1000, low: int = 300, high: int = 640) -> int:
    """A height that keeps the frame's proportions for a view ``across`` pixels wide,
    so no empty band is left above and below the map."""
    west, south, east, north = extent
    return int(min(high, max(low, across * (north - south) / max(east - west, 1.0))))


def land_layers(countries: Sequence[Mapping[str, Any]] = (), shade: str | None = None
                ) -> list[alt.Chart]:
    """The country outlines; with ``shade`` ("supplied" or "received"), the countries
    of ``countries`` (rows with ``iso3``, ``country``, ``tiv_supplied`` ...) shaded by
    that TIV on a log scale (countries with none stay plain)."""
    outlines = _countries()
    layers = [alt.Chart(outlines).mark_geoshape(fill=LAND, stroke=BORDER, strokeWidth=0.6,
                                                clip=True)]
    if shade is None:
        return layers
    field = f"tiv_{shade}"
    rows = [{"iso3": c["iso3"], "country": c["country"], "tiv": round(float(c[field]), 2),
             "transfers": c[shade]} for c in countries if float(c[field] or 0) > 0]
    if not rows:
        return layers
    layers.append(
        alt.Chart(outlines).mark_geoshape(stroke=BORDER, strokeWidth=0.6, clip=True)
        .transform_lookup(lookup="properties.iso3",
                          from_=alt.LookupData(alt.Data(values=rows), "iso3",
                                               ["country", "tiv", "transfers"]))
        .transform_filter("isValid(datum.tiv)")
        .encode(
            # Fill, not colour: colour is the arcs' status, and one legend must show
            # each status's colour and dash together.
            fill=alt.Fill("tiv:Q", title=SHADES[shade],
                          # Light browns: the navy arcs and dots stay readable
                          # on the most shaded country.
                          scale=alt.Scale(type="log", range=["#f6eee2", "#b07a4f"]),
                          legend=alt.Legend(orient="right", gradientLength=120,
                                            format=",.0f")),
            tooltip=[alt.Tooltip("country:N"),
                     alt.Tooltip("tiv:Q", title=SHADES[shade], format=",.2f"),
                     alt.Tooltip("transfers:Q", title=f"transfers {shade}")],
        )
    )
    return layers


# --------------------------------------------------------------------------- flows


def _arc(lon1: float, lat1: float, lon2: float, lat2: float, bend: float,
         steps: int = 14) -> tuple[list[list[float]], tuple[float, float, float]]:
    """A curve from one end to the other, bowed ``bend`` × its length to the right of
    travel (so A → B and B → A are two arcs), as points, and the arrow head
    (lon, lat, angle) four fifths along it."""
    d_lon, d_lat = lon2 - lon1, lat2 - lat1
    ctrl_lon = (lon1 + lon2) / 2 + d_lat * bend
    ctrl_lat = (lat1 + lat2) / 2 - d_lon * bend

    def at(t: float) -> tuple[float, float]:
        u = 1 - t
        return (u * u * lon1 + 2 * u * t * ctrl_lon + t * t * lon2,
                u * u * lat1 + 2 * u * t * ctrl_lat + t * t * lat2)

    points = [[round(c, 3) for c in at(i / steps)] for i in range(steps + 1)]
    t = 0.8
    head = at(t)
    dx = 2 * (1 - t) * (ctrl_lon - lon1) + 2 * t * (lon2 - ctrl_lon)
    dy = 2 * (1 - t) * (ctrl_lat - lat1) + 2 * t * (lat2 - ctrl_lat)
    return points, (head[0], head[1], math.degrees(math.atan2(dx, dy)))


MAX_ARCS = 150
"""Arcs drawn at most: the biggest by TIV, and every claim from reporting (no TIV)."""


def drawn_flows(flows: Sequence[Mapping[str, Any]], cap: int = MAX_ARCS
                ) -> tuple[list[Mapping[str, Any]], int]:
    """The flows a map draws and how many smaller ones it leaves out: every flow with a
    claim from reporting, then the largest by TIV up to ``cap`` arcs (a world of 2,000
    arcs is a hairball that hides the big flows; the table lists them all)."""
    claims = [f for f in flows if f.get("claims")]
    others = sorted((f for f in flows if not f.get("claims")),
                    key=lambda f: -float(f.get("tiv") or 0.0))
    kept = claims + others[: max(0, cap - len(claims))]
    return kept, len(flows) - len(kept)


def flow_rows(flows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One arc per supplier → recipient and status: its curve, arrow head and width
    (1.2 px, up to 9 px for the largest TIV on the map, by square root)."""
    most = max((float(f["tiv"] or 0.0) for f in flows), default=0.0)
    slots: dict[tuple[float, float, float, float], int] = {}
    out = []
    ordered = sorted(flows, key=lambda f: STATUS_ORDER.index(f["status"])
                     if f["status"] in STATUS_ORDER else 99)
    for f in ordered:
        ends = (f["from_lon"], f["from_lat"], f["to_lon"], f["to_lat"])
        if ends[:2] == ends[2:]:
            continue  # two actors at one place (a state and a group in it): no line
        slot = slots.get(ends, 0)
        slots[ends] = slot + 1
        points, (head_lon, head_lat, angle) = _arc(*ends, bend=0.14 + 0.07 * slot)
        tiv = round(float(f["tiv"] or 0.0), 2)
        out.append({
            "type": "Feature", "geometry": {"type": "LineString", "coordinates": points},
            "properties": {
                "flow": f"{f['supplier']} → {f['recipient']}",
                "status": status_label(f["status"]), "sipri_deals": f["sipri_deals"],
                "claims": f["claims"], "tiv": tiv,
                "years": flow_years(f.get("first_year"), f.get("last_year")),
                "systems": short_list(f["systems"]),
                "width": round(1.2 + (7.8 * math.sqrt(tiv / most) if most else 0.0), 2),
                "head_lon": head_lon, "head_lat": head_lat, "angle": angle,
            },
        })
    # Thin lines on top of thick ones, so a small flow is not hidden under a big one.
    out.sort(key=lambda row: -row["properties"]["width"])
    return out


def _place_points(actors: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One dot per place (a country's centroid holds the state and its groups)."""
    places: dict[tuple[float, float], dict[str, Any]] = {}
    for a in actors:
        place = places.setdefault((a["lon"], a["lat"]), {
            "lon": a["lon"], "lat": a["lat"], "place": a["place"], "names": [],
            "traders": [], "supplies": 0, "receives": 0, "seed": False,
        })
        place["names"].append(a["actor"])
        if a["supplies"] or a["receives"]:
            place["traders"].append(a["actor"])
        place["supplies"] += a["supplies"]
        place["receives"] += a["receives"]
        place["seed"] = place["seed"] or a["how"] == "seed place"
    rows = [{**p, "label": short_label(" · ".join(p["traders"] or p["names"]), 40),
             "names": short_list(p["names"], 8), "transfers": p["supplies"] + p["receives"]}
            for p in places.values()]
    return pd.DataFrame(rows, columns=["lon", "lat", "place", "names", "supplies", "receives",
                                       "label", "transfers", "seed"])


def _inside(data: pd.DataFrame, extent: Extent) -> pd.Series:
    return data["lon"].between(extent[0], extent[2]) & data["lat"].between(extent[1],
                                                                           extent[3])


def flow_map(actors: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]],
             flows: Sequence[Mapping[str, Any]], *,
             countries: Sequence[Mapping[str, Any]] = (), shade: str | None = None,
             extent: Extent | None = None, height: int | None = None,
             labels: int = 14) -> alt.LayerChart:
    """Country outlines (shaded by TIV ``shade``d, when asked), supplier → recipient arcs
    coloured and dashed by status with widths by TIV and an arrow head toward the
    recipient, one dot per actor place (the ``labels`` busiest places and the seed's
    places named), and event places (red crosses, with dotted lines from the striking
    actor). ``extent`` frames the map (default: the world); marks outside are clipped."""
    frame_extent = extent or WORLD
    points = _place_points(actors)
    inside = points[_inside(points, frame_extent)]
    named = inside[inside["seed"]]
    busiest = inside[~inside["seed"]].sort_values("transfers", ascending=False,
                                                  kind="stable").head(labels)
    label_frame = pd.concat([named, busiest]) if len(busiest) else named

    sites: dict[str, dict[str, Any]] = {}
    strike_lines = []
    for e in events:
        site = sites.setdefault(e["place_id"], {
            "lon": e["lon"], "lat": e["lat"], "place": e["place"], "events": [],
        })
        dated = f"{e['date']}{' (year inferred)' if e['inferred'] else ''}"
        site["events"].append(f"{dated}: {e['title']}")
        if e["kind"] in ("strike", "strike_series", "invasion"):
            for home in e["homes"]:
                strike_lines.append({
                    "lon": home["lon"], "lat": home["lat"], "lon2": e["lon"], "lat2": e["lat"],
                    "flow": f"{home['name']} → {e['place']}", "event": e["title"],
                    "date": dated,
                })
    # Event places that are also an actor's seat (Washington) are drawn as the
    # actor's dot; only the rest get a mark of their own.
    seats = {(p["lon"], p["lat"]) for _, p in points.iterrows()}
    site_frame = pd.DataFrame([
        {"lon": s["lon"], "lat": s["lat"], "place": s["place"], "events": " | ".join(s["events"])}
        for s in sites.values() if (s["lon"], s["lat"]) not in seats
    ], columns=["lon", "lat", "place", "events"])

    arcs = flow_rows(flows)
    statuses = [s for s in STATUS_ORDER
                if any(a["properties"]["status"] == status_label(s) for a in arcs)]
    colour = alt.Color("properties.status:N", title="transfer status",
                       scale=status_scale(statuses or None),
                       # Line symbols, so the legend shows each status's dash too.
                       legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=2.5,
                                         symbolSize=400))
    flow_tooltip = [alt.Tooltip("properties.flow:N", title="flow"),
                    alt.Tooltip("properties.status:N", title="status"),
                    alt.Tooltip("properties.sipri_deals:Q", title="SIPRI deals"),
                    alt.Tooltip("properties.claims:Q", title="claims"),
                    alt.Tooltip("properties.tiv:Q", title="TIV (millions)", format=",.2f"),
                    alt.Tooltip("properties.years:N", title="years"),
                    alt.Tooltip("properties.systems:N", title="systems")]
    layers: list[alt.Chart] = [
        *land_layers(countries, shade),
        alt.Chart(alt.Data(values=arcs)).mark_geoshape(filled=False, opacity=0.75, clip=True)
        .encode(color=colour,
                # Same field as the colour: one legend showing colour and dash together.
                strokeDash=alt.StrokeDash("properties.status:N", title="transfer status",
                                          scale=dash_scale(statuses or None)),
                strokeWidth=alt.StrokeWidth("properties.width:Q", scale=None, legend=None),
                tooltip=flow_tooltip),
        # The arrow heads read the arcs' own rows, so colour is one field in both layers
        # and one legend shows each status's colour and dash.
        alt.Chart(alt.Data(values=arcs)).mark_point(shape="triangle-up", filled=True,
                                                    opacity=0.95, clip=True).encode(
            longitude="properties.head_lon:Q", latitude="properties.head_lat:Q",
            angle=alt.Angle("properties.angle:Q", scale=None),
            size=alt.Size("properties.width:Q", scale=alt.Scale(domain=[1, 9],
                                                                 range=[40, 220]),
                          legend=None),
            color=colour, tooltip=flow_tooltip),
        alt.Chart(pd.DataFrame(strike_lines, columns=["lon", "lat", "lon2", "lat2", "flow",
                                                       "event", "date"]))
        .mark_rule(color=STRIKE_COLOUR, strokeWidth=1.5, strokeDash=[2, 3], clip=True).encode(
            longitude="lon:Q", latitude="lat:Q", longitude2="lon2:Q", latitude2="lat2:Q",
            tooltip=["flow:N", "event:N", "date:N"]),
        alt.Chart(points).mark_circle(color=INK, opacity=0.9, stroke="#ffffff",
                                      strokeWidth=1, clip=True).encode(
            longitude="lon:Q", latitude="lat:Q",
            size=alt.Size("transfers:Q", scale=alt.Scale(range=[25, 220]), legend=None),
            tooltip=[alt.Tooltip("names:N", title="actors"), "place:N",
                     alt.Tooltip("supplies:Q", title="transfers supplied"),
                     alt.Tooltip("receives:Q", title="transfers received")]),
        alt.Chart(label_frame).mark_text(align="left", dx=7, dy=-7, fontSize=11,
                                         fontWeight="bold", color=TEXT, clip=True,
                                         stroke="#ffffff", strokeWidth=0.2).encode(
            longitude="lon:Q", latitude="lat:Q", text="label:N"),
        alt.Chart(site_frame).mark_point(shape="cross", size=200, filled=True,
                                         color=STRIKE_COLOUR, opacity=1, clip=True).encode(
            longitude="lon:Q", latitude="lat:Q",
            tooltip=["place:N", alt.Tooltip("events:N", title="events")]),
        # Left of the cross: the lines of the story run east of the event places.
        alt.Chart(site_frame).mark_text(align="right", dx=-9, dy=10, fontSize=11,
                                        color=STRIKE_COLOUR, clip=True).encode(
            longitude="lon:Q", latitude="lat:Q", text="place:N"),
    ]
    return alt.layer(*layers).project(type="equirectangular", fit=_fit(frame_extent)).properties(
        height=height or _height(frame_extent), background=SEA,
    ).resolve_scale(size="independent")


# --------------------------------------------------------------------------- points


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
    """A saved query's map view: points at ``lon``/``lat`` with labels on the country
    outlines. The view fits the points (with a margin); rows without coordinates are
    left out; long labels are shortened (the tooltip has them whole).

    With ``width="container"`` (the default) show it with
    ``st.altair_chart(chart, width="stretch")``; the points are fitted to the width.
    """
    data = frame(rows, [lat, lon, label, size, color])
    for column in (lat, lon):
        data[column] = pd.to_numeric(data[column], errors="coerce")
    data = data[data[lat].between(-90, 90) & data[lon].between(-180, 180)].copy()
    extent = _extent(list(zip(data[lon], data[lat], strict=True)), 10.0) if len(data) \
        else WORLD
    across = width if isinstance(width, int) else 700
    height = _height(extent, across, 320, height)
    tooltip = [c for c in (label, lat, lon, size, color) if c]
    encoding: dict[str, Any] = {"longitude": f"{lon}:Q", "latitude": f"{lat}:Q",
                                "tooltip": tooltip}
    encoding["color"] = alt.Color(f"{color}:N", title=color) if color else alt.value(INK)
    if size:
        encoding["size"] = alt.Size(f"{size}:Q", title=size, scale=alt.Scale(range=[40, 700]))
    layers: list[alt.Chart] = [
        *land_layers(),
        alt.Chart(data).mark_circle(opacity=0.8, stroke="#ffffff", strokeWidth=1,
                                    clip=True).encode(**encoding),
    ]
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
    return alt.layer(*layers).project(type="equirectangular", fit=_fit(extent)).properties(
        width=width, height=height, background=SEA)


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
        text = short_label(names[0]) if names else ""
        if len(names) > 1:
            text += f" +{len(names) - 1} more"
        rows.append({lat: y, lon: x, "_label": text})
    return pd.DataFrame(rows, columns=[lat, lon, "_label"])

