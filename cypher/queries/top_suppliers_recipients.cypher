// title: Top suppliers and recipients by TIV
// description: |
//   The biggest suppliers and recipients of major arms in a period,
//   by SIPRI trend-indicator value (TIV, millions) of the deliveries made in it.
//
//   A deal delivered over several years counts only its deliveries inside the
//   period, valued in proportion to the numbers delivered each year. Claims
//   without TIV (the seed article's) do not count.
// params:
//   from_year:
//     type: int
//     default: 2020
//     min: 1900
//     max: 2100
//     help: first year of the period
//   to_year:
//     type: int
//     default: 2025
//     min: 1900
//     max: 2100
//     help: last year of the period
//   role:
//     type: string
//     default: both
//     choices: [both, supplier, recipient]
//     help: rank suppliers, recipients or both
//   top:
//     type: int
//     default: 10
//     min: 1
//     max: 100
//     help: how many actors per role
// view:
//   kind: bar
//   x: actor
//   y: tiv
//   color: role
// tags: [overview, sipri, tiv]

// A range seek on the last_year index (cypher/schema.cypher) reads only the
// deals still delivering in or after from_year — a fifth of SIPRI's for 2020 —
// instead of every deal that started before to_year.
// (coalesce keeps the planner from seeking first_year instead, which would read
// nearly every deal.)
MATCH (t:Transfer)
WHERE t.last_year >= $from_year
  AND coalesce(t.first_year, t.last_year) <= $to_year AND t.tiv_delivered IS NOT NULL
WITH t, coalesce(t.delivery_years, []) AS years
WITH t, years, [i IN range(0, size(years) - 1) WHERE $from_year <= years[i] <= $to_year] AS hit
WHERE size(hit) > 0
WITH t, CASE
          WHEN size(hit) = size(years) THEN t.tiv_delivered
          WHEN size(coalesce(t.delivered_per_year, [])) = size(years)
               AND coalesce(t.quantity_delivered, 0) > 0
            THEN t.tiv_delivered * reduce(q = 0, i IN hit | q + t.delivered_per_year[i])
                 / toFloat(t.quantity_delivered)
          ELSE t.tiv_delivered * size(hit) / toFloat(size(years))
        END AS tiv
// One walk per deal to its two ends; SUPPLIED and TO always join Actors
// (docs/graph-model.md), so the ends need no label check.
MATCH (s)-[:SUPPLIED]->(t)-[:TO]->(r)
UNWIND [['supplier', s], ['recipient', r]] AS end
WITH end[0] AS role, end[1] AS a, tiv AS value, t
WHERE $role IN ['both', role]
// Only SIPRI's deals carry TIV, so the count is of SIPRI deals.
WITH role, a, sum(value) AS tiv, count(*) AS sipri_deals, collect(t) AS ts
ORDER BY tiv DESC
WITH role, collect({a: a, tiv: tiv, sipri_deals: sipri_deals, ts: ts})[0..$top] AS ranked
UNWIND range(0, size(ranked) - 1) AS i
RETURN role,
       i + 1 AS rank,
       ranked[i].a.name AS actor,
       round(ranked[i].tiv, 1) AS tiv,
       ranked[i].sipri_deals AS sipri_deals,
       ranked[i].a.id AS actor_id,
       COLLECT { UNWIND ranked[i].ts AS x MATCH (x)-[:EVIDENCED_BY]->(src:Source)
                 RETURN DISTINCT src.id AS id ORDER BY id } AS source_ids
ORDER BY role DESC, rank
