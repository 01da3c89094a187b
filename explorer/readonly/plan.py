"""The console's gate: the server decides whether a statement only reads.

Before the console runs a statement it asks Neo4j for the plan (``EXPLAIN``,
through ``Database.explain``) and refuses it unless

- the server's query type is ``r`` (read only) — ``w``, ``rw`` (writes) and
  ``s`` (schema and administration) are refused, except that a plan made only of
  allow-listed procedures may be ``s`` (``dbms.components`` runs in the DBMS's
  mode and reports ``s``);
- no operator loads a file or URL (``LoadCSV``), runs a command other than the
  schema and catalogue listings (``ShowIndexes``, ``ShowConstraints``,
  ``ShowFunctions``, ``ShowProcedures``), commits in batches
  (``CALL { } IN TRANSACTIONS``) or calls a procedure off the allow-list;
- every operator runs on the console's own database (``USE`` cannot reach
  ``system`` or another graph).

The keyword scan (explorer/readonly/guard.py) runs first, for its located
sentences: when the server refuses too — its plan or its parser — the refusal
shown is the scan's, at its line and column. When the server accepts what the
scan flagged, the server is right and the statement runs, except for namespaced
function calls, which a plan does not list (the scan's allow-list stands). The
run itself is a read transaction with a time limit and a row cap
(explorer/runner.py): a second wall, should a plan ever misjudge.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from explorer.db import Database, QueryPlan
from explorer.errors import QueryError, ReadOnlyViolation
from explorer.readonly.guard import ALLOWED_PROCEDURES, FUNCTION, find_violation, refusal
from explorer.readonly.lexer import PUNCT, WORD, CypherLexError, tokenize

__all__ = [
    "ALLOWED_COMMANDS",
    "Operator",
    "check_statement",
    "operators",
    "plan_refusal",
    "statement_to_plan",
]

# Commands that only list the schema and the callable catalogue. SHOW USERS,
# ROLES, DATABASES, SETTINGS and TRANSACTIONS expose the server's configuration and
# other people's queries; TERMINATE TRANSACTIONS stops them (and plans as a read).
ALLOWED_COMMANDS = frozenset(["ShowIndexes", "ShowConstraints", "ShowFunctions",
                              "ShowProcedures"])
# Schema commands (CreateIndex, DropConstraint, ...) plan as query type "s".
_COMMAND_PREFIXES = ("Show", "Terminate")
_BATCHED = frozenset(["TransactionApply", "TransactionForeach"])
_QUERY_TYPES = {
    "w": "writes to the database",
    "rw": "reads and writes the database",
    "s": "changes the schema or administers the server",
}


@dataclass(frozen=True)
class Operator:
    """One operator of a plan: ``ProcedureCall`` on database ``neo4j``, with the
    plan's details (``db.labels() :: (label :: STRING)``)."""

    name: str
    database: str
    details: str

    @property
    def procedure(self) -> str:
        """The called procedure's name, for a ``ProcedureCall``."""
        return self.details.split("(", 1)[0].strip().replace("`", "")


def operators(plan: Mapping[str, Any] | None) -> Iterator[Operator]:
    """Every operator of a plan tree, depth first (``operatorType`` reads
    ``ProcedureCall@neo4j``: the operator and the database it runs on)."""
    if not plan:
        return
    name, _, database = str(plan.get("operatorType", "")).partition("@")
    details = (plan.get("args") or {}).get("Details") or ""
    yield Operator(name, database, str(details))
    for child in plan.get("children") or ():
        yield from operators(child)


def plan_refusal(explained: QueryPlan, database: str) -> str | None:
    """Why the server's plan is not a read the console may run, or None."""
    ops = list(operators(explained.plan))
    # The plan names the database as the server resolved it (lower case, or the
    # real database behind an alias): compare with that, not only the setting.
    ours = {database.casefold(), (explained.database or database).casefold()}
    for op in ops:
        if op.name == "AdministrationCommand":
            return "it is an administration command (users, roles, privileges, databases)"
        if op.database and op.database.casefold() not in ours:
            return f"it runs on database {op.database!r}, not the console's {database!r}"
        if op.name == "LoadCSV":
            return "it loads a file or URL (LOAD CSV)"
        if op.name in _BATCHED:
            return "CALL { … } IN TRANSACTIONS commits in batches"
        if op.name == "ProcedureCall" and op.procedure.casefold() not in ALLOWED_PROCEDURES:
            return (f"it calls procedure {op.procedure or op.details!r}, which is not on the "
                    "console's allow-list of read-only procedures")
        if op.name.startswith(_COMMAND_PREFIXES) and op.name not in ALLOWED_COMMANDS:
            return (f"it runs the command {op.name} (only SHOW INDEXES, CONSTRAINTS, "
                    "FUNCTIONS and PROCEDURES are allowed)")
    kind = explained.query_type
    only_allowed_procedures = bool(ops) and all(
        op.name in ("ProduceResults", "ProcedureCall") for op in ops)
    if kind == "r" or (kind == "s" and only_allowed_procedures):
        return None
    described = _QUERY_TYPES.get(kind, f"is of query type {kind!r}, not a read")
    return f"the server says it {described} (query type {kind!r})"


def statement_to_plan(cypher: str) -> str:
    """``cypher`` as it can follow ``EXPLAIN``: a leading ``PROFILE`` (which runs the
    query) becomes ``EXPLAIN`` of the same length, so positions stay put."""
    try:
        tokens = tokenize(cypher)
    except CypherLexError:
        return cypher  # the server's parser reports it, with its position
    for i, token in enumerate(tokens):
        word = token.text.upper() if token.kind == WORD else ""
        if word == "PROFILE":
            end = token.pos + len(token.text)
            return f"{cypher[:token.pos]}EXPLAIN{cypher[end:]}"
        # The pre-parser's part comes first: EXPLAIN, CYPHER, a version, options such
        # as runtime=slotted. Any other token starts the statement itself.
        option = any(t.kind == PUNCT and t.text == "=" for t in tokens[max(i - 1, 0):i + 2])
        if not (word in ("EXPLAIN", "CYPHER") or word[:1].isdigit() or option):
            return cypher
    return cypher


def check_statement(db: Database, cypher: str, parameters: Mapping[str, Any] | None = None,
                    *, timeout_s: float | None = None, label: str = "console") -> None:
    """Refuse ``cypher`` unless the server's plan says it only reads (see the module's
    docstring). Raises ReadOnlyViolation (located where the scan found the cause),
    QuerySyntaxError (the server's line and column) or another QueryError."""
    found = find_violation(cypher)
    if found is not None and found.kind == FUNCTION:
        raise refusal(found)
    try:
        explained = db.explain(statement_to_plan(cypher), parameters, timeout=timeout_s,
                               label=f"{label}:explain")
    except QueryError as error:
        if found is not None:
            raise refusal(found) from error
        raise
    reason = plan_refusal(explained, db.database)
    if reason is None:
        return
    if found is not None:
        raise refusal(found)
    raise ReadOnlyViolation(f"refused by the server's plan: {reason}; the console only runs "
                            "read queries")
