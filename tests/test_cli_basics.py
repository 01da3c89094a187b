"""The CLI against a stopped server, a wrong password, and a live one."""

from __future__ import annotations

from explorer.localdb.server import free_port
from tests.conftest import run_cli


def _down_env(cli_env: dict[str, str]) -> dict[str, str]:
    return {**cli_env, "NEO4J_URI": f"bolt://127.0.0.1:{free_port()}"}


def test_doctor_with_the_server_down_exits_non_zero_without_traceback(cli_env) -> None:
    result = run_cli(["doctor"], _down_env(cli_env), timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "problem server: cannot reach Neo4j at bolt://127.0.0.1:" in result.stdout
    assert "run 'explorer db start' or set NEO4J_URI" in result.stdout


def test_query_command_with_the_server_down_is_one_line(cli_env) -> None:
    result = run_cli(["db", "init"], _down_env(cli_env), timeout=120)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: cannot reach Neo4j at bolt://127.0.0.1:")


def test_wrong_password_is_one_line(cli_env) -> None:
    result = run_cli(["db", "init"], {**cli_env, "NEO4J_PASSWORD": "wrong-password"})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "refused the login for user 'neo4j'" in result.stderr


def test_doctor_on_a_live_server_is_all_ok(cli_env, db) -> None:
    result = run_cli(["doctor", "--format", "json"], cli_env)
    assert result.returncode == 0, result.stdout + result.stderr
    import json

    checks = {c["name"]: c for c in json.loads(result.stdout)}
    assert checks["server"]["ok"] and "5.26.30 community" in checks["server"]["detail"]
    assert checks["schema"]["ok"], checks["schema"]


def test_version_and_help(cli_env) -> None:
    assert run_cli(["--version"], cli_env).stdout.startswith("arms-transfer-explorer ")
    helped = run_cli(["--help"], cli_env).stdout
    for command in ("db", "doctor", "app"):
        assert command in helped
