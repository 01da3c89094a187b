"""Shared fixtures: one real, throwaway Neo4j server for the whole test session.

The server gets its own state directory and a free port, so it never touches
the `make run` database; it is stopped at the end, pass or fail. Set
EXPLORER_TEST_NEO4J_URI (+ _USERNAME/_PASSWORD) to test against another server.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from explorer.config import Settings
from explorer.db import Database
from explorer.localdb import LocalServer
from explorer.localdb.server import free_port

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer | None]:
    if os.environ.get("EXPLORER_TEST_NEO4J_URI"):
        yield None
        return
    server = LocalServer(tmp_path_factory.mktemp("neo4j-test"), port=free_port(),
                         heap_mb=768, pagecache_mb=256)
    server.start(timeout_s=180)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def settings(neo4j_server: LocalServer | None) -> Settings:
    if neo4j_server is None:
        return Settings(
            os.environ["EXPLORER_TEST_NEO4J_URI"],
            os.environ.get("EXPLORER_TEST_NEO4J_USERNAME", "neo4j"),
            os.environ.get("EXPLORER_TEST_NEO4J_PASSWORD"),
            os.environ.get("EXPLORER_TEST_NEO4J_DATABASE", "neo4j"),
            "test environment",
        )
    env = dict(line.removeprefix("export ").split("=", 1) for line in neo4j_server.env_lines())
    return Settings(env["NEO4J_URI"], env["NEO4J_USERNAME"], env["NEO4J_PASSWORD"], "neo4j",
                    "test server")


@pytest.fixture(scope="session")
def db(settings: Settings) -> Iterator[Database]:
    from explorer.schema import apply_schema

    database = Database(settings)
    apply_schema(database)
    yield database
    database.close()


@pytest.fixture
def clean_db(db: Database) -> Database:
    """An empty graph (schema kept) for tests that write."""
    db.write(lambda tx: tx.run("MATCH (n) DETACH DELETE n").consume())
    return db


@pytest.fixture(scope="session")
def cli_env(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for running the CLI as a subprocess against the test server."""
    return {
        **os.environ,
        "NEO4J_URI": settings.uri,
        "NEO4J_USERNAME": settings.username,
        "NEO4J_PASSWORD": settings.password or "",
        "NEO4J_DATABASE": settings.database,
        # Keep the CLI away from the developer's own .localdb.
        "EXPLORER_STATE_DIR": str(tmp_path_factory.mktemp("cli-state")),
        "COLUMNS": "200",
    }


def run_cli(args: list[str], env: dict[str, str], timeout: float = 300,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args],
        env=env, capture_output=True, text=True, timeout=timeout, input=stdin, cwd=REPO,
    )


def graph_counts(db: Database) -> tuple[int, int]:
    def counts(tx):
        nodes = tx.run("MATCH (n) RETURN count(n) AS c").single()["c"]
        rels = tx.run("MATCH ()-[r]->() RETURN count(r) AS c").single()["c"]
        return nodes, rels

    return db.read(counts)


SIPRI_EXPORT = SHARED / "data" / "sipri" / "sipri-at-export-2026-02-12.csv"
SIPRI_EXTRACT = REPO / "seeds" / "sipri" / "sipri-extract.csv"
_loaded_counts: dict[str, tuple[int, int]] = {}


# For the few tests whose facts only the full export holds (1990s deliveries, deals
# between other countries): the shipped extract keeps deals of five countries
# delivered since 2014. CI has the full export beside the clone, so they run there.
needs_full_export = pytest.mark.skipif(
    not SIPRI_EXPORT.is_file(),
    reason=f"needs the full shared SIPRI export at {SIPRI_EXPORT} (CI has it); the shipped "
           "extract holds only deals of five countries delivered since 2014",
)


def sipri_test_file() -> Path:
    """The full shared export when present (it is in CI), else the shipped extract."""
    return SIPRI_EXPORT if SIPRI_EXPORT.is_file() else SIPRI_EXTRACT


@pytest.fixture
def loaded_graph(db: Database) -> Database:
    """Seeds + SIPRI loaded, as `make run` serves them (reloaded only if a test wiped it)."""
    if _loaded_counts.get("graph") != graph_counts(db):
        from explorer.loaders.seed_loader import load_seeds
        from explorer.loaders.sipri_loader import load_sipri

        db.write(lambda tx: tx.run("MATCH (n) DETACH DELETE n").consume())
        load_seeds(db)
        load_sipri(db, sipri_test_file())
        _loaded_counts["graph"] = graph_counts(db)
    return db


@pytest.fixture
def app_env(loaded_graph: Database, settings: Settings,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The dashboard pointed at the loaded test graph and the shipped saved queries."""
    from tests.apptest import clear_caches, point_app_at

    point_app_at(monkeypatch, settings)
    yield
    clear_caches()
