// title: An actor's arms trade by year
// description: |
//   SIPRI trend-indicator value (TIV, millions) an actor supplied and
//   received each year: Russia's exports falling while its imports from Iran and
//   North Korea begin.
//
//   Each deal's TIV is spread over its delivery years in proportion to the
//   numbers delivered. Claims without TIV (the seed article's) do not count.
// params:
//   actor:
//     type: actor
//     default: Russia
//     help: the actor (name, alias or id)
//   from_year:
//     type: int
//     default: 1995
//     min: 1900
//     max: 2100
//     help: first year shown
//   to_year:
//     type: int
//     optional: true
//     min: 1900
//     max: 2100
//     help: last year shown
// view:
//   kind: line
//   x: year
//   y: tiv
//   color: role
// tags: [actors, sipri, tiv, trend]

MATCH (a:Actor {id: $actor})
CALL (a) {
  MATCH (a)-[:SUPPLIED]->(t:Transfer)
  RETURN 'supplied' AS role, t
  UNION ALL
  MATCH (t:Transfer)-[:TO]->(a)
  RETURN 'received' AS role, t
}
WITH role, t, coalesce(t.delivery_years, []) AS years
WHERE t.tiv_delivered IS NOT NULL AND size(years) > 0
  AND t.last_year >= $from_year AND ($to_year IS NULL OR t.first_year <= $to_year)
// Per-year shares: numbers delivered that year over the deal's total, else even.
WITH role, t, years,
     size(coalesce(t.delivered_per_year, [])) = size(years)
       AND coalesce(t.quantity_delivered, 0) > 0 AS by_number
UNWIND range(0, size(years) - 1) AS i
WITH role, t, years[i] AS year,
     CASE WHEN by_number
          THEN t.tiv_delivered * t.delivered_per_year[i] / toFloat(t.quantity_delivered)
          ELSE t.tiv_delivered / size(years) END AS tiv
WHERE year >= $from_year AND ($to_year IS NULL OR year <= $to_year)
WITH year, role, round(sum(tiv), 1) AS tiv, count(DISTINCT t) AS sipri_deals,
     collect(DISTINCT t) AS ts
// Only SIPRI's deals carry TIV, so the count is of SIPRI deals.
RETURN year, role, tiv, sipri_deals,
       COLLECT { UNWIND ts AS x MATCH (x)-[:EVIDENCED_BY]->(src:Source)
                 RETURN DISTINCT src.id AS id ORDER BY id } AS source_ids
ORDER BY year, role
