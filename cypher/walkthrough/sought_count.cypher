// Check of "seeks": how many transfers Russia -> North Korea are sought.
MATCH (:Actor {id: 'russia'})-[:SUPPLIED]->(t:Transfer {status: 'sought'})
      -[:TO]->(:Actor {id: 'north-korea'})
RETURN count(t) AS answer
