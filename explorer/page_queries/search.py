"""Search the graph: names, aliases, titles, descriptions, SIPRI comments and the
sentences sources say things in (the ``quote`` on ``EVIDENCED_BY``).

Two full-text indexes of ``cypher/schema.cypher`` do the matching: ``text_search``
over nodes and ``quote_search`` over ``EVIDENCED_BY`` relationships. The user's
text never reaches Lucene as syntax: it is split into words, each word escaped,
and the words are searched as a phrase (ranked first) or all together (the last
one as a prefix, so "Zapor" finds Zaporizhzhia). Each hit says what it is, which
text matched, and where it leads (:class:`Target`), so the dashboard can link it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import neo4j

from explorer.db import Database
from explorer.errors import ParameterError

DEFAULT_LIMIT = 20
MAX_LIMIT = 200
SNIPPET_CHARS = 110

# Lucene's query syntax characters (and the two-character operators && and ||,
# covered by & and |): escaped with a backslash so they are searched as text.
_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
# A word as the index's analyser (Lucene's standard tokenizer) splits text:
# "Geran-2" is "geran" and "2", "900 km" is "900" and "km".
_WORD = re.compile(r"\w+", re.UNICODE)

# Which page a hit opens. The dashboard maps these to its page files.
ACTOR_PAGE = "actor"
WEAPON_PAGE = "weapon"
SOURCES_PAGE = "sources"
TIMELINE_PAGE = "timeline"
MAP_PAGE = "map"

# Label -> the kind a hit shows, in the order a node's labels are tried.
KINDS = (
    ("Actor", "actor"),
    ("WeaponSystem", "weapon system"),
    ("WeaponClass", "weapon class"),
    ("Place", "place"),
    ("Event", "event"),
    ("Source", "source"),
    ("Transfer", "transfer"),
)
QUOTE_KIND = "quote"

# Properties a node hit can have matched on, in the order the snippet prefers them.
_NODE_FIELDS = ("name", "aliases", "title", "description", "comments")
_QUOTE_FIELDS = ("quote", "note", "attributed_to")


@dataclass(frozen=True)
class Target:
    """Where a hit leads: a page (one of the *_PAGE names) and its query parameters."""

    page: str
    params: Mapping[str, str] = field(default_factory=dict)
    label: str = ""


@dataclass(frozen=True)
class Hit:
    kind: str            # actor, weapon system, ..., or "quote"
    id: str              # the node's id (for a quote: the id of the thing it evidences)
    name: str            # what to call it
    snippet: str         # the matching text, shortened around the first matched word
    field: str           # the property that matched: name, aliases, quote, ...
    target: Target | None
    score: float
    source: str | None = None   # for a quote: the source's title
    about: str | None = None    # for a quote: the kind of thing it evidences


class EmptySearch(ParameterError):
    """The search text has no word to look for."""


# --------------------------------------------------------------------------- pure parts


def escape_lucene(text: str) -> str:
    """``text`` with every Lucene syntax character backslash-escaped."""
    return _LUCENE_SPECIAL.sub(r"\\\1", text)


def search_words(text: str | None) -> list[str]:
    """The words of ``text`` as the index splits them, lower-cased (so that a typed
    AND, OR or NOT is a word, not an operator)."""
    return [word.lower() for word in _WORD.findall(text or "")]


def lucene_query(text: str | None) -> str:
    """The Lucene query for the user's ``text``: the words as a phrase (boosted) or all
    of them, the last as a prefix. Raises :class:`EmptySearch` when there is no word."""
    words = search_words(text)
    if not words:
        shown = (text or "").strip()
        raise EmptySearch(
            "type a name, alias or words from a quote to search for"
            + (f" — “{shown}” has no letters or digits" if shown else "")
        )
    escaped = [escape_lucene(word) for word in words]
    every = " AND ".join([*escaped[:-1], escaped[-1] + "*"])
    if len(escaped) == 1:
        return f"{escaped[0]}^4 OR {every}"
    return f'"{" ".join(escaped)}"^4 OR ({every})'


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def snippet(text: str, words: Sequence[str], width: int = SNIPPET_CHARS) -> str:
    """``text`` cut to about ``width`` characters around the first of ``words`` it holds."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    folded = _fold(text)
    positions = [folded.find(_fold(w)) for w in words]
    found = [p for p in positions if p >= 0]
    at = min(found) if found else 0
    start = max(0, min(at - width // 3, len(text) - width))
    end = start + width
    # Cut at word boundaries, so the snippet starts and ends with whole words.
    if start > 0 and text[start - 1] != " ":
        space = text.find(" ", start, at if at > start else end)
        start = space + 1 if space >= 0 else start
    if end < len(text) and text[end] != " ":
        space = text.rfind(" ", max(start, at), end)
        end = space if space > start else end
    return ("…" if start > 0 else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def matched_field(props: Mapping[str, Any], fields: Sequence[str], words: Sequence[str]
                  ) -> tuple[str, str]:
    """(property, text) of the first of ``fields`` holding a searched word (as a
    prefix of one of its words), else the first non-empty one."""
    first: tuple[str, str] | None = None
    wanted = [_fold(w) for w in words]
    for name in fields:
        value = props.get(name)
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            if not isinstance(text, str) or not text.strip():
                continue
            first = first or (name, text)
            text_words = [_fold(w) for w in _WORD.findall(text)]
            if any(tw.startswith(w) for w in wanted for tw in text_words):
                return name, text
    return first or ("", "")


def node_kind(labels: Sequence[str]) -> str:
    for label, kind in KINDS:
        if label in labels:
            return kind
    return "node"


def node_name(kind: str, props: Mapping[str, Any], row: Mapping[str, Any] | None = None
              ) -> str:
    """What to call a hit's node; a transfer by its flow: "Iran → Russia: Shahed-136"."""
    if kind == "transfer" and row is not None and row.get("supplier"):
        what = row.get("system") or props.get("description") or "?"
        record = " (SIPRI deal)" if props.get("origin") == "sipri" else ""
        return f"{row['supplier']} → {row.get('recipient') or '?'}: {what}{record}"
    return str(props.get("name") or props.get("title") or props.get("description")
               or props.get("id"))


def tier(hit: Hit, origin: Any) -> int:
    """Hits on a name, alias or title first; then descriptions and the sources'
    sentences; SIPRI's per-deal records (tens of thousands, each naming its
    countries and system) last, so they never bury the thing itself."""
    if origin == "sipri":
        return 2
    if hit.kind != QUOTE_KIND and hit.field in ("name", "aliases", "title"):
        return 0
    return 1


def target_for(kind: str, props: Mapping[str, Any], system_id: str | None = None
               ) -> Target | None:
    """Where a node of ``kind`` opens: an actor its profile, a weapon system its profile,
    a source the Sources page, an event the Timeline, a place the Map, a transfer the
    profile of the system it moved (which lists its deal or claim)."""
    node_id = str(props.get("id", ""))
    if kind == "actor":
        return Target(ACTOR_PAGE, {"actor": node_id}, "Actor profile")
    if kind == "weapon system":
        return Target(WEAPON_PAGE, {"system": node_id}, "Weapon-system profile")
    if kind == "source":
        return Target(SOURCES_PAGE, {"source": node_id}, "Sources")
    if kind == "event":
        return Target(TIMELINE_PAGE, {"event": node_id}, "Timeline")
    if kind == "place":
        return Target(MAP_PAGE, {"place": node_id}, "Map")
    if kind == "transfer" and system_id:
        return Target(WEAPON_PAGE, {"system": system_id}, "Weapon-system profile")
    return None


# --------------------------------------------------------------------------- queries

# A transfer has no name of its own: it is named by its flow and system.
_NODES = """
CALL db.index.fulltext.queryNodes('text_search', $lucene, {limit: $limit})
YIELD node, score
OPTIONAL MATCH (s:Actor)-[:SUPPLIED]->(node:Transfer)-[:TO]->(r:Actor)
OPTIONAL MATCH (node:Transfer)-[:OF]->(w:WeaponSystem)
RETURN labels(node) AS labels, properties(node) AS props, score, w.id AS system_id,
       s.name AS supplier, r.name AS recipient, w.name AS system
ORDER BY score DESC
"""

# A quote leads to the thing it evidences (the relationship's start node).
_QUOTES = """
CALL db.index.fulltext.queryRelationships('quote_search', $lucene, {limit: $limit})
YIELD relationship AS r, score
WITH r, score, startNode(r) AS about, endNode(r) AS source
OPTIONAL MATCH (s:Actor)-[:SUPPLIED]->(about:Transfer)-[:TO]->(rc:Actor)
OPTIONAL MATCH (about:Transfer)-[:OF]->(w:WeaponSystem)
RETURN labels(about) AS labels, properties(about) AS props, properties(r) AS quote,
       source.title AS source, score, w.id AS system_id,
       s.name AS supplier, rc.name AS recipient, w.name AS system
ORDER BY score DESC
"""


CANDIDATES_PER_HIT = 10
MAX_CANDIDATES = 1000


def _run(tx: neo4j.ManagedTransaction, lucene: str, limit: int
         ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    nodes = [r.data() for r in tx.run(_NODES, lucene=lucene, limit=limit)]
    quotes = [r.data() for r in tx.run(_QUOTES, lucene=lucene, limit=limit)]
    return nodes, quotes


def search(db: Database, text: str | None, limit: int = DEFAULT_LIMIT) -> list[Hit]:
    """The best ``limit`` hits for ``text`` over names, aliases, titles, descriptions,
    comments and quotes, best first. Raises :class:`EmptySearch` for a text with no
    word in it."""
    lucene = lucene_query(text)
    limit = max(1, min(int(limit), MAX_LIMIT))
    # The index ranks by text score alone, and SIPRI's ~30k deal comments can outscore
    # the thing itself: fetch a wide pool, then rank it (rank_hits) and cut.
    pool = min(limit * CANDIDATES_PER_HIT, MAX_CANDIDATES)
    nodes, quotes = db.read(lambda tx: _run(tx, lucene, pool), label="search")
    return rank_hits(nodes, quotes, search_words(text), limit)


def rank_hits(nodes: Sequence[Mapping[str, Any]], quotes: Sequence[Mapping[str, Any]],
              words: Sequence[str], limit: int) -> list[Hit]:
    """Rows of the two index queries as hits, best score first, one per (kind, id,
    matched text)."""
    ranked: list[tuple[int, float, Hit]] = []
    for row in nodes:
        kind = node_kind(row["labels"])
        props = row["props"]
        name, text = matched_field(props, _NODE_FIELDS, words)
        hit = Hit(kind, str(props.get("id")), node_name(kind, props, row),
                  snippet(text, words), name,
                  target_for(kind, props, row.get("system_id")), float(row["score"]))
        ranked.append((tier(hit, props.get("origin")), -hit.score, hit))
    for row in quotes:
        about = node_kind(row["labels"])
        props = row["props"]
        name, text = matched_field(row["quote"], _QUOTE_FIELDS, words)
        hit = Hit(QUOTE_KIND, str(props.get("id")), node_name(about, props, row),
                  snippet(text, words), name,
                  target_for(about, props, row.get("system_id")), float(row["score"]),
                  source=row.get("source"), about=about)
        ranked.append((tier(hit, props.get("origin")), -hit.score, hit))
    ranked.sort(key=lambda item: (item[0], item[1]))
    hits = [hit for _, _, hit in ranked]
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for hit in hits:
        key = (hit.kind, hit.id, hit.snippet)
        if key not in seen:
            seen.add(key)
            unique.append(hit)
    return unique[:limit]
