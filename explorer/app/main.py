"""The dashboard's router: one st.navigation over the pages in app_pages/."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run path/to/main.py` puts only this folder on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

PAGES = Path(__file__).parent / "app_pages"

st.set_page_config(page_title="Arms-transfer graph explorer", page_icon=":material/hub:",
                   layout="wide")

navigation = st.navigation(
    [
        st.Page(PAGES / "home.py", title="Home", icon=":material/home:", default=True),
    ]
)
navigation.run()
