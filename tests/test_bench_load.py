"""`explorer bench load` on a tiny input: the JSON shape and that every loader writes
the same rows (no timing assertions: speed is for docs/loading.md's table).

The benchmark run itself (every loader, the admin import among them) is with the
long checks (make test-reliability; CI runs them), not in `make test`."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from explorer.db import Database
from tests.conftest import SIPRI_EXTRACT, graph_counts, invoke_cli, run_cli

RUN_KEYS = {"loader", "input", "rows", "seconds", "rows_per_s", "peak_rss_mb", "seconds_each"}


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """The extract's notes, header and first 28 delivery lines (20 deals)."""
    path = tmp_path / "tiny.csv"
    lines = SIPRI_EXTRACT.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:40]), encoding="utf-8")
    return path


def test_bench_refuses_a_database_with_data_unless_told_to_wipe(
    clean_db: Database, cli_env: dict[str, str], tiny: Path
) -> None:
    clean_db.write(lambda tx: tx.run("CREATE (:Actor {id: 'keep-me'})").consume())
    done = invoke_cli(["bench", "load", "--input", str(tiny), "--use-current-db",
                       "--loader", "importer"], cli_env)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "--yes-wipe" in done.stderr.strip().splitlines()[-1]
    assert graph_counts(clean_db) == (1, 0)


@pytest.mark.reliability
def test_bench_json_has_one_object_and_every_loader_writes_the_same_rows(
    clean_db: Database, cli_env: dict[str, str], tiny: Path
) -> None:
    clean_db.write(lambda tx: tx.run("CREATE (:Actor {id: 'wipe-me'})").consume())
    done = run_cli(["bench", "load", "--input", str(tiny), "--use-current-db", "--yes-wipe",
                    "--format", "json"], cli_env, timeout=600)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)  # exactly one JSON document on stdout
    assert set(result) == {"runs", "ratios"}
    assert set(result["ratios"]) == {str(tiny)}
    assert set(result["ratios"][str(tiny)]) == {"vs_naive", "vs_py2neo_bulk", "vs_plain_floor",
                                                "vs_admin_import"}
    runs = {run["loader"]: run for run in result["runs"]}
    assert set(runs) == {"importer", "py2neo_bulk", "naive", "plain_floor", "admin_import"}
    for run in result["runs"]:
        assert set(run) >= RUN_KEYS and run["input"] == str(tiny)
    importer = runs["importer"]
    assert importer["rows"] > 100 and importer["seconds"] > 0 and importer["peak_rss_mb"] > 0
    # Three runs each of the loaders compared closely, reported as their median; the
    # naive sample once.
    for name in ("importer", "py2neo_bulk", "plain_floor"):
        each = runs[name]["seconds_each"]
        assert len(each) == 3 and runs[name]["seconds"] == statistics.median(each)
    assert len(runs["naive"]["seconds_each"]) == 1
    # The naive sample (1,000 deals) covers the whole tiny file, so all write the same rows.
    assert runs["naive"]["rows"] == runs["py2neo_bulk"]["rows"] == importer["rows"]
    assert runs["plain_floor"]["rows"] == importer["rows"]
    assert "first 20 deals" in runs["naive"]["note"]
    assert "bolt://" in runs["py2neo_bulk"]["note"]
    admin = runs["admin_import"]
    assert admin["rows"] == importer["rows"] or admin["note"].startswith("unavailable: ")
    assert result["ratios"][str(tiny)]["vs_naive"] is not None
    # The benchmark leaves the database it wiped empty.
    assert graph_counts(clean_db) == (0, 0)
