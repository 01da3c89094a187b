"""`explorer load sipri`: a SIPRI export into the graph, in batches of whole deals.

The file is checked before the database is touched (a file that is not a SIPRI
export, or does not decode, raises ``ValidationError`` and nothing is written),
then parsed streaming, a chunk ahead of the writer (``sipri_chunks``: in a parser
process for a big file): deals become rows in chunks (``sipri_rows``), and each
chunk is written in its own transaction — a transfer with its four edges in one
statement, the actors and systems it points at before it — together with the
progress of the load's ``ImportRun`` node (``import_runs``). Server memory is
bounded by the batch, not the file. A killed load leaves a run marked
incomplete; loading the same file again resumes it, and ends with the graph one
uninterrupted load gives. Loading the same file twice changes nothing; a newer
export that corrects a deal replaces its edges and evidence (docs/loading.md).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import neo4j

from explorer.db import Database
from explorer.errors import ExplorerError, QueryTooLarge, ValidationError
from explorer.loaders import import_runs
from explorer.loaders.seed_bundle import EVIDENCE_PROPERTIES, NODE_PROPERTIES, SeedBundle
from explorer.loaders.seeds import SEED_DIR, load_seed_bundle
from explorer.loaders.sipri_chunks import (
    Chunks,
    ParsedChunk,
    parsed_chunks,
    uses_parser_process,
)
from explorer.loaders.sipri_encoding import (
    MIXED,
    check_decodes,
    decode_mixed,
    open_export,
    sniff_encoding,
)
from explorer.loaders.sipri_parse import parse_export
from explorer.loaders.sipri_records import Format, ParseReport
from explorer.loaders.sipri_rows import (
    FUSED,
    source_id,
)
from explorer.loaders.writer import (
    BUILD_SUMMARIES_FROM,
    DELETE_SUMMARIES_FROM,
    PLAN_AHEAD_ID,
    WriteSummary,
    fill_node_statement,
    forget_query_plans,
    node_statement,
    plan_ahead,
    rebuild_summaries,
    relationship_statement,
    run_rows,
    write_chunk_tx,
)
from explorer.schema import apply_schema, await_fulltext, missing_schema

SIPRI_BATCH_SIZE = 5000
"""Deals per transaction (and rows per UNWIND). Server memory per batch is about
that many deals' worth (~25 MB at 5,000), far below the default 512 MiB heap;
docs/loading.md has the measurements behind the size."""
RETIRE_BATCH = 5000

Progress = Callable[[int, int], None]
"""``progress(records read, records expected)``, called after each batch is written;
the expectation is the file's line count after the header (exact for the AT export)."""

# The nodes a transfer row points at (the batch wrote them, or an earlier one did).
_ENDS = """
MATCH (supplier:Actor {id: row.supplier})
MATCH (recipient:Actor {id: row.recipient})
MATCH (system:WeaponSystem {id: row.system})
MATCH (source:Source {id: row.source})
"""

# Transfers whose ids the graph does not hold yet (the whole of a first load):
# created outright, with no check for edges that cannot exist yet. The properties
# are spelled out rather than set from the row's map (`SET t += row.props`): with a
# map of unknown keys the planner must assume the write may touch what the MATCHes
# read, and buffered every row of the batch twice (two Eager operators in the
# PROFILE); with the keys named it streams. A null value sets nothing, as with +=.
_TRANSFER_MAP = ", ".join(f"{key}: row.props.{key}" for key in NODE_PROPERTIES["Transfer"])
_EVIDENCE_MAP = ", ".join(f"{key}: row.evidence.{key}" for key in EVIDENCE_PROPERTIES)
CREATE_TRANSFERS = "UNWIND $batch.rows AS row" + _ENDS + f"""
CREATE (t:Transfer {{id: row.id, {_TRANSFER_MAP}, import_run: $run}})
CREATE (supplier)-[:SUPPLIED]->(t)
CREATE (t)-[:TO]->(recipient)
CREATE (t)-[:OF]->(system)
CREATE (t)-[:EVIDENCED_BY {{{_EVIDENCE_MAP}}}]->(source)
RETURN count(*) AS matched
"""

# Transfers already in the graph: the record is the authority on its deal, so its
# edges and its SIPRI evidence are rewritten as a whole — a corrected recipient
# replaces the old one (it is not added beside it), a corrected schedule replaces
# the old quote. Edges that are already right are kept (MERGE), so a rerun of the
# same file changes nothing.
REPLACE_TRANSFERS = "UNWIND $batch.rows AS row\nMATCH (t:Transfer {id: row.id})" + _ENDS + """
SET t += row.props, t.import_run = $run
WITH t, row, supplier, recipient, system, source
CALL (t, supplier) {
  MATCH (other)-[old:SUPPLIED]->(t) WHERE other <> supplier DELETE old
}
CALL (t, recipient) {
  MATCH (t)-[old:TO]->(other) WHERE other <> recipient DELETE old
}
CALL (t, system) {
  MATCH (t)-[old:OF]->(other) WHERE other <> system DELETE old
}
CALL (t, source, row) {
  MATCH (t)-[old:EVIDENCED_BY]->(other:Source)
  WHERE other.id STARTS WITH 'src-sipri-'
    AND (other <> source OR old.quote <> row.evidence.quote)
  DELETE old
}
MERGE (supplier)-[:SUPPLIED]->(t)
MERGE (t)-[:TO]->(recipient)
MERGE (t)-[:OF]->(system)
MERGE (t)-[e:EVIDENCED_BY {quote: row.evidence.quote}]->(source)
SET e += row.evidence
RETURN count(*) AS matched
"""

# The ids travel in a map for the reason given in writer.py (one plan, any batch size).
EXISTING_TRANSFERS = "MATCH (t:Transfer) WHERE t.id IN $batch.ids RETURN collect(t.id) AS ids"

# SIPRI transfers of the same kind of export (AT Database ids or register ids)
# that this run did not write: deals an earlier file had and this one lacks.
_NOT_IN_RUN = """
MATCH (t:Transfer {origin: 'sipri'})
WHERE coalesce(t.import_run, '') <> $run
  AND (t.id STARTS WITH 'sipri-reg-') = $register
"""
COUNT_MISSING = _NOT_IN_RUN + "RETURN count(t) AS n"
# Whether the graph holds any SIPRI transfer (a range seek on the unique index): when it
# holds none as a load starts, every deal of the file is new, and the load skips the
# per-batch check for known ids and the count of deals the file lacks.
ANY_SIPRI_TRANSFER = ("RETURN EXISTS { MATCH (t:Transfer) WHERE t.id STARTS WITH 'sipri-' } "
                      "AS any")
RETIRE_MISSING = _NOT_IN_RUN + "WITH t LIMIT $limit DETACH DELETE t RETURN count(*) AS n"

# What a SIPRI chunk holds besides its transfers (sipri_rows.SipriRowBuilder): the
# Source, actors and weapon systems new to the load, fill rows over the seeds' nodes,
# and the class tree. tests/test_loader_speed_pipeline.py checks real loads against it.
_CHUNK_NODES = ("Source", "Actor", "WeaponSystem")
_CHUNK_FILLS = ("Actor", "WeaponClass", "WeaponSystem")
_CHUNK_EDGES = (("SUBCLASS_OF", "WeaponClass", "WeaponClass"),
                ("IS_A", "WeaponSystem", "WeaponClass"))


def statements_to_plan(first_sipri: bool) -> list[tuple[str, dict]]:
    """The statements a SIPRI load runs, with placeholder parameters of the real
    calls' shape, for ``writer.plan_ahead``. ``first_sipri``: the graph holds no
    SIPRI transfer yet, so the statements for known deals are not needed."""
    node = {"batch": {"rows": [{"id": PLAN_AHEAD_ID, "props": {}}]}}
    edge = {"batch": {"rows": [{"start": PLAN_AHEAD_ID, "end": PLAN_AHEAD_ID, "props": {}}]}}
    transfer = {"batch": {"rows": [{
        "id": PLAN_AHEAD_ID, "props": {}, "evidence": {}, "supplier": PLAN_AHEAD_ID,
        "recipient": PLAN_AHEAD_ID, "system": PLAN_AHEAD_ID, "source": PLAN_AHEAD_ID,
    }]}, "run": ""}  # fmt: skip
    suppliers = {"batch": {"suppliers": [PLAN_AHEAD_ID]}}
    statements = [(node_statement(label), node) for label in _CHUNK_NODES]
    statements += [(fill_node_statement(label, ()), node) for label in _CHUNK_FILLS]
    statements += [(relationship_statement(*edge_kind), edge) for edge_kind in _CHUNK_EDGES]
    statements.append((CREATE_TRANSFERS, transfer))
    if not first_sipri:
        statements.append((EXISTING_TRANSFERS, {"batch": {"ids": [PLAN_AHEAD_ID]}}))
        statements.append((REPLACE_TRANSFERS, transfer))
    statements += [(DELETE_SUMMARIES_FROM, suppliers), (BUILD_SUMMARIES_FROM, suppliers)]
    return statements


FORMATS = ("auto", "atdb", "register")
FORMAT_NAMES = {"atdb": "AT Database export", "register": "trade register"}
SHOWN_REJECTS = 10


@dataclass
class LoadOutcome:
    """What a run did beyond the parse report and the writer's counts."""

    run_id: str = ""
    batches: int = 0
    resumed_after: int = 0
    """Batches an interrupted attempt had committed, skipped this time."""
    missing: int = 0
    """SIPRI deals in the graph (same kind of export) that this file does not have."""
    retired: int = 0


def load_sipri(
    db: Database,
    path: Path | str,
    *,
    fmt: Format | Literal["auto"] = "auto",
    encoding: str | None = None,
    progress: Progress | None = None,
    rejects_path: Path | str | None = None,
    batch_size: int = SIPRI_BATCH_SIZE,
    bundle: SeedBundle | None = None,
    retire_missing: bool = False,
    outcome: LoadOutcome | None = None,
) -> tuple[ParseReport, WriteSummary]:
    """Parse ``path``, resolve names against the seeds, write it batch by batch.

    Returns the parse report (records read/imported/rejected, which always
    reconcile) and the writer's summary; ``outcome`` (if given) receives the run's
    id, whether it resumed, and the deals the file lacks (deleted with
    ``retire_missing``). ``rejects_path`` receives every rejected record as CSV
    (line, reason, text), written after the load. Raises ``ValidationError``
    (nothing written) for a file that is not a SIPRI export or does not decode
    with ``encoding``.
    """
    path = Path(path)
    outcome = outcome if outcome is not None else LoadOutcome()
    if fmt not in FORMATS:
        raise ValidationError(f"unknown SIPRI format {fmt!r}: use auto, atdb or register.")
    if batch_size < 1:
        raise ValidationError(f"the batch size must be at least 1, not {batch_size}.")
    if rejects_path is not None:
        _check_writable(Path(rejects_path))
    if encoding is None:
        encoding = sniff_encoding(path)  # reads every byte: the file decodes
    else:
        check_decodes(path, encoding)
    head = _check_head(path, fmt, encoding)
    bundle = bundle if bundle is not None else load_seed_bundle([SEED_DIR])
    expected = max(_data_lines(path) - head.header_line, 0) if progress else 0
    report = ParseReport(source=path.name, encoding=encoding)
    if encoding == MIXED:
        report.legacy_lines = decode_mixed(path)[1]
    # The file is checked: from here on it is parsed a chunk ahead of the writer, in a
    # parser process for a big file (sipri_chunks), started now so that its start-up
    # overlaps the database's preparation.
    chunks = parsed_chunks(path, fmt, encoding, bundle, batch_size, report)
    with contextlib.closing(chunks):  # an error below stops the parser at once
        if missing_schema(db):
            apply_schema(db)
        run = import_runs.resume_point(
            db, path=path, checksum=import_runs.file_checksum(path), kind="sipri",
            fmt=head.format, encoding=encoding, batch_size=batch_size,
        )
        outcome.run_id, outcome.resumed_after = run.id, run.batches_done
        first_sipri = not db.read(lambda tx: tx.run(ANY_SIPRI_TRANSFER).single()["any"],
                                  label="any-sipri-transfer")
        # While the parser process builds the first batch, the server plans what the
        # batches run. A small file is parsed here, in turn with the writes: nothing to
        # overlap, so its statements are planned as they first run.
        if uses_parser_process(path):
            plan_ahead(db, statements_to_plan(first_sipri))
        try:
            summary = _write_batches(db, chunks, report, run, batch_size, progress, expected,
                                     outcome, first_sipri)
            outcome.missing = 0 if first_sipri else _count_missing(db, run.id, report.format)
            if retire_missing and outcome.missing:
                outcome.retired = _retire_missing(db, run.id, report.format)
            summary.summaries = rebuild_summaries(db)
            await_fulltext(db)  # the run is complete once a search can find what it wrote
        except BaseException as error:
            import_runs.fail(db, run.id, str(error) or type(error).__name__)
            if isinstance(error, QueryTooLarge) and "memory" in str(error):
                raise ExplorerError(
                    f"{path.name}: a batch of {batch_size:,} deals is too big for this "
                    f"server's transaction memory — rerun with a smaller --batch-size; the "
                    f"{outcome.batches:,} batches written are kept and the rerun resumes "
                    "after them"
                ) from None
            raise
    import_runs.finish(db, run.id, {
        "records_read": report.records_read, "imported": report.records_imported,
        "rejected": len(report.rejects), "deals": report.deals,
        "missing": outcome.missing, "retired": outcome.retired,
        "source": source_id(report.generated),
    })
    forget_query_plans(db, summary.nodes_changed + outcome.retired)
    if progress:
        progress(report.records_read, report.records_read)
    if rejects_path is not None:
        Path(rejects_path).write_text(report.rejects_csv(), encoding="utf-8")
    return report, summary


def _write_batches(
    db: Database, chunks: Chunks, report: ParseReport, run: import_runs.RunStart,
    batch_size: int, progress: Progress | None, expected: int, outcome: LoadOutcome,
    first_sipri: bool,
) -> WriteSummary:
    summary = WriteSummary()
    deals_done, first = 0, True
    for index, chunk in enumerate(chunks):
        deals_done += len(chunk.transfers) + len(chunk.rest.get("Transfer", ()))
        if index >= run.batches_done:
            batch = db.write(
                lambda tx, c=chunk, i=index, n=deals_done, f=first: _write_batch(
                    tx, c, batch_size, run, i + 1, n, f, check_known=not first_sipri),
                label="load-sipri-batch",
            )
            summary.add(batch)
            first = False
        outcome.batches = index + 1
        if progress:
            progress(chunk.records_read, max(expected, chunk.records_read))
    if not report.balanced:
        # Cannot happen unless the parser loses a record: refuse rather than hide it.
        raise ExplorerError(
            f"{report.source}: {report.records_read} records read but "
            f"{report.records_imported} imported and {len(report.rejects)} rejected — "
            "a parser bug; the run stays incomplete"
        )
    return summary


def _write_batch(
    tx: neo4j.ManagedTransaction, chunk: ParsedChunk, batch_size: int,
    run: import_runs.RunStart, batches_done: int, deals_done: int, first: bool,
    *, check_known: bool = True,
) -> WriteSummary:
    """One chunk of deals, whole, in ``tx``, with the run's progress. Leaves ``chunk``
    as it was: the driver may retry it. ``check_known=False`` (the graph held no SIPRI
    transfer when the load started) writes every transfer as new without asking."""
    transfers = chunk.transfers
    summary = WriteSummary()
    write_chunk_tx(tx, chunk.rest, summary, fill=chunk.fill, batch_size=batch_size)
    ids = [row["id"] for row in transfers]
    existing = (set(tx.run(EXISTING_TRANSFERS, batch={"ids": ids}).single()["ids"])
                if ids and check_known else set())
    new = [row for row in transfers if row["id"] not in existing]
    _check_create_keys(new)
    old = [row for row in transfers if row["id"] in existing]
    for statement, part in ((CREATE_TRANSFERS, new), (REPLACE_TRANSFERS, old)):
        if not part:
            continue
        matched, counters = run_rows(tx, statement, part, matched=True, run=run.id)
        if matched != len(part):
            # The builder emits every node a transfer points at: refuse rather than drop.
            raise ExplorerError(f"{len(part) - matched} SIPRI transfers point at nodes "
                                "that do not exist — a bug; the batch was not written")
        summary.count(counters)
    for key in ("Transfer", *FUSED):
        summary.rows[key] = summary.rows.get(key, 0) + len(transfers)
    import_runs.advance_tx(tx, run, batches_done, deals_done, first=first)
    return summary


def _check_create_keys(rows: list[dict]) -> None:
    """CREATE_TRANSFERS writes the properties it names: refuse a row with another one
    rather than drop it silently (the builder and the contract disagree: a bug)."""
    for row in rows:
        extra = (set(row["props"]) - set(NODE_PROPERTIES["Transfer"])) | (
            set(row["evidence"]) - set(EVIDENCE_PROPERTIES))
        if extra:
            raise ExplorerError(f"SIPRI transfer {row['id']} has properties the loader does "
                                f"not write: {sorted(extra)} — a bug; the batch was not written")


def _count_missing(db: Database, run: str, fmt: str | None) -> int:
    return db.read(lambda tx: tx.run(COUNT_MISSING, run=run, register=fmt == "register")
                   .single()["n"], label="count-missing")


def _retire_missing(db: Database, run: str, fmt: str | None) -> int:
    """Delete the deals this file lacks, a bounded batch per transaction."""
    retired = 0
    while True:
        n = db.write(lambda tx: tx.run(RETIRE_MISSING, run=run, register=fmt == "register",
                                       limit=RETIRE_BATCH).single()["n"], label="retire")
        retired += n
        if n < RETIRE_BATCH:
            return retired


def _check_head(path: Path, fmt: Format | Literal["auto"], encoding: str) -> ParseReport:
    """Read the notes and header only: raises ValidationError for a non-SIPRI file.
    The report says the format and the header's line."""
    fileobj, _ = open_export(path, encoding)
    report = ParseReport(source=path.name, encoding=encoding)
    with fileobj:
        parse_export(fileobj, fmt, report=report)
    return report


def _check_writable(path: Path) -> None:
    if path.is_dir():
        raise ValidationError(f"--rejects {path} is a folder: give a file name such as "
                              "rejects.csv.")
    if not path.parent.is_dir():
        raise ValidationError(f"cannot write the rejects report to {path}: the folder "
                              f"{path.parent} does not exist.")


def _data_lines(path: Path) -> int:
    """Lines in the file (newlines counted in binary, fast); the progress total."""
    count = 0
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            count += block.count(b"\n")
    return count


def rows_written(summary: WriteSummary) -> int:
    """Node and relationship rows written: the unit of every rows/s figure."""
    return summary.nodes_written + summary.relationships_written


def _run_lines(report: ParseReport, summary: WriteSummary,
               outcome: LoadOutcome | None) -> list[str]:
    lines = []
    if report.legacy_lines:
        shown = ", ".join(str(n) for n in report.legacy_lines[:SHOWN_REJECTS])
        more = ", ..." if len(report.legacy_lines) > SHOWN_REJECTS else ""
        lines.append(
            f"Mixed encodings: {len(report.legacy_lines):,} lines are cp1252 (Latin-1), the "
            f"rest UTF-8; each line was read in its own encoding — check the names on lines "
            f"{shown}{more}")
    if summary.relationships_deleted:
        lines.append(f"Corrections: {summary.relationships_deleted:,} relationships of deals "
                     "already in the graph were replaced by this file's version")
    if outcome is None:
        return lines
    if outcome.resumed_after:
        lines.append(f"Resumed an interrupted load: {outcome.resumed_after:,} of "
                     f"{outcome.batches:,} batches were already written")
    if outcome.retired:
        lines.append(f"Retired: {outcome.retired:,} SIPRI deals in the graph that this file "
                     "does not have were deleted (--retire-missing)")
    elif outcome.missing:
        lines.append(f"Not in this file: {outcome.missing:,} SIPRI deals already in the graph "
                     "(kept; an export of part of the database, or deals SIPRI dropped — "
                     "--retire-missing deletes them)")
    return lines


def report_lines(
    report: ParseReport,
    summary: WriteSummary,
    seconds: float,
    *,
    rejects_path: Path | str | None = None,
    shown: int = SHOWN_REJECTS,
    outcome: LoadOutcome | None = None,
) -> list[str]:
    """What ``explorer load sipri`` prints: format, counts that reconcile, graph
    changes, what the run resumed, replaced and found missing, speed, and the
    rejects (all of them saved, or the first ``shown``)."""
    rows = rows_written(summary)
    rejected = len(report.rejects)
    reconciled = "every record accounted for" if report.balanced else "DOES NOT RECONCILE"
    nodes_updated = summary.nodes_written - summary.nodes_created
    rels_updated = summary.relationships_written - summary.relationships_created
    lines = [
        f"{report.source}: {FORMAT_NAMES.get(report.format or '', report.format)} "
        f"({report.format}), encoding {report.encoding}, generated {report.generated or 'unknown'}",
        f"Records: {report.records_read:,} read = {report.records_imported:,} imported + "
        f"{rejected:,} rejected ({reconciled}); {report.deals:,} deals"
        + (f"; {len(report.repairs):,} repaired" if report.repairs else ""),
        f"Graph: {summary.nodes_created:,} nodes created, {nodes_updated:,} updated; "
        f"{summary.relationships_created:,} relationships created, {rels_updated:,} updated; "
        f"{summary.summaries:,} actor-to-actor summaries rebuilt",
        f"Time: {seconds:.1f} s, {rows / max(seconds, 1e-9):,.0f} rows/s "
        f"({rows:,} node and relationship rows)",
    ]
    lines[3:3] = _run_lines(report, summary, outcome)
    if not rejected:
        return lines
    if rejects_path is not None:
        lines.append(f"Rejected records: all {rejected:,} written to {rejects_path} "
                     "(line, reason, text).")
        return lines
    lines.append("Rejected records (line: reason):")
    lines.extend(f"  line {r.line}: {r.reason}" for r in report.rejects[:shown])
    if rejected > shown:
        lines.append(f"  ... and {rejected - shown:,} more: rerun with --rejects rejects.csv "
                     "to save them all.")
    return lines
