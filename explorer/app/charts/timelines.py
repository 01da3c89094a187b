"""Charts over time: the Timeline page's lanes (deliveries, events, claims) and a saved
query's timeline view (one labelled row per result row)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

from explorer.app.charts.data import frame, iso_start, short_list
from explorer.app.charts.palette import (
    CLAIM_COLOUR,
    EVENT_CLAIM,
    EVENT_COLOUR,
    INK,
    status_label,
    status_scale,
)
from explorer.page_queries.timeline import Timeline

DATE_PRINTED = "year printed by the source"
DATE_INFERRED = "year inferred (not printed)"


def rows_timeline(
    rows: Sequence[Mapping[str, Any]],
    date: str,
    label: str,
    end: str | None = None,
    color: str | None = None,
) -> alt.Chart:
    """A saved query's timeline view: the rows on a time axis, one labelled row each;
    a bar to ``end`` when given. Dates at year or month precision ("2024", "2024-04")
    are placed at their start."""
    data = frame(rows, [date, label, end, color])
    data = data[data[date].notna() & (data[date].astype(str) != "")].copy()
    data["_start"] = pd.to_datetime(data[date].astype(str).map(iso_start), errors="coerce")
    data = data[data["_start"].notna()]
    data["_row"] = data[label].astype(str)
    tooltip = [alt.Tooltip(f"{date}:N", title=date), alt.Tooltip(f"{label}:N", title=label)]
    colour = alt.Color(f"{color}:N", title=color) if color else alt.value(INK)
    if color:
        tooltip.append(alt.Tooltip(f"{color}:N", title=color))
    y = alt.Y("_row:N", sort=alt.EncodingSortField("_start", order="ascending"), title=None,
              axis=alt.Axis(labelLimit=300))
    height = max(160, 26 * data["_row"].nunique())
    points = alt.Chart(data).mark_point(filled=True, size=110).encode(
        x=alt.X("_start:T", title=date), y=y, color=colour, tooltip=tooltip
    )
    if end:
        data["_end"] = pd.to_datetime(data[end].astype(str).map(iso_start), errors="coerce")
        bars = alt.Chart(data).mark_rule(strokeWidth=4, opacity=0.6).encode(
            x="_start:T", x2="_end:T", y=y, color=colour, tooltip=tooltip
        )
        return (bars + points).properties(height=height)
    return points.properties(height=height)


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
            "systems": short_list(d["systems"]),
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
    for table in frames.values():
        lanes.update(table["lane"].tolist())
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


