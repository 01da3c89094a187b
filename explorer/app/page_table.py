"""The dashboard's pages: which exist, in which section, under which title.

Pure (no Streamlit) so the router's rule — a page appears only when its file
exists, so the app runs while pages are being written and a trimmed install
still starts — can be tested without running the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple


class PageEntry(NamedTuple):
    section: str
    file: str
    title: str
    icon: str


# Home is the default page. Each page's URL is its file name (/explore,
# /saved_queries, ...), which st.switch_page and AppTest also use.
PAGE_TABLE: tuple[PageEntry, ...] = (
    PageEntry("Start", "home.py", "Home", ":material/home:"),
    PageEntry("Start", "walkthrough.py", "Walkthrough", ":material/school:"),
    PageEntry("Explore", "explore.py", "Explore", ":material/hub:"),
    PageEntry("Explore", "profile.py", "Actor profile", ":material/person:"),
    PageEntry("Explore", "weapon.py", "Weapon-system profile", ":material/rocket:"),
    PageEntry("Explore", "timeline.py", "Timeline", ":material/timeline:"),
    PageEntry("Explore", "map.py", "Map", ":material/public:"),
    PageEntry("Query", "saved_queries.py", "Saved queries", ":material/bookmarks:"),
    PageEntry("Query", "console.py", "Console", ":material/terminal:"),
    PageEntry("Data", "sources.py", "Sources", ":material/menu_book:"),
)


def available_pages(folder: Path, table: tuple[PageEntry, ...] = PAGE_TABLE
                    ) -> dict[str, list[PageEntry]]:
    """Section -> the pages of ``table`` whose file is in ``folder``, in table order."""
    sections: dict[str, list[PageEntry]] = {}
    for entry in table:
        if (folder / entry.file).is_file():
            sections.setdefault(entry.section, []).append(entry)
    return sections
