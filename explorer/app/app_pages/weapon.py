"""Weapon-system profile: what a system is (class, aliases, range and other reference
facts with their sources), who supplied it to whom and when (SIPRI's deals), what
the reporting claims about it, and the events that used it.

The system comes from ``?system=<id, name or alias>`` (the search box and other
pages link here) or from the picker, which writes it back to the URL.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from explorer.app.cached import CACHE_TTL_S, cached_names
from explorer.app.charts import deliveries_chart, footer_lines, status_label, with_footer
from explorer.app.charts.provenance import SIPRI_DATASET
from explorer.app.links import escape_md, markdown_table, profile_link, weapon_link
from explorer.app.state import get_db
from explorer.app.widgets import guarded
from explorer.attribution import SIPRI_ATTRIBUTION
from explorer.db import Database
from explorer.errors import UnresolvedName
from explorer.labels import inferred_mark
from explorer.page_queries.weapons import (
    SystemChoice,
    WeaponProfile,
    deal_years,
    deliveries_by_year,
    flows,
    system_choices,
    weapon_profile,
)

DEFAULT_SYSTEM = "ws-hwasong-11"
PICK_KEY = "weapon_system"


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def cached_choices(_db: Database) -> list[SystemChoice]:
    return system_choices(_db)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner="Reading the profile…")
def cached_profile(_db: Database, system_id: str) -> WeaponProfile | None:
    return weapon_profile(_db, system_id)


def remember_pick() -> None:
    if st.session_state.get(PICK_KEY):
        st.query_params["system"] = st.session_state[PICK_KEY]


def blank(value: Any) -> Any:
    return "" if value is None else value


def number(value: Any, estimate: Any = False) -> str:
    if value is None:
        return ""
    return f"{value:,}" + (" (estimate)" if estimate else "")


st.title("Weapon-system profile")
db = get_db()
choices = guarded(lambda: cached_choices(db))
if not choices:
    st.info("The graph holds no weapon systems yet — run `explorer load seeds`.")
    st.stop()
by_id = {choice.id: choice for choice in choices}

asked = (st.query_params.get("system") or "").strip()
# The same resolver as every other page (docs/names.md): one system, or a warning
# that names the text with the closest names — never another system in its place.
from_url: str | None = None
unresolved: UnresolvedName | None = None
if asked:
    try:
        from_url = guarded(lambda: cached_names(db, "weapon_system")).resolve(asked).id
    except UnresolvedName as error:
        unresolved = error
if from_url is not None:
    st.session_state[PICK_KEY] = from_url
elif asked:
    # An unknown system is said, and nothing else is shown in its place.
    st.session_state[PICK_KEY] = None
elif st.session_state.get(PICK_KEY) not in by_id:
    st.session_state[PICK_KEY] = DEFAULT_SYSTEM if DEFAULT_SYSTEM in by_id else choices[0].id

if unresolved is not None:
    message = str(unresolved)
    st.warning(escape_md(message[:1].upper() + message[1:]) + " Pick one below, or search "
               "for it in the sidebar.", icon=":material/search_off:")
picked = st.selectbox(
    "Weapon system", list(by_id), key=PICK_KEY, on_change=remember_pick, index=None,
    format_func=lambda system_id: by_id[system_id].label,
    placeholder="Type a name or an alias: KN-23 finds Hwasong-11",
    help="Type a name or an alias: Geran-2 finds Shahed-136.",
)
if picked is None:
    st.stop()
if from_url is None and not asked:
    st.query_params["system"] = picked

profile = guarded(lambda: cached_profile(db, picked))
if profile is None:
    st.warning(f"The weapon system “{escape_md(picked)}” is no longer in the graph.")
    st.stop()
system = profile.system

# --------------------------------------------------------------------------- what it is

st.header(escape_md(system["name"]))
facts = [f"**category** {escape_md(system['category'] or 'unknown')}"]
if profile.classes:
    chains = ["  →  ".join(chain) for chain in profile.classes]
    facts.append(f"**class** {escape_md('; '.join(chains))}")
else:
    facts.append("**class** none recorded")
if system["aliases"]:
    facts.append(f"**also called** {escape_md(', '.join(system['aliases']))}")
st.markdown(" · ".join(facts))
if system["generic"]:
    st.caption("An unnamed item as the reporting words it, not a designated system: "
               "its records are claims, not SIPRI deals.")
if system["description"]:
    st.caption(escape_md(system["description"]))

st.subheader("Reference facts")
if system["range_km"] is not None:
    said = "; ".join(f"“{e['quote']}” ({e['source']})" for e in profile.range_evidence
                     if e.get("quote"))
    st.markdown(f"**Range** about {system['range_km']:,} km"
                + (f" — {escape_md(said)}" if said else " (no source in the graph says so)"))
else:
    st.markdown("**Range** not recorded in the graph.")
if profile.related_ranges:
    st.caption("Ranges the graph records for related items, not for this system: " + "; ".join(
        f"{escape_md(r['name'])} (a {escape_md(r['class'])}"
        + (", unnamed in the reporting" if r["generic"] else "")
        + f"): about {r['range_km']:,} km" for r in profile.related_ranges) + ".")
    for r in profile.related_ranges:
        weapon_link(r["id"], f"Open {r['name']}")
if profile.evidence:
    markdown_table(pd.DataFrame([
        {"source": e["source"], "kind": e["kind"], "quote": e["quote"] or "",
         "note": e["note"] or ""}
        for e in profile.evidence
    ], columns=["source", "kind", "quote", "note"]))
    st.caption("Where the name, aliases, class and range come from: each row is one "
               "source's word for this system.")
else:
    st.caption("No source in the graph is cited for this system's reference data.")

# --------------------------------------------------------------------------- who supplied it

st.subheader("Who supplied it to whom (SIPRI)")
if profile.deals:
    summary = flows(profile.deals)
    metrics = st.columns(4)
    metrics[0].metric("SIPRI deals", len(profile.deals))
    metrics[1].metric("Supplier → recipient pairs", len(summary))
    metrics[2].metric("Number delivered", f"{sum(r['delivered'] for r in summary):,}")
    metrics[3].metric("TIV delivered (millions)",
                      f"{sum(r['tiv_delivered'] for r in summary):,.2f}")
    by_year = deliveries_by_year(profile.deals)
    if by_year:
        st.altair_chart(with_footer(deliveries_chart(by_year), footer_lines([SIPRI_DATASET])),
                        width="stretch")
    st.dataframe(pd.DataFrame([
        {"supplier": r["supplier"], "recipient": r["recipient"], "deals": r["deals"],
         "ordered": r["ordered"], "delivered": r["delivered"],
         "TIV delivered": round(r["tiv_delivered"], 2),
         "years delivered": "" if r["first_year"] is None else (
             str(r["first_year"]) if r["first_year"] == r["last_year"]
             else f"{r['first_year']}–{r['last_year']}")}
        for r in summary
    ]), hide_index=True, column_config={
        "ordered": st.column_config.NumberColumn(format="localized"),
        "delivered": st.column_config.NumberColumn(format="localized"),
        "TIV delivered": st.column_config.NumberColumn(format="%.2f",
                                                       help="SIPRI TIV, millions"),
    })
    with st.expander(f"Every SIPRI deal ({len(profile.deals)})", icon=":material/list:"):
        st.dataframe(pd.DataFrame([
            {"supplier": d["supplier"], "recipient": d["recipient"],
             "ordered in": blank(d["order_year"]) if not d["order_year_estimate"]
             else f"{d['order_year']} (estimate)",
             "ordered": number(d["quantity"], d["quantity_estimate"]),
             "delivered": number(d["quantity_delivered"]),
             "years delivered": deal_years(d),
             "per year": ", ".join(f"{y}: {n}" for y, n in
                                   zip(d["delivery_years"], d["delivered_per_year"],
                                       strict=False)),
             "TIV per unit": blank(d["tiv_unit"]), "TIV delivered": blank(d["tiv_delivered"]),
             "status": status_label(d["status"]), "SIPRI status": blank(d["sipri_status"]),
             "comments": blank(d["comments"]), "SIPRI id": d["id"]}
            for d in profile.deals
        ]), hide_index=True)
    st.caption("Quantities add up here because every deal is of this one system. TIV is "
               f"SIPRI's trend-indicator value, not a price. {SIPRI_ATTRIBUTION}.")
    partners = {}
    for row in summary:
        partners[row["supplier_id"]] = row["supplier"]
        partners[row["recipient_id"]] = row["recipient"]
    with st.expander("Open a supplier's or recipient's profile", icon=":material/person:"):
        for actor_id, name in list(partners.items())[:20]:
            profile_link(actor_id, name)
else:
    st.caption("SIPRI records no deal of this system.")

# --------------------------------------------------------------------------- claims

st.subheader("Claims from the reporting")
if profile.claims:
    claim_sources = sorted({c["source"] or "" for c in profile.claims})
    one_source = len(claim_sources) == 1
    columns = ["supplier → recipient", "status", "quote", "said by", "as of", "confidence",
               *([] if one_source else ["source"])]
    markdown_table(pd.DataFrame([
        {"supplier → recipient": f"{c['supplier']} → {c['recipient']}",
         # The quantity as the source words it ("dozens") goes with the status.
         "status": status_label(c["status"]) + (
             f" ({c['quantity_text'] or number(c['quantity'])})"
             if c["quantity_text"] or c["quantity"] is not None else ""),
         "quote": c["quote"] or "", "said by": c["said_by"] or "",
         "as of": inferred_mark(c["as_of"], c["as_of_inferred"]),
         "confidence": c["confidence"] or "",
         "source": c["source"] or ""}
        for c in profile.claims
    ], columns=columns), nowrap=["as of"])
    st.caption("One row per sentence: a claim the article supports with two sentences "
               "has two rows."
               + (f" Every quote is from “{escape_md(claim_sources[0])}”." if one_source
                  else ""))
else:
    st.caption("The reporting in the graph makes no claim about this system.")

# --------------------------------------------------------------------------- events

st.subheader("Events that used it")
if profile.events:
    markdown_table(pd.DataFrame([
        {"date": inferred_mark(e["date"], e["inferred"]),
         "event": e["title"], "kind": (e["kind"] or "").replace("_", " "),
         "by": ", ".join(e["conducted_by"]), "place": e["place"] or ""}
        for e in profile.events
    ], columns=["date", "event", "kind", "by", "place"]), nowrap=["date"])
else:
    st.caption("No event in the graph used this system.")
