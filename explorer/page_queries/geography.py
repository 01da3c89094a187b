"""What the map shows: every actor of the chosen transfers at its place, event places,
the flows between them and each country's TIV supplied and received.

Two reads and one pure step. ``FLOWS`` sums the transfers of the chosen statuses and
years per supplier, recipient and status (the same year rule as Explore: a transfer
whose years overlap the range; no bound keeps those without years); ``ACTORS`` gives
each actor of those flows (and every actor the seeds place) with its seed place, if
any. ``assemble`` then places each actor in Python (``explorer.geo.placement``: the
seed's place first, else its country's centroid; nothing is written to the graph),
keeps the flows whose two ends are placed and lists by name what cannot be placed
(organisations such as NATO, "unknown supplier(s)") with its transfer count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from explorer.db import Database
from explorer.errors import ParameterError, QueryTooLarge
from explorer.geo.placement import country_of, place_actor
from explorer.runner import run_read

_TRANSFER_FILTER = """
t.status IN $statuses
AND ($year_from IS NULL OR coalesce(t.last_year, t.first_year, t.order_year) >= $year_from)
AND ($year_to IS NULL OR coalesce(t.first_year, t.order_year, t.last_year) <= $year_to)
"""

FLOWS = f"""
MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer)-[:TO]->(r:Actor)
WHERE s <> r AND {_TRANSFER_FILTER}
WITH s, r, t.status AS status,
     count(CASE WHEN t.origin = 'sipri' THEN t END) AS sipri_deals,
     count(CASE WHEN t.origin <> 'sipri' THEN t END) AS claims,
     sum(coalesce(t.tiv_delivered, t.tiv_total, 0.0)) AS tiv,
     min(coalesce(t.first_year, t.order_year)) AS first_year,
     max(coalesce(t.last_year, t.first_year, t.order_year)) AS last_year,
     collect(t) AS transfers
RETURN s.id AS supplier_id, s.name AS supplier, r.id AS recipient_id, r.name AS recipient,
       status, sipri_deals, claims, tiv, first_year, last_year,
       COLLECT {{ UNWIND transfers AS x MATCH (x)-[:OF]->(w:WeaponSystem)
                 RETURN DISTINCT w.name ORDER BY w.name }} AS systems,
       COLLECT {{ UNWIND transfers AS x MATCH (x)-[:EVIDENCED_BY]->(src:Source)
                 RETURN DISTINCT src.id ORDER BY src.id }} AS source_ids
ORDER BY supplier, recipient, status
"""

ACTORS = """
MATCH (a:Actor)
WHERE a.id IN $ids OR EXISTS { (a)-[:LOCATED_IN]->(:Place) }
RETURN a.id AS actor_id, a.name AS actor, a.kind AS kind,
       coalesce(a.non_state, false) AS non_state,
       head(COLLECT { MATCH (a)-[:LOCATED_IN]->(p:Place)
                      WHERE p.lat IS NOT NULL AND p.lon IS NOT NULL
                      RETURN p {.id, .name, .lat, .lon} ORDER BY p.id }) AS seat
ORDER BY actor
"""

EVENT_PLACES = """
MATCH (e:Event)-[:AT]->(p:Place)
WHERE p.lat IS NOT NULL AND p.lon IS NOT NULL
  AND ($year_from IS NULL OR e.year IS NULL OR e.year >= $year_from)
  AND ($year_to IS NULL OR e.year IS NULL OR e.year <= $year_to)
OPTIONAL MATCH (a:Actor)-[:CONDUCTED]->(e)
OPTIONAL MATCH (a)-[:LOCATED_IN]->(home:Place)
WITH e, p, collect(DISTINCT a.name) AS conducted_by,
     collect(CASE WHEN home.lat IS NOT NULL AND home.lon IS NOT NULL
                  THEN {name: a.name, lat: home.lat, lon: home.lon} END) AS homes
RETURN e.id AS event_id, e.title AS title, e.kind AS kind, e.date AS date,
       coalesce(e.date_inferred, false) AS inferred, e.date_note AS date_note,
       p.id AS place_id, p.name AS place, p.kind AS place_kind, p.lat AS lat, p.lon AS lon,
       COLLECT { UNWIND conducted_by AS x RETURN x ORDER BY x } AS conducted_by,
       COLLECT { MATCH (e)-[:TARGETED]->(x:Actor) RETURN x.name ORDER BY x.name } AS targeted,
       COLLECT { MATCH (e)-[:USED]->(w:WeaponSystem) RETURN w.name ORDER BY w.name } AS used,
       COLLECT { MATCH (e)-[:EVIDENCED_BY]->(src:Source) RETURN DISTINCT src.id } AS source_ids,
       homes
ORDER BY date, title
"""


@dataclass(frozen=True)
class MapData:
    actors: list[dict[str, Any]] = field(default_factory=list)
    """Placed actors: ``actor_id``, ``actor``, ``kind``, ``place_id`` (the seed's place,
    else None), ``lon``, ``lat``, ``place``,
    ``how`` ("seed place" or "country centroid"), ``iso3``, ``supplies``, ``receives``
    (transfers of the chosen statuses and years)."""
    events: list[dict[str, Any]] = field(default_factory=list)
    flows: list[dict[str, Any]] = field(default_factory=list)
    """Supplier → recipient per status between placed actors, with ``from_lon``,
    ``from_lat``, ``to_lon``, ``to_lat``."""
    unplaced: list[dict[str, Any]] = field(default_factory=list)
    """Actors with no place and no country: ``actor``, ``kind``, ``transfers``."""
    unplaced_transfers: int = 0
    """Transfers not drawn because one end is in ``unplaced``."""
    countries: list[dict[str, Any]] = field(default_factory=list)
    """Per ISO3: ``country``, ``tiv_supplied``, ``tiv_received``, ``supplied``,
    ``received`` — the state's own transfers (actors named after the country)."""


# Pairs, not transfers: every pair of the whole SIPRI database fits many times over.
MAX_FLOWS = 100_000


def check_years(year_from: int | None, year_to: int | None) -> None:
    if year_from is not None and year_to is not None and year_from > year_to:
        raise ParameterError(
            f"the year range starts after it ends ({year_from} > {year_to})")


def map_data(db: Database, statuses: Sequence[str], year_from: int | None = None,
             year_to: int | None = None) -> MapData:
    """Everything the Map page draws for transfers of ``statuses`` whose years overlap
    ``year_from``–``year_to`` (None: no bound)."""
    check_years(year_from, year_to)
    params = {"statuses": list(statuses), "year_from": year_from, "year_to": year_to}
    found = run_read(db, FLOWS, params, label="map:flows", row_cap=MAX_FLOWS)
    if found.truncated:
        # Country totals summed over part of the pairs would be wrong without a sign.
        raise QueryTooLarge(f"more than {MAX_FLOWS:,} supplier–recipient pairs match these "
                            "filters: narrow the years or the statuses")
    flows = found.rows
    ids = sorted({f["supplier_id"] for f in flows} | {f["recipient_id"] for f in flows})
    actors = run_read(db, ACTORS, {"ids": ids}, label="map:actors").rows
    events = run_read(db, EVENT_PLACES, {"year_from": year_from, "year_to": year_to},
                        label="map:events").rows
    return assemble(actors, flows, events)


def assemble(actors: Sequence[Mapping[str, Any]], flows: Sequence[Mapping[str, Any]],
             events: Sequence[Mapping[str, Any]]) -> MapData:
    """Place the actors, attach coordinates to the flows, list what cannot be placed
    and sum each country's TIV (pure: the rows in, the map's data out)."""
    transfers: dict[str, list[int]] = {}
    for f in flows:
        n = int(f["sipri_deals"] or 0) + int(f["claims"] or 0)
        transfers.setdefault(f["supplier_id"], [0, 0])[0] += n
        transfers.setdefault(f["recipient_id"], [0, 0])[1] += n
    placed: dict[str, dict[str, Any]] = {}
    unplaced: list[dict[str, Any]] = []
    for a in actors:
        where = place_actor(a["actor"], a.get("seat"))
        supplies, receives = transfers.get(a["actor_id"], [0, 0])
        if where is None:
            if supplies or receives:
                unplaced.append({"actor_id": a["actor_id"], "actor": a["actor"],
                                 "kind": a.get("kind"), "transfers": supplies + receives})
            continue
        placed[a["actor_id"]] = {
            "actor_id": a["actor_id"], "actor": a["actor"], "kind": a.get("kind"),
            "place_id": (a.get("seat") or {}).get("id") if where.how == "seed place" else None,
            "lon": where.lon, "lat": where.lat, "place": where.place, "how": where.how,
            "iso3": where.iso3, "supplies": supplies, "receives": receives,
        }
    drawn, left_out = [], 0
    countries: dict[str, dict[str, Any]] = {}
    for f in flows:
        supplier, recipient = placed.get(f["supplier_id"]), placed.get(f["recipient_id"])
        n = int(f["sipri_deals"] or 0) + int(f["claims"] or 0)
        tiv = float(f["tiv"] or 0.0)
        for end, key in ((supplier, "supplied"), (recipient, "received")):
            state = _state(end)
            if state:
                row = countries.setdefault(state[0], {
                    "iso3": state[0], "country": state[1], "tiv_supplied": 0.0,
                    "tiv_received": 0.0, "supplied": 0, "received": 0})
                row[f"tiv_{key}"] += tiv
                row[key] += n
        if supplier is None or recipient is None:
            left_out += n
            continue
        drawn.append({**f, "from_lon": supplier["lon"], "from_lat": supplier["lat"],
                      "to_lon": recipient["lon"], "to_lat": recipient["lat"]})
    unplaced.sort(key=lambda u: (-u["transfers"], u["actor"]))
    return MapData(
        actors=sorted(placed.values(), key=lambda a: a["actor"]), events=list(events),
        flows=drawn, unplaced=unplaced, unplaced_transfers=left_out,
        countries=sorted(countries.values(), key=lambda c: c["iso3"]),
    )


def _state(actor: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """(ISO3, name) when the actor is the state itself (its own name is the country),
    not a group or body drawn in it ("Houthi rebels (Yemen)")."""
    if actor is None:
        return None
    country = country_of(actor["actor"])
    if country is None or country.rule == "parenthesis":
        return None
    return country.iso3, country.name
