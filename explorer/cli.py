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
    transaction_memory_mb: Annotated[int, typer.Option(
        help="Memory one transaction may use, in MiB (db.memory.transaction.max).")] = 256,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for Bolt.")] = 120.0,
) -> None:
    """Start the local Neo4j server; return once it answers with its database online.

    Example: explorer db start --port 7688
    """
    from explorer.localdb import LocalServer

    server = LocalServer(state_dir(), port=port, http_port=http_port, heap_mb=heap_mb,
                         pagecache_mb=pagecache_mb, transaction_memory_mb=transaction_memory_mb)
    began = time.monotonic()
    was_running = server.status().running
    status = server.start(timeout_s=timeout)
    # start() returns only once our server answers on status.uri with its database online.
    verb = "already running" if was_running else "ready"
    out.print(f"Neo4j {status.version} {status.edition} {verb} at {status.uri} "
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
    loads = _incomplete_loads() if status.healthy else []
    if fmt == "json":
        out.print_json(json.dumps({**status.as_dict(), "incomplete_loads": loads}))
    elif status.healthy:
        out.print(f"running: Neo4j {status.version} {status.edition} at {status.uri} "
                  f"(pid {status.pid})")
        for line in loads:
            out.print(line, highlight=False, markup=False, soft_wrap=True)
    elif status.running:
        out.print(f"broken: Neo4j {status.version} answers at {status.uri} (pid {status.pid}) "
                  f"but {status.detail}", highlight=False)
    else:
        state = "stopped" if status.pid is None else "not answering"
        out.print(f"{state}: {status.detail} ({status.uri})", highlight=False)
    raise typer.Exit(0 if status.healthy else 1)


def _incomplete_loads() -> list[str]:
    """One line per load that did not finish (docs/loading.md)."""
    from explorer.loaders.import_runs import describe_incomplete, incomplete_runs

    with _database() as db:
        return [describe_incomplete(run) for run in incomplete_runs(db)]


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


@db_app.command("set-password")
def db_set_password(
    forgotten: Annotated[bool, typer.Option(
        "--forgotten", help="The current password is lost: with the server stopped, set a "
        "new one (auth is off for a few seconds on a random loopback port).")] = False,
    stdin: Annotated[bool, typer.Option(
        "--stdin", help="Read the new password from stdin (default: a random one).")] = False,
) -> None:
    """Give the local server a new password, keeping the data, and save it.

    With the server running it changes the password using the current one: the
    saved one, or NEO4J_PASSWORD when credentials.json is damaged or lost.
    --forgotten works without it, on a stopped server.

    Example: NEO4J_PASSWORD=old-password explorer db set-password
    """
    server = _local_server()
    new = sys.stdin.readline().rstrip("\r\n") if stdin else None
    if stdin and not new:
        raise typer.BadParameter("--stdin: the first line of stdin is empty")
    if forgotten:
        server.recover_password(new)
    else:
        server.set_password(os.environ.get("NEO4J_PASSWORD") or None, new)
    out.print(f"New password saved in {server.credentials_path} (mode 0600); "
              "'explorer db env' prints it.", highlight=False)


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
        report, summary = load_sipri(_database(), path, fmt=fmt, encoding=encoding,  # type: ignore[arg-type]
                                     progress=progress, rejects_path=rejects,
                                     batch_size=batch_size, retire_missing=retire_missing,
                                     outcome=outcome)
    lines = report_lines(report, summary, time.monotonic() - began, rejects_path=rejects,
                         outcome=outcome)
    for line in lines:
        out.print(line, highlight=False, markup=False)


# --- saved queries, the console, bench queries -------------------------------------
query_app = typer.Typer(help="The saved Cypher query library (cypher/queries/*.cypher): "
                        "list, show and run read-only queries.", no_args_is_help=True)
app.add_typer(query_app, name="query")

ParamOption = Annotated[
    list[str] | None,
    typer.Option("--param", "-p", help="A parameter as name=value; repeat for more.",
                 show_default=False),
]
TimeoutOption = Annotated[
    float | None,
    typer.Option("--timeout", min=0.001, show_default=False,
                 help="Time limit in seconds (default 10); the query is stopped past it."),
]
MaxRowsOption = Annotated[
    int | None,
    typer.Option("--max-rows", min=1, show_default=False,
                 help="Row cap (default 5000); rows beyond it are not fetched."),
]
RESULT_FORMATS = ("table", "json", "csv")


def _choice(value: str, allowed: tuple[str, ...], option: str = "--format") -> str:
    if value not in allowed:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}",
                                 param_hint=option)
    return value


def _catalogue() -> dict[str, Any]:
    from explorer.queries import load_catalogue

    return load_catalogue()


def _saved_query(name: str) -> Any:
    from explorer.queries import find_query

    return find_query(name)  # parses this query's file only, not the whole catalogue


def _limits(timeout: float | None, max_rows: int | None) -> dict[str, Any]:
    from explorer.config import DEFAULT_QUERY_TIMEOUT_S, DEFAULT_ROW_CAP

    return {"timeout_s": DEFAULT_QUERY_TIMEOUT_S if timeout is None else timeout,
            "row_cap": DEFAULT_ROW_CAP if max_rows is None else max_rows}


def _entity_name(value: dict[str, Any]) -> str:
    props = value.get("properties") or {}
    return str(props.get("name") or props.get("title") or props.get("id") or value.get("id"))


def _cell(value: Any) -> str:
    """One result value as table text: names for nodes, arrows for paths."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(round(value, 4))  # sums of TIVs carry binary noise: 662.0999999999999
    if isinstance(value, dict):
        if "labels" in value and "properties" in value:
            return f"({':'.join(value['labels'])} {_entity_name(value)})"
        if "type" in value and "start" in value and "end" in value:
            props = value.get("properties") or {}
            shown = ", ".join(f"{k}={_cell(v)}" for k, v in sorted(props.items())
                              if v is not None and not isinstance(v, dict | list))
            return f"[:{value['type']}{' ' + shown if shown else ''}]"
        if "nodes" in value and "relationships" in value:
            return " → ".join(_entity_name(node) for node in value["nodes"])
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return ", ".join(_cell(v) for v in value)
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _result_sources(result: Any) -> Any:
    """The result's own sources, from its rows (docs/attribution.md)."""
    from explorer.attribution import result_attribution

    return result_attribution(_database(), result.rows)


def _print_result(result: Any, fmt: str, sources: Any, query: str) -> None:
    """Rows in ``fmt`` with their sources: JSON ``{"columns", "rows", "sources",
    "attribution", "sources_note"}``; CSV with ``# `` provenance lines first; a
    table followed on stdout by its sources and attribution lines."""
    if fmt == "json":
        body = {"columns": list(result.keys), "rows": result.rows, **sources.as_dict()}
        sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2, default=str) + "\n")
    elif fmt == "csv":
        from explorer.graph_export import make_provenance, provenance_lines
        from explorer.results import csv_text

        provenance = make_provenance(query, json.loads(json.dumps(result.parameters,
                                                                  default=str)), sources)
        sys.stdout.write(csv_text(result.rows, result.keys,
                                  comments=provenance_lines(provenance)))
    else:
        from rich.table import Table
        from rich.text import Text

        from explorer.attribution import SOURCE_IDS_COLUMN

        # The source ids are what the lines under the table name; the table keeps
        # to the answer (JSON and CSV keep every column).
        keys = [key for key in result.keys if key != SOURCE_IDS_COLUMN]
        table = Table(show_header=True, header_style="bold", show_lines=False)
        for key in keys:
            table.add_column(key, overflow="fold")
        for row in result.rows:
            table.add_row(*(Text(_cell(row.get(key))) for key in keys))
        out.print(table)
        _print_sources(sources)
        rows = len(result.rows)
        err.print(f"{rows:,} row{'s' if rows != 1 else ''} in {result.elapsed_ms:.0f} ms",
                  highlight=False)
    if result.notice:
        err.print(result.notice, highlight=False, markup=False)
    for warning in result.warnings:
        err.print(f"warning: {warning}", highlight=False, markup=False)


def _print_sources(sources: Any) -> None:
    """After a table: one line per source, why they are unknown if so, then the
    attribution lines (SIPRI's when a SIPRI source is among them)."""
    from explorer.attribution import source_lines

    lines = [*source_lines(sources.sources), *([sources.note] if sources.note else []),
             *sources.lines]
    for line in lines:
        out.print(line, highlight=False, markup=False)


def _param_info(param: Any) -> dict[str, Any]:
    default = list(param.default) if param.is_list and param.default is not None \
        else param.default
    return {"name": param.name, "type": param.type, "default": default,
            "required": param.required, "optional": param.optional, "help": param.help,
            "choices": list(param.choices) if param.choices is not None else None,
            "choices_query": param.choices_query, "min": param.min, "max": param.max}


@query_app.command("list")
def query_list(
    tag: Annotated[str | None, typer.Option("--tag", help="Only queries with this tag.")]
    = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """List the saved queries: name, title, view, parameters and tags.

    Example: explorer query list --tag actors
    """
    _choice(fmt, ("table", "json"))
    queries = [q for q in _catalogue().values() if tag is None or tag.lower() in q.tags]
    if fmt == "json":
        data = [{"name": q.name, "title": q.title, "description": q.description,
                 "view": q.view.kind, "tags": list(q.tags),
                 "params": [_param_info(p) for p in q.params], "path": q.path}
                for q in queries]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=True, header_style="bold")
    for column in ("name", "title", "view", "parameters", "tags"):
        table.add_column(column, overflow="fold")
    for q in queries:
        table.add_row(Text(q.name), Text(q.title), Text(q.view.kind),
                      Text(", ".join(q.param_names)), Text(", ".join(q.tags)))
    out.print(table)
    if tag is not None and not queries:
        err.print(f"no saved query is tagged {tag!r}", highlight=False, markup=False)


@query_app.command("show")
def query_show(
    name: Annotated[str, typer.Argument(help="The query's name (its file name).")],
) -> None:
    """Show a saved query: title, description, parameters, view and its Cypher.

    Example: explorer query show flows_between
    """
    query = _saved_query(name)
    lines = [f"{query.name} — {query.title}", f"file: {query.path}"]
    if query.tags:
        lines.append(f"tags: {', '.join(query.tags)}")
    if query.description:
        lines += ["", query.description]
    lines += ["", "parameters:" if query.params else "parameters: none"]
    for param in query.params:
        lines.append(f"  {param.signature}" + (f" — {param.help}" if param.help else ""))
        if param.choices is not None:
            lines.append(f"      choices: {', '.join(map(str, param.choices))}")
        if param.choices_query:
            lines.append(f"      choices from: {' '.join(param.choices_query.split())}")
        if param.min is not None or param.max is not None:
            bounds = [f"min {param.min}" if param.min is not None else "",
                      f"max {param.max}" if param.max is not None else ""]
            lines.append(f"      {', '.join(b for b in bounds if b)}")
    options = ", ".join(f"{k}: {', '.join(v) if isinstance(v, list) else v}"
                        for k, v in query.view.as_dict().items() if v is not None)
    lines += ["", f"view: {query.view.kind}" + (f" ({options})" if options else ""), "",
              query.cypher]
    out.print("\n".join(lines), highlight=False, markup=False)


@query_app.command("run")
def query_run(
    name: Annotated[str, typer.Argument(help="The query's name (see 'explorer query list').")],
    param: ParamOption = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv")] = "table",
    timeout: TimeoutOption = None,
    max_rows: MaxRowsOption = None,
) -> None:
    """Run a saved query read-only; parameters convert to their declared types.

    Parameters left out take their defaults; an unknown parameter, a wrong type
    or a value outside its choices stops with one line and exit code 2.

    Example: explorer query run flows_between -p actor=DPRK -p partner=Russia --format json
    """
    from explorer.lean_driver import import_driver_lean

    import_driver_lean()  # before the driver loads: numpy, pandas, pyarrow cost ~0.3 s
    from explorer.queries import parse_assignments
    from explorer.runner import run_saved

    _choice(fmt, RESULT_FORMATS)
    query = _saved_query(name)
    raw = parse_assignments(param or [])
    result = run_saved(_database(), query, raw, **_limits(timeout, max_rows))
    _print_result(result, fmt, _result_sources(result), query.name)


def _console_value(text: str) -> Any:
    """Console parameters: JSON when the text is JSON (3, true, ["a"]), else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


@app.command("cypher")
def cypher_console(
    query: Annotated[str, typer.Argument(help="One read-only Cypher statement ('-' reads "
                                         "it from stdin).")],
    param: ParamOption = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv")] = "table",
    timeout: TimeoutOption = None,
    max_rows: MaxRowsOption = None,
) -> None:
    """Run one Cypher statement read-only, with a time limit and a row cap.

    Writes, LOAD CSV, administration and unknown procedures are refused before
    the query reaches the server, and it runs in a read transaction, so the
    server refuses any write the check missed. Parameter values are JSON when
    they parse as JSON (3, true, ["a", "b"]), else text; actor:NAME and
    weapon_system:NAME are resolved to the entity's id (docs/names.md).

    Example: explorer cypher 'MATCH (a:Actor {id: $id}) RETURN a.name, a.aliases' -p id=north-korea
    """
    from explorer.queries import parse_assignments
    from explorer.runner import run_console

    _choice(fmt, RESULT_FORMATS)
    text = sys.stdin.read() if query == "-" else query
    params = {k: _console_value(v) for k, v in parse_assignments(param or []).items()}
    result = run_console(_database(), text, params, **_limits(timeout, max_rows))
    _print_result(result, fmt, _result_sources(result), text)


bench_app = typer.Typer(help="Benchmarks: loading, saved queries, rendering.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")


@bench_app.command("queries")
def bench_queries_command(
    runs: Annotated[int, typer.Option("--runs", min=1, help="Measured runs per query.")] = 20,
    warmup: Annotated[int, typer.Option("--warmup", min=0,
                                        help="Unmeasured runs first, per query.")] = 2,
    names: Annotated[list[str] | None, typer.Option("--query", "-q", show_default=False,
                                                    help="Only this query; repeat for more.")]
    = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Time every saved query with its defaults: p50 and p95 per query, and the graph size.

    Meant for the seeds plus the full SIPRI export; the target is a p95 under
    100 ms for every query. Exits 1 if a query fails.

    Example: explorer bench queries --runs 50 --format json
    """
    from explorer.bench.queries import bench_queries, format_text

    _choice(fmt, ("text", "json"))
    report = bench_queries(_database(), runs=runs, warmup=warmup, names=names or None)
    if fmt == "json":
        sys.stdout.write(json.dumps(report.as_dict(), indent=2) + "\n")
    else:
        out.print(format_text(report), highlight=False, markup=False)
    if any(q.error for q in report.queries):
        raise typer.Exit(1)


@bench_app.command("load")
def bench_load_command(
    inputs: Annotated[list[str] | None, typer.Option(
        "--input", show_default=False,
        help="shared, synthetic (10x, generated) or a PATH; repeat for more "
             "(default: shared and synthetic).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    use_current_db: Annotated[bool, typer.Option(
        "--use-current-db", help="Bench against the configured database instead of a "
                                 "throwaway server (its data is deleted).")] = False,
    yes_wipe: Annotated[bool, typer.Option(
        "--yes-wipe", help="Allow deleting everything in a database that holds data.")] = False,
    loaders: Annotated[list[str] | None, typer.Option(
        "--loader", show_default=False,
        help="importer, py2neo_bulk, naive, plain_floor or admin_import; repeat "
             "(default: all).")] = None,
    naive_sample: Annotated[int, typer.Option(
        "--naive-sample", min=1, help="Deals the naive loader writes.")] = 1000,
    batch_size: Annotated[int | None, typer.Option(
        "--batch-size", min=1, show_default=False,
        help="Rows per UNWIND for the importer and py2neo (default: the importer's).")] = None,
) -> None:
    """Time the SIPRI importer against naive MERGEs, py2neo bulk, a plain writer and neo4j-admin.

    Each run loads into an empty database in its own process: rows/s, seconds and
    peak RSS per loader and input, and the importer's ratios to the others. Starts
    a throwaway Neo4j unless --use-current-db (which needs --yes-wipe if it holds data).

    Example: explorer bench load --input shared --format json
    """
    from explorer.bench.load import DEFAULT_INPUTS, LOADERS, format_text, run_bench
    from explorer.loaders.sipri_loader import SIPRI_BATCH_SIZE

    _choice(fmt, ("text", "json"))
    result = run_bench(inputs or list(DEFAULT_INPUTS), loaders=loaders or list(LOADERS),
                       use_current_db=use_current_db, yes_wipe=yes_wipe,
                       naive_sample=naive_sample, batch_size=batch_size or SIPRI_BATCH_SIZE,
                       log=lambda message: print(message, file=sys.stderr, flush=True))
    if fmt == "json":
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        out.print(format_text(result), highlight=False, markup=False)


@bench_app.command("render")
def bench_render_command(
    sizes: Annotated[list[int] | None, typer.Option(
        "--size", show_default=False, min=1,
        help="Synthetic graph size in nodes; repeat (default: 100, 1000, 5000).")] = None,
    actor: Annotated[str, typer.Option(help="Actor id whose Explore view the browser "
                                            "times.")] = "russia",
    runs: Annotated[int, typer.Option(min=1, help="Browser page loads (the first is "
                                                  "cold).")] = 4,
    browser: Annotated[bool, typer.Option("--browser/--no-browser",
                                          help="Also time the drawing in headless "
                                               "Chromium.")] = True,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Time the network drawing: the HTML for 100, 1,000 and 5,000 nodes, and in
    headless Chromium the Explore page of an actor, from navigation to a settled drawing.

    The browser part starts the dashboard on a free port against the current
    database (meant for the full SIPRI graph). Targets: 1,000-node HTML under
    200 ms; the Russia neighbourhood drawn under 3 s.

    Example: explorer bench render --format json
    """
    from explorer.bench.render import browser_timings, format_text, html_timings

    _choice(fmt, ("text", "json"))
    report: dict[str, Any] = {"html": html_timings(sizes or [100, 1000, 5000])}
    if browser:
        report["browser"] = browser_timings(
            actor, runs=runs, log=lambda message: print(message, file=sys.stderr, flush=True))
    if fmt == "json":
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    else:
        out.print(format_text(report), highlight=False, markup=False)


# --- search ----------------------------------------------------------------------
@app.command("search")
def search_command(
    text: Annotated[str, typer.Argument(help="Words to find: a name, an alias, words of a "
                                        "quote or a comment.")],
    limit: Annotated[int, typer.Option("--limit", min=1, max=200,
                                       help="Most hits shown.")] = 20,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Search names, aliases, quotes and comments: the dashboard's search box.

    Each hit says what it is, the text that matched and the dashboard page it
    opens. Text with no letters or digits stops with one line and exit code 2.

    Example: explorer search "900 km"
    """
    from dataclasses import asdict
    from urllib.parse import urlencode

    from explorer.page_queries.search import search

    _choice(fmt, ("table", "json"))
    hits = search(_database(), text, limit=limit)
    if fmt == "json":
        sys.stdout.write(json.dumps([asdict(h) for h in hits], ensure_ascii=False,
                                    indent=2, default=dict) + "\n")
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=True, header_style="bold")
    for column in ("kind", "name", "matched", "opens"):
        table.add_column(column, overflow="fold")
    for hit in hits:
        opens = "" if hit.target is None else \
            f"/{hit.target.page}?{urlencode(dict(hit.target.params))}"
        matched = f"{hit.field}: {hit.snippet}" + (f" — {hit.source}" if hit.source else "")
        table.add_row(Text(hit.kind), Text(hit.name), Text(matched), Text(opens))
    out.print(table)
    err.print(f"{len(hits):,} hit{'s' if len(hits) != 1 else ''} for {text!r}", highlight=False,
              markup=False)


# --- walkthrough -------------------------------------------------------------------
@app.command("walkthrough")
def walkthrough_command(
    step: Annotated[str | None, typer.Option("--step", show_default=False,
                                             help="Start at this step (its number or id); "
                                                  "with --answer, check that step.")] = None,
    answer: Annotated[str | None, typer.Option(
        "--answer", show_default=False,
        help="Check this answer to --step and exit: 0 right, 1 wrong, 2 not an answer "
             "of the step's kind.")] = None,
    listing: Annotated[bool, typer.Option("--list", help="List the steps and their tasks.")]
    = False,
    fmt: FormatOption = "text",
    run: Annotated[bool, typer.Option("--run/--no-run",
                                      help="Run each step and ask its task, or only print "
                                           "the steps.")] = True,
    rows: Annotated[int, typer.Option("--rows", min=1, help="Rows shown per step.")] = 5,
) -> None:
    """The guided walkthrough: each step shows rows of the graph and asks a task,
    checked against the graph as it is now.

    Answers are read line by line (type 'show' to reveal one, 'skip', 'quit'), so
    a script can pipe them in. The steps live in cypher/walkthrough.yaml, as on the
    dashboard's Walkthrough page.

    Example: explorer walkthrough --step 5 --answer 7
    """
    from explorer.errors import ConfigError
    from explorer.walkthrough.steps import check_steps, load_steps

    _choice(fmt, ("text", "json"))
    catalogue = _catalogue()
    steps = load_steps()
    problems = check_steps(steps, catalogue)
    if problems:
        raise ConfigError(f"{problems[0]} — fix cypher/walkthrough.yaml")
    start = 1
    if step is not None:
        found = [n for n, s in enumerate(steps, start=1) if step in (str(n), s.id)]
        if not found:
            ids = ", ".join(s.id for s in steps)
            raise ConfigError(f"no walkthrough step {step!r}: give 1-{len(steps)} or one of {ids}")
        start = found[0]
    if listing:
        _list_walkthrough(steps, fmt)
        return
    if answer is not None:
        if step is None:
            raise ConfigError("--answer checks one step: give it with --step N")
        from explorer.walkthrough.checks import check_answer

        feedback = check_answer(_database(), steps[start - 1], answer, catalogue)
        (out if feedback.outcome != "bad" else err).print(
            f"{feedback.outcome}: {feedback.message}", markup=False, highlight=False)
        raise typer.Exit(feedback.exit_code)
    from explorer.walkthrough.terminal import print_step, print_task, run_session

    if not run:
        for number, current in enumerate(steps[start - 1:] if step is None else
                                         [steps[start - 1]], start=start):
            print_step(out, number, len(steps), current)
            print_task(out, current)
        return

    def read_line() -> str | None:
        line = sys.stdin.readline()
        return line if line else None

    run_session(_database(), steps, catalogue, start=start, read_line=read_line, out=out,
                show_rows=lambda result, current: _print_records(
                    result, catalogue[current.query].view if current.query else None, rows,
                    current.focus, current.columns))


def _list_walkthrough(steps: Any, fmt: str) -> None:
    listed = [{"number": n, "id": s.id, "title": s.title, "kind": s.task.kind,
               "task": s.task.prompt, "choices": list(s.task.choices),
               "query": s.show.name} for n, s in enumerate(steps, start=1)]
    if fmt == "json":
        sys.stdout.write(json.dumps(listed, ensure_ascii=False, indent=2) + "\n")
        return
    for item in listed:
        out.print(f"{item['number']:>2}. {item['title']} [{item['id']}]", markup=False,
                  highlight=False, style="bold")
        out.print(f"    {item['kind']}: {item['task']}", markup=False, highlight=False)


def _print_records(result: Any, view: Any, limit: int,
                   focus: dict[str, Any] | None = None, first: Any = ()) -> None:
    """The rows a step talks about (its ``focus``; all when it has none), one under
    the other, field per line, the ``first`` columns first: a walkthrough's results
    have long quotes that a terminal-wide table would fold letter by letter. A
    network's rows print as one arrow per line."""
    from rich.table import Table
    from rich.text import Text

    from explorer.walkthrough.steps import focus_rows

    chosen = focus_rows(result.rows, focus or {})
    if view is not None and view.kind == "graph":
        _print_arrows(chosen, limit)
    else:
        columns = list(view.get("columns") or []) if view is not None and \
            view.kind == "table" else []
        keys = [k for k in columns if k in result.keys] or list(result.keys)
        keys = [k for k in first if k in result.keys] + [k for k in keys if k not in first]
        for number, row in enumerate(chosen[:limit], start=1):
            table = Table(show_header=False, box=None, padding=(0, 1), title_justify="left",
                          title=f"row {number}", title_style="bold")
            table.add_column(style="dim", no_wrap=True)
            table.add_column(overflow="fold")
            for key in keys:
                if row.get(key) not in (None, "", []) and key != "source_ids":
                    table.add_row(key, Text(_cell(row.get(key))))
            out.print(table)
    shown = min(limit, len(chosen))
    if shown:
        from explorer.attribution import result_attribution

        # The rows shown decide what they credit, as in 'explorer query run'.
        _print_sources(result_attribution(_database(), chosen[:shown]))
    which = "the rows this step is about" if focus else "rows"
    more = f"; {len(result.rows) - shown:,} more: run the query above" \
        if len(result.rows) > shown else ""
    err.print(f"{shown:,} of {len(result.rows):,} {which} in {result.elapsed_ms:.0f} ms{more}",
              highlight=False)


def _print_arrows(rows: Any, limit: int) -> None:
    """A network result as ``supplier → recipient (statuses)`` lines."""
    from explorer.graph import display_name, extract_graph

    graph = extract_graph(rows)
    index = graph.node_index()
    for edge in graph.edges[:limit]:
        start, end = index.get(edge["start"], {}), index.get(edge["end"], {})
        statuses = ", ".join((edge.get("properties") or {}).get("statuses") or [])
        out.print(f"{display_name(start)} → {display_name(end)}"
                  + (f" ({statuses})" if statuses else ""), markup=False, highlight=False)


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
        # Analysts get no "Deploy" button or developer menu.
        "--client.toolbarMode", "viewer",
    ]
    out.print(f"Dashboard on http://{host}:{port} (Ctrl-C to stop)")
    raise typer.Exit(_run_child(command))


def _run_child(command: list[str]) -> int:
    """Run the dashboard server as a child that never outlives this process: SIGTERM,
    SIGINT and SIGHUP are passed on to it and it is waited for (killed after 10 s);
    if this process dies without a signal handler running (SIGKILL), Linux sends the
    child SIGTERM (PR_SET_PDEATHSIG)."""
    import signal

    child = subprocess.Popen(command, env={**os.environ}, preexec_fn=_die_with_parent)
    received: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        received.append(signum)
        if child.poll() is None:
            child.send_signal(signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, forward)
    while True:
        try:
            code = child.wait(timeout=10 if received else None)
            break
        except subprocess.TimeoutExpired:
            child.kill()
    # A child killed by a signal reports -signum; shells say 128 + signum.
    return 128 - code if code < 0 else code


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux for SIGTERM when the parent dies."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def main() -> None:
    # The driver logs every retry as a warning; the CLI reports failures itself, once.
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)
    try:
        app()
    except ExplorerError as error:
        err.print(f"error: {error}", highlight=False, markup=False, soft_wrap=True)
        sys.exit(error.exit_code)
    except Exception as error:
        # A driver or server error that reached here without passing explorer.db (the
        # one place that maps them) still gets its one line, never a traceback.
        if not type(error).__module__.startswith("neo4j"):
            raise
        from explorer.config import load_settings
        from explorer.db import translate_error

        mapped = translate_error(error, load_settings(), None)
        err.print(f"error: {mapped}", highlight=False, markup=False, soft_wrap=True)
        sys.exit(getattr(mapped, "exit_code", 1))
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)

