// title: "Claims against records: verdicts"
// description: |
//   Each claim of the sources (a transfer from the seed article) set
//   against the SIPRI records of the same supplier and recipient whose weapon
//   system matches it, with a verdict and a one-sentence reason per pair. The
//   rules, as a table with worked examples, are in docs/verdicts.md; this file
//   is the only place that applies them (the Sources page and Home run it).
//
//   match_level — same_system: the record is of the very system the claim
//   names; same_class: the claim is about an unnamed item of a class and the
//   record's system IS_A that class or a narrower one (Hwasong-11, a short-range
//   ballistic missile, for "North Korean ballistic missiles"); broader_class:
//   the two meet only at a class broader than what the claim is about (the claim
//   names one system and the record is another of its class, or the record is
//   classed only above the claim's class).
//
//   time_relation — the record's year against the year of the claim's as-of
//   date: for claims about deliveries the first delivery year (the order year if
//   nothing was delivered), for orders and requests the order year. before,
//   same_year (SIPRI gives years only, so which came first is unknown), after.
//
//   verdict — corroborates, contradicts (a denial, yet deliveries in an earlier
//   year), timing_unclear, later_record, earlier_record, request_met,
//   order_only, broad_match; with unmatched=true a claim that no record bears on
//   is listed once more as no_record.
// params:
//   supplier:
//     type: actor
//     optional: true
//     help: only claims about this supplier
//   recipient:
//     type: actor
//     optional: true
//     help: only claims about this recipient
//   unmatched:
//     type: bool
//     default: false
//     help: also list, as no_record, claims that no record bears on
// view:
//   kind: table
//   columns: [verdict, reason, match_level, time_relation, supplier, recipient,
//     claim_status, claimed, record_system, record_years, shared_class, as_of,
//     quote, attributed_to, claim, record]
// tags: [claims, sipri, sources, classes]

// The claims first, from the origin index (a handful), then their actors: the
// subquery keeps the planner from walking every transfer of every actor instead.
CALL () {
  MATCH (c:Transfer)
  WHERE c.origin = 'seed'
  RETURN c
}
MATCH (s:Actor)-[:SUPPLIED]->(c)-[:TO]->(r:Actor)
WHERE ($supplier IS NULL OR s.id = $supplier)
  AND ($recipient IS NULL OR r.id = $recipient)
MATCH (c)-[:OF]->(wc:WeaponSystem)
// The claim's statement: the strongest, then the most precisely dated one.
CALL (c) {
  MATCH (c)-[e:EVIDENCED_BY]->()
  RETURN e ORDER BY
    CASE e.confidence WHEN 'confirmed' THEN 0 WHEN 'assessed' THEN 1
                      WHEN 'reported' THEN 2 ELSE 3 END,
    // A dated statement before an undated one (DESC would put null first).
    e.as_of IS NULL, size(e.as_of) DESC, e.as_of
  LIMIT 1
}
// What the claim asserts, by its status: a delivery (supply), an order, a denial
// of supply, supplies held back, or a request.
WITH s, r, c, wc, e, toInteger(left(e.as_of, 4)) AS claim_year,
     CASE WHEN c.status IN ['delivered', 'reported'] THEN 'supply'
          WHEN c.status = 'ordered' THEN 'order'
          WHEN c.status = 'not_supplied' THEN 'denial'
          WHEN c.status = 'withheld' THEN 'withheld'
          WHEN c.status IN ['sought', 'considered'] THEN 'request' END AS kind
// Every record of the pair whose system matches the claim's, at its closest
// match level; collected, so a claim without records still gives one row here.
CALL (s, r, c, wc, e, claim_year, kind) {
  MATCH (s)-[:SUPPLIED]->(d:Transfer)-[:TO]->(r)
  WHERE d.origin = 'sipri'
  MATCH (d)-[:OF]->(wd:WeaponSystem)
  CALL (wd, wc) {
    WITH wd, wc WHERE wd = wc
    RETURN 0 AS rank, 0 AS steps, 'same_system' AS level, null AS via
    UNION
    // The record's system IS_A one of the claim's classes or a narrower one: the
    // same class when the claim is about an unnamed item of that class; only a
    // broader class when the claim names a system (any artillery is not a D-30).
    MATCH (wd)-[:IS_A]->(:WeaponClass)-[up:SUBCLASS_OF*0..6]->(k:WeaponClass)<-[:IS_A]-(wc)
    WHERE wd <> wc
    RETURN CASE WHEN wc.generic THEN 1 ELSE 2 END AS rank, size(up) AS steps,
           CASE WHEN wc.generic THEN 'same_class' ELSE 'broader_class' END AS level,
           k.name AS via
    UNION
    // The record's system is classed only above the claim's class (SIPRI's
    // "surface-to-surface missile", ballistic or cruise, for a ballistic missile).
    MATCH (wc)-[:IS_A]->(:WeaponClass)-[up:SUBCLASS_OF*1..6]->(k:WeaponClass)<-[:IS_A]-(wd)
    WHERE wd <> wc
    RETURN 3 AS rank, size(up) AS steps, 'broader_class' AS level, k.name AS via
  }
  WITH d, wd, rank, steps, level, via ORDER BY rank, steps
  WITH d, wd, head(collect({level: level, via: via})) AS best
  WITH d, wd, best.level AS level, best.via AS via,
       CASE kind WHEN 'order' THEN coalesce(d.order_year, d.first_year)
                 WHEN 'request' THEN coalesce(d.order_year, d.first_year)
                 ELSE coalesce(d.first_year, d.order_year) END AS record_year,
       CASE WHEN d.first_year IS NULL
              THEN 'ordered ' + coalesce(toString(d.order_year), 'in an unknown year')
                   + ', no delivery recorded'
            ELSE coalesce('ordered ' + toString(d.order_year) + ', ', '') + 'delivered '
                 + toString(d.first_year)
                 + CASE WHEN d.last_year > d.first_year THEN '–' + toString(d.last_year)
                        ELSE '' END
       END AS years
  WITH d, wd, level, via, record_year, years,
       CASE WHEN record_year IS NULL OR claim_year IS NULL THEN 'unknown'
            WHEN record_year < claim_year THEN 'before'
            WHEN record_year = claim_year THEN 'same_year'
            ELSE 'after' END AS time_relation
  // THE RULES (docs/verdicts.md, "Rules"), in the order they are applied.
  WITH d, wd, level, via, record_year, years, time_relation,
       CASE
         // A broader class can be another system: it never confirms or denies.
         WHEN level = 'broader_class' THEN 'broad_match'
         // A claim about deliveries is met only by records of deliveries.
         WHEN kind IN ['supply', 'denial'] AND d.first_year IS NULL THEN 'order_only'
         // SIPRI gives years only: in the claim's own year, the order is unknown.
         WHEN time_relation IN ['same_year', 'unknown'] THEN 'timing_unclear'
         WHEN time_relation = 'after'
           THEN CASE kind WHEN 'request' THEN 'request_met' ELSE 'later_record' END
         // Before the claim's year:
         WHEN kind IN ['supply', 'order'] THEN 'corroborates'
         WHEN kind = 'denial' THEN 'contradicts'
         // withheld (holding back more) and requests (asking for more) are not
         // answered by what came before them.
         ELSE 'earlier_record'
       END AS verdict
  WITH d, wd, level, via, record_year, years, time_relation, verdict,
       'SIPRI records ' + wd.name
         + CASE WHEN level = 'same_class' THEN ' (a kind of ' + via + ')' ELSE '' END
         + ' ' + years AS recorded,
       CASE WHEN kind IN ['order', 'request'] OR d.first_year IS NULL THEN '; the order ('
            ELSE '; the first delivery (' END
         + coalesce(toString(record_year), 'no year') + ')' AS dated,
       CASE kind WHEN 'request' THEN 'the request of ' ELSE 'the statement of ' END
         + coalesce(e.as_of + CASE WHEN e.as_of_inferred THEN ' (year inferred)' ELSE '' END,
                    '(undated)') AS said
  RETURN collect({
    d: d, wd: wd, level: level, via: via, record_year: record_year, years: years,
    time_relation: time_relation, verdict: verdict,
    reason: CASE verdict
      WHEN 'broad_match'
        THEN 'SIPRI\'s ' + wd.name + ' meets the claimed ' + wc.name
             + ' only through the broader class ' + via
             + ': it may be another system, so it neither confirms nor denies the claim.'
      WHEN 'order_only'
        THEN recorded + ': an order is not a delivery, so it neither confirms nor denies '
             + 'a claim about supply.'
      WHEN 'timing_unclear'
        THEN recorded + dated + CASE time_relation
               WHEN 'same_year' THEN ' is in the year of ' + said
                 + ', and SIPRI gives years only, so whether before or after it is unknown.'
               ELSE ': with no year on one side, whether before or after ' + said
                 + ' is unknown.' END
      WHEN 'later_record'
        THEN recorded + dated + ' is after the year of ' + said
             + ', so it neither confirms nor denies what was true then.'
      WHEN 'request_met'
        THEN recorded + dated + ' is after the year of ' + said
             + ': what was sought was later ordered.'
      WHEN 'corroborates'
        THEN recorded + dated + ' is before the year of ' + said + ', as claimed.'
      WHEN 'contradicts'
        THEN recorded + dated + ' is before the year of ' + said
             + ', which says they were not supplied.'
      WHEN 'earlier_record'
        THEN recorded + dated + ' is before the year of ' + said + ': '
             + CASE kind WHEN 'request' THEN 'an earlier deal does not meet a new request.'
                    ELSE 'holding back more is not contradicted by earlier deliveries.' END
    END
  }) AS pairs
}
// A claim that no record bears on (none, or only earlier, order-only or
// broad-class ones) is listed as no_record when asked for.
WITH s, r, c, wc, e, claim_year, pairs,
     [p IN pairs WHERE p.verdict IN ['corroborates', 'contradicts', 'timing_unclear',
                                     'later_record', 'request_met']] AS bearing
UNWIND pairs + CASE WHEN $unmatched AND size(bearing) = 0 THEN [{
    verdict: 'no_record',
    reason: CASE WHEN size(pairs) = 0
      THEN 'No SIPRI record of ' + s.name + ' → ' + r.name + ' is of the claimed system '
           + 'or its class.'
      ELSE 'No SIPRI record bears on the claim: the ' + toString(size(pairs))
           + CASE size(pairs) WHEN 1 THEN ' that matches it is ' ELSE ' that match it are ' END
           + reduce(text = '', v IN [v IN ['earlier_record', 'order_only', 'broad_match']
                                     WHERE v IN [p IN pairs | p.verdict]] |
                    text + CASE WHEN text = '' THEN '' ELSE ' or ' END + v)
           + '.'
    END
  }] ELSE [] END AS p
RETURN p.verdict AS verdict,
       p.reason AS reason,
       p.level AS match_level,
       p.time_relation AS time_relation,
       s.name AS supplier,
       r.name AS recipient,
       c.status AS claim_status,
       wc.name AS claimed,
       p.wd.name AS record_system,
       p.d.status AS record_status,
       p.years AS record_years,
       p.via AS shared_class,
       e.as_of + CASE WHEN e.as_of_inferred THEN ' (year inferred)' ELSE '' END AS as_of,
       e.quote AS quote,
       e.attributed_to AS attributed_to,
       c.id AS claim,
       p.d.id AS record
ORDER BY CASE verdict WHEN 'contradicts' THEN 0 WHEN 'corroborates' THEN 1
                      WHEN 'timing_unclear' THEN 2 WHEN 'later_record' THEN 3
                      WHEN 'request_met' THEN 4 WHEN 'earlier_record' THEN 5
                      WHEN 'order_only' THEN 6 WHEN 'broad_match' THEN 7 ELSE 8 END,
         supplier, recipient, claim, p.record_year, record
