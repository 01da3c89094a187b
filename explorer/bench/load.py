"""`explorer bench load`: the SIPRI importer against four other ways to write the same rows.

Every run starts from an empty database and runs in a worker process of its
own, so that its peak RSS is its own and one run cannot warm up the next::

    importer      explorer.loaders.sipri_loader.load_sipri: streamed parse (in a
                  parser process a chunk ahead, for a big file), a transaction
                  per batch of whole deals, an ImportRun node
    py2neo_bulk   py2neo.bulk.merge_nodes / merge_relationships with the same
                  rows and the same batch size, a transaction per batch
    naive         one MERGE per row, one transaction per row, on a sample
                  (the first N deals: the whole file would take hours)
    plain_floor   the server's unavoidable work, as a reference: as many rows
                  as the importer writes, each a node of one label with a
                  uniqueness constraint, UNWIND … CREATE of 5,000 per
                  transaction, rows prepared before the clock starts
    admin_import  neo4j-admin database import full from CSV files written from
                  the same rows, offline into a fresh store: the upper bound

Times are wall clock from opening the file to the commit (the naive run: its
writes only). ``rows`` counts node and relationship rows written, the same
unit for every loader. By default the benchmark starts its own throwaway
Neo4j on a free port; ``use_current_db`` benches against the configured one,
whose data it deletes, so it refuses unless the database is empty or
``yes_wipe`` is given.

Run ``python -m explorer.bench.load worker …`` is the worker's entry point,
used by ``run_bench`` only.

Why one module of ~700 lines: the five loaders must be measured under the same
rules (same rows, same batch, same worker, same clock); keeping them and the
worker side by side is what makes the comparison auditable.
"""

from __future__ import annotations

import csv
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from explorer.config import Settings, cache_dir, load_settings, project_root
from explorer.db import Database
from explorer.errors import ExplorerError, ValidationError
from explorer.loaders.seed_bundle import EVIDENCE_PROPERTIES, NODE_PROPERTIES
from explorer.loaders.seeds import SEED_DIR, load_seed_bundle
from explorer.loaders.sipri_encoding import open_export
from explorer.loaders.sipri_loader import SIPRI_BATCH_SIZE, load_sipri, rows_written
from explorer.loaders.sipri_parse import parse_export
from explorer.loaders.sipri_records import ParseReport
from explorer.loaders.sipri_rows import Row, SipriRowBuilder, merged_rows
from explorer.loaders.writer import (
    NODE_LABELS,
    PARALLEL_KEYS,
    REBUILD_SUMMARY,
    RELATIONSHIP_TYPES,
    rebuild_summaries,
)
from explorer.schema import AWAIT_FULLTEXT, await_fulltext

LOADERS = ("importer", "py2neo_bulk", "naive", "plain_floor", "admin_import")
REPEATED = ("importer", "py2neo_bulk", "plain_floor")
"""The loaders run ``runs`` times per input, in alternating order; the naive sample
and the offline admin import run once (minutes each, and far from the importer)."""
DEFAULT_RUNS = 3
DEFAULT_INPUTS = ("shared", "synthetic")
NAIVE_SAMPLE = 1000
WARM_UP_LINES = 30_000
"""The warm-up's length: the whole shared export. With 2,000 lines the JVM was still
cold for whichever loader ran first, which then measured 20-40% slower (the same
loader, moved second, was that much faster)."""
SYNTHETIC_SCALE = 10
SHARED_EXPORT = ("shared", "data", "sipri", "sipri-at-export-2026-02-12.csv")
WORKER_TIMEOUT_S = 3 * 3600
# The throwaway server is a default one (512 MiB heap): every loader commits in
# batches, so none needs more, whatever the file's size.
BENCH_HEAP_MB = 512
BENCH_PAGECACHE_MB = 512
PLAIN_BATCH = 5000
ADMIN_OFF_HEAP = "1G"

Log = Callable[[str], None]


@dataclass
class BenchRun:
    loader: str
    input: str
    rows: int | None
    seconds: float | None
    rows_per_s: float | None
    peak_rss_mb: float | None
    note: str = ""
    seconds_each: list[float] = field(default_factory=list)
    """Every run's seconds, in the order run; ``seconds`` is their median."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- the parent ----------------------------------------------------------------------------


def run_bench(
    inputs: Sequence[str] = DEFAULT_INPUTS,
    *,
    loaders: Sequence[str] = LOADERS,
    use_current_db: bool = False,
    yes_wipe: bool = False,
    naive_sample: int = NAIVE_SAMPLE,
    batch_size: int = SIPRI_BATCH_SIZE,
    runs: int = DEFAULT_RUNS,
    log: Log | None = None,
) -> dict[str, Any]:
    """Run every loader on every input; ``{"runs": [...], "ratios": {input: {...}}}``.

    The ``REPEATED`` loaders run ``runs`` times per input, the order reversed every
    round (whichever loader ran first after the warm-up measured slower: the server's
    JIT was still warming up), and report the median. Ratios compare the importer's
    rows/s with the others' on each input; None where a run has no figure.
    """
    log = log or (lambda message: None)
    unknown = [name for name in loaders if name not in LOADERS]
    if unknown:
        raise ValidationError(f"unknown loader {unknown[0]!r}: choose from {', '.join(LOADERS)}.")
    if naive_sample < 1 or batch_size < 1 or runs < 1:
        raise ValidationError("--naive-sample, --batch-size and --runs must be at least 1.")
    results: list[BenchRun] = []
    with tempfile.TemporaryDirectory(prefix="explorer-bench-") as scratch:
        work = Path(scratch)
        files = [(name, _input_path(name, work, log)) for name in inputs]
        server = None
        if use_current_db:
            settings = load_settings()
        else:
            server, settings = _throwaway_server(work, log)
        db = Database(settings)
        try:
            online = [name for name in loaders if name != "admin_import"]
            if online:
                _check_empty(db, yes_wipe, use_current_db)
                from explorer.schema import apply_schema

                apply_schema(db)
                _warm_up(online, files[0][1], settings, work, batch_size, log)
            for name, path in files:
                each: dict[str, list[BenchRun]] = {loader: [] for loader in loaders}
                for round_index in range(runs):
                    order = loaders if round_index % 2 == 0 else list(reversed(loaders))
                    for loader in order:
                        if round_index and loader not in REPEATED:
                            continue
                        if loader != "admin_import":
                            _wipe(db)
                        which = (f" (run {round_index + 1} of {runs})"
                                 if runs > 1 and loader in REPEATED else "")
                        log(f"bench: {loader} on {name}{which} ...")
                        run = _run_worker(loader, name, path, settings, work, batch_size,
                                          naive_sample)
                        log(f"bench: {loader} on {name}{which}: {_describe(run)}")
                        each[loader].append(run)
                results.extend(_median_run(each[loader]) for loader in loaders)
            if online:
                _wipe(db)
        finally:
            db.close()
            if server is not None:
                server.stop()
    return {"runs": [run.as_dict() for run in results], "ratios": _ratios(results, inputs)}


def _median_run(runs: list[BenchRun]) -> BenchRun:
    """One loader's runs on one input as one: the median seconds (and the rows/s they
    give), the largest peak RSS. A run without figures makes the whole one so: a
    loader that failed once is not reported from its other runs."""
    failed = next((run for run in runs if run.seconds is None), None)
    if failed is not None:
        return failed
    first = runs[0]
    seconds = statistics.median(run.seconds for run in runs if run.seconds is not None)
    rss = [run.peak_rss_mb for run in runs if run.peak_rss_mb is not None]
    return BenchRun(
        first.loader, first.input, first.rows, round(seconds, 3),
        round(first.rows / seconds, 1) if first.rows else None, max(rss) if rss else None,
        first.note, [run.seconds for run in runs if run.seconds is not None],
    )  # fmt: skip


def _describe(run: BenchRun) -> str:
    if run.rows_per_s is None:
        return f"no figure ({run.note})"
    return f"{run.rows:,} rows in {run.seconds:.1f} s = {run.rows_per_s:,.0f} rows/s"


def _ratios(runs: list[BenchRun], inputs: Sequence[str]) -> dict[str, dict[str, float | None]]:
    """Per input: the importer's rows/s divided by each other loader's."""
    ratios: dict[str, dict[str, float | None]] = {}
    for name in inputs:
        speed = {run.loader: run.rows_per_s for run in runs if run.input == name}
        mine = speed.get("importer")
        ratios[name] = {
            f"vs_{other}": round(mine / speed[other], 2) if mine and speed.get(other) else None
            for other in LOADERS if other != "importer"
        }
    return ratios


def _input_path(name: str, work: Path, log: Log) -> Path:
    if name == "shared":
        root = project_root()
        path = root.parent.joinpath(*SHARED_EXPORT) if root else None
        if path is None or not path.is_file():
            raise ValidationError(
                f"the shared SIPRI export is not at {path or '../' + '/'.join(SHARED_EXPORT)}: "
                "give the path of an export with --input PATH."
            )
        return path
    if name == "synthetic":
        from explorer.loaders.sipri_synth import generate

        path = work / f"sipri-synthetic-x{SYNTHETIC_SCALE}.csv"
        log(f"bench: writing the synthetic export ({SYNTHETIC_SCALE}x the shared one) ...")
        generate(path, scale=SYNTHETIC_SCALE)
        return path
    path = Path(name)
    if not path.is_file():
        raise ValidationError(f"--input {name}: no such file (use shared, synthetic or a path).")
    return path


def _throwaway_server(work: Path, log: Log) -> tuple[Any, Settings]:
    from explorer.localdb import LocalServer
    from explorer.localdb.server import free_port

    server = LocalServer(work / "neo4j", port=free_port(), heap_mb=BENCH_HEAP_MB,
                         pagecache_mb=BENCH_PAGECACHE_MB, transaction_timeout_s=WORKER_TIMEOUT_S)
    log(f"bench: starting a throwaway Neo4j on {server.uri} ...")
    server.start(timeout_s=300)
    env = dict(line.removeprefix("export ").split("=", 1) for line in server.env_lines())
    return server, Settings(env["NEO4J_URI"], env["NEO4J_USERNAME"], env["NEO4J_PASSWORD"],
                            "neo4j", "bench throwaway server")


def _warm_up(loaders: Sequence[str], path: Path, settings: Settings, work: Path,
             batch_size: int, log: Log) -> None:
    """Run each online loader once, unmeasured, on the first ``WARM_UP_LINES`` lines of
    ``path``: a fresh server compiles every new query and warms its JIT, and the
    first measured run would otherwise pay for it alone."""
    head = work / "warm-up.csv"
    with path.open("rb") as source:
        head.write_bytes(b"".join(islice(source, WARM_UP_LINES)))
    db = Database(settings)
    try:
        for loader in loaders:
            log(f"bench: warming up {loader} ...")
            _wipe(db)
            _run_worker(loader, "warm-up", head, settings, work, batch_size, 50)
        _wipe(db)
    finally:
        db.close()


def _check_empty(db: Database, yes_wipe: bool, use_current_db: bool) -> None:
    nodes = db.read(lambda tx: tx.run("MATCH (n) RETURN count(n) AS c").single()["c"])
    if nodes and not yes_wipe:
        where = f"the database at {db.uri}" if use_current_db else "the bench server"
        raise ValidationError(
            f"{where} holds {nodes:,} nodes and the benchmark deletes everything in it: "
            "rerun with --yes-wipe, or without --use-current-db to bench on a throwaway server."
        )


def _wipe(db: Database) -> None:
    """Delete everything, in bounded transactions (one would hold it all in the heap)."""

    # Relationships first: a DETACH DELETE of Russia alone would take its tens of
    # thousands of edges into one transaction, past the server's per-transaction memory.
    for statement in ("MATCH ()-[r]->() WITH r LIMIT 10000 DELETE r RETURN count(*) AS c",
                      "MATCH (n) WITH n LIMIT 10000 DELETE n RETURN count(*) AS c"):
        while db.write(lambda tx, s=statement: tx.run(s).single()["c"], label="bench-wipe",
                       timeout=600.0):
            pass
    # The full-text indexes apply the deletions in the background: let them finish, or
    # the next run would pay for its predecessor's wipe.
    await_fulltext(db)


def _run_worker(loader: str, name: str, path: Path, settings: Settings, work: Path,
                batch_size: int, naive_sample: int) -> BenchRun:
    env = {**os.environ, "NEO4J_URI": settings.uri, "NEO4J_USERNAME": settings.username,
           "NEO4J_PASSWORD": settings.password or "", "NEO4J_DATABASE": settings.database}
    command = [sys.executable, "-m", "explorer.bench.load", "worker", loader, str(path),
               "--batch-size", str(batch_size), "--sample", str(naive_sample),
               "--work", str(work)]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True,
                              timeout=WORKER_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return BenchRun(loader, name, None, None, None, None,
                        f"unavailable: did not finish within {WORKER_TIMEOUT_S} s")
    result = None
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            result = json.loads(line)
            break
    if result is None:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return BenchRun(loader, name, None, None, None, None,
                        f"unavailable: the worker failed ({tail})")
    rows, seconds = result.get("rows"), result.get("seconds")
    speed = round(rows / seconds, 1) if rows and seconds else None
    return BenchRun(loader, name, rows, round(seconds, 3) if seconds else None, speed,
                    result.get("peak_rss_mb"), result.get("note", ""),
                    [round(seconds, 3)] if seconds else [])


# --- text output --------------------------------------------------------------------------


def format_text(result: dict[str, Any]) -> str:
    header = ("loader", "input", "rows", "seconds", "each run", "rows/s", "peak RSS MB", "note")
    table = [header]
    for run in result["runs"]:
        table.append((
            run["loader"], Path(run["input"]).name if "/" in run["input"] else run["input"],
            _num(run["rows"], "{:,}"), _num(run["seconds"], "{:.2f}"),
            " ".join(f"{x:.2f}" for x in run["seconds_each"]) if len(run["seconds_each"]) > 1
            else "",
            _num(run["rows_per_s"], "{:,.0f}"), _num(run["peak_rss_mb"], "{:.0f}"), run["note"],
        ))  # fmt: skip
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1]
             for row in table]
    lines.append("")
    for name, ratios in result["ratios"].items():
        shown = Path(name).name if "/" in name else name
        lines.append(f"importer rows/s on {shown} relative to: " + ", ".join(
            f"{key.removeprefix('vs_')} {_num(value, '{:.2f}x')}" for key, value in ratios.items()
        ))  # fmt: skip
    return "\n".join(lines)


def _num(value: float | None, pattern: str) -> str:
    return "-" if value is None else pattern.format(value)


# --- the workers ---------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    """The larger of this process's peak RSS and its children's (the admin tool's JVM).

    Our own from /proc (VmHWM): getrusage's ru_maxrss survives fork and exec, so a
    worker would report its parent's size whenever the parent was the bigger one.
    """
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        pass
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def _deals(path: Path, report: ParseReport) -> Any:
    fileobj, encoding = open_export(path)
    report.source, report.encoding = path.name, encoding
    return fileobj, parse_export(fileobj, report=report)


def _batches(rows: Sequence[Row], size: int) -> Iterable[Sequence[Row]]:
    return (rows[i : i + size] for i in range(0, len(rows), size))


def _by_labels(rows: Iterable[Row]) -> dict[tuple[str, str], list[Row]]:
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        groups.setdefault((row["start_label"], row["end_label"]), []).append(row)
    return groups


def work_importer(path: Path, batch_size: int, **_: Any) -> dict[str, Any]:
    db = Database(load_settings())
    try:
        began = time.perf_counter()
        report, summary = load_sipri(db, path, batch_size=batch_size)
        seconds = time.perf_counter() - began
    finally:
        db.close()
    return {"rows": rows_written(summary), "seconds": seconds,
            "note": f"a transaction per {batch_size:,} deals; {report.deals:,} deals; "
                    "peak RSS: the larger of the importer's and its parser process's"}


def _naive_node(label: str) -> str:
    if label not in NODE_LABELS:
        raise ValueError(label)
    return f"MERGE (n:{label} {{id: $id}}) SET n += $props"


def _naive_relationship(rel_type: str, start_label: str, end_label: str) -> str:
    if rel_type not in RELATIONSHIP_TYPES or {start_label, end_label} - set(NODE_LABELS):
        raise ValueError(rel_type)
    key = PARALLEL_KEYS.get(rel_type)
    merge_props = f" {{{key}: $props.{key}}}" if key else ""
    return (f"MATCH (a:{start_label} {{id: $start}}) MATCH (b:{end_label} {{id: $end}}) "
            f"MERGE (a)-[r:{rel_type}{merge_props}]->(b) SET r += $props")


def work_naive(path: Path, sample: int, **_: Any) -> dict[str, Any]:
    report = ParseReport()
    fileobj, deals = _deals(path, report)
    with fileobj:
        builder = SipriRowBuilder(load_seed_bundle([SEED_DIR]), report.generated)
        for deal in islice(deals, sample):
            builder.add(deal)
    rows = merged_rows(builder.take())
    db = Database(load_settings())
    written = 0
    try:
        began = time.perf_counter()
        for label in NODE_LABELS:
            statement = _naive_node(label)
            for row in rows.get(label, ()):
                db.write(lambda tx, r=row, s=statement: tx.run(s, id=r["id"], props=r["props"])
                         .consume())
                written += 1
        for rel_type in RELATIONSHIP_TYPES:
            for (start_label, end_label), group in _by_labels(rows.get(rel_type, ())).items():
                statement = _naive_relationship(rel_type, start_label, end_label)
                for row in group:
                    db.write(lambda tx, r=row, s=statement: tx.run(
                        s, start=r["start"], end=r["end"], props=r["props"]).consume())
                    written += 1
        rebuild_summaries(db)
        await_fulltext(db)
        seconds = time.perf_counter() - began
    finally:
        db.close()
    return {"rows": written, "seconds": seconds,
            "note": f"sample: first {builder.deals:,} deals (--naive-sample {sample}), "
                    "one transaction per row; writes timed, parse not"}


def _bolt_uri(uri: str) -> str:
    """py2neo speaks Bolt directly: a routing ``neo4j://`` URI becomes ``bolt://``."""
    for routed, direct in (("neo4j+ssc://", "bolt+ssc://"), ("neo4j+s://", "bolt+s://"),
                           ("neo4j://", "bolt://")):
        if uri.startswith(routed):
            return direct + uri.removeprefix(routed)
    return uri


def work_py2neo(path: Path, batch_size: int, **_: Any) -> dict[str, Any]:
    warnings.simplefilter("ignore")  # py2neo is unmaintained and warns about it on import
    from py2neo import Graph
    from py2neo.bulk import merge_nodes, merge_relationships

    settings = load_settings()
    uri = _bolt_uri(settings.uri)
    graph = Graph(uri, auth=(settings.username, settings.password or ""),
                  name=settings.database)
    written = 0
    began = time.perf_counter()
    report = ParseReport()
    fileobj, deals = _deals(path, report)
    with fileobj:
        # The parser fills report.generated when it reads the header, before any deal.
        builder = SipriRowBuilder(load_seed_bundle([SEED_DIR]), report.generated)
        for chunk in builder.chunks(deals, batch_size):
            tx = graph.begin()
            try:
                written += _py2neo_chunk(tx, merged_rows(chunk), batch_size, merge_nodes,
                                         merge_relationships)
                graph.commit(tx)
            except BaseException:
                graph.rollback(tx)
                raise
    graph.run(REBUILD_SUMMARY)
    # The same end as the importer's: the full-text indexes hold what was written.
    graph.run(AWAIT_FULLTEXT)
    seconds = time.perf_counter() - began
    scheme = uri.split("://", 1)[0]
    return {"rows": written, "seconds": seconds,
            "note": f"py2neo {_version('py2neo')} over {scheme}://, a transaction per "
                    f"{batch_size:,} deals"}


def _py2neo_chunk(tx: Any, rows: dict[str, list[Row]], batch_size: int, merge_nodes: Any,
                  merge_relationships: Any) -> int:
    written = 0
    for label in NODE_LABELS:
        for batch in _batches(rows.get(label, []), batch_size):
            merge_nodes(tx, [{"id": r["id"], **r["props"]} for r in batch], (label, "id"))
            written += len(batch)
    for rel_type in RELATIONSHIP_TYPES:
        key = (rel_type, PARALLEL_KEYS[rel_type]) if rel_type in PARALLEL_KEYS else (rel_type,)
        for labels, group in sorted(_by_labels(rows.get(rel_type, [])).items()):
            for batch in _batches(group, batch_size):
                merge_relationships(
                    tx, [(r["start"], r["props"], r["end"]) for r in batch], key,
                    start_node_key=(labels[0], "id"), end_node_key=(labels[1], "id"))
                written += len(batch)
    return written


PLAIN_CREATE = "UNWIND $rows AS row CREATE (n:PlainRow) SET n = row"


def work_plain(path: Path, **_: Any) -> dict[str, Any]:
    """The floor: the importer's number of rows, written the simplest fast way."""
    report = ParseReport()
    fileobj, deals = _deals(path, report)
    plain: list[dict[str, Any]] = []
    with fileobj:
        builder = SipriRowBuilder(load_seed_bundle([SEED_DIR]), report.generated)
        for chunk in builder.chunks(deals, SIPRI_BATCH_SIZE):
            for key, rows in merged_rows(chunk).items():
                for row in rows:
                    ident = row.get("id") or f"{row['start']}|{key}|{row['end']}|{len(plain)}"
                    plain.append({"id": ident, **{k: v for k, v in row["props"].items()
                                                  if v is not None and v != []}})
    db = Database(load_settings())
    try:
        db.write(lambda tx: tx.run("CREATE CONSTRAINT plain_row_id IF NOT EXISTS "
                                   "FOR (n:PlainRow) REQUIRE n.id IS UNIQUE").consume())
        began = time.perf_counter()
        for start in range(0, len(plain), PLAIN_BATCH):
            part = plain[start : start + PLAIN_BATCH]
            db.write(lambda tx, p=part: tx.run(PLAIN_CREATE, rows=p).consume())
        seconds = time.perf_counter() - began
        db.write(lambda tx: tx.run("DROP CONSTRAINT plain_row_id IF EXISTS").consume())
    finally:
        db.close()
    return {"rows": len(plain), "seconds": seconds,
            "note": f"reference: one label, a uniqueness constraint, UNWIND … CREATE of "
                    f"{PLAIN_BATCH:,} per transaction; writes timed, parse not"}


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


_CSV_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


class _CsvSet:
    """One data file per node label and per relationship (type, start, end), headers
    written last: a column's type is only known once its values have been seen."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files: dict[tuple[str, ...], tuple[Any, Any]] = {}
        self.columns: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.types: dict[tuple[str, ...], dict[str, str]] = {}
        self.counts: dict[str, int] = {"nodes": 0, "relationships": 0}

    def _writer(self, key: tuple[str, ...], columns: tuple[str, ...]) -> Any:
        if key not in self.files:
            stream = (self.directory / ("-".join(key) + ".csv")).open(
                "w", encoding="utf-8", newline="")
            self.files[key] = (stream, csv.writer(stream))
            self.columns[key] = columns
            self.types[key] = {}
        return self.files[key][1]

    def _cells(self, key: tuple[str, ...], props: dict[str, Any]) -> list[str]:
        unknown = set(props) - set(self.columns[key])
        if unknown:
            raise ExplorerError(f"admin import: no column for {sorted(unknown)} in {key}")
        cells = []
        for column in self.columns[key]:
            value = props.get(column)
            if value is None or value == [] or value == "":
                cells.append("")
                continue
            kind = _csv_type(value)
            seen = self.types[key].get(column)
            self.types[key][column] = "double" if {seen, kind} == {"long", "double"} else kind
            if isinstance(value, list):
                cells.append(";".join(_csv_scalar(v) for v in value))
            else:
                cells.append(_csv_scalar(value))
        return cells

    def node(self, label: str, row: Row) -> None:
        key = ("node", label)
        writer = self._writer(key, NODE_PROPERTIES[label])
        writer.writerow([row["id"], *self._cells(key, row["props"])])
        self.counts["nodes"] += 1

    def relationship(self, rel_type: str, row: Row) -> None:
        key = ("rel", rel_type, row["start_label"], row["end_label"])
        columns = EVIDENCE_PROPERTIES if rel_type == "EVIDENCED_BY" else ()
        writer = self._writer(key, columns)
        writer.writerow([row["start"], row["end"], *self._cells(key, row["props"])])
        self.counts["relationships"] += 1

    def close(self) -> list[str]:
        """Close the data files, write the headers; the import tool's --nodes/--relationships."""
        arguments = []
        for key, (stream, _) in self.files.items():
            stream.close()
            typed = [f"{c}:{self.types[key].get(c, 'string')}" for c in self.columns[key]]
            if key[0] == "node":
                head = [f"id:ID({key[1]})", *typed]
            else:
                head = [f":START_ID({key[2]})", f":END_ID({key[3]})", *typed]
            header = self.directory / ("-".join(key) + ".header.csv")
            with header.open("w", encoding="utf-8", newline="") as stream:
                csv.writer(stream).writerow(head)
            files = f"{header},{self.directory / ('-'.join(key) + '.csv')}"
            option = "--nodes" if key[0] == "node" else "--relationships"
            arguments.append(f"{option}={key[1]}={files}")
        return arguments


def _csv_type(value: Any) -> str:
    if isinstance(value, list):
        return _csv_type(value[0]) + "[]"
    return _CSV_TYPES[type(value)]


def _csv_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def work_admin(path: Path, work: Path, **_: Any) -> dict[str, Any]:
    from explorer.localdb.jars import ensure_jars
    from explorer.localdb.java import find_java
    from explorer.localdb.server import ADMIN_TOOL, NEO4J_VERSION

    try:
        java = find_java()
        lib = ensure_jars(NEO4J_VERSION, cache_dir())
    except ExplorerError as error:
        return {"rows": None, "seconds": None, "note": f"unavailable: {error}"}
    home = Path(tempfile.mkdtemp(prefix="admin-import-", dir=work))
    (home / "conf").mkdir()
    (home / "csv").mkdir()
    (home / "conf" / "neo4j.conf").write_text(
        f"server.directories.data={home / 'data'}\nserver.directories.logs={home / 'logs'}\n",
        encoding="utf-8")
    began = time.perf_counter()
    files = _CsvSet(home / "csv")
    report = ParseReport()
    fileobj, deals = _deals(path, report)
    with fileobj:
        builder = SipriRowBuilder(load_seed_bundle([SEED_DIR]), report.generated)
        for chunk in builder.chunks(deals, SIPRI_BATCH_SIZE):
            rows = merged_rows(chunk)
            for label in NODE_LABELS:
                for row in rows.get(label, ()):
                    files.node(label, row)
            for rel_type in RELATIONSHIP_TYPES:
                for row in rows.get(rel_type, ()):
                    files.relationship(rel_type, row)
    arguments = files.close()
    csv_seconds = time.perf_counter() - began
    command = [str(java.path), "-Xmx512m", "-cp", f"{lib}/*", "-Dlog4j2.disable.jmx=true",
               ADMIN_TOOL, "database", "import", "full", "neo4j", "--overwrite-destination",
               "--multiline-fields=true", f"--max-off-heap-memory={ADMIN_OFF_HEAP}",
               f"--report-file={home / 'import.report'}", *arguments]
    done = subprocess.run(command, env={**os.environ, "NEO4J_HOME": str(home),
                                        "NEO4J_CONF": str(home / "conf")},
                          capture_output=True, text=True, timeout=WORKER_TIMEOUT_S, check=False)
    seconds = time.perf_counter() - began
    output = done.stdout + done.stderr
    if done.returncode != 0 or "IMPORT DONE" not in output:
        last = [line for line in output.splitlines() if line.strip()][-1:] or ["no output"]
        return {"rows": None, "seconds": None,
                "note": f"unavailable: neo4j-admin import failed ({last[0].strip()[:200]})"}
    imported = _imported(output)
    expected = files.counts["nodes"] + files.counts["relationships"]
    note = (f"offline into a fresh store, no indexes or TRANSFERS_TO summaries; "
            f"{csv_seconds:.1f} s writing CSV + {seconds - csv_seconds:.1f} s neo4j-admin "
            "(JVM start included)")
    if imported != expected:
        note += f"; the tool reports {imported:,} entities, {expected:,} were written"
    return {"rows": expected, "seconds": seconds, "note": note}


def _imported(output: str) -> int:
    """Nodes + relationships from the tool's closing summary ("Imported: N nodes ...")."""
    nodes = re.search(r"(\d[\d,]*) nodes", output.split("IMPORT DONE", 1)[-1])
    rels = re.search(r"(\d[\d,]*) relationships", output.split("IMPORT DONE", 1)[-1])
    return sum(int(m.group(1).replace(",", "")) for m in (nodes, rels) if m)


WORKERS = {"importer": work_importer, "naive": work_naive, "py2neo_bulk": work_py2neo,
           "plain_floor": work_plain, "admin_import": work_admin}


def _worker_main(argv: list[str]) -> int:
    import argparse
    import logging

    logging.getLogger("neo4j").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser(prog="python -m explorer.bench.load")
    parser.add_argument("mode", choices=["worker"])
    parser.add_argument("loader", choices=sorted(WORKERS))
    parser.add_argument("path", type=Path)
    parser.add_argument("--batch-size", type=int, default=SIPRI_BATCH_SIZE)
    parser.add_argument("--sample", type=int, default=NAIVE_SAMPLE)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args(argv)
    try:
        result = WORKERS[args.loader](path=args.path, batch_size=args.batch_size,
                                      sample=args.sample, work=args.work)
    except ExplorerError as error:
        result = {"rows": None, "seconds": None, "note": f"unavailable: {error}"}
    except ImportError as error:
        result = {"rows": None, "seconds": None,
                  "note": f"unavailable: {error} "
                          "(install the bench extra: pip install -e '.[bench]')"}
    result["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))
