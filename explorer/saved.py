"""The team's saved queries and views, kept in the graph database itself.

A team sharing one server shares what its analysts save: a console query saved
with a title, a description and parameters, or an Explore view (the page's
address: focus, filters, layout, styling rules). They live beside the facts as
``(:SavedQuery {name, text, ...})`` and ``(:SavedView {name, query, ...})``
nodes (``explorer.contract.LIBRARY_LABELS``), which no fact points at.

A saved query is stored as the whole text of a ``.cypher`` file in the
library's format (docs/queries.md), so it is validated by the same parser as
the built-in ones, runs through the same guarded runner, and exports and
imports as a file unchanged. Saving is a write path of its own, apart from the
read-only console: the text must parse, the statement must pass the console's
checks (the lexer scan and the server's ``EXPLAIN``: a query that writes is
never stored), the title must not be empty and the name must be new unless the
caller asks to replace. Anything refused writes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import neo4j
import yaml

from explorer.db import Database
from explorer.errors import QueryError, ValidationError
from explorer.queries import SavedQuery, body_parameters, parse_query_text
from explorer.readonly.plan import check_statement
from explorer.resolve import split_typed

NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_TEXT_CHARS = 100_000
"""A saved query's text limit: a generous hand-written query is a few KB."""
VIEW_PAGES = ("explore",)
"""Pages whose state a view can hold (their address says everything drawn)."""


@dataclass(frozen=True)
class StoredQuery:
    """A saved query as stored, with the parsed form (or why it no longer parses:
    a stored text is never hidden because a later version reads it differently)."""

    name: str
    text: str
    created_at: str
    updated_at: str
    query: SavedQuery | None
    problem: str | None = None


@dataclass(frozen=True)
class SavedView:
    name: str
    title: str
    description: str
    page: str
    query: str
    """The page's address parameters, ``key=value&...`` (what the link reopens)."""
    created_at: str = ""
    updated_at: str = ""

    def link(self) -> str:
        return f"/{self.page}?{self.query}" if self.query else f"/{self.page}"


def name_from_title(title: str) -> str:
    """A query name from a title: ``"Drones to Russia, 2022+"`` → ``drones_to_russia_2022``."""
    # "Russia's" is one word: apostrophes go before the split.
    words = re.findall(r"[a-z0-9]+", re.sub(r"['’]", "", title.lower()))
    name = "_".join(words)[:64].strip("_")
    return name if name[:1].isalpha() else f"q_{name}"[:64].strip("_")


def check_name(name: str, what: str = "saved query") -> str:
    if not NAME.match(name or ""):
        raise ValidationError(
            f"{what} name {name!r}: use 1–64 lower-case letters, digits and '_', "
            "starting with a letter (it becomes the file name on export)"
        )
    return name


def _check_title(title: str, what: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError(f"a {what} needs a title: say in a few words what it shows")
    if len(title) > 200:
        raise ValidationError(f"the {what}'s title is {len(title)} characters; keep it under 200")
    return title


def _scalar_type(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return None


def _param_type(name: str, value: Any) -> str:
    """The header type that gives back ``value`` from its text: a list of numbers is
    ``list[int]`` (or ``list[float]``), so ``t.year IN $years`` still matches after
    saving. A map, or a list of maps or lists, has no header type: refused."""
    if isinstance(value, (list, tuple)):
        kinds = {_scalar_type(item) for item in value}
        if None in kinds or "bool" in kinds:
            raise ValidationError(f"parameter {name!r}: a list of {_kind(value)} cannot be "
                                  "saved as a default; use a list of numbers or of text")
        if kinds == {"int"}:
            return "list[int]"
        if kinds <= {"int", "float"} and kinds:
            return "list[float]"
        return "list"
    kind = _scalar_type(value)
    if kind is None:
        raise ValidationError(f"parameter {name!r}: a {_kind(value)} cannot be saved as a "
                              "default; use a number, true/false, text or a list")
    return kind


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "map"
    if isinstance(value, (list, tuple)):
        inner = sorted({type(v).__name__ for v in value})
        return "values of type " + ", ".join(inner) if inner else "nothing"
    return type(value).__name__


def _default_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return str(value)


def render_query_text(title: str, description: str, cypher: str,
                      values: Mapping[str, Any] | None = None) -> str:
    """The ``.cypher`` text of a query saved from the console: a header with the
    title, the description and one parameter per ``$name`` the statement uses,
    typed from the value it ran with (which becomes its default; ``actor:NAME`` and
    ``weapon_system:NAME`` make an actor or weapon-system parameter; a parameter
    without a value is a required string)."""
    values = dict(values or {})
    header: dict[str, Any] = {"title": _check_title(title, "saved query")}
    if description.strip():
        header["description"] = description.strip()
    params: dict[str, Any] = {}
    for name in body_parameters(cypher):
        value = values.get(name)
        typed = split_typed(value)
        if typed is not None:  # "actor:North Korea": an actor, found by any of its names
            params[name] = {"type": typed[0], "default": typed[1]}
        elif value is not None:
            params[name] = {"type": _param_type(name, value), "default": _default_text(value)}
        else:
            params[name] = {"type": "string"}
    if params:
        header["params"] = params
    dumped = yaml.safe_dump(header, sort_keys=False, allow_unicode=True, width=88)
    lines = [f"// {line}".rstrip() for line in dumped.splitlines()]
    return "\n".join(lines) + "\n\n" + cypher.strip() + "\n"


# --------------------------------------------------------------------------- queries


def validate_query(db: Database, name: str, text: str) -> SavedQuery:
    """Parse ``text`` as the library does and have the server confirm it only reads.
    Raises ValidationError/QueryError (ReadOnlyViolation for a write)."""
    check_name(name)
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(f"saved query {name!r} is {len(text):,} characters; "
                              f"the limit is {MAX_TEXT_CHARS:,}")
    # The server's plan decides what is read-only (as in the console), not the scan alone.
    parsed = parse_query_text(text, name, f"saved query {name}", scan=False)
    _check_title(parsed.title, "saved query")
    check_statement(db, parsed.cypher, label=f"saved:{name}")
    return parsed


def save_query(db: Database, name: str, text: str, *, replace: bool = False,
               builtin: Iterable[str] = ()) -> SavedQuery:
    """Store a query after ``validate_query``. A name taken by a built-in query is
    refused; one taken by a saved query is refused unless ``replace``."""
    if name in set(builtin):
        raise ValidationError(f"a built-in query is already called {name!r}: choose another "
                              "name")
    parsed = validate_query(db, name, text)
    now = _now()

    def write(tx: neo4j.ManagedTransaction) -> bool:
        found = tx.run("MATCH (q:SavedQuery {name: $name}) RETURN q.name AS name",
                       name=name).single()
        if found is not None and not replace:
            return False
        tx.run("MERGE (q:SavedQuery {name: $name}) "
               "ON CREATE SET q.created_at = $now "
               "SET q.text = $text, q.title = $title, q.updated_at = $now",
               name=name, text=text, title=parsed.title, now=now).consume()
        return True

    if not db.write(write, label="saved:save-query"):
        raise ValidationError(f"a saved query named {name!r} already exists: choose another "
                              "name, or replace it")
    return parsed


def saved_queries(db: Database) -> list[StoredQuery]:
    """Every saved query, by name, each parsed (or with the reason it does not parse)."""
    rows = db.read(lambda tx: tx.run(
        "MATCH (q:SavedQuery) RETURN q.name AS name, q.text AS text, "
        "q.created_at AS created_at, q.updated_at AS updated_at ORDER BY name").data(),
        label="saved:list-queries")
    out = []
    for row in rows:
        try:
            parsed: SavedQuery | None = parse_query_text(
                row["text"] or "", row["name"], f"saved query {row['name']}", scan=False)
            problem = None
        except QueryError as error:
            parsed, problem = None, str(error)
        out.append(StoredQuery(row["name"], row["text"] or "", row["created_at"] or "",
                               row["updated_at"] or "", parsed, problem))
    return out


def query_text(db: Database, name: str) -> str:
    """A saved query's ``.cypher`` text, as it exports."""
    row = db.read(lambda tx: tx.run("MATCH (q:SavedQuery {name: $name}) RETURN q.text AS text",
                                    name=name).single(), label="saved:get-query")
    if row is None:
        raise ValidationError(f"no saved query is called {name!r} ('explorer saved list' "
                              "lists them)")
    return str(row["text"])


# --------------------------------------------------------------------------- views


def view_query(params: Mapping[str, Any]) -> str:
    """A page's address parameters as the stored query string (sorted: the same
    view always gives the same link)."""
    pairs: list[tuple[str, str]] = []
    for key in sorted(params):
        value = params[key]
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if item is not None and str(item) != "":
                pairs.append((str(key), str(item)))
    return urlencode(pairs)


def save_view(db: Database, view: SavedView, *, replace: bool = False) -> SavedView:
    check_name(view.name, "saved view")
    title = _check_title(view.title, "saved view")
    if view.page not in VIEW_PAGES:
        raise ValidationError(f"saved view {view.name!r}: page {view.page!r} cannot be saved "
                              f"(pages with views: {', '.join(VIEW_PAGES)})")
    try:
        parse_qsl(view.query, strict_parsing=bool(view.query))
    except ValueError:
        raise ValidationError(f"saved view {view.name!r}: {view.query!r} is not a page "
                              "address's parameters (key=value&...)") from None
    now = _now()

    def write(tx: neo4j.ManagedTransaction) -> bool:
        found = tx.run("MATCH (v:SavedView {name: $name}) RETURN v.name AS name",
                       name=view.name).single()
        if found is not None and not replace:
            return False
        tx.run("MERGE (v:SavedView {name: $name}) "
               "ON CREATE SET v.created_at = $now "
               "SET v.title = $title, v.description = $description, v.page = $page, "
               "    v.query = $query, v.updated_at = $now",
               {"name": view.name, "title": title, "description": view.description.strip(),
                "page": view.page, "query": view.query, "now": now}).consume()
        return True

    if not db.write(write, label="saved:save-view"):
        raise ValidationError(f"a saved view named {view.name!r} already exists: choose "
                              "another name, or replace it")
    return SavedView(view.name, title, view.description.strip(), view.page, view.query, now, now)


def saved_views(db: Database) -> list[SavedView]:
    rows = db.read(lambda tx: tx.run(
        "MATCH (v:SavedView) RETURN v.name AS name, v.title AS title, "
        "v.description AS description, v.page AS page, v.query AS query, "
        "v.created_at AS created_at, v.updated_at AS updated_at ORDER BY name").data(),
        label="saved:list-views")
    return [SavedView(r["name"], r["title"] or r["name"], r["description"] or "",
                      r["page"] or "explore", r["query"] or "", r["created_at"] or "",
                      r["updated_at"] or "") for r in rows]


# --------------------------------------------------------------------------- both


def delete(db: Database, kind: str, name: str) -> bool:
    """Delete a saved ``query`` or ``view``; False when there was none of that name."""
    label = {"query": "SavedQuery", "view": "SavedView"}.get(kind)
    if label is None:
        raise ValidationError(f"unknown kind {kind!r}: query or view")

    def work(tx: neo4j.ManagedTransaction) -> int:
        # The label comes from the fixed table above, never from the caller's text.
        summary = tx.run(f"MATCH (n:{label} {{name: $name}}) DELETE n", name=name).consume()
        return summary.counters.nodes_deleted

    return db.write(work, label=f"saved:delete-{kind}") > 0


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
