"""Altair charts coloured by transfer status: an actor's transfers by year, the
timeline of transfers, events and claims, and the flow map.

Statuses take the colours and dash patterns of the graph drawing
(``explorer.graph.STATUS_STYLES``), so "delivered" (dark blue, solid) and
"sought" (orange, dashed) read the same on every page. Everything is drawn from
the rows: no tiles, fonts or remote data, so the charts work offline. Text from
the graph reaches Vega-Lite as data, never as markup.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

from explorer.graph import STATUS_ORDER, STATUS_STYLES
from explorer.page_queries.timeline import Timeline

EVENT_COLOUR = "#1a1a1a"
EVENT_CLAIM = "claim about an event"
CLAIM_COLOUR = "#2b2b2b"
SEA = "#f3f6f9"
GRID = "#d5dde6"
DATE_PRINTED = "year printed by the source"
DATE_INFERRED = "year inferred (not printed)"
_DASHES = {status: list(style.dashes) if style.dashes else [1, 0]
           for status, style in STATUS_STYLES.items()}


def status_label(status: Any) -> str:
    style = STATUS_STYLES.get(str(status))
    return style.label if style else str(status)


def status_scale(statuses: Iterable[Any] | None = None, *, extra: Mapping[str, str] = {}
                 ) -> alt.Scale:
    """Colour scale over status labels in the fixed order (only those present, when given)."""
    present = None if statuses is None else {str(s) for s in statuses}
    domain = [STATUS_STYLES[s].label for s in STATUS_ORDER if present is None or s in present]
    colours = [STATUS_STYLES[s].color for s in STATUS_ORDER if present is None or s in present]
    return alt.Scale(domain=[*domain, *extra], range=[*colours, *extra.values()])


def _short_list(items: Sequence[Any], limit: int = 6) -> str:
    shown = [str(i) for i in items[:limit]]
    if len(items) > limit:
        shown.append(f"… and {len(items) - limit} more")
    return ", ".join(shown)


# --------------------------------------------------------------------------- profile


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


# --------------------------------------------------------------------------- timeline


def _timestamp(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day)


def timeline_frames(tl: Timeline) -> dict[str, pd.DataFrame]:
    """The timeline's rows as the three frames the chart draws (also shown as a table)."""
    events = pd.DataFrame([
        {
            "lane": e["lane"], "start": _timestamp(e["start"]), "end": _timestamp(e["end"]),
            "mid": _timestamp(e["mid"]), "date": e["date"], "precision": e["precision"],
            "dating": DATE_INFERRED if e["inferred"] else DATE_PRINTED,
            "date_note": e["date_note"] or "", "kind": e["kind"], "title": e["title"],
            "conducted_by": ", ".join(e["conducted_by"]), "targeted": ", ".join(e["targeted"]),
            "used": ", ".join(e["used"]), "place": e["place"] or "",
            "quote": e["quote"] or "", "source": e["source"] or "",
            "spans": e["precision"] in ("month", "year"),
        }
        for e in tl.events
    ], columns=["lane", "start", "end", "mid", "date", "precision", "dating", "date_note",
                "kind", "title", "conducted_by", "targeted", "used", "place", "quote", "source",
                "spans"])
    deliveries = pd.DataFrame([
        {
            "lane": d["lane"], "start": _timestamp(d["start"]),
            "end": _timestamp(d["end"] + dt.timedelta(days=1)), "year": d["year"],
            "status": status_label(d["status"]), "deals": d["deals"],
            "number": d["number"], "tiv": round(float(d["tiv"] or 0.0), 2),
            "systems": _short_list(d["systems"]),
        }
        for d in tl.deliveries
    ], columns=["lane", "start", "end", "year", "status", "deals", "number", "tiv", "systems"])
    claims = pd.DataFrame([
        {
            "lane": c["lane"], "at": _timestamp(c["mid"]), "as_of": c["as_of"],
            "status": status_label(c["status"]) if c["status"] else EVENT_CLAIM,
            "about": c["label"], "quote": c["quote"] or "", "source": c["source"] or "",
            "confidence": c["confidence"] or "", "attributed_to": c["attributed_to"] or "",
            "inferred": bool(c.get("inferred")),
        }
        for c in tl.claims
    ], columns=["lane", "at", "as_of", "status", "about", "quote", "source", "confidence",
                "attributed_to", "inferred"])
    # Claims made the same day in the same lane (a denial and a wish in one
    # sentence) would hide each other; each status gets its own slot in the lane.
    claims["slot"] = claims.groupby(["lane", "at"])["status"].transform(
        lambda statuses: statuses.astype("category").cat.codes).astype(str)
    return {"events": events, "deliveries": deliveries, "claims": claims}


def lane_order(frames: Mapping[str, pd.DataFrame]) -> list[str]:
    """Event lanes first, then transfer lanes, each alphabetically."""
    lanes = set()
    for frame in frames.values():
        lanes.update(frame["lane"].tolist())
    return sorted(lanes, key=lambda lane: (not lane.endswith("· events"), lane))


def timeline_chart(tl: Timeline, start: dt.date, end: dt.date) -> alt.LayerChart:
    """Lanes over time: delivery years as bars, events as black marks (hollow when the
    year is inferred, a thin bar across a month or year when that is all the source
    gives), claims as diamonds at the date they were made."""
    frames = timeline_frames(tl)
    lanes = lane_order(frames)
    domain = [_timestamp(start).isoformat(), _timestamp(end).isoformat()]
    # One tick a month over a short window, one a year over a long one: Vega's own
    # choice over a few months is weekly ticks that all print the same month.
    short = (end - start).days <= 800
    axis = alt.Axis(format="%b %Y" if short else "%Y", labelOverlap=True, grid=True,
                    tickCount={"interval": "month" if short else "year",
                               "step": 1 if (end - start).days <= 400 or not short else 3})
    x = alt.X("start:T", title=None, scale=alt.Scale(domain=domain), axis=axis)
    y = alt.Y("lane:N", sort=lanes, title=None, axis=alt.Axis(labelLimit=360))
    colour = alt.Color("status:N", title="transfer status", scale=status_scale(
        extra={EVENT_CLAIM: CLAIM_COLOUR}))
    layers: list[alt.Chart] = []

    deliveries = frames["deliveries"]
    layers.append(alt.Chart(deliveries).mark_bar(height=14, opacity=0.55, clip=True).encode(
        x=x, x2="end:T", y=y, color=colour,
        tooltip=[alt.Tooltip("lane:N", title="flow"), alt.Tooltip("year:O", title="delivered in"),
                 "status:N", "deals:Q", alt.Tooltip("number:Q", title="number delivered"),
                 alt.Tooltip("tiv:Q", title="TIV (millions)", format=",.2f"),
                 "systems:N"],
    ))

    events = frames["events"]
    tooltip_events = [
        "title:N", alt.Tooltip("date:N", title="date"), alt.Tooltip("dating:N", title="dating"),
        alt.Tooltip("date_note:N", title="date note"), "kind:N",
        alt.Tooltip("conducted_by:N", title="conducted by"), "targeted:N", "used:N", "place:N",
        "quote:N", "source:N",
    ]
    spans = events[events["spans"]]
    layers.append(alt.Chart(spans).mark_rule(strokeWidth=3, opacity=0.35, clip=True,
                                             color=EVENT_COLOUR).encode(
        x=alt.X("start:T", scale=alt.Scale(domain=domain), title=None), x2="end:T", y=y,
        tooltip=tooltip_events,
    ))
    layers.append(alt.Chart(events).mark_point(size=130, strokeWidth=2, opacity=1, clip=True,
                                               color=EVENT_COLOUR, shape="circle").encode(
        x=alt.X("mid:T", scale=alt.Scale(domain=domain), title=None), y=y,
        fill=alt.Fill("dating:N", title="event date",
                      scale=alt.Scale(domain=[DATE_PRINTED, DATE_INFERRED],
                                      range=[EVENT_COLOUR, "#ffffff"])),
        tooltip=tooltip_events,
    ))

    claims = frames["claims"]
    claim_encoding = {
        "x": alt.X("at:T", scale=alt.Scale(domain=domain), title=None), "y": y,
        "color": colour, "yOffset": alt.YOffset("slot:N", scale=alt.Scale(paddingOuter=0.6)),
        "tooltip": [alt.Tooltip("about:N", title="claim about"),
                    alt.Tooltip("as_of:N", title="as of"), "status:N", "confidence:N",
                    alt.Tooltip("attributed_to:N", title="said by"), "quote:N", "source:N"],
    }
    # As with events: a claim whose date the source printed without its year is
    # drawn hollow, so a guessed date never looks like a printed one.
    layers.append(alt.Chart(claims[~claims["inferred"]]).mark_point(
        shape="diamond", size=110, filled=True, opacity=0.9, clip=True, stroke="#ffffff",
        strokeWidth=0.8).encode(**claim_encoding))
    layers.append(alt.Chart(claims[claims["inferred"]]).mark_point(
        shape="diamond", size=110, filled=False, opacity=1, clip=True,
        strokeWidth=2).encode(**claim_encoding))
    height = max(180, 46 * len(lanes))
    return alt.layer(*layers).resolve_scale(fill="independent").properties(
        height=height).interactive(bind_y=False)


# --------------------------------------------------------------------------- map


Extent = tuple[float, float, float, float]
"""west, south, east, north in degrees."""


def _extent(points: Sequence[tuple[float, float]], margin: float = 10.0) -> Extent:
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return (max(-180.0, min(lons) - margin), max(-80.0, min(lats) - margin),
            min(180.0, max(lons) + margin), min(80.0, max(lats) + margin))


def _fit(extent: Extent) -> dict[str, Any]:
    west, south, east, north = extent
    feature = {"type": "Feature", "properties": {},
               "geometry": {"type": "MultiPoint", "coordinates": [[west, south], [east, north]]}}
    return {"type": "FeatureCollection", "features": [feature]}


def _graticule(extent: Extent, step: int = 10) -> pd.DataFrame:
    """Meridians and parallels as segments over the mapped area only: the projection
    fits the data, so a global graticule would zoom the map out to the whole world."""
    west = math.floor(extent[0] / step) * step
    south = math.floor(extent[1] / step) * step
    east = math.ceil(extent[2] / step) * step
    north = math.ceil(extent[3] / step) * step
    rows = []
    for lon in range(west, east + 1, step):
        rows.append({"lon": lon, "lat": south, "lon2": lon, "lat2": north,
                     "label": f"{abs(lon)}°{'E' if lon >= 0 else 'W'}", "axis": "lon"})
    for lat in range(south, north + 1, step):
        rows.append({"lon": west, "lat": lat, "lon2": east, "lat2": lat,
                     "label": f"{abs(lat)}°{'N' if lat >= 0 else 'S'}", "axis": "lat"})
    return pd.DataFrame(rows)


def _offset_flows(flows: Sequence[Mapping[str, Any]], spacing: float = 1.6
                  ) -> list[dict[str, Any]]:
    """Lines between the same two places are shifted sideways, so the two directions
    and each status of a pair stay visible as separate lines."""
    pairs: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for flow in flows:
        key = tuple(sorted((flow["supplier_id"], flow["recipient_id"])))
        pairs.setdefault(key, []).append(flow)  # type: ignore[arg-type]
    out = []
    for key, group in pairs.items():
        group = sorted(group, key=lambda f: (f["supplier_id"] != key[0],
                                             STATUS_ORDER.index(f["status"])
                                             if f["status"] in STATUS_ORDER else 99))
        for i, flow in enumerate(group):
            # A normal to the pair's line, fixed for the pair (not per direction),
            # so offsets of opposite directions do not cancel out.
            a_lon, a_lat, b_lon, b_lat = (
                (flow["from_lon"], flow["from_lat"], flow["to_lon"], flow["to_lat"])
                if flow["supplier_id"] == key[0]
                else (flow["to_lon"], flow["to_lat"], flow["from_lon"], flow["from_lat"])
            )
            d_lon, d_lat = b_lon - a_lon, b_lat - a_lat
            length = math.hypot(d_lon, d_lat) or 1.0
            n_lon, n_lat = -d_lat / length, d_lon / length
            shift = (i - (len(group) - 1) / 2) * spacing
            lon1 = flow["from_lon"] + n_lon * shift
            lat1 = flow["from_lat"] + n_lat * shift
            lon2 = flow["to_lon"] + n_lon * shift
            lat2 = flow["to_lat"] + n_lat * shift
            # The arrow head sits most of the way along, pointing along the line (an
            # equirectangular map keeps lon/lat directions on screen); on long lines it
            # stays near the recipient so it is seen when the far end is off the map.
            along = max(0.6, min(0.9, 1 - 10 / length))
            head_lon = lon1 + (lon2 - lon1) * along
            head_lat = lat1 + (lat2 - lat1) * along
            angle = math.degrees(math.atan2(lon2 - lon1, lat2 - lat1))
            out.append({
                "supplier": flow["supplier"], "recipient": flow["recipient"],
                "flow": f"{flow['supplier']} → {flow['recipient']}",
                "status": status_label(flow["status"]), "sipri_deals": flow["sipri_deals"],
                "claims": flow["claims"],
                "tiv": round(float(flow["tiv"] or 0.0), 2),
                "years": _years(flow.get("first_year"), flow.get("last_year")),
                "systems": _short_list(flow["systems"]),
                "lon": lon1, "lat": lat1, "lon2": lon2, "lat2": lat2,
                "head_lon": head_lon, "head_lat": head_lat, "angle": angle,
                "dash": _DASHES.get(flow["status"], [1, 0]),
            })
    return out


def _years(first: Any, last: Any) -> str:
    if first is None:
        return "no years (a claim)"
    return str(first) if first == last or last is None else f"{first}–{last}"


def flow_map(actors: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]],
             flows: Sequence[Mapping[str, Any]], *, extent: Extent | None = None,
             height: int | None = None) -> alt.LayerChart:
    """Located actors (one dot per place), event places (red crosses, with dotted lines
    from the striking actor) and supplier → recipient lines coloured and dashed by
    status, on a plain equirectangular background with a 10° graticule. ``extent``
    frames the map (default: everything placed); marks outside it are clipped."""
    places: dict[str, dict[str, Any]] = {}
    for a in actors:
        place = places.setdefault(a["place_id"], {
            "lon": a["lon"], "lat": a["lat"], "place": a["place"], "names": [],
            "supplies": 0, "receives": 0,
        })
        place["names"].append(a["actor"])
        if a["supplies"] or a["receives"]:
            place.setdefault("traders", []).append(a["actor"])
        place["supplies"] += a["supplies"]
        place["receives"] += a["receives"]
    actor_frame = pd.DataFrame([
        {**p, "label": " · ".join(p.get("traders") or p["names"]),
         "names": ", ".join(p["names"])}
        for p in places.values()
    ], columns=["lon", "lat", "place", "names", "supplies", "receives", "label"])

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
    seats = {(p["lon"], p["lat"]) for p in places.values()}
    site_frame = pd.DataFrame([
        {"lon": s["lon"], "lat": s["lat"], "place": s["place"], "label": s["place"],
         "events": " | ".join(s["events"])}
        for s in sites.values() if (s["lon"], s["lat"]) not in seats
    ], columns=["lon", "lat", "place", "label", "events"])

    coordinates = [(p["lon"], p["lat"]) for p in places.values()]
    coordinates += [(s["lon"], s["lat"]) for s in sites.values()]
    frame_extent = extent or _extent(coordinates or [(-20.0, -10.0), (140.0, 70.0)])
    spacing = (frame_extent[2] - frame_extent[0]) * 0.012
    line_frame = pd.DataFrame(_offset_flows(flows, spacing), columns=[
        "supplier", "recipient", "flow", "status", "sipri_deals", "claims", "tiv", "years",
        "systems", "lon",
        "lat", "lon2", "lat2", "head_lon", "head_lat", "angle", "dash"])
    grid = _graticule(frame_extent)
    projection = {"type": "equirectangular", "fit": _fit(frame_extent)}

    flow_tooltip = [alt.Tooltip("flow:N"), "status:N",
                    alt.Tooltip("sipri_deals:Q", title="SIPRI deals"),
                    alt.Tooltip("claims:Q", title="claims"),
                    alt.Tooltip("tiv:Q", title="TIV (millions)", format=",.2f"), "years:N",
                    "systems:N"]
    colour = alt.Color("status:N", title="transfer status", scale=status_scale(
        line_frame["status"].map({STATUS_STYLES[s].label: s for s in STATUS_STYLES})
        .dropna().tolist() or None))
    shown = set(line_frame["status"])
    dash_domain = [STATUS_STYLES[s].label for s in STATUS_ORDER
                   if STATUS_STYLES[s].label in shown]
    dash_range = [_DASHES[s] for s in STATUS_ORDER if STATUS_STYLES[s].label in shown]
    # Degree labels stand in for the coastlines a tile map would give: without
    # them a plain background says nothing about where a point is.
    inside = grid[(grid["axis"] == "lon") & grid["lon"].between(frame_extent[0], frame_extent[2])
                  | (grid["axis"] == "lat") & grid["lat"].between(frame_extent[1],
                                                                  frame_extent[3])].copy()
    inside["at_lon"] = inside["lon"].where(inside["axis"] == "lon", frame_extent[0])
    inside["at_lat"] = inside["lat"].where(inside["axis"] == "lat", frame_extent[1])
    layers: list[alt.Chart] = [
        alt.Chart(grid).mark_rule(color=GRID, strokeWidth=0.7, clip=True).encode(
            longitude="lon:Q", latitude="lat:Q", longitude2="lon2:Q", latitude2="lat2:Q"),
        alt.Chart(inside).mark_text(align="left", baseline="bottom", dx=3, dy=-2, fontSize=10,
                                    color="#8a99a8", clip=True).encode(
            longitude="at_lon:Q", latitude="at_lat:Q", text="label:N"),
        alt.Chart(pd.DataFrame(strike_lines, columns=["lon", "lat", "lon2", "lat2", "flow",
                                                       "event", "date"]))
        .mark_rule(color="#b2182b", strokeWidth=1.5, strokeDash=[2, 3], clip=True).encode(
            longitude="lon:Q", latitude="lat:Q", longitude2="lon2:Q", latitude2="lat2:Q",
            tooltip=["flow:N", "event:N", "date:N"]),
        alt.Chart(line_frame).mark_rule(strokeWidth=2.6, opacity=0.9, clip=True).encode(
            longitude="lon:Q", latitude="lat:Q", longitude2="lon2:Q", latitude2="lat2:Q",
            color=colour,
            # Same field as the colour: Vega-Lite merges both into one legend whose
            # symbols show colour and dash together.
            strokeDash=alt.StrokeDash("status:N", title="transfer status",
                                      scale=alt.Scale(domain=dash_domain, range=dash_range)),
            tooltip=flow_tooltip),
        alt.Chart(line_frame).mark_point(shape="triangle-up", filled=True, size=140,
                                         opacity=1, clip=True).encode(
            longitude="head_lon:Q", latitude="head_lat:Q", angle=alt.Angle("angle:Q",
                                                                          scale=None),
            color=colour, tooltip=flow_tooltip),
        alt.Chart(actor_frame).mark_circle(size=160, color="#08306b", opacity=1,
                                           stroke="#ffffff", strokeWidth=1.5, clip=True).encode(
            longitude="lon:Q", latitude="lat:Q",
            tooltip=[alt.Tooltip("names:N", title="actors"), "place:N",
                     alt.Tooltip("supplies:Q", title="transfers supplied"),
                     alt.Tooltip("receives:Q", title="transfers received")]),
        alt.Chart(actor_frame).mark_text(align="left", dx=9, dy=-9, fontSize=13,
                                         fontWeight="bold", color="#1a1a1a", clip=True).encode(
            longitude="lon:Q", latitude="lat:Q", text="label:N"),
        alt.Chart(site_frame).mark_point(shape="cross", size=220, filled=True,
                                         color="#b2182b", opacity=1, clip=True).encode(
            longitude="lon:Q", latitude="lat:Q",
            tooltip=["place:N", alt.Tooltip("events:N", title="events")]),
        # Left of the cross: the lines of the story run east of the event places.
        alt.Chart(site_frame).mark_text(align="right", dx=-10, dy=10, fontSize=12,
                                        color="#b2182b", clip=True).encode(
            longitude="lon:Q", latitude="lat:Q", text="label:N"),
    ]
    if height is None:
        # The projection keeps the frame's proportions; a height to match (for a view
        # about 1,000 px wide) leaves no empty band above and below the map.
        west, south, east, north = frame_extent
        height = int(min(640, max(280, 1000 * (north - south) / max(east - west, 1.0))))
    return alt.layer(*layers).project(**projection).properties(
        height=height, background=SEA)
