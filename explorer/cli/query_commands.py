"""`explorer query list|show|run` (the saved-query library) and `explorer cypher`
(the read-only console), with the result printing they share."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from explorer.cli.common import (
    app,
    choice,
    database,
    err,
    limits,
    new_table,
    out,
    write_json,
)

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


def catalogue() -> dict[str, Any]:
    from explorer.queries import load_catalogue

    return load_catalogue()


def saved_query(name: str) -> Any:
    """A library query by name, else one saved in the database (explorer saved list)."""
    from explorer.errors import QueryError
    from explorer.queries import find_query

    try:
        return find_query(name)  # parses this query's file only, not the whole catalogue
    except QueryError as missing:
        from explorer.saved import saved_queries

        stored = {q.name: q for q in saved_queries(database())}
        if name not in stored:
            raise missing from None
        if stored[name].query is None:
            raise QueryError(str(stored[name].problem)) from None
        return stored[name].query


def entity_name(value: dict[str, Any]) -> str:
    props = value.get("properties") or {}
    return str(props.get("name") or props.get("title") or props.get("id") or value.get("id"))


def cell(value: Any) -> str:
    """One result value as table text: names for nodes, arrows for paths."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(round(value, 4))  # sums of TIVs carry binary noise: 662.0999999999999
    if isinstance(value, dict):
        if "labels" in value and "properties" in value:
            return f"({':'.join(value['labels'])} {entity_name(value)})"
        if "type" in value and "start" in value and "end" in value:
            props = value.get("properties") or {}
            shown = ", ".join(f"{k}={cell(v)}" for k, v in sorted(props.items())
                              if v is not None and not isinstance(v, dict | list))
            return f"[:{value['type']}{' ' + shown if shown else ''}]"
        if "nodes" in value and "relationships" in value:
            return " → ".join(entity_name(node) for node in value["nodes"])
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return ", ".join(cell(v) for v in value)
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def result_sources(result: Any) -> Any:
    """The result's own sources, from its rows (docs/attribution.md)."""
    from explorer.attribution import result_attribution

    return result_attribution(database(), result.rows)


def print_result(result: Any, fmt: str, sources: Any, query: str) -> None:
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
            table.add_row(*(Text(cell(row.get(key))) for key in keys))
        out.print(table)
        print_sources(sources)
        rows = len(result.rows)
        err.print(f"{rows:,} row{'s' if rows != 1 else ''} in {result.elapsed_ms:.0f} ms",
                  highlight=False)
    if result.notice:
        err.print(result.notice, highlight=False, markup=False)
    for warning in result.warnings:
        err.print(f"warning: {warning}", highlight=False, markup=False)


def print_sources(sources: Any) -> None:
    """After a table: one line per source, why they are unknown if so, then the
    attribution lines (SIPRI's when a SIPRI source is among them)."""
    from explorer.attribution import source_lines

    lines = [*source_lines(sources.sources), *([sources.note] if sources.note else []),
             *sources.lines]
    for line in lines:
        out.print(line, highlight=False, markup=False)


def param_info(param: Any) -> dict[str, Any]:
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
    choice(fmt, ("table", "json"))
    queries = [q for q in catalogue().values() if tag is None or tag.lower() in q.tags]
    if fmt == "json":
        data = [{"name": q.name, "title": q.title, "description": q.description,
                 "view": q.view.kind, "tags": list(q.tags),
                 "params": [param_info(p) for p in q.params], "path": q.path}
                for q in queries]
        write_json(data)
        return
    from rich.text import Text

    table = new_table("name", "title", "view", "parameters", "tags")
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
    query = saved_query(name)
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

    choice(fmt, RESULT_FORMATS)
    query = saved_query(name)
    raw = parse_assignments(param or [])
    result = run_saved(database(), query, raw, **limits(timeout, max_rows))
    print_result(result, fmt, result_sources(result), query.name)


def console_value(text: str) -> Any:
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

    choice(fmt, RESULT_FORMATS)
    text = sys.stdin.read() if query == "-" else query
    params = {k: console_value(v) for k, v in parse_assignments(param or []).items()}
    result = run_console(database(), text, params, **limits(timeout, max_rows))
    print_result(result, fmt, result_sources(result), text)


