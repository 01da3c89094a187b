"""The guided walkthrough: steps declared as data in ``cypher/walkthrough.yaml``.

Each step shows a query's rows (a saved query of ``cypher/queries/`` or a short
query of its own under ``cypher/walkthrough/``), brings the rows it talks about
into view (``focus``), and sets a task whose answer is checked against what the
graph says *now*: a check query computes the right answer on every check, so
the walkthrough stays right when the data is reloaded. The dashboard's
Walkthrough page, ``explorer walkthrough`` and the tests share these steps and
the judging functions below; ``explorer.walkthrough.checks`` runs the queries.

This module is pure: parsing, progress and judging, no database.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from explorer.config import data_path, setting
from explorer.errors import ConfigError, ExplorerError
from explorer.names import name_key
from explorer.queries import SavedQuery, convert_params

WALKTHROUGH_ENV = "EXPLORER_WALKTHROUGH"
# The browser cookie that keeps a browser's progress between visits (its value is
# ``encode_progress``'s text, or "started"): the router opens the walkthrough on
# a bare first visit only when it is absent.
PROGRESS_COOKIE = "explorer_walkthrough"

# What an analyst does, per task kind:
#   number     type a number                  name  type an actor (or system) by any name
#   text       type a word or date            node  click a node in the drawing (or type it)
#   choice     pick one of the choices        console  edit the given Cypher; its result counts
#   parameter  change one parameter of the step's saved query; its result counts
TASK_KINDS = ("number", "name", "text", "choice", "node", "console", "parameter")
ENTITY_KINDS = ("actor", "weapon_system")
# Queries longer than this stay behind "Show the Cypher"; shorter ones are shown.
SHORT_CYPHER_LINES = 12

_STEP_FIELDS = {"id", "title", "explanation", "show", "look_for", "task", "learned",
                "console"}
_STEP_REQUIRED = ("id", "title", "explanation", "look_for", "learned")
_SHOW_FIELDS = {"query", "cypher", "params", "focus", "columns"}
_CHECK_FIELDS = {"query", "cypher", "params", "where", "column"}
_TASK_FIELDS = {"kind", "prompt", "check", "right", "hint", "wrong", "entity", "choices",
                "given", "param", "column", "placeholder"}
_TASK_REQUIRED = ("kind", "prompt", "right", "hint")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class QueryRef:
    """A query a step runs: a saved query by name with text parameters, or one of the
    walkthrough's own short files (``cypher/walkthrough/<name>.cypher``, no parameters)."""

    query: str | None = None
    cypher_file: str | None = None
    cypher: str = ""  # the file's text, for cypher_file
    params: dict[str, str] = field(default_factory=dict)

    @property
    def saved(self) -> bool:
        return self.query is not None

    @property
    def name(self) -> str:
        return self.query or f"walkthrough/{self.cypher_file}"


@dataclass(frozen=True)
class Check:
    """Where a task's right answer comes from: the ``column`` values of the rows of
    ``ref`` (only those matching ``where``)."""

    ref: QueryRef
    column: str = "answer"
    where: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Task:
    kind: str
    prompt: str
    check: Check
    right: str  # said after a right answer (and with "show me"): why it is right
    hint: str  # said after a wrong one: where to look
    wrong: dict[str, str] = field(default_factory=dict)  # folded answer -> feedback
    entity: str = "actor"  # name and node tasks
    choices: tuple[str, ...] = ()  # choice tasks
    given: str = ""  # console tasks: the Cypher to start from
    given_file: str = ""
    param: str = ""  # parameter tasks: the saved query's parameter to change
    column: str = ""  # console tasks: the result column compared (else the first)
    placeholder: str = ""


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    explanation: str
    look_for: str
    learned: str  # one line for the closing page
    show: QueryRef
    task: Task
    focus: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The columns the step talks about, shown first and in this order (the rest in
    # "All rows"); empty: the query's own.
    columns: tuple[str, ...] = ()
    console: bool = False  # offer the saved query in the console, parameters typed

    # The step's saved query and parameters (None / {} for a query of its own).
    @property
    def query(self) -> str | None:
        return self.show.query

    @property
    def params(self) -> dict[str, str]:
        return self.show.params


# --------------------------------------------------------------------------- loading


def default_path() -> Path:
    """``$EXPLORER_WALKTHROUGH`` if set, else the ``cypher/walkthrough.yaml`` the package
    ships."""
    chosen = setting(WALKTHROUGH_ENV)
    if chosen:
        return Path(chosen).expanduser()
    return data_path("cypher", "walkthrough.yaml")


def value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return json.dumps([str(v) for v in value])
    return "" if value is None else str(value)


def _one_line(value: str) -> str:
    return " ".join(value.split())


class _Place:
    """Where a field sits, for the one-sentence error."""

    def __init__(self, where: str, number: int, step_id: str | None = None) -> None:
        self.where, self.number, self.step_id = where, number, step_id

    def fail(self, message: str) -> ConfigError:
        named = f" ({self.step_id})" if self.step_id else ""
        return ConfigError(f"{self.where}: step {self.number}{named}: {message}")


def _mapping(place: _Place, value: Any, what: str, allowed: set[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise place.fail(f"'{what}' must be a mapping of fields")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise place.fail(f"'{what}' has unknown field {unknown[0]!r}; its fields are "
                         f"{', '.join(sorted(allowed))}")
    return value


def _required_text(place: _Place, raw: Mapping[str, Any], name: str, what: str = "") -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        raise place.fail(f"needs a non-empty text field {(what + '.') if what else ''}{name!r}")
    return value


def _matchers(place: _Place, value: Any, what: str) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not value:
        raise place.fail(f"'{what}' must map column names to a value or a list of values")
    out = {}
    for column, wanted in value.items():
        items = wanted if isinstance(wanted, list) else [wanted]
        out[str(column)] = tuple(value_text(v) for v in items)
    return out


def _columns(place: _Place, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise place.fail("'show.columns' must be a list of column names")
    return tuple(value)


def _query_ref(place: _Place, raw: Mapping[str, Any], what: str, folder: Path) -> QueryRef:
    has_query, has_file = raw.get("query") is not None, raw.get("cypher") is not None
    if has_query == has_file:
        raise place.fail(f"'{what}' needs either 'query' (a saved query's name) or "
                         "'cypher' (a file of cypher/walkthrough/), not both")
    params = raw.get("params") or {}
    if not isinstance(params, Mapping):
        raise place.fail(f"'{what}.params' must map parameter names to values")
    if has_query:
        return QueryRef(query=str(raw["query"]).strip(),
                        params={str(k): value_text(v) for k, v in params.items()})
    if params:
        raise place.fail(f"'{what}': a query of cypher/walkthrough/ takes no parameters "
                         "(write the values into the file)")
    name = str(raw["cypher"]).strip()
    return QueryRef(cypher_file=name, cypher=_read_cypher(place, folder, name, what))


def _read_cypher(place: _Place, folder: Path, name: str, what: str) -> str:
    if not _ID.match(name.replace("_", "-")):
        raise place.fail(f"'{what}' names the file {name!r}; give its name without "
                         "folder or .cypher")
    path = folder / f"{name}.cypher"
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise place.fail(f"'{what}' names {path}, which cannot be read "
                         f"({error.strerror})") from None
    if not text:
        raise place.fail(f"'{what}' names {path}, which is empty")
    return text


def _parse_task(place: _Place, raw: Any, folder: Path) -> Task:
    raw = _mapping(place, raw, "task", _TASK_FIELDS)
    for name in _TASK_REQUIRED:
        _required_text(place, raw, name, "task")
    kind = raw["kind"].strip()
    if kind not in TASK_KINDS:
        raise place.fail(f"task kind {kind!r} is not one of {', '.join(TASK_KINDS)}")
    check_raw = _mapping(place, raw.get("check"), "task.check", _CHECK_FIELDS)
    check = Check(ref=_query_ref(place, check_raw, "task.check", folder),
                  column=str(check_raw.get("column") or "answer"),
                  where=_matchers(place, check_raw.get("where"), "task.check.where"))
    wrong = raw.get("wrong") or {}
    if not isinstance(wrong, Mapping):
        raise place.fail("'task.wrong' must map wrong answers to what to say about them")
    entity = str(raw.get("entity") or "actor")
    if entity not in ENTITY_KINDS:
        raise place.fail(f"task entity {entity!r} is not one of {', '.join(ENTITY_KINDS)}")
    choices = raw.get("choices")
    if kind == "choice":
        if not isinstance(choices, list) or len(choices) < 2:
            raise place.fail("a choice task needs 'choices': a list of at least two")
    elif choices is not None:
        raise place.fail(f"only a choice task takes 'choices' (this one is {kind})")
    given, given_file = "", ""
    if kind == "console":
        given_file = str(raw.get("given") or "").strip()
        if not given_file:
            raise place.fail("a console task needs 'given': the file of cypher/walkthrough/ "
                             "the analyst starts from")
        given = _read_cypher(place, folder, given_file, "task.given")
    elif raw.get("given") is not None:
        raise place.fail(f"only a console task takes 'given' (this one is {kind})")
    param = str(raw.get("param") or "").strip()
    if kind == "parameter" and not param:
        raise place.fail("a parameter task needs 'param': the parameter of the step's saved "
                         "query to change")
    return Task(
        kind=kind, prompt=_one_line(raw["prompt"]), check=check,
        right=_one_line(raw["right"]), hint=_one_line(raw["hint"]),
        wrong={fold(str(k)): _one_line(str(v)) for k, v in wrong.items()},
        entity=entity, choices=tuple(str(c) for c in choices or ()),
        given=given, given_file=given_file, param=param,
        column=str(raw.get("column") or "").strip(),
        placeholder=str(raw.get("placeholder") or "").strip(),
    )


def parse_steps(data: Any, where: str = "walkthrough.yaml",
                folder: str | os.PathLike[str] | None = None) -> list[Step]:
    """Steps from the loaded YAML; ``folder`` holds the step queries of their own
    (default: ``walkthrough/`` beside the file). A malformed step stops with one
    sentence naming the file, the step and the fix."""
    base = Path(folder) if folder is not None else Path(where).parent / "walkthrough"
    if not isinstance(data, Mapping) or not isinstance(data.get("steps"), list):
        raise ConfigError(f"{where}: expected a mapping with a list under 'steps'")
    steps: list[Step] = []
    seen: set[str] = set()
    for number, raw in enumerate(data["steps"], start=1):
        place = _Place(where, number)
        if not isinstance(raw, Mapping):
            raise place.fail("is not a mapping of fields")
        if isinstance(raw.get("id"), str):
            place.step_id = raw["id"].strip()
        unknown = sorted(set(raw) - _STEP_FIELDS)
        if unknown:
            raise place.fail(f"has unknown field {unknown[0]!r}; the fields are "
                             f"{', '.join(sorted(_STEP_FIELDS))}")
        for name in _STEP_REQUIRED:
            _required_text(place, raw, name)
        step_id = raw["id"].strip()
        if not _ID.match(step_id):
            raise place.fail(f"the id {step_id!r} must be lower-case letters, digits and '-'")
        if step_id in seen:
            raise place.fail(f"the id {step_id!r} is used twice")
        seen.add(step_id)
        show_raw = _mapping(place, raw.get("show"), "show", _SHOW_FIELDS)
        if raw.get("task") is None:
            raise place.fail("needs a 'task': what the analyst does, and its check")
        task = _parse_task(place, raw["task"], base)
        show = _query_ref(place, show_raw, "show", base)
        if task.kind == "parameter" and not show.saved:
            raise place.fail("a parameter task changes a parameter of a saved query: "
                             "'show' must name one with 'query'")
        steps.append(Step(
            id=step_id, title=_one_line(raw["title"]),
            explanation=_one_line(raw["explanation"]), look_for=_one_line(raw["look_for"]),
            learned=_one_line(raw["learned"]), show=show, task=task,
            focus=_matchers(place, show_raw.get("focus"), "show.focus"),
            columns=_columns(place, show_raw.get("columns")),
            console=bool(raw.get("console", False)),
        ))
    if not steps:
        raise ConfigError(f"{where}: the walkthrough has no steps")
    return steps


def load_steps(path: str | os.PathLike[str] | None = None) -> list[Step]:
    """The walkthrough's steps, in order."""
    file = Path(path) if path is not None else default_path()
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read the walkthrough {file} ({error.strerror}) — set "
                          f"{WALKTHROUGH_ENV} to its path") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{file} is not valid YAML: {' '.join(str(error).split())}") from None
    return parse_steps(data, str(file))


def check_steps(steps: Sequence[Step], catalogue: Mapping[str, SavedQuery]) -> list[str]:
    """One message per step whose saved queries are missing or whose parameters do not
    convert (checked against the catalogue, which ``parse_steps`` does not see)."""
    problems = []
    for number, step in enumerate(steps, start=1):
        at = f"step {number} ({step.id})"
        for what, ref in (("show", step.show), ("task.check", step.task.check.ref)):
            if not ref.saved:
                continue
            query = catalogue.get(ref.query or "")
            if query is None:
                problems.append(f"{at}: {what} runs no saved query {ref.query!r}")
                continue
            try:
                convert_params(query, ref.params)
            except ExplorerError as error:
                problems.append(f"{at}: {what}: {error}")
        if step.task.kind == "parameter" and step.show.query in catalogue and \
                step.task.param not in catalogue[step.show.query].param_names:
            problems.append(f"{at}: the task changes {step.task.param!r}, which "
                            f"{step.show.query!r} does not declare")
    return problems


def short_cypher(text: str) -> bool:
    """Short enough to show in the step itself, not behind "Show the Cypher"."""
    return len(text.strip().splitlines()) <= SHORT_CYPHER_LINES


# --------------------------------------------------------------------------- rows in view


def _cell_texts(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [value_text(v) for v in value]
    return [value_text(value)]


def matches(row: Mapping[str, Any], wanted: Mapping[str, Sequence[str]]) -> bool:
    """True when, for every column of ``wanted``, the row's value (or one item of a
    list value) is one of its values. Compared as text: ``2024`` matches "2024"."""
    return all(set(_cell_texts(row.get(column))) & set(values)
               for column, values in wanted.items())


def focus_rows(rows: Sequence[Mapping[str, Any]], focus: Mapping[str, Sequence[str]]
               ) -> list[Mapping[str, Any]]:
    """The rows a step talks about: those matching ``focus`` (all when it is empty)."""
    if not focus:
        return list(rows)
    return [row for row in rows if matches(row, focus)]


def fold(text: str) -> str:
    """Answers compare folded: case, accents and punctuation aside."""
    return name_key(str(text))
