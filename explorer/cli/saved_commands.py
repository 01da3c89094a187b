"""`explorer saved`: the team's saved queries and views kept in the database
(explorer/saved.py) — list, export as `.cypher` files, import, delete."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from explorer.cli.common import app, choice, database, new_table, out, write_json

saved_app = typer.Typer(
    help="Saved queries and views kept in the database, shared by everyone on the server: "
         "list, export, import, delete.", no_args_is_help=True)
app.add_typer(saved_app, name="saved")


@saved_app.command("list")
def saved_list(
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """List the saved queries and views: name, title, when saved, and what a view opens.

    Example: explorer saved list --format json
    """
    from explorer.saved import saved_queries, saved_views

    choice(fmt, ("table", "json"))
    db = database()
    queries, views = saved_queries(db), saved_views(db)
    if fmt == "json":
        data = {
            "queries": [{"name": q.name, "title": q.query.title if q.query else None,
                         "params": list(q.query.param_names) if q.query else [],
                         "updated_at": q.updated_at, "problem": q.problem} for q in queries],
            "views": [{"name": v.name, "title": v.title, "description": v.description,
                       "link": v.link(), "updated_at": v.updated_at} for v in views],
        }
        write_json(data)
        return
    from rich.text import Text

    table = new_table("kind", "name", "title", "saved", "opens / parameters")
    for q in queries:
        detail = (", ".join(q.query.param_names) if q.query else f"does not parse: {q.problem}")
        table.add_row("query", Text(q.name), Text(q.query.title if q.query else "?"),
                      q.updated_at, Text(detail))
    for v in views:
        table.add_row("view", Text(v.name), Text(v.title), v.updated_at, Text(v.link()))
    out.print(table)
    if not queries and not views:
        out.print("nothing saved yet: save a query from the console or a view from Explore",
                  highlight=False)


@saved_app.command("export")
def saved_export(
    name: Annotated[str, typer.Argument(help="The saved query's name.")],
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write to this file (default: stdout).")]
    = None,
) -> None:
    """Print (or write) a saved query as a `.cypher` file in the library's format.

    Example: explorer saved export drones_to_russia -o cypher/queries/drones_to_russia.cypher
    """
    from explorer.saved import query_text

    text = query_text(database(), name)
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    out.print(f"{output}: saved query {name!r} written", highlight=False, markup=False)


@saved_app.command("import")
def saved_import(
    files: Annotated[list[Path], typer.Argument(help="`.cypher` files; each is named after "
                                                "its file name.", exists=True,
                                                dir_okay=False, readable=True)],
    replace: Annotated[bool, typer.Option("--replace", help="Replace a saved query of the "
                                          "same name.")] = False,
) -> None:
    """Check each file as the library does (format, read-only by the server's plan) and
    save it. The first file refused stops the import; the files before it stay saved.

    Example: explorer saved import my_queries/*.cypher
    """
    from explorer.queries import load_catalogue
    from explorer.saved import check_name, save_query

    db = database()
    builtin = load_catalogue()
    for path in files:
        name = check_name(path.stem)
        query = save_query(db, name, path.read_text(encoding="utf-8"), replace=replace,
                           builtin=builtin)
        out.print(f"{path}: saved as {name!r} ({query.title})", highlight=False, markup=False)


@saved_app.command("delete")
def saved_delete(
    name: Annotated[str, typer.Argument(help="The saved query's (or view's) name.")],
    view: Annotated[bool, typer.Option("--view", help="Delete the saved view of that name.")]
    = False,
) -> None:
    """Delete a saved query (or, with --view, a saved view).

    Example: explorer saved delete drones_to_russia
    """
    from explorer.errors import ValidationError
    from explorer.saved import delete

    kind = "view" if view else "query"
    if not delete(database(), kind, name):
        raise ValidationError(f"no saved {kind} is called {name!r} ('explorer saved list' "
                              "lists them)")
    out.print(f"saved {kind} {name!r} deleted", highlight=False, markup=False)
