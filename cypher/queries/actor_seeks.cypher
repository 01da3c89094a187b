// title: What an actor seeks
// description: |
//   What an actor seeks or is considered for, from whom, per source
//   statement: the quote, its as-of date, how sure the source is and who said it.
//
//   A request is a transfer towards the actor with status sought (or considered):
//   what North Korea wants from Russia in exchange for its missiles is six items
//   per John Kirby plus help on ICBMs per The New York Times.
// params:
//   actor:
//     type: actor
//     default: North Korea
//     help: the actor that seeks (the would-be recipient)
//   supplier:
//     type: actor
//     optional: true
//     help: only requests addressed to this supplier
//   statuses:
//     type: list
//     default: [sought]
//     choices: statuses
//     help: >-
//       which statuses count as a request; add considered for what the supplier is
//       weighing
// view:
//   kind: table
//   columns: [item, supplier, status, attributed_to, as_of, quote, confidence, source,
//     transfer]
// tags: [actors, claims, sources]

MATCH (r:Actor {id: $actor})
MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer)-[:TO]->(r)
WHERE t.status IN $statuses
  AND ($supplier IS NULL OR s.id = $supplier)
MATCH (t)-[e:EVIDENCED_BY]->(src:Source)
RETURN COLLECT { MATCH (t)-[:OF]->(w:WeaponSystem) RETURN w.name ORDER BY w.name }[0] AS item,
       s.name AS supplier,
       t.status AS status,
       e.quote AS quote,
       // The mark travels with the date: the source did not print the year
       // (docs/reading-results.md).
       e.as_of + CASE WHEN e.as_of_inferred THEN ' (year inferred)' ELSE '' END AS as_of,
       e.confidence AS confidence,
       e.attributed_to AS attributed_to,
       src.title AS source,
       t.id AS transfer
ORDER BY supplier, e.as_of, attributed_to, item
