"""The managed local Neo4j 5.26 Community server: fetched from Maven Central, no Docker."""

from explorer.localdb.server import NEO4J_VERSION, LocalServer, ServerStatus

__all__ = ["NEO4J_VERSION", "LocalServer", "ServerStatus"]
