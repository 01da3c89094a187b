"""A small `explorer query run` stays cheap: what it imports and what it parses.

Issue 13: `explorer query run actor_seeks` cost 0.8-1.5 s of client CPU, most of
it importing pandas, numpy and pyarrow (the Neo4j driver loads them when they
are installed) and parsing every saved query to run one. These checks are not
timings: they assert the causes stay away (docs/reliability.md has the figures).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from explorer.db import Database
from tests.conftest import REPO, run_cli

# Heavy modules that a saved-query run in the terminal does not need (numpy: the
# drawing's layout, loaded only when something draws).
NOT_FOR_A_QUERY_RUN = ("numpy", "pandas", "pyarrow", "streamlit", "pyvis", "networkx",
                       "plotly")


def _python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, cwd=REPO, env=env, timeout=120)


def test_importing_the_cli_loads_no_heavy_module() -> None:
    done = _python("""
        import sys
        import explorer.cli
        heavy = ("neo4j", "numpy", "pandas", "pyarrow", "streamlit", "pyvis", "networkx",
                 "rapidfuzz", "yaml", "plotly")
        print(sorted(name for name in heavy if name in sys.modules))
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_query_run_loads_no_dataframe_module(loaded_graph: Database,
                                               cli_env: dict[str, str]) -> None:
    # Runs the real CLI in a subprocess and lists, as it exits, what it imported.
    done = _python(f"""
        import atexit, json, sys
        watched = {NOT_FOR_A_QUERY_RUN!r}
        atexit.register(lambda: print(json.dumps(sorted(m for m in watched
                                                        if m in sys.modules)), file=sys.stderr))
        sys.argv = ["explorer", "query", "run", "actor_seeks", "-p", "actor=DPRK",
                    "--format", "json"]
        from explorer.cli import main
        main()
    """, env=cli_env)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    assert len(rows) == 7 and {r["supplier"] for r in rows} == {"Russia"}
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []


def test_the_driver_keeps_numpy_support_when_numpy_is_already_loaded() -> None:
    # The dashboard imports numpy and pandas itself; the lean import must then do
    # nothing, so numpy values still convert when sent as parameters.
    done = _python("""
        import numpy, pandas
        from explorer.lean_driver import import_driver_lean
        import_driver_lean()
        import neo4j._optional_deps as optional
        print(optional.np is numpy, optional.pd is pandas)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]


def test_the_lean_import_leaves_numpy_importable_afterwards() -> None:
    done = _python("""
        from explorer.lean_driver import import_driver_lean
        import_driver_lean()
        import neo4j._optional_deps as optional
        import numpy
        print(optional.np is None, numpy.arange(3).sum())
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "3"]


def test_running_one_query_parses_only_its_own_file(db: Database, cli_env: dict[str, str],
                                                    tmp_path: Path) -> None:
    (tmp_path / "one.cypher").write_text("// title: One\nRETURN 1 AS one\n", encoding="utf-8")
    (tmp_path / "broken.cypher").write_text("// titel: oops\nRETURN 2\n", encoding="utf-8")
    env = {**cli_env, "EXPLORER_QUERIES_DIR": str(tmp_path)}
    ran = run_cli(["query", "run", "one", "--format", "json"], env)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["rows"] == [{"one": 1}]
    # The broken file is still reported when it is the one asked for, and by the list.
    broken = run_cli(["query", "run", "broken"], env)
    assert broken.returncode == 2
    assert "broken.cypher:1: unknown header key 'titel' (did you mean 'title'?)" in broken.stderr
    listed = run_cli(["query", "list"], env)
    assert listed.returncode == 2 and "unknown header key 'titel'" in listed.stderr
    missing = run_cli(["query", "run", "onee"], env)
    assert missing.returncode == 2
    assert missing.stderr.strip() == (
        "error: no saved query 'onee' (did you mean 'one'?); 'explorer query list' shows them all"
    )
