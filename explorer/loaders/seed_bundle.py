"""A validated seed bundle and the rows it writes: node properties per label and
relationship types as docs/graph-model.md lists them, the alias index the SIPRI
importers resolve names with. Built by ``explorer.loaders.seeds.load_seed_bundle``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

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


@dataclass(frozen=True)
class Section:
    key: str
    what: str
    model: type[BaseModel]
    label: str


SECTIONS: tuple[Section, ...] = (
    Section("sources", "source", Source, "Source"),
    Section("actors", "actor", Actor, "Actor"),
    Section("places", "place", Place, "Place"),
    Section("weapon_classes", "weapon class", WeaponClass, "WeaponClass"),
    Section("weapon_systems", "weapon system", WeaponSystem, "WeaponSystem"),
    Section("transfers", "transfer", Transfer, "Transfer"),
    Section("events", "event", Event, "Event"),
)

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


