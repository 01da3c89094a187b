// title: Map of actors and events
// description: |
//   Where the actors sit (their capital) and where events happened,
//   with latitude and longitude for the map. Actors are sized by their number
//   of transfers, places of events by their number of events.
//
//   Only actors with a known place (the seed actors) appear; SIPRI-only actors
//   have no coordinates. With an actor, the map shows it, its direct supply
//   partners and the events it conducted or was targeted by.
// params:
//   actor:
//     type: actor
//     optional: true
//     help: focus on one actor and its partners
//   from_year:
//     type: int
//     optional: true
//     min: 1900
//     max: 2100
//     help: only events in or after this year
// view:
//   kind: map
//   label: label
//   size: size
//   color: kind
// tags: [map, actors, events]

// A null $actor matches no focus: the whole map.
OPTIONAL MATCH (focus:Actor {id: $actor})
CALL (focus) {
  MATCH (a:Actor)-[:LOCATED_IN]->(p:Place)
  WHERE focus IS NULL OR a = focus OR EXISTS { (a)-[:TRANSFERS_TO]-(focus) }
  RETURN p.lat AS lat, p.lon AS lon, a.name + ' (' + p.name + ')' AS label, 'actor' AS kind,
         COUNT { (a)-[:SUPPLIED]->() } + COUNT { ()-[:TO]->(a) } AS size, a.id AS item,
         COLLECT { MATCH (a)-[:SUPPLIED|TO]-(:Transfer)-[:EVIDENCED_BY]->(src:Source)
                   RETURN DISTINCT src.id AS id
                   UNION MATCH (p)-[:EVIDENCED_BY]->(src:Source) RETURN src.id AS id } AS source_ids
  UNION ALL
  MATCH (e:Event)-[:AT]->(p:Place)
  WHERE ($from_year IS NULL OR e.year >= $from_year)
    AND (focus IS NULL OR EXISTS { (focus)-[:CONDUCTED]->(e) }
         OR EXISTS { (e)-[:TARGETED]->(focus) })
  WITH p, collect(e) AS events
  RETURN p.lat AS lat, p.lon AS lon,
         p.name + ': ' + reduce(x = '', e IN events |
           x + CASE WHEN x = '' THEN '' ELSE '; ' END + e.date
             + CASE WHEN e.date_inferred THEN ' (year inferred)' ELSE '' END
             + ' ' + e.title) AS label,
         'event' AS kind, size(events) AS size, p.id AS item,
         COLLECT { UNWIND events AS e MATCH (e)-[:EVIDENCED_BY]->(src:Source)
                   RETURN DISTINCT src.id AS id
                   UNION MATCH (p)-[:EVIDENCED_BY]->(src:Source) RETURN src.id AS id } AS source_ids
}
WITH lat, lon, label, kind, size, item, source_ids
WHERE lat IS NOT NULL AND lon IS NOT NULL
RETURN lat, lon, label, kind, size, item, source_ids
ORDER BY kind, label
