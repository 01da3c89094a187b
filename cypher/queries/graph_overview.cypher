// title: Graph overview
// description: |
//   What the graph holds: nodes per label, relationships per type,
//   transfers per origin and per status, and the data sources with their dates
//   (SIPRI's generation date, the article's publication) and attribution.
// view:
//   kind: table
//   columns: [section, name, count, date, detail]
// tags: [overview]

// Counts by label and by type come from Neo4j's count store (no scan): each
// count is its own subquery without grouping keys, which is what lets the
// planner read the store. The labels and types are the contract's
// (docs/graph-model.md).
CALL () {
  CALL () { MATCH (n:Actor) RETURN count(n) AS actors }
  CALL () { MATCH (n:WeaponSystem) RETURN count(n) AS systems }
  CALL () { MATCH (n:WeaponClass) RETURN count(n) AS classes }
  CALL () { MATCH (n:Transfer) RETURN count(n) AS transfers }
  CALL () { MATCH (n:Event) RETURN count(n) AS events }
  CALL () { MATCH (n:Place) RETURN count(n) AS places }
  CALL () { MATCH (n:Source) RETURN count(n) AS sources }
  // Bookkeeping, not facts: one per loaded file (docs/loading.md).
  CALL () { MATCH (n:ImportRun) RETURN count(n) AS import_runs }
  UNWIND [['Actor', actors], ['WeaponSystem', systems], ['WeaponClass', classes],
          ['Transfer', transfers], ['Event', events], ['Place', places],
          ['Source', sources], ['ImportRun', import_runs]] AS pair
  RETURN 1 AS o, 'nodes' AS section, pair[0] AS name, pair[1] AS count, null AS date,
         null AS detail
  UNION ALL
  CALL () { MATCH ()-[r:SUPPLIED]->() RETURN count(r) AS supplied }
  CALL () { MATCH ()-[r:TO]->() RETURN count(r) AS to }
  CALL () { MATCH ()-[r:OF]->() RETURN count(r) AS of }
  CALL () { MATCH ()-[r:IS_A]->() RETURN count(r) AS is_a }
  CALL () { MATCH ()-[r:SUBCLASS_OF]->() RETURN count(r) AS subclass_of }
  CALL () { MATCH ()-[r:CONDUCTED]->() RETURN count(r) AS conducted }
  CALL () { MATCH ()-[r:TARGETED]->() RETURN count(r) AS targeted }
  CALL () { MATCH ()-[r:USED]->() RETURN count(r) AS used }
  CALL () { MATCH ()-[r:AT]->() RETURN count(r) AS at }
  CALL () { MATCH ()-[r:LOCATED_IN]->() RETURN count(r) AS located_in }
  CALL () { MATCH ()-[r:EVIDENCED_BY]->() RETURN count(r) AS evidenced_by }
  CALL () { MATCH ()-[r:CITES]->() RETURN count(r) AS cites }
  CALL () { MATCH ()-[r:TRANSFERS_TO]->() RETURN count(r) AS transfers_to }
  UNWIND [['SUPPLIED', supplied], ['TO', to], ['OF', of], ['IS_A', is_a],
          ['SUBCLASS_OF', subclass_of], ['CONDUCTED', conducted], ['TARGETED', targeted],
          ['USED', used], ['AT', at], ['LOCATED_IN', located_in],
          ['EVIDENCED_BY', evidenced_by], ['CITES', cites], ['TRANSFERS_TO', transfers_to]]
    AS pair
  RETURN 2 AS o, 'relationships' AS section, pair[0] AS name, pair[1] AS count, null AS date,
         null AS detail
  UNION ALL
  // Transfers by origin and by status: seeks on the origin and status indexes.
  UNWIND ['seed', 'sipri'] AS origin
  RETURN 3 AS o, 'transfers by origin' AS section, origin AS name,
         COUNT { (t:Transfer {origin: origin}) } AS count,
         null AS date, null AS detail
  UNION ALL
  UNWIND ['delivered', 'ordered', 'reported', 'sought', 'considered', 'not_supplied',
          'withheld'] AS status
  RETURN 4 AS o, 'transfers by status' AS section, status AS name,
         COUNT { (t:Transfer {status: status}) } AS count,
         null AS date, null AS detail
  UNION ALL
  // Top-level sources: datasets, and documents no other source cites.
  MATCH (s:Source)
  WHERE s.kind = 'dataset' OR (s.kind <> 'reference' AND NOT EXISTS { (:Source)-[:CITES]->(s) })
  RETURN 5 AS o, 'sources' AS section, s.title AS name,
         COUNT { (s)<-[:EVIDENCED_BY]-() } AS count,
         coalesce(s.generated, s.published) AS date,
         coalesce(s.attribution, s.publisher, s.author, s.kind) AS detail
}
RETURN section, name, count, date, detail
ORDER BY o, section, name
