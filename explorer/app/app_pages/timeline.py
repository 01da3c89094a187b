"""Timeline: transfers, events and claims over time for a few actors."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from explorer.app.cached import CACHE_TTL_S, cached_data_range
from explorer.app.charts import footer_lines, timeline_chart, with_footer
from explorer.app.charts.provenance import SIPRI_DATASET
from explorer.app.links import escape_md, markdown_table
from explorer.app.state import get_db
from explorer.app.widgets import guarded
from explorer.db import Database
from explorer.labels import INFERRED_NOTE, inferred_mark, year_span
from explorer.page_queries.profiles import ActorChoice, actor_choices
from explorer.page_queries.timeline import DEFAULT_ACTORS, Timeline, event_actors, timeline

WINDOWS = {
    "The article: Dec 2023 – Apr 2024": (dt.date(2023, 12, 1), dt.date(2024, 5, 1)),
    "Since the invasion (2022 on)": (dt.date(2022, 1, 1), None),
    "Since 2014": (dt.date(2014, 1, 1), None),
    "All years": (None, None),
}
# ?window=article|2022|2014|all picks the window, for links and screenshots.
WINDOW_KEYS = dict(zip(("article", "2022", "2014", "all"), WINDOWS, strict=True))
DEFAULT_WINDOW = "Since the invasion (2022 on)"
MAX_LANES = 25


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def cached_choices(_db: Database) -> list[ActorChoice]:
    return actor_choices(_db)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner="Reading the timeline…")
def cached_timeline(_db: Database, actor_ids: tuple[str, ...], with_others: bool) -> Timeline:
    return timeline(_db, actor_ids, with_others=with_others)


def window(name: str, tl: Timeline) -> tuple[dt.date, dt.date]:
    first, last = WINDOWS[name]
    span = tl.years or (2022, dt.date.today().year)
    start = first or dt.date(span[0], 1, 1)
    end = last or dt.date(span[1] + 1, 1, 1)
    return start, max(end, start + dt.timedelta(days=31))


st.title("Timeline")
st.caption("Deliveries, events and what sources said, and when — for the actors you pick.")
db = get_db()
choices = guarded(lambda: cached_choices(db))
by_id = {choice.id: choice for choice in choices}
# ?event=<id> (the search box's links): the timeline of the actors it involves.
focus = (st.query_params.get("event") or "").strip()
focus_actors = guarded(lambda: event_actors(db, focus)) if focus else None
if "timeline_actors" not in st.session_state:
    st.session_state["timeline_actors"] = [a for a in DEFAULT_ACTORS if a in by_id]
# A new ?event= (a search link followed from any page, this one included) shows the
# actors it involves, whatever was picked before; the picker stays the user's after.
if focus_actors and st.session_state.get("timeline_focus") != focus:
    st.session_state["timeline_actors"] = [a for a in focus_actors if a in by_id]
st.session_state["timeline_focus"] = focus
if focus and focus_actors is None:
    st.warning(f"No event has the id “{escape_md(focus)}” — search for it in the sidebar.",
               icon=":material/search_off:")

top = st.columns([5, 2])
picked = top[0].multiselect(
    "Actors", list(by_id), key="timeline_actors", format_func=lambda a: by_id[a].label,
    help="Events they conducted or were targeted by, and transfers between them.",
)
with_others = top[1].toggle(
    "Transfers with others too", key="timeline_others",
    help="Off: only transfers between the picked actors. On: every transfer of theirs "
         "(many SIPRI lanes).",
)
if not picked:
    st.info("Pick at least one actor.")
    st.stop()

tl = guarded(lambda: cached_timeline(db, tuple(picked), with_others))
if not (tl.events or tl.deliveries or tl.claims):
    st.info("Nothing dated for these actors.")
    st.stop()

focused = next((e for e in tl.events if e["id"] == focus), None) if focus else None
if focused is not None:
    st.info(f"**{escape_md(inferred_mark(focused['date'], focused['inferred']))}** — "
            f"{escape_md(focused['title'])}"
            # The place, unless the title already names it.
            + (f" ({escape_md(focused['place'])})"
               if focused["place"] and focused["place"] not in focused["title"] else ""),
            icon=":material/event:")

data_years = guarded(lambda: cached_data_range(db))
all_span = tl.years


def window_label(name: str) -> str:
    # "All years" names the years it means: those of the data in the graph.
    if WINDOWS[name] == (None, None) and all_span is not None:
        return f"{name} ({year_span(*all_span)})"
    return name


view = st.segmented_control(
    "Window", list(WINDOWS), key="timeline_window", format_func=window_label,
    default=WINDOW_KEYS.get(st.query_params.get("window", ""), DEFAULT_WINDOW),
) or DEFAULT_WINDOW
st.caption(data_years.sentence())
start, end = window(view, tl)
drawn, left_out = tl.busiest(MAX_LANES)
# The chart names the sources of what it draws (SIPRI only when a delivery bar is drawn),
# so a PNG saved from its menu keeps them.
credited = ([SIPRI_DATASET] if drawn.deliveries else []) + [
    {"title": row["source"]} for row in [*drawn.events, *drawn.claims] if row.get("source")]
st.altair_chart(with_footer(timeline_chart(drawn, start, end), footer_lines(credited)),
                width="stretch")
if left_out:
    st.caption(f"The chart keeps the {MAX_LANES} busiest transfer lanes; {left_out} smaller "
               "ones are in the table below.")
st.caption(
    "Black dots: events, hollow when the source did not print the year (it was inferred: "
    "“(year inferred)” after the date in the tooltip and the table); "
    "a thin grey bar spans a month or a year when that is all the source gives. Diamonds: "
    "claims, at the date they were made, coloured by the status they claim, hollow when "
    "the year of that date was inferred. Bars: SIPRI "
    "delivery years. Scroll or drag on the chart to zoom in time; hover for the quote."
    # SIPRI is credited where its data is drawn, and only there.
    + (" Source of the delivery bars: SIPRI Arms Transfers Database (c) SIPRI."
       if drawn.deliveries else "")
)

st.subheader("Everything on the timeline")
kinds = st.pills("Show", ["events", "claims", "deliveries"], default=["events", "claims"],
                 selection_mode="multi", key="timeline_kinds")
rows = []
if "events" in kinds:
    rows += [{
        "date": inferred_mark(e["date"], e["inferred"]), "what": "event",
        "lane": e["lane"].removesuffix(" · events"), "about": e["title"],
        "dating": ("year inferred: " + (e["date_note"] or "")) if e["inferred"] else "printed",
        "status": e["kind"], "quote": e["quote"], "source": e["source"],
    } for e in tl.events]
if "claims" in kinds:
    rows += [{
        "date": c["as_of"], "what": "claim", "lane": c["lane"].rsplit(" · ", 1)[0],
        "about": c["label"], "dating": "as of", "status": c["status"] or "",
        "quote": c["quote"], "source": f"{c['source']} ({c['confidence']}"
        + (f", said by {c['attributed_to']})" if c["attributed_to"] else ")"),
    } for c in tl.claims]
if "deliveries" in kinds:
    rows += [{
        "date": str(d["year"]), "what": "delivery", "lane": d["lane"].rsplit(" · ", 1)[0],
        "about": ", ".join(d["systems"]), "dating": "year",
        "status": d["status"],
        # A number of items only for one system (docs/reading-results.md).
        "quote": f"{d['deals']} SIPRI deal{'s' if d['deals'] != 1 else ''}"
                 + (f", {d['number']:,} delivered" if d["number"] is not None else "")
                 + f", TIV {d['tiv']:,.2f}",
        "source": "SIPRI Arms Transfers Database (c) SIPRI",
    } for d in tl.deliveries]
if rows:
    table = pd.DataFrame(rows).sort_values(["date", "what", "lane"], kind="stable")
    markdown_table(table, nowrap=["date"])
    st.caption(INFERRED_NOTE)
else:
    st.caption("Pick what to list.")
