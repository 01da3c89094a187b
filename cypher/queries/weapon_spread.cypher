// title: Spread of a weapon system
// description: |
//   Who received a weapon system, from whom and when: the spread of
//   the Shahed-136 (Geran-2 in Russian service) from Iran to Russia and beyond.
//
//   Pick the system by name, alias or id (Geran-2, KN-23, ws-hwasong-11). With
//   same_class, every system of its class comes too (all one-way attack drones
//   for the Shahed-136), so designs built under another name show up.
// params:
//   system:
//     type: weapon_system
//     default: Shahed-136
//     help: the weapon system to follow
//   same_class:
//     type: bool
//     default: false
//     help: also follow the other systems of its classes
//   statuses:
//     type: list
//     default: [delivered, ordered, reported]
//     choices: statuses
//     help: which transfer statuses to include
// view:
//   kind: table
//   columns: [system, supplier, recipient, status, quantity, years, order_year, tiv, origin,
//     sources, transfer]
// tags: [weapons, sipri]

MATCH (w:WeaponSystem {id: $system})
// The system itself, plus — when asked — the systems sharing one of its classes.
CALL (w) {
  RETURN w AS x
  UNION
  WITH w WHERE $same_class
  MATCH (w)-[:IS_A]->(:WeaponClass)<-[:IS_A]-(x:WeaponSystem)
  RETURN x
}
MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer)-[:OF]->(x)
WHERE t.status IN $statuses
MATCH (t)-[:TO]->(r:Actor)
RETURN x.name AS system,
       s.name AS supplier,
       r.name AS recipient,
       t.status AS status,
       coalesce(toString(t.quantity), t.quantity_text) AS quantity,
       CASE WHEN t.first_year IS NULL THEN null
            WHEN t.first_year = t.last_year THEN toString(t.first_year)
            ELSE toString(t.first_year) + '–' + toString(t.last_year) END AS years,
       t.order_year AS order_year,
       coalesce(t.tiv_delivered, t.tiv_total) AS tiv,
       t.origin AS origin,
       COLLECT { MATCH (t)-[:EVIDENCED_BY]->(src:Source) RETURN DISTINCT src.title } AS sources,
       t.id AS transfer
ORDER BY coalesce(t.first_year, t.order_year), supplier, recipient, system
