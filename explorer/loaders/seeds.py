"""Read and validate the curated seed YAML into a ``SeedBundle`` (pure: no database).

A seed file is a YAML mapping of sections, each a list of records::

    transfers:
      - id: t-kp-ru-ballistic-missiles
        supplier: North Korea          # an id or any name/alias
        recipient: russia
        systems: [ws-kp-ballistic-missile]
        status: delivered
        evidence:
          - source: src-article-north-korea-role-ukraine
            quote: "On April 4, the White House announced ..."
            as_of: {value: 2024-04-04, inferred: true}
            confidence: assessed

``load_seed_bundle`` checks everything before returning, and raises one
``ValidationError`` listing every problem (file, line, record, field, and a
suggestion where one is obvious), so a user fixes a file in one pass.
``SeedBundle.rows()`` turns the bundle into plain row lists following
docs/graph-model.md for the batched writer; ``SeedBundle.alias_index()`` gives
the name lookups the SIPRI importers need.
"""

from __future__ import annotations

import difflib
import os
import reprlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from explorer.config import data_path
from explorer.errors import ValidationError
from explorer.model import (
    Actor,
    Citation,
    Event,
    Evidence,
    Place,
    Source,
    Transfer,
    WeaponClass,
    WeaponSystem,
)
from explorer.names import name_key

SEED_DIR = data_path("seeds")
"""The project's own seed files (a source checkout's ``seeds/``)."""

# Limits checked before a file is parsed, so that an oversized file costs
# milliseconds, not minutes and gigabytes. The project's seeds are ~10 KB and
# ~600 values per file; a hand-written file 400 times that still fits.
MAX_FILE_BYTES = 4 * 1024 * 1024
"""A seed file's size limit, checked before it is read."""
MAX_WRITTEN_VALUES = 200_000
"""Values (scalars, lists, mappings) a file may write, counted before the document is built."""
MAX_VALUES = 1_000_000
"""Values a file may expand to through YAML aliases (``*name``)."""


@dataclass(frozen=True)
class _Section:
    key: str
    what: str
    model: type[BaseModel]
    label: str


SECTIONS: tuple[_Section, ...] = (
    _Section("sources", "source", Source, "Source"),
    _Section("actors", "actor", Actor, "Actor"),
    _Section("places", "place", Place, "Place"),
    _Section("weapon_classes", "weapon class", WeaponClass, "WeaponClass"),
    _Section("weapon_systems", "weapon system", WeaponSystem, "WeaponSystem"),
    _Section("transfers", "transfer", Transfer, "Transfer"),
    _Section("events", "event", Event, "Event"),
)
_BY_KEY = {s.key: s for s in SECTIONS}

# Node properties per label, in the order of docs/graph-model.md (``id`` is the
# row's own key). A test compares these with the document.
NODE_PROPERTIES: dict[str, tuple[str, ...]] = {
    "Actor": ("name", "kind", "aliases", "aliases_text", "non_state", "description", "name_key"),
    "WeaponSystem": (
        "name", "category", "description", "aliases", "aliases_text", "generic", "range_km",
        "name_key",
    ),
    "WeaponClass": ("name", "description", "sipri_descriptions"),
    "Transfer": (
        "status", "origin", "description", "quantity", "quantity_text", "quantity_estimate",
        "order_year", "order_year_estimate", "delivery_years", "delivered_per_year",
        "quantity_delivered", "first_year", "last_year", "tiv_unit", "tiv_total",
        "tiv_delivered", "sipri_status", "local_production", "comments",
    ),
    "Event": (
        "kind", "title", "description", "date", "date_precision", "date_inferred", "date_note",
        "year",
    ),
    "Place": ("name", "kind", "lat", "lon", "aliases"),
    "Source": (
        "title", "kind", "publisher", "author", "published", "published_precision",
        "published_inferred", "url", "attribution", "generated",
    ),
}  # fmt: skip

# Relationship type -> (start label, end label). EVIDENCED_BY starts at a Transfer,
# an Event or a reference-data node: its rows carry the actual label in ``start_label``.
RELATIONSHIPS: dict[str, tuple[str, str]] = {
    "SUPPLIED": ("Actor", "Transfer"),
    "TO": ("Transfer", "Actor"),
    "OF": ("Transfer", "WeaponSystem"),
    "IS_A": ("WeaponSystem", "WeaponClass"),
    "SUBCLASS_OF": ("WeaponClass", "WeaponClass"),
    "CONDUCTED": ("Actor", "Event"),
    "TARGETED": ("Event", "Actor"),
    "USED": ("Event", "WeaponSystem"),
    "AT": ("Event", "Place"),
    "LOCATED_IN": ("Actor", "Place"),
    "EVIDENCED_BY": ("Transfer|Event|Actor|Place|WeaponClass|WeaponSystem", "Source"),
    "CITES": ("Source", "Source"),
}
EVIDENCE_PROPERTIES: tuple[str, ...] = ("quote", "as_of", "confidence", "attributed_to", "note")

Row = dict[str, Any]


# --- the bundle ------------------------------------------------------------------


@dataclass(frozen=True)
class AliasIndex:
    """Name lookups for importers: every key is ``explorer.names.name_key(text)``.

    ``actors`` / ``systems`` / ``places`` map names, aliases and ids to ids;
    ``classes_by_sipri_description`` maps a SIPRI "Description" to a class id.
    """

    actors: Mapping[str, str]
    systems: Mapping[str, str]
    places: Mapping[str, str]
    classes_by_sipri_description: Mapping[str, str]

    def actor_id(self, name: str) -> str | None:
        return self.actors.get(name_key(name))

    def system_id(self, name: str) -> str | None:
        return self.systems.get(name_key(name))

    def class_for_description(self, description: str) -> str | None:
        return self.classes_by_sipri_description.get(name_key(description))


@dataclass(frozen=True)
class SeedBundle:
    """Validated seed records, every reference resolved to an id."""

    sources: tuple[Source, ...] = ()
    actors: tuple[Actor, ...] = ()
    places: tuple[Place, ...] = ()
    weapon_classes: tuple[WeaponClass, ...] = ()
    weapon_systems: tuple[WeaponSystem, ...] = ()
    transfers: tuple[Transfer, ...] = ()
    events: tuple[Event, ...] = ()
    files: tuple[str, ...] = field(default=(), compare=False)

    def counts(self) -> dict[str, int]:
        """Number of nodes per label."""
        return {s.label: len(getattr(self, s.key)) for s in SECTIONS}

    def rows(self) -> dict[str, list[Row]]:
        """Plain rows per node label and relationship type (docs/graph-model.md).

        Node rows are ``{"id", "props"}`` for ``MERGE (n:Label {id: row.id}) SET
        n += row.props``; every contract property is present (``None`` when
        unknown, so a reload also clears a value removed from the seeds).
        Relationship rows are ``{"start", "end", "start_label", "end_label",
        "props"}``. One Transfer or Event may have several ``EVIDENCED_BY`` rows to
        the same Source with different quotes: MERGE them on ``quote``.
        """
        out: dict[str, list[Row]] = {label: [] for label in NODE_PROPERTIES}
        out.update({rel: [] for rel in RELATIONSHIPS})

        def rel(kind: str, start: str, end: str, start_label: str | None = None, **props: Any):
            default_start, end_label = RELATIONSHIPS[kind]
            out[kind].append(
                {
                    "start": start,
                    "end": end,
                    "start_label": start_label or default_start,
                    "end_label": end_label,
                    "props": props,
                }
            )

        def evidence(label: str, record_id: str, items: Iterable[Evidence]) -> None:
            for ev in items:
                rel(
                    "EVIDENCED_BY",
                    record_id,
                    ev.source,
                    start_label=label,
                    quote=ev.quote,
                    as_of=ev.as_of.value,
                    # Whether the source printed the year: the article's "April 4" did not,
                    # so every view of this date can say it was inferred.
                    as_of_precision=ev.as_of.precision,
                    as_of_inferred=ev.as_of.inferred,
                    confidence=ev.confidence,
                    attributed_to=ev.attributed_to,
                    note=ev.note,
                )

        def reference(label: str, record_id: str, items: Iterable[Citation]) -> None:
            # Reference data (aliases, classes, coordinates) keeps its source in the graph
            # too; it has no as-of date or confidence, and an empty quote when the source
            # is a gazetteer rather than a sentence.
            for c in items:
                rel("EVIDENCED_BY", record_id, c.source, start_label=label,
                    quote=c.quote or "", as_of=None, as_of_precision=None, as_of_inferred=None,
                    confidence=None, attributed_to=None, note=c.note)

        for s in self.sources:
            out["Source"].append(_node(s.id, {
                "title": s.title, "kind": s.kind, "publisher": s.publisher, "author": s.author,
                "published": s.published.value if s.published else None,
                "published_precision": s.published.precision if s.published else None,
                "published_inferred": s.published.inferred if s.published else None,
                "url": s.url, "attribution": s.attribution, "generated": s.generated,
            }))  # fmt: skip
            for cited in s.cites:
                rel("CITES", s.id, cited)
        for p in self.places:
            out["Place"].append(
                _node(p.id, {"name": p.name, "kind": p.kind, "lat": p.lat, "lon": p.lon,
                             "aliases": list(p.aliases)})
            )
            reference("Place", p.id, p.sources)
        for a in self.actors:
            out["Actor"].append(_node(a.id, {
                "name": a.name, "kind": a.kind, "aliases": list(a.aliases),
                "aliases_text": " | ".join(a.aliases), "non_state": a.non_state,
                "description": a.description, "name_key": name_key(a.name),
            }))  # fmt: skip
            if a.located_in:
                rel("LOCATED_IN", a.id, a.located_in)
            reference("Actor", a.id, a.sources)
        for c in self.weapon_classes:
            # The SIPRI descriptions a class gathers go into the graph too: a class that
            # gathers several kinds (artillery: towed guns, rocket launchers, mortars)
            # is too broad to say that two of its systems are alike.
            out["WeaponClass"].append(_node(c.id, {
                "name": c.name, "description": c.description,
                "sipri_descriptions": list(c.sipri_descriptions),
            }))
            if c.parent:
                rel("SUBCLASS_OF", c.id, c.parent)
            reference("WeaponClass", c.id, c.sources)
        for w in self.weapon_systems:
            out["WeaponSystem"].append(_node(w.id, {
                "name": w.name, "category": w.category, "description": w.description,
                "aliases": list(w.aliases), "aliases_text": " | ".join(w.aliases),
                "generic": w.generic, "range_km": w.range_km, "name_key": name_key(w.name),
            }))  # fmt: skip
            for class_id in w.classes:
                rel("IS_A", w.id, class_id)
            reference("WeaponSystem", w.id, w.sources)
        for t in self.transfers:
            first_year, last_year = t.year_span()
            out["Transfer"].append(_node(t.id, {
                "status": t.status, "origin": t.origin, "description": t.description,
                "quantity": t.quantity, "quantity_text": t.quantity_text,
                "quantity_estimate": t.quantity_estimate, "order_year": t.order_year,
                "order_year_estimate": t.order_year_estimate,
                "delivery_years": list(t.delivery_years),
                "delivered_per_year": list(t.delivered_per_year),
                "quantity_delivered": t.quantity_delivered, "first_year": first_year,
                "last_year": last_year, "tiv_unit": t.tiv_unit, "tiv_total": t.tiv_total,
                "tiv_delivered": t.tiv_delivered, "sipri_status": t.sipri_status,
                "local_production": t.local_production, "comments": t.comments,
            }))  # fmt: skip
            rel("SUPPLIED", t.supplier, t.id)
            rel("TO", t.id, t.recipient)
            for system_id in t.systems:
                rel("OF", t.id, system_id)
            evidence("Transfer", t.id, t.evidence)
        for e in self.events:
            out["Event"].append(_node(e.id, {
                "kind": e.kind, "title": e.title, "description": e.description,
                "date": e.date.value, "date_precision": e.date.precision,
                "date_inferred": e.date.inferred, "date_note": e.date.note, "year": e.date.year,
            }))  # fmt: skip
            for actor_id in e.conducted_by:
                rel("CONDUCTED", actor_id, e.id)
            for actor_id in e.targeted:
                rel("TARGETED", e.id, actor_id)
            for system_id in e.used:
                rel("USED", e.id, system_id)
            if e.place:
                rel("AT", e.id, e.place)
            evidence("Event", e.id, e.evidence)
        return out

    def alias_index(self) -> AliasIndex:
        """Names, aliases and ids -> ids, and SIPRI descriptions -> class ids."""

        def index(records: Iterable[Actor | WeaponSystem | Place]) -> dict[str, str]:
            keys: dict[str, str] = {}
            for r in records:
                # Ids rank below names so that an id never shadows a real name.
                for key in [name_key(r.name), *(name_key(a) for a in r.aliases)]:
                    keys.setdefault(key, r.id)
            for r in records:
                keys.setdefault(name_key(r.id), r.id)
            return keys

        return AliasIndex(
            actors=index(self.actors),
            systems=index(self.weapon_systems),
            places=index(self.places),
            classes_by_sipri_description={
                name_key(d): c.id for c in self.weapon_classes for d in c.sipri_descriptions
            },
        )


def _node(node_id: str, props: dict[str, Any]) -> Row:
    return {"id": node_id, "props": props}


# --- YAML ------------------------------------------------------------------------


class _LineDict(dict):
    """A YAML mapping that remembers the line it started on, for messages."""

    line: int | None = None


# libyaml's parser is ~20x faster than the pure-Python one on large files; the
# constructor and resolver (where the behaviour below lives) are Python in both.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SeedLoader(_BaseLoader):
    """SafeLoader that keeps dates as strings, reports duplicate keys and records lines."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        # (key, line of the repeat, line of the first, the mapping holding them)
        self.duplicate_keys: list[tuple[str, int, int, dict[Any, Any]]] = []


# Unquoted 2024-03-30 must stay the printed string: PyYAML would turn it into a
# date, and an impossible 2024-02-30 into a crash instead of a message.
_SeedLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_map(loader: _SeedLoader, node: yaml.MappingNode) -> Iterator[_LineDict]:
    data = _LineDict()
    data.line = node.start_mark.line + 1
    yield data
    first_line: dict[str, int] = {}
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            line = key_node.start_mark.line + 1
            if key_node.value in first_line:
                loader.duplicate_keys.append(
                    (key_node.value, line, first_line[key_node.value], data)
                )
            first_line.setdefault(key_node.value, line)
    data.update(loader.construct_mapping(node))


_SeedLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return " — put quotes around a value that contains ': '"
    if "'\\t'" in problem or "tab" in problem:
        return " — indent with spaces, not tabs"
    if "expected <block end>" in problem or "expected ',' or" in problem:
        return " — check the indentation and brackets of this and the previous line"
    return ""


_OPEN = -1  # an anchored list or mapping whose end has not been read yet


def _check_counts(text: str) -> tuple[int | None, str] | None:
    """Refuse a file that writes too many values, or that YAML aliases make huge
    ("billion laughs") or self-containing — from the parser's events, before the
    document is built.

    Returns ``(line or None, problem)``, or None when the file is within the
    limits. Counts are per anchor, so the work is linear in the file, not in
    the expansion. A syntax error ends the count early: the full parse reports it.
    """
    written = 0
    anchors: dict[str, int] = {}  # anchor -> values in the node it names
    open_sizes: list[list[Any]] = []  # per open list/mapping: [its anchor, values so far]
    loader = _BaseLoader(text)

    def add(size: int) -> bool:
        """Add ``size`` values to the enclosing list or mapping; True if too many."""
        if open_sizes:
            open_sizes[-1][1] += size
            return open_sizes[-1][1] > MAX_VALUES
        return size > MAX_VALUES

    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                size = anchors.get(event.anchor)
                if size == _OPEN:
                    return None, (
                        "a YAML alias (*name) is used inside the value it names, "
                        "so the value contains itself"
                    )
                # An undefined alias is left to the full parse, which names its line.
                too_many = size is not None and add(size)
            elif isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
                written += 1
                if written > MAX_WRITTEN_VALUES:
                    return event.start_mark.line + 1, (
                        f"more than {MAX_WRITTEN_VALUES:,} YAML "
                        "values (scalars, lists and mappings) in one file; a seed file may "
                        f"hold at most {MAX_WRITTEN_VALUES:,} — split it into several files"
                    )
                if isinstance(event, yaml.ScalarEvent):
                    if event.anchor:
                        anchors[event.anchor] = 1
                    too_many = add(1)
                else:
                    if event.anchor:
                        anchors[event.anchor] = _OPEN
                    open_sizes.append([event.anchor, 1])
                    too_many = False
            elif isinstance(event, yaml.CollectionEndEvent):
                anchor, size = open_sizes.pop()
                if anchor:
                    anchors[anchor] = size
                too_many = add(size)
            else:
                too_many = False
            if too_many:
                return None, (
                    f"the YAML expands to more than {MAX_VALUES:,} values through aliases "
                    "(*name); write the values out instead"
                )
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return None


def parse_seed_text(text: str, file: str) -> tuple[Any, list[str]]:
    """Parse one file's YAML. Returns ``(document, problems)``; document is None on error.

    The size and count limits (``MAX_FILE_BYTES``, ``MAX_WRITTEN_VALUES``,
    ``MAX_VALUES``) are checked first, so a file over them costs little.
    """
    if len(text) > MAX_FILE_BYTES:
        return None, [
            f"{file}: the text is {len(text):,} characters; a seed file may be at most "
            f"{MAX_FILE_BYTES:,} bytes of hand-written YAML — split it into several files"
        ]
    too_big = _check_counts(text)
    if too_big:
        line, problem = too_big
        return None, [f"{file}:{line}: {problem}" if line else f"{file}: {problem}"]
    loader = _SeedLoader(text)
    try:
        document = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else file
        problem = exc.problem or exc.context or "unreadable"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        return None, [f"{where}: invalid YAML: {problem}{context}{_yaml_hint(problem)}"]
    except yaml.YAMLError as exc:
        return None, [f"{file}: invalid YAML: {exc}"]
    except RecursionError:
        return None, [
            f"{file}: invalid YAML: nested too deeply; seed records are a few levels deep"
        ]
    finally:
        loader.dispose()
    problems = []
    for key, line, first, mapping in loader.duplicate_keys:
        owner = mapping.get("id")
        record = f"record {_show(owner)}, " if isinstance(owner, str) else ""
        problems.append(
            f"{file}:{line}: {record}field {key!r}: given twice in one mapping (lines {first} and "
            f"{line}); the later value would win silently — remove one"
        )
    return document, problems


# --- validation --------------------------------------------------------------------


@dataclass
class _Record:
    section: _Section
    file: str
    index: int
    raw: Mapping[str, Any]
    model: Any = None  # the validated model, or None when it has problems

    @property
    def raw_id(self) -> str | None:
        value = self.raw.get("id")
        return value if isinstance(value, str) else None

    def where(self) -> str:
        line = getattr(self.raw, "line", None)
        place = f"{self.file}:{line}" if line else self.file
        ident = _show(self.raw_id) if self.raw_id else f"#{self.index + 1}"
        return f"{place}: {self.section.what} {ident}"


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 60
_REPR.maxlist = _REPR.maxdict = 4
_REPR.maxlevel = 2


def _show(value: object, limit: int = 60) -> str:
    """A short, quoted echo of a value: never the whole of a huge input."""
    if not isinstance(value, str):
        # reprlib bounds the work too: a structure built from YAML aliases can be huge.
        return _REPR.repr(value)
    if len(value) > limit:
        value = value[:limit] + f"… ({len(value):,} characters)"
    return repr(value)


def _loc(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    # list[...], X | None, Annotated[...]: look inside.
    if get_origin(annotation) is not None:
        return [m for arg in get_args(annotation) for m in _models_in(arg)]
    return []


def _model_at(model: type[BaseModel], loc: Sequence[int | str]) -> type[BaseModel] | None:
    """The model class that owns the field at ``loc`` (for listing allowed fields)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        info = current.model_fields.get(part)
        if info is None:
            return None
        found = _models_in(info.annotation)
        current = found[0] if found else None
    return current


def _suggest(value: str, choices: Iterable[str]) -> str:
    match = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" — did you mean {match[0]!r}?" if match else ""


_BOUNDS = frozenset(
    {"greater_than", "greater_than_equal", "less_than", "less_than_equal", "too_long"}
)


def _kind(value: object) -> str:
    """A YAML author's word for the type of a parsed value."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "an empty value"
    return "a string" if isinstance(value, str) else f"a {type(value).__name__}"


def _pydantic_problem(model: type[BaseModel], err: Any) -> tuple[str, str]:
    """``(field, message)`` for one pydantic error, worded for a seed-file author."""
    loc = tuple(err["loc"])
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        allowed = list(owner.model_fields) if owner else []
        name = str(loc[-1])
        listed = f" (fields here: {', '.join(allowed)})" if allowed else ""
        return _loc(loc), f"unknown field{listed}{_suggest(name, allowed)}"
    if kind == "missing":
        return _loc(loc), "required field is missing"
    if kind == "literal_error":
        allowed = [part.strip(" '") for part in str(ctx.get("expected", "")).replace(" or ", ", ")
                   .split(", ")]  # fmt: skip
        hint = _suggest(str(value), allowed) if isinstance(value, str) else ""
        return _loc(loc), f"{_show(value)} is not allowed (use one of: {', '.join(allowed)}){hint}"
    if kind == "string_too_long" and isinstance(value, str):
        limit = int(ctx.get("max_length", 0))
        return _loc(loc), f"is {len(value):,} characters long; at most {limit:,} are allowed"
    if kind == "model_type" and ctx.get("class_name") == "PartialDate":
        return _loc(loc), (
            f"{_show(value, 40)} is not a date: write YYYY-MM-DD, YYYY-MM or YYYY, or "
            "{value: 2024-04-04, inferred: true, note: ...} when the year was not printed"
        )
    if kind == "too_short" and loc and loc[-1] == "evidence":
        return _loc(loc), (
            "needs at least one evidence entry (source, quote, as_of, confidence): "
            "every transfer and event says where it comes from"
        )
    if kind == "too_short" and loc and loc[-1] == "systems":
        return _loc(loc), "needs at least one weapon system (an id or a name)"
    message = str(err["msg"])
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind.endswith(("_type", "_parsing")) or kind in _BOUNDS:
        message += f" (got {_kind(value)} {_show(value, 40)})"
    if loc == ("quantity",) and isinstance(value, str):
        message += "; put wording such as 'dozens' in quantity_text"
    return _loc(loc), message


class _Problems(list):
    def add(self, record: _Record, field_name: str | None, message: str) -> None:
        where = record.where()
        self.append(f"{where}, field {field_name!r}: {message}" if field_name else
                    f"{where}: {message}")  # fmt: skip


class _Names:
    """Resolve references to one kind of record: by id, else by name/alias (name_key)."""

    def __init__(self, what: str, problems: _Problems, aliases: bool = True) -> None:
        self.what = what
        self.problems = problems
        self.aliases = aliases
        self.ids: dict[str, str] = {}  # id -> display name
        self.keys: dict[str, str] = {}  # name_key -> id

    def register(self, record: _Record) -> None:
        rid = record.raw_id
        if rid is None:
            return
        name = record.raw.get("name") or record.raw.get("title")
        self.ids.setdefault(rid, name if isinstance(name, str) else rid)
        if not self.aliases:
            return
        texts = [name] if isinstance(name, str) else []
        raw_aliases = record.raw.get("aliases")
        if isinstance(raw_aliases, list):
            texts += [a for a in raw_aliases if isinstance(a, str)]
        for text in texts:
            key = name_key(text)
            if not key:
                continue
            other = self.keys.get(key)
            if other is not None and other != rid:
                self.problems.add(
                    record,
                    "aliases" if text != name else "name",
                    f"{_show(text)} is already the name or an alias of {self.what} {other!r}; "
                    "a name must point to one record — remove it from one of them",
                )
                continue
            self.keys[key] = rid

    def resolve(self, ref: str, record: _Record, field_name: str) -> str | None:
        if ref in self.ids:
            return ref
        found = self.keys.get(name_key(ref)) if self.aliases else None
        if found is not None:
            return found
        self.problems.add(record, field_name, f"unknown {self.what} {_show(ref)}{self.hint(ref)}")
        return None

    def hint(self, ref: str) -> str:
        candidates: dict[str, str] = {rid: rid for rid in self.ids}
        if self.aliases:
            candidates.update({key: rid for key, rid in self.keys.items()})
            candidates.update({name_key(rid): rid for rid in self.ids})
        probe = name_key(ref) if self.aliases else ref
        match = difflib.get_close_matches(probe, list(candidates), n=1, cutoff=0.6)
        if not match:
            return ""
        rid = candidates[match[0]]
        name = self.ids.get(rid, rid)
        shown = f" ({name})" if name != rid else ""
        return f" — did you mean {rid!r}{shown}?"


def _expand(paths: Sequence[Path | str]) -> tuple[list[Path], list[str]]:
    files: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # Subdirectories (seeds/sipri/) hold other formats with their own loaders.
            found = sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix in {".yaml", ".yml"}
            )
            if not found:
                problems.append(f"{path}: no .yaml files in this directory")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(f"{path}: no such file or directory")
    # A file named both directly and through its directory is read once, not
    # reported as duplicating itself.
    unique: dict[Path, Path] = {}
    for path in files:
        unique.setdefault(path.resolve(), path)
    return list(unique.values()), problems


def _read(path: Path) -> tuple[str | None, str | None]:
    try:
        with path.open("rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if size > MAX_FILE_BYTES:
                return None, (
                    f"{path}: the file is {size:,} bytes; a seed file may be at most "
                    f"{MAX_FILE_BYTES:,} bytes of hand-written YAML — split it into several files"
                )
            # Read at most one byte past the limit: the file may grow after fstat().
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return None, f"{path}: cannot read the file ({exc.strerror or exc})"
    if len(data) > MAX_FILE_BYTES:
        return None, (
            f"{path}: the file grew past {MAX_FILE_BYTES:,} bytes while it was read; a seed "
            "file may be at most that much hand-written YAML — split it into several files"
        )
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, (
            f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8"
        )


def _records(document: Any, file: str, problems: list[str]) -> list[_Record]:
    if document is None:
        return []
    if not isinstance(document, dict):
        problems.append(
            f"{file}: the top level must be a mapping of sections "
            f"({', '.join(s.key for s in SECTIONS)}), not {_kind(document)}"
        )
        return []
    records: list[_Record] = []
    line = getattr(document, "line", None)
    for key, items in document.items():
        section = _BY_KEY.get(key) if isinstance(key, str) else None
        if section is None:
            hint = _suggest(str(key), _BY_KEY)
            problems.append(
                f"{file}: unknown section {_show(key)} (sections: {', '.join(_BY_KEY)}){hint}"
            )
            continue
        if items is None:
            continue
        if not isinstance(items, list):
            at = f"{file}:{line}" if line else file
            problems.append(
                f"{at}: section {key!r} must be a list of records (each starting with '- id: ...'),"
                f" not {_kind(items)}"
            )
            continue
        for index, raw in enumerate(items):
            if not isinstance(raw, dict):
                problems.append(
                    f"{file}: {section.what} #{index + 1} in section {key!r} must be a mapping of "
                    f"fields ('- id: ...'), not {_kind(raw)} {_show(raw, 40)}"
                )
                continue
            records.append(_Record(section, file, index, raw))
    return records


def load_seed_bundle(paths: Sequence[Path | str] | Path | str = (SEED_DIR,)) -> SeedBundle:
    """Read seed files (a directory means its ``*.yaml``) and validate them as a whole.

    No paths (an empty sequence) means the project's ``seeds/``. Raises
    ``explorer.errors.ValidationError`` whose ``problems`` lists every problem
    found; nothing is returned unless there are none.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    if not paths:
        paths = [SEED_DIR]
    files, problems = _expand(paths)
    documents: list[tuple[str, Any]] = []
    for path in files:
        text, problem = _read(path)
        if problem:
            problems.append(problem)
            continue
        assert text is not None
        document, found = parse_seed_text(text, str(path))
        problems.extend(found)
        if document is not None:
            documents.append((str(path), document))
    return bundle_from_documents(documents, problems)


def bundle_from_documents(
    documents: Sequence[tuple[str, Any]], earlier_problems: Sequence[str] = ()
) -> SeedBundle:
    """Validate already-parsed seed documents ``(file name, data)`` into a bundle."""
    problems = _Problems(earlier_problems)
    records: list[_Record] = []
    for file, document in documents:
        records.extend(_records(document, file, problems))

    _validate_fields(records, problems)
    _check_duplicate_ids(records, problems)
    resolved = _resolve(records, problems)

    if problems:
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        raise ValidationError(
            f"the seed files have {count} {noun}; the first: {problems[0]}", list(problems)
        )
    by_section: dict[str, list[Any]] = {s.key: [] for s in SECTIONS}
    for record, model in resolved:
        by_section[record.section.key].append(model)
    return SeedBundle(
        **{key: tuple(models) for key, models in by_section.items()},
        files=tuple(file for file, _ in documents),
    )


def _validate_fields(records: list[_Record], problems: _Problems) -> None:
    for record in records:
        model = record.section.model
        try:
            record.model = model.model_validate(dict(record.raw))
        except PydanticValidationError as exc:
            for err in exc.errors():
                field_name, message = _pydantic_problem(model, err)
                problems.add(record, field_name or None, message)


def _check_duplicate_ids(records: list[_Record], problems: _Problems) -> None:
    first: dict[tuple[str, str], _Record] = {}
    for record in records:
        rid = record.raw_id
        if rid is None:
            continue
        key = (record.section.label, rid)
        if key in first:
            earlier = first[key]
            line = getattr(earlier.raw, "line", None)
            at = f"{earlier.file}:{line}" if line else earlier.file
            problems.add(
                record,
                "id",
                f"duplicate {record.section.what} id {_show(rid)} (first defined at "
                f"{at}); ids must be unique across all seed files",
            )
        else:
            first[key] = record


# Reference fields per section: (field, section referred to, is it a list).
_REFERENCES: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "sources": (("cites", "sources", True),),
    "actors": (("located_in", "places", False),),
    "places": (),
    "weapon_classes": (("parent", "weapon_classes", False),),
    "weapon_systems": (("classes", "weapon_classes", True),),
    "transfers": (
        ("supplier", "actors", False),
        ("recipient", "actors", False),
        ("systems", "weapon_systems", True),
    ),
    "events": (
        ("conducted_by", "actors", True),
        ("targeted", "actors", True),
        ("used", "weapon_systems", True),
        ("place", "places", False),
    ),
}
# The list of citations or evidence entries (each with a `source`) per section.
_CITATIONS = {
    "places": "sources",
    "actors": "sources",
    "weapon_classes": "sources",
    "weapon_systems": "sources",
    "transfers": "evidence",
    "events": "evidence",
}


def _resolve(records: list[_Record], problems: _Problems) -> list[tuple[_Record, Any]]:
    """Check every reference and return valid records with references replaced by ids.

    References are read from the raw data, so a record with other problems
    still has its unknown references reported in the same pass.
    """
    names = {
        "sources": _Names("source", problems, aliases=False),
        "actors": _Names("actor", problems),
        "places": _Names("place", problems),
        "weapon_classes": _Names("weapon class", problems),
        "weapon_systems": _Names("weapon system", problems),
    }
    # Invalid records register too, so a reference to them is not reported twice.
    for record in records:
        if record.section.key in names:
            names[record.section.key].register(record)

    resolved: list[tuple[_Record, Any]] = []
    descriptions: dict[str, str] = {}
    for record in records:
        raw, key = record.raw, record.section.key
        update: dict[str, Any] = {}
        for field_name, target, is_list in _REFERENCES[key]:
            value = raw.get(field_name)
            index = names[target]
            if is_list and isinstance(value, list):
                ids: list[str] = []
                for i, ref in enumerate(value):
                    if not isinstance(ref, str):
                        continue  # the field validation reports the type
                    if target == key and ref == record.raw_id:
                        problems.add(
                            record, f"{field_name}[{i}]", "a record cannot refer to itself"
                        )
                        continue
                    rid = index.resolve(ref, record, f"{field_name}[{i}]")
                    if rid is not None and rid not in ids:
                        ids.append(rid)
                update[field_name] = ids
            elif not is_list and isinstance(value, str):
                if target == key and value == record.raw_id:
                    problems.add(record, field_name, "a record cannot refer to itself")
                else:
                    update[field_name] = index.resolve(value, record, field_name)
        _check_citations(record, names["sources"], problems)
        supplier = update.get("supplier")
        if key == "transfers" and supplier is not None and supplier == update.get("recipient"):
            problems.add(record, "recipient", "supplier and recipient are the same actor")
        if key == "weapon_classes" and isinstance(raw.get("sipri_descriptions"), list):
            for i, description in enumerate(raw["sipri_descriptions"]):
                if not isinstance(description, str):
                    continue
                owner = descriptions.setdefault(name_key(description), str(record.raw_id))
                if owner != record.raw_id:
                    problems.add(
                        record,
                        f"sipri_descriptions[{i}]",
                        f"SIPRI description {_show(description)} is already mapped to {owner!r}; "
                        "a description maps to one class",
                    )
        if record.model is not None:
            model = record.model
            resolved.append((record, model.model_copy(update=update) if update else model))

    _check_class_cycles([m for _, m in resolved if isinstance(m, WeaponClass)], records, problems)
    return resolved


def _check_citations(record: _Record, sources: _Names, problems: _Problems) -> None:
    field_name = _CITATIONS.get(record.section.key)
    items = record.raw.get(field_name) if field_name else None
    if not isinstance(items, list):
        return
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        source, quote = item.get("source"), item.get("quote")
        if isinstance(source, str):
            sources.resolve(source, record, f"{field_name}[{i}].source")
            if isinstance(quote, str) and quote.strip():
                if (source, quote) in seen:
                    problems.add(
                        record, f"{field_name}[{i}]", "the same source and quote appear twice"
                    )
                seen.add((source, quote))


def _check_class_cycles(
    classes: list[WeaponClass], records: list[_Record], problems: _Problems
) -> None:
    parent = {c.id: c.parent for c in classes}
    reported: set[str] = set()
    for start in parent:
        path: list[str] = []
        node: str | None = start
        while node is not None and node not in path:
            path.append(node)
            node = parent.get(node)
        if node is None or node in reported:
            continue
        cycle = path[path.index(node) :]
        reported.update(cycle)
        record = next(r for r in records if r.raw_id == node and r.section.key == "weapon_classes")
        problems.add(
            record, "parent",
            "the class hierarchy has a cycle: " + " -> ".join([*cycle, node])
            + " — a class cannot be its own ancestor",
        )  # fmt: skip
