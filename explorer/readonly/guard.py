"""The console's early check: a keyword scan that names what it refuses, and where.

The server has the last word (explorer/readonly/plan.py: ``EXPLAIN`` must say the
query only reads, and its plan must hold no file loader, command or procedure
off the allow-list); the run itself is a read transaction. This scan runs first
so that a refusal reads as a located sentence ("refused at line 3, column 5:
DELETE writes to the database") instead of an operator name, and so that saved
queries are checked when they load, with no server at hand. Namespaced function
calls are the one thing only this scan judges: a plan does not list the
functions a query calls (docs/queries.md, "The console's safety model").

How it works: the text is split into tokens (explorer/readonly/lexer.py), then
keywords are matched as whole tokens at positions where they can be keywords:
not after a ``.`` (property keys such as ``n.set``), not after a ``:`` (labels
and relationship types such as ``:Settings``), not after ``AS`` (aliases), not
before a ``:`` (map keys such as ``{delete: true}``).

Neo4j 5 decodes Java-style ``\\uXXXX`` escapes anywhere in a query
(``M\\u0041TCH`` is ``MATCH``), so a query is checked twice when it contains
such escapes: once as written and once decoded. It is refused if either reading
finds a write, so an escape cannot move the end of a string or comment.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from explorer.errors import ReadOnlyViolation
from explorer.readonly.lexer import (
    NAME,
    PUNCT,
    WORD,
    CypherLexError,
    Token,
    decode_unicode_escapes,
    line_col,
    tokenize,
)

__all__ = [
    "ALLOWED_FUNCTIONS",
    "ALLOWED_FUNCTION_NAMESPACES",
    "ALLOWED_PROCEDURES",
    "FUNCTION",
    "STATEMENT",
    "Violation",
    "check_read_only",
    "find_violation",
    "is_read_only",
    "refusal",
]

# Read-only procedures an analyst needs to explore the schema and search.
# `db.indexes` is absent on purpose: Neo4j 5 removed it (use SHOW INDEXES).
# `dbms.components` only reports the product name, version and edition, which
# helps a bug report and reveals nothing about the data or the users.
ALLOWED_PROCEDURES = frozenset(
    name.casefold()
    for name in (
        "db.labels",
        "db.relationshipTypes",
        "db.propertyKeys",
        "db.schema.visualization",
        "db.schema.nodeTypeProperties",
        "db.schema.relTypeProperties",
        "db.index.fulltext.queryNodes",
        "db.index.fulltext.queryRelationships",
        "dbms.components",
    )
)

# Built-in namespaced functions are pure; anything else with a namespace is a
# plugin (APOC, GDS, a custom jar) that may read files, fetch URLs or run Cypher.
ALLOWED_FUNCTION_NAMESPACES = frozenset(
    [
        "date",
        "datetime",
        "localdatetime",
        "time",
        "localtime",
        "duration",
        "point",
        "vector",
        "vector.similarity",
    ]
)
ALLOWED_FUNCTIONS = frozenset(
    name.casefold()
    for name in (
        "db.nameFromElementId",
        "graph.names",
        "graph.propertiesByName",
    )
)

# The kinds of finding: a namespaced function call, which only this scan judges
# (see the module's docstring), and everything else, which the server's plan judges too.
FUNCTION = "function"
STATEMENT = "statement"


@dataclass(frozen=True)
class Violation:
    """Why the scan refuses a query, and where (1-based line and column); ``kind``
    is ``FUNCTION`` or ``STATEMENT``."""

    message: str
    line: int
    column: int
    kind: str = STATEMENT


# Hard keywords: writing clauses, refused wherever they can be keywords.
_WRITE_CLAUSES = {
    "CREATE": "CREATE",
    "MERGE": "MERGE",
    "SET": "SET",
    "REMOVE": "REMOVE",
    "DELETE": "DELETE",
    "DETACH": "DETACH DELETE",
    "NODETACH": "NODETACH DELETE",
    "FOREACH": "FOREACH",
    "INSERT": "INSERT",
}
# Named in the message, so that "CREATE INDEX" reads as what it is.
_SCHEMA_NOUNS = ("INDEX", "CONSTRAINT", "USER", "ROLE", "DATABASE", "COMPOSITE", "ALIAS", "OR")
# Administration verbs; each is followed by a noun (DROP INDEX, GRANT ROLE, ...),
# so a following word means a command, while `RETURN drop` stays a variable.
_ADMIN_VERBS = frozenset(
    [
        "DROP",
        "ALTER",
        "GRANT",
        "DENY",
        "REVOKE",
        "RENAME",
        "TERMINATE",
        "ENABLE",
        "DEALLOCATE",
        "REALLOCATE",
        "DRYRUN",
    ]
)
# Words that can follow an expression, so the word before them was a variable.
_OPERATOR_WORDS = frozenset(
    [
        "AS",
        "AND",
        "OR",
        "XOR",
        "IS",
        "IN",
        "CONTAINS",
        "STARTS",
        "ENDS",
        "ASC",
        "DESC",
        "ASCENDING",
        "DESCENDING",
        "THEN",
        "ELSE",
        "END",
        "WHEN",
    ]
)
_CLAUSE_WORDS = frozenset(
    [
        "WHERE",
        "ORDER",
        "LIMIT",
        "SKIP",
        "OFFSET",
        "UNION",
        "RETURN",
        "WITH",
        "MATCH",
        "OPTIONAL",
        "UNWIND",
        "CALL",
        "YIELD",
        "FINISH",
    ]
)
# SHOW is read-only, but only the schema and catalogue listings are harmless:
# SHOW USERS/ROLES/PRIVILEGES/DATABASES/SERVERS/SETTINGS/TRANSACTIONS expose the
# server's configuration and other people's queries.
_SHOW_ALLOWED = frozenset(
    [
        "INDEX",
        "INDEXES",
        "CONSTRAINT",
        "CONSTRAINTS",
        "FUNCTION",
        "FUNCTIONS",
        "PROCEDURE",
        "PROCEDURES",
    ]
)
_SHOW_MODIFIERS = frozenset(
    [
        "ALL",
        "RANGE",
        "TEXT",
        "POINT",
        "LOOKUP",
        "FULLTEXT",
        "VECTOR",
        "BTREE",
        "UNIQUE",
        "EXIST",
        "EXISTENCE",
        "NODE",
        "RELATIONSHIP",
        "REL",
        "KEY",
        "PROPERTY",
        "UNIQUENESS",
        "TYPE",
        "BUILT",
        "IN",
        "USER",
        "DEFINED",
    ]
)


def _keyword_forms(text: str) -> set[str]:
    """Upper-case readings of a word, wide enough for case-insensitive keyword matching
    tricks: ``ſet`` upper-cases to ``SET``, the Kelvin sign lower-cases to ``k``, and
    invisible format characters are dropped."""
    base = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    nfkc = unicodedata.normalize("NFKC", base)
    return {base.upper(), base.lower().upper(), nfkc.upper(), nfkc.lower().upper()}


class _Scanner:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.forms = [_keyword_forms(t.text) if t.kind == WORD else set() for t in tokens]
        self.is_label = self._mark_labels()
        self.keyword_at = self._mark_keyword_positions()

    def tok(self, i: int) -> Token | None:
        return self.tokens[i] if 0 <= i < len(self.tokens) else None

    def punct(self, i: int, chars: str) -> bool:
        t = self.tok(i)
        return t is not None and t.kind == PUNCT and t.text in chars

    def word(self, i: int, *words: str) -> bool:
        t = self.tok(i)
        return t is not None and t.kind == WORD and bool(self.forms[i] & set(words))

    def at_keyword_position(self, i: int) -> bool:
        """True when word ``i`` sits where Cypher could read it as a keyword."""
        return 0 <= i < len(self.keyword_at) and self.keyword_at[i]

    def _mark_keyword_positions(self) -> list[bool]:
        marks: list[bool] = []
        for i, t in enumerate(self.tokens):
            if t.kind != WORD or self.is_label[i]:
                marks.append(False)
                continue
            if self.punct(i - 1, ".") and not self.punct(i - 2, "."):
                before = self.tok(i - 2)
                # After `1.` the word is not a property key: a number has no properties.
                if not (before is not None and before.kind == WORD and before.text[:1].isdigit()):
                    marks.append(False)
                    continue
            # An alias follows AS, but only the keyword AS: in `WHERE n.AS CREATE (m)`
            # the AS is a property key and CREATE a clause.
            if self.word(i - 1, "AS") and marks[i - 1]:
                marks.append(False)
                continue
            # A word before `:` is a map key or a variable with a label: `{set: 1}`, `(set:X)`.
            marks.append(not self.punct(i + 1, ":"))
        return marks

    def _mark_labels(self) -> list[bool]:
        # Label expressions: `:A`, `:A|B`, `:A&!B`, `:%`. A name after `:` or after a
        # label operator that follows a label is a label, never a keyword.
        marks = [False] * len(self.tokens)
        expecting = False
        for i, t in enumerate(self.tokens):
            if t.kind == PUNCT and t.text == ":":
                expecting = True
            elif t.kind in (WORD, NAME) and expecting:
                marks[i] = True
                expecting = False
            elif t.kind == PUNCT and t.text == "%" and expecting:
                expecting = False
                marks[i] = True
            elif (
                t.kind == PUNCT
                and t.text in "|&!"
                and i > 0
                and (marks[i - 1] or (expecting and self.tokens[i - 1].kind == PUNCT))
            ):
                expecting = True
            else:
                expecting = False
        return marks

    def dotted_name(self, i: int) -> tuple[str, int]:
        """Read `a.b.c` (parts may be backticked) from ``i``; returns the name and the
        index after it, or ("", i) when there is no name there."""
        parts: list[str] = []
        j = i
        t = self.tok(j)
        if t is None or t.kind not in (WORD, NAME):
            return "", i
        parts.append(t.text)
        j += 1
        while (
            self.punct(j, ".")
            and (nxt := self.tok(j + 1)) is not None
            and nxt.kind
            in (
                WORD,
                NAME,
            )
        ):
            parts.append(nxt.text)
            j += 2
        return ".".join(parts), j

    def is_command_follower(self, i: int, allow_clauses: bool) -> bool:
        """True when token ``i`` makes the word before it a command verb rather than
        a variable: a name follows that is not an operator (or a clause word)."""
        t = self.tok(i)
        if t is None:
            return False
        if t.kind == NAME:
            return True
        if t.kind != WORD:
            return False
        stops = _OPERATOR_WORDS | _CLAUSE_WORDS if allow_clauses else _OPERATOR_WORDS
        return not (self.forms[i] & stops)

    def scan(self) -> tuple[str, int] | tuple[str, int, str] | None:
        i = 0
        n = len(self.tokens)
        while i < n:
            found = self.check(i)
            if isinstance(found, int):
                i = found
                continue
            if found is not None:
                return found
            i += 1
        for i, t in enumerate(self.tokens):
            if t.kind == PUNCT and t.text == ";" and i + 1 < n:
                return (
                    "more than one statement: the console runs one statement at a time, "
                    "so remove what follows ';'",
                    t.pos,
                )
        return None

    def next_word_text(self, i: int) -> str:
        t = self.tok(i)
        return f" {t.text.upper()}" if t is not None and t.kind == WORD else ""

    def check(self, i: int) -> tuple[str, int] | tuple[str, int, str] | int | None:
        """A (message, pos[, kind]) violation at ``i``, or the index to resume at, or None."""
        t = self.tokens[i]
        if self.at_keyword_position(i):
            forms = self.forms[i]
            for word, shown in _WRITE_CLAUSES.items():
                if word in forms:
                    if word == "CREATE" and self.word(i + 1, *_SCHEMA_NOUNS):
                        shown += self.next_word_text(i + 1)
                    return f"{shown} writes to the database", t.pos
            if forms & _ADMIN_VERBS and self.is_command_follower(i + 1, allow_clauses=False):
                verb = sorted(forms & _ADMIN_VERBS)[0]
                return f"{verb}{self.next_word_text(i + 1)} is an administration command", t.pos
            if "LOAD" in forms and self.word(i + 1, "CSV"):
                return "LOAD CSV reads files and URLs from the server", t.pos
            if forms & {"START", "STOP"} and self.word(i + 1, "DATABASE", "DATABASES"):
                verb = sorted(forms & {"START", "STOP"})[0]
                return f"{verb} DATABASE is an administration command", t.pos
            if "USE" in forms and self.is_command_follower(i + 1, allow_clauses=True):
                return "USE switches to another database", t.pos
            if "SHOW" in forms and self.is_command_follower(i + 1, allow_clauses=True):
                j = i + 1
                while self.word(j, *_SHOW_MODIFIERS) and not self.word(j, *_SHOW_ALLOWED):
                    j += 1
                if not self.word(j, *_SHOW_ALLOWED):
                    shown = " ".join(tok.text.upper() for tok in self.tokens[i : j + 1])
                    return (
                        f"{shown} is not allowed (only SHOW INDEXES, CONSTRAINTS, "
                        "FUNCTIONS and PROCEDURES are)",
                        t.pos,
                    )
            if forms & {"TRANSACTION", "TRANSACTIONS"} and self.word(i - 1, "IN", "CONCURRENT"):
                return "CALL { … } IN TRANSACTIONS commits writes in batches", t.pos
            if "PERIODIC" in forms and self.word(i - 1, "USING"):
                return "USING PERIODIC COMMIT is a batched write", t.pos
            if (
                "CALL" in forms
                and not self.punct(i + 1, "{(")
                and self.is_command_follower(i + 1, allow_clauses=False)
            ):
                name, after = self.dotted_name(i + 1)
                if name:
                    if name.casefold() not in ALLOWED_PROCEDURES:
                        return (
                            f"procedure {name} is not on the console's allow-list of "
                            "read-only procedures",
                            self.tokens[i + 1].pos,
                        )
                    return after
        if t.kind in (WORD, NAME) and not self.punct(i - 1, ".") and not t.text[:1].isdigit():
            name, after = self.dotted_name(i)
            # `a.b(` is a namespaced function call; so may be `` `a.b`( ``, since the
            # server could resolve a backticked dotted name to the same function.
            if "." in name and self.punct(after, "("):
                namespace, _, _ = name.rpartition(".")
                folded = name.casefold()
                if folded not in ALLOWED_FUNCTIONS and namespace.casefold() not in (
                    ALLOWED_FUNCTION_NAMESPACES
                ):
                    return (
                        f"function {name} is not allowed: the console only calls built-in "
                        "functions",
                        t.pos,
                        FUNCTION,
                    )
                return after
        return None


def _violation_in(text: str, decoded: bool) -> Violation | None:
    try:
        tokens = tokenize(text)
    except CypherLexError as exc:
        line, col = line_col(text, exc.pos)
        if decoded:
            message = (
                f"a \\u escape changes where a string, name or comment ends ({exc.message} "
                "once escapes are decoded); write the character itself"
            )
        else:
            message = f"the query cannot be checked: {exc.message}"
        return Violation(message, line, col, STATEMENT)
    found = _Scanner(tokens).scan()
    if found is None:
        return None
    message, pos, *kind = found
    line, col = line_col(text, pos)
    return Violation(message, line, col, kind[0] if kind else STATEMENT)


def find_violation(cypher: str) -> Violation | None:
    """The first reason to refuse ``cypher``, or None when it is a read query."""
    found = _violation_in(cypher, decoded=False)
    if found is not None:
        return found
    decoded = decode_unicode_escapes(cypher)
    if decoded != cypher:
        return _violation_in(decoded, decoded=True)
    return None


def check_read_only(cypher: str) -> None:
    """Raise ``ReadOnlyViolation`` unless ``cypher`` is a single read-only statement.

    ``check_read_only("MATCH (a:Actor) WHERE a.name CONTAINS 'set' RETURN a")`` passes;
    ``check_read_only("MATCH (n) DETACH DELETE n")`` raises "refused at line 1,
    column 11: DETACH DELETE writes to the database; the console only runs read
    queries".
    """
    found = find_violation(cypher)
    if found is not None:
        raise refusal(found)


def refusal(found: Violation) -> ReadOnlyViolation:
    """The console's one-line refusal for ``found``, with its line and column."""
    return ReadOnlyViolation(
        f"refused at line {found.line}, column {found.column}: {found.message}; "
        "the console only runs read queries",
        line=found.line, column=found.column,
    )


def is_read_only(cypher: str) -> bool:
    """True when ``check_read_only`` would accept ``cypher``."""
    return find_violation(cypher) is None
