"""Import the Neo4j driver without numpy, pandas and pyarrow, for short CLI commands.

The driver imports numpy, pandas and pyarrow whenever they are installed (they
are: the dashboard needs them), only to turn results into DataFrames and to
send numpy and pandas values as parameters. Importing them costs ~0.3 s of
CPU, over a third of a small ``explorer query run``, which sends plain Python values
and reads plain results. Such a command calls ``import_driver_lean()`` before
anything imports ``neo4j``. The dashboard never calls it, so its numpy values
still convert; and it does nothing once numpy or pandas is loaded.
"""

from __future__ import annotations

import importlib
import sys

_SKIPPED = ("numpy", "pandas", "pyarrow")


def import_driver_lean() -> None:
    """Import ``neo4j`` with its optional numpy/pandas/pyarrow support left out."""
    if "neo4j" in sys.modules or any(name in sys.modules for name in _SKIPPED):
        return
    for name in _SKIPPED:
        sys.modules[name] = None  # type: ignore[assignment]  # import now raises ImportError
    try:
        importlib.import_module("neo4j")
    finally:
        for name in _SKIPPED:
            if sys.modules.get(name, "") is None:
                del sys.modules[name]
