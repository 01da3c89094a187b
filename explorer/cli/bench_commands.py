"""`explorer bench load|queries|render`: rerunnable benchmarks, reported as ratios."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from explorer.cli.common import (
    app,
    choice,
    database,
    out,
)

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

    choice(fmt, ("text", "json"))
    report = bench_queries(database(), runs=runs, warmup=warmup, names=names or None)
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
    runs: Annotated[int, typer.Option(
        "--runs", min=1, help="Runs of the importer, py2neo and the plain floor per input, "
                              "in alternating order; the median is reported.")] = 3,
) -> None:
    """Time the SIPRI importer against naive MERGEs, py2neo bulk, a plain writer and neo4j-admin.

    Each run loads into an empty database in its own process: rows/s, seconds and
    peak RSS per loader and input, and the importer's ratios to the others. Starts
    a throwaway Neo4j unless --use-current-db (which needs --yes-wipe if it holds data).

    Example: explorer bench load --input shared --format json
    """
    from explorer.bench.load import DEFAULT_INPUTS, LOADERS, format_text, run_bench
    from explorer.loaders.sipri_loader import SIPRI_BATCH_SIZE

    choice(fmt, ("text", "json"))
    result = run_bench(inputs or list(DEFAULT_INPUTS), loaders=loaders or list(LOADERS),
                       use_current_db=use_current_db, yes_wipe=yes_wipe,
                       naive_sample=naive_sample, batch_size=batch_size or SIPRI_BATCH_SIZE,
                       runs=runs, log=lambda message: print(message, file=sys.stderr, flush=True))
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
    headless Chromium the drawing component (100 and 500 nodes handed to the loaded
    frame, drawn anew and grown in place) and the Explore page of an actor, from
    navigation to a settled drawing.

    The browser part starts the dashboard on a free port against the current
    database (meant for the full SIPRI graph). Targets: 1,000-node HTML under
    200 ms; the Russia neighbourhood drawn under 3 s.

    Example: explorer bench render --format json
    """
    from explorer.bench.render import browser_timings, component_timings, format_text, html_timings

    choice(fmt, ("text", "json"))
    report: dict[str, Any] = {"html": html_timings(sizes or [100, 1000, 5000])}
    if browser:
        report["component"] = component_timings()
        report["browser"] = browser_timings(
            actor, runs=runs, log=lambda message: print(message, file=sys.stderr, flush=True))
    if fmt == "json":
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    else:
        out.print(format_text(report), highlight=False, markup=False)


