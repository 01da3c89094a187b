"""The saved-query catalogue: ``cypher/queries/*.cypher`` parsed into frozen dataclasses.

A saved query is one Cypher statement below a header: a YAML document written in
the file's leading ``//`` comment lines (``explorer.query_header``), declaring its
title, description, typed parameters, how to show the result and its tags::

    // title: Actor neighbourhood
    // params:
    //   actor: {type: actor, default: North Korea, help: the actor to centre on}
    // view: graph
    MATCH (centre:Actor {id: $actor}) ...

This module reads the files, checks that the header and the statement agree on
the parameters and that the statement only reads, and converts the values a user
supplies (``explorer.query_values``). The format is in docs/queries.md. Pure: it
imports neither Streamlit nor the driver, so the CLI, the dashboard, the
walkthrough and the tests share it without a database.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from explorer.errors import ConfigError, ParameterError, QueryError, ReadOnlyViolation
from explorer.query_header import HEADER_START, parse_header
from explorer.query_types import TABLE_VIEW, VIEW_KINDS, Param, View
from explorer.query_values import (
    ENTITY_TYPES,
    EXPECTED,
    PARAM_TYPES,
    BadValue,
    check_limits,
    convert,
    did_you_mean,
    shown,
)
from explorer.readonly.guard import find_violation
from explorer.readonly.lexer import PARAM, CypherLexError, Token, tokenize

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


@dataclass(frozen=True)
class SavedQuery:
    """A parsed ``.cypher`` file. ``cypher`` is the statement without its header;
    ``body_line`` is the file line where it starts (to map server error lines)."""

    name: str
    path: str
    title: str
    description: str = ""
    params: tuple[Param, ...] = ()
    view: View = field(default_factory=lambda: TABLE_VIEW)
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


# ---------------------------------------------------------------------------
# One file


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


def _tokens(where: str, body: str, first_line: int) -> list[Token]:
    try:
        return tokenize(body)
    except CypherLexError as exc:
        line = first_line + body.count("\n", 0, exc.pos)
        raise QueryError(f"{where}:{line}: {exc.message}") from None


def _first_uses(tokens: list[Token], body: str, first_line: int) -> dict[str, int]:
    """Each parameter the body uses -> the file line of its first use."""
    uses: dict[str, int] = {}
    for token in tokens:
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


def _check_agreement(where: str, params: tuple[Param, ...], used: dict[str, int]) -> None:
    """Header and statement declare and use the same parameters, both ways."""
    positional = [u for u in used if u[:1].isdigit()]
    if positional:
        raise QueryError(
            f"{where}:{used[positional[0]]}: positional parameter ${positional[0]} is not "
            "supported — name it, e.g. $actor"
        )
    declared = [p.name for p in params]
    for p in params:
        if p.name not in used:
            raise QueryError(
                f"{where}:{p.line}: parameter {p.name!r} is declared but the query never "
                f"uses ${p.name}"
            )
    undeclared = [u for u in used if u not in declared]
    if undeclared:
        first = undeclared[0]
        raise QueryError(
            f"{where}:{used[first]}: the query uses ${first} but the header does not declare "
            f"it{did_you_mean(first, declared)} — add '{first}: {{type: string}}' under "
            "'params:' in the header"
        )


def parse_query_text(
    text: str, name: str, path: str | os.PathLike[str] | None = None, *, scan: bool = True
) -> SavedQuery:
    """Parse the text of one ``.cypher`` file into a ``SavedQuery``.

    ``path`` is only used in messages (``cypher/queries/x.cypher:4: ...``).
    Raises ``QueryError`` (or its ``ReadOnlyViolation``) for a malformed header,
    parameters that disagree between header and body, or a query that writes.
    A file with only Cypher is a query too: its title comes from ``name``, its
    leading comments are the description and every ``$parameter`` is a
    required string.
    """
    where = Path(path).as_posix() if path is not None else f"{name}.cypher"
    lines = text.lstrip("\ufeff").splitlines()
    start = next((n for n, line in enumerate(lines) if line.strip()), len(lines))
    end = start
    while end < len(lines) and lines[end].lstrip().startswith("//"):
        end += 1
    has_header = start < len(lines) and bool(HEADER_START.match(lines[start]))
    if has_header:
        header = parse_header(lines[start:end], start + 1, where)
        body_start = end
        # Blank lines between the header and the statement belong to neither.
        while body_start < len(lines) and not lines[body_start].strip():
            body_start += 1
        body = "\n".join(lines[body_start:]).strip()
        description = header.description or ""
    else:
        header = None
        body_start = start
        body = "\n".join(lines[start:]).strip()
        description = _join_paragraphs(
            [line.lstrip()[2:].strip() for line in lines[start:end]]
        )
    tokens = _tokens(where, body, body_start + 1)
    if not tokens:
        raise QueryError(f"{where}: the file has no Cypher statement below its header")
    # Files are checked when they load, without a server; a query saved in the
    # database (scan=False) is checked by the server's plan instead (explorer/saved.py).
    found = find_violation(body) if scan else None
    if found is not None:
        raise ReadOnlyViolation(
            f"{where}:{body_start + found.line}: the query must be read-only — {found.message}"
        )
    used = _first_uses(tokens, body, body_start + 1)
    # A file with only Cypher still runs: each parameter is a required string.
    params = header.params if header is not None else tuple(Param(name=u) for u in used)
    _check_agreement(where, params, used)
    return SavedQuery(
        name=name,
        path=where,
        title=(header.title if header is not None else None) or title_from_name(name),
        description=description,
        params=params,
        view=header.view if header is not None else TABLE_VIEW,
        tags=header.tags if header is not None else (),
        cypher=body,
        body_line=body_start + 1,
    )


# ---------------------------------------------------------------------------
# The catalogue


def default_queries_dir() -> Path:
    """``$EXPLORER_QUERIES_DIR`` if set, else the ``cypher/queries`` the package ships
    (the checkout's, through the ``explorer/cypher`` link, or the wheel's)."""
    from explorer.config import data_path, setting  # light: keeps this module's import cheap

    chosen = setting(QUERIES_DIR_ENV)
    return Path(chosen).expanduser() if chosen else data_path("cypher", "queries")


def _display_path(path: Path) -> str:
    resolved = path.resolve()
    for base in (Path(__file__).resolve().parent.parent, Path.cwd().resolve()):
        try:
            return resolved.relative_to(base).as_posix()
        except ValueError:
            continue
    return resolved.as_posix()


def load_query(path: str | os.PathLike[str]) -> SavedQuery:
    """Read and parse one ``.cypher`` file; its name is the file name without ``.cypher``."""
    file = Path(path)
    shown_path = _display_path(file)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise QueryError(f"{shown_path}: the file is not UTF-8 text") from None
    except OSError as exc:
        raise QueryError(f"{shown_path}: cannot read the file ({exc.strerror})") from None
    return parse_query_text(text, file.stem, shown_path)


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


def _among_dynamic(param: Param, converted: Any, allowed: Iterable[Any]) -> Any:
    """``converted`` checked against a choices_query's values; case is folded
    ("missiles" is Missiles) and the graph's spelling goes on."""
    folded = {str(a).casefold(): a for a in allowed}
    chosen = []
    for item in converted if param.is_list else [converted]:
        if str(item).casefold() not in folded:
            hint = did_you_mean(str(item), [str(a) for a in folded.values()])
            raise BadValue(f"is not among the listed choices, got {shown(item)}{hint}")
        chosen.append(folded[str(item).casefold()])
    return chosen if param.is_list else chosen[0]


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
                f"{did_you_mean(key, declared)}; its parameters are {', '.join(declared)}"
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
            converted = convert(param.type, value)
        except BadValue:
            raise ParameterError(
                f"parameter {name!r} of query {query.name!r} must be {EXPECTED[param.type]}, "
                f"got {shown(value)}"
            ) from None
        try:
            check_limits(converted, is_list=param.is_list, min=param.min, max=param.max,
                         choices=param.choices)
            if dynamic_choices is not None and name in dynamic_choices:
                converted = _among_dynamic(param, converted, dynamic_choices[name])
        except BadValue as exc:
            raise ParameterError(
                f"parameter {name!r} of query {query.name!r} {exc.detail}"
            ) from None
        out[name] = converted
    return out
