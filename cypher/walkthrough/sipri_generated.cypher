// Check of "export": the generation date of the dataset behind the rows of
// North Korea's deliveries to Russia.
MATCH (:Actor {id: 'north-korea'})-[:SUPPLIED]->(t:Transfer {status: 'delivered'})
      -[:TO]->(:Actor {id: 'russia'}),
      (t)-[:EVIDENCED_BY]->(s:Source {kind: 'dataset'})
RETURN DISTINCT s.generated AS answer
