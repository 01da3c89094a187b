"""The package works without a checkout: the wheel carries the saved queries, the
schema, the walkthrough and the seeds, and an install of it outside the checkout
starts a server, loads the seeds, runs a saved query and serves the dashboard."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

from explorer.localdb.server import free_port
from tests.conftest import REPO

# Builds the wheel (and installs it): not for the server-free edit loop.
pytestmark = pytest.mark.integration


# What a build must not see: setuptools copies into build/ and never removes a module
# that was deleted or moved since, so a wheel built in a used checkout can carry one.
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", ".localdb*",
                                    "test-artifacts", "site", ".hypothesis", "*_cache",
                                    "__pycache__", "bench-results")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    source = tmp_path_factory.mktemp("source") / "checkout"
    shutil.copytree(REPO, source, symlinks=True, ignore=NOT_SOURCE)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--quiet",
         "--wheel-dir", str(out)],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (found,) = out.glob("arms_transfer_explorer-*.whl")
    return found


def test_the_wheel_carries_the_queries_schema_walkthrough_and_seeds(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        "explorer/cypher/" + p.relative_to(REPO / "cypher").as_posix()
        for p in (REPO / "cypher").rglob("*") if p.is_file()
    } | {
        "explorer/seeds/" + p.relative_to(REPO / "seeds").as_posix()
        for p in (REPO / "seeds").rglob("*") if p.is_file()
    }
    assert "explorer/cypher/queries/suppliers_of_recipient.cypher" in shipped
    assert "explorer/seeds/sipri/sipri-extract.csv" in shipped
    missing = sorted(shipped - names)
    assert not missing, f"not in the wheel: {missing}"
    modules = {n for n in names if n.startswith("explorer/") and n.endswith(".py")}
    sources = {p.relative_to(REPO).as_posix() for p in (REPO / "explorer").rglob("*.py")
               if "__pycache__" not in p.parts}
    assert modules == sources, (f"stale: {sorted(modules - sources)}, "
                                f"missing: {sorted(sources - modules)}")
    assert not [n for n in names if n.startswith(("tests/", "docs/"))]


def _run(bin_dir: Path, args: list[str], env: dict[str, str], cwd: Path,
         timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(bin_dir / "explorer"), *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.reliability
def test_an_install_outside_the_checkout_works(wheel: Path, tmp_path: Path) -> None:
    home = tmp_path / "elsewhere"
    home.mkdir()
    venv.EnvBuilder(with_pip=True).create(home / "venv")
    bin_dir = home / "venv" / "bin"
    done = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet",
                           str(wheel)], capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-2000:]
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("NEO4J_", "EXPLORER_", "PYTHON", "VIRTUAL_ENV"))}
    env["EXPLORER_STATE_DIR"] = str(home / "state")
    started = _run(bin_dir, ["db", "start", "--port", str(free_port())], env, home)
    assert started.returncode == 0, started.stdout + started.stderr
    app = None
    try:
        seeds = _run(bin_dir, ["load", "seeds"], env, home)
        assert seeds.returncode == 0, seeds.stderr
        listed = _run(bin_dir, ["query", "list", "--format", "json"], env, home)
        assert listed.returncode == 0, listed.stderr
        assert "suppliers_of_recipient" in {q["name"] for q in json.loads(listed.stdout)}
        ran = _run(bin_dir, ["query", "run", "actor_seeks", "-p", "actor=DPRK",
                             "--format", "json"], env, home)
        assert ran.returncode == 0, ran.stderr
        rows = json.loads(ran.stdout)["rows"]
        assert len(rows) == 7 and {row["supplier"] for row in rows} == {"Russia"}, rows
        port = free_port()
        app = subprocess.Popen([str(bin_dir / "explorer"), "app", "--port", str(port)],
                               env=env, cwd=home, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 120
        health = ""
        while time.monotonic() < deadline and health != "ok":
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                            timeout=2) as response:
                    health = response.read().decode()
            except OSError:
                time.sleep(1)
        assert health == "ok"
    finally:
        if app is not None:
            os.killpg(app.pid, 15)
            app.wait(timeout=30)
        _run(bin_dir, ["db", "stop"], env, home)
