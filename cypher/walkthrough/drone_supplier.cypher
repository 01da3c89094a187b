// Check of "explore": who delivered one-way attack drones to Russia.
MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer {status: 'delivered'})-[:TO]->(:Actor {id: 'russia'})
WHERE EXISTS { (t)-[:OF]->(:WeaponSystem)-[:IS_A]->(:WeaponClass)
               -[:SUBCLASS_OF*0..6]->(:WeaponClass {id: 'wc-one-way-attack-drone'}) }
RETURN DISTINCT s.id AS answer
