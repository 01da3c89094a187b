"""Import runs: a load of any size that commits in batches and never looks finished
when it is not.

A file too big for one transaction (the whole SIPRI database on a default
512 MiB server) is written in batches, each its own transaction holding whole
deals: a deal and its four relationships always land together, so no query ever
sees half a deal. What one transaction gave before — all or nothing — an
``ImportRun`` node gives now, visibly:

* ``status: 'running'`` from the first batch until the end of the run, with
  ``batches_done`` advanced in the same transaction as each batch;
* ``status: 'complete'`` once every batch, the retirements and the summaries are
  written;
* a load that is killed (or whose server dies) stays ``running`` — ``explorer
  doctor``, ``explorer db status`` and the dashboard's Home page report it with
  the command that finishes it; rerunning the same file (same bytes: the run's id
  is the file's checksum) resumes after the last committed batch, and since every
  write is keyed on ids the graph ends as one uninterrupted load leaves it.

docs/loading.md describes the design for users.
"""

from __future__ import annotations

import contextlib
import hashlib
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import neo4j

from explorer.db import Database

RUN_PREFIX = "import-"

RESUME_POINT = """
MATCH (r:ImportRun {id: $id})
RETURN r.status <> 'complete' AND r.batch_size = $batch_size AS resumable,
       r.batches_done AS batches_done, r.deals_done AS deals_done
"""

# Written inside each batch's own transaction, so the run's progress and the batch
# commit together. The node is created by the first batch: a file refused before
# any batch is written leaves no trace.
ADVANCE = """
MERGE (r:ImportRun {id: $id})
ON CREATE SET r.started = datetime(), r.attempts = 0
SET r += $info, r.status = 'running', r.batches_done = $batches_done,
    r.deals_done = $deals_done, r.updated = datetime(), r.finished = null, r.error = null,
    r.attempts = r.attempts + CASE WHEN $first THEN 1 ELSE 0 END
"""

FINISH = """
MATCH (r:ImportRun {id: $id})
SET r += $counts, r.status = 'complete', r.finished = datetime(), r.updated = datetime()
"""

FAIL = """
MATCH (r:ImportRun {id: $id}) WHERE r.status <> 'complete'
SET r.status = 'failed', r.error = $error, r.updated = datetime()
"""

INCOMPLETE = """
MATCH (r:ImportRun) WHERE r.status <> 'complete'
RETURN r.id AS id, r.file AS file, r.path AS path, r.kind AS kind, r.status AS status,
       r.batches_done AS batches_done, r.deals_done AS deals_done, r.error AS error,
       toString(r.started) AS started, toString(r.updated) AS updated
ORDER BY r.updated
"""


def file_checksum(path: Path | str) -> str:
    """SHA-256 of the file's bytes, streamed."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run_id(checksum: str) -> str:
    """One run per file content: the same bytes loaded again continue (or redo) it."""
    return RUN_PREFIX + checksum[:16]


@dataclass(frozen=True)
class RunStart:
    id: str
    info: dict[str, Any]
    """What the run node records about the file (name, path, checksum, format ...)."""
    batches_done: int
    """Batches an earlier, interrupted attempt committed: the resume point."""
    deals_done: int


def resume_point(db: Database, *, path: Path, checksum: str, kind: str, fmt: str | None,
                 encoding: str, batch_size: int) -> RunStart:
    """The run for this file: an interrupted run with the same batch size resumes after
    its last batch; anything else begins at batch 0 (every write is idempotent, so
    redoing batches is safe, only slower)."""
    identifier = run_id(checksum)
    row = db.read(lambda tx: tx.run(RESUME_POINT, id=identifier, batch_size=batch_size)
                  .single(), label="import-run-resume")
    resumable = bool(row and row["resumable"])
    info = {"file": path.name, "path": str(path.resolve()), "checksum": checksum,
            "kind": kind, "format": fmt, "encoding": encoding, "batch_size": batch_size}
    return RunStart(identifier, info, row["batches_done"] if resumable else 0,
                    row["deals_done"] if resumable else 0)


def advance_tx(tx: neo4j.ManagedTransaction, run: RunStart, batches_done: int,
               deals_done: int, *, first: bool) -> None:
    """Inside a batch's own transaction: the batch and the run's progress commit
    together. ``first``: the first batch this attempt writes (counts the attempt)."""
    tx.run(ADVANCE, id=run.id, info=run.info, batches_done=batches_done,
           deals_done=deals_done, first=first).consume()


def finish(db: Database, identifier: str, counts: dict[str, Any]) -> None:
    db.write(lambda tx: tx.run(FINISH, id=identifier, counts=counts).consume(),
             label="import-run-finish")


def fail(db: Database, identifier: str, error: str) -> None:
    """Best effort: the server may be the thing that failed; the run then stays
    'running', which reads the same to every report (incomplete)."""
    # The original error is the one to report.
    with contextlib.suppress(Exception):
        db.write(lambda tx: tx.run(FAIL, id=identifier, error=error[:500]).consume(),
                 label="import-run-fail")


def incomplete_runs(db: Database) -> list[dict[str, Any]]:
    """Runs that did not finish (killed, failed, or still going in another process)."""
    return db.read(lambda tx: [dict(r) for r in tx.run(INCOMPLETE)], label="import-runs")


def finish_command(run: dict[str, Any]) -> str:
    """The command that completes ``run``."""
    path = run.get("path") or run.get("file") or "FILE"
    return f"explorer load {run.get('kind') or 'sipri'} {shlex.quote(path)}"


def describe_incomplete(run: dict[str, Any]) -> str:
    """One line: what stopped where, and how to finish it."""
    done = run.get("deals_done") or 0
    state = "failed" if run.get("status") == "failed" else "interrupted (or still running)"
    why = f": {run['error']}" if run.get("error") else ""
    return (f"incomplete load of {run.get('file')}: {state} after {done:,} deals "
            f"(started {str(run.get('started') or '?')[:19]}){why} — finish it with: "
            f"{finish_command(run)}")
