// title: Claims against records: corroboration and contradiction
// description: Each claim of the sources (a transfer from the seed article)
//   set against the SIPRI records of the same supplier and recipient whose
//   weapon system is the same, or of the claim's class or a narrower one
//   (Hwasong-11 is a short-range ballistic missile, so it answers a claim
//   about North Korean ballistic missiles).
//
//   verdict: corroborates (a delivery claimed, a delivery recorded by then),
//   contradicts (not supplied, yet recorded delivered by that year; or withheld,
//   yet recorded delivered in or after that year), consistent (the record
//   neither confirms nor denies: a later record, or a request met before or
//   after), no record (with unmatched=true). time_context sets the statement's
//   as-of date against the record's years: SIPRI gives years only, so a record
//   in the statement's own year may come before or after it.
// param: supplier (actor, optional) — only claims about this supplier
// param: recipient (actor, optional) — only claims about this recipient
// param: unmatched (bool) = false — also list claims no record matches
// view: table
//   columns: [verdict, supplier, recipient, claim_status, claimed, record_system, record_status, shared_class, time_context, quote, attributed_to, as_of, claim, record]
// tags: claims, sipri, sources, classes

// The claims first, from the origin index (a handful), then their actors: the
// subquery keeps the planner from walking every transfer of every actor instead.
CALL () {
  MATCH (c:Transfer)
  WHERE c.origin = 'seed'
  RETURN c
}
MATCH (s:Actor)-[:SUPPLIED]->(c)-[:TO]->(r:Actor)
WHERE ($supplier IS NULL OR s.id = $supplier OR s.name_key = $supplier_key
       OR $supplier IN s.aliases)
  AND ($recipient IS NULL OR r.id = $recipient OR r.name_key = $recipient_key
       OR $recipient IN r.aliases)
MATCH (c)-[:OF]->(wc:WeaponSystem)
// The claim's statement: the strongest, then the most precisely dated one.
CALL (c) {
  MATCH (c)-[e:EVIDENCED_BY]->()
  RETURN e ORDER BY
    CASE e.confidence WHEN 'confirmed' THEN 0 WHEN 'assessed' THEN 1
                      WHEN 'reported' THEN 2 ELSE 3 END,
    size(e.as_of) DESC, e.as_of
  LIMIT 1
}
// Records of the same pair whose system is the claim's, or whose class lies
// at or below one of the claim's classes (SUBCLASS_OF bounded by the taxonomy).
OPTIONAL CALL (s, r, wc) {
  MATCH (s)-[:SUPPLIED]->(d:Transfer)-[:TO]->(r)
  WHERE d.origin = 'sipri'
  MATCH (d)-[:OF]->(wd:WeaponSystem)
  CALL (wd, wc) {
    WITH wd, wc WHERE wd = wc
    RETURN 0 AS steps, null AS shared
    UNION
    MATCH (wd)-[:IS_A]->(:WeaponClass)-[up:SUBCLASS_OF*0..6]->(cc:WeaponClass)<-[:IS_A]-(wc)
    RETURN size(up) AS steps, cc.name AS shared
  }
  WITH d, wd, steps, shared ORDER BY steps
  RETURN d, wd, collect(shared)[0] AS shared_class
}
WITH s, r, c, wc, e, d, wd, shared_class, toInteger(left(e.as_of, 4)) AS cy,
     coalesce(d.first_year, d.order_year) AS rf, coalesce(d.last_year, d.order_year) AS rl
WHERE d IS NOT NULL OR $unmatched
WITH s, r, c, wc, e, d, wd, shared_class, cy, rf, rl,
     d IS NOT NULL AND d.status = 'delivered' AS delivered
RETURN CASE
         WHEN d IS NULL THEN 'no record'
         WHEN c.status IN ['delivered', 'reported', 'ordered']
           THEN CASE WHEN rf <= cy THEN 'corroborates' ELSE 'consistent' END
         WHEN c.status = 'not_supplied' AND delivered AND rf <= cy THEN 'contradicts'
         WHEN c.status = 'withheld' AND delivered AND rl >= cy THEN 'contradicts'
         ELSE 'consistent'
       END AS verdict,
       s.name AS supplier,
       r.name AS recipient,
       c.status AS claim_status,
       wc.name AS claimed,
       wd.name AS record_system,
       d.status AS record_status,
       shared_class,
       CASE WHEN d IS NULL THEN 'no SIPRI record of this pair and class'
         ELSE 'statement ' + e.as_of + '; SIPRI '
           + CASE WHEN d.first_year IS NULL THEN 'order ' + toString(d.order_year)
                  WHEN d.first_year = d.last_year
                    THEN 'deliveries ' + toString(d.first_year)
                  ELSE 'deliveries ' + toString(d.first_year) + '–' + toString(d.last_year)
             END
           + coalesce(' (ordered ' + toString(d.order_year) + ')', '') + ': '
           + CASE WHEN rl < cy THEN 'before the statement'
                  WHEN rf > cy THEN 'after the statement'
                  WHEN rf = cy AND rl = cy
                    THEN "in the statement's year — before or after it is unknown"
                  ELSE "spanning the statement's year" END
       END AS time_context,
       e.quote AS quote,
       e.attributed_to AS attributed_to,
       e.as_of AS as_of,
       c.id AS claim,
       d.id AS record
ORDER BY CASE verdict WHEN 'contradicts' THEN 0 WHEN 'corroborates' THEN 1
                      WHEN 'consistent' THEN 2 ELSE 3 END,
         supplier, recipient, claim, rf, record
