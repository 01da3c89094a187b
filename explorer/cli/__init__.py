"""The `explorer` command line: a thin shell over the library.

Every command opens what it needs, calls one library function, and turns the
project's errors into one line on stderr with a non-zero exit code.
"""

from __future__ import annotations

import logging
import sys

# Each module registers its commands on `app` as it is imported; the order here is
# the order of `explorer --help`.
from explorer.cli import (  # noqa: F401
    app_command,
    bench_commands,
    db_commands,
    load_commands,
    query_commands,
    saved_commands,
    search_commands,
    walkthrough_commands,
)
from explorer.cli.common import app, err
from explorer.errors import ExplorerError

__all__ = ["app", "main"]


def main() -> None:
    # The driver logs every retry as a warning; the CLI reports failures itself, once.
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)
    try:
        app()
    except ExplorerError as error:
        err.print(f"error: {error}", highlight=False, markup=False, soft_wrap=True)
        sys.exit(error.exit_code)
    except Exception as error:
        # A driver or server error that reached here without passing explorer.db (the
        # one place that maps them) still gets its one line, never a traceback.
        if not type(error).__module__.startswith("neo4j"):
            raise
        from explorer.config import load_settings
        from explorer.db import translate_error

        mapped = translate_error(error, load_settings(), None)
        err.print(f"error: {mapped}", highlight=False, markup=False, soft_wrap=True)
        sys.exit(getattr(mapped, "exit_code", 1))
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)

