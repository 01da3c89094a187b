"""Transfers, events and claims over time for a set of actors.

Three kinds of rows, each with a ``lane`` (the row of the timeline it belongs to):

- **events** the actors conducted or were targeted by, at their dates. A date
  keeps its precision: ``start``/``end`` span the day, month or year it names,
  and ``inferred`` says the source did not print the year.
- **deliveries**: SIPRI-style delivery years of transfers between the actors,
  one row per lane, year and status (deals, systems, TIV; the number of items
  only when the row is of one system).
- **claims**: every ``EVIDENCED_BY`` of those transfers and events with an
  ``as_of`` date, from sources that are not datasets (a dataset's records all
  carry its generation date, which says nothing about when things happened).
  ``as_of`` is the date as shown, marked " (year inferred)" when the source did
  not print the year (``inferred``); ``date`` is the bare ISO date.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from explorer.db import Database
from explorer.labels import inferred_mark
from explorer.runner import run_read

DEFAULT_ACTORS = ("north-korea", "russia", "iran", "ukraine")

EVENTS = """
MATCH (e:Event)
WHERE EXISTS { MATCH (a:Actor)-[:CONDUCTED]->(e) WHERE a.id IN $ids }
   OR EXISTS { MATCH (e)-[:TARGETED]->(a:Actor) WHERE a.id IN $ids }
OPTIONAL MATCH (e)-[:AT]->(pl:Place)
WITH e, pl, COLLECT { MATCH (e)-[ev:EVIDENCED_BY]->(s:Source)
                      RETURN {quote: ev.quote, source: s.title} ORDER BY ev.as_of LIMIT 1 } AS ev
RETURN e.id AS id, e.date AS date, e.date_precision AS precision,
       coalesce(e.date_inferred, false) AS inferred, e.date_note AS date_note,
       e.kind AS kind, e.title AS title,
       COLLECT { MATCH (x:Actor)-[:CONDUCTED]->(e) RETURN x.name ORDER BY x.name } AS conducted_by,
       COLLECT { MATCH (e)-[:TARGETED]->(x:Actor) RETURN x.name ORDER BY x.name } AS targeted,
       COLLECT { MATCH (e)-[:USED]->(w:WeaponSystem) RETURN w.name ORDER BY w.name } AS used,
       pl.name AS place, ev[0].quote AS quote, ev[0].source AS source
ORDER BY date, title
"""

# $others: also transfers with one end outside the selection.
DELIVERIES = """
MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer)-[:TO]->(r:Actor)
WHERE (s.id IN $ids AND r.id IN $ids) OR ($others AND (s.id IN $ids OR r.id IN $ids))
UNWIND range(0, size(coalesce(t.delivery_years, [])) - 1) AS i
WITH s, r, t, t.delivery_years[i] AS year,
     CASE WHEN i < size(coalesce(t.delivered_per_year, [])) THEN t.delivered_per_year[i] END
       AS number
WITH s, r, t, year, number,
     COLLECT { MATCH (t)-[:OF]->(w:WeaponSystem) RETURN w.name ORDER BY w.name } AS systems
WITH s.name AS supplier, r.name AS recipient, year, t.status AS status,
     count(t) AS deals, sum(number) AS number,
     sum(coalesce(number * t.tiv_unit, 0.0)) AS tiv, collect(systems) AS nested
WITH supplier, recipient, year, status, deals, number, tiv,
     COLLECT { UNWIND nested AS ns UNWIND ns AS x RETURN DISTINCT x ORDER BY x } AS systems
// A number of items only for one system: missiles and vehicles do not add up.
RETURN supplier, recipient, year, status, deals,
       CASE WHEN size(systems) = 1 THEN number END AS number, tiv, systems
ORDER BY supplier, recipient, year, status
"""

CLAIMS = """
CALL () {
  MATCH (s:Actor)-[:SUPPLIED]->(x:Transfer)-[:TO]->(r:Actor)
  WHERE (s.id IN $ids AND r.id IN $ids) OR ($others AND (s.id IN $ids OR r.id IN $ids))
  RETURN x, 'transfer' AS about, [s.name] AS froms, [r.name] AS tos,
         s.name + ' → ' + r.name + ': ' +
           coalesce(COLLECT { MATCH (x)-[:OF]->(w:WeaponSystem) RETURN w.name }[0], '?')
           AS label,
         x.status AS status
  UNION
  MATCH (x:Event)
  WHERE EXISTS { MATCH (a:Actor)-[:CONDUCTED]->(x) WHERE a.id IN $ids }
     OR EXISTS { MATCH (x)-[:TARGETED]->(a:Actor) WHERE a.id IN $ids }
  RETURN x, 'event' AS about,
         COLLECT { MATCH (a:Actor)-[:CONDUCTED]->(x) RETURN a.name ORDER BY a.name } AS froms,
         COLLECT { MATCH (x)-[:TARGETED]->(a:Actor) RETURN a.name ORDER BY a.name } AS tos,
         x.title AS label, null AS status
}
MATCH (x)-[ev:EVIDENCED_BY]->(src:Source)
WHERE ev.as_of IS NOT NULL AND coalesce(src.kind, '') <> 'dataset'
RETURN x.id AS id, about, froms, tos, label, status, ev.as_of AS as_of,
       coalesce(ev.as_of_inferred, false) AS inferred, ev.quote AS quote,
       ev.confidence AS confidence, ev.attributed_to AS attributed_to, src.title AS source
ORDER BY as_of, label
"""


@dataclass(frozen=True)
class Timeline:
    events: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)

    def busiest(self, max_lanes: int) -> tuple[Timeline, int]:
        """At most ``max_lanes`` transfer lanes (those with the most deals, then the most
        claims), every event lane kept; and how many transfer lanes were left out."""
        weight: dict[str, int] = {}
        for row in self.deliveries:
            weight[row["lane"]] = weight.get(row["lane"], 0) + row["deals"]
        for row in self.claims:
            if row["about"] == "transfer":
                weight[row["lane"]] = weight.get(row["lane"], 0) + 1
        if len(weight) <= max_lanes:
            return self, 0
        kept = set(sorted(weight, key=lambda lane: (-weight[lane], lane))[:max_lanes])
        kept |= {row["lane"] for row in self.events}
        return Timeline(
            self.events,
            [row for row in self.deliveries if row["lane"] in kept],
            [row for row in self.claims if row["lane"] in kept],
        ), len(weight) - max_lanes

    @property
    def years(self) -> tuple[int, int] | None:
        """The first and last year anything on the timeline happened or was said."""
        found = [d.year for row in (*self.events, *self.claims) for d in (row["start"],)]
        found += [row["year"] for row in self.deliveries]
        return (min(found), max(found)) if found else None


EVENT_ACTORS = """
MATCH (e:Event {id: $id})
RETURN COLLECT { MATCH (a:Actor)-[:CONDUCTED|TARGETED]-(e) RETURN DISTINCT a.id } AS actors
"""


def event_actors(db: Database, event_id: str) -> list[str] | None:
    """The actors that conducted or were targeted by an event; None when no event has
    that id (a search link's ``?event=`` opens the timeline on them)."""
    rows = db.read(lambda tx: tx.run(EVENT_ACTORS, id=event_id).data(), label="timeline:event")
    return rows[0]["actors"] if rows else None


def date_span(iso: str | None, precision: str | None = None) -> tuple[dt.date, dt.date] | None:
    """The first and last day an ISO date at its precision can mean:
    ``"2024"`` -> 1 Jan to 31 Dec 2024, ``"2024-04"`` -> April, ``"2024-03-30"`` -> that day."""
    if not iso:
        return None
    parts = iso.split("-")
    try:
        year = int(parts[0])
        if precision == "year" or len(parts) == 1:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        month = int(parts[1])
        if precision == "month" or len(parts) == 2:
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, 1), dt.date(year, month, last)
        day = dt.date(year, month, int(parts[2][:2]))
    except (ValueError, IndexError):
        return None
    return day, day


def _names(names: Sequence[str]) -> str:
    return " + ".join(names) if names else "unknown"


def event_lane(conducted_by: Sequence[str], targeted: Sequence[str]) -> str:
    if targeted:
        return f"{_names(conducted_by)} → {_names(targeted)} · events"
    return f"{_names(conducted_by)} · events"


def transfer_lane(supplier: str, recipient: str) -> str:
    return f"{supplier} → {recipient} · transfers"


def _with_span(row: dict[str, Any], iso: str | None, precision: str | None) -> dict[str, Any]:
    span = date_span(iso, precision)
    if span is None:
        return {}
    start, end = span
    return {**row, "start": start, "end": end, "mid": start + (end - start) / 2}


def timeline(db: Database, actor_ids: Sequence[str] = DEFAULT_ACTORS, *,
             with_others: bool = False) -> Timeline:
    """Events, deliveries and claims for ``actor_ids``; transfers between them only,
    unless ``with_others`` also takes those with one partner outside the selection."""
    params = {"ids": list(actor_ids), "others": with_others}
    events = []
    for row in run_read(db, EVENTS, params, label="timeline:events").rows:
        placed = _with_span(row, row["date"], row["precision"])
        if placed:
            events.append({**placed, "lane": event_lane(row["conducted_by"], row["targeted"])})
    deliveries = [
        {**row, "lane": transfer_lane(row["supplier"], row["recipient"]),
         "start": dt.date(row["year"], 1, 1), "end": dt.date(row["year"], 12, 31)}
        for row in run_read(db, DELIVERIES, params, label="timeline:deliveries").rows
        if row["year"] is not None
    ]
    claims = []
    for row in run_read(db, CLAIMS, params, label="timeline:claims").rows:
        placed = _with_span(row, row["as_of"], None)
        if not placed:
            continue
        if row["about"] == "transfer":
            lane = transfer_lane(row["froms"][0], row["tos"][0])
        else:
            lane = event_lane(row["froms"], row["tos"])
        # Placed by the bare date; shown (tooltip, table) with the inferred mark.
        claims.append({**placed, "lane": lane, "date": row["as_of"],
                       "as_of": inferred_mark(row["as_of"], row["inferred"])})
    return Timeline(events, deliveries, claims)
