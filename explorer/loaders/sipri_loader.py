"""`explorer load sipri`: a SIPRI export into the graph, in one transaction.

The file is checked before the database is touched (a file that is not a SIPRI
export raises ``ValidationError`` and nothing is written), then parsed again
inside one write transaction, streaming: deals become rows in chunks
(``sipri_rows``) and each chunk is written with batched ``UNWIND … MERGE``
(``writer.write_chunk_tx``, plus one statement per batch for a
transfer with its four edges), so memory does not grow with the file while the
whole load still lands, or not, as one. Loading the same file twice changes
nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from queue import Full, Queue
from typing import Literal

import neo4j
from neo4j import exceptions as neo4j_errors

from explorer.db import Database
from explorer.errors import ExplorerError, ValidationError
from explorer.loaders.seeds import SEED_DIR, SeedBundle, load_seed_bundle
from explorer.loaders.sipri_parse import (
    Format,
    ParseReport,
    open_export,
    parse_export,
    sniff_encoding,
)
from explorer.loaders.sipri_rows import FUSED, Chunk, SipriRowBuilder, fuse_transfers
from explorer.loaders.writer import (
    LOAD_TIMEOUT_S,
    REBUILD_SUMMARY,
    WriteSummary,
    forget_query_plans,
    run_rows,
    write_chunk_tx,
)
from explorer.schema import apply_schema, missing_schema

SIPRI_BATCH_SIZE = 5000
"""Rows per UNWIND, and deals per chunk: the fastest of 500/1000/2000/5000 on the
shared export (the README, "Importing SIPRI exports", has the measurements)."""
PREFETCH_CHUNKS = 2
"""Chunks the parsing thread may have ready ahead of the writer."""

Progress = Callable[[int, int], None]
"""``progress(records read, records expected)``, called after each chunk is written;
the expectation is the file's line count after the header (exact for the AT export)."""

# A SIPRI transfer and its four edges in one pass: the transfer is looked up
# once instead of five times, which measured ~25% faster than writing the same
# rows label by label (README, "Importing SIPRI exports"). MERGE throughout, so a
# rerun changes nothing.
TRANSFER_WITH_EDGES = """
UNWIND $rows AS row
MERGE (t:Transfer {id: row.id})
SET t += row.props
WITH t, row
MATCH (supplier:Actor {id: row.supplier})
MATCH (recipient:Actor {id: row.recipient})
MATCH (system:WeaponSystem {id: row.system})
MATCH (source:Source {id: row.source})
MERGE (supplier)-[:SUPPLIED]->(t)
MERGE (t)-[:TO]->(recipient)
MERGE (t)-[:OF]->(system)
MERGE (t)-[e:EVIDENCED_BY {quote: row.evidence.quote}]->(source)
SET e += row.evidence
RETURN count(*) AS matched
"""

FORMATS = ("auto", "atdb", "register")
FORMAT_NAMES = {"atdb": "AT Database export", "register": "trade register"}
SHOWN_REJECTS = 10


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
) -> tuple[ParseReport, WriteSummary]:
    """Parse ``path``, resolve names against the seeds, write it all in one transaction.

    Returns the parse report (records read/imported/rejected, which always
    reconcile) and the writer's summary. ``rejects_path`` receives every
    rejected record as CSV (line, reason, text), written after the load.
    Raises ``ValidationError`` (nothing written) for a file that is not a SIPRI
    export or does not decode with ``encoding``.
    """
    path = Path(path)
    if fmt not in FORMATS:
        raise ValidationError(f"unknown SIPRI format {fmt!r}: use auto, atdb or register.")
    if batch_size < 1:
        raise ValidationError(f"the batch size must be at least 1, not {batch_size}.")
    if rejects_path is not None:
        _check_writable(Path(rejects_path))
    encoding = encoding or sniff_encoding(path)
    _check_head(path, fmt, encoding)
    bundle = bundle if bundle is not None else load_seed_bundle([SEED_DIR])
    expected = _data_lines(path) if progress else 0
    if missing_schema(db):
        apply_schema(db)

    def work(tx: neo4j.ManagedTransaction) -> tuple[ParseReport, WriteSummary]:
        # Everything is rebuilt inside: the driver may run this function again.
        report = ParseReport(source=path.name, encoding=encoding)
        fileobj, _ = open_export(path, encoding)
        with fileobj:
            deals = parse_export(fileobj, fmt, report=report)
            builder = SipriRowBuilder(bundle, report.generated)

            def written() -> None:
                if progress:
                    done = report.records_read
                    progress(done, max(expected - report.header_line, done))

            chunks = _prefetched(builder.chunks(deals, batch_size))
            try:
                summary = _write_chunks(tx, chunks, batch_size, written)
            finally:
                chunks.close()  # stops the parsing thread before the file closes
        if not report.balanced:
            # Cannot happen unless the parser loses a record: refuse rather than hide it.
            raise ExplorerError(
                f"{report.source}: {report.records_read} records read but "
                f"{report.records_imported} imported and {len(report.rejects)} rejected — "
                "a parser bug; nothing was written"
            )
        return report, summary

    try:
        report, summary = db.write(work, timeout=LOAD_TIMEOUT_S, label="load-sipri")
    except neo4j_errors.TransientError as error:
        if "OutOfMemory" not in (error.code or ""):
            raise
        # One transaction holds the whole file (about 3 KB of server memory per row).
        raise ExplorerError(
            f"{path.name} is too big for one transaction on this server: it ran out of "
            "transaction memory — give Neo4j a bigger heap (explorer db start --heap-mb 4096) "
            "or raise dbms.memory.transaction.total.max; nothing was written"
        ) from None
    forget_query_plans(db)
    if progress:
        progress(report.records_read, report.records_read)
    if rejects_path is not None:
        Path(rejects_path).write_text(report.rejects_csv(), encoding="utf-8")
    return report, summary


def _write_chunks(
    tx: neo4j.ManagedTransaction,
    chunks: Iterable[Chunk],
    batch_size: int,
    written: Callable[[], None],
) -> WriteSummary:
    summary = WriteSummary()
    for rows, fill in chunks:
        transfers, rest = fuse_transfers(rows)
        write_chunk_tx(tx, rest, summary, fill=fill, batch_size=batch_size)
        for start in range(0, len(transfers), batch_size):
            batch = transfers[start : start + batch_size]
            matched, counters = run_rows(tx, TRANSFER_WITH_EDGES, batch, matched=True)
            if matched != len(batch):
                # The builder emits every node a transfer points at: refuse rather than drop.
                raise ExplorerError(f"{len(batch) - matched} SIPRI transfers point at nodes "
                                    "that do not exist — a bug; nothing was written")
            summary.nodes_created += counters.nodes_created
            summary.relationships_created += counters.relationships_created
            summary.properties_set += counters.properties_set
            for key in ("Transfer", *FUSED):
                summary.rows[key] = summary.rows.get(key, 0) + len(batch)
        written()
    summary.summaries = tx.run(REBUILD_SUMMARY).single()["summaries"]
    return summary


def _prefetched(chunks: Iterator[Chunk]) -> Generator[Chunk, None, None]:
    """The chunks, parsed and built in a thread while the server writes the ones
    before: the driver waits for the server without holding the GIL, so parsing
    and writing overlap instead of taking turns. At most PREFETCH_CHUNKS wait;
    an error in the parser is raised here, in the writing thread."""
    queue: Queue[object] = Queue(maxsize=PREFETCH_CHUNKS)
    stop = threading.Event()
    finished = object()

    def hand_over(item: object) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not hand_over(chunk):
                    return
        except BaseException as error:  # raised again in the consumer
            hand_over(error)
            return
        hand_over(finished)

    thread = threading.Thread(target=produce, name="sipri-parse", daemon=True)
    thread.start()
    try:
        while True:
            item = queue.get()
            if item is finished:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()


def _check_head(path: Path, fmt: Format | Literal["auto"], encoding: str) -> None:
    """Read the notes and header only: raises ValidationError for a non-SIPRI file."""
    fileobj, _ = open_export(path, encoding)
    with fileobj:
        parse_export(fileobj, fmt, report=ParseReport(source=path.name, encoding=encoding))


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


def report_lines(
    report: ParseReport,
    summary: WriteSummary,
    seconds: float,
    *,
    rejects_path: Path | str | None = None,
    shown: int = SHOWN_REJECTS,
) -> list[str]:
    """What ``explorer load sipri`` prints: format, counts that reconcile, graph
    changes, speed, and the rejects (all of them saved, or the first ``shown``)."""
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
