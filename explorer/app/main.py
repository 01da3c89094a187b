"""The dashboard's router: one st.navigation over the pages in app_pages/
(``explorer/app/page_table.py`` lists them; a page appears only when its file
exists)."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run path/to/main.py` puts only this folder on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from explorer.app.page_table import available_pages  # after the path above
from explorer.app.search_box import search_box
from explorer.app.walkthrough_state import opens_walkthrough
from explorer.app.widgets import follow_go_to

PAGES = Path(__file__).parent / "app_pages"

# A file, not ":material/...": Streamlit fetches a material favicon from Google's
# servers, and the dashboard must not reach the internet.
st.set_page_config(page_title="Arms-transfer graph explorer",
                   page_icon=str(Path(__file__).parent / "static" / "icon.png"), layout="wide")

sections = {
    # Relative to this file, as st.switch_page("app_pages/...") expects.
    section: [st.Page(f"app_pages/{p.file}", title=p.title, icon=p.icon,
                      default=p.file == "home.py") for p in pages]
    for section, pages in available_pages(PAGES).items()
}

navigation = st.navigation(sections)
# A browser's bare first visit opens the walkthrough (explorer/app/walkthrough_state.py).
if opens_walkthrough(navigation.url_path) and (PAGES / "walkthrough.py").is_file():
    st.switch_page("app_pages/walkthrough.py")
# A button asked for another page (explorer/app/widgets.py: go_to).
follow_go_to()
# The search box on every page (explorer/app/search_box.py), above the page's own sidebar.
search_box()
navigation.run()
