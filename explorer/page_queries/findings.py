"""Headline findings, computed live from the graph by running saved queries.

Each finding runs one file of ``cypher/queries/`` with the parameters it names
and derives its number from the rows, so the number on the Home page and the
table behind its "open the query" link can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from explorer.db import Database
from explorer.page_queries.provenance import (
    CLAIMS_QUERY,
    CONTRADICTS,
    CORROBORATES,
    NO_RECORD,
    VerdictTally,
    tally,
)
from explorer.queries import SavedQuery, load_catalogue
from explorer.runner import run_saved


@dataclass(frozen=True)
class Finding:
    """A number with the sentence that says it and the saved query behind it."""

    key: str
    title: str
    headline: str
    value: float | int | None
    shown: str
    query: str
    params: dict[str, str] = field(default_factory=dict)
    detail: str = ""


Catalogue = Mapping[str, SavedQuery]


def _rows(db: Database, catalogue: Catalogue, name: str, params: Mapping[str, str]
          ) -> list[dict[str, Any]]:
    return run_saved(db, catalogue[name], dict(params)).rows


def import_share(db: Database, catalogue: Catalogue, recipient: str = "Russia",
                 suppliers: tuple[str, ...] = ("iran", "north-korea"), since: int = 2022
                 ) -> Finding:
    """The share of ``recipient``'s SIPRI-recorded imports (TIV of deliveries since
    ``since``) that came from ``suppliers`` (ids)."""
    params = {"recipient": recipient, "from_year": str(since)}
    rows = _rows(db, catalogue, "suppliers_of_recipient", params)
    total = sum(float(r.get("tiv") or 0.0) for r in rows)
    part = sum(float(r.get("tiv") or 0.0) for r in rows if r.get("supplier_id") in suppliers)
    names = [r["supplier"] for r in rows if r.get("supplier_id") in suppliers]
    who = " and ".join(names) or " and ".join(suppliers)
    if total <= 0:
        return Finding("import_share", "Share from " + " + ".join(names or suppliers),
                       f"No SIPRI-recorded imports of {recipient} since {since} — load the "
                       "SIPRI data to see who supplies it.", None, "–",
                       "suppliers_of_recipient", params)
    share = part / total
    return Finding(
        "import_share", "Share from " + " + ".join(names or suppliers),
        f"{share:.0%} of {recipient}'s SIPRI-recorded arms imports since {since} came from "
        f"{who}.",
        share, f"{share:.0%}", "suppliers_of_recipient", params,
        f"{part:,.1f} of {total:,.1f} million TIV (SIPRI trend-indicator value, a measure "
        "of military capability transferred, not a price).",
    )


def items_sought(db: Database, catalogue: Catalogue, actor: str = "North Korea",
                 supplier: str = "Russia") -> Finding:
    """How many distinct items ``actor`` is said to seek from ``supplier``."""
    params = {"actor": actor, "supplier": supplier}
    rows = _rows(db, catalogue, "actor_seeks", params)
    items = sorted({str(r.get("item")) for r in rows})
    return Finding(
        "items_sought", f"Items {actor} seeks",
        f"{len(items)} items {actor} seeks from {supplier} in return, per the sources.",
        len(items), str(len(items)), "actor_seeks", params, "; ".join(items),
    )


def claims_against_records(db: Database, catalogue: Catalogue) -> Finding:
    """How many of the sources' claims SIPRI's records corroborate and contradict,
    counting distinct claims (a claim meeting four records counts once); the
    verdicts are the saved query's, with every claim listed (``unmatched``)."""
    params = {"unmatched": "true"}
    rows = _rows(db, catalogue, CLAIMS_QUERY, params)
    tallies = tally(rows)
    claims = {str(r.get("claim")) for r in rows}
    agree = tallies.get(CORROBORATES, VerdictTally(CORROBORATES, (), ()))
    if not claims:
        return Finding("claims_vs_records", "Claims corroborated by SIPRI",
                       "No claims of the sources in the graph — load the seeds "
                       "(`explorer load seeds`) to set them against SIPRI's records.",
                       None, "–", CLAIMS_QUERY, params)
    headline = [tallies[v].sentence() for v in (CORROBORATES, CONTRADICTS, NO_RECORD)
                if v in tallies]
    if CONTRADICTS not in tallies:
        headline.insert(1 if CORROBORATES in tallies else 0, "none contradicted")
    others = [t.sentence() for v, t in tallies.items()
              if v not in (CORROBORATES, CONTRADICTS, NO_RECORD)]
    notable = [r for r in rows if r.get("verdict") in (CONTRADICTS, "timing_unclear")]
    detail = [f"{str(r['verdict']).replace('_', ' ').capitalize()}: {r['supplier']} → "
              f"{r['recipient']}, {str(r['claim_status']).replace('_', ' ')} {r['claimed']} "
              f"(as of {r['as_of']}) against SIPRI's {r['record_system']}, {r['record_years']}."
              for r in notable]
    if others:
        detail.insert(0, "Also " + "; ".join(others) + ".")
    return Finding(
        "claims_vs_records", "Claims corroborated by SIPRI",
        f"Of the sources' {len(claims)} claims: " + "; ".join(headline) + " (distinct "
        "claims, not claim–record pairs).",
        len(agree.claims), f"{len(agree.claims)} of {len(claims)}", CLAIMS_QUERY, params,
        " ".join(detail),
    )


def strikes_with(db: Database, catalogue: Catalogue, supplier: str = "North Korea"
                 ) -> Finding:
    """How many recorded events used a weapon system ``supplier`` supplied to their user
    (the same system, not merely one of its class: "various missiles" are not
    evidence of North Korean ones)."""
    params = {"supplier": supplier, "class_links": "false"}
    rows = _rows(db, catalogue, "supply_to_use", params)
    events = sorted({(str(r.get("date")), str(r.get("event"))) for r in rows})
    users = sorted({str(r.get("recipient")) for r in rows})
    user = " and ".join(users) or "their users"
    return Finding(
        "strikes_with", "Used in strikes",
        f"{len(events)} recorded strikes by {user} used weapon systems {supplier} supplied.",
        len(events), str(len(events)), "supply_to_use", params,
        "; ".join(f"{date}: {title}" for date, title in events),
    )


FINDINGS: tuple[tuple[str, Callable[[Database, Catalogue], Finding]], ...] = (
    ("suppliers_of_recipient", import_share),
    ("actor_seeks", items_sought),
    (CLAIMS_QUERY, claims_against_records),
    ("supply_to_use", strikes_with),
)


def headline_findings(db: Database, catalogue: Catalogue | None = None) -> list[Finding]:
    """Every finding whose saved query is in the catalogue, in a fixed order."""
    queries = catalogue if catalogue is not None else load_catalogue()
    return [build(db, queries) for name, build in FINDINGS if name in queries]
