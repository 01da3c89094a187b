"""Home: the connection, headline findings computed live, what the graph holds, and
where the data comes from."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from explorer.app import cached
from explorer.app import widgets as w
from explorer.app.links import escape_md, page_link, saved_query_link
from explorer.app.state import get_db
from explorer.db import Database
from explorer.loaders.import_runs import describe_incomplete, incomplete_runs
from explorer.page_queries.findings import Finding, headline_findings
from explorer.page_queries.overview import graph_overview

WALKTHROUGH_PAGE = "app_pages/walkthrough.py"


@st.cache_data(ttl=cached.CACHE_TTL_S, show_spinner=False)
def cached_overview(_db: Database) -> dict[str, Any]:
    return graph_overview(_db)


@st.cache_data(ttl=cached.CACHE_TTL_S, show_spinner="Computing the findings…")
def cached_findings(_db: Database) -> list[Finding]:
    return headline_findings(_db, cached.cached_catalogue())


st.title("Arms-transfer graph explorer")
st.caption("Who arms whom — reporting and the SIPRI Arms Transfers Database in one graph.")

db = get_db()
server = w.guarded(db.ping)
overview = w.guarded(lambda: cached_overview(db))
st.markdown(f"Connected to **{escape_md(db.uri)}** — Neo4j {escape_md(server['version'])} "
            f"{escape_md(server['edition'])}.")
# A batched load that stopped half-way leaves part of a file in the graph: every
# answer on every page may be short until it is finished (docs/loading.md).
for run in w.guarded(lambda: incomplete_runs(db)):
    st.warning(escape_md(describe_incomplete(run)), icon=":material/warning:")
page_link(WALKTHROUGH_PAGE,
          "New here? Take the walkthrough: twelve tasks, checked against the graph",
          {}, icon=":material/school:")

findings = w.guarded(lambda: cached_findings(db))
if findings:
    st.subheader("Headline findings")
    st.caption("Computed live from the graph; each comes from a saved query you can open, "
               "change and rerun.")
    columns = st.columns(len(findings))
    for column, finding in zip(columns, findings, strict=True):
        with column.container(border=True, height="stretch"):
            st.metric(escape_md(finding.title), finding.shown)
            st.markdown(escape_md(finding.headline))
            if finding.detail:
                st.caption(escape_md(finding.detail))
            saved_query_link(finding.query, finding.params, label="Open the query behind it")

if overview["sources"]:
    st.subheader("Data sources")
    sources = pd.DataFrame([
        {"source": s["title"], "kind": s["kind"],
         "date": s["date"] or "undated", "attribution": s["attribution"] or ""}
        for s in overview["sources"]
    ], columns=["source", "kind", "date", "attribution"])
    st.dataframe(sources, hide_index=True, width="stretch",
                 column_config={"date": st.column_config.TextColumn(
                     help="published, or for a dataset the date it was generated")})
    for s in overview["sources"]:
        if s["kind"] == "dataset" and s["attribution"]:
            st.caption(f"{escape_md(s['title'])}, generated {escape_md(s['date'])}: "
                       f"{escape_md(s['attribution'])}.")

left, right = st.columns(2)
with left:
    st.subheader("Nodes by label")
    st.dataframe(pd.DataFrame(list(overview["labels"].items()), columns=["label", "count"]),
                 hide_index=True, width="stretch")
with right:
    st.subheader("Relationships by type")
    st.dataframe(
        pd.DataFrame(list(overview["relationships"].items()), columns=["type", "count"]),
        hide_index=True, width="stretch",
    )
