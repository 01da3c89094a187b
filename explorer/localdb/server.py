"""Start, stop and inspect the managed local Neo4j server.

The server is the Community entry point run straight from the Maven jars. That
bypasses Neo4j's own launcher, so heap size and JVM flags are passed on the
command line here (``server.jvm.additional`` and ``server.memory.heap.*`` in
neo4j.conf would be ignored). Everything lives under one state directory, mode
0700: ``conf/``, ``data/``, ``logs/``, ``run/`` and ``credentials.json`` (0600);
the server and the admin tool run with umask 077, so what they write is private.

Which process is the server is decided by more than a live PID:
``run/explorer-server.json`` records the PID, its start time and the port, and
a process counts as ours only if its command line runs the entry point with
``--home-dir`` of this state directory (and, when recorded, its start time
matches). A PID file naming anything else is stale: it is removed, never
signalled. The credentials file is never replaced behind the user's back: a
damaged one stops ``start`` with the recovery steps (docs/reliability.md).

Why one module of ~700 lines: it is one class, the server's lifecycle, whose
private steps (state directory, credentials, conf, spawn, wait) must run in an
order that is easiest to check when read top to bottom in one place; the Java
and jar lookups it needs are ``java.py`` and ``jars.py``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psutil

from explorer.config import CREDENTIALS_FILE, DEFAULT_BOLT_PORT, Settings, cache_dir
from explorer.errors import ExplorerError, LocalServerError
from explorer.localdb.jars import ensure_jars
from explorer.localdb.java import JavaRuntime, find_java

NEO4J_VERSION = "5.26.30"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
HOST = "127.0.0.1"

# The flags the 5.26 distribution's launcher passes to the JVM.
JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+AlwaysPreTouch",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-XX:FlightRecorderOptions=stackdepth=256",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dlog4j.layout.jsonTemplate.maxStringLength=32768",
)

# CommunityEntryPoint's exit codes.
EXIT_REASONS = {1: "the web server failed", 2: "the database failed", 3: "invalid configuration"}


DATABASE = "neo4j"
# Per-transaction memory for every query on the local server (db.memory.transaction.max):
# one console query cannot take the whole pool (70 % of the heap) from the others. The
# loaders commit in batches, far below it. docker-compose.yml sets the same value.
TRANSACTION_MEMORY_MB = 256
# Seconds a status probe may take before the server counts as not answering.
PROBE_TIMEOUT_S = 5.0
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600

RECOVERY_STEPS = (
    "if you know the password, 'NEO4J_PASSWORD=... explorer db set-password' with the "
    "server running writes a new file; if not, 'explorer db stop' then "
    "'explorer db set-password --forgotten' sets a new password and keeps the data "
    "(docs/reliability.md, \"Credentials\")"
)


@dataclass(frozen=True)
class ServerStatus:
    # Our server process answers on Bolt with the saved credentials.
    running: bool
    uri: str
    pid: int | None = None
    version: str | None = None
    edition: str | None = None
    state_dir: str = ""
    detail: str = ""
    # SHOW DATABASE's verdict on the graph database: "online", "offline", ... ("" if unknown).
    database: str = ""

    @property
    def healthy(self) -> bool:
        """Answers, and the graph database is online: what `start` promises."""
        return self.running and self.database == "online"

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "healthy": self.healthy}


@dataclass(frozen=True)
class RunningServer:
    process: psutil.Process
    port: int


def port_is_free(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Like the server's own socket: a port in TIME_WAIT after a stop is free to reuse.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def new_password() -> str:
    """A random password the admin tool takes as its argument: URL-safe text that
    never starts with '-', which the tool would read as an option (token_urlsafe
    starts with '-' one time in 64, and the first start then failed)."""
    return "p" + secrets.token_urlsafe(18)


def _argfile_quote(value: str) -> str:
    """One argument for a java @argfile: double-quoted, backslash and quote escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _write_private(path: Path, text: str) -> None:
    """Write ``path`` atomically with mode 0600: a crash leaves the old file or the new
    one, never a truncated one (a truncated credentials file used to lock users out)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, PRIVATE_FILE)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _stop_child(process: subprocess.Popen, timeout_s: float) -> None:
    """Stop a server this process spawned (Popen knows it is ours and reaps it)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


class LocalServer:
    """One Neo4j server under one state directory."""

    def __init__(
        self,
        state_dir: Path,
        port: int | None = None,
        http_port: int | None = None,
        heap_mb: int = 512,
        pagecache_mb: int = 256,
        transaction_timeout_s: int = 120,
        transaction_memory_mb: int = TRANSACTION_MEMORY_MB,
    ) -> None:
        self.state_dir = Path(state_dir)
        self.requested_port = port
        saved = self._saved_credentials_or_none()
        saved_port = int(str(saved.get("uri", "")).rsplit(":", 1)[-1] or 0) if saved else 0
        # Without a readable credentials file the last start's conf still knows the port.
        self.port = port or saved_port or self._conf_port(DEFAULT_BOLT_PORT)
        self.http_port = http_port
        self.heap_mb = heap_mb
        self.pagecache_mb = pagecache_mb
        self.transaction_timeout_s = transaction_timeout_s
        self.transaction_memory_mb = transaction_memory_mb

    # -- paths -----------------------------------------------------------------
    @property
    def uri(self) -> str:
        return f"bolt://{HOST}:{self.port}"

    @property
    def credentials_path(self) -> Path:
        return self.state_dir / CREDENTIALS_FILE

    @property
    def pid_path(self) -> Path:
        """Our record of the server: PID, start time, port (JSON). Neo4j writes its own
        bare ``run/neo4j.pid`` too; that one is never trusted."""
        return self.state_dir / "run" / "explorer-server.json"

    @property
    def console_log(self) -> Path:
        return self.state_dir / "logs" / "console.log"

    # -- public operations -------------------------------------------------------
    def start(self, timeout_s: float = 120.0, quiet: bool = True) -> ServerStatus:
        """Start the server (fetching jars on first use); return once Bolt answers on the
        port with the saved credentials and the graph database is online, else raise."""
        running = self._find_server()
        if running is not None:
            return self._already_running(running)
        self._prepare_state_dir()
        # PID files left here name no server of ours (or it would have been found).
        self.pid_path.unlink(missing_ok=True)
        (self.state_dir / "run" / "neo4j.pid").unlink(missing_ok=True)
        if not port_is_free(self.port):
            raise LocalServerError(
                f"port {self.port} on {HOST} is already in use — stop what is using it "
                "or choose another with --port"
            )
        if self.http_port is not None and not port_is_free(self.http_port):
            raise LocalServerError(f"HTTP port {self.http_port} on {HOST} is already in use")
        saved = self._saved_credentials()
        java = find_java()
        lib = ensure_jars(NEO4J_VERSION, cache_dir())
        self._write_conf()
        password = self._ensure_credentials(java, lib, saved)
        process = self._spawn(java, lib)
        try:
            offline = self._wait_until_ready(process, password, timeout_s)
        except BaseException:
            _stop_child(process, 20.0)
            self.pid_path.unlink(missing_ok=True)
            raise
        if offline:
            # Left running: 'db status' shows the cause, 'db stop' stops it.
            raise LocalServerError(
                f"Neo4j started at {self.uri} (pid {process.pid}) but {offline} — the server "
                "stays up for 'explorer db status'; 'explorer db stop' stops it")
        return self.status()

    def stop(self, timeout_s: float = 60.0) -> bool:
        """SIGTERM our server, wait for a clean shutdown, SIGKILL as a last resort.
        True if it was running. A PID file naming any other process is removed, and
        that process is left alone."""
        running = self._find_server()
        if running is None:
            self.pid_path.unlink(missing_ok=True)
            return False
        self._stop_process(running.process, timeout_s)
        self.pid_path.unlink(missing_ok=True)
        return True

    def status(self, timeout_s: float = PROBE_TIMEOUT_S) -> ServerStatus:
        """Our server's state, in at most a few probe timeouts (a hung server included)."""
        running = self._find_server()
        if running is None:
            return ServerStatus(running=False, uri=self.uri, state_dir=str(self.state_dir),
                                detail="not running")
        self.port = running.port
        pid = running.process.pid
        base: dict[str, Any] = {"uri": self.uri, "pid": pid, "state_dir": str(self.state_dir)}
        try:
            password = self._saved_password()
            with self._database(password) as db:
                info = db.ping(database="system", timeout=timeout_s)
                state, message = db.database_status(DATABASE, timeout=timeout_s)
        except ExplorerError as error:
            return ServerStatus(running=False, detail=f"process {pid} does not answer: {error}",
                                **base)
        if state != "online":
            why = f" ({message})" if message else ""
            detail = (f"its database {DATABASE!r} is {state}{why} — see "
                      f"{self.state_dir / 'logs' / 'debug.log'}; a damaged store needs a "
                      "restore from backup or 'explorer db reset' (deletes the data)")
        else:
            detail = "running"
        return ServerStatus(running=True, version=info["version"], edition=info["edition"],
                            detail=detail, database=state, **base)

    def reset(self) -> None:
        """Delete the local data (the server must be stopped); credentials go too."""
        if self._find_server() is not None:
            raise LocalServerError("the local server is running — run 'explorer db stop' first")
        for sub in ("data", "logs", "run"):
            shutil.rmtree(self.state_dir / sub, ignore_errors=True)
        self.credentials_path.unlink(missing_ok=True)

    def set_password(self, current: str | None = None, new: str | None = None) -> str:
        """Change the password of the running server and save it; the data stays.

        ``current`` defaults to the saved one (give it when the credentials file is
        damaged); ``new`` defaults to a random one. Returns the new password."""
        from explorer.errors import DatabaseUnavailable

        running = self._find_server()
        if running is None:
            raise LocalServerError(
                "the local server is not running — start it with 'explorer db start' (or, if "
                "the password is lost, use 'explorer db set-password --forgotten')")
        self.port = running.port
        if current is None:
            current = self._saved_password()
        new = new or new_password()
        staged = self._stage_credentials(new)
        try:
            with self._database(current) as db:
                db.write(lambda tx: tx.run(
                    "ALTER CURRENT USER SET PASSWORD FROM $old TO $new",
                    old=current, new=new).consume(), database="system", timeout=30)
        except DatabaseUnavailable as error:
            staged.unlink(missing_ok=True)
            raise LocalServerError(f"could not change the password: {error}") from error
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        os.replace(staged, self.credentials_path)
        return new

    def recover_password(self, new: str | None = None, timeout_s: float = 120.0) -> str:
        """Set a new password when the current one is lost; the data stays.

        The server must be stopped. It is started once with authentication off, on
        a free loopback port, only long enough to run ALTER USER on the system
        database, then stopped; the next 'db start' uses the new password."""
        if self._find_server() is not None:
            raise LocalServerError("the local server is running — run 'explorer db stop' first")
        if not (self.state_dir / "data" / "databases" / "system").is_dir():
            raise LocalServerError(
                f"no local data under {self.state_dir / 'data'} — 'explorer db start' sets "
                "a new password on first start")
        self._prepare_state_dir()
        new = new or new_password()
        java = find_java()
        lib = ensure_jars(NEO4J_VERSION, cache_dir())
        wanted_port = self.port
        self.port = free_port()
        self._write_conf(auth=False)
        process = self._spawn(java, lib)
        staged = self._stage_credentials(new, port=wanted_port)
        try:
            if self._wait_until_ready(process, "", timeout_s):
                raise LocalServerError(self.status().detail)
            with self._database("") as db:
                db.write(lambda tx: tx.run(
                    "ALTER USER neo4j SET PASSWORD $new CHANGE NOT REQUIRED",
                    new=new).consume(), database="system", timeout=30)
            os.replace(staged, self.credentials_path)
        finally:
            staged.unlink(missing_ok=True)
            _stop_child(process, 60.0)
            self.pid_path.unlink(missing_ok=True)
            self.port = wanted_port
            self._write_conf()
        return new

    def env_lines(self) -> list[str]:
        credentials = self._saved_credentials()
        return [
            f"export NEO4J_URI={credentials.get('uri', self.uri)}",
            f"export NEO4J_USERNAME={credentials.get('username', 'neo4j')}",
            f"export NEO4J_PASSWORD={credentials.get('password', '')}",
        ]

    def log_tail(self, lines: int = 30) -> str:
        chunks = []
        for path in (self.console_log, self.state_dir / "logs" / "neo4j.log"):
            if path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()
                chunks.extend(text[-lines:])
        return "\n".join(chunks[-lines:])

    # -- which process is ours ------------------------------------------------------
    def _is_ours(self, process: psutil.Process, started: float | None = None) -> bool:
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                return False
            if started is not None and abs(process.create_time() - started) > 1.0:
                return False
            command = process.cmdline()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            return False
        return ENTRY_POINT in command and f"--home-dir={self.state_dir}" in command

    def _find_server(self) -> RunningServer | None:
        """Our running server: the PID file's process if it is ours, else a scan of the
        process table for the entry point with this state directory (a PID file that
        was lost or names another process)."""
        record = self._read_run_record()
        if record is not None:
            try:
                process = psutil.Process(int(record["pid"]))
            except (psutil.NoSuchProcess, ValueError, KeyError, TypeError):
                process = None
            if process is not None and self._is_ours(process, record.get("started")):
                return RunningServer(process, int(record.get("port") or self._conf_port()))
        for process in psutil.process_iter():
            if self._is_ours(process):
                return RunningServer(process, self._conf_port())
        return None

    def _read_run_record(self) -> dict[str, Any] | None:
        try:
            text = self.pid_path.read_text(encoding="utf-8").strip()
        except OSError:
            return None
        try:
            record = json.loads(text)
        except json.JSONDecodeError:
            return None
        return record if isinstance(record, dict) else None

    def _conf_port(self, default: int | None = None) -> int:
        """The Bolt port of the last start, from the generated neo4j.conf."""
        try:
            for line in (self.state_dir / "conf" / "neo4j.conf").read_text().splitlines():
                if line.startswith("server.bolt.listen_address="):
                    return int(line.rsplit(":", 1)[-1])
        except (OSError, ValueError):
            pass
        return default if default is not None else self.port

    def _already_running(self, running: RunningServer) -> ServerStatus:
        pid = running.process.pid
        if self.requested_port is not None and running.port != self.requested_port:
            raise LocalServerError(
                f"the local server already runs at bolt://{HOST}:{running.port} (pid {pid}), "
                f"not on port {self.requested_port} — run 'explorer db stop' first to move it")
        self.port = running.port
        status = self.status()
        if not status.healthy:
            raise LocalServerError(f"the local server (pid {pid}) runs but is not usable: "
                                   f"{status.detail}")
        return status

    @staticmethod
    def _stop_process(process: psutil.Process, timeout_s: float) -> None:
        # psutil refuses to signal a process whose PID was reused since `process` was made.
        try:
            process.terminate()
            process.wait(timeout_s)
        except psutil.TimeoutExpired:
            process.kill()
            process.wait(10)
        except psutil.NoSuchProcess:
            pass

    # -- files ------------------------------------------------------------------------
    def _prepare_state_dir(self) -> None:
        """Create the state directory and its parts, private to this user; a directory
        that cannot be used is one line naming it, not a traceback."""
        try:
            self.state_dir.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
            os.chmod(self.state_dir, PRIVATE_DIR)
            for sub in ("conf", "data", "logs", "run", "plugins", "import"):
                path = self.state_dir / sub
                path.mkdir(mode=PRIVATE_DIR, exist_ok=True)
                os.chmod(path, PRIVATE_DIR)
                os.listdir(path)
            # Files earlier versions left readable by everyone (umask 022).
            for path in (self.credentials_path, self.state_dir / "data" / "dbms" / "auth.ini",
                         *(self.state_dir / "logs").glob("*")):
                if path.is_file():
                    os.chmod(path, PRIVATE_FILE)
            databases = self.state_dir / "data" / "databases"
            if databases.is_dir():
                for path in (databases, *databases.iterdir()):
                    if path.is_dir():  # store_lock is a file
                        os.listdir(path)
        except OSError as error:
            where = error.filename or self.state_dir
            raise LocalServerError(
                f"cannot use the local server's directory {where}: "
                f"{error.strerror or error} — give this user read and write access "
                f"(e.g. 'chmod -R u+rwX {self.state_dir}') or choose another with "
                "EXPLORER_STATE_DIR") from error

    def _saved_credentials_or_none(self) -> dict[str, Any] | None:
        try:
            return self._saved_credentials()
        except LocalServerError:
            return None

    def _saved_credentials(self) -> dict[str, Any]:
        """The credentials file ({} when there is none); a damaged one is an error
        with the recovery steps, and it is left as it is."""
        path = self.credentials_path
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise LocalServerError(f"cannot read {path}: {error.strerror} — fix its "
                                   "permissions (it should be mode 0600, owned by you)") from error
        try:
            data = json.loads(text)
            problem = None if isinstance(data, dict) and isinstance(
                data.get("password"), str) and data["password"] else "no password in it"
        except json.JSONDecodeError as error:
            problem = f"not JSON: {error.msg} at line {error.lineno}"
        if problem:
            raise LocalServerError(f"the credentials file {path} is damaged ({problem}); it was "
                                   f"left unchanged — {RECOVERY_STEPS}")
        return data

    def _saved_password(self) -> str:
        saved = self._saved_credentials()
        if not saved:
            raise LocalServerError(f"no credentials file at {self.credentials_path} — "
                                   + RECOVERY_STEPS)
        return str(saved["password"])

    def _stage_credentials(self, password: str, port: int | None = None) -> Path:
        """Write the new credentials beside the file (0600) for a later os.replace, so a
        password is never set on the server without being saved first."""
        credentials = {"uri": f"bolt://{HOST}:{port or self.port}", "username": "neo4j",
                       "password": password}
        staged = self.credentials_path.with_name(CREDENTIALS_FILE + ".new")
        _write_private(staged, json.dumps(credentials, indent=2))
        return staged

    def _write_conf(self, auth: bool = True) -> None:
        state = self.state_dir
        http = (
            f"server.http.enabled=true\nserver.http.listen_address={HOST}:{self.http_port}\n"
            if self.http_port
            else "server.http.enabled=false\n"
        )
        conf = (
            "# Generated by 'explorer db start'; edits are overwritten at the next start.\n"
            f"server.default_listen_address={HOST}\n"
            f"server.default_advertised_address={HOST}\n"
            f"server.bolt.listen_address={HOST}:{self.port}\n"
            f"server.bolt.advertised_address={HOST}:{self.port}\n"
            f"{http}"
            "server.https.enabled=false\n"
            f"dbms.security.auth_enabled={'true' if auth else 'false'}\n"
            "dbms.usage_report.enabled=false\n"
            # The console refuses LOAD CSV itself; the server refuses file:// URLs too.
            "dbms.security.allow_csv_import_from_file_urls=false\n"
            f"server.memory.pagecache.size={self.pagecache_mb}m\n"
            f"db.transaction.timeout={self.transaction_timeout_s}s\n"
            f"db.memory.transaction.max={self.transaction_memory_mb}m\n"
            "db.tx_log.rotation.retention_policy=2 files\n"
            f"server.directories.data={state / 'data'}\n"
            f"server.directories.logs={state / 'logs'}\n"
            f"server.directories.run={state / 'run'}\n"
            f"server.directories.plugins={state / 'plugins'}\n"
            f"server.directories.import={state / 'import'}\n"
            "server.directories.lib=lib\n"
        )
        _write_private(state / "conf" / "neo4j.conf", conf)

    def _ensure_credentials(self, java: JavaRuntime, lib: Path, saved: dict[str, Any]) -> str:
        """The password for this start. Fresh data gets the saved password (or a new
        random one, saved) set offline by the admin tool, so the server never runs with
        neo4j/neo4j. Existing data keeps its password: an existing credentials file is
        only ever updated with the port, never given a new password."""
        fresh = not (self.state_dir / "data" / "databases" / "system").exists()
        if not saved and not fresh:
            raise LocalServerError(
                f"the local data under {self.state_dir / 'data'} has a password but there is "
                f"no credentials file at {self.credentials_path} — {RECOVERY_STEPS}")
        password = str(saved["password"]) if saved else new_password()
        if fresh:
            self._set_initial_password(java, lib, password)
        if saved.get("uri") != self.uri:
            _write_private(self.credentials_path, json.dumps(
                {**saved, "uri": self.uri, "username": saved.get("username", "neo4j"),
                 "password": password}, indent=2))
        return password

    def _set_initial_password(self, java: JavaRuntime, lib: Path, password: str) -> None:
        # The password goes to the admin tool through a java @argfile (mode 0600, in the
        # private state directory, deleted right after): on the command line every
        # local user could read it in `ps` while the tool runs.
        argfile = self.state_dir / "run" / "set-initial-password.args"
        _write_private(argfile, "\n".join([
            "-XX:-UsePerfData", "-cp", _argfile_quote(f"{lib}/*"),
            "-Dlog4j2.disable.jmx=true", ADMIN_TOOL, "dbms", "set-initial-password",
            _argfile_quote(password), ""]))
        try:
            completed = subprocess.run(
                [str(java.path), f"@{argfile}"],
                env={**os.environ, "NEO4J_HOME": str(self.state_dir),
                     "NEO4J_CONF": str(self.state_dir / "conf")},
                capture_output=True, text=True, timeout=120, check=False, umask=0o077,
            )
        finally:
            argfile.unlink(missing_ok=True)
        if completed.returncode != 0:
            raise LocalServerError(
                "could not set the initial Neo4j password: "
                + ((completed.stderr or completed.stdout).strip().splitlines() or ["?"])[-1]
            )

    def _database(self, password: str) -> Any:
        from explorer.db import Database

        return Database(Settings(self.uri, "neo4j", password, DATABASE, str(self.state_dir)))

    # -- the process ---------------------------------------------------------------------
    def _spawn(self, java: JavaRuntime, lib: Path) -> subprocess.Popen:
        command = [
            str(java.path),
            f"-Xms{min(self.heap_mb, 256)}m",
            f"-Xmx{self.heap_mb}m",
            *JVM_FLAGS,
            "-cp",
            f"{lib}/*",
            ENTRY_POINT,
            f"--home-dir={self.state_dir}",
            f"--config-dir={self.state_dir / 'conf'}",
            "--console-mode",
        ]
        fd = os.open(self.console_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
        with os.fdopen(fd, "ab") as log:
            # A new session keeps Ctrl-C in the calling shell from killing the server;
            # umask 077 keeps its logs, auth.ini and store files private.
            process = subprocess.Popen(
                command,
                cwd=self.state_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, "NEO4J_HOME": str(self.state_dir)},
                umask=0o077,
            )
        started = psutil.Process(process.pid).create_time()
        _write_private(self.pid_path, json.dumps(
            {"pid": process.pid, "started": started, "port": self.port}))
        return process

    def _wait_until_ready(self, process: subprocess.Popen, password: str,
                          timeout_s: float) -> str:
        """Until Bolt answers on our port with ``password`` and the graph database is
        online (returns ""), or the database failed to come online (returns why);
        raises with the reason (and the log's tail) otherwise."""
        from explorer.errors import DatabaseUnavailable, LoginRefused

        deadline = time.monotonic() + timeout_s
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            code = process.poll()
            if code is not None:
                reason = EXIT_REASONS.get(code, f"exit code {code}")
                raise LocalServerError(
                    f"Neo4j stopped during start-up ({reason}); the log ends with:\n"
                    + self.log_tail()
                )
            try:
                # A plain TCP probe first: the driver's own retries would make polling slow.
                with socket.create_connection((HOST, self.port), timeout=2.0):
                    pass
                with self._database(password) as db:
                    db.ping(database="system", timeout=PROBE_TIMEOUT_S)
                    state, message = db.database_status(DATABASE, timeout=PROBE_TIMEOUT_S)
            except OSError as error:
                last_error = str(error)
                time.sleep(0.5)
                continue
            except LoginRefused as error:
                raise LocalServerError(
                    f"Neo4j on {self.uri} refused the saved password — "
                    + RECOVERY_STEPS) from error
            except DatabaseUnavailable as error:
                last_error = str(error)
                time.sleep(0.5)
                continue
            if state == "online":
                return ""
            if message:
                return (f"its database {DATABASE!r} is {state} ({message}) — see "
                        f"{self.state_dir / 'logs' / 'debug.log'}; a damaged store needs a "
                        "restore from backup or 'explorer db reset' (deletes the data)")
            last_error = f"database {DATABASE!r} is {state}"
            time.sleep(0.5)
        raise LocalServerError(
            f"Neo4j did not answer on {self.uri} within {timeout_s:.0f} s ({last_error}); "
            "the log ends with:\n" + self.log_tail()
        )
