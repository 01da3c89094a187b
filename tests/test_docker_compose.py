"""docker-compose.yml cannot run here (no Docker engine): check its structure instead."""

from __future__ import annotations

import yaml

from tests.conftest import REPO


def test_compose_file_has_neo4j_with_healthcheck_and_dashboard_after_it() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    neo4j = compose["services"]["neo4j"]
    assert neo4j["image"] == "neo4j:5.26-community"
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
    assert any(v.startswith("neo4j-data:") for v in neo4j["volumes"])
    assert "neo4j-data" in compose["volumes"]
    assert neo4j["env_file"] == ".env"
    assert neo4j["ports"] == ["127.0.0.1:7687:7687"]
    # The same limits as the local server: memory per transaction, no LOAD CSV of files.
    env = neo4j["environment"]
    assert env["NEO4J_db_memory_transaction_max"] == "256m"
    assert env["NEO4J_dbms_security_allow__csv__import__from__file__urls"] == "false"
    dashboard = compose["services"]["dashboard"]
    assert dashboard["build"] == "."
    assert dashboard["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert dashboard["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"


def test_env_example_is_committed_and_env_is_ignored() -> None:
    assert "NEO4J_PASSWORD=" in (REPO / ".env.example").read_text()
    assert ".env" in (REPO / ".gitignore").read_text().splitlines()


def test_dockerfile_copies_what_the_dashboard_needs() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    for needed in ("COPY explorer", "COPY cypher", "COPY seeds", "pip install"):
        assert needed in dockerfile
