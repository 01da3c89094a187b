"""The managed local Neo4j: start, persist, reset, ports, credentials, addresses."""

from __future__ import annotations

import ipaddress
import os
import socket
import stat
from pathlib import Path

import psutil
import pytest

from explorer.config import load_settings
from explorer.db import Database
from explorer.errors import LocalServerError
from explorer.localdb import LocalServer
from explorer.localdb.server import free_port
from tests.conftest import run_cli


# Three starts of a server of its own (a minute or two on 2 cores): with the long
# checks (make test-reliability, CI). Every session's own server covers start and stop.
@pytest.mark.reliability
def test_server_keeps_data_across_restart_and_reset_empties_it(tmp_path: Path) -> None:
    server = LocalServer(tmp_path / "state", port=free_port())
    try:
        status = server.start()
        assert status.running and status.version == "5.26.30" and status.edition == "community"
        settings = load_settings({"EXPLORER_STATE_DIR": str(server.state_dir)})
        with Database(settings) as db:
            db.write(lambda tx: tx.run("CREATE (:Probe {id: 'kept'})").consume())
        assert server.stop() is True
        assert not server.status().running
        server.start()
        with Database(settings) as db:
            kept = db.read(lambda tx: tx.run("MATCH (p:Probe) RETURN p.id AS id").value())
        assert kept == ["kept"]
    finally:
        server.stop()
    server.reset()
    assert not (server.state_dir / "data").exists()
    try:
        server.start()
        settings = load_settings({"EXPLORER_STATE_DIR": str(server.state_dir)})
        with Database(settings) as db:
            left = db.read(lambda tx: tx.run("MATCH (n) RETURN count(n) AS c").single()["c"])
        assert left == 0
    finally:
        server.stop()


def test_taken_port_fails_fast_with_a_clear_message(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(LocalServerError, match=f"port {port} on 127.0.0.1 is already in use"):
            LocalServer(tmp_path, port=port).start()


def test_cli_start_on_taken_port_is_one_line(tmp_path: Path, cli_env: dict[str, str]) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        env = {**cli_env, "EXPLORER_STATE_DIR": str(tmp_path)}
        result = run_cli(["db", "start", "--port", str(port)], env, timeout=60)
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "already in use" in result.stderr and "Traceback" not in result.stderr


def test_credentials_file_is_private(neo4j_server: LocalServer | None) -> None:
    if neo4j_server is None:
        pytest.skip("tests run against an external server (EXPLORER_TEST_NEO4J_URI)")
    mode = stat.S_IMODE(os.stat(neo4j_server.credentials_path).st_mode)
    assert mode == 0o600


def test_server_listens_only_on_loopback(neo4j_server: LocalServer | None) -> None:
    if neo4j_server is None:
        pytest.skip("tests run against an external server (EXPLORER_TEST_NEO4J_URI)")
    pid = neo4j_server.status().pid
    listening = [c.laddr for c in psutil.Process(pid).net_connections(kind="inet")
                 if c.status == psutil.CONN_LISTEN]
    assert listening, "the server listens on nothing"
    # Java reports its IPv4 socket as the IPv4-mapped "::ffff:127.0.0.1".
    addresses = {ipaddress.ip_address(addr.ip) for addr in listening}
    addresses = {getattr(a, "ipv4_mapped", None) or a for a in addresses}
    assert addresses == {ipaddress.ip_address("127.0.0.1")}, listening
    # HTTP is off by default: Bolt is the only listener.
    assert [addr.port for addr in listening] == [neo4j_server.port]


def test_environment_overrides_local_credentials(tmp_path: Path) -> None:
    (tmp_path / "credentials.json").write_text(
        '{"uri": "bolt://127.0.0.1:1", "username": "neo4j", "password": "local-pw"}')
    local = load_settings({"EXPLORER_STATE_DIR": str(tmp_path)})
    assert (local.uri, local.password) == ("bolt://127.0.0.1:1", "local-pw")
    overridden = load_settings({
        "EXPLORER_STATE_DIR": str(tmp_path), "NEO4J_URI": "neo4j+s://example.databases.neo4j.io",
        "NEO4J_USERNAME": "analyst", "NEO4J_PASSWORD": "env-pw", "NEO4J_DATABASE": "arms",
    })
    assert (overridden.uri, overridden.username, overridden.password, overridden.database) == (
        "neo4j+s://example.databases.neo4j.io", "analyst", "env-pw", "arms")
    assert "environment" in overridden.credentials_from


def test_routing_uri_works_against_the_single_local_server(settings) -> None:
    routed = settings.__class__(settings.uri.replace("bolt://", "neo4j://"), settings.username,
                                settings.password, settings.database, "test")
    with Database(routed) as db:
        assert db.ping()["edition"] == "community"
        assert db.read(lambda tx: tx.run("RETURN 1 AS one").single()["one"]) == 1


def test_generated_passwords_never_look_like_an_option() -> None:
    # The admin tool reads a leading '-' as an option: one first start in 64 failed
    # with a usage message before passwords were kept from starting with one.
    from explorer.localdb.server import new_password

    passwords = {new_password() for _ in range(2000)}
    assert len(passwords) == 2000
    assert not any(p.startswith("-") for p in passwords)
    assert all(len(p) >= 24 for p in passwords)
