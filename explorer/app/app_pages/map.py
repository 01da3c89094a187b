"""Map: every actor of the chosen transfers at its place, the flows between them, a
choropleth of TIV, and the places events happened — on Natural Earth's outlines, offline."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer.app.cached import CACHE_TTL_S, cached_year_bounds
from explorer.app.charts import flow_map, footer_lines, status_label, with_footer
from explorer.app.charts.maps import drawn_flows
from explorer.app.links import escape_md, markdown_table
from explorer.app.state import get_db
from explorer.app.widgets import guarded, result_sources
from explorer.db import Database
from explorer.graph import STATUS_ORDER
from explorer.page_queries.geography import MapData, map_data

# west, south, east, north: the world without Antarctica, and frames that keep the
# story's places apart.
VIEWS: dict[str, tuple[float, float, float, float] | None] = {
    "World": None,
    "Europe and Asia": (15.0, 22.0, 140.0, 68.0),
    "Close-up: Ukraine, Russia, Iran": (22.0, 30.0, 62.0, 60.0),
}
SHADE_CHOICES = {"TIV received": "received", "TIV supplied": "supplied", "No shading": None}


@st.cache_data(ttl=CACHE_TTL_S, show_spinner="Reading places and flows…")
def cached_map(_db: Database, statuses: tuple[str, ...], year_from: int | None,
               year_to: int | None) -> MapData:
    return map_data(_db, statuses, year_from, year_to)


st.title("Map")
st.caption("Every supplier and recipient at its place — the seed's capitals, else the centre "
           "of its country — the flows between them, countries shaded by TIV, and the places "
           "events happened. Drawn offline on Natural Earth's country outlines; no map tiles.")
db = get_db()

first_year, last_year = guarded(lambda: cached_year_bounds(db))
left, right = st.columns([3, 2])
with left:
    statuses = st.pills(
        "Statuses", list(STATUS_ORDER), selection_mode="multi", key="map_statuses",
        default=list(STATUS_ORDER), format_func=status_label,
    )
years: tuple[int, int] | None = None
with right:
    if first_year is not None and last_year is not None and first_year < last_year:
        years = st.slider("Years", first_year, last_year, key="map_years",
                          value=(first_year, last_year),
                          help="Transfers whose order or delivery years overlap the range "
                               "(as on Explore); the shading sums their TIV. Narrowing it "
                               "leaves out transfers without a known year.")
year_from = year_to = None
if years is not None and (years[0] > first_year or years[1] < last_year):
    year_from, year_to = years
chosen = tuple(s for s in STATUS_ORDER if s in (statuses or []))
if not chosen:
    st.warning("Pick at least one transfer status.", icon=":material/filter_alt_off:")
    st.stop()
data = guarded(lambda: cached_map(db, chosen, year_from, year_to))
if not data.actors and not data.events:
    st.info("Nothing to place for these filters — widen the years, or run "
            "`explorer load seeds` and `explorer load sipri`.")
    st.stop()

# ?place=<id> (the search box's links) names the place and what happened there.
focus = (st.query_params.get("place") or "").strip()
if focus:
    here = [e for e in data.events if e["place_id"] == focus]
    seated = [a for a in data.actors if a["place_id"] == focus]
    if not here and not seated:
        st.warning(f"No actor or event on this map is at a place with the id "
                   f"“{escape_md(focus)}” — search for it in the sidebar.",
                   icon=":material/search_off:")
    else:
        what = [a["actor"] for a in seated] + [
            f"{e['date']}{' (year inferred)' if e['inferred'] else ''}: {e['title']}"
            for e in here]
        first = (here or seated)[0]
        st.info(f"**{escape_md(first['place'])}** ({first['lat']:.2f}, {first['lon']:.2f}) — "
                + escape_md("; ".join(what)), icon=":material/location_on:")

frame_col, shade_col = st.columns(2)
with frame_col:
    view = st.segmented_control("Frame", list(VIEWS), default="World",
                                key="map_view") or "World"
with shade_col:
    shade_name = st.segmented_control("Shade countries by", list(SHADE_CHOICES),
                                      default="TIV received", key="map_shade") or "No shading"
shade = SHADE_CHOICES[shade_name]

source_ids = sorted({s for row in [*data.flows, *data.events] for s in row["source_ids"]})
sources = guarded(lambda: result_sources(db, [{"source_ids": source_ids}])).sources
period = f"{year_from}–{year_to}" if year_from is not None else "all years"
drawn, left_out = drawn_flows(data.flows)
chart = flow_map(data.actors, data.events, drawn, countries=data.countries, shade=shade,
                 extent=VIEWS[view])
st.altair_chart(with_footer(chart, [f"Transfers {period}; statuses: "
                                    + ", ".join(status_label(s) for s in chosen),
                                    *footer_lines(sources)]),
                width="stretch")
notes = ["Arcs run supplier → recipient, bending to their right (the arrow head points at "
         "the recipient), coloured and dashed by status, wider for more TIV; dots are places "
         "(bigger for more transfers); red dotted lines run from a striking actor to where "
         "its strike landed; red crosses are event places. A country's shade sums the TIV of "
         "the state's own transfers, not of groups in it. Hover for details."]
if left_out:
    notes.append(f"The map draws the {len(drawn):,} largest flows by TIV and every claim from "
                 f"reporting; {left_out:,} smaller flows are in the table below.")
if data.unplaced_transfers:
    notes.append(f"{data.unplaced_transfers:,} transfers are not drawn: one of their ends is "
                 "not a country (listed below).")
st.caption(" ".join(notes))

if data.unplaced:
    st.subheader("Not on the map")
    st.caption("These suppliers and recipients have no place in the seeds and no country in "
               "their name (organisations, SIPRI's unknown suppliers); their transfers are "
               "counted for the filters above.")
    markdown_table(pd.DataFrame([
        {"actor": u["actor"], "kind": u["kind"] or "", "transfers": f"{u['transfers']:,}"}
        for u in data.unplaced
    ]))

st.subheader("Flows between placed actors")
if data.flows:
    st.dataframe(pd.DataFrame([
        {
            "supplier": f["supplier"], "recipient": f["recipient"],
            "status": status_label(f["status"]), "SIPRI deals": f["sipri_deals"],
            "claims": f["claims"], "TIV": round(float(f["tiv"] or 0.0), 2),
            "years": "" if f["first_year"] is None else (
                str(f["first_year"]) if f["first_year"] == f["last_year"]
                else f"{f['first_year']}–{f['last_year']}"),
            "systems": ", ".join(f["systems"][:12])
            + (f" and {len(f['systems']) - 12} more" if len(f["systems"]) > 12 else ""),
        }
        for f in sorted(data.flows, key=lambda f: -float(f["tiv"] or 0.0))
    ]), hide_index=True, width="stretch")
else:
    st.caption("No flows with these statuses and years between placed actors.")

st.subheader("Event places")
if data.events:
    markdown_table(pd.DataFrame([
        {
            "place": e["place"], "date": e["date"] + (" (year inferred)" if e["inferred"] else ""),
            "event": e["title"], "by": ", ".join(e["conducted_by"]),
            "against": ", ".join(e["targeted"]), "used": ", ".join(e["used"]),
            "coordinates": f"{e['lat']:.2f}, {e['lon']:.2f}",
        }
        for e in data.events
    ]))
else:
    st.caption("No event in these years has a place.")
