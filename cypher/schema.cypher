// Constraints and indexes of the arms-transfer graph (docs/graph-model.md).
// Applied by every load and by `explorer db init`; every statement is
// IF NOT EXISTS, so applying twice changes nothing.

CREATE CONSTRAINT actor_id IF NOT EXISTS FOR (n:Actor) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT weapon_system_id IF NOT EXISTS FOR (n:WeaponSystem) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT weapon_class_id IF NOT EXISTS FOR (n:WeaponClass) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT transfer_id IF NOT EXISTS FOR (n:Transfer) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT event_id IF NOT EXISTS FOR (n:Event) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT place_id IF NOT EXISTS FOR (n:Place) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT source_id IF NOT EXISTS FOR (n:Source) REQUIRE n.id IS UNIQUE;
// One node per loaded file (by checksum): a batched load's progress and outcome.
CREATE CONSTRAINT import_run_id IF NOT EXISTS FOR (n:ImportRun) REQUIRE n.id IS UNIQUE;
// The team's saved queries and views (explorer/saved.py), one per name.
CREATE CONSTRAINT saved_query_name IF NOT EXISTS FOR (n:SavedQuery) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT saved_view_name IF NOT EXISTS FOR (n:SavedView) REQUIRE n.name IS UNIQUE;

// Name lookups (exact and case-folded).
CREATE INDEX actor_name IF NOT EXISTS FOR (n:Actor) ON (n.name);
CREATE INDEX actor_name_key IF NOT EXISTS FOR (n:Actor) ON (n.name_key);
CREATE INDEX weapon_system_name IF NOT EXISTS FOR (n:WeaponSystem) ON (n.name);
CREATE INDEX weapon_system_name_key IF NOT EXISTS FOR (n:WeaponSystem) ON (n.name_key);
CREATE INDEX weapon_system_category IF NOT EXISTS FOR (n:WeaponSystem) ON (n.category);
CREATE INDEX weapon_class_name IF NOT EXISTS FOR (n:WeaponClass) ON (n.name);

// Filters the saved queries use.
CREATE INDEX transfer_status IF NOT EXISTS FOR (n:Transfer) ON (n.status);
CREATE INDEX transfer_first_year IF NOT EXISTS FOR (n:Transfer) ON (n.first_year);
// Period queries (top suppliers/recipients by TIV) seek the deals still
// delivering in or after a year: a fifth of SIPRI's for 2020, where a first_year
// seek reads nearly all of them.
CREATE INDEX transfer_last_year IF NOT EXISTS FOR (n:Transfer) ON (n.last_year);
CREATE INDEX transfer_origin IF NOT EXISTS FOR (n:Transfer) ON (n.origin);
CREATE INDEX event_year IF NOT EXISTS FOR (n:Event) ON (n.year);

// Full-text search over names and aliases ("DPRK" finds North Korea).
//
// The three full-text indexes are eventually consistent: a commit hands their updates
// to a background thread instead of writing them itself (a SIPRI batch of 5,000 deals
// committed in about 0.25 s instead of 0.35 s, and the server spent less CPU on the
// load, docs/loading.md). Every loader waits for them before it returns
// (db.index.fulltext.awaitEventuallyConsistentIndexRefresh), so a search after a load
// sees everything it wrote. An index made before this option is remade by
// `explorer db init` or the next load (explorer/schema.py).
CREATE FULLTEXT INDEX name_search IF NOT EXISTS
FOR (n:Actor|WeaponSystem) ON EACH [n.name, n.aliases_text]
OPTIONS {indexConfig: {`fulltext.eventually_consistent`: true}};

// The search box (explorer/page_queries/search.py): every name, alias, title, description and
// SIPRI comment, so "Geran-2" finds Shahed-136 and "Zaporizhia" the region.
// `aliases` is a list of strings; full-text indexes read each element.
CREATE FULLTEXT INDEX text_search IF NOT EXISTS
FOR (n:Actor|WeaponSystem|WeaponClass|Place|Event|Source|Transfer)
ON EACH [n.name, n.aliases, n.title, n.description, n.comments]
OPTIONS {indexConfig: {`fulltext.eventually_consistent`: true}};

// ... and the sentences sources say things in: the `quote` (and `note`, `attributed_to`)
// on EVIDENCED_BY, so "900 km" finds the range quote and the missile it is about.
CREATE FULLTEXT INDEX quote_search IF NOT EXISTS
FOR ()-[r:EVIDENCED_BY]-() ON EACH [r.quote, r.note, r.attributed_to]
OPTIONS {indexConfig: {`fulltext.eventually_consistent`: true}};
