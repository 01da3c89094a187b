"""Reliability and security of the server side (docs/reliability.md): which process
is the server, a database that is not online, every server error in one line,
credentials that are never overwritten and stay private, client-side time limits
against a hung server, and a dashboard that dies with its launcher.

Tests marked ``reliability`` start, break, hang and kill their own Neo4j servers
in temporary state directories (``make test-reliability``); the others use the
session's test server or none at all.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from explorer.config import Settings
from explorer.db import Database
from explorer.errors import (
    DatabaseUnavailable,
    ExplorerError,
    LocalServerError,
    QueryTimeout,
    QueryTooLarge,
)
from explorer.localdb import LocalServer
from explorer.localdb.server import TRANSACTION_MEMORY_MB, free_port
from explorer.runner import run_console
from tests.apptest import clear_caches, open_page, point_app_at
from tests.conftest import REPO, run_cli

# Real processes of the server manager, each test: not for the server-free edit loop.
pytestmark = pytest.mark.integration

HUGE_COLLECT = "UNWIND range(1,60000000) AS x WITH collect(x) AS c RETURN size(c)"


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The CLI's error: exactly one line starting 'error:' and no traceback."""
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def local_env(state: Path) -> dict[str, str]:
    """The CLI pointed at a state directory only (no NEO4J_* overrides)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    return {**env, "EXPLORER_STATE_DIR": str(state), "COLUMNS": "200"}


def settings_of(server: LocalServer) -> Settings:
    saved = json.loads(server.credentials_path.read_text())
    return Settings(saved["uri"], "neo4j", saved["password"], "neo4j", "test")


@pytest.fixture
def unrelated_process() -> Iterator[subprocess.Popen]:
    """A live process that is not Neo4j: what a reused PID points at after a reboot."""
    process = subprocess.Popen(["sleep", "300"])
    yield process
    process.kill()
    process.wait()


def write_stale_record(state: Path, pid: int, port: int) -> None:
    run = state / "run"
    run.mkdir(parents=True, exist_ok=True)
    (run / "explorer-server.json").write_text(json.dumps(
        {"pid": pid, "started": psutil.Process(pid).create_time(), "port": port}))
    (run / "neo4j.pid").write_text(str(pid))


# ------------------------------------------------------------------ quick: no own server


def test_stale_pid_file_is_not_trusted_and_its_process_not_signalled(
        tmp_path: Path, unrelated_process: subprocess.Popen) -> None:
    state = tmp_path / "state"
    write_stale_record(state, unrelated_process.pid, free_port())
    env = local_env(state)
    status = run_cli(["db", "status"], env, timeout=60)
    assert status.returncode == 1 and status.stdout.startswith("stopped: not running")
    stop = run_cli(["db", "stop"], env, timeout=60)
    assert stop.returncode == 0 and "was not running" in stop.stdout
    time.sleep(0.3)
    assert unrelated_process.poll() is None, "db stop signalled a process that is not ours"
    assert not (state / "run" / "explorer-server.json").exists()


def test_damaged_credentials_file_is_one_error_and_left_unchanged(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    damaged = b'{"uri": "bolt://127.0.0.1:7687", "username": "neo4j", "passw'
    (state / "credentials.json").write_bytes(damaged)
    result = run_cli(["db", "start", "--port", str(free_port())], local_env(state), timeout=120)
    assert result.returncode == 1
    line = one_line_error(result)
    assert "credentials.json is damaged" in line and "set-password --forgotten" in line
    assert (state / "credentials.json").read_bytes() == damaged


def test_commands_with_a_damaged_credentials_file_say_no_password_is_known(
        tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "credentials.json").write_text('{"uri": "bolt://127.0.0.1:1", "pass')
    env = {**local_env(tmp_path), "NEO4J_URI": settings.uri}
    result = run_cli(["cypher", "RETURN 1"], env, timeout=60)
    assert result.returncode == 2
    assert "refused the login: no password is known" in one_line_error(result)


def test_missing_credentials_beside_existing_data_is_not_replaced(tmp_path: Path) -> None:
    state = tmp_path / "state"
    (state / "data" / "databases" / "system").mkdir(parents=True)
    with pytest.raises(LocalServerError, match="has a password but there is no credentials"):
        LocalServer(state, port=free_port()).start()
    assert not (state / "credentials.json").exists()


def test_unusable_state_directory_is_one_line(tmp_path: Path) -> None:
    # A file where the data directory should be: unusable even for root.
    state = tmp_path / "state"
    state.mkdir()
    (state / "data").write_text("not a directory")
    result = run_cli(["db", "start", "--port", str(free_port())], local_env(state), timeout=120)
    assert result.returncode == 1
    line = one_line_error(result)
    assert f"cannot use the local server's directory {state / 'data'}" in line


def test_unreadable_data_directory_is_one_line(tmp_path: Path) -> None:
    state = tmp_path / "state"
    (state / "data" / "databases" / "neo4j").mkdir(parents=True)
    (state / "data").chmod(0)
    command = [sys.executable, "-m", "explorer", "db", "start", "--port", str(free_port())]
    if os.geteuid() == 0:
        # root reads anything: run the CLI as nobody, for whom the directory is closed.
        tmp_path.chmod(0o755)
        state.chmod(0o777)
        command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
    try:
        result = subprocess.run(command, env={**local_env(state), "HOME": "/tmp"},
                                capture_output=True, text=True, timeout=120, cwd=REPO)
    finally:
        (state / "data").chmod(0o700)
    assert result.returncode == 1
    line = one_line_error(result)
    assert "cannot use the local server's directory" in line and "Permission denied" in line


def test_state_directory_credentials_and_logs_are_private(
        neo4j_server: LocalServer | None) -> None:
    assert neo4j_server is not None, "needs the session's local test server"
    state = neo4j_server.state_dir
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    for sub in ("conf", "data", "logs", "run"):
        assert stat.S_IMODE((state / sub).stat().st_mode) == 0o700, sub
    private = [neo4j_server.credentials_path, state / "data" / "dbms" / "auth.ini",
               state / "conf" / "neo4j.conf", *sorted((state / "logs").glob("*.log"))]
    assert len(private) >= 5
    for path in private:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_server_bounds_each_transactions_memory(neo4j_server: LocalServer | None) -> None:
    assert neo4j_server is not None, "needs the session's local test server"
    conf = (neo4j_server.state_dir / "conf" / "neo4j.conf").read_text()
    assert f"db.memory.transaction.max={TRANSACTION_MEMORY_MB}m" in conf
    assert TRANSACTION_MEMORY_MB >= 256
    compose = (REPO / "docker-compose.yml").read_text()
    assert f"NEO4J_db_memory_transaction_max: {TRANSACTION_MEMORY_MB}m" in compose


def test_a_query_needing_too_much_memory_is_one_error(db: Database) -> None:
    began = time.monotonic()
    with pytest.raises(QueryTooLarge, match="more memory than Neo4j allows one query") as caught:
        run_console(db, HUGE_COLLECT, timeout_s=60)
    assert "\n" not in str(caught.value)
    assert time.monotonic() - began < 60
    # The server is fine afterwards.
    assert run_console(db, "RETURN 1 AS one").rows == [{"one": 1}]


def test_cli_memory_error_is_one_line(cli_env: dict[str, str]) -> None:
    result = run_cli(["cypher", HUGE_COLLECT, "--timeout", "60"], cli_env, timeout=120)
    assert result.returncode == 2
    assert "more memory than Neo4j allows one query" in one_line_error(result)


def test_dashboard_console_memory_error_is_one_line(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    point_app_at(monkeypatch, settings)
    try:
        # The editor is a component AppTest cannot type into: the query comes by link.
        at = open_page("console.py", cypher=HUGE_COLLECT)
        assert not at.exception, [e.value for e in at.exception]
        messages = [e.value for e in at.error]
        assert len(messages) == 1 and "\n" not in messages[0], messages
        assert "more memory than Neo4j allows one query" in messages[0]
        assert "Traceback" not in messages[0] and ".py" not in messages[0]
    finally:
        clear_caches()


def test_value_too_large_to_index_is_one_error(clean_db: Database) -> None:
    with pytest.raises(QueryTooLarge, match="too large for its index"):
        clean_db.write(lambda tx: tx.run(
            "CREATE (:WeaponSystem {id: 'probe-long', name: $name})", name="x" * 40000).consume())
    assert clean_db.read(lambda tx: tx.run(
        "MATCH (w:WeaponSystem {id: 'probe-long'}) RETURN count(w) AS c").single()["c"]) == 0


def wait_for_port(port: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listens on {port} after {timeout_s} s")


def dashboard_dies_with_its_launcher(signum: int) -> None:
    port = free_port()
    launcher = subprocess.Popen([sys.executable, "-m", "explorer", "app", "--port", str(port)],
                                cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
    try:
        wait_for_port(port, 90)
        children = psutil.Process(launcher.pid).children(recursive=True)
        assert children, "explorer app started no child"
        os.kill(launcher.pid, signum)
        launcher.wait(30)
        _gone, alive = psutil.wait_procs(children, timeout=20)
        assert not alive, f"left running after {signal.Signals(signum).name}: {alive}"
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, "the port still answers"
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()


def test_killing_explorer_app_stops_the_dashboard() -> None:
    dashboard_dies_with_its_launcher(signal.SIGTERM)


@pytest.mark.reliability
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGHUP, signal.SIGKILL])
def test_every_way_of_killing_explorer_app_stops_the_dashboard(signum: int) -> None:
    dashboard_dies_with_its_launcher(signum)


# ------------------------------------------------------------- long: their own servers


class CommandLines:
    """Every process command line seen while it runs: what `ps` showed other users."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.is_set():
            for proc_dir in Path("/proc").glob("[0-9]*"):
                try:
                    raw = (proc_dir / "cmdline").read_bytes()
                except OSError:
                    continue
                if raw:
                    self.seen.add(raw.replace(b"\0", b" ").decode(errors="replace"))
            time.sleep(0.01)

    def __enter__(self) -> CommandLines:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """A server of this module's own, started once (the tests hang and re-key it)."""
    server = LocalServer(tmp_path_factory.mktemp("own-server"), port=free_port())
    server.start(timeout_s=180)
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.reliability
def test_first_start_never_shows_the_password_in_ps(tmp_path: Path) -> None:
    server = LocalServer(tmp_path / "state", port=free_port())
    try:
        with CommandLines() as ps:
            server.start(timeout_s=180)
        password = json.loads(server.credentials_path.read_text())["password"]
        admin = [line for line in ps.seen if "AdminTool" in line or "@" in line.split()[-1]
                 if "java" in line]
        assert admin, "the admin tool's run was not seen: the poll proves nothing"
        assert not [line for line in ps.seen if password in line]
        assert not (server.state_dir / "run" / "set-initial-password.args").exists()
    finally:
        server.stop()


@pytest.mark.reliability
def test_stale_pid_file_then_start_really_starts_and_stop_spares_the_stranger(
        tmp_path: Path, unrelated_process: subprocess.Popen) -> None:
    state = tmp_path / "state"
    port = free_port()
    write_stale_record(state, unrelated_process.pid, port)
    env = local_env(state)
    try:
        started = run_cli(["db", "start", "--port", str(port)], env, timeout=240)
        assert started.returncode == 0, started.stderr
        assert f"ready at bolt://127.0.0.1:{port}" in started.stdout
        pid = int(started.stdout.split("(pid ")[1].split(",")[0])
        assert pid != unrelated_process.pid
        with Database(settings_of(LocalServer(state))) as db:
            assert db.read(lambda tx: tx.run("RETURN 1 AS one").single()["one"]) == 1
        # Asking for another port while it runs: told where it runs, nothing started.
        other = free_port()
        moved = run_cli(["db", "start", "--port", str(other)], env, timeout=120)
        assert moved.returncode == 1
        line = one_line_error(moved)
        assert f"already runs at bolt://127.0.0.1:{port} (pid {pid}), not on port {other}" in line
        # The record now names the stranger again (a lost record): stop still finds ours.
        write_stale_record(state, unrelated_process.pid, port)
        status = run_cli(["db", "status"], env, timeout=60)
        assert status.returncode == 0 and f"pid {pid}" in status.stdout
        stopped = run_cli(["db", "stop"], env, timeout=120)
        assert stopped.returncode == 0 and "stopped" in stopped.stdout
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"
        assert unrelated_process.poll() is None, "db stop signalled a process that is not ours"
    finally:
        LocalServer(state).stop()


@pytest.mark.reliability
def test_hung_server_cli_returns_within_the_time_limit(own_server: LocalServer) -> None:
    env = local_env(own_server.state_dir)
    pid = own_server.status().pid
    assert pid is not None
    with Database(settings_of(own_server)) as warm:
        warm.ping()
        os.kill(pid, signal.SIGSTOP)
        try:
            began = time.monotonic()
            with pytest.raises((QueryTimeout, DatabaseUnavailable)):
                warm.read(lambda tx: tx.run("RETURN 1").consume(), timeout=2)
            assert time.monotonic() - began < 2 + 3 + 1

            began = time.monotonic()
            result = run_cli(["cypher", "RETURN 1", "--timeout", "5"], env, timeout=120)
            took = time.monotonic() - began
            assert result.returncode == 2
            one_line_error(result)
            assert took < 5 + 3 + 4, f"took {took:.1f} s"

            began = time.monotonic()
            status = run_cli(["db", "status"], env, timeout=120)
            took = time.monotonic() - began
            assert status.returncode == 1 and "does not answer" in status.stdout
            assert took < 15, f"db status took {took:.1f} s"
        finally:
            os.kill(pid, signal.SIGCONT)
    result = run_cli(["cypher", "RETURN 1 AS one", "--format", "json"], env, timeout=120)
    assert result.returncode == 0 and json.loads(result.stdout)["rows"] == [{"one": 1}]


@pytest.mark.reliability
def test_set_password_keeps_the_data(own_server: LocalServer) -> None:
    env = local_env(own_server.state_dir)
    old = settings_of(own_server)
    with Database(old) as db:
        db.write(lambda tx: tx.run("MERGE (:Probe {id: 'kept'})").consume())
    changed = run_cli(["db", "set-password"], env, timeout=120)
    assert changed.returncode == 0, changed.stderr
    new = settings_of(own_server)
    assert new.password != old.password
    assert stat.S_IMODE(own_server.credentials_path.stat().st_mode) == 0o600
    with Database(old) as db, pytest.raises(DatabaseUnavailable, match="refused the login"):
        db.ping()
    with Database(new) as db:
        assert db.read(lambda tx: tx.run("MATCH (p:Probe) RETURN p.id AS id").value()) == ["kept"]
    # A damaged file while running: the current password from NEO4J_PASSWORD rewrites it.
    own_server.credentials_path.write_text('{"uri": "bolt://127.0.')
    status = run_cli(["db", "status"], env, timeout=60)
    assert status.returncode == 1 and "damaged" in status.stdout
    repaired = run_cli(["db", "set-password", "--stdin"],
                       {**env, "NEO4J_PASSWORD": new.password}, timeout=120,
                       stdin="a chosen \"pass\\word\n")
    assert repaired.returncode == 0, repaired.stderr
    assert settings_of(own_server).password == 'a chosen "pass\\word'
    assert run_cli(["db", "status"], env, timeout=60).returncode == 0


@pytest.mark.reliability
def test_damaged_credentials_with_data_recover_without_losing_it(tmp_path: Path) -> None:
    state = tmp_path / "state"
    env = local_env(state)
    server = LocalServer(state, port=free_port())
    try:
        server.start(timeout_s=180)
        with Database(settings_of(server)) as db:
            db.write(lambda tx: tx.run("CREATE (:Probe {id: 'kept'})").consume())
    finally:
        server.stop()
    text = server.credentials_path.read_bytes()
    server.credentials_path.write_bytes(text[: len(text) // 2])
    refused = run_cli(["db", "start"], env, timeout=120)
    assert refused.returncode == 1
    assert "damaged" in one_line_error(refused)
    assert server.credentials_path.read_bytes() == text[: len(text) // 2]
    recovered = run_cli(["db", "set-password", "--forgotten"], env, timeout=240)
    assert recovered.returncode == 0, recovered.stderr
    try:
        started = run_cli(["db", "start"], env, timeout=240)
        assert started.returncode == 0, started.stderr
        assert f"ready at {server.uri}" in started.stdout
        with Database(settings_of(server)) as db:
            assert db.read(lambda tx: tx.run(
                "MATCH (p:Probe) RETURN p.id AS id").value()) == ["kept"]
    finally:
        LocalServer(state).stop()


@pytest.mark.reliability
def test_broken_store_is_reported_by_start_status_and_every_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state"
    env = local_env(state)
    server = LocalServer(state, port=free_port())
    try:
        server.start(timeout_s=180)
    finally:
        server.stop()
    neostore = state / "data" / "databases" / "neo4j" / "neostore"
    neostore.write_bytes(os.urandom(max(neostore.stat().st_size, 8192)))
    try:
        started = run_cli(["db", "start"], env, timeout=240)
        assert started.returncode == 1
        assert "its database 'neo4j' is offline" in one_line_error(started)
        status = run_cli(["db", "status"], env, timeout=60)
        assert status.returncode == 1 and status.stdout.startswith("broken:")
        assert "offline" in status.stdout
        for command in (["cypher", "RETURN 1"], ["query", "run", "actor_seeks"],
                        ["load", "seeds"], ["db", "init"]):
            result = run_cli(command, env, timeout=120)
            assert result.returncode == 2, (command, result.stderr)
            assert "database 'neo4j'" in one_line_error(result) and "not online" in \
                result.stderr, command
        doctor = run_cli(["doctor"], env, timeout=120)
        assert doctor.returncode != 0 and "Traceback" not in doctor.stderr + doctor.stdout
        assert "not online" in doctor.stdout
        point_app_at(monkeypatch, settings_of(server))
        try:
            for page in ("home.py", "console.py", "saved_queries.py"):
                at = open_page(page)
                assert not at.exception, (page, [e.value for e in at.exception])
                assert any("not online" in e.value for e in at.error), page
        finally:
            clear_caches()
    finally:
        LocalServer(state).stop()


def test_the_local_server_refuses_load_csv_from_its_own_files(db: Database) -> None:
    # Straight through the driver, past the console's own refusal of LOAD CSV: the
    # server itself must not read local files for a query.
    def load(tx: Any) -> Any:
        return tx.run("LOAD CSV FROM 'file:///etc/hostname' AS line RETURN line").data()

    with pytest.raises(ExplorerError, match="allow_csv_import_from_file_urls"):
        db.read(load)


@pytest.mark.reliability
def test_a_child_that_ignores_the_signal_is_killed_after_the_grace_period() -> None:
    """The signal may arrive while the launcher is already waiting: the 10 s grace
    period must start then too (it once waited for such a child for ever)."""
    stubborn = ("import signal, time; signal.signal(signal.SIGHUP, signal.SIG_IGN); "
                "print('ready', flush=True); time.sleep(120)")
    launcher = subprocess.Popen(
        [sys.executable, "-c", "import sys; from explorer.cli.app_command import _run_child; "
         f"sys.exit(_run_child([sys.executable, '-c', {stubborn!r}]))"],
        cwd=REPO, stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert launcher.stdout is not None and launcher.stdout.readline().strip() == "ready"
        children = psutil.Process(launcher.pid).children(recursive=True)
        time.sleep(1)  # the launcher is inside its wait now
        began = time.monotonic()
        os.kill(launcher.pid, signal.SIGHUP)
        launcher.wait(30)
        assert 9 <= time.monotonic() - began < 20
        _gone, alive = psutil.wait_procs(children, timeout=5)
        assert not alive
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()
