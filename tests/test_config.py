"""explorer/config.py: the one module that reads the environment, and the .env file
it reads as docker compose does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from explorer import config
from explorer.config import environment, load_settings, parse_dotenv, setting
from explorer.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def test_dotenv_lines_read_as_compose_reads_them() -> None:
    text = """
# the Docker stack's password
NEO4J_PASSWORD=change-me-please
export NEO4J_USERNAME = analyst
NEO4J_URI="bolt://db.example:7687"
EXPLORER_JAVA='/opt/java 17/bin/java'
NEO4J_DATABASE=arms # a comment after a value
EXPLORER_CACHE_DIR="/var/cache/x" # quoted, then a comment
EXPLORER_QUERIES_DIR=
"""
    assert parse_dotenv(text) == {
        "NEO4J_PASSWORD": "change-me-please",
        "NEO4J_USERNAME": "analyst",
        "NEO4J_URI": "bolt://db.example:7687",
        "EXPLORER_JAVA": "/opt/java 17/bin/java",
        "NEO4J_DATABASE": "arms",
        "EXPLORER_CACHE_DIR": "/var/cache/x",
        "EXPLORER_QUERIES_DIR": "",
    }


@pytest.mark.parametrize("line", ["NEO4J_PASSWORD", "=value", "1ABC=x", "NEO4J URI=x"])
def test_a_line_that_is_not_key_value_names_the_file_and_line(line: str) -> None:
    with pytest.raises(ConfigError, match=r"^\.env, line 2: expected KEY=VALUE"):
        parse_dotenv(f"# fine\n{line}\n")


def test_the_environment_wins_over_the_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("NEO4J_URI=bolt://from-file:7687\nNEO4J_PASSWORD=file-pw\n")
    merged = environment({"NEO4J_URI": "bolt://from-env:7687"}, cwd=tmp_path)
    assert merged["NEO4J_URI"] == "bolt://from-env:7687"
    assert merged["NEO4J_PASSWORD"] == "file-pw"


def test_settings_come_from_a_dotenv_in_the_current_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in config.VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EXPLORER_STATE_DIR", str(tmp_path / "state"))
    (tmp_path / ".env").write_text("NEO4J_URI=bolt://compose-host:7687\nNEO4J_PASSWORD=s3cret-pw\n")
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert (settings.uri, settings.password) == ("bolt://compose-host:7687", "s3cret-pw")
    assert "NEO4J_URI" in settings.credentials_from


def test_a_blank_value_counts_as_unset_and_unknown_names_are_refused() -> None:
    assert setting("EXPLORER_JAVA", {"EXPLORER_JAVA": "  "}) is None
    assert setting("EXPLORER_JAVA", {"EXPLORER_JAVA": "/usr/bin/java"}) == "/usr/bin/java"
    with pytest.raises(KeyError, match="not a declared setting"):
        setting("EXPLORER_TYPO", {})


def test_every_declared_variable_is_documented() -> None:
    page = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [name for name in config.VARIABLES if f"`{name}`" not in page]
    assert not missing, f"docs/configuration.md does not document {missing}"


def test_only_config_reads_the_environment() -> None:
    """Other modules ask config.setting; passing the environment on to a child
    process (`{**os.environ, ...}`) is not reading it."""
    readers = []
    for path in (REPO / "explorer").rglob("*.py"):
        if path.name == "config.py" and path.parent.name == "explorer":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"os\.environ(\.get|\[|\.setdefault)|os\.getenv|environ\.get\(", text):
            readers.append(str(path.relative_to(REPO)))
    assert not readers, f"read the environment outside explorer/config.py: {readers}"
