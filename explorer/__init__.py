"""Arms-transfer graph explorer: who arms whom, in Neo4j, explored in the browser."""

__version__ = "0.1.0"
