"""A walkthrough step against the live graph: its rows, its right answer, and the
check of an analyst's answer.

Every check runs the step's check query now, so the right answer is whatever
the graph says at the moment of checking — never a literal in a file. Names go
through ``explorer.resolve`` ("DPRK" and "North Korea" are the same answer);
console answers run read-only with the console's limits, and a parameter
answer runs the step's saved query, so in both the *result* counts, not how
the answer is written. The judging itself is pure (``explorer.walkthrough.steps``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from explorer.db import Database
from explorer.errors import ConfigError, ExplorerError, UnresolvedName
from explorer.queries import SavedQuery, load_catalogue
from explorer.resolve import NameLookup, lookup_for
from explorer.runner import QueryResult, run_cypher, run_saved
from explorer.walkthrough.judging import (
    Feedback,
    bad,
    choice_of,
    judge_choice,
    judge_entity,
    judge_number,
    judge_parameter,
    judge_rows,
    judge_text,
    parameter_value,
)
from explorer.walkthrough.steps import QueryRef, Step, matches


def run_ref(db: Database, ref: QueryRef, catalogue: Mapping[str, SavedQuery], *,
            names: NameLookup | None = None, params: Mapping[str, str] | None = None,
            label: str = "walkthrough") -> QueryResult:
    """Run a step's query read-only: a saved query with its parameters (``params``
    replacing some), or the step's own file."""
    if ref.saved:
        query = catalogue.get(ref.query or "")
        if query is None:
            raise ConfigError(f"the walkthrough runs {ref.query!r}, which is not in the "
                              "saved-query catalogue")
        return run_saved(db, query, {**ref.params, **(params or {})}, names=names)
    return run_cypher(db, ref.cypher, {}, label=f"{label}:{ref.cypher_file}")


def run_show(db: Database, step: Step, catalogue: Mapping[str, SavedQuery] | None = None,
             *, names: NameLookup | None = None) -> QueryResult:
    """The rows the step shows."""
    return run_ref(db, step.show, catalogue if catalogue is not None else load_catalogue(),
                   names=names, label=f"walkthrough:{step.id}")



def expected_values(db: Database, step: Step, catalogue: Mapping[str, SavedQuery], *,
                    names: NameLookup | None = None) -> list[Any]:
    """The right answer(s) as the graph has them now: the check column of the check
    query's rows (those matching its ``where``), lists flattened."""
    check = step.task.check
    result = run_ref(db, check.ref, catalogue, names=names, label=f"check:{step.id}")
    if result.rows and check.column not in result.keys:
        raise ConfigError(f"the check of walkthrough step {step.id!r} ({check.ref.name}) "
                          f"returns no column {check.column!r}; it returns "
                          f"{', '.join(result.keys)}")
    values: list[Any] = []
    for row in result.rows:
        if check.where and not matches(row, check.where):
            continue
        value = row.get(check.column)
        for item in value if isinstance(value, list) else [value]:
            if item is not None and item not in values:
                values.append(item)
    if not values:
        raise ConfigError(f"the check of walkthrough step {step.id!r} finds no answer in the "
                          "graph — is the data loaded? (explorer load seeds; explorer load "
                          "sipri)")
    return values


def check_answer(db: Database, step: Step, answer: str,
                 catalogue: Mapping[str, SavedQuery] | None = None, *,
                 names: NameLookup | None = None) -> Feedback:
    """Right, wrong (and where to look) or bad input, for one answer to ``step``.

    Errors of the graph itself (Neo4j down) are raised; errors in the answer (an
    unknown name, a console query that is refused or fails) are bad input."""
    queries = catalogue if catalogue is not None else load_catalogue()
    lookup = names or lookup_for(db)
    task = step.task
    expected = expected_values(db, step, queries, names=lookup)
    if task.kind == "number":
        return judge_number(task, answer, expected)
    if task.kind == "text":
        return judge_text(task, answer, expected)
    if task.kind == "choice":
        return judge_choice(task, answer, expected)
    if task.kind in ("name", "node"):
        if not answer.strip():
            return bad(f"type a name: any name, alias or id of the {_noun(task.entity)}")
        try:
            entity = lookup(task.entity).resolve(answer)
        except UnresolvedName as error:
            return bad(str(error))
        return judge_entity(task, entity.id, entity.name, expected)
    if task.kind == "console":
        return _check_console(db, step, answer, expected)
    return _check_parameter(db, step, answer, expected, queries, lookup)


def _noun(kind: str) -> str:
    return "weapon system" if kind == "weapon_system" else "actor"


def _check_console(db: Database, step: Step, answer: str, expected: list[Any]) -> Feedback:
    if not answer.strip():
        return bad("type a Cypher query (start from the one given)")
    try:
        result = run_cypher(db, answer, {}, label=f"walkthrough-console:{step.id}")
    except ExplorerError as error:
        return bad(f"the query did not run: {error}")
    if not result.keys:
        return bad("the query returns no columns — end it with RETURN")
    column = step.task.column if step.task.column in result.keys else result.keys[0]
    return judge_rows(step.task, [row.get(column) for row in result.rows], expected)


def _check_parameter(db: Database, step: Step, answer: str, expected: list[Any],
                     catalogue: Mapping[str, SavedQuery], lookup: NameLookup) -> Feedback:
    task = step.task
    value = parameter_value(task, answer)
    if not value:
        return bad(f"type a value for {task.param}")
    try:
        got = run_ref(db, step.show, catalogue, names=lookup, params={task.param: value})
    except ExplorerError as error:
        return bad(str(error))
    want = run_ref(db, step.show, catalogue, names=lookup,
                   params={task.param: str(expected[0])})
    return judge_parameter(task, value, got.rows, want.rows)


@dataclass(frozen=True)
class Reveal:
    """What "show me" says: the answer, why, and for a console task a query that
    answers it."""

    answer: str
    why: str
    cypher: str = ""


def reveal(db: Database, step: Step, catalogue: Mapping[str, SavedQuery] | None = None, *,
           names: NameLookup | None = None) -> Reveal:
    """The right answer in words, computed like the check."""
    queries = catalogue if catalogue is not None else load_catalogue()
    lookup = names or lookup_for(db)
    task = step.task
    expected = expected_values(db, step, queries, names=lookup)
    if task.kind in ("name", "node"):
        table = lookup(task.entity)
        shown = [table.get(str(e)).label if table.get(str(e)) else str(e) for e in expected]
        return Reveal(" or ".join(shown), task.right)
    if task.kind == "choice":
        picked = [choice_of(task, str(e)) or str(e) for e in expected]
        return Reveal(" or ".join(picked), task.right)
    if task.kind == "number":
        return Reveal(" or ".join(_number_text(e) for e in expected), task.right)
    if task.kind == "console":
        listed = ", ".join(str(e) for e in expected)
        return Reveal(f"the rows {listed}", task.right, cypher=task.check.ref.cypher)
    if task.kind == "parameter":
        value = str(expected[0])
        query = queries.get(step.show.query or "")
        param = next((p for p in query.params if p.name == task.param), None) if query else None
        if param is not None and param.entity_kind:
            entity = lookup(param.entity_kind).get(value)
            value = entity.name if entity else value
        return Reveal(f"{task.param} = {value}", task.right)
    # A text answer: the first spelling the check gives (the others count too).
    return Reveal(str(expected[0]), task.right)


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else str(value)
