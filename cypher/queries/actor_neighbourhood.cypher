// title: Actor neighbourhood
// description: |
//   Who an actor arms and who arms it, and — one or two hops further —
//   who arms them: each arrow is one supplier → recipient pair, summarising all
//   its transfers (SIPRI deals and the sources' claims counted apart, TIV,
//   statuses, years, systems).
//
//   Pick the actor by name, alias or id ("DPRK" finds North Korea). A pair is
//   drawn when one of its statuses is selected and its years overlap the range;
//   pairs known only from claims (no years) are always kept. Use "Flows between
//   two actors" for the transfers behind an arrow.
// params:
//   actor:
//     type: actor
//     default: North Korea
//     help: the actor to centre on
//   depth:
//     type: int
//     default: 1
//     min: 1
//     max: 3
//     help: how many supplier/recipient hops to follow
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
//     help: only pairs with transfers in or after this year
//   to_year:
//     type: int
//     optional: true
//     min: 1900
//     max: 2100
//     help: only pairs with transfers in or before this year
// view: graph
// tags: [actors, overview, graph]

// Why TRANSFERS_TO and not the Transfer nodes: a depth-2 neighbourhood of Russia
// holds thousands of transfers but a few hundred actor pairs; the derived
// summary keeps the drawing readable and the query fast. The neighbourhood is
// every pair touching an actor closer than `depth` hops (BFS by ANY SHORTEST,
// which visits each actor once instead of enumerating paths).
MATCH (centre:Actor {id: $actor})
CALL (centre) {
  MATCH p = ANY SHORTEST (centre)(()-[l:TRANSFERS_TO
      WHERE any(s IN l.statuses WHERE s IN $statuses)
        AND ($from_year IS NULL OR l.last_year IS NULL OR l.last_year >= $from_year)
        AND ($to_year IS NULL OR l.first_year IS NULL OR l.first_year <= $to_year)
    ]-()){0,2}(inner:Actor)
  WHERE length(p) < $depth
  RETURN DISTINCT inner
}
MATCH (inner)-[link:TRANSFERS_TO]-(:Actor)
WHERE any(s IN link.statuses WHERE s IN $statuses)
  AND ($from_year IS NULL OR link.last_year IS NULL OR link.last_year >= $from_year)
  AND ($to_year IS NULL OR link.first_year IS NULL OR link.first_year <= $to_year)
WITH DISTINCT link
RETURN startNode(link) AS supplier, link, endNode(link) AS recipient
ORDER BY link.tiv DESC, supplier.name, recipient.name
