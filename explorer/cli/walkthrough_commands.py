"""`explorer walkthrough`: the guided walkthrough in the terminal."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from explorer.cli.common import (
    FormatOption,
    app,
    choice,
    database,
    err,
    out,
)
from explorer.cli.query_commands import catalogue, cell, print_sources


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

    choice(fmt, ("text", "json"))
    queries = catalogue()
    steps = load_steps()
    problems = check_steps(steps, queries)
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

        feedback = check_answer(database(), steps[start - 1], answer, queries)
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

    run_session(database(), steps, queries, start=start, read_line=read_line, out=out,
                show_rows=lambda result, current: _print_records(
                    result, queries[current.query].view if current.query else None, rows,
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
                    table.add_row(key, Text(cell(row.get(key))))
            out.print(table)
    shown = min(limit, len(chosen))
    if shown:
        from explorer.attribution import result_attribution

        # The rows shown decide what they credit, as in 'explorer query run'.
        print_sources(result_attribution(database(), chosen[:shown]))
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


