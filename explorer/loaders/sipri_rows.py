"""SIPRI deals -> graph rows for the batched writer (docs/graph-model.md). Pure: no database.

Entity resolution: SIPRI names meet the seeds' actors and weapon systems through
the seed bundle's alias index ("North Korea" -> ``north-korea``, "Hwasong-11" ->
``ws-hwasong-11``); anything the seeds do not know gets an id of its own,
``slug(name)`` for actors and ``ws-`` + ``slug(system name)`` for systems.

Two kinds of node rows come out, as the writer takes them:

``rows``
    ``MERGE … SET n += props``: SIPRI is the authority on what it alone names
    (its transfers, the actors and systems the seeds do not know, its Source).
``fill``
    ``MERGE … SET n.p = coalesce(n.p, value)``: nodes the seeds curate (actors,
    systems, classes). A SIPRI load only fills their gaps, so a curated name,
    description or alias list is never replaced by SIPRI's wording; on a
    database without the seeds the rows carry the seed values themselves, so
    the node comes out as ``load seeds`` would have written it.

``SipriRowBuilder`` works deal by deal and hands out chunks, emitting each
actor, system and class once per load, so that a file of any size streams
through in constant memory (apart from the set of ids already emitted).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from explorer.loaders.seed_bundle import SeedBundle
from explorer.loaders.sipri_records import SipriDeal
from explorer.names import name_key, slug

Row = dict[str, Any]
Rows = dict[str, list[Row]]
Chunk = tuple[Rows, Rows]
"""``(rows, fill)``: label/type -> rows, as ``writer.write_chunks_tx`` takes them."""

SOURCE_TITLE = "SIPRI Arms Transfers Database"
SOURCE_PUBLISHER = "SIPRI"
SOURCE_URL = "https://www.sipri.org/databases/armstransfers"
ATTRIBUTION = "Source: SIPRI Arms Transfers Database (c) SIPRI"

# "assessed", not "confirmed": SIPRI compiles open sources and its own
# estimates (numbers, years and TIVs are often flagged as estimates); it is
# an expert assessment of what was transferred, not the parties' confirmation.
CONFIDENCE = "assessed"

SEED_CURATED = ("Actor", "WeaponSystem", "WeaponClass")


def source_id(generated: str | None) -> str:
    """``src-sipri-at-<generated date>``; an export without a date gets ``-undated``."""
    return f"src-sipri-at-{generated or 'undated'}"


def source_row(generated: str | None) -> Row:
    return {
        "id": source_id(generated),
        "props": {
            "title": SOURCE_TITLE,
            "kind": "dataset",
            "publisher": SOURCE_PUBLISHER,
            "author": None,
            "published": generated,
            "published_precision": "day" if generated else None,
            "published_inferred": False if generated else None,
            "url": SOURCE_URL,
            "attribution": ATTRIBUTION,
            "generated": generated,
        },
    }


def transfer_props(deal: SipriDeal) -> dict[str, Any]:
    """The Transfer node's properties for one deal."""
    ordered_known = deal.quantity_ordered is not None
    per_year = deal.delivered_per_year
    return {
        "status": "delivered" if deal.deliveries else "ordered",
        "origin": "sipri",
        "description": None,
        "quantity": deal.quantity_ordered if ordered_known else deal.quantity_delivered,
        "quantity_text": None,
        "quantity_estimate": (
            deal.quantity_ordered_estimate if ordered_known else deal.quantity_delivered_estimate
        ),
        "order_year": deal.order_year,
        "order_year_estimate": deal.order_year_estimate,
        "delivery_years": deal.delivery_years,
        # Neo4j lists cannot hold nulls: when the source gives no number for some
        # year (the register's multi-year deals) the list is left empty rather
        # than padded with a made-up value; quantity_delivered still has the total.
        "delivered_per_year": per_year if None not in per_year else [],
        "quantity_delivered": deal.quantity_delivered,
        "first_year": deal.first_year,
        "last_year": deal.last_year,
        # The deal's own per-unit value (lower for second-hand items) is the one
        # the delivered TIVs are computed from; SIPRI's new-item value is kept
        # only when the export gives no deal value.
        "tiv_unit": deal.tiv_deal_unit if deal.tiv_deal_unit is not None else deal.tiv_unit,
        "tiv_total": deal.tiv_total,
        "tiv_delivered": deal.tiv_delivered,
        "sipri_status": deal.sipri_status,
        "local_production": deal.local_production,
        "comments": deal.comments,
    }


def _years(years: list[int]) -> str:
    return ", ".join(str(y) for y in years)


def quote(deal: SipriDeal) -> str:
    """A compact rendering of the SIPRI record, the evidence of its Transfer::

        SIPRI AT Database ID 67145: North Korea -> Russia, Hwasong-11 (surface-to-surface
        missile), ordered 2023 (estimate); delivered 5 in 2023, 95 in 2024 (numbers estimated)
    """
    head = f"SIPRI AT Database ID {deal.sipri_id}" if deal.sipri_id else "SIPRI trade register"
    what = deal.system_name
    details = [d for d in (deal.description, _status_note(deal)) if d]
    if details:
        what += f" ({', '.join(details)})"
    ordered = "ordered"
    if deal.quantity_ordered is not None:
        ordered = f"{deal.quantity_ordered} ordered"
    if deal.order_year is not None:
        ordered += f" {deal.order_year}"
        if deal.order_year_estimate:
            ordered += " (estimate)"
    else:
        ordered += " (year unknown)"
    text = f"{head}: {deal.supplier} -> {deal.recipient}, {what}, {ordered}; "
    years = deal.delivery_years
    per_year = deal.delivered_per_year
    if not years:
        text += "no deliveries recorded"
    elif None not in per_year:
        pairs = zip(per_year, years, strict=True)
        text += "delivered " + ", ".join(f"{n} in {y}" for n, y in pairs)
    elif deal.quantity_delivered is not None:
        text += f"{deal.quantity_delivered} delivered in {_years(years)}"
    else:
        text += f"delivered in {_years(years)}"
    marks = []
    if years and deal.quantity_delivered_estimate:
        marks.append("numbers")
    if any(d.year_estimate for d in deal.deliveries):
        marks.append("years")
    if marks:
        text += f" ({' and '.join(marks)} estimated)"
    return text


def _status_note(deal: SipriDeal) -> str | None:
    parts = []
    if deal.sipri_status and deal.sipri_status.lower() != "new":
        parts.append(deal.sipri_status.lower())
    if deal.local_production:
        parts.append("local production")
    return ", ".join(parts) or None


def _rel(start: str, end: str, start_label: str, end_label: str, **props: Any) -> Row:
    return {"start": start, "end": end, "start_label": start_label, "end_label": end_label,
            "props": props}


class SipriRowBuilder:
    """Turns deals into writer rows, chunk by chunk, for one load.

    ``add(deal)`` collects a deal's rows; ``take()`` returns what was collected
    since the last call. The first chunk also carries the SIPRI Source and the
    seeds' weapon-class taxonomy (fill rows), so that classes exist for IS_A
    even on a database without the seeds.
    """

    def __init__(self, bundle: SeedBundle, generated: str | None) -> None:
        self.index = bundle.alias_index()
        self.generated = generated
        self.source_id = source_id(generated)
        seed_rows = bundle.rows()
        self._seed_props = {
            label: {row["id"]: row["props"] for row in seed_rows[label]} for label in SEED_CURATED
        }
        self._seed_classes: dict[str, list[str]] = {}
        for row in seed_rows["IS_A"]:
            self._seed_classes.setdefault(row["start"], []).append(row["end"])
        self._seed_subclass_rows = seed_rows["SUBCLASS_OF"]
        self._emitted: set[tuple[str, str]] = set()
        self._actor_ids: dict[str, str] = {}
        self._system_ids: dict[str, str] = {}
        self.deals = 0
        self._rows: Rows = {}
        self._fill: Rows = {}
        self._start()

    # -- resolution -------------------------------------------------------------------
    def actor_id(self, name: str) -> str:
        """The seeds' id for a SIPRI name (by name or alias), else ``slug(name)``."""
        found = self._actor_ids.get(name)
        if found is None:
            found = self.index.actor_id(name) or slug(name)
            self._actor_ids[name] = found
        return found

    def system_id(self, deal: SipriDeal) -> str:
        """The seeds' id for the designation (variant dashes dropped, then as printed),
        else ``ws-`` + ``slug(system name)``."""
        key = deal.designation
        found = self._system_ids.get(key)
        if found is None:
            found = (
                self.index.system_id(deal.system_name)
                or self.index.system_id(deal.designation)
                or "ws-" + slug(deal.system_name)
            )
            self._system_ids[key] = found
        return found

    # -- rows ---------------------------------------------------------------------------
    def add(self, deal: SipriDeal) -> None:
        supplier = self._actor(deal.supplier, deal.supplier_kind, deal.supplier_non_state)
        recipient = self._actor(deal.recipient, deal.recipient_kind, deal.recipient_non_state)
        system = self._system(deal)
        self._add_row("Transfer", {"id": deal.id, "props": transfer_props(deal)})
        self._add_row("SUPPLIED", _rel(supplier, deal.id, "Actor", "Transfer"))
        self._add_row("TO", _rel(deal.id, recipient, "Transfer", "Actor"))
        self._add_row("OF", _rel(deal.id, system, "Transfer", "WeaponSystem"))
        self._add_row("EVIDENCED_BY", _rel(
            deal.id, self.source_id, "Transfer", "Source",
            quote=quote(deal), as_of=self.generated, confidence=CONFIDENCE,
            attributed_to=None, note=None,
        ))  # fmt: skip
        self.deals += 1

    def take(self) -> Chunk:
        chunk = (self._rows, self._fill)
        self._rows, self._fill = {}, {}
        return chunk

    def chunks(self, deals: Iterable[SipriDeal], size: int) -> Iterator[Chunk]:
        """Chunks of ``size`` deals (the last may be smaller; the first always comes,
        with the Source and classes, even for no deals)."""
        pending = 0
        first = True
        for deal in deals:
            self.add(deal)
            pending += 1
            if pending >= size:
                yield self.take()
                pending, first = 0, False
        if pending or first:
            yield self.take()

    # -- internals ---------------------------------------------------------------------
    def _start(self) -> None:
        self._add_row("Source", source_row(self.generated))
        for class_id, props in self._seed_props["WeaponClass"].items():
            self._fill.setdefault("WeaponClass", []).append({"id": class_id, "props": props})
            self._emitted.add(("WeaponClass", class_id))
        for row in self._seed_subclass_rows:
            self._add_row("SUBCLASS_OF", row)

    def _add_row(self, key: str, row: Row) -> None:
        self._rows.setdefault(key, []).append(row)

    def _node(self, label: str, node_id: str, props: dict[str, Any]) -> None:
        """Emit a node once per load: fill rows over the seed values for seed nodes."""
        if (label, node_id) in self._emitted:
            return
        self._emitted.add((label, node_id))
        seed = self._seed_props[label].get(node_id)
        if seed is None:
            self._add_row(label, {"id": node_id, "props": props})
            return
        merged = {**props, **{k: v for k, v in seed.items() if v is not None}}
        self._fill.setdefault(label, []).append({"id": node_id, "props": merged})

    def _actor(self, name: str, kind: str, non_state: bool) -> str:
        actor_id = self.actor_id(name)
        self._node("Actor", actor_id, {
            "name": name, "kind": kind, "aliases": [], "aliases_text": "",
            "non_state": non_state, "description": None, "name_key": name_key(name),
        })  # fmt: skip
        return actor_id

    def _system(self, deal: SipriDeal) -> str:
        system_id = self.system_id(deal)
        if ("WeaponSystem", system_id) in self._emitted:
            return system_id
        name = deal.system_name
        self._node("WeaponSystem", system_id, {
            "name": name, "category": deal.category, "description": deal.description,
            "aliases": [], "aliases_text": "", "generic": False, "range_km": None,
            "name_key": name_key(name),
        })  # fmt: skip
        # A seed system keeps its curated classes; SIPRI's description classes the rest.
        classes = self._seed_classes.get(system_id)
        if classes is None and system_id not in self._seed_props["WeaponSystem"]:
            found = self.index.class_for_description(deal.description or "")
            classes = [found] if found else []
        for class_id in classes or ():
            self._add_row("IS_A", _rel(system_id, class_id, "WeaponSystem", "WeaponClass"))
        return system_id


def deal_rows(
    deals: Iterable[SipriDeal], bundle: SeedBundle, generated: str | None
) -> tuple[Rows, Rows]:
    """All rows of ``deals`` at once, ``(rows, fill)``: for small inputs and tests."""
    builder = SipriRowBuilder(bundle, generated)
    for deal in deals:
        builder.add(deal)
    return builder.take()


def merged_rows(chunk: Chunk) -> Mapping[str, list[Row]]:
    """``rows`` and ``fill`` together, for writers without fill semantics (an
    empty database, as the benchmarks use, makes no difference between them)."""
    rows, fill = chunk
    out = {key: list(value) for key, value in rows.items()}
    for key, value in fill.items():
        out[key] = [*value, *out.get(key, [])]
    return out


FUSED = ("SUPPLIED", "TO", "OF", "EVIDENCED_BY")
"""The four relationships every SIPRI Transfer has exactly one of."""


def fuse_transfers(rows: Rows) -> tuple[list[Row], Rows]:
    """``(transfers, rest)``: each Transfer row with its supplier, recipient, system
    and evidence folded in (``{"id", "props", "supplier", "recipient", "system",
    "evidence"}``), for one statement that writes a transfer and its edges
    together; ``rest`` is every other row, unchanged. A relationship row that
    does not belong to exactly one transfer of ``rows`` stays in ``rest``."""
    transfers = rows.get("Transfer", [])
    ids = {row["id"] for row in transfers}
    edges: dict[str, dict[str, list[Row]]] = {kind: {} for kind in FUSED}
    rest: Rows = {key: value for key, value in rows.items()
                  if key != "Transfer" and key not in FUSED}
    for kind in FUSED:
        own_end = "end" if kind == "SUPPLIED" else "start"
        for row in rows.get(kind, []):
            owner = row[own_end]
            if owner in ids and row[f"{own_end}_label"] == "Transfer":
                edges[kind].setdefault(owner, []).append(row)
            else:
                rest.setdefault(kind, []).append(row)
    fused: list[Row] = []
    for row in transfers:
        mine = [edges[kind].get(row["id"], []) for kind in FUSED]
        if any(len(found) != 1 for found in mine):
            rest.setdefault("Transfer", []).append(row)
            for kind, found in zip(FUSED, mine, strict=True):
                rest.setdefault(kind, []).extend(found)
            continue
        supplied, to, of, evidence = (found[0] for found in mine)
        fused.append({
            "id": row["id"], "props": row["props"], "supplier": supplied["start"],
            "recipient": to["end"], "system": of["end"], "source": evidence["end"],
            "evidence": evidence["props"],
        })  # fmt: skip
    return fused, rest
