// Who delivered arms to Russia in 2022 or later? One row per supplier.
MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer)-[:TO]->(:Actor {name: 'Russia'})
WHERE t.status = 'delivered' AND t.last_year >= 2022
RETURN DISTINCT s.name AS supplier
ORDER BY supplier
