"""`explorer db ...` (the managed local server) and `explorer doctor`."""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated

import typer

from explorer.cli.common import (
    FormatOption,
    app,
    database,
    local_server,
    out,
)
from explorer.config import setting, state_dir

db_app = typer.Typer(help="Manage the local Neo4j server (no Docker needed).",
                     no_args_is_help=True)
app.add_typer(db_app, name="db")


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
    server = local_server()
    if server.stop():
        out.print(f"Neo4j at {server.uri} stopped.")
    else:
        out.print("Neo4j was not running.")


@db_app.command("status")
def db_status(fmt: FormatOption = "text") -> None:
    """Say whether the local server runs (version, PID, URI); exit 0 only when it answers.

    Example: explorer db status --format json
    """
    status = local_server().status()
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

    with database() as db:
        return [describe_incomplete(run) for run in incomplete_runs(db)]


@db_app.command("env")
def db_env() -> None:
    """Print export lines for the local server, for shells and notebooks.

    Example: eval "$(explorer db env)"
    """
    for line in local_server().env_lines():
        print(line)


@db_app.command("reset")
def db_reset(
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete the local server's data and credentials (the server must be stopped).

    Example: explorer db stop && explorer db reset --yes
    """
    server = local_server()
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
    server = local_server()
    new = sys.stdin.readline().rstrip("\r\n") if stdin else None
    if stdin and not new:
        raise typer.BadParameter("--stdin: the first line of stdin is empty")
    if forgotten:
        server.recover_password(new)
    else:
        server.set_password(setting("NEO4J_PASSWORD"), new)
    out.print(f"New password saved in {server.credentials_path} (mode 0600); "
              "'explorer db env' prints it.", highlight=False)


@db_app.command("init")
def db_init() -> None:
    """Apply cypher/schema.cypher (constraints and indexes); safe to run twice.

    Example: explorer db init
    """
    from explorer.schema import apply_schema

    count = apply_schema(database())
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


