// title: Timeline of a pair
// description: |
//   What happened between two actors, in date order: their transfers
//   both ways (SIPRI deliveries and orders, and the claims of the sources), the
//   events one conducted against the other or with weapons the other supplied,
//   and every dated source statement about their transfers.
//
//   Dates keep their precision: "2024" is a year, "2024-04" a month; a label
//   ending "[2024-04-04 (year inferred)]" is dated by a year the source did
//   not print. A SIPRI deal runs from its first to its last delivery year (its
//   order year when nothing was delivered yet); a claim sits at the date it
//   was made.
// params:
//   actor:
//     type: actor
//     default: North Korea
//     help: one side of the pair
//   partner:
//     type: actor
//     default: Russia
//     help: the other side
//   from_year:
//     type: int
//     optional: true
//     min: 1900
//     max: 2100
//     help: leave out what ended before this year
// view:
//   kind: timeline
//   end: end
//   color: kind
// tags: [actors, pairs, events, timeline]

MATCH (a:Actor {id: $actor})
MATCH (b:Actor {id: $partner})
CALL (a, b) {
  // The pair's transfers, both ways, each walked from its supplier.
  CALL (a, b) {
    MATCH (a)-[:SUPPLIED]->(t:Transfer)-[:TO]->(b)
    RETURN a AS s, t, b AS r
    UNION
    MATCH (b)-[:SUPPLIED]->(t:Transfer)-[:TO]->(a)
    RETURN b AS s, t, a AS r
  }
  WITH s, t, r,
       COLLECT { MATCH (t)-[:OF]->(w:WeaponSystem) RETURN w.name ORDER BY w.name } AS systems,
       COLLECT { MATCH (t)-[e:EVIDENCED_BY]->() WHERE e.as_of IS NOT NULL
                 RETURN e.as_of AS d ORDER BY d LIMIT 1 } AS said
  // A transfer with years is a bar; one without sits at its earliest statement.
  WITH s, t, r, systems,
       coalesce(toString(t.first_year), toString(t.order_year), said[0]) AS start
  WHERE start IS NOT NULL
  WITH s, t, r, systems, start,
       CASE WHEN t.last_year IS NOT NULL AND t.last_year <> t.first_year
            THEN toString(t.last_year) END AS finish
  RETURN start AS date, finish AS end, 'transfer' AS kind,
         s.name + ' → ' + r.name + ': ' + reduce(x = '', n IN systems |
           x + CASE WHEN x = '' THEN '' ELSE ', ' END + n)
         + ' (' + t.status
         + coalesce(', ' + coalesce(toString(t.quantity), t.quantity_text), '') + ')' AS label,
         t.status AS status, t.id AS item, t.origin AS origin
  UNION ALL
  // Every dated statement about those transfers, except dataset rows (SIPRI's
  // generation date says nothing about when a deal happened).
  CALL (a, b) {
    MATCH (a)-[:SUPPLIED]->(t:Transfer)-[:TO]->(b)
    RETURN t
    UNION
    MATCH (b)-[:SUPPLIED]->(t:Transfer)-[:TO]->(a)
    RETURN t
  }
  MATCH (t)-[e:EVIDENCED_BY]->(src:Source)
  WHERE e.as_of IS NOT NULL AND src.kind <> 'dataset'
  // One row per statement: Kirby's one sentence backs six sought items.
  WITH e.as_of AS as_of, coalesce(e.as_of_inferred, false) AS inferred, e.quote AS quote,
       coalesce(e.attributed_to, src.title) AS who,
       e.confidence AS confidence, collect(DISTINCT t.id) AS items,
       collect(DISTINCT t.origin) AS origins
  RETURN as_of AS date, null AS end, 'claim' AS kind,
         who + ': “' + quote + '”'
         + CASE WHEN size(items) > 1 THEN ' (' + toString(size(items)) + ' transfers)'
                ELSE '' END
         + CASE WHEN inferred THEN ' [' + as_of + ' (year inferred)]' ELSE '' END AS label,
         confidence AS status, items[0] AS item, origins[0] AS origin
  UNION ALL
  // Events between the two, or using a system one of them supplied the other.
  MATCH (x:Actor)-[:CONDUCTED]->(ev:Event)
  WHERE x IN [a, b]
    AND (EXISTS { (ev)-[:TARGETED]->(y) WHERE y IN [a, b] AND y <> x }
         OR EXISTS { MATCH (ev)-[:USED]->(:WeaponSystem)<-[:OF]-(t:Transfer)-[:TO]->(x),
                           (y:Actor)-[:SUPPLIED]->(t)
                     WHERE y IN [a, b] AND y <> x })
  OPTIONAL MATCH (ev)-[:AT]->(place:Place)
  RETURN ev.date AS date, null AS end, 'event' AS kind,
         ev.title + coalesce(' (' + place.name + ')', '')
         + CASE WHEN ev.date_inferred THEN ' [' + ev.date + ' (year inferred)]' ELSE '' END AS label,
         ev.kind AS status, ev.id AS item, null AS origin
}
WITH date, end, kind, label, status, item, origin
WHERE $from_year IS NULL OR toInteger(left(coalesce(end, date), 4)) >= $from_year
RETURN date, end, kind, label, status, item, origin
ORDER BY date, kind, label
