// title: Find an actor or weapon system by name
// description: |
//   Look up actors and weapon systems whose name or alias contains
//   the words typed ("Hamas" finds "Hamas (Palestine)", "Geran" finds the
//   Shahed-136), with their ids and how many transfers they appear in — the
//   names and ids every other query accepts.
// params:
//   text:
//     type: string
//     default: Korea
//     help: words of the name or alias to look for
// view:
//   kind: table
//   columns: [label, name, id, aliases, transfers, score]
// tags: [search, actors, weapons]

// The full-text index (name_search) splits names into words, so the text is
// sent as one quoted phrase: characters Lucene reads as operators (the "-" in
// "Shahed-136") then match as separators instead of breaking the query.
CALL db.index.fulltext.queryNodes('name_search',
       '"' + replace(replace($text, '\\', ' '), '"', ' ') + '"', {limit: 50})
  YIELD node, score
RETURN CASE WHEN node:Actor THEN 'Actor' ELSE 'WeaponSystem' END AS label,
       node.name AS name,
       node.id AS id,
       node.aliases AS aliases,
       CASE WHEN node:Actor
            THEN COUNT { (node)-[:SUPPLIED|TO]-(:Transfer) }
            ELSE COUNT { (node)<-[:OF]-(:Transfer) } END AS transfers,
       round(score, 3) AS score
ORDER BY score DESC, transfers DESC, name
LIMIT 50
