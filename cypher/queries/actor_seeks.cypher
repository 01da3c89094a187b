// title: What an actor seeks
// description: What an actor seeks or is considered for, from whom, per source
//   statement: the quote, its as-of date, how sure the source is and who said it.
//
//   A request is a transfer towards the actor with status sought (or considered):
//   what North Korea wants from Russia in exchange for its missiles is six items
//   per John Kirby plus help on ICBMs per The New York Times.
// param: actor (actor) = "North Korea" — the actor that seeks (the would-be recipient)
// param: supplier (actor, optional) — only requests addressed to this supplier
// param: statuses (list) = [sought]
//   choices: [sought, considered, ordered, reported, delivered, not_supplied, withheld]
//   help: which statuses count as a request; add considered for what the
//     supplier is weighing
// view: table
//   columns: [item, supplier, status, quote, as_of, confidence, attributed_to, source, transfer]
// tags: actors, claims, sources

MATCH (r:Actor)
WHERE r.id = $actor OR r.name_key = $actor_key OR $actor IN r.aliases
MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer)-[:TO]->(r)
WHERE t.status IN $statuses
  AND ($supplier IS NULL OR s.id = $supplier OR s.name_key = $supplier_key
       OR $supplier IN s.aliases)
MATCH (t)-[e:EVIDENCED_BY]->(src:Source)
RETURN COLLECT { MATCH (t)-[:OF]->(w:WeaponSystem) RETURN w.name ORDER BY w.name }[0] AS item,
       s.name AS supplier,
       t.status AS status,
       e.quote AS quote,
       e.as_of AS as_of,
       e.confidence AS confidence,
       e.attributed_to AS attributed_to,
       src.title AS source,
       t.id AS transfer
ORDER BY supplier, as_of, attributed_to, item
