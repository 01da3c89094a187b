// title: "Intermediaries: who passes arms on"
// description: |
//   Two-step chains A → B → C in which B received a weapon system from
//   A and later supplied the same system (or, with match_on=class, one of the same
//   class) to C: Chinese C-802 missiles passed on by Iran to Hezbollah and Syria.
//
//   With match_on=class, a class that gathers several kinds of SIPRI system
//   (artillery: towed guns, rocket launchers, mortars) links only systems SIPRI
//   describes alike, so a towed gun is never "passed on" as a rocket launcher.
//
//   A chain is kept only when its years make it plausible: B's first receipt
//   comes no later than the last year B supplied C. Claims without years are
//   kept and marked "years unknown".
// params:
//   via:
//     type: actor
//     default: Iran
//     help: the intermediary B
//   origin:
//     type: actor
//     optional: true
//     help: only chains starting at this supplier A
//   destination:
//     type: actor
//     optional: true
//     help: only chains ending at this recipient C
//   match_on:
//     type: string
//     default: system
//     choices: [system, class]
//     help: "what B must pass on: the same weapon system, or one of the same class"
// view:
//   kind: table
//   columns: [origin, via, destination, received, passed_on, shared, received_years,
//     passed_years, plausibility, received_transfer, passed_transfer]
// tags: [actors, chains, sipri]

MATCH (b:Actor {id: $via})
// Start from what B received (tens to hundreds of deals), then look for the same
// system — or a system of the same class — among the deals of that system, and
// keep those B supplied: far fewer steps than pairing every deal B supplied
// (3,600 for the United States) with every deal it received.
MATCH (a:Actor)-[:SUPPLIED]->(t1:Transfer)-[:TO]->(b)
WHERE t1.status IN ['delivered', 'reported'] AND a <> b
  AND ($origin IS NULL OR a.id = $origin)
MATCH (t1)-[:OF]->(w1:WeaponSystem)
CALL (w1) {
  RETURN w1 AS w2, w1.name AS shared
  UNION
  WITH w1 WHERE $match_on = 'class'
  MATCH (w1)-[:IS_A]->(k:WeaponClass)<-[:IS_A]-(w2:WeaponSystem)
  WHERE w2 <> w1
    // A class that gathers several kinds of SIPRI system (artillery: towed guns,
    // rocket launchers, mortars) links only systems of the same kind: a towed gun
    // received is no evidence that a rocket launcher passed on came from it.
    AND (size(coalesce(k.sipri_descriptions, [])) < 2 OR w1.description = w2.description)
  RETURN w2, k.name AS shared
}
MATCH (w2)<-[:OF]-(t2:Transfer)<-[:SUPPLIED]-(b)
WHERE t2.status IN ['delivered', 'ordered', 'reported']
  // Received no later than the last year of passing on.
  AND (t1.first_year IS NULL OR t2.last_year IS NULL OR t1.first_year <= t2.last_year)
MATCH (t2)-[:TO]->(c:Actor)
WHERE a <> c
  AND ($destination IS NULL OR c.id = $destination)
// A system sharing two classes with another is one chain, under its first class.
WITH a, b, c, t1, t2, w1, w2, min(shared) AS shared
RETURN a.name AS origin,
       b.name AS via,
       c.name AS destination,
       w1.name AS received,
       w2.name AS passed_on,
       shared,
       CASE WHEN t1.first_year IS NULL THEN null
            WHEN t1.first_year = t1.last_year THEN toString(t1.first_year)
            ELSE toString(t1.first_year) + '–' + toString(t1.last_year) END AS received_years,
       CASE WHEN t2.first_year IS NULL THEN null
            WHEN t2.first_year = t2.last_year THEN toString(t2.first_year)
            ELSE toString(t2.first_year) + '–' + toString(t2.last_year) END AS passed_years,
       CASE WHEN t1.first_year IS NULL OR t2.first_year IS NULL THEN 'years unknown'
            WHEN t1.first_year < t2.first_year THEN 'received first'
            ELSE 'received and passed on in overlapping years' END AS plausibility,
       t1.id AS received_transfer,
       t2.id AS passed_transfer
ORDER BY origin, destination, t2.first_year, received
