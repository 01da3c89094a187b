"""What the map shows: located actors, event places, and the flows between them.

Actors are placed through ``(:Actor)-[:LOCATED_IN]->(:Place)`` (a capital or a
country centre); events through ``(:Event)-[:AT]->(:Place)``. Flows are the
transfers between two located actors, one row per supplier, recipient and
status, so "delivered" and "sought" between the same pair stay two lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from explorer.db import Database
from explorer.runner import run_cypher

ACTOR_PLACES = """
MATCH (a:Actor)-[:LOCATED_IN]->(p:Place)
WHERE p.lat IS NOT NULL AND p.lon IS NOT NULL
RETURN a.id AS actor_id, a.name AS actor, a.kind AS kind, p.id AS place_id,
       p.name AS place, p.lat AS lat, p.lon AS lon,
       COUNT { (a)-[:SUPPLIED]->(:Transfer) } AS supplies,
       COUNT { (:Transfer)-[:TO]->(a) } AS receives
ORDER BY actor
"""

EVENT_PLACES = """
MATCH (e:Event)-[:AT]->(p:Place)
WHERE p.lat IS NOT NULL AND p.lon IS NOT NULL
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
       homes
ORDER BY date, title
"""

FLOWS = """
MATCH (s:Actor)-[:LOCATED_IN]->(sp:Place), (r:Actor)-[:LOCATED_IN]->(rp:Place)
WHERE s <> r AND sp.lat IS NOT NULL AND rp.lat IS NOT NULL
MATCH (s)-[:SUPPLIED]->(t:Transfer)-[:TO]->(r)
WHERE t.status IN $statuses AND ($since IS NULL OR t.last_year IS NULL OR t.last_year >= $since)
WITH s, r, sp, rp, t,
     COLLECT { MATCH (t)-[:OF]->(w:WeaponSystem) RETURN w.name ORDER BY w.name } AS names
WITH s, r, sp, rp, t.status AS status,
     count(CASE WHEN t.origin = 'sipri' THEN t END) AS sipri_deals,
     count(CASE WHEN t.origin <> 'sipri' THEN t END) AS claims,
     sum(coalesce(t.tiv_delivered, t.tiv_total, 0.0)) AS tiv,
     min(t.first_year) AS first_year, max(t.last_year) AS last_year, collect(names) AS nested
RETURN s.id AS supplier_id, s.name AS supplier, r.id AS recipient_id, r.name AS recipient,
       status, sipri_deals, claims, tiv, first_year, last_year,
       COLLECT { UNWIND nested AS ns UNWIND ns AS x RETURN DISTINCT x ORDER BY x } AS systems,
       sp.lat AS from_lat, sp.lon AS from_lon, rp.lat AS to_lat, rp.lon AS to_lon
ORDER BY supplier, recipient, status
"""

UNPLACED = """
MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer)-[:TO]->(r:Actor)
WHERE t.status IN $statuses AND ($since IS NULL OR t.last_year IS NULL OR t.last_year >= $since)
  AND (NOT EXISTS { (s)-[:LOCATED_IN]->(:Place) } OR NOT EXISTS { (r)-[:LOCATED_IN]->(:Place) })
RETURN count(t) AS transfers
"""


@dataclass(frozen=True)
class MapData:
    actors: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    flows: list[dict[str, Any]] = field(default_factory=list)
    unplaced_transfers: int = 0
    """Transfers not drawn because one end has no place (most SIPRI actors)."""


def map_data(db: Database, statuses: Sequence[str], since: int | None = None) -> MapData:
    """Located actors, event places and the flows of ``statuses`` between located actors;
    with ``since``, only transfers whose last year is ``since`` or later (claims without
    years always count)."""
    params = {"statuses": list(statuses), "since": since}
    return MapData(
        actors=run_cypher(db, ACTOR_PLACES, label="map:actors").rows,
        events=run_cypher(db, EVENT_PLACES, label="map:events").rows,
        flows=run_cypher(db, FLOWS, params, label="map:flows").rows,
        unplaced_transfers=run_cypher(db, UNPLACED, params, label="map:unplaced")
        .rows[0]["transfers"],
    )
