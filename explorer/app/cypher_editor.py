"""A Cypher editor widget: highlighting, completion of the graph's own names, and
the server's errors marked at their line and column.

It wraps streamlit-code-editor (react-ace), whose wheel carries the whole Ace
build — modes, themes, the completion popup — served by Streamlit from the
package folder, so nothing is fetched at run time. Ace has no Cypher mode;
``ACE_MODE`` is the closest it ships (docs/dashboard.md, "Console"). The
component's own "streamlit" themes @import a web font from Google, so the
editor uses Ace's ``chrome`` theme (also in the wheel) instead.

The console uses it; a page that saves queries can too: give it the text, a key,
the completion list from ``completion_items`` and the last error, and read back
an ``EditorEvent`` (the text and whether the analyst pressed Run/Ctrl+Enter).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st
from code_editor import code_editor

from explorer.app import cached
from explorer.app.links import escape_md
from explorer.db import Database
from explorer.errors import ExplorerError, LocatedQueryError

__all__ = [
    "ACE_MODE",
    "CYPHER_KEYWORDS",
    "EditorEvent",
    "completion_items",
    "cypher_editor",
    "error_marks",
    "graph_completions",
]

# Ace ships no Cypher mode. AQL (ArangoDB's graph query language) is the nearest:
# `//` and `/* */` comments, '...' and "..." strings, numbers, and many shared
# keywords (RETURN, WITH, LIMIT, IN, AND, OR, NOT, DISTINCT, ASC, DESC, REMOVE).
# SQL mode would read `//` comments as operators and colour the words inside them.
ACE_MODE = "aql"
ACE_THEME = "chrome"

# Offered as completions beside the graph's names (Ace's AQL mode knows only some).
CYPHER_KEYWORDS = (
    "MATCH", "OPTIONAL MATCH", "WHERE", "RETURN", "WITH", "UNWIND", "ORDER BY", "SKIP",
    "LIMIT", "DISTINCT", "AS", "AND", "OR", "XOR", "NOT", "IN", "IS NULL", "IS NOT NULL",
    "CONTAINS", "STARTS WITH", "ENDS WITH", "CASE", "WHEN", "THEN", "ELSE", "END", "UNION",
    "CALL", "YIELD", "EXISTS", "COUNT", "COLLECT", "SHOW INDEXES", "EXPLAIN", "PROFILE",
    "count", "collect", "coalesce", "size", "toLower", "toUpper", "toString", "elementId",
    "labels", "type", "properties", "nodes", "relationships", "startNode", "endNode",
    "sum", "min", "max", "avg", "head", "last", "range", "reduce", "any", "all", "none",
)

# Higher scores sort first in Ace's popup: the graph's own names before keywords.
_KINDS = (
    ("labels", "label", 900),
    ("relationship_types", "relationship type", 800),
    ("property_keys", "property key", 700),
)
_PARAMETER_SCORE = 850
_KEYWORD_SCORE = 100
_MARKER_CLASS = "cypher-error-marker"
_CSS = (f".{_MARKER_CLASS} {{ position: absolute; background: rgba(217, 48, 37, 0.18); "
        "border-bottom: 2px solid #d93025; }")


@dataclass(frozen=True)
class EditorEvent:
    """What the editor sent back: the text, and whether this run is its submit
    (the Run button or Ctrl+Enter), reported once per press."""

    text: str
    submitted: bool


def completion_items(names: Mapping[str, Iterable[str]],
                     parameters: Iterable[str] = (),
                     keywords: Iterable[str] = CYPHER_KEYWORDS) -> list[dict[str, Any]]:
    """Ace completion entries: the graph's labels, relationship types and property
    keys (``names`` as ``Database.schema_names`` gives them), ``$parameters``, then
    Cypher keywords. Each is ``{"caption", "value", "meta", "score"}``; a name is
    offered once, under its first kind."""
    items: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(value: str, meta: str, score: int) -> None:
        if value and value not in seen:
            seen.add(value)
            items.append({"caption": value, "value": value, "meta": meta, "score": score})

    for kind, meta, score in _KINDS:
        for name in sorted(names.get(kind, ())):
            add(name, meta, score)
    for name in sorted(set(parameters)):
        add(f"${name}", "parameter", _PARAMETER_SCORE)
    for word in keywords:
        add(word, "keyword", _KEYWORD_SCORE)
    return items


@st.cache_data(ttl=cached.CACHE_TTL_S, show_spinner=False, max_entries=4)
def _schema_names(_db: Database, uri: str, database: str) -> dict[str, list[str]]:
    return _db.schema_names()


def graph_completions(db: Database) -> list[dict[str, Any]]:
    """The completion list for ``db``: its labels, relationship types and property
    keys (asked of the server, cached for a minute), the saved queries' parameter
    names, and keywords. When the server cannot say, a warning names why and the
    list holds the rest."""
    try:
        names: Mapping[str, Iterable[str]] = _schema_names(db, db.uri, db.database)
    except ExplorerError as error:
        st.warning("The editor cannot offer the graph's labels, types and keys: "
                   f"{escape_md(str(error))}",
                   icon=":material/warning:")
        names = {}
    try:
        parameters = {p.name for query in cached.cached_catalogue().values() for p in query.params}
    except ExplorerError as error:
        st.warning("The editor cannot offer the saved queries' parameters: "
                   f"{escape_md(str(error))}",
                   icon=":material/warning:")
        parameters = set()
    return completion_items(names, parameters)


def error_marks(text: str, error: LocatedQueryError | None) -> dict[str, Any]:
    """Ace ``annotations`` (a gutter icon with the sentence) and ``markers`` (the
    word at the error's column, shaded) for ``error``; empty without a position."""
    if error is None or error.line is None or error.column is None:
        return {"annotations": [], "markers": []}
    lines = text.split("\n")
    row = min(max(error.line - 1, 0), max(len(lines) - 1, 0))
    line = lines[row] if lines else ""
    start = min(max(error.column - 1, 0), len(line))
    end = start
    while end < len(line) and (line[end].isalnum() or line[end] in "_$"):
        end += 1
    end = max(end, start + 1)
    return {
        "annotations": [{"row": row, "column": start, "text": str(error), "type": "error"}],
        "markers": [{"startRow": row, "startCol": start, "endRow": row, "endCol": end,
                     "className": _MARKER_CLASS, "type": "text"}],
    }


def cypher_editor(text: str, *, key: str, completions: list[dict[str, Any]],
                  error: LocatedQueryError | None = None, min_lines: int = 10,
                  max_lines: int = 20) -> EditorEvent:
    """Show the editor holding ``text`` (its first value: to load other text, change
    ``key``) and return what it sent back. ``error`` is marked where it points."""
    response = code_editor(
        text,
        lang=ACE_MODE,
        height=[min_lines, max_lines],
        completions=completions,
        # Drops Ace's keyword completer, which would offer AQL's words (starts_with,
        # FILTER); ours offers Cypher's. Words already in the text stay offered.
        replace_completer=True,
        buttons=[{
            "name": "Run", "feather": "Play", "primary": True, "hasText": True,
            "alwaysOn": True, "showWithIcon": True, "commands": ["submit"],
            "style": {"bottom": "0.45rem", "right": "0.45rem"},
        }],
        options={"showLineNumbers": True, "wrap": True,
                 "fontFamily": "ui-monospace, 'DejaVu Sans Mono', monospace"},
        # No scroll margin: with the component's default (15 px at the top) Ace
        # drew the line numbers a row below their lines once the page reran.
        props={"theme": ACE_THEME, "scrollMargin": [0, 0, 0, 0], **error_marks(text, error)},
        component_props={"css": _CSS},
        response_mode="blur",
        key=key,
    )
    handled_key = f"{key}__handled"
    sent_text = response.get("text") or ""
    submitted = response.get("type") == "submit" and \
        response.get("id") != st.session_state.get(handled_key)
    if submitted:
        st.session_state[handled_key] = response.get("id")
    return EditorEvent(sent_text if response.get("id") else text, submitted)
