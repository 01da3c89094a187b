"""Parameter values of saved queries: the types, and text or widget values -> typed values.

One converter serves every source of a value: a ``-p name=value`` typed on the
command line, a URL or widget value in the dashboard, and the defaults, bounds and
choices written in a query's header (which are read as text, so a header value
means what the same text typed on the command line means). Numbers and text go
through pydantic; the forms pydantic has no type for (dates at their precision,
lists typed as ``a, b``, the yes/no words) are spelled out here. Pure: no I/O.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
import re
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import AllowInfNan, ConfigDict, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

# `actor` and `weapon_system` are typed as text (a name, an alias or an id, "DPRK");
# explorer.runner.run_saved resolves them to the entity's id (explorer/resolve.py)
# before the query runs, so a body matches on the id alone: `(a:Actor {id: $actor})`.
PARAM_TYPES = (
    "string", "int", "float", "bool", "date", "list", "list[int]", "list[float]",
    "actor", "weapon_system",
)  # fmt: skip
TYPE_ALIASES = {
    "str": "string",
    "text": "string",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "list[string]": "list",
    "list[str]": "list",
    "list[integer]": "list[int]",
    "weapon": "weapon_system",
    "weaponsystem": "weapon_system",
}
ITEM_TYPES = {"list": "string", "list[int]": "int", "list[float]": "float"}
ENTITY_TYPES = frozenset({"actor", "weapon_system"})
TEXT_TYPES = frozenset({"string", "actor", "weapon_system"})
ORDERED_TYPES = frozenset({"int", "float", "date"})
EXPECTED = {
    "string": "a string",
    "actor": "an actor name, alias or id",
    "weapon_system": "a weapon-system name, alias or id",
    "int": "an int",
    "float": "a number",
    "bool": "true or false (yes/no, 1/0)",
    "date": "a date written YYYY-MM-DD, YYYY-MM or YYYY",
    "list": "a list (comma-separated or a JSON list)",
    "list[int]": "a list of ints",
    "list[float]": "a list of numbers",
}
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
_DATE_FORMS = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "%Y-%m-%d"),
    (re.compile(r"^\d{4}-\d{2}$"), "%Y-%m"),
    (re.compile(r"^\d{4}$"), "%Y"),
)
# Numbers and text as pydantic reads them in lax mode ("3" -> 3, 3.0 -> 3, " x " ->
# "x"); booleans are refused before these run, since pydantic would take True as 1.
_PYDANTIC: dict[str, TypeAdapter[Any]] = {
    "int": TypeAdapter(int),
    "float": TypeAdapter(Annotated[float, AllowInfNan(False)]),
    "string": TypeAdapter(
        str, config=ConfigDict(coerce_numbers_to_str=True, str_strip_whitespace=True)
    ),
}


class BadValue(Exception):
    """A value does not convert; the caller words the message for its context."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail


def canonical_type(text: str) -> str:
    """``integer`` -> ``int``, ``List[Str]`` -> ``list``: the type a header names
    (not checked: the caller tells an unknown type by it not being in PARAM_TYPES)."""
    word = text.replace(" ", "").lower()
    return TYPE_ALIASES.get(word, word)


def split_list(text: str) -> list[str]:
    """`a, b`, `[a, b]`, `["a", "b"]` and `['a', 'b, c']` all give a list of strings."""
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            loaded = json.loads(text)
        except ValueError:
            text = text[1:-1]
        else:
            if isinstance(loaded, list):
                return ["" if v is None else str(v) for v in loaded]
            text = text[1:-1]
    items: list[str] = []
    buf: list[str] = []
    quote = ""
    for ch in text:
        if quote:
            if ch == quote:
                quote = ""
            else:
                buf.append(ch)
        elif ch in "'\"" and not "".join(buf).strip():
            quote = ch
            buf = []
        elif ch == ",":
            items.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
    if quote:
        raise BadValue("an unclosed quote")
    items.append("".join(buf).strip())
    return [item for item in items if item]


def _by_pydantic(kind: str, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadValue()
    try:
        return _PYDANTIC[kind].validate_python(value)
    except PydanticValidationError:
        raise BadValue() from None


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise BadValue()


def _to_date(value: Any) -> str:
    # The graph stores dates as ISO strings at their precision ("2024-03-30",
    # "2024-04", "2024"), and Cypher compares a string with a date value as
    # null; so a date parameter stays an ISO string, validated here.
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        for pattern, fmt in _DATE_FORMS:
            if pattern.match(text):
                try:
                    _dt.datetime.strptime(text, fmt)
                except ValueError:
                    raise BadValue() from None
                return text
    raise BadValue()


def convert_scalar(kind: str, value: Any) -> Any:
    """One value of type ``kind`` (not a list type), or ``BadValue``."""
    if kind in TEXT_TYPES:
        return _by_pydantic("string", value)
    if kind in ("int", "float"):
        return _by_pydantic(kind, value)
    if kind == "bool":
        return _to_bool(value)
    if kind == "date":
        return _to_date(value)
    raise AssertionError(f"unhandled parameter type {kind}")


def convert(kind: str, value: Any) -> Any:
    """Convert ``value`` (a string as typed on a command line or in a header, or a
    Python value from a widget) to ``kind``; lists come back as lists."""
    item_kind = ITEM_TYPES.get(kind)
    if item_kind is None:
        return convert_scalar(kind, value)
    if isinstance(value, str):
        items: list[Any] = split_list(value)
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    else:
        raise BadValue()
    return [convert_scalar(item_kind, item) for item in items]


def shown(value: Any) -> str:
    """A value as messages quote it: ``'three'``, ``9``, ``['a', 'b']``."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    return repr(value)


def did_you_mean(word: str, options: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def check_limits(
    value: Any,
    *,
    is_list: bool,
    min: Any = None,
    max: Any = None,
    choices: tuple[Any, ...] | None = None,
) -> None:
    """Raise ``BadValue`` ("must be at most 4, got 9") when a converted value (each
    item of a list) is outside ``min``/``max`` or not among ``choices``."""
    items = value if is_list else [value]
    for item in items:
        if min is not None and item < min:
            raise BadValue(f"must be at least {min}, got {shown(item)}")
        if max is not None and item > max:
            raise BadValue(f"must be at most {max}, got {shown(item)}")
    if choices is not None:
        for item in items:
            if item not in choices:
                listed = ", ".join(map(str, choices))
                hint = ""
                if isinstance(item, str):
                    hint = did_you_mean(item, [str(c) for c in choices])
                raise BadValue(f"must be one of {listed}, got {shown(item)}{hint}")
