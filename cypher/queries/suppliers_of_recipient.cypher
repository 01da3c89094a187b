// title: Suppliers of a recipient
// description: |
//   Who supplied an actor in a period, with SIPRI TIV
//   (trend-indicator value, millions), how many SIPRI deals and reported claims
//   (counted apart) and the numbers of each weapon system, optionally for one
//   armament category.
//
//   Numbers are per weapon system (quantity_by_system, "Hwasong-11: 100"): the
//   missiles and the vehicles of a supplier do not add up to one figure.
//   Numbers and TIV count only the deliveries made in the period (not orders,
//   not the numbers a claim gives); a delivery without yearly numbers reads
//   "number unknown". A deal
//   delivered 2020–2024 counts its 2022–2024 deliveries for "from 2022".
//   Transfers known only from claims (no years) count in the year they were
//   stated. TIV is SIPRI's measure of military capability, not a price.
// params:
//   recipient:
//     type: actor
//     default: Ukraine
//     help: the receiving actor (name, alias or id)
//   category:
//     type: string
//     optional: true
//     choices_query: >-
//       MATCH (w:WeaponSystem) WHERE w.category IS NOT NULL RETURN DISTINCT w.category
//       AS value, w.category AS label ORDER BY value
//     help: SIPRI armament category, e.g. Missiles
//   from_year:
//     type: int
//     default: 2022
//     min: 1900
//     max: 2100
//     help: first year of the period
//   to_year:
//     type: int
//     optional: true
//     min: 1900
//     max: 2100
//     help: "last year of the period (default: no end)"
//   statuses:
//     type: list
//     default: [delivered, ordered, reported]
//     choices: statuses
//     help: which transfer statuses count
// view:
//   kind: bar
//   x: supplier
//   y: tiv
// tags: [actors, sipri, tiv]

MATCH (r:Actor {id: $recipient})
MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer)-[:TO]->(r)
WHERE t.status IN $statuses
MATCH (t)-[:OF]->(w:WeaponSystem)
WHERE $category IS NULL OR toLower(w.category) = toLower($category)
// The deliveries inside the period, by index into the parallel lists
// delivery_years / delivered_per_year.
WITH s, t, w, coalesce(t.delivery_years, []) AS years, coalesce($to_year, 9999) AS last
WITH s, t, w, years, last,
     [i IN range(0, size(years) - 1) WHERE $from_year <= years[i] <= last] AS hit,
     // A transfer without delivery years (an order, or a claim) sits in the year
     // it was ordered, or else the year its earliest source stated it.
     CASE WHEN size(years) > 0 THEN null
          WHEN t.order_year IS NOT NULL THEN t.order_year
          ELSE COLLECT { MATCH (t)-[e:EVIDENCED_BY]->() WHERE e.as_of IS NOT NULL
                         RETURN toInteger(left(e.as_of, 4)) AS y ORDER BY y LIMIT 1 }[0]
     END AS undelivered_year
WHERE size(hit) > 0 OR (undelivered_year IS NOT NULL AND $from_year <= undelivered_year <= last)
WITH s, t, w, years, hit,
     size(coalesce(t.delivered_per_year, [])) = size(years) AS per_year_known
WITH s, t, w,
     // Numbers delivered inside the period, and only those: an order's or a claim's
     // quantity is not a delivery. A delivery whose yearly numbers SIPRI does not
     // give is counted as "number unknown" rather than dropped.
     CASE WHEN size(hit) > 0 AND per_year_known
            THEN reduce(q = 0, i IN hit | q + t.delivered_per_year[i])
     END AS quantity,
     size(hit) > 0 AND NOT per_year_known AS number_unknown,
     // TIV per year is proportional to the numbers delivered that year (SIPRI
     // values each delivery as number x unit TIV); else split evenly by year.
     CASE WHEN size(hit) = 0 OR t.tiv_delivered IS NULL THEN null
          WHEN size(hit) = size(years) THEN t.tiv_delivered
          WHEN per_year_known AND coalesce(t.quantity_delivered, 0) > 0
            THEN t.tiv_delivered * reduce(q = 0, i IN hit | q + t.delivered_per_year[i])
                 / toFloat(t.quantity_delivered)
          ELSE t.tiv_delivered * size(hit) / toFloat(size(years))
     END AS tiv
WITH s, round(sum(coalesce(tiv, 0.0)), 2) AS tiv,
     collect({system: w.name, quantity: quantity, unknown: number_unknown}) AS numbers,
     count(DISTINCT CASE WHEN t.origin = 'sipri' THEN t END) AS sipri_deals,
     count(DISTINCT CASE WHEN t.origin <> 'sipri' THEN t END) AS claims,
     collect(DISTINCT w.category) AS categories,
     collect(DISTINCT w.name) AS systems, collect(DISTINCT t.status) AS statuses,
     collect(DISTINCT t) AS ts
RETURN s.name AS supplier, tiv, sipri_deals, claims,
       // Numbers delivered in the period, summed per system only: never across
       // unlike systems.
       COLLECT { UNWIND numbers AS n
                 WITH n WHERE n.quantity IS NOT NULL OR n.unknown
                 WITH n.system AS system, sum(coalesce(n.quantity, 0)) AS number,
                      count(n.quantity) AS known,
                      sum(CASE WHEN n.unknown THEN 1 ELSE 0 END) AS unknown
                 RETURN system + ': '
                        + CASE WHEN known > 0 THEN toString(number) ELSE '' END
                        + CASE WHEN unknown = 0 THEN ''
                               ELSE CASE WHEN known > 0 THEN ' + ' ELSE '' END
                                    + 'number unknown (' + toString(unknown) + ' deal'
                                    + CASE WHEN unknown > 1 THEN 's' ELSE '' END + ')'
                          END AS x
                 ORDER BY x } AS quantity_by_system,
       COLLECT { UNWIND categories AS c RETURN c ORDER BY c } AS categories,
       COLLECT { UNWIND systems AS n RETURN n ORDER BY n } AS systems,
       COLLECT { UNWIND statuses AS x RETURN x ORDER BY x } AS statuses,
       s.id AS supplier_id,
       COLLECT { UNWIND ts AS x MATCH (x)-[:EVIDENCED_BY]->(src:Source)
                 RETURN DISTINCT src.id AS id ORDER BY id } AS source_ids
ORDER BY tiv DESC, sipri_deals DESC, claims DESC, supplier
