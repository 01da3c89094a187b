"""Where the facts come from: every source, what it supports, what it cites, and
where reported claims and dataset records agree or disagree.

Claims are set against records by the saved query ``claims_vs_records``
(``cypher/queries/claims_vs_records.cypher``). That file is the one place the
verdict rules live (match level, time relation, verdict and reason per
claim–record pair; docs/verdicts.md has them as a table). This module runs the
file as it is and only counts its rows — distinct claims and distinct records per
verdict — so the Sources page, the Home page's card and the Saved queries page
(and ``explorer query run claims_vs_records``) always agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from explorer.db import Database
from explorer.errors import QueryError
from explorer.names import name_key
from explorer.queries import SavedQuery, load_catalogue
from explorer.runner import run_read, run_saved

SOURCES = """
MATCH (s:Source)
RETURN s.id AS id, s.title AS title, s.kind AS kind, s.publisher AS publisher,
       s.author AS author, coalesce(s.generated, s.published) AS date,
       CASE WHEN s.generated IS NOT NULL THEN 'generated' WHEN s.published IS NOT NULL
            THEN 'published' END AS date_kind,
       coalesce(s.published_inferred, false) AS date_inferred,
       s.attribution AS attribution, s.url AS url,
       COUNT { MATCH (t:Transfer)-[:EVIDENCED_BY]->(s) RETURN DISTINCT t } AS transfers,
       COUNT { MATCH (e:Event)-[:EVIDENCED_BY]->(s) RETURN DISTINCT e } AS events,
       COUNT { MATCH (o)-[:EVIDENCED_BY]->(s) WHERE NOT o:Transfer AND NOT o:Event
               RETURN DISTINCT o } AS reference_items,
       COUNT { MATCH ()-[ev:EVIDENCED_BY]->(s) RETURN DISTINCT ev.quote } AS quotes,
       COLLECT { MATCH (s)-[:CITES]->(c:Source) RETURN c.title ORDER BY c.title } AS cites,
       COLLECT { MATCH (c:Source)-[:CITES]->(s) RETURN c.title ORDER BY c.title } AS cited_by
ORDER BY CASE s.kind WHEN 'article' THEN 0 WHEN 'dataset' THEN 1 WHEN 'briefing' THEN 2
                     WHEN 'statement' THEN 3 WHEN 'media_report' THEN 4 ELSE 5 END,
         s.title
"""

# What each piece of evidence row says: what it is about (a transfer as
# "supplier → recipient" with its systems, an event with its date), its status,
# and the quote with its date, confidence and attribution.
EVIDENCE_COLUMNS = """CASE WHEN x:Transfer THEN 'transfer' WHEN x:Event THEN 'event'
            ELSE toLower(head(labels(x))) END AS about,
       CASE WHEN x:Transfer THEN
              COLLECT { MATCH (sup:Actor)-[:SUPPLIED]->(x)-[:TO]->(rec:Actor)
                        RETURN sup.name + ' → ' + rec.name }[0]
            ELSE coalesce(x.title, x.name, x.id) END AS what,
       CASE WHEN x:Transfer THEN
              COLLECT { MATCH (x)-[:OF]->(w:WeaponSystem) RETURN w.name ORDER BY w.name }
            WHEN x:Event THEN [x.date] ELSE [] END AS detail,
       CASE WHEN x:Transfer THEN x.status WHEN x:Event THEN x.kind END AS status,
       ev.quote AS quote,
       ev.as_of + CASE WHEN ev.as_of_inferred THEN ' (year inferred)' ELSE '' END AS as_of,
       ev.confidence AS confidence,
       ev.attributed_to AS attributed_to, ev.note AS note"""

# One row per piece of evidence; $sources limits it to some sources.
EVIDENCE = """
MATCH (x)-[ev:EVIDENCED_BY]->(s:Source)
WHERE s.id IN $sources
WITH x, ev, s
ORDER BY s.id, ev.as_of, x.id
LIMIT $limit
RETURN s.id AS source_id, x.id AS id,
       """ + EVIDENCE_COLUMNS + """
"""

# The same evidence, reached through the sources that cite $sources: the
# article's sentences carry `attributed_to`, which names who said them.
CITED_EVIDENCE = """
MATCH (citing:Source)-[:CITES]->(s:Source)
WHERE s.id IN $sources
MATCH (x)-[ev:EVIDENCED_BY]->(citing)
WHERE ev.attributed_to IS NOT NULL
RETURN s.id AS cited_id, citing.title AS via, x.id AS id,
       """ + EVIDENCE_COLUMNS + """
ORDER BY as_of, what
"""

# The evidence of given transfers, to show a claim and a record with their sources.
TRANSFER_EVIDENCE = """
MATCH (t:Transfer)-[ev:EVIDENCED_BY]->(s:Source)
WHERE t.id IN $ids
RETURN t.id AS id, ev.quote AS quote,
       ev.as_of + CASE WHEN ev.as_of_inferred THEN ' (year inferred)' ELSE '' END AS as_of,
       ev.confidence AS confidence,
       ev.attributed_to AS attributed_to, s.title AS source, s.kind AS kind,
       coalesce(s.generated, s.published) AS source_date, s.attribution AS attribution
ORDER BY id, as_of, quote
"""

CLAIMS_QUERY = "claims_vs_records"
"""The saved query that sets claims against records; this module runs it as it is."""
CONTRADICTS = "contradicts"
CORROBORATES = "corroborates"
NO_RECORD = "no_record"

# The verdict vocabulary of the saved query, in the order it sorts its rows, each
# with the phrase its count is said in ("2 claims corroborated by 4 SIPRI records").
# Which verdict a pair gets is decided in the .cypher file only.
VERDICTS: tuple[str, ...] = (
    CONTRADICTS, CORROBORATES, "timing_unclear", "later_record", "request_met",
    "earlier_record", "order_only", "broad_match", NO_RECORD,
)
VERDICT_MEANINGS: dict[str, str] = {
    CONTRADICTS: "the claim denies supply, yet SIPRI records deliveries from an earlier year",
    CORROBORATES: "SIPRI records the claimed delivery or order in a year before the claim's",
    "timing_unclear": "SIPRI's record falls in the claim's own year; SIPRI gives years only, "
                      "so which came first is unknown",
    "later_record": "SIPRI's record comes after the claim; it says nothing about what was "
                    "true then",
    "request_met": "a request followed by a SIPRI record of such a deal",
    "earlier_record": "a record before a request or a hold-back, which it does not answer",
    "order_only": "SIPRI records an order without deliveries, which neither confirms nor "
                  "denies a claim about supply",
    "broad_match": "the record shares only a broader class with the claim; never counted "
                   "as corroboration",
    NO_RECORD: "no SIPRI record bears on the claim",
}
_COUNT_PHRASES: dict[str, str] = {
    CONTRADICTS: "{claims} contradicted by {records}",
    CORROBORATES: "{claims} corroborated by {records}",
    "timing_unclear": "{claims} with timing unclear against {records} of the claim's year",
    "later_record": "{claims} with {records} from after the claim",
    "request_met": "{claims} met by {records} from after the request",
    "earlier_record": "{claims} with {records} from before, which do not answer them",
    "order_only": "{claims} with {records} of orders without deliveries",
    "broad_match": "{claims} meeting {records} only through a broader class",
    NO_RECORD: "{claims} that no SIPRI record bears on",
}


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


@dataclass(frozen=True)
class VerdictTally:
    """The distinct claims and SIPRI records behind one verdict. A claim meeting
    several records counts once here, and once under each verdict it has."""

    verdict: str
    claims: tuple[str, ...]
    records: tuple[str, ...]

    def sentence(self) -> str:
        """``2 claims corroborated by 4 SIPRI records``."""
        phrase = _COUNT_PHRASES.get(self.verdict, "{claims} " + self.verdict + " ({records})")
        return phrase.format(claims=_count(len(self.claims), "claim", "claims"),
                             records=_count(len(self.records), "SIPRI record", "SIPRI records"))


def tally(rows: Iterable[Mapping[str, Any]]) -> dict[str, VerdictTally]:
    """Distinct claims and records per verdict of ``claims_vs_records`` rows, in the
    order of ``VERDICTS`` (verdicts without rows are left out)."""
    claims: dict[str, set[str]] = {}
    records: dict[str, set[str]] = {}
    for row in rows:
        verdict = str(row.get("verdict"))
        claims.setdefault(verdict, set()).add(str(row.get("claim")))
        if row.get("record"):
            records.setdefault(verdict, set()).add(str(row["record"]))
    order = [v for v in VERDICTS if v in claims] + sorted(set(claims) - set(VERDICTS))
    return {v: VerdictTally(v, tuple(sorted(claims[v])), tuple(sorted(records.get(v, ()))))
            for v in order}


@dataclass(frozen=True)
class Comparison:
    """One row of the saved query, with the evidence of its claim and of its record."""

    row: dict[str, Any]
    claim_evidence: list[dict[str, Any]]
    record_evidence: list[dict[str, Any]]

    @property
    def verdict(self) -> str:
        return str(self.row.get("verdict"))


def list_sources(db: Database) -> list[dict[str, Any]]:
    """Every Source with its date, attribution, counts of what it evidences and its citations."""
    return run_read(db, SOURCES, label="sources:list").rows


def evidence(db: Database, source_ids: Iterable[str], *, limit: int = 2000
             ) -> list[dict[str, Any]]:
    """The evidence pointing at these sources, one row per quote and thing evidenced
    (at most ``limit``: a dataset has one per record)."""
    params = {"sources": list(source_ids), "limit": limit}
    return run_read(db, EVIDENCE, params, label="sources:evidence",
                      row_cap=limit).rows


_STOPWORDS = frozenset({"the", "of", "a", "an", "and", "via", "per", "other", "citing",
                        "us", "u", "s"})


def _stem(word: str) -> str:
    # Just enough to let "Ukrainian government" meet "Government of Ukraine".
    for suffix in ("ian", "ean", "an", "e", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _words(text: str | None) -> frozenset[str]:
    # Parentheses hold qualifiers ("National Security Council (United States)"),
    # not the name a source is quoted by.
    plain = re.sub(r"\([^)]*\)", " ", text or "")
    return frozenset(_stem(w) for w in name_key(plain).split() if w not in _STOPWORDS)


def names_match(source: Mapping[str, Any], attributed_to: str | None) -> bool:
    """Whether ``attributed_to`` names the source's author or publisher: every word
    of that name (stemmed, without small words) appears in it."""
    said_by = _words(attributed_to)
    for name in (source.get("author"), source.get("publisher")):
        words = _words(name)
        if words and words <= said_by:
            return True
    return False


def attributed_evidence(db: Database, sources: Iterable[Mapping[str, Any]]
                        ) -> list[dict[str, Any]]:
    """Evidence that a citing source (the article) attributes to one of ``sources``,
    matched on ``attributed_to`` naming the cited source's author or publisher."""
    by_id = {s["id"]: s for s in sources}
    rows = run_read(db, CITED_EVIDENCE, {"sources": list(by_id)},
                      label="sources:cited").rows
    return [r for r in rows if names_match(by_id[r["cited_id"]], r["attributed_to"])]


def claims_vs_records(db: Database, params: Mapping[str, Any] | None = None,
                      catalogue: Mapping[str, SavedQuery] | None = None) -> list[Comparison]:
    """Run the saved query ``claims_vs_records`` (corroboration and contradiction, as
    its file defines them) and attach each side's evidence."""
    queries = catalogue if catalogue is not None else load_catalogue()
    if CLAIMS_QUERY not in queries:
        raise QueryError(f"the saved query {CLAIMS_QUERY!r} is missing from the catalogue "
                         "— restore cypher/queries/claims_vs_records.cypher")
    rows = run_saved(db, queries[CLAIMS_QUERY], params or {}).rows
    ids = sorted({i for r in rows for i in (r.get("claim"), r.get("record")) if i})
    found: dict[str, list[dict[str, Any]]] = {}
    for ev in run_read(db, TRANSFER_EVIDENCE, {"ids": ids}, label="sources:evidence").rows:
        found.setdefault(ev["id"], []).append(ev)
    return [Comparison(r, found.get(r.get("claim") or "", []), found.get(r.get("record") or "", []))
            for r in rows]


def contradictions(comparisons: Iterable[Comparison]) -> list[Comparison]:
    return [c for c in comparisons if c.verdict == CONTRADICTS]
