// Check of "shape": how many Transfer nodes the graph holds.
MATCH (t:Transfer)
RETURN count(t) AS answer
