"""The docs are tested: every command has help with an example and is documented."""

from __future__ import annotations

from typing import Any

import typer.main

from explorer.cli import app
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
# The manual: the README (the front door) and the pages of docs/.
DOCS = README + "".join(page.read_text(encoding="utf-8")
                        for page in sorted((REPO / "docs").glob("*.md")))


def _commands(group: Any, prefix: str = "explorer") -> dict[str, Any]:
    # Typer vendors its own click, so groups are recognised by their sub-commands.
    found: dict[str, Any] = {}
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if getattr(command, "commands", None) is not None:
            found.update(_commands(command, path))
        else:
            found[path] = command
    return found


COMMANDS = _commands(typer.main.get_command(app))


def test_every_command_has_help_ending_with_an_example() -> None:
    assert len(COMMANDS) >= 8
    for path, command in COMMANDS.items():
        text = (command.help or "").strip()
        assert text, f"{path} has no help"
        assert "Example:" in text.splitlines()[-1], f"{path}'s help does not end with an example"


def test_every_command_is_documented() -> None:
    # The whole command ("explorer app"), not its last word: "app" alone is in any text.
    missing = [path for path in COMMANDS if path not in DOCS]
    assert not missing, f"commands missing from README.md and docs/: {missing}"


def test_readme_shows_the_two_commands() -> None:
    assert "make run" in README and "make test" in README


def test_the_manual_builds_as_a_site_with_no_broken_link(tmp_path) -> None:
    """`make docs`: MkDocs in strict mode fails on a broken link, a missing page or a
    page left out of the navigation; the CLI reference page is generated."""
    import os
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    cli = (tmp_path / "cli" / "index.html").read_text(encoding="utf-8")
    assert "explorer load sipri" in cli and "--retire-missing" in cli
