"""A saved query's header: a YAML document in the ``//`` comment block at the top
of a ``.cypher`` file, validated by pydantic models into ``Param`` and ``View``.

Every header line is ``//``, a space and one line of YAML, so the file stays one
Cypher statement that Neo4j Browser and cypher-shell run as it is::

    // title: Actor neighbourhood
    // params:
    //   depth:
    //     type: int
    //     default: 1
    //     min: 1
    //     max: 3
    //     help: how many supplier/recipient hops to follow
    //   statuses: {type: list, default: all, choices: statuses}
    // view: graph
    // tags: [actors, overview]

Every value is read as text and converted by the parameter's declared type with
the converter that reads command-line values (``explorer.query_values``), so a
header value means what the same text typed after ``-p`` means, and YAML's own
guesses (``no`` as false, ``2024-04-30`` as a date) never apply. ``choices:
statuses`` names the graph contract's transfer statuses (``explorer.contract``),
so adding a status needs no edit here or in any query. Every error is one
``QueryError`` sentence naming the file, the line and the key. The format is in
docs/queries.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError

from explorer import contract
from explorer.errors import QueryError, ReadOnlyViolation
from explorer.query_types import REQUIRED, TABLE_VIEW, VIEW_KINDS, Header, Param, View
from explorer.query_values import (
    EXPECTED,
    ITEM_TYPES,
    ORDERED_TYPES,
    PARAM_TYPES,
    TEXT_TYPES,
    BadValue,
    canonical_type,
    check_limits,
    convert,
    did_you_mean,
    shown,
    split_list,
)
from explorer.readonly.guard import find_violation
from explorer.readonly.lexer import PARAM, CypherLexError, tokenize

HEADER_KEYS = ("title", "description", "params", "view", "tags")
PARAM_ATTRS = ("type", "default", "optional", "min", "max", "choices", "choices_query", "help")
HEADER_START = re.compile(r"^\s*//\s*[A-Za-z_][A-Za-z0-9_-]*\s*:")
"""A header starts when the file's first line reads ``// key:``."""

# `choices: NAME` takes the list from the graph contract, read when a file is
# parsed: a status added to explorer/contract.py is a choice of every query at once.
VOCABULARIES: dict[str, Callable[[], tuple[str, ...]]] = {
    "statuses": lambda: contract.TRANSFER_STATUSES,
}
ALL_CHOICES = "all"
"""``default: all`` on a list parameter with choices selects every choice."""

_LIST_OPTIONS = frozenset({"columns"})
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# ---------------------------------------------------------------------------
# The models


class _At(ValueError):
    """A problem at ``path`` (from the header's root), found by a validator that
    sits higher up; the message then names the line of ``path``."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.path = path


class _ParamModel(BaseModel):
    """One entry of ``params``. Validated in field order, so each validator sees the
    type (and the bounds and choices) already converted in ``info.data``."""

    model_config = ConfigDict(extra="forbid")

    name: str
    type: str = "string"
    optional: bool = False
    help: str = ""
    choices: tuple[Any, ...] | None = None
    choices_query: str | None = None
    min: Any = None
    max: Any = None
    default: Any = None

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        kind = canonical_type(value)
        if kind not in PARAM_TYPES:
            raise ValueError(
                f"unknown parameter type {value!r}{did_you_mean(value, PARAM_TYPES)} — "
                f"expected one of {', '.join(PARAM_TYPES)}"
            )
        return kind

    @field_validator("optional", mode="before")
    @classmethod
    def _optional(cls, value: Any, info: ValidationInfo) -> Any:
        try:
            return convert("bool", "" if value is None else value)
        except BadValue:
            raise ValueError(
                f"'optional' of parameter {info.data.get('name')!r} must be true or false, "
                f"got {shown(value)}"
            ) from None

    @field_validator("help", "choices_query", mode="after")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return value.strip() if value is not None else None

    @field_validator("choices", mode="before")
    @classmethod
    def _choices(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.data.get("name")
        if value is None:
            raise ValueError(f"choices of {name!r} are empty")
        if isinstance(value, str):
            if value.strip() in VOCABULARIES:
                value = list(VOCABULARIES[value.strip()]())
            else:
                try:
                    value = split_list(value)
                except BadValue:
                    raise ValueError(f"choices of {name!r} have an unclosed quote") from None
        if not isinstance(value, list) or "type" not in info.data:
            return value  # pydantic names the wrong shape; the type's own error is reported
        if not value:
            raise ValueError(f"choices of {name!r} are empty")
        kind = ITEM_TYPES.get(info.data["type"], info.data["type"])
        return tuple(_convert(kind, item, "choice", name) for item in value)

    @field_validator("choices_query", mode="before")
    @classmethod
    def _one_kind_of_choices(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.data.get("name")
        if info.data.get("choices") is not None:
            raise ValueError(f"{name!r} has both choices and choices_query; keep one")
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError(f"choices_query of {name!r} is empty")
        return value

    @field_validator("min", "max", mode="before")
    @classmethod
    def _bound(cls, value: Any, info: ValidationInfo) -> Any:
        bound, name, kind = info.field_name, info.data.get("name"), info.data.get("type")
        if kind is None:
            return None
        item_kind = ITEM_TYPES.get(kind, kind)
        if item_kind not in ORDERED_TYPES:
            raise ValueError(f"{bound} applies to int, float and date parameters, not {kind}")
        converted = _convert(item_kind, value, bound, name)
        low = info.data.get("min")
        if bound == "max" and low is not None and low > converted:
            raise ValueError(f"min of {name!r} is greater than its max")
        return converted

    @field_validator("default", mode="before")
    @classmethod
    def _default(cls, value: Any, info: ValidationInfo) -> Any:
        name, kind = info.data.get("name"), info.data.get("type")
        if kind is None:
            return None
        choices = info.data.get("choices")
        if kind in ITEM_TYPES and choices is not None and value == ALL_CHOICES:
            return tuple(choices)
        converted = _convert(kind, value, "default", name)
        try:
            check_limits(converted, is_list=kind in ITEM_TYPES, min=info.data.get("min"),
                         max=info.data.get("max"), choices=choices)
        except BadValue as exc:
            raise ValueError(f"the default of {name!r} {exc.detail}") from None
        return tuple(converted) if isinstance(converted, list) else converted


def _convert(kind: str, value: Any, key: str, name: Any) -> Any:
    """``value`` as ``kind``, or a ValueError "default 'x' of parameter 'a' is not an int"."""
    if value is None:
        raise ValueError(f"{key} of parameter {name!r} is empty")
    what = f"{key} {shown(value)} of parameter {name!r}"
    try:
        if (value == "" and kind not in TEXT_TYPES) or isinstance(value, dict):
            raise BadValue()
        return convert(kind, value)
    except BadValue:
        raise ValueError(f"{what} is not {EXPECTED[kind]}") from None


class _ViewModel(BaseModel):
    """``view: KIND`` or a mapping of ``kind`` and that kind's options."""

    model_config = ConfigDict(extra="allow")

    kind: str

    @model_validator(mode="after")
    def _options(self) -> _ViewModel:
        kind = self.kind.strip().lower()
        if kind not in VIEW_KINDS:
            raise _At(("view", "kind"), f"unknown view {self.kind.strip()!r}"
                      f"{did_you_mean(kind, VIEW_KINDS)} — expected one of "
                      f"{', '.join(VIEW_KINDS)}")
        self.kind = kind
        spec = VIEW_KINDS[kind]
        given = dict(self.model_extra or {})
        for option, value in given.items():
            where = ("view", option)
            if option not in spec:
                raise _At(where, f"unknown option {option!r}{did_you_mean(option, spec)} for "
                          f"view {kind!r} — its options are: {', '.join(spec) or 'none'}")
            if option in _LIST_OPTIONS and isinstance(value, str):
                try:
                    value = split_list(value)
                except BadValue:
                    raise _At(where, f"the list of view option {option!r} has an unclosed "
                              "quote") from None
            if option in _LIST_OPTIONS and isinstance(value, list) \
                    and all(isinstance(v, str) for v in value):
                given[option] = tuple(v.strip().strip("`") for v in value)
            elif option not in _LIST_OPTIONS and isinstance(value, str):
                given[option] = value.strip().strip("`")
            else:
                shape = "a list of column names" if option in _LIST_OPTIONS else "a column name"
                raise _At(where, f"view option {option!r} must be {shape}")
            if not given[option]:
                raise _At(where, f"view option {option!r} is empty")
        for option, default in spec.items():
            if default is REQUIRED and option not in given:
                raise _At(("view", "kind"), f"view {kind!r} needs option {option!r} (the "
                          f"result column to use): add '{option}: COLUMN' under 'view'")
        self.__pydantic_extra__ = given
        return self

    def view(self) -> View:
        given = self.model_extra or {}
        spec = VIEW_KINDS[self.kind]
        return View(self.kind, tuple((o, given.get(o, None if d is REQUIRED else d))
                                     for o, d in spec.items()))


class _HeaderModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    description: str | None = None
    params: dict[str, _ParamModel] = {}
    view: _ViewModel | None = None
    tags: list[str] = []

    @model_validator(mode="before")
    @classmethod
    def _shorthands(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        title = data.get("title", "given")
        if title is None or (isinstance(title, str) and not title.strip()):
            raise _At(("title",), "the title is empty")
        if isinstance(data.get("view"), str):
            data["view"] = {"kind": data["view"]}
        if isinstance(data.get("tags"), str):
            try:
                data["tags"] = split_list(data["tags"])
            except BadValue:
                raise _At(("tags",), "the list of 'tags' has an unclosed quote") from None
        if data.get("params") is None and "params" in data:
            data["params"] = {}
        if isinstance(data.get("params"), dict):
            params = {}
            for name, spec in data["params"].items():
                if not _NAME.match(name):
                    raise _At(("params", name), f"parameter name {name!r} is not a name: use "
                              "letters, digits and _, not starting with a digit")
                if spec is None:
                    spec = {}
                if isinstance(spec, dict):
                    if "name" in spec:
                        raise _At(("params", name, "name"), f"unknown attribute 'name' of "
                                  f"parameter {name!r}: the parameter's name is its key")
                    spec = {"name": name, **spec}
                params[name] = spec
            data["params"] = params
        return data

    def header(self, line_of: Callable[[str], int]) -> Header:
        """The validated header; ``line_of(name)`` is the file line of a parameter."""
        params = tuple(
            Param(name=name, type=p.type, default=p.default, help=p.help, choices=p.choices,
                  choices_query=p.choices_query, min=p.min, max=p.max, optional=p.optional,
                  line=line_of(name))
            for name, p in self.params.items()
        )
        return Header(
            title=self.title.strip() if self.title is not None else None,
            description=(self.description or "").strip() or None,
            params=params,
            view=self.view.view() if self.view is not None else TABLE_VIEW,
            tags=tuple(dict.fromkeys(t.strip().lower() for t in self.tags if t.strip())),
        )


# ---------------------------------------------------------------------------
# From comment lines to a Header


class _Problem(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _subject(loc: tuple[str | int, ...]) -> str:
    """What a pydantic location names, in words: ``'help' of parameter 'depth'``."""
    if len(loc) >= 3 and loc[0] == "params":
        return f"{loc[2]!r} of parameter {loc[1]!r}"
    if len(loc) == 2 and loc[0] == "params":
        return f"parameter {loc[1]!r}"
    if len(loc) >= 2 and loc[0] == "view":
        return f"view option {loc[1]!r}"
    return repr(loc[0]) if loc else "the header"


def _message(error: dict[str, Any]) -> tuple[tuple[str | int, ...], str]:
    """One pydantic error -> (where, sentence)."""
    loc, kind = tuple(error["loc"]), error["type"]
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, _At):
        return cause.path, str(cause)
    if kind == "value_error" and cause is not None:
        return loc, str(cause)
    got = error.get("input")
    shape = "a mapping" if isinstance(got, dict) else "a list" if isinstance(got, list) else \
        "nothing" if got is None else f"{shown(got)}"
    if kind == "extra_forbidden":
        key = str(loc[-1])
        if len(loc) == 1:
            return loc, (f"unknown header key {key!r}{did_you_mean(key, HEADER_KEYS)} — "
                         f"expected one of {', '.join(HEADER_KEYS)}")
        return loc, (f"unknown attribute {key!r} of parameter {loc[1]!r}"
                     f"{did_you_mean(key, PARAM_ATTRS)} — expected one of "
                     f"{', '.join(PARAM_ATTRS)}")
    if kind == "string_type":
        return loc, f"{_subject(loc)} must be text, got {shape}"
    if kind == "list_type":
        return loc, f"{_subject(loc)} must be a list, got {shape}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        if loc == ("view",):
            return loc, ("'view' must be a view kind or a mapping of 'kind' and options, "
                         f"got {shape}")
        return loc, f"{_subject(loc)} must be indented 'key: value' lines, got {shape}"
    if kind == "missing" and loc == ("view", "kind"):
        return ("view",), f"the view needs a 'kind', one of {', '.join(VIEW_KINDS)}"
    return loc, f"{_subject(loc)}: {error['msg']}"


def _line_of(lines: dict[tuple[str | int, ...], int], loc: tuple[str | int, ...],
             first: int) -> int:
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return first


def _build(node: yaml.Node, path: tuple[str | int, ...], first: int,
           lines: dict[tuple[str | int, ...], int], seen: set[int]) -> Any:
    """The YAML node tree as plain dicts, lists and strings (an empty plain value
    is None), recording the file line of every key and list item."""
    if id(node) in seen:
        raise _Problem(first + node.start_mark.line,
                       "anchors and aliases (& and *) are not supported in a header")
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        return None if node.style is None and node.value == "" else node.value
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            lines[(*path, i)] = first + item.start_mark.line
            items.append(_build(item, (*path, i), first, lines, seen))
        return items
    data: dict[str, Any] = {}
    for key_node, value_node in node.value:
        line = first + key_node.start_mark.line
        if not isinstance(key_node, yaml.ScalarNode):
            raise _Problem(line, "a header key must be a word followed by ':'")
        key = key_node.value
        if key in data:
            raise _Problem(line, _twice(path, key))
        lines[(*path, key)] = line
        data[key] = _build(value_node, (*path, key), first, lines, seen)
    return data


def _twice(path: tuple[str | int, ...], key: str) -> str:
    if not path:
        return f"{key!r} is declared twice"
    if path == ("params",):
        return f"parameter {key!r} is declared twice"
    if len(path) == 2 and path[0] == "params":
        return f"attribute {key!r} of parameter {path[1]!r} is given twice"
    if path == ("view",):
        return f"view option {key!r} is given twice"
    return f"{key!r} is given twice"


def _yaml_problem(exc: yaml.YAMLError, first: int, last: int) -> _Problem:
    mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
    line = min(first + mark.line, last) if mark is not None else first
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    hint = ""
    if getattr(exc, "context", None) == "while scanning a quoted scalar":
        problem = "a quoted value is not closed"
    elif "could not find expected ':'" in problem:
        hint = "; put free comments below the header, after a blank line"
    elif problem.startswith("expected <block end>"):
        hint = "; check this line's indentation against the lines above"
    elif "mapping values are not allowed here" in problem:
        hint = ("; quote a value that contains ': ', and give a key with indented lines "
                "below it no value of its own ('view:', then '  kind: bar')")
    elif "\\t" in problem:
        hint = "; indent with spaces"
    return _Problem(line, f"the header is not valid YAML: {problem}{hint}")


def _choices_query_checks(header: Header, lines: dict[tuple[str | int, ...], int],
                          where: str) -> None:
    for param in header.params:
        if not param.choices_query:
            continue
        line = lines[("params", param.name, "choices_query")]
        found = find_violation(param.choices_query)
        if found is not None:
            raise ReadOnlyViolation(f"{where}:{line + found.line - 1}: the choices_query must "
                                    f"be read-only — {found.message}")
        try:
            used = [t.text for t in tokenize(param.choices_query) if t.kind == PARAM]
        except CypherLexError as exc:
            raise QueryError(f"{where}:{line}: choices_query of {param.name!r}: "
                             f"{exc.message}") from None
        if used:
            raise QueryError(f"{where}:{line}: choices_query of {param.name!r} uses ${used[0]}; "
                             "it must take no parameters")


def parse_header(comment_lines: list[str], first_line: int, where: str) -> Header:
    """Validate the header whose ``//`` lines are ``comment_lines``, the first one at
    file line ``first_line``; ``where`` names the file in messages. Raises
    ``QueryError`` (``ReadOnlyViolation`` for a choices_query that writes)."""
    text = "\n".join(_yaml_line(line) for line in comment_lines)
    last = first_line + len(comment_lines) - 1
    lines: dict[tuple[str | int, ...], int] = {}
    try:
        try:
            node = yaml.compose(text, Loader=yaml.BaseLoader)
        except yaml.YAMLError as exc:
            raise _yaml_problem(exc, first_line, last) from None
        data = _build(node, (), first_line, lines, set()) if node is not None else None
        if not isinstance(data, dict):
            raise _Problem(first_line, "the header must be 'key: value' lines, with a key among "
                           f"{', '.join(HEADER_KEYS)}")
        try:
            model = _HeaderModel.model_validate(data)
        except PydanticValidationError as exc:
            found = [_message(e) for e in exc.errors()]
            loc, message = min(found, key=lambda f: _line_of(lines, f[0], first_line))
            raise _Problem(_line_of(lines, loc, first_line), message) from None
    except _Problem as problem:
        raise QueryError(f"{where}:{problem.line}: {problem.message}") from None
    header = model.header(lambda name: lines.get(("params", name), first_line))
    _choices_query_checks(header, lines, where)
    return header


def _yaml_line(line: str) -> str:
    """``//   min: 1`` -> ``  min: 1``: the comment marker and one space go."""
    rest = line.lstrip()[2:]
    return rest[1:] if rest.startswith(" ") else rest
