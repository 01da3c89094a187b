"""MkDocs hook: the command-line reference (docs/cli.md) is generated from the CLI
itself — every command's help text and options, read from the Typer app — so it
cannot drift from ``explorer --help``."""

from __future__ import annotations

from typing import Any

MARKER = "<!-- cli-reference -->"


def _commands(group: Any, prefix: str) -> list[tuple[str, Any]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if getattr(command, "commands", None) is not None:
            found.extend(_commands(command, path))
        else:
            found.append((path, command))
    return found


def _cell(text: Any) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _option_rows(command: Any) -> list[str]:
    rows = []
    for param in command.params:
        if param.param_type_name == "argument":
            name = f"`{param.name.upper()}`"
            help_text = getattr(param, "help", None) or ""
        else:
            name = ", ".join(f"`{opt}`" for opt in (*param.opts, *param.secondary_opts))
            help_text = param.help or ""
        default = param.default
        shown = "" if default in (None, (), [], False) or callable(default) else f"`{default}`"
        rows.append(f"| {name} | {_cell(help_text)} | {shown} |")
    return rows


def reference_markdown() -> str:
    import typer.main

    from explorer.cli import app

    root = typer.main.get_command(app)
    parts = []
    for path, command in _commands(root, "explorer"):
        if command.hidden:
            continue
        parts.append(f"## `{path}`\n")
        parts.append((command.help or "").strip().replace("\b", "") + "\n")
        rows = _option_rows(command)
        if rows:
            parts.append("| argument / option | meaning | default |\n|---|---|---|")
            parts.append("\n".join(rows) + "\n")
    return "\n".join(parts)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if page.file.src_uri != "cli.md":
        return markdown
    return markdown.replace(MARKER, reference_markdown())
