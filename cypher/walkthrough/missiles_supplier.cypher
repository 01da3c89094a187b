// Check of "find-actor": who supplied the article's ballistic missiles.
MATCH (s:Actor)-[:SUPPLIED]->(:Transfer {id: 't-kp-ru-ballistic-missiles'})
RETURN s.id AS answer
