"""What every command shares: the `app` they register on, the consoles, the shared
options and the lazily opened database and local server."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from explorer import __version__
from explorer.config import state_dir

if TYPE_CHECKING:
    from rich.table import Table

app = typer.Typer(
    help="Arms-transfer graph explorer: who arms whom, in Neo4j, explored in the browser.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

FormatOption = Annotated[str, typer.Option("--format", help="text or json")]


def local_server(port: int | None = None) -> Any:
    from explorer.localdb import LocalServer

    return LocalServer(state_dir(), port=port)


def database() -> Any:
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


def choice(value: str, allowed: tuple[str, ...], option: str = "--format") -> str:
    if value not in allowed:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}",
                                 param_hint=option)
    return value


def limits(timeout: float | None, max_rows: int | None) -> dict[str, Any]:
    from explorer.config import DEFAULT_QUERY_TIMEOUT_S, DEFAULT_ROW_CAP

    return {"timeout_s": DEFAULT_QUERY_TIMEOUT_S if timeout is None else timeout,
            "row_cap": DEFAULT_ROW_CAP if max_rows is None else max_rows}


def write_json(data: Any) -> None:
    """``--format json``: one indented document on stdout, non-ASCII kept as is."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def new_table(*columns: str) -> Table:
    """A table with a bold header; long cells fold rather than being cut."""
    from rich.table import Table

    table = Table(show_header=True, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table
