// title: From supply to use
// description: |
//   Transfers whose weapons were then used by the recipient against a
//   third party: North Korean missiles delivered to Russia, fired at Ukraine —
//   with the dates and places of the strikes.
//
//   A transfer meets an event when the event used the same weapon system, or —
//   through the class taxonomy — a system of a related class: SIPRI's
//   Hwasong-11 is a short-range ballistic missile, a kind of the ballistic
//   missiles the strikes used. `link` says which, `class_steps` how far apart
//   the classes are (0 = same system or class). A class link is not made when
//   the system used is known to come from another supplier (Iranian Fath-360s
//   are not the North Korean missiles of a strike), nor for deliveries that
//   ended long before the event.
// params:
//   supplier:
//     type: actor
//     optional: true
//     help: "only transfers from this supplier (default: all)"
//   recipient:
//     type: actor
//     optional: true
//     help: only transfers to this user of the weapons
//   statuses:
//     type: list
//     default: [delivered, reported]
//     choices: statuses
//     help: which transfer statuses count as supplied
//   class_links:
//     type: bool
//     default: true
//     help: also link systems through their classes, not only the same system
//   max_gap_years:
//     type: int
//     default: 5
//     min: 0
//     max: 100
//     help: >-
//       only transfers delivered by the event's year and at most this many years
//       before it (claims without years always count)
// view:
//   kind: table
//   columns: [supplier, recipient, system_supplied, link, class_steps, system_used, event,
//     date, place, target, transfer, origin, years]
// tags: [events, transfers, classes]

// Start from the events: they are few, and each names the systems it used.
MATCH (r:Actor)-[:CONDUCTED]->(ev:Event)-[:USED]->(u:WeaponSystem)
WHERE $recipient IS NULL OR r.id = $recipient
MATCH (ev)-[:TARGETED]->(victim:Actor)
MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer)-[:TO]->(r)
WHERE t.status IN $statuses AND victim <> s AND victim <> r
  AND (t.first_year IS NULL OR ev.year IS NULL
       OR (t.first_year <= ev.year AND t.last_year >= ev.year - $max_gap_years))
  AND ($supplier IS NULL OR s.id = $supplier)
MATCH (t)-[:OF]->(w:WeaponSystem)
// Who is known to have supplied the system used (the generic "North Korean
// ballistic missile" comes from North Korea): a class link needs that supplier.
WITH s, t, r, w, u, ev, victim,
     COLLECT { MATCH (o:Actor)-[:SUPPLIED]->(:Transfer)-[:OF]->(u) RETURN DISTINCT o } AS makers
WITH s, t, r, w, u, ev, victim, size(makers) = 0 OR s IN makers AS class_ok
// The shortest class chain between what was supplied and what was used, in
// either direction (a specific system supplied, a generic one used, or the
// reverse); SUBCLASS_OF is bounded by the depth of the taxonomy.
CALL (w, u, class_ok) {
  WITH w, u WHERE w = u
  RETURN 'same system' AS link, 0 AS class_steps
  UNION
  WITH w, u WHERE w <> u AND $class_links AND class_ok
  MATCH (w)-[:IS_A]->(cw:WeaponClass), (u)-[:IS_A]->(cu:WeaponClass)
  MATCH chain = (cw)-[:SUBCLASS_OF*0..6]->(cu)
  RETURN CASE WHEN cw = cu THEN 'same class: ' + cw.name
              ELSE 'supplied ' + cw.name + ' is a kind of ' + cu.name END AS link,
         length(chain) AS class_steps
  UNION
  WITH w, u WHERE w <> u AND $class_links AND class_ok
  MATCH (w)-[:IS_A]->(cw:WeaponClass), (u)-[:IS_A]->(cu:WeaponClass)
  MATCH chain = (cu)-[:SUBCLASS_OF*1..6]->(cw)
  RETURN 'used ' + cu.name + ' is a kind of ' + cw.name AS link, length(chain) AS class_steps
}
WITH s, t, r, w, u, ev, victim, link, class_steps
ORDER BY class_steps
WITH s, t, r, w, u, ev, victim, collect(link)[0] AS link, min(class_steps) AS class_steps
OPTIONAL MATCH (ev)-[:AT]->(place:Place)
RETURN s.name AS supplier,
       r.name AS recipient,
       w.name AS system_supplied,
       link,
       class_steps,
       u.name AS system_used,
       ev.title AS event,
       ev.date + CASE WHEN ev.date_inferred THEN ' (year inferred)' ELSE '' END AS date,
       place.name AS place,
       victim.name AS target,
       t.id AS transfer,
       t.origin AS origin,
       CASE WHEN t.first_year IS NULL THEN null
            WHEN t.first_year = t.last_year THEN toString(t.first_year)
            ELSE toString(t.first_year) + '–' + toString(t.last_year) END AS years
ORDER BY supplier, class_steps, ev.date, transfer
