"""Settings: every environment variable the explorer reads, and where its data is.

This is the one module that reads the environment (the rest ask ``setting``).
Variables come from the process environment over a ``.env`` file in the current
directory, read as docker compose reads it, so the file that configures the
Docker stack configures the CLI too (docs/configuration.md).

Connection precedence, field by field: the environment (``NEO4J_URI``,
``NEO4J_USERNAME``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``) over the managed
local server's credentials file over the defaults. So the same commands work
against the local server, Docker, a remote server or Aura just by exporting
variables.
"""

from __future__ import annotations

import importlib.resources
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from explorer.errors import ConfigError

DEFAULT_BOLT_PORT = 7687
DEFAULT_URI = f"bolt://127.0.0.1:{DEFAULT_BOLT_PORT}"
DEFAULT_USERNAME = "neo4j"
DEFAULT_DATABASE = "neo4j"
CREDENTIALS_FILE = "credentials.json"

# Per-query limits for everything an analyst runs (console, saved queries).
DEFAULT_QUERY_TIMEOUT_S = 10.0
DEFAULT_ROW_CAP = 5000


# Every variable the explorer reads; docs/configuration.md documents each one
# (tests/test_config.py checks both directions).
VARIABLES: dict[str, str] = {
    "NEO4J_URI": "the server to use",
    "NEO4J_USERNAME": "the user to log in as",
    "NEO4J_PASSWORD": "the password",
    "NEO4J_DATABASE": "the database",
    "EXPLORER_STATE_DIR": "the local server's data, logs, conf and credentials",
    "EXPLORER_CACHE_DIR": "where the Neo4j jars are cached",
    "EXPLORER_MAVEN_REPO": "a Maven mirror for the jars",
    "EXPLORER_JAVA": "the Java to run Neo4j with",
    "EXPLORER_QUERIES_DIR": "a folder of saved queries instead of the shipped one",
    "EXPLORER_CYPHER_DIR": "a cypher/ folder (schema) instead of the shipped one",
    "EXPLORER_WALKTHROUGH": "a walkthrough file instead of the shipped one",
    "JAVA_HOME": "a Java installation (after EXPLORER_JAVA)",
    "XDG_CACHE_HOME": "the base of the default cache folder",
}
DOTENV_FILE = ".env"


def parse_dotenv(text: str, where: str = DOTENV_FILE) -> dict[str, str]:
    """``KEY=VALUE`` lines as docker compose reads them: ``#`` comments and blank
    lines skipped, an optional ``export`` prefix, values optionally quoted. A line
    that is none of these is a ConfigError naming the file and line."""
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        key = key.strip()
        if not sep or not key.replace("_", "a").isalnum() or key[0].isdigit():
            raise ConfigError(f"{where}, line {number}: expected KEY=VALUE, got {raw.strip()!r}")
        value = value.strip()
        quote = value[:1]
        if quote in ("'", '"') and quote in value[1:]:
            # A quoted value ends at its closing quote; a comment may follow it.
            value = value[1:value.index(quote, 1)]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


def environment(env: Mapping[str, str] | None = None, cwd: Path | None = None) -> dict[str, str]:
    """The variables in force: ``env`` (default: the process environment) over the
    ``.env`` file in ``cwd`` (default: the current directory), as docker compose
    ranks them."""
    path = (cwd or Path.cwd()) / DOTENV_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        text = ""
    merged = parse_dotenv(text, str(path)) if text else {}
    merged.update(os.environ if env is None else env)
    return merged


def setting(name: str, env: Mapping[str, str] | None = None) -> str | None:
    """One variable's value, or None when it is unset or blank. ``name`` must be
    one of ``VARIABLES``: a new setting is declared there (and documented)."""
    if name not in VARIABLES:
        raise KeyError(f"{name} is not a declared setting (explorer/config.py VARIABLES)")
    value = (env if env is not None else environment()).get(name, "").strip()
    return value or None


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


def state_dir(env: Mapping[str, str] | None = None) -> Path:
    """The one directory holding the local server's data, logs, conf and credentials."""
    chosen = setting("EXPLORER_STATE_DIR", env)
    if chosen:
        return Path(chosen).expanduser().resolve()
    root = project_root()
    if root is not None:
        return root / ".localdb"
    return Path.home() / ".local" / "share" / "arms-transfer-explorer"


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where downloaded Neo4j jars are kept, shared by every state directory."""
    chosen = setting("EXPLORER_CACHE_DIR", env)
    if chosen:
        return Path(chosen).expanduser().resolve()
    base = setting("XDG_CACHE_HOME", env) or str(Path.home() / ".cache")
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


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = environment() if env is None else env
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
