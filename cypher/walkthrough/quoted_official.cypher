// Check of "sources": the people named as saying the missiles' statements.
MATCH (:Transfer {id: 't-kp-ru-ballistic-missiles'})-[e:EVIDENCED_BY]->(:Source)
MATCH (p:Actor {kind: 'person'})
WHERE e.attributed_to CONTAINS p.name
RETURN DISTINCT p.id AS answer
