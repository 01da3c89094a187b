"""One resolver for the names an analyst types: actors and weapon systems.

Every place that takes an actor or a weapon system — saved-query parameters,
the console's typed parameters, Explore, the Actor profile, the walkthrough —
turns the typed text into exactly one graph id here, or raises an error that
names the text and says why (docs/names.md):

1. the text is an id (``north-korea``, ``ws-shahed-136``) — that entity;
2. else its folded form (``explorer.names.name_key``: case, accents and
   punctuation folded, so ``Cote d'Ivoire`` = ``Côte d'Ivoire``) equals an
   entity's folded *name*;
3. else it equals a folded *alias* or id (``dprk``, ``Geran-2``);
4. else it equals one with the spaces taken out too (``US`` = ``U.S.``).

The first rule that matches decides. One entity: its id. Several: an
``AmbiguousName`` listing them with their ids. None: an ``UnknownName`` with
the closest names by fuzzy score (rapidfuzz) — a suggestion, never a quiet
substitution.

The matching is pure (``NameTable``); ``fetch_names`` is the one small read
query that builds a table from the graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import neo4j
from rapidfuzz import fuzz, process, utils

from explorer.db import Database
from explorer.errors import AmbiguousName, ParameterError, UnknownName
from explorer.names import name_key

ENTITY_KINDS = ("actor", "weapon_system")
# What the messages call each kind.
_NOUNS = {"actor": ("actor", "actors"), "weapon_system": ("weapon system", "weapon systems")}
# One constant query per kind: the label is never built from input.
_NAMES_QUERY = {
    "actor": "MATCH (n:Actor) RETURN n.id AS id, n.name AS name, "
             "coalesce(n.aliases, []) AS aliases ORDER BY n.id",
    "weapon_system": "MATCH (n:WeaponSystem) RETURN n.id AS id, n.name AS name, "
                     "coalesce(n.aliases, []) AS aliases ORDER BY n.id",
}
# Console values typed as entities: "actor:Ukraine", "weapon_system:Geran-2".
TYPE_PREFIXES = {f"{kind}:": kind for kind in ENTITY_KINDS}

_MAX_SUGGESTIONS = 3
# Suggestions score at least this (rapidfuzz WRatio, 0-100) and lie within
# _CLOSE_TO_BEST of the best one, so "Nort Korea" suggests North Korea alone.
_MIN_SCORE = 70.0
_CLOSE_TO_BEST = 6.0


# The same few thousand names are folded each time a table is built.
_fold = lru_cache(maxsize=65_536)(name_key)


def _compact(key: str) -> str:
    return key.replace(" ", "")


@dataclass(frozen=True)
class Entity:
    """An actor or weapon system as the resolver sees it."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``North Korea (DPRK)``: the name and its first alias that reads differently."""
        own = name_key(self.name)
        other = next((a for a in self.aliases if name_key(a) != own), None)
        return f"{self.name} ({other})" if other else self.name


class NameTable:
    """The ids, names and aliases of one kind of entity, indexed for resolving.

    Built once per lookup in the CLI, cached for a minute in the dashboard; the
    full SIPRI graph holds a few hundred actors and a few thousand systems.
    """

    def __init__(self, kind: str, entities: Iterable[Entity]) -> None:
        if kind not in ENTITY_KINDS:
            raise ValueError(f"unknown entity kind {kind!r}")
        self.kind = kind
        self.entities = tuple(entities)
        self._by_id = {e.id: e for e in self.entities}
        self._names: dict[str, list[Entity]] = {}
        self._aliases: dict[str, list[Entity]] = {}
        self._compact: dict[str, list[Entity]] = {}
        # (folded text, entity) for the fuzzy suggestions.
        self._choices: list[tuple[str, Entity]] = []
        for entity in self.entities:
            own = _fold(entity.name)
            forms = {own}
            _add(self._names, own, entity)
            for other in (*entity.aliases, entity.id):
                folded = _fold(other)
                _add(self._aliases, folded, entity)
                forms.add(folded)
            for form in forms:
                _add(self._compact, _compact(form), entity)
                if form:
                    self._choices.append((form, entity))

    @classmethod
    def from_rows(cls, kind: str, rows: Iterable[Sequence[Any]]) -> NameTable:
        """From ``(id, name, aliases)`` rows, as ``fetch_names`` reads them."""
        return cls(kind, (
            Entity(str(entity_id), str(name or entity_id), tuple(str(a) for a in aliases or ()))
            for entity_id, name, aliases in rows if entity_id is not None
        ))

    @property
    def noun(self) -> str:
        return _NOUNS[self.kind][0]

    def __len__(self) -> int:
        return len(self.entities)

    def get(self, entity_id: str) -> Entity | None:
        return self._by_id.get(entity_id)

    def matches(self, text: str) -> list[Entity]:
        """The entities ``text`` names under the first rule that finds any (see the module)."""
        text = text.strip()
        if text in self._by_id:
            return [self._by_id[text]]
        key = name_key(text)
        if not key:
            return []
        for index, probe in ((self._names, key), (self._aliases, key),
                             (self._compact, _compact(key))):
            found = index.get(probe)
            if found:
                return sorted(found, key=lambda e: (e.name.lower(), e.id))
        return []

    def suggestions(self, text: str, limit: int = _MAX_SUGGESTIONS) -> list[Entity]:
        """The entities whose name or alias is closest to ``text``, best first."""
        key = name_key(text)
        if not key or not self._choices:
            return []
        scored = process.extract(
            key, [form for form, _ in self._choices], scorer=fuzz.WRatio,
            processor=utils.default_process, limit=limit * 8, score_cutoff=_MIN_SCORE,
        )
        best: dict[str, tuple[float, Entity]] = {}
        for _, score, index in scored:
            entity = self._choices[index][1]
            if entity.id not in best or best[entity.id][0] < score:
                best[entity.id] = (score, entity)
        ranked = sorted(best.values(), key=lambda p: (-p[0], p[1].name.lower()))
        if not ranked:
            return []
        top = ranked[0][0]
        return [entity for score, entity in ranked if score >= top - _CLOSE_TO_BEST][:limit]

    def resolve(self, text: str, *, where: str = "") -> Entity:
        """The one entity ``text`` names; ``UnknownName`` or ``AmbiguousName`` otherwise.

        ``where`` ("parameter 'actor' of query 'flows_between'") goes into the
        message, in parentheses after the name.
        """
        found = self.matches(text)
        if len(found) == 1:
            return found[0]
        at = f" ({where})" if where else ""
        shown = text.strip()
        if found:
            listed = ", ".join(f"{e.name} (id {e.id})" for e in found)
            raise AmbiguousName(
                f"{shown!r}{at} names {len(found)} {_NOUNS[self.kind][1]}: {listed} — "
                "give one of the ids",
                kind=self.kind, value=shown, candidates=found,
            )
        close = self.suggestions(shown)
        if close:
            hint = f"did you mean {_or_list([e.label for e in close])}?"
        else:
            hint = ("nothing has a similar name either; the saved query find_by_name "
                    "searches names and aliases by word")
        raise UnknownName(f"no {self.noun} called {shown!r}{at} — {hint}",
                          kind=self.kind, value=shown, candidates=close)


def _add(index: dict[str, list[Entity]], key: str, entity: Entity) -> None:
    if not key:
        return
    bucket = index.setdefault(key, [])
    if entity not in bucket:
        bucket.append(entity)


def _or_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


# ---------------------------------------------------------------------------
# The graph side


def fetch_names(db: Database, kind: str) -> NameTable:
    """Every id, name and alias of one kind, in one small read query."""
    if kind not in ENTITY_KINDS:
        raise ValueError(f"unknown entity kind {kind!r}")

    def work(tx: neo4j.ManagedTransaction) -> list[list[Any]]:
        return tx.run(_NAMES_QUERY[kind]).values()

    return NameTable.from_rows(kind, db.read(work, label=f"resolve:{kind}"))


NameLookup = Callable[[str], NameTable]


def lookup_for(db: Database) -> NameLookup:
    """A lookup that reads each kind's table from ``db`` once, on first use."""
    tables: dict[str, NameTable] = {}

    def lookup(kind: str) -> NameTable:
        if kind not in tables:
            tables[kind] = fetch_names(db, kind)
        return tables[kind]

    return lookup


def resolve_name(db: Database, kind: str, text: str, *, where: str = "") -> Entity:
    """Resolve one name against the graph (reads the name table)."""
    return fetch_names(db, kind).resolve(text, where=where)


# ---------------------------------------------------------------------------
# Parameters


def resolve_entity_params(
    kinds: Mapping[str, str],
    params: Mapping[str, Any],
    lookup: NameLookup,
    *,
    where: Callable[[str], str] = lambda name: f"parameter {name!r}",
) -> dict[str, Any]:
    """``params`` with each value named in ``kinds`` (param -> entity kind) replaced
    by its entity id; None stays None, and a list is resolved item by item."""
    out = dict(params)
    for name, kind in kinds.items():
        value = out.get(name)
        if value is None:
            continue
        table = lookup(kind)
        if isinstance(value, list | tuple):
            out[name] = [table.resolve(str(v), where=where(name)).id for v in value]
        else:
            out[name] = table.resolve(str(value), where=where(name)).id
    return out


def split_typed(value: Any) -> tuple[str, str] | None:
    """``"actor:Ukraine"`` -> ``("actor", "Ukraine")``; any other value -> None."""
    if not isinstance(value, str):
        return None
    for prefix, kind in TYPE_PREFIXES.items():
        if value.startswith(prefix):
            return kind, value[len(prefix):].strip()
    return None


def typed_kinds(params: Mapping[str, Any]) -> set[str]:
    """The entity kinds the console parameters ask to resolve."""
    found: set[str] = set()
    for value in params.values():
        items = value if isinstance(value, list) else [value]
        for item in items:
            typed = split_typed(item)
            if typed:
                found.add(typed[0])
    return found


def resolve_typed(params: Mapping[str, Any], lookup: NameLookup) -> dict[str, Any]:
    """Console parameters with every typed value (``actor:Ukraine``,
    ``weapon_system:Geran-2``, also inside a list) replaced by the entity's id.

    Untyped values pass as they are: the console sends what it is given.
    """
    out: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, list):
            out[name] = [_typed_id(name, item, lookup) for item in value]
        else:
            out[name] = _typed_id(name, value, lookup)
    return out


def _typed_id(name: str, value: Any, lookup: NameLookup) -> Any:
    typed = split_typed(value)
    if typed is None:
        return value
    kind, text = typed
    if not text:
        raise ParameterError(f"parameter {name!r} is typed {kind} but gives no name — "
                             f"write {name}={kind}:<name, alias or id>")
    return lookup(kind).resolve(text, where=f"parameter {name!r}").id


def typed_text(kind: str, value: str) -> str:
    """The console form of an entity value: ``typed_text("actor", "Russia") == "actor:Russia"``."""
    return f"{kind}:{value}"
