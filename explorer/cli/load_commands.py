"""`explorer load seeds|sipri`: validated, atomic, idempotent loads."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from explorer.cli.common import (
    app,
    database,
    err,
    out,
)
from explorer.errors import ExplorerError

# --- load ------------------------------------------------------------------------
load_app = typer.Typer(help="Load data into the graph (validated, atomic, idempotent).",
                       no_args_is_help=True)
app.add_typer(load_app, name="load")


class _ProgressReporter:
    """A rich bar on a terminal; plain 'wrote N/M rows' lines otherwise (logs, tests)."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.began = time.monotonic()
        self.bar: Any = None
        self.task: Any = None
        self.last_line = 0.0
        self.last_done = -1

    def __enter__(self) -> _ProgressReporter:
        if err.is_terminal:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self.bar = Progress(TextColumn(self.what), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[rate]} rows/s"), TimeElapsedColumn(),
                                console=err, transient=True)
            self.bar.__enter__()
            self.task = self.bar.add_task(self.what, total=None, rate="-")
        return self

    def __call__(self, done: int, total: int) -> None:
        rate = f"{done / max(time.monotonic() - self.began, 1e-6):,.0f}"
        if self.bar is not None:
            self.bar.update(self.task, completed=done, total=total, rate=rate)
        elif done != self.last_done and (done == total
                                         or time.monotonic() - self.last_line >= 1.0):
            # One line a second at most, and the final count once.
            self.last_line, self.last_done = time.monotonic(), done
            print(f"{self.what}: wrote {done}/{total} rows ({rate} rows/s)", file=sys.stderr,
                  flush=True)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


def print_problems(error: ExplorerError) -> None:
    for problem in getattr(error, "problems", []):
        err.print(f"  {problem}", highlight=False, markup=False, soft_wrap=True)


@load_app.command("seeds")
def load_seeds_command(
    paths: Annotated[list[Path] | None, typer.Argument(help="Seed files or directories "
                                                       "(default: the project's seeds/).")]
    = None,
) -> None:
    """Validate the curated seed YAML, then write it all in one transaction.

    Every problem is listed (file, record, field) and nothing is written unless all
    files are valid; loading twice changes nothing.

    Example: explorer load seeds seeds/
    """
    from explorer.errors import ValidationError
    from explorer.loaders.seed_loader import load_seeds

    try:
        with _ProgressReporter("seeds") as progress:
            bundle, summary = load_seeds(database(), paths or [], progress=progress)
    except ValidationError as error:
        err.print(f"error: {error}", highlight=False, markup=False, soft_wrap=True)
        print_problems(error)
        raise typer.Exit(error.exit_code) from None
    counts = ", ".join(f"{n} {label}" for label, n in bundle.counts().items())
    out.print(f"Loaded seeds ({counts}): {summary.describe()}.", highlight=False)


@load_app.command("sipri")
def load_sipri_command(
    path: Annotated[Path, typer.Argument(help="A SIPRI export (CSV): AT Database export or "
                                         "trade register.")],
    fmt: Annotated[str, typer.Option("--format", help="auto, atdb or register.")] = "auto",
    encoding: Annotated[str | None, typer.Option(help="Text encoding (default: detected; "
                                                 "try latin-1 for old registers).")] = None,
    rejects: Annotated[Path | None, typer.Option("--rejects", help="Save every rejected "
                                                 "record (line, reason, text) to this CSV.")]
    = None,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Deals per transaction.")]
    = 5000,
    retire_missing: Annotated[bool, typer.Option(
        "--retire-missing", help="Delete SIPRI deals in the graph that this file does not "
        "have (same kind of export); without it they are counted and kept.")] = False,
) -> None:
    """Import a SIPRI export in batches of whole deals, names resolved against the seeds.

    Prints the format, the records read = imported + rejected, the graph changes
    and the speed; importing the same file twice changes nothing, and a load that
    was interrupted resumes where it stopped.

    Example: explorer load sipri sipri-at-export.csv --rejects rejects.csv
    """
    from explorer.loaders.sipri_loader import LoadOutcome, load_sipri, report_lines

    began = time.monotonic()
    outcome = LoadOutcome()
    with _ProgressReporter("sipri") as progress:
        report, summary = load_sipri(database(), path, fmt=fmt, encoding=encoding,  # type: ignore[arg-type]
                                     progress=progress, rejects_path=rejects,
                                     batch_size=batch_size, retire_missing=retire_missing,
                                     outcome=outcome)
    lines = report_lines(report, summary, time.monotonic() - began, rejects_path=rejects,
                         outcome=outcome)
    for line in lines:
        out.print(line, highlight=False, markup=False)


