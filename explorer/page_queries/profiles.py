"""An actor's profile: who it arms and who arms it, with which systems, what it did
and was hit by, and every source behind those facts.

Plain rows from read-only queries (``explorer.runner.run_read``), so the
dashboard, the CLI and tests share them. A transfer's *year* is its first
delivery year, else its order year, else the year of its earliest evidence: the
article's claims carry no delivery years, only the date they were made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from explorer.db import Database
from explorer.resolve import Entity, NameTable
from explorer.runner import run_read

ACTOR_CHOICES = """
MATCH (a:Actor)
WITH a, COUNT { (a)-[:SUPPLIED]->(:Transfer) } + COUNT { (:Transfer)-[:TO]->(a) } AS transfers,
     COUNT { (a)-[:CONDUCTED]->(:Event) } + COUNT { (:Event)-[:TARGETED]->(a) } AS events
RETURN a.id AS id, a.name AS name, a.kind AS kind, coalesce(a.aliases, []) AS aliases,
       transfers, events
ORDER BY a.name
"""

ACTOR = """
MATCH (a:Actor {id: $id})
OPTIONAL MATCH (a)-[:LOCATED_IN]->(p:Place)
RETURN a.id AS id, a.name AS name, a.kind AS kind, coalesce(a.aliases, []) AS aliases,
       a.description AS description, a.non_state AS non_state, p.name AS located_in,
       COLLECT { MATCH (a)-[ev:EVIDENCED_BY]->(s:Source)
                 RETURN {source: s.title, quote: ev.quote, note: ev.note}
                 ORDER BY s.title } AS name_sources
"""

# One row per transfer the actor is part of, in either direction; the other
# queries group these the way each table needs.
_TRANSFERS = """
MATCH (a:Actor {id: $id})
CALL (a) {
  MATCH (a)-[:SUPPLIED]->(t:Transfer)-[:TO]->(p:Actor)
  RETURN t, p, 'outbound' AS direction
  UNION
  MATCH (p:Actor)-[:SUPPLIED]->(t:Transfer)-[:TO]->(a)
  RETURN t, p, 'inbound' AS direction
}
WITH direction, t, p,
     COLLECT { MATCH (t)-[e:EVIDENCED_BY]->() WHERE e.as_of IS NOT NULL
               RETURN toInteger(left(e.as_of, 4)) AS y ORDER BY y LIMIT 1 } AS claimed
WITH direction, t, p,
     coalesce(t.first_year, t.order_year, claimed[0]) AS year,
     coalesce(t.last_year, t.first_year, t.order_year, claimed[0]) AS last_year,
     coalesce(t.tiv_delivered, t.tiv_total, 0.0) AS tiv
"""

TRANSFERS_BY_YEAR = _TRANSFERS + """
RETURN direction, year, t.status AS status, count(t) AS transfers, sum(tiv) AS tiv
ORDER BY direction, year, status
"""

# SIPRI's deals and the sources' claims are counted apart (docs/reading-results.md).
PARTNERS = _TRANSFERS + """
WITH direction, p, count(CASE WHEN t.origin = 'sipri' THEN t END) AS sipri_deals,
     count(CASE WHEN t.origin <> 'sipri' THEN t END) AS claims,
     sum(tiv) AS tiv, min(year) AS first_year,
     max(last_year) AS last_year, collect(DISTINCT t.status) AS statuses,
     collect(DISTINCT t.origin) AS origins
RETURN direction, p.id AS partner_id, p.name AS partner, sipri_deals, claims, tiv,
       first_year, last_year,
       COLLECT { UNWIND statuses AS s RETURN s ORDER BY s } AS statuses,
       COLLECT { UNWIND origins AS o RETURN o ORDER BY o } AS origins
ORDER BY tiv DESC, sipri_deals DESC, claims DESC, partner
"""

SYSTEMS = _TRANSFERS + """
MATCH (t)-[:OF]->(w:WeaponSystem)
WITH direction, w, p, t, year, last_year
WITH direction, w, collect(DISTINCT p.name) AS partners,
     count(CASE WHEN t.origin = 'sipri' THEN t END) AS sipri_deals,
     count(CASE WHEN t.origin <> 'sipri' THEN t END) AS claims,
     sum(t.quantity_delivered) AS delivered, collect(DISTINCT t.status) AS statuses,
     min(year) AS first_year, max(last_year) AS last_year
RETURN direction, w.id AS system_id, w.name AS system, w.category AS category,
       COLLECT { MATCH (w)-[:IS_A]->(c:WeaponClass) RETURN c.name ORDER BY c.name } AS classes,
       COLLECT { UNWIND partners AS x RETURN x ORDER BY x } AS partners,
       sipri_deals, claims, delivered,
       COLLECT { UNWIND statuses AS s RETURN s ORDER BY s } AS statuses,
       first_year, last_year
ORDER BY direction, sipri_deals + claims DESC, system
"""

EVENTS = """
MATCH (a:Actor {id: $id})
CALL (a) {
  MATCH (a)-[:CONDUCTED]->(e:Event) RETURN e, 'conducted' AS role
  UNION
  MATCH (e:Event)-[:TARGETED]->(a) RETURN e, 'targeted' AS role
}
OPTIONAL MATCH (e)-[:AT]->(pl:Place)
RETURN role, e.id AS event_id, e.date AS date, e.date_precision AS precision,
       coalesce(e.date_inferred, false) AS inferred, e.date_note AS date_note,
       e.kind AS kind, e.title AS title,
       COLLECT { MATCH (x:Actor)-[:CONDUCTED]->(e) RETURN x.name ORDER BY x.name } AS conducted_by,
       COLLECT { MATCH (e)-[:TARGETED]->(x:Actor) RETURN x.name ORDER BY x.name } AS targeted,
       COLLECT { MATCH (e)-[:USED]->(w:WeaponSystem) RETURN w.name ORDER BY w.name } AS used,
       pl.name AS place
ORDER BY date, title
"""

# Dataset evidence is one row per record (hundreds for a big importer), so it
# is summed per source instead of listed quote by quote.
SOURCES = """
MATCH (a:Actor {id: $id})
CALL (a) {
  MATCH (a)-[:SUPPLIED]->(x:Transfer) RETURN x
  UNION
  MATCH (x:Transfer)-[:TO]->(a) RETURN x
  UNION
  MATCH (a)-[:CONDUCTED]->(x:Event) RETURN x
  UNION
  MATCH (x:Event)-[:TARGETED]->(a) RETURN x
}
MATCH (x)-[e:EVIDENCED_BY]->(s:Source)
WITH s, x, e, s.kind = 'dataset' AS dataset
WITH s, dataset,
     CASE WHEN dataset THEN null ELSE e.quote END AS quote,
     CASE WHEN dataset THEN null ELSE e.as_of END AS as_of,
     CASE WHEN dataset THEN null ELSE coalesce(e.as_of_inferred, false) END AS as_of_inferred,
     CASE WHEN dataset THEN null ELSE e.confidence END AS confidence,
     CASE WHEN dataset THEN null ELSE e.attributed_to END AS attributed_to,
     count(DISTINCT x) AS count,
     collect(DISTINCT CASE WHEN x:Event THEN x.title ELSE
       COLLECT { MATCH (sup:Actor)-[:SUPPLIED]->(x)-[:TO]->(rec:Actor)
                 OPTIONAL MATCH (x)-[:OF]->(w:WeaponSystem)
                 RETURN sup.name + ' → ' + rec.name + ': ' + coalesce(w.name, '?') +
                        ' (' + x.status + ')' LIMIT 1 }[0] END) AS supports
RETURN s.id AS source_id, s.title AS source, s.kind AS kind, s.publisher AS publisher,
       s.attribution AS attribution, quote, as_of, as_of_inferred, confidence, attributed_to,
       // Transfers and events, not the distinct lines naming them: SIPRI's deals
       // of one system to one partner share a line.
       count,
       CASE WHEN dataset THEN [] ELSE COLLECT { UNWIND supports AS y RETURN y ORDER BY y } END
         AS supports
ORDER BY dataset, as_of, source, quote
"""


@dataclass(frozen=True)
class ActorChoice:
    """An actor as offered in a picker: the label carries the aliases so that
    typing "DPRK" into the select box finds North Korea."""

    id: str
    name: str
    kind: str | None
    aliases: tuple[str, ...]
    transfers: int
    events: int

    @property
    def label(self) -> str:
        if self.aliases:
            return f"{self.name} ({', '.join(self.aliases)})"
        return self.name


@dataclass(frozen=True)
class ActorProfile:
    actor: dict[str, Any]
    by_year: list[dict[str, Any]] = field(default_factory=list)
    partners: list[dict[str, Any]] = field(default_factory=list)
    systems: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)

    def partner_names(self, direction: str | None = None) -> list[str]:
        return [
            row["partner"] for row in self.partners
            if direction is None or row["direction"] == direction
        ]


def actor_choices(db: Database) -> list[ActorChoice]:
    """Every actor, by name, with how many transfers and events it takes part in."""
    rows = run_read(db, ACTOR_CHOICES, label="profile:choices").rows
    return [
        ActorChoice(r["id"], r["name"], r["kind"], tuple(r["aliases"]), r["transfers"],
                    r["events"])
        for r in rows
    ]


def resolve_actor(choices: list[ActorChoice], text: str | None) -> ActorChoice | None:
    """The actor ``text`` names (an id, a name or an alias, in any case or accents),
    by the explorer's one resolver (explorer/resolve.py); None for no text.

    Raises ``UnknownName`` (with the closest names) or ``AmbiguousName``: the
    page shows the message instead of another actor's profile.
    """
    if not text or not text.strip():
        return None
    table = NameTable("actor", (Entity(c.id, c.name, c.aliases) for c in choices))
    found = table.resolve(text)
    return next(c for c in choices if c.id == found.id)


def actor_profile(db: Database, actor_id: str) -> ActorProfile | None:
    """Everything the profile page shows for one actor id, or None if there is no such actor."""
    params = {"id": actor_id}
    found = run_read(db, ACTOR, params, label="profile:actor").rows
    if not found:
        return None
    return ActorProfile(
        actor=found[0],
        by_year=run_read(db, TRANSFERS_BY_YEAR, params, label="profile:by-year").rows,
        partners=run_read(db, PARTNERS, params, label="profile:partners").rows,
        systems=run_read(db, SYSTEMS, params, label="profile:systems").rows,
        events=run_read(db, EVENTS, params, label="profile:events").rows,
        sources=run_read(db, SOURCES, params, label="profile:sources").rows,
    )
