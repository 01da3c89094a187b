// title: Provenance of a transfer or event
// description: |
//   Every source behind one transfer or event: the quote, its as-of
//   date, how sure the source is, who said it, and the sources that source cites.
//
//   Give the id of a transfer (t-kp-ru-ballistic-missiles, sipri-67145) or of an
//   event (ev-2023-12-30-north-korean-missile-strike); the other queries show
//   ids in their `transfer` or `item` columns.
// params:
//   item:
//     type: string
//     default: t-kp-ru-ballistic-missiles
//     help: the id of a transfer or event
// view:
//   kind: table
//   columns: [item, what, attributed_to, as_of, quote, confidence, source, kind, publisher,
//     note, cites, attribution, url]
// tags: [sources, claims]

// Two unique-index seeks: Transfer and Event ids are each unique per label.
CALL () {
  MATCH (t:Transfer {id: $item})
  RETURN t AS x,
         COLLECT { MATCH (s:Actor)-[:SUPPLIED]->(t) RETURN s.name }[0] + ' → '
         + COLLECT { MATCH (t)-[:TO]->(r:Actor) RETURN r.name }[0] + ': '
         + reduce(acc = '', n IN COLLECT { MATCH (t)-[:OF]->(w:WeaponSystem)
                                           RETURN w.name ORDER BY w.name } |
                  acc + CASE WHEN acc = '' THEN '' ELSE ', ' END + n)
         + ' (' + t.status + ')' AS what
  UNION
  MATCH (ev:Event {id: $item})
  RETURN ev AS x, ev.title + ' (' + ev.date
         + CASE WHEN ev.date_inferred THEN ' (year inferred)' ELSE '' END + ')' AS what
}
MATCH (x)-[e:EVIDENCED_BY]->(src:Source)
RETURN x.id AS item,
       what,
       src.title AS source,
       src.kind AS kind,
       src.publisher AS publisher,
       e.quote AS quote,
       e.as_of + CASE WHEN e.as_of_inferred THEN ' (year inferred)' ELSE '' END AS as_of,
       e.confidence AS confidence,
       e.attributed_to AS attributed_to,
       e.note AS note,
       COLLECT { MATCH (src)-[:CITES]->(c:Source) RETURN c.title ORDER BY c.title } AS cites,
       src.attribution AS attribution,
       src.url AS url
ORDER BY e.as_of, source, quote
