"""The one place that opens Neo4j drivers and sessions.

Work goes into functions passed to :meth:`Database.read` / :meth:`Database.write`
(the driver may retry them, so they must be idempotent and return plain values
consumed inside the transaction). Every error the driver or the server raises
comes out of :func:`translate_error` as one of the project's errors, one
sentence with the fix; only programming errors pass through.

Time limits hold on the client too: connecting and taking a pooled connection
(checked for liveness when it sat idle) are bounded, and a call given a
``timeout`` returns within that limit plus ``CLIENT_GRACE_S`` even when the
server is hung or too busy to enforce its own limit.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import neo4j
from neo4j import exceptions as neo4j_errors

from explorer.config import Settings, load_settings
from explorer.errors import (
    DatabaseUnavailable,
    ExplorerError,
    LoginRefused,
    QueryError,
    QuerySyntaxError,
    QueryTimeout,
    QueryTooLarge,
    ServerError,
)

T = TypeVar("T")

_CONNECT_TIMEOUT_S = 5.0
# Taking a connection from the pool, a liveness check of an idle one included: a hung
# server fails here in seconds (the driver's default is 60 s, then a retry).
_ACQUIRE_TIMEOUT_S = 10.0
# A pooled connection idle this long is checked (a RESET round trip) before reuse.
_LIVENESS_CHECK_S = 30.0
# How long past a call's own time limit the client waits before giving up on the server.
CLIENT_GRACE_S = 3.0
# Bound on ping() and database_status(), which have no caller's limit.
PROBE_TIMEOUT_S = 5.0

_TIMEOUT_CODES = (
    "Neo.ClientError.Transaction.TransactionTimedOut",
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    "Neo.TransientError.Transaction.LockClientStopped",
)


# EXPLAIN on a line of its own: an error's line numbers are then one more than the
# statement's and its columns the statement's own (the offset says exactly where).
_EXPLAIN_PREFIX = "EXPLAIN\n"
_POSITION = re.compile(r"\s*\(line (\d+), column (\d+) \(offset: (\d+)\)\)")
_SYNTAX_CODE = "Neo.ClientError.Statement.SyntaxError"
# What an editor offers to complete: each kind and the procedure that lists it.
_SCHEMA_NAMES = {
    "labels": "CALL db.labels() YIELD label AS name RETURN name",
    "relationship_types": "CALL db.relationshipTypes() YIELD relationshipType AS name "
                          "RETURN name",
    "property_keys": "CALL db.propertyKeys() YIELD propertyKey AS name RETURN name",
}


@dataclass(frozen=True)
class QueryPlan:
    """What the server says about a statement without running it (``EXPLAIN``):
    its query type ("r", "w", "rw" or "s"), the database it planned on, and the
    plan tree as the driver gives it (``operatorType``, ``args``, ``children``)."""

    query_type: str
    database: str | None
    plan: dict[str, Any] | None


def unreachable_message(settings: Settings) -> str:
    return (
        f"cannot reach Neo4j at {settings.uri} — run 'explorer db start' or set NEO4J_URI"
    )


class Database:
    """A driver plus the database name, with read/write transaction helpers."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        auth = (self.settings.username, self.settings.password or "")
        try:
            self.driver = neo4j.GraphDatabase.driver(
                self.settings.uri,
                auth=auth,
                connection_timeout=_CONNECT_TIMEOUT_S,
                connection_acquisition_timeout=_ACQUIRE_TIMEOUT_S,
                liveness_check_timeout=_LIVENESS_CHECK_S,
                # A down server should fail in seconds, not after the default 30 s of retries.
                max_transaction_retry_time=2.0,
                user_agent="arms-transfer-explorer",
            )
        except (ValueError, neo4j_errors.ConfigurationError) as error:
            raise DatabaseUnavailable(
                f"NEO4J_URI {self.settings.uri!r} is not a Neo4j URI ({error}) — "
                "use e.g. bolt://127.0.0.1:7687 or neo4j+s://xxxx.databases.neo4j.io"
            ) from error

    @property
    def uri(self) -> str:
        return self.settings.uri

    @property
    def database(self) -> str:
        return self.settings.database

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self, work: Callable[[neo4j.ManagedTransaction], T], **kwargs: Any) -> T:
        """Run ``work(tx)`` in a read transaction: the server itself refuses writes."""
        return self._execute("read", work, **kwargs)

    def write(self, work: Callable[[neo4j.ManagedTransaction], T], **kwargs: Any) -> T:
        """Run ``work(tx)`` in one write transaction: all of it lands or none of it."""
        return self._execute("write", work, **kwargs)

    def _execute(
        self,
        mode: str,
        work: Callable[..., T],
        *,
        database: str | None = None,
        timeout: float | None = None,
        label: str | None = None,
    ) -> T:
        if timeout is not None or label is not None:
            metadata = {"app": "arms-transfer-explorer", "label": label or work.__name__}
            work = neo4j.unit_of_work(timeout=timeout, metadata=metadata)(work)
        name = database or self.database

        def run() -> T:
            with self.driver.session(database=name) as session:
                if mode == "read":
                    return session.execute_read(work)
                return session.execute_write(work)

        try:
            if timeout is None:
                return run()
            return _within(run, timeout + CLIENT_GRACE_S)
        except _NoAnswer as no_answer:
            raise QueryTimeout(
                f"no answer from Neo4j at {self.uri} within {no_answer.limit:g} s (the "
                f"{timeout:g} s time limit plus {CLIENT_GRACE_S:g} s), so the client gave up — "
                "narrow the query, or if small queries stall too the server is overloaded or "
                "hung: check 'explorer db status'"
            ) from None
        except Exception as error:
            raise translate_error(error, self.settings, timeout, name) from error

    def explain(self, cypher: str, parameters: Mapping[str, Any] | None = None, *,
                timeout: float | None = None, label: str = "explain") -> QueryPlan:
        """Plan ``cypher`` on the server without running it (``EXPLAIN``, in a read
        transaction). A statement the server cannot parse raises QuerySyntaxError
        naming the line and column in ``cypher`` itself."""
        statement = _EXPLAIN_PREFIX + cypher
        params = dict(parameters or {})

        def plan(tx: neo4j.ManagedTransaction) -> QueryPlan:
            summary = tx.run(statement, params).consume()
            return QueryPlan(summary.query_type or "", summary.database, summary.plan)

        try:
            return self.read(plan, timeout=timeout, label=label)
        except QueryError as error:
            cause = error.__cause__
            if isinstance(cause, neo4j_errors.Neo4jError) and cause.code == _SYNTAX_CODE:
                raise syntax_error(cypher, cause, len(_EXPLAIN_PREFIX)) from cause
            raise

    def schema_names(self, timeout: float = PROBE_TIMEOUT_S) -> dict[str, list[str]]:
        """The graph's labels, relationship types and property keys, each sorted
        (``db.labels()``, ``db.relationshipTypes()``, ``db.propertyKeys()``)."""

        def names(tx: neo4j.ManagedTransaction) -> dict[str, list[str]]:
            return {kind: sorted(str(record["name"]) for record in tx.run(query))
                    for kind, query in _SCHEMA_NAMES.items()}

        return self.read(names, timeout=timeout, label="schema-names")

    def ping(self, database: str | None = None,
             timeout: float = PROBE_TIMEOUT_S) -> dict[str, str]:
        """Server version and edition, read on ``database`` (default: the graph
        database, so an offline one fails here); raises DatabaseUnavailable when the
        server does not answer within about ``timeout`` seconds."""

        def components(tx: neo4j.ManagedTransaction) -> dict[str, str]:
            record = tx.run(
                "CALL dbms.components() YIELD name, versions, edition "
                "RETURN versions[0] AS version, edition"
            ).single()
            return {"version": record["version"], "edition": record["edition"]}

        try:
            # Fails in one try when nothing listens, instead of retrying like a transaction.
            _within(self.driver.verify_connectivity, timeout + CLIENT_GRACE_S)
        except _NoAnswer:
            raise DatabaseUnavailable(_hung_message(self.settings, timeout)) from None
        except Exception as error:
            raise translate_error(error, self.settings, None, database) from error
        try:
            return self.read(components, database=database, timeout=timeout, label="ping")
        except QueryTimeout as error:
            raise DatabaseUnavailable(_hung_message(self.settings, timeout)) from error

    def database_status(self, name: str | None = None,
                        timeout: float = PROBE_TIMEOUT_S) -> tuple[str, str]:
        """``(currentStatus, statusMessage)`` of a database from SHOW DATABASE on the
        system database, e.g. ("online", "") or ("offline", "An error occurred! ...")."""
        name = name or self.database

        def show(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            return tx.run("SHOW DATABASE $name YIELD currentStatus, statusMessage",
                          name=name).data()

        try:
            rows = self.read(show, database="system", timeout=timeout, label="status")
        except QueryTimeout as error:
            raise DatabaseUnavailable(_hung_message(self.settings, timeout)) from error
        if not rows:
            return "absent", f"the server has no database {name!r}"
        bad = [row for row in rows if row["currentStatus"] != "online"]
        row = bad[0] if bad else rows[0]
        return str(row["currentStatus"]), str(row["statusMessage"] or "")


class _NoAnswer(Exception):
    def __init__(self, limit: float) -> None:
        super().__init__(limit)
        self.limit = limit


def _within(call: Callable[[], T], limit: float) -> T:
    """``call()`` in a daemon thread, waiting at most ``limit`` seconds for it.

    The driver has no client-side limit on reading a result (only the server's own
    transaction timeout and its keep-alive hint, 120 s by default), so a hung server
    would hold the caller for minutes. Past ``limit`` the call is abandoned: its
    thread ends when the server answers or the connection drops."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:  # handed to the caller below
            outcome["error"] = error

    thread = threading.Thread(target=target, name="neo4j-call", daemon=True)
    thread.start()
    thread.join(limit)
    if thread.is_alive():
        raise _NoAnswer(limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _hung_message(settings: Settings, timeout: float) -> str:
    return (f"Neo4j at {settings.uri} accepts connections but gave no answer within "
            f"{timeout + CLIENT_GRACE_S:g} s — it is overloaded or hung: check the server "
            "(for the local one 'explorer db status', its log under .localdb/logs)")


def _server_message(error: Exception) -> str:
    """The server's own sentence, first line only, bounded."""
    text = (getattr(error, "message", None) or str(error) or type(error).__name__).strip()
    line = text.splitlines()[0] if text else type(error).__name__
    return line if len(line) <= 240 else line[:239] + "…"


def syntax_error(cypher: str, error: Exception, shift: int = 0) -> QuerySyntaxError:
    """The server's syntax error as one sentence at a line and column of ``cypher``
    (``shift``: how many characters were sent before ``cypher``)."""
    first = (getattr(error, "message", None) or str(error)).strip().splitlines()[0]
    found = _POSITION.search(first)
    line = column = None
    if found:
        pos = min(max(int(found[3]) - shift, 0), len(cypher))
        line = cypher.count("\n", 0, pos) + 1
        column = pos - (cypher.rfind("\n", 0, pos) + 1) + 1
        first = first[:found.start()] + first[found.end():]
    # "Invalid input 'RETRUN': expected a graph pattern, 'FOREACH', ... (28 more)"
    head, marker, alternatives = first.partition(": expected ")
    choices = alternatives.split(", ")
    if marker and len(choices) > 8:
        first = f"{head}{marker}{', '.join(choices[:6])}, …"
    where = f" at line {line}, column {column}" if line is not None else ""
    return QuerySyntaxError(f"Neo4j cannot read the query{where}: {first.strip().rstrip('.')}",
                            line=line, column=column)


def translate_error(error: Exception, settings: Settings, timeout: float | None,
                    database: str | None = None) -> Exception:
    """Map every driver and server exception to the project's one-sentence errors with
    the fix. Only exceptions that are neither (programming errors) pass through."""
    if isinstance(error, ExplorerError):
        return error
    database = database or settings.database
    code = str(getattr(error, "code", None) or "")
    message = _server_message(error)
    if isinstance(error, neo4j_errors.AuthError) and settings.password is None:
        return LoginRefused(
            f"Neo4j at {settings.uri} refused the login: no password is known (from "
            f"{settings.credentials_from}) — set NEO4J_PASSWORD, or for the local server run "
            "'explorer db status', which names a damaged credentials file"
        )
    if isinstance(error, neo4j_errors.AuthError):
        return LoginRefused(
            f"Neo4j at {settings.uri} refused the login for user {settings.username!r} — "
            "check NEO4J_USERNAME/NEO4J_PASSWORD (or unset them to use the local server's "
            "credentials)"
        )
    if code == "Neo.ClientError.Security.AuthenticationRateLimit":
        return LoginRefused(
            f"Neo4j at {settings.uri} is refusing logins for user {settings.username!r} after "
            "too many wrong passwords — wait a few seconds and check NEO4J_PASSWORD (the "
            "local server's password: 'explorer db set-password', docs/reliability.md)"
        )
    if isinstance(error, neo4j_errors.ConnectionAcquisitionTimeoutError):
        return DatabaseUnavailable(
            f"Neo4j at {settings.uri} gave no connection within {_ACQUIRE_TIMEOUT_S:g} s — it "
            "is overloaded or hung: check the server (for the local one 'explorer db status')"
        )
    if isinstance(error, (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError)):
        lowered = str(error).lower()
        if "handshake" in lowered or "timed out" in lowered:
            return DatabaseUnavailable(
                f"Neo4j at {settings.uri} accepts connections but does not answer — it is "
                "overloaded or hung: check the server (for the local one 'explorer db status')"
            )
        return DatabaseUnavailable(unreachable_message(settings))
    if isinstance(error, neo4j_errors.Neo4jError):
        if code in _TIMEOUT_CODES or "TransactionTimedOut" in code:
            limit = f"{timeout:g} s" if timeout else "its"
            return QueryTimeout(
                f"the query ran past {limit} time limit and was stopped — "
                "narrow it (a LIMIT, fewer hops) or raise the limit"
            )
        if code.startswith("Neo.ClientError.Database.DatabaseNotFound"):
            return DatabaseUnavailable(
                f"Neo4j at {settings.uri} has no database {database!r} — "
                "check NEO4J_DATABASE"
            )
        if (isinstance(error, neo4j_errors.DatabaseUnavailable)
                or code == "Neo.TransientError.General.DatabaseUnavailable"):
            return DatabaseUnavailable(
                f"the database {database!r} on {settings.uri} is not online — for the local "
                "server run 'explorer db status' (it names the cause; a damaged store needs a "
                "restore from backup or 'explorer db reset'), otherwise see the server's log"
            )
        if "Memory" in code:
            return QueryTooLarge(
                f"the query needed more memory than Neo4j allows one query ({message}) — "
                "return less (a LIMIT, fewer or smaller collect() lists) or split the work"
            )
        if "too large to index" in message.lower():
            return QueryTooLarge(
                "a property value is too large for its index (Neo4j indexes values up to "
                f"about 8 KB; {message}) — shorten the value"
            )
        if code.startswith("Neo.ClientError"):
            return QueryError(f"Neo4j refused the query: {message}")
        if code.startswith("Neo.TransientError"):
            return ServerError(
                f"Neo4j at {settings.uri} could not do it right now ({code}: {message}) — "
                "try again in a moment"
            )
        return ServerError(
            f"Neo4j at {settings.uri} failed ({code or type(error).__name__}: {message}) — "
            "see the server's log (for the local one .localdb/logs/neo4j.log); restart it "
            "if this repeats"
        )
    if isinstance(error, neo4j_errors.DriverError):
        if "defunct" in str(error).lower():
            return DatabaseUnavailable(unreachable_message(settings))
        return ServerError(f"the Neo4j driver failed talking to {settings.uri}: {message}")
    return error


_shared: dict[tuple[str, str, str | None, str], Database] = {}


def get_database(settings: Settings | None = None) -> Database:
    """One Database (one driver) per process and settings, as the driver wants."""
    settings = settings or load_settings()
    key = (settings.uri, settings.username, settings.password, settings.database)
    if key not in _shared:
        _shared[key] = Database(settings)
    return _shared[key]
