"""The one place that opens Neo4j drivers and sessions.

Work goes into functions passed to :meth:`Database.read` / :meth:`Database.write`
(the driver may retry them, so they must be idempotent and return plain values
consumed inside the transaction). Errors a user can cause come out as
:class:`~explorer.errors.DatabaseUnavailable` with one sentence and the fix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import neo4j
from neo4j import exceptions as neo4j_errors

from explorer.config import Settings, load_settings
from explorer.errors import DatabaseUnavailable, QueryError, QueryTimeout

T = TypeVar("T")

_CONNECT_TIMEOUT_S = 5.0

_TIMEOUT_CODES = (
    "Neo.ClientError.Transaction.TransactionTimedOut",
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    "Neo.TransientError.Transaction.LockClientStopped",
)


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
        try:
            with self.driver.session(database=database or self.database) as session:
                if mode == "read":
                    return session.execute_read(work)
                return session.execute_write(work)
        except Exception as error:
            raise translate_error(error, self.settings, timeout) from error

    def ping(self) -> dict[str, str]:
        """Server version and edition; raises DatabaseUnavailable when it does not answer."""

        def components(tx: neo4j.ManagedTransaction) -> dict[str, str]:
            record = tx.run(
                "CALL dbms.components() YIELD name, versions, edition "
                "RETURN versions[0] AS version, edition"
            ).single()
            return {"version": record["version"], "edition": record["edition"]}

        try:
            # Fails in one try when nothing listens, instead of retrying like a transaction.
            self.driver.verify_connectivity()
        except Exception as error:
            raise translate_error(error, self.settings, None) from error
        return self.read(components)


def translate_error(error: Exception, settings: Settings, timeout: float | None) -> Exception:
    """Map driver exceptions to the project's one-sentence errors (others pass through)."""
    if isinstance(error, (DatabaseUnavailable, QueryError)):
        return error
    if isinstance(error, neo4j_errors.AuthError):
        return DatabaseUnavailable(
            f"Neo4j at {settings.uri} refused the login for user {settings.username!r} — "
            "check NEO4J_USERNAME/NEO4J_PASSWORD (or unset them to use the local server's "
            "credentials)"
        )
    if isinstance(error, (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError)):
        return DatabaseUnavailable(unreachable_message(settings))
    if isinstance(error, neo4j_errors.Neo4jError):
        code = error.code or ""
        if code in _TIMEOUT_CODES or "TransactionTimedOut" in code:
            limit = f"{timeout:g} s" if timeout else "its"
            return QueryTimeout(
                f"the query ran past {limit} time limit and was stopped — "
                "narrow it (a LIMIT, fewer hops) or raise the limit"
            )
        if code.startswith("Neo.ClientError.Database.DatabaseNotFound"):
            return DatabaseUnavailable(
                f"Neo4j at {settings.uri} has no database {settings.database!r} — "
                "check NEO4J_DATABASE"
            )
        if code.startswith("Neo.ClientError"):
            message = (error.message or str(error)).strip().splitlines()[0]
            return QueryError(f"Neo4j refused the query: {message}")
    if isinstance(error, neo4j_errors.DriverError) and "defunct" in str(error).lower():
        return DatabaseUnavailable(unreachable_message(settings))
    return error


_shared: dict[tuple[str, str, str | None, str], Database] = {}


def get_database(settings: Settings | None = None) -> Database:
    """One Database (one driver) per process and settings, as the driver wants."""
    settings = settings or load_settings()
    key = (settings.uri, settings.username, settings.password, settings.database)
    if key not in _shared:
        _shared[key] = Database(settings)
    return _shared[key]
