"""Judging an answer to a walkthrough task against the values the check query
returned: numbers within a tolerance, names through the resolver's folding,
choices and text; right → why, wrong → where to look."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from explorer.errors import ConfigError
from explorer.queries import SavedQuery, convert_params
from explorer.resolve import split_typed, typed_text
from explorer.walkthrough.steps import Step, Task, fold, value_text

# --------------------------------------------------------------------------- judging


@dataclass(frozen=True)
class Feedback:
    """What a check says: right, wrong (with where to look) or not an answer of the
    task's kind (bad input, with what to type)."""

    outcome: str  # "right" | "wrong" | "bad"
    message: str

    @property
    def right(self) -> bool:
        return self.outcome == "right"

    @property
    def exit_code(self) -> int:
        return {"right": 0, "wrong": 1}.get(self.outcome, 2)


def right(task: Task) -> Feedback:
    return Feedback("right", f"Right. {task.right}")


def wrong(task: Task, answer: str, *keys: str, lead: str = "", fallback: str = "") -> Feedback:
    """A wrong answer: ``lead``, the feedback written for it (found by the answer or any
    of ``keys``; else ``fallback``), then the hint."""
    specific = next((task.wrong[fold(k)] for k in (answer, *keys) if fold(k) in task.wrong),
                    fallback)
    parts = [p for p in (lead, specific, task.hint) if p]
    return Feedback("wrong", "Not quite. " + " ".join(parts))


def bad(message: str) -> Feedback:
    return Feedback("bad", message)


_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def parse_number(text: str) -> float | None:
    """``"2,000"``, ``"2000"``, ``"12.5"`` -> a number; anything else -> None."""
    cleaned = text.strip().replace(" ", "").replace("\u202f", "")
    if not _NUMBER.match(cleaned):
        return None
    return float(cleaned.replace(",", ""))


def _numbers(values: Iterable[Any]) -> list[float]:
    out = []
    for value in values:
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, (int, float)):
            out.append(float(value))
        elif isinstance(value, str) and parse_number(value) is not None:
            out.append(float(parse_number(value) or 0))
    return out


def judge_number(task: Task, answer: str, expected: Sequence[Any]) -> Feedback:
    number = parse_number(answer)
    if number is None:
        return bad(f"{answer.strip()!r} is not a number — type digits, e.g. 42 or 2,000")
    if any(math.isclose(number, e, rel_tol=0, abs_tol=1e-9) for e in _numbers(expected)):
        return right(task)
    return wrong(task, answer, _plain_number(number))


def _plain_number(number: float) -> str:
    return str(int(number)) if number.is_integer() else str(number)


def judge_text(task: Task, answer: str, expected: Sequence[Any]) -> Feedback:
    if not fold(answer):
        return bad("type an answer (letters or digits)")
    if fold(answer) in {fold(str(e)) for e in expected if e is not None}:
        return right(task)
    return wrong(task, answer)


def choice_of(task: Task, answer: str) -> str | None:
    """The choice ``answer`` names: its number (1-based) or its text, folded."""
    text = answer.strip()
    if text.isdigit() and 1 <= int(text) <= len(task.choices):
        return task.choices[int(text) - 1]
    return next((c for c in task.choices if fold(c) == fold(text)), None)


def judge_choice(task: Task, answer: str, expected: Sequence[Any]) -> Feedback:
    chosen = choice_of(task, answer)
    if chosen is None:
        listed = "; ".join(f"{n}. {c}" for n, c in enumerate(task.choices, start=1))
        return bad(f"{answer.strip()!r} is not one of the choices — give its number or its "
                   f"text: {listed}")
    if fold(chosen) in {fold(str(e)) for e in expected if e is not None}:
        return right(task)
    return wrong(task, chosen)


def judge_entity(task: Task, entity_id: str, entity_name: str,
                 expected: Sequence[Any]) -> Feedback:
    """A name or node task, after the answer resolved to ``entity_id`` (explorer.resolve)."""
    if entity_id in {str(e) for e in expected}:
        return right(task)
    return wrong(task, entity_name, entity_id, fallback=f"{entity_name} is not the one.")


def _values(values: Iterable[Any]) -> set[str]:
    out = set()
    for value in values:
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if item is not None:
                out.add(value_text(item))
    return out


def judge_rows(task: Task, got: Iterable[Any], expected: Iterable[Any]) -> Feedback:
    """A console task: the values the analyst's query returned against those the
    check computed, as sets — the result counts, not how the query is written."""
    have, want = _values(got), _values(expected)
    if have == want:
        return right(task)
    missing, extra = sorted(want - have), sorted(have - want)
    said = []
    if missing:
        said.append(f"{len(missing)} of the {len(want)} expected "
                    f"value{'s' if len(want) != 1 else ''} "
                    f"{'is' if len(missing) == 1 else 'are'} missing")
    if extra:
        shown = ", ".join(extra[:5]) + ("…" if len(extra) > 5 else "")
        said.append(f"{'this does' if len(extra) == 1 else 'these do'} not belong: {shown}")
    return wrong(task, "", lead=f"Your query returned {len(have)} "
                                f"value{'s' if len(have) != 1 else ''}; "
                                + "; ".join(said) + ".")


def rows_key(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Rows as comparable text, order kept: two runs gave the same answer when equal."""
    return [json.dumps(row, sort_keys=True, default=str, ensure_ascii=False) for row in rows]


def judge_parameter(task: Task, value: str, got: Sequence[Mapping[str, Any]],
                    expected: Sequence[Mapping[str, Any]]) -> Feedback:
    """A parameter task: the saved query's rows with the analyst's value against its
    rows with the value the check computed."""
    if rows_key(got) == rows_key(expected):
        return right(task)
    return wrong(task, value, lead=f"With {task.param}={value.strip()} the query returns "
                                   f"{len(got)} row{'s' if len(got) != 1 else ''}, "
                                   "not the ones asked for.")


def parameter_value(task: Task, answer: str) -> str:
    """``"recipient=Ukraine"`` or ``"Ukraine"`` -> ``"Ukraine"``."""
    text = answer.strip()
    name, sep, rest = text.partition("=")
    return rest.strip() if sep and name.strip() == task.param else text


# --------------------------------------------------------------------------- console hand-off


def step_parameters(step: Step, catalogue: Mapping[str, SavedQuery]) -> dict[str, Any]:
    """The step's saved-query parameters for the console: converted as the query
    declares them, defaults filled in, and each actor or weapon-system value typed
    (``"actor:Russia"``), so the console resolves it — and whatever name the
    analyst puts in its place — to an id, as the saved query would."""
    if step.query is None:
        raise ConfigError(f"walkthrough step {step.id!r} runs no saved query")
    query = catalogue[step.query]
    params = convert_params(query, step.params)
    for param in query.params:
        value = params.get(param.name)
        if param.entity_kind and value is not None:
            params[param.name] = typed_text(param.entity_kind, str(value))
    return params


def console_text(params: Mapping[str, Any]) -> str:
    """Console parameters as ``name=value`` lines, one per parameter: a typed
    entity as it reads (``recipient=actor:Russia``), anything else as JSON
    (``from_year=2022``, ``category=null``), which the console reads back as is."""
    lines = []
    for name, value in params.items():
        shown = value if split_typed(value) else json.dumps(value, ensure_ascii=False)
        lines.append(f"{name}={shown}")
    return "\n".join(lines)
