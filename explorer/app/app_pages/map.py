"""Map: located actors, event places, and the flows between them — without map tiles."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer.app.links import escape_md, markdown_table
from explorer.app.state import get_db
from explorer.app.status_charts import flow_map, status_label
from explorer.app.widgets import CACHE_TTL_S, guarded
from explorer.db import Database
from explorer.graph import STATUS_ORDER
from explorer.page_queries.geography import MapData, map_data

# west, south, east, north: frames that keep the story's places apart.
VIEWS: dict[str, tuple[float, float, float, float] | None] = {
    "Europe and Asia": (15.0, 22.0, 140.0, 68.0),
    "Close-up: Ukraine, Russia, Iran": (22.0, 30.0, 62.0, 60.0),
    "Everything placed": None,
}


@st.cache_data(ttl=CACHE_TTL_S, show_spinner="Reading places and flows…")
def cached_map(_db: Database, statuses: tuple[str, ...], since: int | None) -> MapData:
    return map_data(_db, statuses, since)


st.title("Map")
st.caption("Actors at their capitals, the places events happened, and who supplies whom "
           "between them. Drawn offline: a plain background and a 10° grid, no map tiles.")
db = get_db()

left, right = st.columns([3, 1])
statuses = left.multiselect(
    "Statuses", list(STATUS_ORDER), default=list(STATUS_ORDER), key="map_statuses",
    format_func=status_label,
)
since = right.number_input(
    "Transfers active since", min_value=1950, max_value=2100, value=2022, step=1,
    key="map_since", help="Leave out transfers whose last delivery came before this year; "
                          "claims without years always stay.",
)
data = guarded(lambda: cached_map(db, tuple(statuses), int(since) if since else None))
if not data.actors and not data.events:
    st.info("No actor or event has a place yet — run `explorer load seeds`.")
    st.stop()

# ?place=<id> (the search box's links) names the place and what happened there.
focus = (st.query_params.get("place") or "").strip()
if focus:
    here = [*(a for a in data.actors if a["place_id"] == focus),
            *(e for e in data.events if e["place_id"] == focus)]
    if not here:
        st.warning(f"No actor or event on this map is at a place with the id "
                   f"“{escape_md(focus)}” — search for it in the sidebar.",
                   icon=":material/search_off:")
    else:
        what = [a["actor"] for a in here if "actor" in a] + [
            f"{e['date']}{' (year inferred)' if e['inferred'] else ''}: {e['title']}"
            for e in here if "title" in e]
        st.info(f"**{escape_md(here[0]['place'])}** ({here[0]['lat']:.2f}, "
                f"{here[0]['lon']:.2f}) — " + escape_md("; ".join(what)),
                icon=":material/location_on:")

view = st.segmented_control("Frame", list(VIEWS), default="Europe and Asia",
                            key="map_view") or "Europe and Asia"
st.altair_chart(flow_map(data.actors, data.events, data.flows, extent=VIEWS[view]),
                width="stretch")
notes = ["Lines run supplier → recipient (the arrow head points at the recipient), coloured "
         "and dashed by status; red dotted lines run from a striking actor to where its strike "
         "landed; red crosses are event places. Lines leaving the frame go to actors outside "
         "it (Washington). Hover for details."]
if data.unplaced_transfers:
    notes.append(f"{data.unplaced_transfers:,} transfers are not drawn: one of their ends has "
                 "no place (SIPRI names countries without coordinates).")
if any(flow["tiv"] for flow in data.flows):
    notes.append("Source of the TIV figures: SIPRI Arms Transfers Database (c) SIPRI.")
st.caption(" ".join(notes))

st.subheader("Flows between placed actors")
if data.flows:
    markdown_table(pd.DataFrame([
        {
            "flow": f"{f['supplier']} → {f['recipient']}", "status": status_label(f["status"]),
            "SIPRI deals": f["sipri_deals"] or "", "claims": f["claims"] or "",
            "TIV": f"{f['tiv']:,.2f}" if f["tiv"] else "",
            "years": "" if f["first_year"] is None else (
                str(f["first_year"]) if f["first_year"] == f["last_year"]
                else f"{f['first_year']}–{f['last_year']}"),
            "systems": ", ".join(f["systems"][:12])
            + (f" and {len(f['systems']) - 12} more" if len(f["systems"]) > 12 else ""),
        }
        for f in data.flows
    ]))
else:
    st.caption("No flows with these statuses between placed actors.")

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
