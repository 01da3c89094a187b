"""Shared fixtures: one real, throwaway Neo4j server for the whole test session.

The server gets its own state directory and a free port, so it never touches
the `make run` database; it is stopped at the end, pass or fail. Set
EXPLORER_TEST_NEO4J_URI (+ _USERNAME/_PASSWORD) to test against another server.

Tiers (docs/development.md, "Tests"): a test whose fixtures reach ``neo4j_server``
is marked ``integration`` here, as is one marked ``browser`` or ``integration`` by
hand (it starts a server of its own); every other test that is neither
``reliability`` nor ``full_export`` is marked ``unit`` — `make test-unit` runs those.
The marks follow the fixtures a test asks for, not the folder it sits in.

The shared graph (``loaded_graph``) is the seeds plus the SIPRI extract the project
ships, so `make test` needs nothing beside the clone. A session that selects tests
marked ``full_export`` (`make test-full`) loads the full shared export instead;
without ../shared those tests are skipped with that reason.
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

# pytest-xdist gives its workers COLUMNS=80; a rich console reads COLUMNS when it is
# made (explorer.cli.common, at import) and would keep 80 for every in-process CLI
# call, whatever width the test asks for. Without it, rich reads the width each call
# sets as it prints — as a real `explorer` process reads its terminal's.
os.environ.pop("COLUMNS", None)

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SIPRI_EXPORT = SHARED / "data" / "sipri" / "sipri-at-export-2026-02-12.csv"
SIPRI_EXTRACT = REPO / "seeds" / "sipri" / "sipri-extract.csv"

# Fixtures that start (or reach) the session's Neo4j server: a test whose fixture
# closure holds one of them is an integration test.
SERVER_FIXTURES = frozenset({"neo4j_server"})
NOT_UNIT = ("integration", "browser", "reliability", "full_export")

FULL_EXPORT_REASON = (
    f"needs the full shared SIPRI export at {SIPRI_EXPORT} (CI has it beside the clone; "
    "`make test-full` runs these); the shipped extract holds only deals of five countries "
    "delivered since 2014"
)
# For the tests whose facts only the full export holds (1990s deliveries, deals
# between other countries, its exact totals).
full_export = pytest.mark.full_export

# The SIPRI file the shared graph holds in this session; pytest_collection_finish
# settles it once the tests are selected (the extract unless full_export tests are).
_session_sipri: list[Path] = [SIPRI_EXTRACT]


def pytest_itemcollected(item: pytest.Item) -> None:
    """Tier marks from the fixtures a test asks for (before -m selects by them)."""
    if item.get_closest_marker("full_export") and not SIPRI_EXPORT.is_file():
        item.add_marker(pytest.mark.skip(reason=FULL_EXPORT_REASON))
    if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
        item.add_marker(pytest.mark.integration)
    if not any(item.get_closest_marker(name) for name in NOT_UNIT):
        item.add_marker(pytest.mark.unit)


def pytest_collection_finish(session: pytest.Session) -> None:
    wants_full = any(item.get_closest_marker("full_export") for item in session.items)
    _session_sipri[0] = SIPRI_EXPORT if wants_full and SIPRI_EXPORT.is_file() else SIPRI_EXTRACT


def sipri_test_file() -> Path:
    """The SIPRI file the shared graph is loaded from in this session: the shipped
    extract, or the full shared export when the session runs full_export tests."""
    return _session_sipri[0]


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
    """Environment for running the CLI against the test server."""
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
    """`python -m explorer ARGS` as a process of its own: for what only a process shows
    (exit codes through the interpreter, signals, imports, the terminal width)."""
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args],
        env=env, capture_output=True, text=True, timeout=timeout, input=stdin, cwd=REPO,
    )


def invoke_cli(args: list[str], env: dict[str, str],
               stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI in this process, through click's test runner (what Typer's CliRunner
    uses): ``explorer.cli.main`` with its error handling, ``env`` in force (COLUMNS
    too: rich reads it as it prints), stdin from ``stdin``, stdout and stderr apart.
    Milliseconds where a new interpreter costs a second; same result type as
    :func:`run_cli`, same exit code and output."""
    from click.testing import CliRunner

    from explorer import cli

    code: int | str | None = 0
    argv = sys.argv
    changed = {key: value for key, value in env.items() if os.environ.get(key) != value}
    with CliRunner().isolation(input=stdin, env=changed) as (out, err, _):
        sys.argv = ["explorer", *args]
        try:
            cli.main()
        except SystemExit as done:
            code = done.code
        finally:
            sys.argv = argv
            sys.stdout.flush()
            sys.stderr.flush()
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    returncode = code if isinstance(code, int) else (0 if code is None else 1)
    return subprocess.CompletedProcess(["explorer", *args], returncode, stdout, stderr)


def graph_counts(db: Database) -> tuple[int, int]:
    def counts(tx):
        nodes = tx.run("MATCH (n) RETURN count(n) AS c").single()["c"]
        rels = tx.run("MATCH ()-[r]->() RETURN count(r) AS c").single()["c"]
        return nodes, rels

    return db.read(counts)


# What the shared graph held when last loaded: a test that wiped or changed it makes
# the next `loaded_graph` load it again.
_loaded_counts: dict[str, tuple[int, int]] = {}
_graph_loads: list[Path] = []


def ensure_loaded_graph(db: Database) -> Database:
    """Seeds + the session's SIPRI file, loaded unless the graph already holds them."""
    if _loaded_counts.get("graph") != graph_counts(db):
        from explorer.loaders.seed_loader import load_seeds
        from explorer.loaders.sipri_loader import load_sipri

        db.write(lambda tx: tx.run("MATCH (n) DETACH DELETE n").consume())
        load_seeds(db)
        load_sipri(db, sipri_test_file())
        _loaded_counts["graph"] = graph_counts(db)
        _graph_loads.append(sipri_test_file())
    return db


@pytest.fixture
def loaded_graph(db: Database) -> Database:
    """Seeds + SIPRI loaded, as `make run` serves them (reloaded only if a test wiped it).
    Read it, do not change it: a test that writes restores what it wrote, or uses clean_db."""
    return ensure_loaded_graph(db)


@pytest.fixture
def app_env(loaded_graph: Database, settings: Settings,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The dashboard pointed at the loaded test graph and the shipped saved queries."""
    from tests.apptest import clear_caches, point_app_at

    point_app_at(monkeypatch, settings)
    yield
    clear_caches()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _graph_loads:
        names = sorted({path.name for path in _graph_loads})
        terminalreporter.write_line(
            f"shared graph: loaded {len(_graph_loads)} time(s) from {', '.join(names)}")
