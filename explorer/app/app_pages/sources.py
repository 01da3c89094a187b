"""Sources: every source, what it supports and cites, and where claims and the
SIPRI records agree or disagree."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from explorer.app.cached import CACHE_TTL_S
from explorer.app.charts import status_label
from explorer.app.links import escape_md, markdown_table, saved_query_link
from explorer.app.state import get_db
from explorer.app.widgets import guarded
from explorer.db import Database
from explorer.page_queries.provenance import (
    CLAIMS_QUERY,
    NO_RECORD,
    VERDICT_MEANINGS,
    VERDICTS,
    Comparison,
    attributed_evidence,
    claims_vs_records,
    evidence,
    list_sources,
    tally,
)

VERDICT_STYLES = {"contradicts": ("red", "error"), "corroborates": ("green", "check_circle"),
                  "timing_unclear": ("orange", "schedule"), "later_record": ("gray", "update"),
                  "request_met": ("blue", "task_alt"), "earlier_record": ("gray", "history"),
                  "order_only": ("gray", "receipt_long"), "broad_match": ("violet", "category"),
                  NO_RECORD: ("gray", "block")}
# Shown unless deselected: the verdicts that bear on a claim.
SHOWN_VERDICTS = ("contradicts", "corroborates", "timing_unclear", "later_record",
                  "request_met")
MATCH_LEVELS = {"same_system": "the same system", "same_class": "same class",
                "broader_class": "only a broader class"}
TIME_RELATIONS = {"before": "record before the claim's year",
                  "same_year": "record in the claim's year (order unknown)",
                  "after": "record after the claim's year", "unknown": "record undated"}
SHOWN_RECORDS = 300


@st.cache_data(ttl=CACHE_TTL_S, show_spinner="Reading the sources…")
def cached_sources(_db: Database) -> list[dict[str, Any]]:
    return list_sources(_db)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def cached_evidence(_db: Database, source_id: str) -> list[dict[str, Any]]:
    return evidence(_db, [source_id], limit=SHOWN_RECORDS)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def cached_attributed(_db: Database) -> list[dict[str, Any]]:
    cited = [s for s in cached_sources(_db) if s["cited_by"]]
    return attributed_evidence(_db, cited) if cited else []


@st.cache_data(ttl=CACHE_TTL_S, show_spinner="Setting claims against records…")
def cached_comparisons(_db: Database) -> list[Comparison]:
    return claims_vs_records(_db, {"unmatched": True})


def badge(verdict: str) -> str:
    colour, icon = VERDICT_STYLES.get(verdict, ("gray", "help"))
    return f":{colour}[:material/{icon}: **{verdict.replace('_', ' ')}**]"


def match_text(row: dict[str, Any]) -> str:
    level = MATCH_LEVELS.get(row["match_level"], str(row["match_level"]))
    return f"{level} ({row['shared_class']})" if row["shared_class"] else level


def dated(source: dict[str, Any]) -> str:
    if not source["date"]:
        return "undated"
    text = f"{source['date_kind']} {source['date']}"
    return text + " (year inferred)" if source["date_inferred"] else text


def supported(row: dict[str, Any]) -> str:
    if row["about"] == "transfer":
        return f"{row['what']}: {', '.join(row['detail'])} ({status_label(row['status'])})"
    if row["about"] == "event":
        return f"{row['what']} ({', '.join(row['detail'])})"
    return f"{row['what']} ({row['about'].replace('weaponsystem', 'weapon system')})"


def evidence_table(rows: list[dict[str, Any]], *, via: bool = False) -> None:
    frame = pd.DataFrame([
        {
            "supports": supported(r),
            "quote": r["quote"], "as of": r["as_of"], "confidence": r["confidence"],
            "said by": r["attributed_to"], **({"via": r["via"]} if via else {}),
        }
        for r in rows
    ])
    markdown_table(frame)


def side(title: str, evidence_rows: list[dict[str, Any]], lines: list[str]) -> None:
    st.markdown(f"**{escape_md(title)}**")
    for line in lines:
        st.markdown(escape_md(line))
    for ev in evidence_rows[:2]:
        st.markdown("> " + escape_md(ev["quote"]))
        said = f", said by {ev['attributed_to']}" if ev["attributed_to"] else ""
        st.caption(escape_md(f"{ev['source']} — as of {ev['as_of']}, "
                             f"{ev['confidence']}{said}")
                   + (f" · {escape_md(ev['attribution'])}" if ev["attribution"] else ""))


st.title("Sources")
st.caption("Where every fact comes from: the article and the sources it reports, the SIPRI "
           "dataset, and the reference data; what each supports, and where they disagree.")
db = get_db()
sources = guarded(lambda: cached_sources(db))

overview = pd.DataFrame([
    {
        "source": s["title"], "kind": s["kind"],
        "by": ", ".join(x for x in (s["author"], s["publisher"]) if x), "date": dated(s),
        "transfers": s["transfers"], "events": s["events"],
        "reference": s["reference_items"], "cites": len(s["cites"]),
        "cited by": ", ".join(s["cited_by"]),
        "attribution": s["attribution"] or "",
    }
    for s in sources
], columns=["source", "kind", "by", "date", "transfers", "events", "reference", "cites",
            "cited by", "attribution"])
st.dataframe(overview, hide_index=True,
             column_config={"source": st.column_config.TextColumn(width="large"),
                            "transfers": st.column_config.NumberColumn(
                                help="transfers it evidences directly"),
                            "events": st.column_config.NumberColumn(
                                help="events it evidences directly"),
                            "reference": st.column_config.NumberColumn(
                                help="actors, places, weapon systems and classes it backs: "
                                     "aliases, coordinates, classes"),
                            "cites": st.column_config.NumberColumn(
                                help="sources it cites")})
for s in sources:
    if s["kind"] == "dataset" and s["attribution"]:
        st.markdown(f":material/dataset: **{escape_md(s['title'])}**, {escape_md(dated(s))} — "
                    f"{escape_md(s['attribution'])}")

st.subheader("Claims against records")
st.caption("Each claim of the sources set against the SIPRI records of the same supplier and "
           "recipient whose weapon system matches it: the same system, one of the claim's "
           "class or a narrower one (Hwasong-11 is a short-range ballistic missile), or only "
           "a broader class, which never counts as corroboration. SIPRI dates records by year "
           "only, so a record in the claim's own year is *timing unclear*: it may come before "
           "or after the claim. Each pair carries its verdict and the reason for it.")
comparisons = guarded(lambda: cached_comparisons(db))
tallies = tally(c.row for c in comparisons)
saved_query_link(CLAIMS_QUERY, {"unmatched": "true"},
                 label="Open the saved query behind this list")
if not any(c.row.get("record") for c in comparisons):
    st.info("No claim meets a record yet — load the SIPRI data (`explorer load sipri`).")
if tallies:
    claims = {c.row["claim"] for c in comparisons}
    st.markdown(f"**{len(claims)} claims** (distinct claims, not claim–record pairs): "
                + escape_md("; ".join(t.sentence() for t in tallies.values())) + ".")
with st.expander("What the verdicts mean"):
    st.markdown("\n".join(f"- {badge(v)} — {escape_md(VERDICT_MEANINGS[v])}"
                           for v in VERDICTS))
    st.caption("The rules, as a table with worked examples: docs/verdicts.md. They are "
               "applied in one place, the saved query claims_vs_records.")
present = list(tallies)
chosen = st.pills("Show", present, default=[v for v in present if v in SHOWN_VERDICTS],
                  format_func=lambda v: f"{v.replace('_', ' ')} · "
                                        f"{len(tallies[v].claims)} claim"
                                        f"{'' if len(tallies[v].claims) == 1 else 's'}",
                  selection_mode="multi", key="sources_verdicts")
for comparison in comparisons:
    if comparison.verdict not in (chosen or []) or comparison.verdict == NO_RECORD:
        continue
    row = comparison.row
    with st.container(border=True):
        st.markdown(
            f"{badge(comparison.verdict)} · "
            f"{escape_md(row['supplier'])} → {escape_md(row['recipient'])} · "
            f"{escape_md(match_text(row))} · "
            f"{escape_md(TIME_RELATIONS.get(row['time_relation'], row['time_relation']))}")
        left, right = st.columns(2)
        with left:
            side("Claim", comparison.claim_evidence,
                 [f"{status_label(row['claim_status'])}: {row['claimed']}"])
        with right:
            side("Record", comparison.record_evidence,
                 [f"{status_label(row['record_status'])}: {row['record_system']} "
                  f"({row['record_years']})"])
        st.caption(escape_md(row["reason"] or ""))
unmatched = [c.row for c in comparisons if c.verdict == NO_RECORD]
if NO_RECORD in (chosen or []) and unmatched:
    st.markdown(f"{badge(NO_RECORD)} — {len(unmatched)} claims:")
    markdown_table(pd.DataFrame([
        {"claim": f"{r['supplier']} → {r['recipient']}: {status_label(r['claim_status'])} "
                  f"{r['claimed']}", "as of": r["as_of"], "said by": r["attributed_to"],
         "reason": r["reason"]}
        for r in unmatched]))

st.subheader("What each source supports")
# ?source=<id> (the search box's links) opens that source's entry.
focus = (st.query_params.get("source") or "").strip()
if focus and focus not in {s["id"] for s in sources}:
    st.warning(f"No source has the id “{escape_md(focus)}” — search for it in the sidebar.",
               icon=":material/search_off:")
elif focus:
    title = next(s["title"] for s in sources if s["id"] == focus)
    st.info(f"Opened below: **{escape_md(title)}**.", icon=":material/link:")
attributed = guarded(lambda: cached_attributed(db))
for s in sources:
    direct = s["transfers"] + s["events"] + s["reference_items"]
    through = [r for r in attributed if r["cited_id"] == s["id"]]
    if not direct and not through:
        continue
    count = (f"{direct:,} items" if direct
             else f"{len(through)} statements through the article")
    with st.expander(f"{escape_md(s['title'])} · {escape_md(s['kind'])} · {count}",
                     expanded=s["id"] == focus):
        st.caption(escape_md(" · ".join(x for x in (
            ", ".join(x for x in (s["author"], s["publisher"]) if x), dated(s),
            s["attribution"] or "", s["url"] or "") if x)))
        if s["cites"]:
            st.markdown("**Cites:** " + escape_md("; ".join(s["cites"])))
        if direct:
            rows = guarded(lambda s=s: cached_evidence(db, s["id"]))
            if s["kind"] == "dataset":
                st.markdown(f"{s['transfers']:,} records (transfers); the first "
                            f"{min(len(rows), SHOWN_RECORDS)} by id:")
                st.dataframe(pd.DataFrame([{"record": r["id"], "quote": r["quote"]}
                                           for r in rows]), hide_index=True, height=300)
            else:
                evidence_table(rows)
        if through:
            st.markdown("What the citing article attributes to it (matched on its author or "
                        "publisher in each statement's *said by*):")
            evidence_table(through, via=True)
