"""A weapon system's profile: what it is (category, classes, aliases, range and the
other reference facts, each with the source that says so), who supplied it to whom
and when (SIPRI deals and the article's claims, kept apart), and the events that
used it.

Reads only; the dashboard's weapon-system page (explorer/app/app_pages/weapon.py)
draws it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import neo4j

from explorer.db import Database

# Evidence that speaks about a system's range: a distance ("900 km", "560 miles") or
# "range is/of/as" in its quote or note ("short-range" alone is a class, not a range).
_RANGE_WORDS = re.compile(r"\d[\d,.]*\s*(?:km|kilomet|mi(?:les?)?)\b|\brange (?:is|of|as)\b",
                          re.IGNORECASE)


@dataclass(frozen=True)
class SystemChoice:
    id: str
    name: str
    category: str | None
    aliases: tuple[str, ...]
    deals: int

    @property
    def label(self) -> str:
        also = f" ({', '.join(self.aliases)})" if self.aliases else ""
        return f"{self.name}{also}"


@dataclass
class WeaponProfile:
    system: dict[str, Any]
    classes: list[list[str]]              # each: the class, then its parents up the chain
    evidence: list[dict[str, Any]]        # reference facts: source, quote, note
    deals: list[dict[str, Any]]           # SIPRI records (origin sipri)
    claims: list[dict[str, Any]]          # the article's claims (origin seed), one per quote
    events: list[dict[str, Any]]
    range_evidence: list[dict[str, Any]] = field(default_factory=list)
    related_ranges: list[dict[str, Any]] = field(default_factory=list)


# --------------------------------------------------------------------------- queries

_CHOICES = """
MATCH (w:WeaponSystem)
RETURN w.id AS id, w.name AS name, w.category AS category,
       coalesce(w.aliases, []) AS aliases, COUNT { (w)<-[:OF]-(:Transfer) } AS deals
ORDER BY toLower(w.name), w.id
"""

_SYSTEM = """
MATCH (w:WeaponSystem {id: $id})
OPTIONAL MATCH (w)-[e:EVIDENCED_BY]->(s:Source)
WITH w, collect(CASE WHEN s IS NULL THEN NULL ELSE {
  source: s.title, source_id: s.id, kind: s.kind, publisher: s.publisher,
  quote: e.quote, note: e.note, as_of: e.as_of, attributed_to: e.attributed_to
} END) AS evidence
RETURN w {.id, .name, .category, .description, .generic, .range_km,
          aliases: coalesce(w.aliases, [])} AS system, evidence
"""

# Every IS_A class with its chain of parents, nearest first.
_CLASSES = """
MATCH (:WeaponSystem {id: $id})-[:IS_A]->(c:WeaponClass)
OPTIONAL MATCH path = (c)-[:SUBCLASS_OF*0..]->(top:WeaponClass)
WHERE NOT (top)-[:SUBCLASS_OF]->()
WITH c, path ORDER BY length(path) DESC
WITH c, head(collect([n IN nodes(path) | n.name])) AS chain
RETURN coalesce(chain, [c.name]) AS chain ORDER BY chain[0]
"""

# properties(t) rather than t.x: a property no deal has (tiv_total is often absent)
# would make the server warn that the key does not exist.
_DEALS = """
MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer)-[:OF]->(:WeaponSystem {id: $id})
MATCH (t)-[:TO]->(r:Actor)
WHERE t.origin = 'sipri'
RETURN properties(t) AS t, s.id AS supplier_id, s.name AS supplier, r.id AS recipient_id,
       r.name AS recipient
ORDER BY coalesce(t.first_year, t.order_year), s.name, r.name, t.id
"""

_CLAIMS = """
MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer)-[:OF]->(:WeaponSystem {id: $id})
MATCH (t)-[:TO]->(r:Actor)
WHERE coalesce(t.origin, 'seed') <> 'sipri'
OPTIONAL MATCH (t)-[e:EVIDENCED_BY]->(src:Source)
RETURN properties(t) AS t, properties(e) AS e, s.id AS supplier_id, s.name AS supplier,
       r.id AS recipient_id, r.name AS recipient, src.title AS source, src.id AS source_id
ORDER BY e.as_of, s.name, r.name, t.id
"""

_DEAL_FIELDS = ("id", "status", "order_year", "order_year_estimate", "quantity",
                "quantity_estimate", "quantity_delivered", "tiv_unit", "tiv_total",
                "tiv_delivered", "sipri_status", "comments")


def deal_row(record: Mapping[str, Any]) -> dict[str, Any]:
    """A SIPRI deal as a flat row (missing properties are None, lists are lists)."""
    t = record["t"]
    row = {name: t.get(name) for name in _DEAL_FIELDS}
    row["delivery_years"] = list(t.get("delivery_years") or [])
    row["delivered_per_year"] = list(t.get("delivered_per_year") or [])
    for name in ("supplier_id", "supplier", "recipient_id", "recipient"):
        row[name] = record[name]
    return row


def claim_row(record: Mapping[str, Any]) -> dict[str, Any]:
    """One claim: the transfer as reported, with one sentence of evidence."""
    t, e = record["t"], record["e"] or {}
    return {
        "id": t.get("id"), "status": t.get("status"), "quantity": t.get("quantity"),
        "quantity_text": t.get("quantity_text"), "description": t.get("description"),
        "quote": e.get("quote"), "said_by": e.get("attributed_to"), "as_of": e.get("as_of"),
        "as_of_inferred": e.get("as_of_inferred"), "confidence": e.get("confidence"),
        "source": record["source"], "source_id": record["source_id"],
        "supplier_id": record["supplier_id"], "supplier": record["supplier"],
        "recipient_id": record["recipient_id"], "recipient": record["recipient"],
    }


# Other systems with a recorded range whose class is in this system's chain (not a
# root class such as "missile"): the article's unnamed "North Korean ballistic
# missile" (about 900 km) for Hwasong-11. Shown as related, never as this one's range.
_RELATED_RANGES = """
MATCH (:WeaponSystem {id: $id})-[:IS_A]->(:WeaponClass)-[:SUBCLASS_OF*0..]->(c:WeaponClass)
WHERE (c)-[:SUBCLASS_OF]->()
WITH DISTINCT c
MATCH (o:WeaponSystem)-[:IS_A]->(c)
WHERE o.id <> $id AND o.range_km IS NOT NULL
RETURN o.id AS id, o.name AS name, o.range_km AS range_km, c.name AS class,
       coalesce(o.generic, false) AS generic
ORDER BY o.name
"""

_EVENTS = """
MATCH (e:Event)-[:USED]->(:WeaponSystem {id: $id})
OPTIONAL MATCH (e)-[:AT]->(p:Place)
OPTIONAL MATCH (a:Actor)-[:CONDUCTED]->(e)
RETURN e.id AS id, e.title AS title, e.kind AS kind, e.date AS date,
       e.date_inferred AS inferred, p.name AS place, p.id AS place_id,
       collect(DISTINCT a.name) AS conducted_by
ORDER BY e.date, e.id
"""


def system_choices(db: Database) -> list[SystemChoice]:
    """Every weapon system, for a picker: name, aliases and how many transfers it has."""
    rows = db.read(lambda tx: [r.data() for r in tx.run(_CHOICES)], label="weapon choices")
    return [SystemChoice(r["id"], r["name"], r["category"], tuple(r["aliases"]), r["deals"])
            for r in rows]


def weapon_profile(db: Database, system_id: str) -> WeaponProfile | None:
    """The profile of the system with id ``system_id``; None when there is none."""

    def work(tx: neo4j.ManagedTransaction) -> WeaponProfile | None:
        head = tx.run(_SYSTEM, id=system_id).single()
        if head is None:
            return None
        evidence = [e for e in head["evidence"] if e is not None]
        return WeaponProfile(
            system=dict(head["system"]),
            classes=[r["chain"] for r in tx.run(_CLASSES, id=system_id)],
            evidence=sorted(evidence, key=lambda e: (e["source"] or "", e["quote"] or "")),
            deals=[deal_row(r) for r in tx.run(_DEALS, id=system_id)],
            claims=[claim_row(r) for r in tx.run(_CLAIMS, id=system_id)],
            events=[r.data() for r in tx.run(_EVENTS, id=system_id)],
            range_evidence=range_evidence(evidence),
            related_ranges=[r.data() for r in tx.run(_RELATED_RANGES, id=system_id)],
        )

    return db.read(work, label="weapon profile")


# --------------------------------------------------------------------------- pure parts


def range_evidence(evidence: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The evidence rows whose quote or note speaks of range (range, km, miles)."""
    return [dict(e) for e in evidence
            if _RANGE_WORDS.search(f"{e.get('quote') or ''} {e.get('note') or ''}")]


def deliveries_by_year(deals: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per (year, supplier → recipient) with the number delivered that year,
    from SIPRI's per-year deliveries; deals without per-year figures are left out."""
    totals: dict[tuple[int, str], int] = {}
    for deal in deals:
        flow = f"{deal['supplier']} → {deal['recipient']}"
        for year, count in zip(deal.get("delivery_years") or [],
                               deal.get("delivered_per_year") or [], strict=False):
            if year is None or count is None:
                continue
            totals[(int(year), flow)] = totals.get((int(year), flow), 0) + int(count)
    return [{"year": year, "flow": flow, "delivered": count}
            for (year, flow), count in sorted(totals.items())]


def deal_years(deal: Mapping[str, Any]) -> str:
    """"2023–2024" from a deal's delivery years; "" when none."""
    years = [int(y) for y in deal.get("delivery_years") or [] if y is not None]
    if not years:
        return ""
    first, last = min(years), max(years)
    return str(first) if first == last else f"{first}–{last}"


def flows(deals: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """SIPRI deals summed per supplier → recipient: deals, number ordered and delivered,
    TIV delivered, first and last delivery year. Quantities add up here because every
    deal is of the same system."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for deal in deals:
        key = (deal["supplier"], deal["recipient"])
        row = out.setdefault(key, {
            "supplier": deal["supplier"], "recipient": deal["recipient"],
            "supplier_id": deal["supplier_id"], "recipient_id": deal["recipient_id"],
            "deals": 0, "ordered": 0, "delivered": 0, "tiv_delivered": 0.0,
            "first_year": None, "last_year": None,
        })
        row["deals"] += 1
        row["ordered"] += int(deal.get("quantity") or 0)
        row["delivered"] += int(deal.get("quantity_delivered") or 0)
        row["tiv_delivered"] += float(deal.get("tiv_delivered") or 0.0)
        years = [int(y) for y in deal.get("delivery_years") or [] if y is not None]
        if years:
            row["first_year"] = min([y for y in (row["first_year"], *years) if y is not None])
            row["last_year"] = max([y for y in (row["last_year"], *years) if y is not None])
    return sorted(out.values(), key=lambda r: (-r["tiv_delivered"], r["supplier"],
                                               r["recipient"]))
