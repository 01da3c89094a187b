"""The `explorer` command line: a thin shell over the library.

Every command opens what it needs, calls one library function, and turns the
project's errors into one line on stderr with a non-zero exit code.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from explorer import __version__
from explorer.config import state_dir
from explorer.errors import ExplorerError

app = typer.Typer(
    help="Arms-transfer graph explorer: who arms whom, in Neo4j, explored in the browser.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Manage the local Neo4j server (no Docker needed).",
                     no_args_is_help=True)
app.add_typer(db_app, name="db")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

FormatOption = Annotated[str, typer.Option("--format", help="text or json")]


def _local_server(port: int | None = None) -> Any:
    from explorer.localdb import LocalServer

    return LocalServer(state_dir(), port=port)


def _database() -> Any:
    from explorer.db import get_database

    return get_database()


def _print_version(value: bool) -> None:
    if value:
        out.print(f"arms-transfer-explorer {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version.",
                                          callback=_print_version, is_eager=True)] = False,
) -> None:
    """Arms-transfer graph explorer: who arms whom, in Neo4j, explored in the browser."""


# --- db --------------------------------------------------------------------------
@db_app.command("start")
def db_start(
    port: Annotated[int | None, typer.Option(help="Bolt port (default 7687).")] = None,
    http_port: Annotated[int | None, typer.Option(help="Also serve HTTP on this port.")] = None,
    heap_mb: Annotated[int, typer.Option(help="JVM heap in MiB.")] = 512,
    pagecache_mb: Annotated[int, typer.Option(help="Page cache in MiB.")] = 256,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for Bolt.")] = 120.0,
) -> None:
    """Start the local Neo4j server and wait until Bolt answers.

    Example: explorer db start --port 7688
    """
    from explorer.localdb import LocalServer

    server = LocalServer(state_dir(), port=port, http_port=http_port, heap_mb=heap_mb,
                         pagecache_mb=pagecache_mb)
    began = time.monotonic()
    status = server.start(timeout_s=timeout)
    out.print(f"Neo4j {status.version} {status.edition} ready at {status.uri} "
              f"(pid {status.pid}, {time.monotonic() - began:.1f} s)")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the local Neo4j server cleanly (SIGTERM, then wait).

    Example: explorer db stop
    """
    server = _local_server()
    if server.stop():
        out.print(f"Neo4j at {server.uri} stopped.")
    else:
        out.print("Neo4j was not running.")


@db_app.command("status")
def db_status(fmt: FormatOption = "text") -> None:
    """Say whether the local server runs (version, PID, URI); exit 0 only when it answers.

    Example: explorer db status --format json
    """
    status = _local_server().status()
    if fmt == "json":
        out.print_json(json.dumps(status.as_dict()))
    elif status.running:
        out.print(f"running: Neo4j {status.version} {status.edition} at {status.uri} "
                  f"(pid {status.pid})")
    else:
        out.print(f"stopped: {status.detail} ({status.uri})")
    raise typer.Exit(0 if status.running else 1)


@db_app.command("env")
def db_env() -> None:
    """Print export lines for the local server, for shells and notebooks.

    Example: eval "$(explorer db env)"
    """
    for line in _local_server().env_lines():
        print(line)


@db_app.command("reset")
def db_reset(
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete the local server's data and credentials (the server must be stopped).

    Example: explorer db stop && explorer db reset --yes
    """
    server = _local_server()
    if not yes and not typer.confirm(f"Delete all local Neo4j data under {server.state_dir}?"):
        raise typer.Exit(1)
    server.reset()
    out.print(f"Local data under {server.state_dir} deleted.")


@db_app.command("init")
def db_init() -> None:
    """Apply cypher/schema.cypher (constraints and indexes); safe to run twice.

    Example: explorer db init
    """
    from explorer.schema import apply_schema

    count = apply_schema(_database())
    out.print(f"Schema applied ({count} statements).")


# --- doctor ----------------------------------------------------------------------
@app.command("doctor")
def doctor(fmt: FormatOption = "text") -> None:
    """Check Python, the driver, Java, the server and the schema; each line ok or a fix.

    Example: explorer doctor --format json
    """
    from explorer.doctor import run_checks

    checks = run_checks()
    if fmt == "json":
        out.print_json(json.dumps([check.as_dict() for check in checks]))
    else:
        for check in checks:
            mark = "[green]ok[/green]     " if check.ok else "[red]problem[/red]"
            out.print(f"{mark} {check.name}: {check.detail}", highlight=False)
    if not all(check.ok or not check.required for check in checks):
        raise typer.Exit(1)


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
        elif done == total or time.monotonic() - self.last_line >= 1.0:
            self.last_line = time.monotonic()
            print(f"{self.what}: wrote {done}/{total} rows ({rate} rows/s)", file=sys.stderr,
                  flush=True)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


def _print_problems(error: ExplorerError) -> None:
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
            bundle, summary = load_seeds(_database(), paths or [], progress=progress)
    except ValidationError as error:
        err.print(f"error: {error}", highlight=False, markup=False, soft_wrap=True)
        _print_problems(error)
        raise typer.Exit(error.exit_code) from None
    counts = ", ".join(f"{n} {label}" for label, n in bundle.counts().items())
    out.print(f"Loaded seeds ({counts}): {summary.describe()}.", highlight=False)


# --- app -------------------------------------------------------------------------
@app.command("app")
def run_app(
    port: Annotated[int, typer.Option(help="Port for the dashboard.")] = 8501,
    host: Annotated[str, typer.Option(help="Address to bind; 127.0.0.1 keeps it local.")]
    = "127.0.0.1",
) -> None:
    """Serve the Streamlit dashboard on http://HOST:PORT.

    Example: explorer app --port 8502
    """
    entry = Path(__file__).parent / "app" / "main.py"
    command = [
        sys.executable, "-m", "streamlit", "run", str(entry),
        "--server.address", host, "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--global.developmentMode", "false",
    ]
    out.print(f"Dashboard on http://{host}:{port} (Ctrl-C to stop)")
    raise typer.Exit(subprocess.call(command, env={**os.environ}))


def main() -> None:
    # The driver logs every retry as a warning; the CLI reports failures itself, once.
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)
    try:
        app()
    except ExplorerError as error:
        err.print(f"error: {error}", highlight=False, markup=False, soft_wrap=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)

