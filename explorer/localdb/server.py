"""Start, stop and inspect the managed local Neo4j server.

The server is the Community entry point run straight from the Maven jars. That
bypasses Neo4j's own launcher, so heap size and JVM flags are passed on the
command line here (``server.jvm.additional`` and ``server.memory.heap.*`` in
neo4j.conf would be ignored). Everything lives under one state directory:
``conf/``, ``data/``, ``logs/``, ``run/`` and ``credentials.json`` (mode 0600).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from explorer.config import CREDENTIALS_FILE, DEFAULT_BOLT_PORT, cache_dir
from explorer.errors import LocalServerError
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


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    uri: str
    pid: int | None = None
    version: str | None = None
    edition: str | None = None
    state_dir: str = ""
    detail: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


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


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still answers kill(0); reap it so it reads as dead.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return _not_zombie(pid)
    return done == 0


def _not_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def new_password() -> str:
    """A random password the admin tool takes as its argument: URL-safe text that
    never starts with '-', which the tool would read as an option (token_urlsafe
    starts with '-' one time in 64, and the first start then failed)."""
    return "p" + secrets.token_urlsafe(18)


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
    ) -> None:
        self.state_dir = Path(state_dir)
        saved = self._read_json(self.credentials_path) or {}
        saved_port = int(str(saved.get("uri", "")).rsplit(":", 1)[-1] or 0) if saved else 0
        self.port = port or saved_port or DEFAULT_BOLT_PORT
        self.http_port = http_port
        self.heap_mb = heap_mb
        self.pagecache_mb = pagecache_mb
        self.transaction_timeout_s = transaction_timeout_s

    # -- paths -----------------------------------------------------------------
    @property
    def uri(self) -> str:
        return f"bolt://{HOST}:{self.port}"

    @property
    def credentials_path(self) -> Path:
        return self.state_dir / CREDENTIALS_FILE

    @property
    def pid_path(self) -> Path:
        return self.state_dir / "run" / "neo4j.pid"

    @property
    def console_log(self) -> Path:
        return self.state_dir / "logs" / "console.log"

    # -- public operations -------------------------------------------------------
    def start(self, timeout_s: float = 120.0, quiet: bool = True) -> ServerStatus:
        """Start the server (fetching jars on first use) and wait until Bolt answers."""
        current = self._running_pid()
        if current is not None:
            return self.status()
        if not port_is_free(self.port):
            raise LocalServerError(
                f"port {self.port} on {HOST} is already in use — stop what is using it "
                "or choose another with --port"
            )
        if self.http_port is not None and not port_is_free(self.http_port):
            raise LocalServerError(f"HTTP port {self.http_port} on {HOST} is already in use")
        java = find_java()
        lib = ensure_jars(NEO4J_VERSION, cache_dir())
        for sub in ("conf", "data", "logs", "run", "plugins", "import"):
            (self.state_dir / sub).mkdir(parents=True, exist_ok=True)
        self._write_conf()
        password = self._ensure_credentials(java, lib)
        process = self._spawn(java, lib)
        self.pid_path.write_text(str(process.pid), encoding="utf-8")
        self._wait_for_bolt(process, password, timeout_s)
        return self.status()

    def stop(self, timeout_s: float = 60.0) -> bool:
        """SIGTERM, wait for a clean shutdown, SIGKILL as a last resort. True if it was running."""
        pid = self._running_pid()
        if pid is None:
            self.pid_path.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not _pid_alive(pid):
                break
            time.sleep(0.2)
        else:
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.5)
        self.pid_path.unlink(missing_ok=True)
        return True

    def status(self) -> ServerStatus:
        pid = self._running_pid()
        base = {"uri": self.uri, "pid": pid, "state_dir": str(self.state_dir)}
        if pid is None:
            return ServerStatus(running=False, detail="not running", **base)
        try:
            info = self._components()
        except Exception as error:  # any failure to answer means "not serving"
            return ServerStatus(running=False, detail=f"process {pid} does not answer: {error}",
                                **base)
        return ServerStatus(running=True, version=info["version"], edition=info["edition"],
                            detail="running", **base)

    def reset(self) -> None:
        """Delete the local data (the server must be stopped); credentials go too."""
        if self._running_pid() is not None:
            raise LocalServerError("the local server is running — run 'explorer db stop' first")
        for sub in ("data", "logs", "run"):
            shutil.rmtree(self.state_dir / sub, ignore_errors=True)
        self.credentials_path.unlink(missing_ok=True)

    def env_lines(self) -> list[str]:
        credentials = self._read_json(self.credentials_path) or {}
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

    # -- internals -------------------------------------------------------------------
    def _running_pid(self) -> int | None:
        try:
            pid = int(self.pid_path.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            return None
        return pid if _pid_alive(pid) else None

    @staticmethod
    def _read_json(path: Path) -> dict | None:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None

    def _write_conf(self) -> None:
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
            "dbms.security.auth_enabled=true\n"
            "dbms.usage_report.enabled=false\n"
            f"server.memory.pagecache.size={self.pagecache_mb}m\n"
            f"db.transaction.timeout={self.transaction_timeout_s}s\n"
            "db.tx_log.rotation.retention_policy=2 files\n"
            f"server.directories.data={state / 'data'}\n"
            f"server.directories.logs={state / 'logs'}\n"
            f"server.directories.run={state / 'run'}\n"
            f"server.directories.plugins={state / 'plugins'}\n"
            f"server.directories.import={state / 'import'}\n"
            "server.directories.lib=lib\n"
        )
        (state / "conf" / "neo4j.conf").write_text(conf, encoding="utf-8")

    def _ensure_credentials(self, java: JavaRuntime, lib: Path) -> str:
        credentials = self._read_json(self.credentials_path)
        if credentials and (self.state_dir / "data" / "dbms" / "auth.ini").is_file():
            credentials["uri"] = self.uri
            self._write_credentials(credentials)
            return str(credentials["password"])
        # Before the first start the admin tool sets the password offline, so the
        # server never runs with the default neo4j/neo4j login.
        password = new_password()
        completed = subprocess.run(
            [str(java.path), "-cp", f"{lib}/*", "-Dlog4j2.disable.jmx=true", ADMIN_TOOL,
             "dbms", "set-initial-password", password],
            env={**os.environ, "NEO4J_HOME": str(self.state_dir),
                 "NEO4J_CONF": str(self.state_dir / "conf")},
            capture_output=True, text=True, timeout=120, check=False,
        )
        if completed.returncode != 0:
            raise LocalServerError(
                "could not set the initial Neo4j password: "
                + (completed.stderr or completed.stdout).strip().splitlines()[-1]
            )
        self._write_credentials({"uri": self.uri, "username": "neo4j", "password": password})
        return password

    def _write_credentials(self, credentials: dict) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.credentials_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(credentials, handle, indent=2)
        os.chmod(self.credentials_path, 0o600)

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
        log = self.console_log.open("ab")
        # A new session keeps Ctrl-C in the calling shell from killing the server.
        return subprocess.Popen(
            command,
            cwd=self.state_dir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "NEO4J_HOME": str(self.state_dir)},
        )

    def _wait_for_bolt(self, process: subprocess.Popen, password: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        last_error = ""
        while time.monotonic() < deadline:
            code = process.poll()
            if code is not None:
                self.pid_path.unlink(missing_ok=True)
                reason = EXIT_REASONS.get(code, f"exit code {code}")
                raise LocalServerError(
                    f"Neo4j stopped during start-up ({reason}); the log ends with:\n"
                    + self.log_tail()
                )
            try:
                self._components(password)
                return
            except Exception as error:  # not up yet: keep polling until the deadline
                last_error = str(error)
                time.sleep(0.5)
        self.stop(timeout_s=20)
        raise LocalServerError(
            f"Neo4j did not answer on {self.uri} within {timeout_s:.0f} s ({last_error}); "
            "the log ends with:\n" + self.log_tail()
        )

    def _components(self, password: str | None = None) -> dict[str, str]:
        import neo4j

        # A plain TCP probe first: the driver's own retries would make polling slow and noisy.
        with socket.create_connection((HOST, self.port), timeout=2.0):
            pass
        if password is None:
            password = str((self._read_json(self.credentials_path) or {}).get("password", ""))
        with neo4j.GraphDatabase.driver(
            self.uri, auth=("neo4j", password), connection_timeout=3.0
        ) as driver, driver.session(database="system") as session:
            record = session.run(
                "CALL dbms.components() YIELD versions, edition "
                "RETURN versions[0] AS version, edition"
            ).single()
            return {"version": record["version"], "edition": record["edition"]}
