// title: "What flows back: flows between two actors"
// description: |
//   Everything that passes between two actors, both directions side
//   by side: deliveries and orders from SIPRI, and the claims of the sources —
//   items sought, considered, not supplied or withheld included.
//
//   North Korea ⇄ Russia is the canonical case: missiles one way, fighter jets,
//   air defence and technology sought the other way. One row per transfer,
//   with its strongest source statement (the quote, who said it, its as-of
//   date, confidence) and how many statements back it. `quantity` is the
//   transfer's own number of items, as the source words it.
// params:
//   actor:
//     type: actor
//     default: North Korea
//     help: one side of the pair
//   partner:
//     type: actor
//     default: Russia
//     help: the other side
//   statuses:
//     type: list
//     default: all
//     choices: statuses
//     help: which transfer statuses to include
//   from_year:
//     type: int
//     optional: true
//     min: 1900
//     max: 2100
//     help: drop transfers whose years all end before this
// view:
//   kind: table
//   columns: [direction, status, system, attributed_to, as_of, quote, confidence, quantity,
//     years, tiv, classes, source, statements, origin, transfer]
// tags: [actors, pairs, claims]

MATCH (a:Actor {id: $actor})
MATCH (b:Actor {id: $partner})
// Both directions, each walked from its supplier: the pair's transfers only.
CALL (a, b) {
  MATCH (a)-[:SUPPLIED]->(t:Transfer)-[:TO]->(b)
  RETURN a AS s, t, b AS r, 0 AS side
  UNION
  MATCH (b)-[:SUPPLIED]->(t:Transfer)-[:TO]->(a)
  RETURN b AS s, t, a AS r, 1 AS side
}
WITH s, t, r, side
WHERE t.status IN $statuses
  AND ($from_year IS NULL OR t.last_year IS NULL OR t.last_year >= $from_year)
// The strongest statement first: confirmed > assessed > reported > claimed.
CALL (t) {
  MATCH (t)-[e:EVIDENCED_BY]->(src:Source)
  RETURN e, src
  ORDER BY CASE e.confidence WHEN 'confirmed' THEN 0 WHEN 'assessed' THEN 1
                             WHEN 'reported' THEN 2 ELSE 3 END,
           e.as_of IS NULL, e.as_of DESC  // dated first: DESC alone puts null first
  LIMIT 1
}
RETURN s.name + ' → ' + r.name AS direction,
       t.status AS status,
       COLLECT { MATCH (t)-[:OF]->(w:WeaponSystem) RETURN w.name ORDER BY w.name } AS system,
       COLLECT { MATCH (t)-[:OF]->(:WeaponSystem)-[:IS_A]->(c:WeaponClass)
                 RETURN DISTINCT c.name ORDER BY c.name } AS classes,
       coalesce(toString(t.quantity), t.quantity_text) AS quantity,
       CASE WHEN t.first_year IS NULL THEN null
            WHEN t.first_year = t.last_year THEN toString(t.first_year)
            ELSE toString(t.first_year) + '–' + toString(t.last_year) END AS years,
       coalesce(t.tiv_delivered, t.tiv_total) AS tiv,
       e.confidence AS confidence,
       e.as_of + CASE WHEN e.as_of_inferred THEN ' (year inferred)' ELSE '' END AS as_of,
       e.attributed_to AS attributed_to,
       src.title AS source,
       e.quote AS quote,
       COUNT { (t)-[:EVIDENCED_BY]->() } AS statements,
       t.origin AS origin,
       t.id AS transfer
ORDER BY side,
         CASE t.status WHEN 'delivered' THEN 0 WHEN 'ordered' THEN 1 WHEN 'reported' THEN 2
                       WHEN 'sought' THEN 3 WHEN 'considered' THEN 4 WHEN 'withheld' THEN 5
                       ELSE 6 END,
         t.first_year, transfer
