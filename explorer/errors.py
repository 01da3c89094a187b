"""The project's own errors.

Every error a user can cause is an ``ExplorerError`` whose message is one
sentence naming what went wrong and where, with the fix when there is one.
The CLI prints ``str(error)`` on one line and exits with ``exit_code``.

    ExplorerError                 exit 1 (2 for the subclasses below)
    ├── ConfigError               bad settings or environment
    ├── DatabaseUnavailable       Neo4j cannot be reached, is hung, or its database is offline
    │   └── LoginRefused          the server refused the user name or password
    ├── ServerError               the server failed a request (a Neo.TransientError or
    │                             Neo.DatabaseError without a more precise mapping)
    ├── ValidationError           bad input data (seed file, SIPRI export, ...)
    │                             carries ``problems``: one line per problem
    ├── QueryError                a saved query or console query is refused or fails
    │   ├── ParameterError        an unknown, missing or ill-typed parameter
    │   │   └── UnresolvedName    an actor/weapon-system name that is not exactly one
    │   │       ├── UnknownName   no entity has it (carries the closest names)
    │   │       └── AmbiguousName several have it (carries them)
    │   ├── LocatedQueryError     one that points at a line and column of the query
    │   │   ├── ReadOnlyViolation the console refused a write or escape attempt
    │   │   └── QuerySyntaxError  the server cannot parse the query
    │   ├── QueryTimeout          the query ran past its time limit
    │   └── QueryTooLarge         the query needed more memory than the server allows,
    │                             or a value too large for an index
    └── LocalServerError          the managed local Neo4j failed to start/stop
"""

from __future__ import annotations


class ExplorerError(Exception):
    exit_code = 1


class ConfigError(ExplorerError):
    exit_code = 2


class DatabaseUnavailable(ExplorerError):
    exit_code = 2


class LoginRefused(DatabaseUnavailable):
    pass


class ServerError(ExplorerError):
    exit_code = 2


class ValidationError(ExplorerError):
    exit_code = 2

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class QueryError(ExplorerError):
    exit_code = 2


class ParameterError(QueryError):
    pass


class UnresolvedName(ParameterError):
    """A typed actor or weapon-system name that does not name exactly one entity
    (explorer/resolve.py). ``candidates`` are the suggestions or the rivals."""

    def __init__(self, message: str, *, kind: str, value: str,
                 candidates: list | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.value = value
        self.candidates = list(candidates or [])


class UnknownName(UnresolvedName):
    pass


class AmbiguousName(UnresolvedName):
    pass


class LocatedQueryError(QueryError):
    """A query error that points into the query's text: ``line`` and ``column``
    (1-based) when known, so an editor can mark the spot."""

    def __init__(self, message: str, *, line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class ReadOnlyViolation(LocatedQueryError):
    pass


class QuerySyntaxError(LocatedQueryError):
    pass


class QueryTimeout(QueryError):
    pass


class QueryTooLarge(QueryError):
    pass


class LocalServerError(ExplorerError):
    exit_code = 1
