"""Process-wide resources for the dashboard: one Database (one driver) per process."""

from __future__ import annotations

import logging

import streamlit as st

from explorer.db import Database


@st.cache_resource(show_spinner=False)
def get_db() -> Database:
    # The driver connects lazily, so this succeeds even while Neo4j is down and the
    # same driver serves again once it is back: no app restart needed.
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)
    return Database()
