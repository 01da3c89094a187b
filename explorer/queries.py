"""The saved-query catalogue: ``cypher/queries/*.cypher`` parsed into frozen dataclasses.

A saved query is one Cypher statement whose leading ``//`` comment lines declare
its title, description, typed parameters, how to show the result and its tags::

    // title: Actor neighbourhood
    // description: Everything within a few hops of one actor.
    // param: actor (actor) = "North Korea" — the actor to centre on
    // param: depth (int) = 2 — how many hops to follow
    //   min: 1
    //   max: 4
    // view: graph
    // tags: actors, overview
    MATCH ...

The full format is in docs/queries.md. This module is
pure: it imports neither Streamlit nor the driver, so the CLI, the dashboard, the
walkthrough and the tests share it without a database.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from explorer.errors import ConfigError, ParameterError, QueryError, ReadOnlyViolation
from explorer.readonly import PARAM, CypherLexError, Token, find_violation, tokenize

__all__ = [
    "ENTITY_TYPES",
    "PARAM_TYPES",
    "VIEW_KINDS",
    "Param",
    "SavedQuery",
    "View",
    "body_parameters",
    "catalogue_problems",
    "convert_params",
    "default_queries_dir",
    "find_query",
    "load_catalogue",
    "load_query",
    "parse_assignments",
    "parse_query_text",
    "title_from_name",
]

QUERIES_DIR_ENV = "EXPLORER_QUERIES_DIR"

# `actor` and `weapon_system` are typed as text (a name, an alias or an id, "DPRK");
# explorer.runner.run_saved resolves them to the entity's id (explorer/resolve.py)
# before the query runs, so a body matches on the id alone: `(a:Actor {id: $actor})`.
PARAM_TYPES = (
    "string",
    "int",
    "float",
    "bool",
    "date",
    "list",
    "list[int]",
    "list[float]",
    "actor",
    "weapon_system",
)
_TYPE_ALIASES = {
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
_ITEM_TYPES = {"list": "string", "list[int]": "int", "list[float]": "float"}
ENTITY_TYPES = frozenset({"actor", "weapon_system"})
_ORDERED_TYPES = frozenset({"int", "float", "date"})
_EXPECTED = {
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

# Each view declares its options: a default, or _REQUIRED. Values name result
# columns, except `columns` (a list). A new view kind is one entry here.
_REQUIRED = object()
VIEW_KINDS: dict[str, dict[str, Any]] = {
    "table": {"columns": None},
    "graph": {},
    "bar": {"x": _REQUIRED, "y": _REQUIRED, "color": None},
    "line": {"x": _REQUIRED, "y": _REQUIRED, "color": None},
    "map": {"lat": "lat", "lon": "lon", "label": None, "size": None, "color": None},
    "timeline": {"date": "date", "label": "label", "end": None, "color": None},
}
_LIST_OPTIONS = frozenset({"columns"})

_HEADER_KEYS = ("title", "description", "param", "view", "tags")
_PARAM_ATTRS = ("help", "default", "choices", "choices_query", "min", "max", "optional")
_KEY_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)\s*:(.*)$")
_HEADER_START = re.compile(r"^\s*//\s*[A-Za-z_][A-Za-z0-9_-]*\s*:")
_PARAM_HEAD = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(([^)]*)\))?\s*(.*)$")


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
        return self.type in _ITEM_TYPES

    @property
    def entity_kind(self) -> str | None:
        """``actor`` or ``weapon_system`` when the value names a graph entity, else None."""
        return self.type if self.type in ENTITY_TYPES else None

    @property
    def item_type(self) -> str:
        """The type of one value: the element type for lists, else the type itself."""
        return _ITEM_TYPES.get(self.type, self.type)

    @property
    def signature(self) -> str:
        """A one-line summary for help texts: ``depth (int, default 2)``."""
        extras = [self.type]
        if self.default is not None:
            if self.is_list:
                shown = "[" + ", ".join(map(str, self.default)) + "]"
            elif isinstance(self.default, str):
                shown = json.dumps(self.default, ensure_ascii=False)
            else:
                shown = (
                    str(self.default).lower()
                    if isinstance(self.default, bool)
                    else str(self.default)
                )
            extras.append(f"default {shown}")
        elif self.optional:
            extras.append("optional")
        else:
            extras.append("required")
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


@dataclass(frozen=True)
class SavedQuery:
    """A parsed ``.cypher`` file. ``cypher`` is the statement without its header;
    ``body_line`` is the file line where it starts (to map server error lines)."""

    name: str
    path: str
    title: str
    description: str = ""
    params: tuple[Param, ...] = ()
    view: View = field(default_factory=View)
    tags: tuple[str, ...] = ()
    cypher: str = ""
    body_line: int = 1

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)


class _BadValue(Exception):
    """A value does not convert; the caller words the message for its context."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail


# ---------------------------------------------------------------------------
# Value conversion, shared by header defaults and user-supplied parameters


def _split_list(text: str) -> list[str]:
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
        raise _BadValue("an unclosed quote")
    items.append("".join(buf).strip())
    return [item for item in items if item]


def _convert_scalar(kind: str, value: Any) -> Any:
    if kind in ("string", "actor", "weapon_system"):
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _BadValue()
        return str(value)
    if kind == "int":
        if isinstance(value, bool):
            raise _BadValue()
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                raise _BadValue() from None
        raise _BadValue()
    if kind == "float":
        if isinstance(value, bool):
            raise _BadValue()
        if isinstance(value, int | float):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                raise _BadValue() from None
        else:
            raise _BadValue()
        if not math.isfinite(number):
            raise _BadValue()
        return number
    if kind == "bool":
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
        raise _BadValue()
    if kind == "date":
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
                        raise _BadValue() from None
                    return text
        raise _BadValue()
    raise AssertionError(f"unhandled parameter type {kind}")


def _convert(kind: str, value: Any) -> Any:
    """Convert ``value`` (a string as typed on a command line, or a Python value
    from a widget) to ``kind``; lists come back as lists."""
    item_kind = _ITEM_TYPES.get(kind)
    if item_kind is None:
        return _convert_scalar(kind, value)
    if isinstance(value, str):
        items: list[Any] = _split_list(value)
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    else:
        raise _BadValue()
    return [_convert_scalar(item_kind, item) for item in items]


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return repr(value)


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


# ---------------------------------------------------------------------------
# Header parsing


@dataclass
class _Entry:
    key: str
    value: str
    line: int
    text_lines: list[str] = field(default_factory=list)
    attrs: list[list[Any]] = field(default_factory=list)  # [name, value, line]
    attr_indent: int = -1


class _Header:
    """Turns header lines into entries; every error names the file and line."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.entries: list[_Entry] = []

    def fail(self, line: int, message: str) -> QueryError:
        return QueryError(f"{self.where}:{line}: {message}")

    def feed(self, lineno: int, rest: str) -> None:
        """``rest`` is the text after ``//`` on line ``lineno``."""
        if not rest.strip():
            if self.entries and self.entries[-1].key == "description":
                self.entries[-1].text_lines.append("")
            return
        indent = len(rest) - len(rest.lstrip(" \t"))
        text = rest.strip()
        if indent >= 2:
            self.continue_entry(lineno, indent, text)
            return
        match = _KEY_LINE.match(text)
        if not match:
            raise self.fail(
                lineno,
                f"expected 'key: value' with a key among {', '.join(_HEADER_KEYS)}, "
                f"got {text!r}; put free comments below the header, after a blank line",
            )
        key = match.group(1).lower()
        if key not in _HEADER_KEYS:
            raise self.fail(
                lineno,
                f"unknown header key {key!r}{_did_you_mean(key, _HEADER_KEYS)} — expected "
                f"one of {', '.join(_HEADER_KEYS)}",
            )
        if key != "param" and any(e.key == key for e in self.entries):
            raise self.fail(lineno, f"{key!r} is declared twice")
        entry = _Entry(key, match.group(2).strip(), lineno)
        if key == "description" and entry.value:
            entry.text_lines.append(entry.value)
        self.entries.append(entry)

    def continue_entry(self, lineno: int, indent: int, text: str) -> None:
        if not self.entries:
            raise self.fail(lineno, "an indented line must follow a 'key: value' line")
        entry = self.entries[-1]
        if entry.key == "description":
            entry.text_lines.append(text)
            return
        if entry.key == "title":
            entry.value = f"{entry.value} {text}".strip()
            return
        if entry.key == "tags":
            entry.value = f"{entry.value.rstrip(',')}, {text}".strip(", ")
            return
        # param and view: indented `name: value` attributes; a line indented
        # deeper than the attributes continues the previous attribute's value.
        if entry.attrs and indent > entry.attr_indent:
            entry.attrs[-1][1] = f"{entry.attrs[-1][1]} {text}".strip()
            return
        match = _KEY_LINE.match(text)
        if not match:
            kind = "parameter attribute" if entry.key == "param" else "view option"
            raise self.fail(lineno, f"expected an indented '{kind}: value', got {text!r}")
        if entry.attr_indent < 0:
            entry.attr_indent = indent
        entry.attrs.append([match.group(1).lower(), match.group(2).strip(), lineno])


def _header_list(header: _Header, line: int, value: str, what: str) -> list[str]:
    """A list written in the header (tags, view columns), or an error naming the line."""
    try:
        return _split_list(value)
    except _BadValue:
        message = f"the list of {what} has an unclosed quote: {value.strip()!r}"
        raise header.fail(line, message) from None


def _split_help(text: str) -> tuple[str, str]:
    """Split `"North Korea" — help` at the first help separator (an em or en dash, or
    `--` between spaces) outside quotes and brackets, so defaults may contain dashes."""
    quote = ""
    depth = 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(0, depth - 1)
        elif depth == 0 and (
            ch in "—–"
            or (
                text.startswith("--", i)
                and (i == 0 or text[i - 1].isspace())
                and text[i + 2 : i + 3] in ("", " ", "\t")
            )
        ):
            width = 1 if ch in "—–" else 2
            return text[:i].rstrip(), text[i + width :].strip()
    return text.rstrip(), ""


def _literal(text: str) -> str:
    """A default or attribute value as written: quotes removed from a quoted string."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            loaded = json.loads(text)
        except ValueError:
            return text[1:-1]
        return loaded if isinstance(loaded, str) else text[1:-1]
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1]
    return text


def _parse_param(header: _Header, entry: _Entry) -> Param:
    match = _PARAM_HEAD.match(entry.value)
    if not entry.value or not match:
        raise header.fail(
            entry.line,
            "expected 'param: name (type) = default — help', e.g. "
            "'param: depth (int) = 2 — how many hops'",
        )
    name, paren, rest = match.group(1), match.group(2), match.group(3).strip()
    flags = [part.strip().lower() for part in (paren or "string").split(",")]
    raw_type, flags = flags[0] or "string", flags[1:]
    kind = _TYPE_ALIASES.get(raw_type.replace(" ", ""), raw_type.replace(" ", ""))
    if kind not in PARAM_TYPES:
        raise header.fail(
            entry.line,
            f"unknown parameter type {raw_type!r}{_did_you_mean(raw_type, PARAM_TYPES)} — "
            f"expected one of {', '.join(PARAM_TYPES)}",
        )
    optional = False
    for flag in flags:
        if flag != "optional":
            raise header.fail(
                entry.line, f"unknown flag {flag!r} after the type — only 'optional' is known"
            )
        optional = True
    default_text: str | None = None
    help_text = ""
    if rest.startswith("="):
        default_text, help_text = _split_help(rest[1:])
        if not default_text.strip():
            raise header.fail(entry.line, f"parameter {name!r} has '=' but no default value")
    elif rest:
        before, help_text = _split_help(rest)
        if before:
            raise header.fail(
                entry.line,
                f"unexpected {before!r} after parameter {name!r} — write '= default' "
                "and/or '— help text'",
            )
    attrs: dict[str, tuple[str, int]] = {}
    for attr, value, line in entry.attrs:
        if attr not in _PARAM_ATTRS:
            raise header.fail(
                line,
                f"unknown parameter attribute {attr!r}{_did_you_mean(attr, _PARAM_ATTRS)} — "
                f"expected one of {', '.join(_PARAM_ATTRS)}",
            )
        if attr in attrs:
            raise header.fail(line, f"attribute {attr!r} of parameter {name!r} is given twice")
        attrs[attr] = (value, line)

    def convert(text: str, line: int, what: str, kind_: str = kind) -> Any:
        literal = _literal(text)
        try:
            if literal == "" and kind_ not in ("string", "actor", "weapon_system"):
                raise _BadValue()
            value = _convert(kind_, literal)
        except _BadValue:
            raise header.fail(
                line,
                f"{what} {text.strip()!r} of parameter {name!r} is not {_EXPECTED[kind_]}",
            ) from None
        return tuple(value) if isinstance(value, list) else value

    if "help" in attrs:
        if help_text:
            raise header.fail(attrs["help"][1], f"parameter {name!r} has help text twice")
        help_text = _literal(attrs["help"][0])
    if "default" in attrs:
        if default_text is not None:
            raise header.fail(attrs["default"][1], f"parameter {name!r} has two defaults")
        default_text = attrs["default"][0]
    default = (
        None
        if default_text is None
        else convert(default_text, attrs.get("default", ("", entry.line))[1], "default")
    )
    if "optional" in attrs:
        value, line = attrs["optional"]
        try:
            optional = _convert_scalar("bool", _literal(value))
        except _BadValue:
            raise header.fail(line, f"optional must be true or false, got {value!r}") from None
    choices = None
    if "choices" in attrs:
        value, line = attrs["choices"]
        try:
            items = _split_list(value)
        except _BadValue:
            raise header.fail(line, f"choices of {name!r} have an unclosed quote") from None
        if not items:
            raise header.fail(line, f"choices of {name!r} are empty")
        choices = tuple(
            convert(item, line, "choice", _ITEM_TYPES.get(kind, kind)) for item in items
        )
    choices_query = None
    if "choices_query" in attrs:
        value, line = attrs["choices_query"]
        if choices is not None:
            raise header.fail(line, f"{name!r} has both choices and choices_query; keep one")
        choices_query = value.strip()
        if not choices_query:
            raise header.fail(line, f"choices_query of {name!r} is empty")
        _check_body(header, choices_query, line, what="choices_query")
        used = body_parameters(choices_query)
        if used:
            raise header.fail(
                line, f"choices_query of {name!r} uses ${used[0]}; it must take no parameters"
            )
    bounds: dict[str, Any] = {}
    for bound in ("min", "max"):
        if bound in attrs:
            value, line = attrs[bound]
            item_kind = _ITEM_TYPES.get(kind, kind)
            if item_kind not in _ORDERED_TYPES:
                raise header.fail(
                    line, f"{bound} applies to int, float and date parameters, not {kind}"
                )
            bounds[bound] = convert(value, line, bound, item_kind)
    param = Param(
        name=name,
        type=kind,
        default=default,
        help=help_text,
        choices=choices,
        choices_query=choices_query,
        min=bounds.get("min"),
        max=bounds.get("max"),
        optional=optional,
        line=entry.line,
    )
    if param.min is not None and param.max is not None and param.min > param.max:
        raise header.fail(entry.line, f"min of {name!r} is greater than its max")
    if default is not None:
        try:
            _check_limits(param, list(default) if param.is_list else default)
        except _BadValue as exc:
            raise header.fail(entry.line, f"the default of {name!r} {exc.detail}") from None
    return param


def _parse_view(header: _Header, entry: _Entry) -> View:
    kind = entry.value.strip().lower()
    if kind not in VIEW_KINDS:
        raise header.fail(
            entry.line,
            f"unknown view {entry.value.strip()!r}{_did_you_mean(kind, VIEW_KINDS)} — "
            f"expected one of {', '.join(VIEW_KINDS)}",
        )
    spec = VIEW_KINDS[kind]
    given: dict[str, Any] = {}
    for option, value, line in entry.attrs:
        if option not in spec:
            known = ", ".join(spec) or "none"
            raise header.fail(
                line,
                f"unknown option {option!r}{_did_you_mean(option, spec)} for view {kind!r} — "
                f"its options are: {known}",
            )
        if option in given:
            raise header.fail(line, f"view option {option!r} is given twice")
        if option in _LIST_OPTIONS:
            items = _header_list(header, line, value, f"view option {option!r}")
            given[option] = tuple(_literal(v).strip("`") for v in items)
        else:
            given[option] = _literal(value).strip("`")
        if not given[option]:
            raise header.fail(line, f"view option {option!r} is empty")
    options: list[tuple[str, Any]] = []
    for option, default in spec.items():
        if option in given:
            options.append((option, given[option]))
        elif default is _REQUIRED:
            raise header.fail(
                entry.line,
                f"view {kind!r} needs option {option!r} (the result column to use), on an "
                f"indented line below it: '//   {option}: column'",
            )
        else:
            options.append((option, default))
    return View(kind, tuple(options))


def _check_body(header: _Header, cypher: str, first_line: int, what: str) -> None:
    found = find_violation(cypher)
    if found is not None:
        raise ReadOnlyViolation(
            f"{header.where}:{first_line + found.line - 1}: the {what} must be read-only — "
            f"{found.message}"
        )


def body_parameters(cypher: str) -> list[str]:
    """Names of the ``$parameters`` a statement uses, in order of first use.

    Comments, string literals and backticked names are skipped, so ``'$5'`` and
    ``// $x`` are not parameters. Raises ``CypherLexError`` for an unterminated
    string or comment.
    """
    seen: dict[str, None] = {}
    for token in tokenize(cypher):
        if token.kind == PARAM:
            seen.setdefault(token.text, None)
    return list(seen)


def title_from_name(name: str) -> str:
    """``actor_neighbourhood`` -> ``Actor neighbourhood``."""
    words = re.sub(r"[_\-\s]+", " ", name).strip()
    return words[:1].upper() + words[1:] if words else name


def parse_query_text(
    text: str, name: str, path: str | os.PathLike[str] | None = None
) -> SavedQuery:
    """Parse the text of one ``.cypher`` file into a ``SavedQuery``.

    ``path`` is only used in messages (``cypher/queries/x.cypher:4: ...``).
    Raises ``QueryError`` (or its ``ReadOnlyViolation``) for a malformed header,
    parameters that disagree between header and body, or a query that writes.
    """
    where = Path(path).as_posix() if path is not None else f"{name}.cypher"
    header = _Header(where)
    lines = text.lstrip("\ufeff").splitlines()
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    has_header = i < len(lines) and bool(_HEADER_START.match(lines[i]))
    free_comments: list[str] = []
    while i < len(lines) and lines[i].lstrip().startswith("//"):
        rest = lines[i].lstrip()[2:]
        if has_header:
            header.feed(i + 1, rest)
        else:
            free_comments.append(rest.strip())
        i += 1
    body_start = i
    if has_header:
        # Blank lines between the header and the statement do not belong to either.
        while body_start < len(lines) and not lines[body_start].strip():
            body_start += 1
        body = "\n".join(lines[body_start:]).strip()
    else:
        body = text.lstrip("\ufeff").strip()
        body_start = next((n for n, line in enumerate(lines) if line.strip()), 0)
    if not _safe_tokens(header, body, body_start + 1):
        raise QueryError(f"{where}: the file has no Cypher statement below its header")

    entries = {e.key: e for e in header.entries if e.key != "param"}
    title_entry = entries.get("title")
    title = title_entry.value.strip() if title_entry else ""
    if title_entry and not title:
        raise header.fail(title_entry.line, "the title is empty")
    title = title or title_from_name(name)
    if "description" in entries:
        description = _join_paragraphs(entries["description"].text_lines)
    else:
        description = "" if has_header else _join_paragraphs(free_comments)
    tags: tuple[str, ...] = ()
    if "tags" in entries:
        entry = entries["tags"]
        items = _header_list(header, entry.line, entry.value, "'tags'")
        tags = tuple(dict.fromkeys(t.lower() for t in items))
    view = (
        _parse_view(header, entries["view"])
        if "view" in entries
        else View("table", tuple((k, v) for k, v in VIEW_KINDS["table"].items()))
    )
    params: list[Param] = []
    for entry in header.entries:
        if entry.key == "param":
            param = _parse_param(header, entry)
            if any(p.name == param.name for p in params):
                raise header.fail(entry.line, f"parameter {param.name!r} is declared twice")
            params.append(param)

    _check_body(header, body, body_start + 1, what="query")
    used = _first_uses(header, body, body_start + 1)
    positional = [u for u in used if u[:1].isdigit()]
    if positional:
        raise header.fail(
            used[positional[0]],
            f"positional parameter ${positional[0]} is not supported — name it, e.g. $actor",
        )
    if not has_header:
        # A file with only Cypher still runs: each parameter is a required string.
        params = [Param(name=u, line=0) for u in used]
    else:
        declared = [p.name for p in params]
        for p in params:
            if p.name not in used:
                raise header.fail(
                    p.line,
                    f"parameter {p.name!r} is declared but the query never uses ${p.name}",
                )
        undeclared = [u for u in used if u not in declared]
        if undeclared:
            first = undeclared[0]
            hint = _did_you_mean(first, declared)
            raise header.fail(
                used[first],
                f"the query uses ${first} but the header does not declare it{hint} "
                f"— add '// param: {first} (string)' to the header",
            )
    return SavedQuery(
        name=name,
        path=where,
        title=title,
        description=description,
        params=tuple(params),
        view=view,
        tags=tags,
        cypher=body,
        body_line=body_start + 1,
    )


def _safe_tokens(header: _Header, body: str, first_line: int) -> list[Token]:
    try:
        return tokenize(body)
    except CypherLexError as exc:
        line = first_line + body.count("\n", 0, exc.pos)
        raise header.fail(line, exc.message) from None


def _first_uses(header: _Header, body: str, first_line: int) -> dict[str, int]:
    """Each parameter the body uses -> the file line of its first use."""
    uses: dict[str, int] = {}
    for token in _safe_tokens(header, body, first_line):
        if token.kind == PARAM and token.text not in uses:
            uses[token.text] = first_line + body.count("\n", 0, token.pos)
    return uses


def _join_paragraphs(lines: list[str]) -> str:
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join("\n".join(p) for p in paragraphs if p)


# ---------------------------------------------------------------------------
# The catalogue


def _repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def default_queries_dir() -> Path:
    """``$EXPLORER_QUERIES_DIR`` if set, else the ``cypher/queries`` the package ships
    (the checkout's, through the ``explorer/cypher`` link, or the wheel's)."""
    env = os.environ.get(QUERIES_DIR_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    from explorer.config import data_path  # light: keeps this module's import cheap

    return data_path("cypher", "queries")


def _display_path(path: Path) -> str:
    resolved = path.resolve()
    for base in (_repo_root(), Path.cwd().resolve()):
        try:
            return resolved.relative_to(base).as_posix()
        except ValueError:
            continue
    return resolved.as_posix()


def load_query(path: str | os.PathLike[str]) -> SavedQuery:
    """Read and parse one ``.cypher`` file; its name is the file name without ``.cypher``."""
    file = Path(path)
    shown = _display_path(file)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise QueryError(f"{shown}: the file is not UTF-8 text") from None
    except OSError as exc:
        raise QueryError(f"{shown}: cannot read the file ({exc.strerror})") from None
    return parse_query_text(text, file.stem, shown)


def _query_files(directory: str | os.PathLike[str] | None) -> list[Path]:
    folder = Path(directory) if directory is not None else default_queries_dir()
    if not folder.is_dir():
        raise ConfigError(
            f"the saved-query folder {folder} does not exist; set {QUERIES_DIR_ENV} to the "
            "folder that holds the .cypher files"
        )
    return sorted(folder.glob("*.cypher"))


def load_catalogue(directory: str | os.PathLike[str] | None = None) -> dict[str, SavedQuery]:
    """Every ``*.cypher`` file of ``directory`` (default: ``default_queries_dir()``),
    parsed, by name in alphabetical order. Stops at the first malformed file."""
    return {query.name: query for query in map(load_query, _query_files(directory))}


def find_query(name: str, directory: str | os.PathLike[str] | None = None) -> SavedQuery:
    """The saved query ``name`` of ``directory`` (default: ``default_queries_dir()``),
    parsing only its own file: one command runs one query, and need not parse them all.

    Raises ``QueryError`` naming the closest query when there is none by that name.
    """
    files = {path.stem: path for path in _query_files(directory)}
    if name not in files:
        close = difflib.get_close_matches(name, list(files), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise QueryError(f"no saved query {name!r}{hint}; 'explorer query list' shows them all")
    return load_query(files[name])


def catalogue_problems(directory: str | os.PathLike[str] | None = None) -> list[str]:
    """One message per malformed file, for a check command that reports them all."""
    problems: list[str] = []
    for file in _query_files(directory):
        try:
            load_query(file)
        except QueryError as exc:
            problems.append(str(exc))
    return problems


# ---------------------------------------------------------------------------
# Parameters supplied by a user


def parse_assignments(pairs: Iterable[str]) -> dict[str, str]:
    """``["depth=3", "actor=North Korea"]`` (CLI ``-p`` options) -> a dict of strings."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ParameterError(f"parameter {pair!r} must be written name=value, e.g. depth=2")
        out[key] = value
    return out


def _check_limits(param: Param, value: Any) -> None:
    items = value if param.is_list else [value]
    for item in items:
        if param.min is not None and item < param.min:
            raise _BadValue(f"must be at least {param.min}, got {_shown(item)}")
        if param.max is not None and item > param.max:
            raise _BadValue(f"must be at most {param.max}, got {_shown(item)}")
    if param.choices is not None:
        for item in items:
            if item not in param.choices:
                shown = ", ".join(map(str, param.choices))
                hint = ""
                if isinstance(item, str):
                    hint = _did_you_mean(item, [str(c) for c in param.choices])
                raise _BadValue(f"must be one of {shown}, got {_shown(item)}{hint}")


def convert_params(
    query: SavedQuery,
    raw: Mapping[str, Any],
    *,
    dynamic_choices: Mapping[str, Iterable[Any]] | None = None,
) -> dict[str, Any]:
    """The parameters to send with ``query``: ``raw`` values (strings as typed on
    the command line, or Python values from widgets) converted to their declared
    types, defaults filled in, optional ones without a value set to None.
    ``actor``/``weapon_system`` values stay the text typed: resolving them to ids
    needs the graph (``explorer.runner.run_saved`` does it).

    ``dynamic_choices`` maps a parameter name to the values its ``choices_query``
    returned, when the caller ran it; values are then checked against them.
    An empty string or None counts as "not given". Raises ``ParameterError`` with
    one sentence naming the query and the parameter.
    """
    declared = {p.name: p for p in query.params}
    for key in raw:
        if key not in declared:
            if not declared:
                raise ParameterError(f"query {query.name!r} takes no parameters, got {key!r}")
            raise ParameterError(
                f"query {query.name!r} has no parameter {key!r}"
                f"{_did_you_mean(key, declared)}; its parameters are {', '.join(declared)}"
            )
    out: dict[str, Any] = {}
    for name, param in declared.items():
        value = raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if param.default is not None:
                out[name] = list(param.default) if param.is_list else param.default
            elif param.optional:
                out[name] = None
            else:
                help_text = f" — {param.help}" if param.help else ""
                raise ParameterError(
                    f"parameter {name!r} of query {query.name!r} is required "
                    f"({param.type}{help_text})"
                )
            continue
        try:
            converted = _convert(param.type, value)
        except _BadValue:
            raise ParameterError(
                f"parameter {name!r} of query {query.name!r} must be {_EXPECTED[param.type]}, "
                f"got {_shown(value)}"
            ) from None
        try:
            _check_limits(param, converted)
            if dynamic_choices is not None and name in dynamic_choices \
                    and converted is not None:
                allowed = list(dynamic_choices[name])
                # Case is folded ("missiles" is Missiles); the graph's spelling goes on.
                folded = {str(a).casefold(): a for a in allowed}
                chosen = []
                for item in converted if param.is_list else [converted]:
                    if str(item).casefold() not in folded:
                        hint = _did_you_mean(str(item), [str(a) for a in allowed])
                        raise _BadValue(
                            f"is not among the listed choices, got {_shown(item)}{hint}"
                        )
                    chosen.append(folded[str(item).casefold()])
                converted = chosen if param.is_list else chosen[0]
        except _BadValue as exc:
            raise ParameterError(
                f"parameter {name!r} of query {query.name!r} {exc.detail}"
            ) from None
        out[name] = converted
    return out
