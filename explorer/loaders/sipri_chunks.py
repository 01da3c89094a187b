"""A SIPRI export as chunks of writer rows, parsed a chunk ahead of the writer.

``parsed_chunks`` yields, for each batch of whole deals, the transfers with their
four edges folded in (``sipri_rows.fuse_transfers``), the other rows and the fill
rows. For a file big enough to pay for it, the parsing and row building run in a
**parser process** (``python -m explorer.loaders.sipri_chunks``): while the loader
writes batch N, the parser builds batch N+1. A thread could not do this: parsing
is Python code, and it and the driver's packing of rows would take turns on the
interpreter lock (measured: no faster); a process has its own.

Memory stays bounded: the parser sends a chunk through a pipe and blocks until the
loader takes it, so at most one chunk waits, one is being built and one is being
written. The loader checks the whole file before it starts the parser (nothing
reaches the database from a file that is not a SIPRI export), and an error the
parser meets is sent back and raised in the loader with its message unchanged.
If the loader dies, the parser's next write fails on the closed pipe and it ends;
if the parser dies, the loader reads the end of the pipe and raises.

Small files are parsed in the loader's own process: starting the parser costs
about 0.2 s, more than it can hide there.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal, Protocol

from explorer.errors import ExplorerError
from explorer.loaders.seed_bundle import SeedBundle
from explorer.loaders.sipri_encoding import open_export
from explorer.loaders.sipri_parse import parse_export
from explorer.loaders.sipri_records import Format, ParseReport
from explorer.loaders.sipri_rows import Row, Rows, SipriRowBuilder, fuse_transfers

PROCESS_MIN_BYTES = 1_000_000
"""Files at least this big are parsed in a parser process (the shared export is
2.75 MB, three batches); smaller ones — under one batch of deals, nothing to
overlap — in the loader's process."""


@dataclass
class ParsedChunk:
    """One batch of whole deals, ready for the writer."""

    transfers: list[Row]
    """Transfer rows with their supplier, recipient, system and evidence folded in."""
    rest: Rows
    """Every other row (actors, systems, classes, the Source, IS_A ...), label -> rows."""
    fill: Rows
    """Rows that only fill properties a node lacks (seed-curated nodes)."""
    records_read: int
    """Records the parse had read when the chunk was complete (for progress)."""


class Chunks(Protocol):
    """What ``parsed_chunks`` returns: the chunks, and ``close()`` to stop early."""

    def __iter__(self) -> Iterator[ParsedChunk]: ...

    def close(self) -> None: ...


def parsed_chunks(
    path: Path, fmt: Format | Literal["auto"], encoding: str, bundle: SeedBundle,
    batch_size: int, report: ParseReport,
) -> Chunks:
    """The chunks of ``path`` (``batch_size`` deals each; the first always comes),
    to be iterated once; ``close()`` it when stopping early (``contextlib.closing``).

    A big file's parser process starts at once. ``report`` is complete once the
    chunks are exhausted (its ``legacy_lines`` are left as the caller set them).
    The file must have been checked (``sipri_loader`` does) — errors found while
    parsing are raised all the same.
    """
    if uses_parser_process(path):
        return _ParserProcess(path, fmt, encoding, bundle, batch_size, report)
    return _in_process(path, fmt, encoding, bundle, batch_size, report)


def uses_parser_process(path: Path) -> bool:
    """Whether ``parsed_chunks`` parses ``path`` in a parser process (a big file), so
    that the loader waits for its first chunk and can use the time."""
    return path.stat().st_size >= PROCESS_MIN_BYTES


def _in_process(
    path: Path, fmt: Format | Literal["auto"], encoding: str, bundle: SeedBundle,
    batch_size: int, report: ParseReport,
) -> Iterator[ParsedChunk]:
    fileobj, _ = open_export(path, encoding)
    with fileobj:
        deals = parse_export(fileobj, fmt, report=report)
        builder = SipriRowBuilder(bundle, report.generated)
        for rows, fill in builder.chunks(deals, batch_size):
            transfers, rest = fuse_transfers(rows)
            yield ParsedChunk(transfers, rest, fill, report.records_read)


class _ParserProcess:
    """The parser process, started at once (its start-up overlaps the loader's own
    preparation); iterate for the chunks, ``close()`` to stop it early."""

    def __init__(self, path: Path, fmt: Format | Literal["auto"], encoding: str,
                 bundle: SeedBundle, batch_size: int, report: ParseReport) -> None:
        self.report = report
        # The parser's own complaints (a crash, a warning) go to a file, shown if it
        # dies: a pipe nobody reads could fill up and stall it.
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self.child = subprocess.Popen(
            [sys.executable, "-m", "explorer.loaders.sipri_chunks"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors,
        )
        assert self.child.stdin is not None
        with self.child.stdin:
            pickle.dump({"path": str(path), "fmt": fmt, "encoding": encoding,
                         "bundle": bundle, "batch_size": batch_size, "source": report.source},
                        self.child.stdin, protocol=pickle.HIGHEST_PROTOCOL)

    def __iter__(self) -> Iterator[ParsedChunk]:
        assert self.child.stdout is not None
        try:
            while True:
                kind, payload = _receive(self.child.stdout, self.child, self.errors)
                if kind == "chunk":
                    yield payload
                elif kind == "done":
                    legacy = self.report.legacy_lines
                    vars(self.report).update(vars(payload))
                    self.report.legacy_lines = legacy
                    return
                else:  # "error": the parser's exception, raised here as it was raised there
                    raise payload
        finally:
            self.close()

    def close(self) -> None:
        """Stop the parser if it still runs (an error in the loader, Ctrl-C)."""
        if self.child.poll() is None:
            self.child.kill()
        self.child.wait()
        if self.child.stdout is not None:
            self.child.stdout.close()
        self.errors.close()


def _receive(stream: BinaryIO, child: subprocess.Popen[bytes], errors: Any) -> tuple[str, Any]:
    try:
        return pickle.load(stream)
    except EOFError:
        code = child.wait()
        errors.seek(0)
        last = [line for line in errors.read().decode("utf-8", "replace").splitlines()
                if line.strip()][-1:] or ["no message"]
        raise ExplorerError(
            f"the SIPRI parser process ended unexpectedly (exit code {code}: {last[0]}) — "
            "nothing of the unfinished batch was written; rerun the load to resume it"
        ) from None


def _child_main() -> int:
    """The parser process: a request on stdin, ``(kind, payload)`` pickles on stdout."""
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    # Anything else printed (a library's warning) goes to stderr, not into the stream.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    request = pickle.load(sys.stdin.buffer)
    report = ParseReport(source=request["source"], encoding=request["encoding"])
    try:
        for chunk in _in_process(Path(request["path"]), request["fmt"], request["encoding"],
                                 request["bundle"], request["batch_size"], report):
            pickle.dump(("chunk", chunk), out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
        message: tuple[str, Any] = ("done", report)
    except BrokenPipeError:
        return 0  # the loader is gone: nothing left to do
    except Exception as error:  # sent to the loader, which raises it
        message = ("error", error if _picklable(error) else ExplorerError(str(error)))
    with contextlib.suppress(BrokenPipeError):
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()
    return 0


def _picklable(error: Exception) -> bool:
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return False
    return True


if __name__ == "__main__":
    # Run from the module's real name, so the chunks pickle as
    # explorer.loaders.sipri_chunks.ParsedChunk, not __main__.ParsedChunk.
    from explorer.loaders.sipri_chunks import _child_main as main

    sys.exit(main())
