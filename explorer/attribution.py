"""A result's sources, computed from the rows it returned, and the lines they require.

The rule (docs/attribution.md): a result credits the Sources behind what its
rows show, and only those:

- the Sources returned directly (``Source`` nodes anywhere in the rows);
- the Sources the Transfers and Events it shows are ``EVIDENCED_BY`` — shown as
  nodes, as ends of relationships, in paths, or by id in an id column
  (``transfer``, ``record``, ``claim``, ``event``, ``item``, ``*_transfer`` ...);
- the reference Sources behind Actor, Place, WeaponClass and WeaponSystem
  nodes returned whole (their aliases, classes, coordinates, ranges);
- for a derived ``TRANSFERS_TO`` relationship, the Sources of the transfers it
  sums (every Transfer from its start to its end);
- for an aggregate row, the Source ids its query lists in a ``source_ids``
  column (the saved-query convention for rankings and sums).

A row that shows none of these has sources this module cannot determine; the
result then says so instead of crediting every source in the graph. SIPRI's
attribution line goes with a result exactly when a SIPRI Source is among its
sources, as SIPRI's terms require wherever its data is shown.

``evidence_in`` and ``attribute`` are pure; ``result_attribution`` adds the one
read query (``SOURCES_OF``) that looks the evidence up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from explorer.db import Database
from explorer.graph import SIPRI_ATTRIBUTION, TRANSFER_EDGE_TYPE, GraphData
from explorer.runner import run_read

__all__ = [
    "SIPRI_ATTRIBUTION",
    "SOURCE_FIELDS",
    "SOURCE_IDS_COLUMN",
    "Attribution",
    "RowEvidence",
    "attribute",
    "attribution_lines",
    "evidence_in",
    "evidence_keys",
    "is_id_column",
    "is_sipri",
    "lookup_sources",
    "result_attribution",
    "source_entry",
    "source_lines",
]

SOURCE_FIELDS = ("id", "title", "kind", "publisher", "published", "generated", "url",
                 "attribution")
# The column a saved query returns when its rows are aggregates (rankings, sums):
# per row, the ids of the Sources its figures come from.
SOURCE_IDS_COLUMN = "source_ids"
# Columns whose text values are Transfer or Event ids in the saved queries.
_ID_COLUMNS = frozenset({"transfer", "transfers", "transfer_id", "transfer_ids", "record",
                         "records", "claim", "claims", "event", "events", "event_id",
                         "event_ids", "item", "items", "source_id"})
_ID_SUFFIXES = ("_transfer", "_transfers", "_record", "_records", "_claim", "_claims",
                "_event", "_events")
_EVIDENCE_LABELS = frozenset({"Transfer", "Event"})
_REFERENCE_LABELS = frozenset({"Actor", "Place", "WeaponClass", "WeaponSystem"})


def is_id_column(name: str) -> bool:
    """Whether a column's values are read as Transfer, Event or Source ids."""
    key = str(name).lower()
    return key in _ID_COLUMNS or key.endswith(_ID_SUFFIXES)


def source_entry(props: Mapping[str, Any]) -> dict[str, Any]:
    """A Source's properties cut to the fields a provenance entry carries."""
    return {key: props.get(key) for key in SOURCE_FIELDS}


def is_sipri(source: Mapping[str, Any]) -> bool:
    """A SIPRI Source: one whose attribution is SIPRI's, or one SIPRI publishes."""
    attribution = str(source.get("attribution") or "")
    return "SIPRI" in attribution or str(source.get("publisher") or "").strip() == "SIPRI"


# --------------------------------------------------------------------------- finding


@dataclass(frozen=True)
class RowEvidence:
    """What one row shows that carries evidence, as lookup keys.

    Keys are ``("id", text)`` for an id in an id column, ``("node", element_id)``
    for a Transfer, Event or reference node, ``("end", element_id)`` for a
    relationship's end (counted when it is a Transfer or Event), ``("pair",
    "start>end")`` for a ``TRANSFERS_TO`` relationship and ``("source", id)`` for
    an entry of a ``source_ids`` column. ``sources`` holds Source nodes found
    in place, by id.
    """

    keys: frozenset[tuple[str, str]] = frozenset()
    sources: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.keys and not self.sources


def _is_node(value: Mapping[str, Any]) -> bool:
    return isinstance(value.get("labels"), list) and isinstance(value.get("properties"),
                                                                 Mapping)


def _is_relationship(value: Mapping[str, Any]) -> bool:
    return "type" in value and "start" in value and "end" in value and \
        isinstance(value.get("properties"), Mapping)


def _is_path(value: Mapping[str, Any]) -> bool:
    return isinstance(value.get("nodes"), list) and isinstance(value.get("relationships"), list)


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str) and v]
    return []


def _scan(value: Any, keys: set[tuple[str, str]], sources: dict[str, dict[str, Any]]) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, Mapping):
            if _is_path(item):
                stack.extend(item["nodes"])
                stack.extend(item["relationships"])
            elif _is_node(item):
                labels = set(item["labels"])
                props = item["properties"]
                if "Source" in labels:
                    key = str(props.get("id") or item.get("id"))
                    sources[key] = source_entry(props)
                elif labels & (_EVIDENCE_LABELS | _REFERENCE_LABELS) and item.get("id"):
                    keys.add(("node", str(item["id"])))
            elif _is_relationship(item):
                props = item["properties"]
                if item["type"] == "TRANSFERS_TO" and item["start"] and item["end"]:
                    keys.add(("pair", f"{item['start']}>{item['end']}"))
                elif item["type"] == TRANSFER_EDGE_TYPE:
                    # A drawn arrow folds transfers; it names them.
                    keys.update(("id", t) for t in _texts(props.get("transfer_ids")))
                else:
                    keys.update(("end", str(e)) for e in (item["start"], item["end"]) if e)
            else:
                stack.extend(item.values())


def evidence_in(rows: Sequence[Mapping[str, Any]] | GraphData) -> list[RowEvidence]:
    """Per row (or, for a drawing, one entry for the whole graph), what it shows
    that carries evidence. Pure: no lookups."""
    if isinstance(rows, GraphData):
        rows = [{"nodes": list(rows.nodes), "edges": list(rows.edges)}]
    found: list[RowEvidence] = []
    for row in rows:
        keys: set[tuple[str, str]] = set()
        sources: dict[str, dict[str, Any]] = {}
        for column, value in row.items():
            if str(column).lower() == SOURCE_IDS_COLUMN:
                keys.update(("source", text) for text in _texts(value))
            elif is_id_column(str(column)):
                keys.update(("id", text) for text in _texts(value))
            _scan(value, keys, sources)
        found.append(RowEvidence(frozenset(keys), sources))
    return found


# --------------------------------------------------------------------------- deciding


@dataclass(frozen=True)
class Attribution:
    """A result's sources: ``sources`` (provenance entries, SIPRI first, then by
    kind and title), ``lines`` (the attribution lines to show with it) and
    ``note`` (None when every row's sources were determined, else why not)."""

    sources: tuple[dict[str, Any], ...]
    lines: tuple[str, ...]
    note: str | None = None
    rows: int = 0
    undetermined_rows: int = 0

    @property
    def determined(self) -> bool:
        return self.note is None

    @property
    def source_ids(self) -> list[str]:
        return [str(s.get("id")) for s in self.sources]

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: ``sources``, ``attribution`` (lines), ``sources_note``."""
        return {"sources": [dict(s) for s in self.sources], "attribution": list(self.lines),
                "sources_note": self.note}


NOT_DETERMINED = ("sources: not determined from these rows — they show no transfer, event "
                  "or source id (a saved query can return a source_ids column; see "
                  "docs/attribution.md)")


def attribute(
    evidence: Sequence[RowEvidence],
    resolved: Mapping[tuple[str, str], Iterable[str]],
    known: Mapping[str, Mapping[str, Any]],
) -> Attribution:
    """Combine per-row evidence with what the lookup resolved: ``resolved`` maps a
    key to the ids of its Sources, ``known`` a Source id to its properties."""
    chosen: dict[str, dict[str, Any]] = {}
    undetermined = 0
    for row in evidence:
        hit = False
        for source_id, props in row.sources.items():
            chosen[source_id] = dict(props)
            hit = True
        for key in row.keys:
            for source_id in resolved.get(key, ()):
                if source_id in known:
                    chosen[source_id] = source_entry(known[source_id])
                    hit = True
        if not hit:
            undetermined += 1
    ordered = sorted(chosen.values(), key=lambda s: (not is_sipri(s), str(s.get("kind")),
                                                     str(s.get("title")), str(s.get("id"))))
    note = None
    if undetermined and undetermined == len(evidence):
        note = NOT_DETERMINED
    elif undetermined:
        note = (f"sources: determined for {len(evidence) - undetermined:,} of "
                f"{len(evidence):,} rows only — the other rows show no transfer, event or "
                "source id (see docs/attribution.md)")
    return Attribution(tuple(ordered), tuple(attribution_lines(ordered)), note,
                       len(evidence), undetermined)


def attribution_lines(sources: Iterable[Mapping[str, Any]]) -> list[str]:
    """SIPRI's line when a SIPRI Source is among ``sources``, then each other
    source's own attribution text, once each."""
    sources = list(sources)
    lines = [SIPRI_ATTRIBUTION] if any(is_sipri(s) for s in sources) else []
    for source in sources:
        text = str(source.get("attribution") or "").strip()
        if text and text not in lines and not is_sipri(source):
            lines.append(text)
    return lines


def source_lines(sources: Iterable[Mapping[str, Any]]) -> list[str]:
    """One ``source: title (generated|published date) url`` line per source."""
    lines = []
    for source in sources:
        when = source.get("generated") or source.get("published")
        text = f"source: {source.get('title') or source.get('id') or 'untitled'}"
        if when:
            text += f" ({'generated' if source.get('generated') else 'published'} {when})"
        if source.get("url"):
            text += f" {source['url']}"
        lines.append(text)
    return lines


# --------------------------------------------------------------------------- looking up

# Every kind of key in one read query; one row back: which key led to which
# Source ids ([kind, key, source id] triples), and the Sources themselves.
# `id IN $list` and `elementId(x) IN $list` are index and id seeks.
SOURCES_OF = """
CALL () {
  MATCH (x:Transfer) WHERE x.id IN $ids
  MATCH (x)-[:EVIDENCED_BY]->(s:Source)
  RETURN 'id' AS kind, x.id AS key, s
  UNION
  MATCH (x:Event) WHERE x.id IN $ids
  MATCH (x)-[:EVIDENCED_BY]->(s:Source)
  RETURN 'id' AS kind, x.id AS key, s
  UNION
  MATCH (s:Source) WHERE s.id IN $ids
  RETURN 'id' AS kind, s.id AS key, s
  UNION
  MATCH (s:Source) WHERE s.id IN $source_ids
  RETURN 'source' AS kind, s.id AS key, s
  UNION
  MATCH (x) WHERE elementId(x) IN $nodes
  MATCH (x)-[:EVIDENCED_BY]->(s:Source)
  RETURN 'node' AS kind, elementId(x) AS key, s
  UNION
  MATCH (x) WHERE elementId(x) IN $ends AND (x:Transfer OR x:Event)
  MATCH (x)-[:EVIDENCED_BY]->(s:Source)
  RETURN 'end' AS kind, elementId(x) AS key, s
  UNION
  UNWIND $pairs AS pair
  MATCH (a:Actor) WHERE elementId(a) = pair[0]
  MATCH (b:Actor) WHERE elementId(b) = pair[1]
  MATCH (a)-[:SUPPLIED]->(t:Transfer)-[:TO]->(b)
  MATCH (t)-[:EVIDENCED_BY]->(s:Source)
  RETURN DISTINCT 'pair' AS kind, pair[0] + '>' + pair[1] AS key, s
}
WITH kind, key, s
WITH collect([kind, key, s.id]) AS links, collect(DISTINCT s) AS found
RETURN links,
       [s IN found | s {.id, .title, .kind, .publisher, .published, .generated, .url,
                        .attribution}] AS sources
"""


Resolved = dict[tuple[str, str], list[str]]


def evidence_keys(evidence: Sequence[RowEvidence]) -> tuple[tuple[str, str], ...]:
    """Every lookup key of a result, sorted (hashable: a cache key)."""
    return tuple(sorted(set().union(*(row.keys for row in evidence)))) if evidence else ()


def lookup_sources(db: Database, keys: Iterable[tuple[str, str]]
                   ) -> tuple[Resolved, dict[str, dict[str, Any]]]:
    """Run ``SOURCES_OF`` for ``keys``: which key leads to which Source ids, and
    those Sources' provenance entries by id."""
    by_kind: dict[str, list[str]] = {"id": [], "node": [], "end": [], "pair": [],
                                     "source": []}
    for kind, key in keys:
        by_kind[kind].append(key)
    if not any(by_kind.values()):
        return {}, {}
    params = {"ids": by_kind["id"], "source_ids": by_kind["source"],
              "nodes": by_kind["node"], "ends": by_kind["end"],
              "pairs": [key.split(">", 1) for key in by_kind["pair"]]}
    row = run_read(db, SOURCES_OF, params, label="attribution").rows[0]
    resolved: Resolved = {}
    for kind, key, source_id in row["links"]:
        resolved.setdefault((kind, key), []).append(source_id)
    return resolved, {str(s["id"]): source_entry(s) for s in row["sources"]}


def result_attribution(db: Database, rows: Sequence[Mapping[str, Any]] | GraphData
                       ) -> Attribution:
    """The sources of a result (its rows, or what a drawing shows), looked up in one
    read query; rows that show nothing traceable are counted in the note."""
    evidence = evidence_in(rows)
    resolved, known = lookup_sources(db, evidence_keys(evidence))
    return attribute(evidence, resolved, known)
