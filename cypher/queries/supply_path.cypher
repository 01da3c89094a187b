// title: Shortest supply path between two actors
// description: |
//   The shortest chains of supplier → recipient links from one actor
//   to another (all of them, up to 25), drawn as a graph: how arms from one
//   could reach the other, and through whom.
//
//   Each link is a supplier–recipient pair with at least one transfer of the
//   chosen statuses, active in or after since_year; undirected=true also
//   follows links backwards (who is connected to whom at all). A link does not
//   prove that the same weapons moved along the whole chain — use
//   "Intermediaries" for that.
// params:
//   source:
//     type: actor
//     default: North Korea
//     help: where the path starts
//   target:
//     type: actor
//     default: Belarus
//     help: where the path ends
//   max_hops:
//     type: int
//     default: 4
//     min: 1
//     max: 6
//     help: the longest path to look for
//   since_year:
//     type: int
//     optional: true
//     min: 1900
//     max: 2100
//     help: only links with transfers in or after this year
//   statuses:
//     type: list
//     default: [delivered, ordered, reported]
//     choices: statuses
//     help: which transfer statuses make a link
//   undirected:
//     type: bool
//     default: false
//     help: also follow links from recipient to supplier
// view: graph
// tags: [actors, paths, graph]

MATCH (a:Actor {id: $source})
MATCH (b:Actor {id: $target})
WHERE a <> b
// Breadth-first over the derived TRANSFERS_TO links (a few thousand), bounded
// at 6 hops; the link filter is applied during the search.
CALL (a, b) {
  WITH a, b WHERE NOT $undirected
  MATCH p = allShortestPaths((a)-[:TRANSFERS_TO*..6]->(b))
  WHERE all(l IN relationships(p) WHERE any(x IN l.statuses WHERE x IN $statuses)
            AND ($since_year IS NULL OR l.last_year >= $since_year))
  RETURN p
  UNION
  WITH a, b WHERE $undirected
  MATCH p = allShortestPaths((a)-[:TRANSFERS_TO*..6]-(b))
  WHERE all(l IN relationships(p) WHERE any(x IN l.statuses WHERE x IN $statuses)
            AND ($since_year IS NULL OR l.last_year >= $since_year))
  RETURN p
}
WITH p WHERE length(p) <= $max_hops
RETURN p, length(p) AS hops
LIMIT 25
