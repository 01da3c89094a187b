"""Connection settings: where Neo4j is and how to log in.

Precedence, field by field: the environment (``NEO4J_URI``, ``NEO4J_USERNAME``,
``NEO4J_PASSWORD``, ``NEO4J_DATABASE``) over the managed local server's
credentials file over the defaults. So the same commands work against the
local server, Docker, a remote server or Aura just by exporting variables.
"""

from __future__ import annotations

import importlib.resources
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_BOLT_PORT = 7687
DEFAULT_URI = f"bolt://127.0.0.1:{DEFAULT_BOLT_PORT}"
DEFAULT_USERNAME = "neo4j"
DEFAULT_DATABASE = "neo4j"
CREDENTIALS_FILE = "credentials.json"

# Per-query limits for everything an analyst runs (console, saved queries).
DEFAULT_QUERY_TIMEOUT_S = 10.0
DEFAULT_ROW_CAP = 5000


def data_path(*parts: str) -> Path:
    """A file or folder of the data the package ships: ``data_path("cypher",
    "queries")``, ``data_path("seeds")``. The checkout's top-level ``cypher/`` and
    ``seeds/`` are the source of truth; ``explorer/cypher`` and ``explorer/seeds``
    link to them, and a wheel carries them as package data, so an installed
    package finds them without a checkout (docs/development.md)."""
    return Path(str(importlib.resources.files("explorer"))).joinpath(*parts)


def project_root() -> Path | None:
    """The source checkout this package runs from, or None when installed elsewhere."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() else None


def state_dir(env: Mapping[str, str] = os.environ) -> Path:
    """The one directory holding the local server's data, logs, conf and credentials."""
    if env.get("EXPLORER_STATE_DIR"):
        return Path(env["EXPLORER_STATE_DIR"]).expanduser().resolve()
    root = project_root()
    if root is not None:
        return root / ".localdb"
    return Path.home() / ".local" / "share" / "arms-transfer-explorer"


def cache_dir(env: Mapping[str, str] = os.environ) -> Path:
    """Where downloaded Neo4j jars are kept, shared by every state directory."""
    if env.get("EXPLORER_CACHE_DIR"):
        return Path(env["EXPLORER_CACHE_DIR"]).expanduser().resolve()
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "arms-transfer-explorer"


@dataclass(frozen=True)
class Settings:
    uri: str
    username: str
    password: str | None
    database: str
    # Human-readable origin of the credentials, shown by `explorer doctor`.
    credentials_from: str

    def describe(self) -> str:
        return f"{self.uri} (database {self.database}, user {self.username})"


def read_local_credentials(directory: Path) -> dict[str, str] | None:
    path = directory / CREDENTIALS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def load_settings(env: Mapping[str, str] = os.environ) -> Settings:
    local_dir = state_dir(env)
    local = read_local_credentials(local_dir) or {}
    origins = []
    if env.get("NEO4J_URI"):
        uri = env["NEO4J_URI"]
        origins.append("NEO4J_URI")
    else:
        uri = local.get("uri", DEFAULT_URI)
    username = env.get("NEO4J_USERNAME") or local.get("username") or DEFAULT_USERNAME
    if env.get("NEO4J_USERNAME"):
        origins.append("NEO4J_USERNAME")
    if env.get("NEO4J_PASSWORD"):
        password: str | None = env["NEO4J_PASSWORD"]
        origins.append("NEO4J_PASSWORD")
    else:
        password = local.get("password")
    database = env.get("NEO4J_DATABASE") or DEFAULT_DATABASE
    if origins:
        source = "environment (" + ", ".join(origins) + ")"
        if local and "NEO4J_PASSWORD" not in origins:
            source += f" + {local_dir / CREDENTIALS_FILE}"
    elif local:
        source = str(local_dir / CREDENTIALS_FILE)
    else:
        source = "defaults (no local server credentials yet: run 'explorer db start')"
    return Settings(uri, username, password, database, source)
