// Check of "share": the country targeted by the invasion Russia conducted.
MATCH (:Actor {id: 'russia'})-[:CONDUCTED]->(:Event {kind: 'invasion'})-[:TARGETED]->(a:Actor)
RETURN a.id AS answer
