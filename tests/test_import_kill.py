"""Loads that are killed, and loads bigger than one transaction, on a server of their
own started with no flags (the default 512 MiB heap), as a user's would be.

Marked ``reliability`` (``make test-reliability``; CI runs it): each test starts a
server and loads the shared-size synthetic export several times."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from explorer.config import load_settings
from explorer.db import Database
from explorer.loaders import sipri_synth
from explorer.localdb import LocalServer
from explorer.localdb.server import free_port
from tests.conftest import REPO, run_cli
from tests.test_import_runs import query, snapshot

pytestmark = pytest.mark.reliability

BATCH = "1000"


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    server = LocalServer(tmp_path_factory.mktemp("kill-state"), port=free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synth") / "synthetic-1x.csv"
    sipri_synth.generate(path, scale=1)
    return path


def _env(server: LocalServer) -> dict[str, str]:
    return {**os.environ, "EXPLORER_STATE_DIR": str(server.state_dir), "COLUMNS": "200"}


def _db(server: LocalServer) -> Database:
    return Database(load_settings({"EXPLORER_STATE_DIR": str(server.state_dir)}))


def _fresh(server: LocalServer) -> None:
    """An empty graph with the seeds. CALL … IN TRANSACTIONS needs an implicit
    transaction, so the test deletes through the driver's session directly."""
    with _db(server) as db, db.driver.session(database=db.database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
                    ).consume()
    done = run_cli(["load", "seeds"], _env(server))
    assert done.returncode == 0, done.stderr


def _reference(server: LocalServer, path: Path) -> tuple[list, list]:
    _fresh(server)
    done = run_cli(["load", "sipri", str(path), "--batch-size", BATCH], _env(server))
    assert done.returncode == 0, done.stderr
    with _db(server) as db:
        return snapshot(db)


def _start_load(server: LocalServer, path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "explorer", "load", "sipri", str(path), "--batch-size", BATCH],
        env=_env(server), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=REPO, start_new_session=True,
    )


def _wait_for_batches(server: LocalServer, at_least: int, process: subprocess.Popen[str]
                      ) -> int:
    """Poll the run node until the loader has committed ``at_least`` batches."""
    deadline = time.monotonic() + 120
    with _db(server) as db:
        while time.monotonic() < deadline:
            rows = query(db, "MATCH (r:ImportRun) RETURN r.batches_done AS n")
            if rows and rows[0]["n"] >= at_least:
                return rows[0]["n"]
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            time.sleep(0.05)
    raise AssertionError("the loader committed no batch within 120 s")


def _assert_reported_then_finished(server: LocalServer, path: Path,
                                   reference: tuple[list, list]) -> None:
    doctor = run_cli(["doctor"], _env(server))
    assert doctor.returncode != 0
    assert f"incomplete load of {path.name}" in doctor.stdout + doctor.stderr
    assert f"explorer load sipri {path}" in doctor.stdout + doctor.stderr
    status = run_cli(["db", "status"], _env(server))
    assert status.stdout.startswith("running:"), status.stdout + status.stderr
    assert f"incomplete load of {path.name}" in status.stdout
    rerun = run_cli(["load", "sipri", str(path), "--batch-size", BATCH], _env(server))
    assert rerun.returncode == 0, rerun.stderr
    assert "Resumed an interrupted load:" in rerun.stdout
    with _db(server) as db:
        assert snapshot(db) == reference
        runs = query(db, "MATCH (r:ImportRun) RETURN r.status AS status, r.attempts AS n")
    assert runs == [{"status": "complete", "n": 2}]
    assert run_cli(["doctor"], _env(server)).returncode == 0


@pytest.fixture(scope="module")
def reference(own_server: LocalServer, synthetic: Path) -> tuple[list, list]:
    """The graph one uninterrupted load of the synthetic file gives."""
    return _reference(own_server, synthetic)


def _load_until_two_batches(server: LocalServer, path: Path) -> subprocess.Popen[str]:
    """Seeds on an empty graph, then a load of ``path`` that has committed 2 batches."""
    _fresh(server)
    process = _start_load(server, path)
    try:
        _wait_for_batches(server, 2, process)
    except BaseException:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    return process


def test_kill_9_of_the_loader_resumes_to_the_uninterrupted_graph(
    own_server: LocalServer, synthetic: Path, reference: tuple[list, list]
) -> None:
    process = _load_until_two_batches(own_server, synthetic)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    _assert_reported_then_finished(own_server, synthetic, reference)


def test_kill_9_of_the_server_mid_load_resumes_to_the_uninterrupted_graph(
    own_server: LocalServer, synthetic: Path, reference: tuple[list, list]
) -> None:
    process = _load_until_two_batches(own_server, synthetic)
    try:
        os.kill(own_server.status().pid, signal.SIGKILL)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode != 0
    assert "Traceback" not in stderr, stderr
    own_server.start()
    _assert_reported_then_finished(own_server, synthetic, reference)


def test_ten_times_the_database_loads_on_a_default_server(
    own_server: LocalServer, tmp_path: Path
) -> None:
    big = tmp_path / "synthetic-10x.csv"
    sipri_synth.generate(big, scale=10)
    _fresh(own_server)
    done = run_cli(["load", "sipri", str(big)], _env(own_server), timeout=1200)
    assert done.returncode == 0, done.stderr
    assert "250,240 read = 250,240 imported + 0 rejected" in done.stdout
    with _db(own_server) as db:
        counted = query(db, "MATCH (t:Transfer {origin: 'sipri'}) RETURN count(t) AS n")
        run = query(db, "MATCH (r:ImportRun) RETURN r.status AS s, r.deals AS deals")
    assert run == [{"s": "complete", "deals": counted[0]["n"]}]
