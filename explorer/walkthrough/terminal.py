"""The walkthrough in a terminal: ``explorer walkthrough`` asks each step's task,
checks the typed answers against the graph and says what was right or where to
look — the same steps and checks as the dashboard's Walkthrough page.

Input is read line by line, so a script can pipe the answers in; ``show``
reveals a step's answer (marked shown, not solved), ``skip`` moves on, ``quit``
(or the end of the input) stops and says how to go on.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rich.console import Console

from explorer.db import Database
from explorer.queries import SavedQuery
from explorer.resolve import NameLookup, lookup_for
from explorer.runner import QueryResult
from explorer.walkthrough.checks import check_answer, reveal, run_show
from explorer.walkthrough.progress import SHOWN, SKIPPED, SOLVED, SYMBOLS, record, tally
from explorer.walkthrough.steps import Step, short_cypher

COMMANDS = "show (reveal the answer), skip, quit"
_KIND_HELP = {
    "number": "type a number",
    "name": "type a name, alias or id",
    "text": "type the answer",
    "choice": "type the number of your choice",
    "node": "type the name of the node you would click",
    "console": "type your edited query on one line",
    "parameter": "type the new value of the parameter",
}


def _plain(out: Console, text: str = "", **kwargs: Any) -> None:
    # The steps' texts may bold a word for the dashboard (**Transfer**); not here.
    out.print(text.replace("**", ""), markup=False, highlight=False, **kwargs)


def query_line(step: Step) -> str:
    """The command that repeats the step's rows: ``explorer query run ...`` for a
    saved query, ``explorer cypher '...'`` for one of its own."""
    ref = step.show
    if ref.saved:
        args = " ".join(f"-p {shlex.quote(f'{k}={v}')}" for k, v in ref.params.items())
        return f"explorer query run {ref.query} {args}".rstrip()
    # One line: comment lines go, or the first "//" would swallow the rest.
    body = [line for line in ref.cypher.splitlines() if not line.strip().startswith("//")]
    text = " ".join(" ".join(body).split())
    # Cypher's own quotes are single: double quotes keep the line readable.
    if not any(c in text for c in '"$`\\!'):
        return f'explorer cypher "{text}"'
    return f"explorer cypher {shlex.quote(text)}"


def print_step(out: Console, number: int, total: int, step: Step) -> None:
    out.rule(f"Step {number} of {total}: {step.title}", style="bold")
    _plain(out, step.explanation)
    if not step.show.saved and short_cypher(step.show.cypher):
        _plain(out, "The query:")
        _plain(out, _indent(step.show.cypher))
    _plain(out, f"Runs: {query_line(step)}")
    _plain(out, f"Look for: {step.look_for}")


def print_task(out: Console, step: Step) -> None:
    task = step.task
    _plain(out, f"Task: {task.prompt}", style="bold")
    for n, choice in enumerate(task.choices, start=1):
        _plain(out, f"  {n}. {choice}")
    if task.kind == "console":
        _plain(out, "Start from:")
        _plain(out, _indent(task.given))
    if task.kind == "parameter":
        _plain(out, f"The parameter: {task.param} (now {step.show.params.get(task.param)})")


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())


def run_session(
    db: Database,
    steps: Sequence[Step],
    catalogue: Mapping[str, SavedQuery],
    *,
    start: int,
    read_line: Callable[[], str | None],
    out: Console,
    show_rows: Callable[[QueryResult, Step], None],
) -> dict[str, str]:
    """Steps ``start``..end, each answered from ``read_line`` (None: the input ended).
    Returns the progress: step id -> solved, shown or skipped."""
    names: NameLookup = lookup_for(db)
    progress: dict[str, str] = {}
    for number in range(start, len(steps) + 1):
        step = steps[number - 1]
        print_step(out, number, len(steps), step)
        show_rows(run_show(db, step, catalogue, names=names), step)
        print_task(out, step)
        state = _ask(db, step, catalogue, names, read_line, out)
        if state is None:
            _plain(out, f"Stopped at step {number}. Go on with: explorer walkthrough "
                        f"--step {number}")
            return progress
        progress = record(progress, step.id, state)
    _summary(out, steps[start - 1:], progress)
    return progress


def _ask(db: Database, step: Step, catalogue: Mapping[str, SavedQuery], names: NameLookup,
         read_line: Callable[[], str | None], out: Console) -> str | None:
    """One step's answers until right, shown or skipped; None to stop."""
    while True:
        out.print(f"Answer ({_KIND_HELP[step.task.kind]}; or {COMMANDS})> ", end="",
                  markup=False, highlight=False)
        line = read_line()
        if line is None:
            out.print()
            return None
        text = line.strip()
        _plain(out, text)  # echoed, so a piped session reads like a typed one
        command = text.lower()
        if command in ("quit", "q", "exit"):
            return None
        if command == "skip":
            _plain(out, "Skipped.")
            return SKIPPED
        if command in ("show", "show me"):
            shown = reveal(db, step, catalogue, names=names)
            _plain(out, f"The answer: {shown.answer}. {shown.why}")
            if shown.cypher:
                _plain(out, _indent(shown.cypher))
            _plain(out, "(Marked as shown, not solved.)")
            return SHOWN
        feedback = check_answer(db, step, text, catalogue, names=names)
        style = {"right": "green", "wrong": "yellow"}.get(feedback.outcome, "red")
        label = {"right": "", "wrong": "", "bad": "Cannot check that: "}[feedback.outcome]
        _plain(out, label + feedback.message, style=style)
        if feedback.right:
            return SOLVED


def _summary(out: Console, steps: Sequence[Step], progress: Mapping[str, str]) -> None:
    out.rule("What you learned", style="bold")
    for step in steps:
        state = progress.get(step.id)
        _plain(out, f"{SYMBOLS[state]} {step.title}: {step.learned}")
    counts = tally(progress)
    _plain(out, f"{counts[SOLVED]} solved, {counts[SHOWN]} shown, {counts[SKIPPED]} skipped. "
                "The dashboard's Walkthrough page (explorer app, /walkthrough) has the same "
                "steps with the network and the console.")
