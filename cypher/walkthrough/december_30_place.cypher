// Check of "supply-to-use": where the strike of 30 December happened, by every
// name of the place, each also without the word for its kind (a region's name
// without "region").
MATCH (e:Event {kind: 'strike'})-[:AT]->(p:Place)
WHERE e.date ENDS WITH '-12-30'
WITH p, [p.name] + coalesce(p.aliases, []) AS names
RETURN names + [n IN names | trim(replace(n, p.kind, ''))] AS answer
