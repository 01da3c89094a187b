"""`explorer search`: the dashboard's search box in the terminal."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from explorer.cli.common import (
    app,
    choice,
    database,
    err,
    new_table,
    out,
)


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

    choice(fmt, ("table", "json"))
    hits = search(database(), text, limit=limit)
    if fmt == "json":
        sys.stdout.write(json.dumps([asdict(h) for h in hits], ensure_ascii=False,
                                    indent=2, default=dict) + "\n")
        return
    from rich.text import Text

    table = new_table("kind", "name", "matched", "opens")
    for hit in hits:
        opens = "" if hit.target is None else \
            f"/{hit.target.page}?{urlencode(dict(hit.target.params))}"
        matched = f"{hit.field}: {hit.snippet}" + (f" — {hit.source}" if hit.source else "")
        table.add_row(Text(hit.kind), Text(hit.name), Text(matched), Text(opens))
    out.print(table)
    err.print(f"{len(hits):,} hit{'s' if len(hits) != 1 else ''} for {text!r}", highlight=False,
              markup=False)


