// Check of "statuses": which way the fighter jets North Korea seeks would go.
MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer {status: 'sought'})-[:TO]->(r:Actor)
WHERE s.id IN ['north-korea', 'russia'] AND r.id IN ['north-korea', 'russia']
  AND EXISTS { (t)-[:OF]->(:WeaponSystem)-[:IS_A]->(:WeaponClass {id: 'wc-fighter-aircraft'}) }
RETURN s.name + ' → ' + r.name AS answer
