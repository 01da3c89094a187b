// title: New supplier–recipient relationships
// description: |
//   Pairs whose first known transfer is in or after a given year:
//   who started arming whom, with what, and how much since (SIPRI deals and
//   the sources' claims counted apart, TIV, statuses, weapon systems).
//
//   The first year is the pair's earliest SIPRI order or delivery year; a pair
//   known only from claims (what North Korea seeks from Russia, had SIPRI no
//   earlier record of the pair) counts from the year its earliest source
//   statement was made. SIPRI's records start with deliveries in 1995, so
//   "first" means first since then.
// params:
//   since:
//     type: int
//     default: 2022
//     min: 1900
//     max: 2100
//     help: first year a new pair may start
//   statuses:
//     type: list
//     default: [delivered, ordered, reported, sought, considered]
//     choices: statuses
//     help: keep pairs with at least one transfer of these statuses
// view:
//   kind: table
//   columns: [supplier, recipient, first_year, first_year_from, systems, sipri_deals,
//     claims, tiv, last_year, statuses]
// tags: [actors, pairs, overview]

// The derived TRANSFERS_TO summary carries each pair's first year, systems and
// totals, so the 2,200 pairs are read once and no Transfer is read — except for
// the few claims-only pairs, whose start is the date of their earliest statement.
MATCH (s:Actor)-[l:TRANSFERS_TO]->(r:Actor)
WHERE (l.first_year >= $since OR l.first_year IS NULL)
  AND any(x IN l.statuses WHERE x IN $statuses)
WITH s, l, r,
     CASE WHEN l.first_year IS NULL
          THEN COLLECT { MATCH (s)-[:SUPPLIED]->(t:Transfer)-[:TO]->(r),
                               (t)-[e:EVIDENCED_BY]->()
                         WHERE e.as_of IS NOT NULL
                         RETURN {year: toInteger(left(e.as_of, 4)),
                                 inferred: coalesce(e.as_of_inferred, false)} AS said
                         ORDER BY said.year, said.inferred LIMIT 1 }[0]
     END AS said
WITH s, l, r, said, coalesce(l.first_year, said.year) AS first_year
WHERE first_year >= $since
RETURN s.name AS supplier,
       r.name AS recipient,
       first_year,
       // What the first year is: a transfer's own years (SIPRI: delivery, else order),
       // or the year a source first spoke of the pair (marked when it was inferred).
       CASE WHEN l.first_year IS NOT NULL THEN 'transfer years'
            WHEN said.inferred THEN 'statement (year inferred)'
            ELSE 'statement' END AS first_year_from,
       l.systems AS systems,
       l.sipri_deals AS sipri_deals,
       l.claims AS claims,
       round(l.tiv, 2) AS tiv,
       l.last_year AS last_year,
       l.statuses AS statuses,
       // Written on the summary at load time: the sources of all the pair's transfers.
       l.source_ids AS source_ids
ORDER BY first_year DESC, tiv DESC, supplier, recipient
