// Every node carries a label that says what it is: count the nodes per label.
MATCH (n)
RETURN labels(n)[0] AS node_label, count(*) AS nodes
ORDER BY nodes DESC
