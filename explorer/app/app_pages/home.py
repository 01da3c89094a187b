"""Home: the connection, what the graph holds, and where the data comes from."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer.app.state import get_db
from explorer.errors import ExplorerError
from explorer.overview import graph_overview

st.title("Arms-transfer graph explorer")
st.caption("Who arms whom — reporting and the SIPRI Arms Transfers Database in one graph.")

db = get_db()
try:
    server = db.ping()
    overview = graph_overview(db)
except ExplorerError as error:
    st.error(str(error), icon=":material/cloud_off:")
    st.stop()

st.markdown(f"Connected to **{db.uri}** — Neo4j {server['version']} {server['edition']}.")
left, right = st.columns(2)
with left:
    st.subheader("Nodes by label")
    st.dataframe(pd.DataFrame(list(overview["labels"].items()), columns=["label", "count"]),
                 hide_index=True, use_container_width=True)
with right:
    st.subheader("Relationships by type")
    st.dataframe(
        pd.DataFrame(list(overview["relationships"].items()), columns=["type", "count"]),
        hide_index=True, use_container_width=True,
    )
if overview["sources"]:
    st.subheader("Data sources")
    st.dataframe(pd.DataFrame(overview["sources"]), hide_index=True, use_container_width=True)
