"""The dashboard's router: one st.navigation over the pages in app_pages/.

A page appears only when its file exists, so the app runs while pages are
still being written (and a trimmed install still starts).
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run path/to/main.py` puts only this folder on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from explorer.app.search_box import search_box  # after the path above
from explorer.app.widgets import follow_go_to

PAGES = Path(__file__).parent / "app_pages"

# (section, file, title, icon); Home is the default page. Each page's URL is its file
# name (/explore, /saved_queries, ...), which st.switch_page and AppTest also use.
PAGE_TABLE = (
    ("Start", "home.py", "Home", ":material/home:"),
    ("Start", "walkthrough.py", "Walkthrough", ":material/school:"),
    ("Explore", "explore.py", "Explore", ":material/hub:"),
    ("Explore", "profile.py", "Actor profile", ":material/person:"),
    ("Explore", "weapon.py", "Weapon-system profile", ":material/rocket:"),
    ("Explore", "timeline.py", "Timeline", ":material/timeline:"),
    ("Explore", "map.py", "Map", ":material/public:"),
    ("Query", "saved_queries.py", "Saved queries", ":material/bookmarks:"),
    ("Query", "console.py", "Console", ":material/terminal:"),
    ("Data", "sources.py", "Sources", ":material/menu_book:"),
)

# A file, not ":material/...": Streamlit fetches a material favicon from Google's
# servers, and the dashboard must not reach the internet.
st.set_page_config(page_title="Arms-transfer graph explorer",
                   page_icon=str(Path(__file__).parent / "static" / "icon.png"), layout="wide")

sections: dict[str, list[st.Page]] = {}
for section, file, title, icon in PAGE_TABLE:
    path = PAGES / file
    if not path.is_file():
        continue
    sections.setdefault(section, []).append(
        # Relative to this file, as st.switch_page("app_pages/...") expects.
        st.Page(f"app_pages/{file}", title=title, icon=icon, default=file == "home.py")
    )

navigation = st.navigation(sections)
# A button asked for another page (explorer/app/widgets.py: go_to).
follow_go_to()
# The search box on every page (explorer/app/search_box.py), above the page's own sidebar.
search_box()
navigation.run()
