"""What a saved query's header declares, as frozen dataclasses: its parameters
(``Param``), how to show its result (``View``, one of ``VIEW_KINDS``) and the
header as a whole (``Header``). ``explorer.query_header`` builds them from the
YAML header; the CLI, the dashboard and the runner read them. Pure data.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from explorer.query_values import ENTITY_TYPES, ITEM_TYPES

# Each view declares its options: a default, or REQUIRED. Values name result
# columns, except `columns` (a list). A new view kind is one entry here.
REQUIRED = object()
VIEW_KINDS: dict[str, dict[str, Any]] = {
    "table": {"columns": None},
    "graph": {},
    "bar": {"x": REQUIRED, "y": REQUIRED, "color": None},
    "line": {"x": REQUIRED, "y": REQUIRED, "color": None},
    "map": {"lat": "lat", "lon": "lon", "label": None, "size": None, "color": None},
    "timeline": {"date": "date", "label": "label", "end": None, "color": None},
}


@dataclass(frozen=True)
class Param:
    """One declared parameter. ``default`` is already converted to the parameter's
    type (a tuple for lists); None means "no default"."""

    name: str
    type: str = "string"
    default: Any = None
    help: str = ""
    choices: tuple[Any, ...] | None = None
    choices_query: str | None = None
    min: Any = None
    max: Any = None
    optional: bool = False
    line: int = field(default=0, compare=False)

    @property
    def required(self) -> bool:
        return self.default is None and not self.optional

    @property
    def is_list(self) -> bool:
        return self.type in ITEM_TYPES

    @property
    def entity_kind(self) -> str | None:
        """``actor`` or ``weapon_system`` when the value names a graph entity, else None."""
        return self.type if self.type in ENTITY_TYPES else None

    @property
    def item_type(self) -> str:
        """The type of one value: the element type for lists, else the type itself."""
        return ITEM_TYPES.get(self.type, self.type)

    @property
    def signature(self) -> str:
        """A one-line summary for help texts: ``depth (int, default 2)``."""
        extras = [self.type]
        if self.default is not None:
            if self.is_list:
                text = "[" + ", ".join(map(str, self.default)) + "]"
            elif isinstance(self.default, bool):
                text = str(self.default).lower()
            elif isinstance(self.default, str):
                text = json.dumps(self.default, ensure_ascii=False)
            else:
                text = str(self.default)
            extras.append(f"default {text}")
        else:
            extras.append("optional" if self.optional else "required")
        return f"{self.name} ({', '.join(extras)})"


@dataclass(frozen=True)
class View:
    """How to show a result: ``kind`` is a key of ``VIEW_KINDS``; ``options`` holds
    every option of that kind (defaults filled in) as ``(name, value)`` pairs."""

    kind: str = "table"
    options: tuple[tuple[str, Any], ...] = ()

    def get(self, name: str, default: Any = None) -> Any:
        for key, value in self.options:
            if key == name:
                return default if value is None else value
        return default

    def as_dict(self) -> dict[str, Any]:
        return {
            key: list(value) if isinstance(value, tuple) else value for key, value in self.options
        }

    @property
    def columns(self) -> tuple[str, ...]:
        """The result columns this view reads, in option order."""
        out: list[str] = []
        for _, value in self.options:
            if isinstance(value, tuple):
                out.extend(value)
            elif value is not None:
                out.append(value)
        return tuple(out)

    def missing_columns(self, keys: Iterable[str]) -> list[str]:
        """Columns the view needs that a result with these ``keys`` lacks."""
        present = set(keys)
        return [column for column in self.columns if column not in present]


TABLE_VIEW = View("table", tuple(VIEW_KINDS["table"].items()))


@dataclass(frozen=True)
class Header:
    """A validated header. ``title``/``description`` are None when not given."""

    title: str | None = None
    description: str | None = None
    params: tuple[Param, ...] = ()
    view: View = TABLE_VIEW
    tags: tuple[str, ...] = ()
