"""How dates and counts are labelled wherever the explorer shows them
(docs/reading-results.md). Pure: no database, no Streamlit.

One convention for inferred dates, used by the saved queries (in Cypher), the
profile, the timeline and the CLI: the date followed by `` (year inferred)``
when the source did not print the year (``EVIDENCED_BY.as_of_inferred``,
``Event.date_inferred``, ``Source.published_inferred``).
"""

from __future__ import annotations

from typing import Any

INFERRED_SUFFIX = " (year inferred)"
INFERRED_NOTE = ("A date marked “(year inferred)” was printed without its year by the source; "
                 "the year was worked out from the context.")


def inferred_mark(date: Any, inferred: Any) -> str:
    """``date`` as text, marked when its year was inferred; "" for no date."""
    if date is None or date == "":
        return ""
    return f"{date}{INFERRED_SUFFIX}" if inferred else str(date)


def year_span(first: int | None, last: int | None) -> str:
    """``1995–2024``, ``2024`` for one year, "" when unknown."""
    if first is None and last is None:
        return ""
    if first is None or last is None or first == last:
        return str(first if first is not None else last)
    return f"{first}–{last}"
