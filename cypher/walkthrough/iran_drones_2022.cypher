// Check of "tiv": drones (any kind of UAV) SIPRI records Iran delivering to
// Russia in 2022, all systems together.
MATCH (:Actor {id: 'iran'})-[:SUPPLIED]->(t:Transfer {origin: 'sipri'})
      -[:TO]->(:Actor {id: 'russia'})
WHERE EXISTS { (t)-[:OF]->(:WeaponSystem)-[:IS_A]->(:WeaponClass)
               -[:SUBCLASS_OF*0..6]->(:WeaponClass {id: 'wc-uav'}) }
UNWIND range(0, size(t.delivery_years) - 1) AS i
WITH t, i WHERE t.delivery_years[i] = 2022
RETURN sum(t.delivered_per_year[i]) AS answer
