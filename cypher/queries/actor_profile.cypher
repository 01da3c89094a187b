// title: Actor profile
// description: |
//   One actor at a glance: who it is, what it supplies and receives
//   (SIPRI deals and the sources' claims counted apart, TIV, years, main
//   partners, claims by status), the events it conducted or
//   was targeted by, and how many sources speak of it.
//
//   The first query to run on an unfamiliar name: aliases resolve ("DPRK",
//   "U.S."), and the partner lists are ranked by TIV.
// params:
//   actor:
//     type: actor
//     default: North Korea
//     help: the actor (name, alias or id)
// view: table
// tags: [actors, overview]

MATCH (a:Actor {id: $actor})
// Partners and volumes come from the derived TRANSFERS_TO summaries.
CALL (a) {
  OPTIONAL MATCH (a)-[l:TRANSFERS_TO]->(r:Actor)
  WITH l, r ORDER BY l.tiv DESC, r.name
  RETURN count(l) AS recipients, sum(l.sipri_deals) AS sipri_deals_out,
         sum(l.claims) AS claims_out, round(sum(l.tiv), 1) AS tiv_out,
         min(l.first_year) AS first_out, max(l.last_year) AS last_out,
         collect(r.name)[0..10] AS top_recipients
}
CALL (a) {
  OPTIONAL MATCH (s:Actor)-[l:TRANSFERS_TO]->(a)
  WITH l, s ORDER BY l.tiv DESC, s.name
  RETURN count(l) AS suppliers, sum(l.sipri_deals) AS sipri_deals_in,
         sum(l.claims) AS claims_in, round(sum(l.tiv), 1) AS tiv_in,
         min(l.first_year) AS first_in, max(l.last_year) AS last_in,
         collect(s.name)[0..10] AS top_suppliers
}
RETURN a.name AS name,
       a.id AS id,
       a.kind AS kind,
       a.aliases AS aliases,
       a.description AS description,
       recipients, sipri_deals_out, claims_out, tiv_out,
       CASE WHEN first_out IS NULL THEN null
            ELSE toString(first_out) + '–' + toString(last_out) END AS years_out,
       top_recipients,
       suppliers, sipri_deals_in, claims_in, tiv_in,
       CASE WHEN first_in IS NULL THEN null
            ELSE toString(first_in) + '–' + toString(last_in) END AS years_in,
       top_suppliers,
       // Claims about the actor's transfers, by status (sought, not supplied...).
       COLLECT { CALL (a) {
                   MATCH (a)-[:SUPPLIED]->(t:Transfer) WHERE t.origin <> 'sipri'
                   RETURN 'supplies ' + t.status AS x
                   UNION ALL
                   MATCH (t:Transfer)-[:TO]->(a) WHERE t.origin <> 'sipri'
                   RETURN 'receives ' + t.status AS x
                 }
                 WITH x, count(*) AS n
                 RETURN x + ': ' + toString(n) AS claim ORDER BY claim } AS claims,
       COLLECT { MATCH (a)-[:CONDUCTED]->(e:Event) RETURN e.date + CASE WHEN e.date_inferred THEN ' (year inferred)' ELSE '' END
                        + ' ' + e.title AS x
                 ORDER BY x } AS conducted,
       COLLECT { MATCH (e:Event)-[:TARGETED]->(a) RETURN e.date + CASE WHEN e.date_inferred THEN ' (year inferred)' ELSE '' END
                        + ' ' + e.title AS x
                 ORDER BY x } AS targeted_by,
       COUNT { MATCH (a)-[:SUPPLIED|TO]-(:Transfer)-[:EVIDENCED_BY]->(s:Source)
               RETURN DISTINCT s } AS sources,
       COLLECT { MATCH (a)-[:SUPPLIED|TO|CONDUCTED|TARGETED]-(x:Transfer|Event)
                       -[:EVIDENCED_BY]->(src:Source)
                 RETURN DISTINCT src.id AS id ORDER BY id } AS source_ids
