// Actors known by more than one name: each spelling is an alias of one node.
MATCH (a:Actor)
WHERE size(a.aliases) > 0
RETURN a.name AS name, a.aliases AS aliases, a.id AS id
ORDER BY name
