"""The guided walkthrough: steps that each run one saved query, read from
``cypher/walkthrough.yaml``.

The steps are data, so the dashboard's Walkthrough page, ``explorer
walkthrough`` and the tests share them, and a step runs exactly the file the
Saved queries page runs. Parameters are text, as typed on the command line;
``check_steps`` converts them against each query's declared types.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from explorer.db import Database
from explorer.errors import ConfigError, ExplorerError
from explorer.queries import SavedQuery, convert_params, load_catalogue
from explorer.resolve import split_typed, typed_text
from explorer.runner import QueryResult, run_saved

WALKTHROUGH_ENV = "EXPLORER_WALKTHROUGH"
_FIELDS = {"id", "title", "query", "params", "explanation", "look_for", "console"}
_REQUIRED = ("id", "title", "query", "explanation", "look_for")


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    query: str
    explanation: str
    look_for: str
    params: dict[str, str] = field(default_factory=dict)
    console: bool = False


def default_path() -> Path:
    """``$EXPLORER_WALKTHROUGH`` if set, else ``cypher/walkthrough.yaml`` of the checkout."""
    env = os.environ.get(WALKTHROUGH_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    beside_package = Path(__file__).resolve().parent.parent / "cypher" / "walkthrough.yaml"
    return beside_package if beside_package.is_file() else Path.cwd() / "cypher" / \
        "walkthrough.yaml"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return json.dumps([str(v) for v in value])
    return "" if value is None else str(value)


def parse_steps(data: Any, where: str = "walkthrough.yaml") -> list[Step]:
    """Steps from the loaded YAML; a malformed step stops with its place and the fix."""
    if not isinstance(data, Mapping) or not isinstance(data.get("steps"), list):
        raise ConfigError(f"{where}: expected a mapping with a list under 'steps'")
    steps: list[Step] = []
    seen: set[str] = set()
    for number, raw in enumerate(data["steps"], start=1):
        at = f"{where}: step {number}"
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{at} is not a mapping of fields")
        unknown = sorted(set(raw) - _FIELDS)
        if unknown:
            raise ConfigError(f"{at} has unknown field {unknown[0]!r}; the fields are "
                              f"{', '.join(sorted(_FIELDS))}")
        for name in _REQUIRED:
            if not isinstance(raw.get(name), str) or not raw[name].strip():
                raise ConfigError(f"{at} needs a non-empty text field {name!r}")
        if raw["id"] in seen:
            raise ConfigError(f"{at}: the id {raw['id']!r} is used twice")
        seen.add(raw["id"])
        params = raw.get("params") or {}
        if not isinstance(params, Mapping):
            raise ConfigError(f"{at}: 'params' must map parameter names to values")
        steps.append(Step(
            id=raw["id"].strip(), title=raw["title"].strip(), query=raw["query"].strip(),
            explanation=" ".join(raw["explanation"].split()),
            look_for=" ".join(raw["look_for"].split()),
            params={str(k): _text(v) for k, v in params.items()},
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
        raise ConfigError(f"{file} is not valid YAML: {error}") from None
    return parse_steps(data, str(file))


def check_steps(steps: list[Step], catalogue: Mapping[str, SavedQuery]) -> list[str]:
    """One message per step whose query is missing or whose parameters do not convert."""
    problems = []
    for number, step in enumerate(steps, start=1):
        query = catalogue.get(step.query)
        if query is None:
            problems.append(f"step {number} ({step.id}): no saved query {step.query!r}")
            continue
        try:
            convert_params(query, step.params)
        except ExplorerError as error:
            problems.append(f"step {number} ({step.id}): {error}")
    return problems


def step_parameters(step: Step, catalogue: Mapping[str, SavedQuery]) -> dict[str, Any]:
    """The step's parameters for the console: converted as the query declares them,
    defaults filled in, and each actor or weapon-system value typed
    (``"actor:Russia"``), so the console resolves it — and whatever name the
    analyst puts in its place — to an id, as the saved query would."""
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


def run_step(db: Database, step: Step, catalogue: Mapping[str, SavedQuery] | None = None
             ) -> QueryResult:
    """Run the step's saved query with its parameters, read-only, with the usual limits."""
    queries = catalogue if catalogue is not None else load_catalogue()
    if step.query not in queries:
        raise ConfigError(f"walkthrough step {step.id!r} runs {step.query!r}, which is not in "
                          "the saved-query catalogue")
    return run_saved(db, queries[step.query], step.params)
