"""Actor profile: who an actor arms and who arms it, with what, when, and on whose word.

The actor comes from ``?actor=<id, name or alias>`` (other pages link here) or
from the picker, which writes it back to the URL so the view can be shared.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from explorer.app.cached import CACHE_TTL_S
from explorer.app.charts import footer_lines, status_label, transfers_by_year, with_footer
from explorer.app.links import escape_md, markdown_table
from explorer.app.state import get_db
from explorer.app.widgets import guarded
from explorer.attribution import SIPRI_ATTRIBUTION
from explorer.db import Database
from explorer.errors import UnresolvedName
from explorer.graph import STATUS_STYLES
from explorer.labels import INFERRED_NOTE, inferred_mark
from explorer.page_queries.profiles import (
    ActorChoice,
    ActorProfile,
    actor_choices,
    actor_profile,
    resolve_actor,
)

DEFAULT_ACTOR = "north-korea"


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def cached_choices(_db: Database) -> list[ActorChoice]:
    return actor_choices(_db)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner="Reading the profile…")
def cached_profile(_db: Database, actor_id: str) -> ActorProfile | None:
    return actor_profile(_db, actor_id)


def remember_pick() -> None:
    if st.session_state["profile_actor"] is not None:
        st.query_params["actor"] = st.session_state["profile_actor"]


def open_actor(actor_id: str) -> None:
    st.query_params["actor"] = actor_id


def colour_status(value: Any) -> str:
    style = STATUS_STYLES.get(str(value).replace(" ", "_").lower())
    if style is None:
        style = next((s for s in STATUS_STYLES.values() if s.label == value), None)
    return f"color: {style.color}; font-weight: 600" if style else ""


def years(first: Any, last: Any) -> str:
    if first is None:
        return ""
    return str(first) if last in (None, first) else f"{first}–{last}"


def joined(values: list[Any] | None) -> str:
    return ", ".join(str(v) for v in values or [])


st.title("Actor profile")
db = get_db()
choices = guarded(lambda: cached_choices(db))
if not choices:
    st.info("The graph holds no actors yet — run `explorer load seeds`.")
    st.stop()
by_id = {choice.id: choice for choice in choices}

asked = st.query_params.get("actor")
unresolved: UnresolvedName | None = None
try:
    from_url = resolve_actor(choices, asked)
except UnresolvedName as error:
    # Not someone else's profile in its place: the message, and the picker left empty.
    from_url, unresolved = None, error
if from_url is not None:
    st.session_state["profile_actor"] = from_url.id
elif unresolved is not None:
    st.session_state["profile_actor"] = None
elif st.session_state.get("profile_actor") not in by_id:
    st.session_state["profile_actor"] = DEFAULT_ACTOR if DEFAULT_ACTOR in by_id else choices[0].id

picked = st.selectbox(
    "Actor", list(by_id), key="profile_actor", on_change=remember_pick,
    format_func=lambda actor_id: by_id[actor_id].label, placeholder="choose an actor",
    help="Type a name or an alias: DPRK finds North Korea.",
)
if unresolved is not None:
    message = str(unresolved)
    st.warning(escape_md(message[:1].upper() + message[1:]), icon=":material/person_search:")
    candidates = [c for c in unresolved.candidates if c.id in by_id]
    if candidates:
        buttons = st.columns(len(candidates) + 1)
        for column, candidate in zip(buttons, candidates, strict=False):
            column.button(candidate.label, key=f"profile_open_{candidate.id}",
                          on_click=open_actor, args=(candidate.id,), width="stretch",
                          icon=":material/person:")
if picked is None:
    st.stop()
if from_url is None and unresolved is None:
    st.query_params["actor"] = picked

profile = guarded(lambda: cached_profile(db, picked))
if profile is None:
    st.info("That actor is no longer in the graph.")
    st.stop()
actor = profile.actor

st.header(escape_md(actor["name"]))
facts = [f"**kind** {escape_md(actor['kind'] or 'unknown')}"]
if actor["aliases"]:
    facts.append(f"**also called** {escape_md(', '.join(actor['aliases']))}")
if actor["located_in"]:
    facts.append(f"**on the map at** {escape_md(actor['located_in'])}")
st.markdown(" · ".join(facts))
if actor["description"]:
    st.caption(escape_md(actor["description"]))
if actor["name_sources"]:
    with st.expander("Where the names and description come from", icon=":material/badge:"):
        markdown_table(pd.DataFrame([
            {"source": ev["source"], "quote": ev["quote"] or "", "note": ev["note"] or ""}
            for ev in actor["name_sources"]
        ], columns=["source", "quote", "note"]))

outbound = [row for row in profile.partners if row["direction"] == "outbound"]
inbound = [row for row in profile.partners if row["direction"] == "inbound"]
# SIPRI's deals and the sources' claims are counted apart (docs/reading-results.md).
metrics = st.columns(6)
metrics[0].metric("SIPRI deals supplied", sum(row["sipri_deals"] for row in outbound),
                  help="Deals in the SIPRI Arms Transfers Database with this actor as supplier.")
metrics[1].metric("SIPRI deals received", sum(row["sipri_deals"] for row in inbound),
                  help="Deals in the SIPRI Arms Transfers Database with this actor as recipient.")
metrics[2].metric("Claims", sum(row["claims"] for row in profile.partners),
                  help="Transfers known only from reporting (supplied, sought, withheld…), "
                       "either way; not SIPRI records.")
metrics[3].metric("Partners", len({row["partner_id"] for row in profile.partners}))
metrics[4].metric("Events", len(profile.events))
metrics[5].metric("Sources", len({row["source_id"] for row in profile.sources}))

uses_sipri = any("sipri" in row["origins"] for row in profile.partners)

st.subheader("Transfers by year and status")
metric = st.segmented_control(
    "Measure", ["transfers", "TIV"], default="transfers", key="profile_metric",
    help="TIV: SIPRI trend-indicator value (millions), a measure of military capability "
         "transferred, not a price. Claims from reporting carry no TIV.",
) or "transfers"
all_years = sorted({row["year"] for row in profile.by_year if row["year"] is not None})
span = list(range(all_years[0], all_years[-1] + 1)) if all_years else []
# The charts' footer: the sources of the actor's transfers (datasets, and the reports
# whose claims the chart counts), so a PNG saved from a chart names them.
transfer_sources = footer_lines(
    {"title": row["source"], "publisher": row["publisher"], "attribution": row["attribution"]}
    for row in profile.sources
    if row["kind"] == "dataset" or any(" → " in str(s) for s in row["supports"]))
left, right = st.columns(2)
for column, direction, title in ((left, "outbound", "Supplies to others"),
                                 (right, "inbound", "Receives from others")):
    with column:
        rows = [row for row in profile.by_year if row["direction"] == direction]
        if rows:
            st.altair_chart(with_footer(
                transfers_by_year(rows, metric="tiv" if metric == "TIV" else "transfers",
                                  years=span),
                transfer_sources, title=title), width="stretch")
        else:
            st.markdown(f"**{title}**")
            st.caption("None in the graph.")
st.caption("A transfer counts in its first delivery year, else its order year, else the year "
           "its earliest source stated it (the article's claims carry no delivery years)."
           + (f" {SIPRI_ATTRIBUTION}." if uses_sipri else ""))

st.subheader("Partners")
partners = pd.DataFrame([
    {
        "direction": "supplies to" if row["direction"] == "outbound" else "receives from",
        "partner": row["partner"], "SIPRI deals": row["sipri_deals"], "claims": row["claims"],
        "TIV": round(row["tiv"] or 0.0, 2),
        "years": years(row["first_year"], row["last_year"]),
        "statuses": joined([status_label(s) for s in row["statuses"]]),
        "from": joined(row["origins"]), "id": row["partner_id"],
    }
    for row in profile.partners
], columns=["direction", "partner", "SIPRI deals", "claims", "TIV", "years", "statuses", "from",
            "id"])
chosen = st.dataframe(
    partners.style.map(colour_status, subset=["statuses"]), hide_index=True,
    column_order=["direction", "partner", "SIPRI deals", "claims", "TIV", "years", "statuses",
                  "from"],
    column_config={"TIV": st.column_config.NumberColumn(format="%.2f",
                                                        help="SIPRI TIV, millions"),
                   "SIPRI deals": st.column_config.NumberColumn(
                       help="deals in the SIPRI Arms Transfers Database"),
                   "claims": st.column_config.NumberColumn(
                       help="transfers known only from reporting, any status"),
                   "from": st.column_config.TextColumn(help="seed: reporting; sipri: SIPRI")},
    on_select="rerun", selection_mode="single-row", key="profile_partners", placeholder="",
)
st.caption("Select a partner's row to open its profile.")
selected = chosen.selection.rows if chosen is not None else []
if selected:
    st.query_params["actor"] = str(partners.iloc[selected[0]]["id"])
    st.session_state.pop("profile_partners", None)
    st.rerun()

st.subheader("Weapon systems")
systems = pd.DataFrame([
    {
        "direction": "supplies" if row["direction"] == "outbound" else "receives",
        "system": row["system"], "category": row["category"], "classes": joined(row["classes"]),
        "partners": joined(row["partners"]), "SIPRI deals": row["sipri_deals"],
        "claims": row["claims"],
        "delivered": row["delivered"] or None,
        "statuses": joined([status_label(s) for s in row["statuses"]]),
        "years": years(row["first_year"], row["last_year"]),
        "profile": f"weapon?system={row['system_id']}",
    }
    for row in profile.systems
], columns=["direction", "system", "statuses", "partners", "SIPRI deals", "claims", "delivered",
            "years", "category", "classes", "profile"])
st.dataframe(systems.style.map(colour_status, subset=["statuses"]), hide_index=True,
             placeholder="",
             column_config={"delivered": st.column_config.NumberColumn(
                 format="%d", help="number of this system delivered, where SIPRI records it"),
                 "profile": st.column_config.LinkColumn(
                     display_text="open", help="the weapon-system profile (/weapon)")})

st.subheader("Events")
if profile.events:
    markdown_table(pd.DataFrame([
        {
            "date": inferred_mark(row["date"], row["inferred"]),
            "role": row["role"], "event": row["title"],
            "by": joined(row["conducted_by"]), "against": joined(row["targeted"]),
            "used": joined(row["used"]), "place": row["place"],
        }
        for row in profile.events
    ]))
    st.caption(INFERRED_NOTE + " The date note in the timeline's table says how it was "
               "worked out.")
else:
    st.caption("No events conducted or targeted.")

st.subheader("Sources")
st.caption("Every source evidencing the transfers and events above, with the sentence it says "
           "them in.")
markdown_table(pd.DataFrame([
    {
        "source": row["source"],
        "quote": row["quote"] or (
            f"{row['count']:,} SIPRI deals. {row['attribution'] or ''}".strip()),
        "said by": row["attributed_to"], "as of": inferred_mark(row["as_of"],
                                                                 row["as_of_inferred"]),
        "confidence": row["confidence"],
        "supports": "; ".join(row["supports"]) if row["supports"]
        else f"{row['count']:,} SIPRI deals",
    }
    for row in profile.sources
], columns=["source", "quote", "said by", "as of", "confidence", "supports"]),
    nowrap=["as of"])
st.caption(f"{INFERRED_NOTE}")
