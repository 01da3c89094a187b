// What SIPRI records Iran delivering to Russia: one row per deal and year.
MATCH (:Actor {id: 'iran'})-[:SUPPLIED]->(t:Transfer {origin: 'sipri'})
      -[:TO]->(:Actor {id: 'russia'}),
      (t)-[:OF]->(w:WeaponSystem)
UNWIND range(0, size(t.delivery_years) - 1) AS i
RETURN t.delivery_years[i] AS year, w.name AS system,
       t.delivered_per_year[i] AS delivered, t.tiv_unit AS tiv_each,
       round(t.delivered_per_year[i] * t.tiv_unit, 1) AS tiv
ORDER BY year, delivered DESC
