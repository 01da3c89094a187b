"""The SIPRI importer's speed levers keep its behaviour: the parser process gives the
chunks and the report the in-process parse gives, its errors arrive with their
message, it never outlives the load, a small load keeps the server's plans, the
statements planned ahead cover the batches and write nothing, and a load ends once
the search indexes hold what it wrote."""

from __future__ import annotations

import os
import re
from pathlib import Path

import neo4j
import pytest

from explorer.db import Database
from explorer.errors import ValidationError
from explorer.loaders import import_runs, sipri_chunks
from explorer.loaders.seed_loader import load_seeds
from explorer.loaders.seeds import SEED_DIR, load_seed_bundle
from explorer.loaders.sipri_chunks import parsed_chunks
from explorer.loaders.sipri_loader import (
    CREATE_TRANSFERS,
    REPLACE_TRANSFERS,
    load_sipri,
    statements_to_plan,
)
from explorer.loaders.sipri_records import ParseReport
from explorer.loaders.writer import fill_node_statement, forget_query_plans, plan_ahead
from explorer.schema import AWAIT_FULLTEXT
from tests.conftest import SIPRI_EXTRACT
from tests.test_import_runs import query, snapshot

BUNDLE = load_seed_bundle([SEED_DIR])


def _parse(path: Path, *, process: bool, encoding: str = "utf-8",
           batch_size: int = 300) -> tuple[list, ParseReport]:
    report = ParseReport(source=path.name, encoding=encoding)
    report.legacy_lines = [7]  # the loader's own, kept as it was
    chunks = parsed_chunks(path, "auto", encoding, BUNDLE, batch_size, report)
    assert isinstance(chunks, sipri_chunks._ParserProcess) == process
    return list(chunks), report


def _parser_processes() -> list[int]:
    """Parser processes started by this process that are still alive."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        state = stat.rsplit(")", 1)[1].split()[0]
        if ppid == os.getpid() and state != "Z" and b"sipri_chunks" in cmdline:
            found.append(int(entry.name))
    return found


def test_the_parser_process_gives_the_chunks_and_report_of_the_in_process_parse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    here, here_report = _parse(SIPRI_EXTRACT, process=False)
    monkeypatch.setattr(sipri_chunks, "PROCESS_MIN_BYTES", 0)
    there, there_report = _parse(SIPRI_EXTRACT, process=True)
    assert len(there) == len(here) > 3
    assert there == here
    assert there_report == here_report
    assert there_report.legacy_lines == [7]
    assert there_report.balanced and there_report.deals == sum(
        len(c.transfers) + len(c.rest.get("Transfer", ())) for c in there)
    assert _parser_processes() == []


def test_an_error_in_the_parser_process_is_raised_by_the_loader_and_nothing_is_written(
    clean_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A header and no data: the head check passes, the parse itself refuses the file.
    lines = SIPRI_EXTRACT.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(i for i, line in enumerate(lines) if line.startswith("SIPRI AT Database ID"))
    path = tmp_path / "header-only.csv"
    path.write_text("".join(lines[: header + 1]), encoding="utf-8")
    monkeypatch.setattr(sipri_chunks, "PROCESS_MIN_BYTES", 0)
    with pytest.raises(ValidationError, match=r"header-only\.csv has a SIPRI header but no data"):
        _parse(path, process=True)
    with pytest.raises(ValidationError, match=r"header-only\.csv has a SIPRI header but no data"):
        load_sipri(clean_db, path)
    assert query(clean_db, "MATCH (n) RETURN count(n) AS n") == [{"n": 0}]
    assert _parser_processes() == []


def test_a_load_stopped_early_leaves_no_parser_process_and_resumes_to_the_same_graph(
    clean_db: Database, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The shipped extract, parsed in a parser process as a big file would be (the
    # threshold only decides which path a file takes), in batches of 200 deals.
    monkeypatch.setattr(sipri_chunks, "PROCESS_MIN_BYTES", 0)
    load_sipri(clean_db, SIPRI_EXTRACT, batch_size=200)
    reference = snapshot(clean_db)
    clean_db.write(lambda tx: tx.run("MATCH (n) DETACH DELETE n").consume())

    class Stop(Exception):
        pass

    def stop_after_the_first_batch(done: int, total: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        load_sipri(clean_db, SIPRI_EXTRACT, batch_size=200,
                   progress=stop_after_the_first_batch)
    assert _parser_processes() == []
    assert query(clean_db, "MATCH (t:Transfer) RETURN count(t) AS n") == [{"n": 200}]
    load_sipri(clean_db, SIPRI_EXTRACT, batch_size=200)
    assert snapshot(clean_db) == reference


def test_plans_are_dropped_only_after_a_load_that_changed_a_good_part_of_the_graph(
    clean_db: Database,
) -> None:
    load_seeds(clean_db)
    load_sipri(clean_db, SIPRI_EXTRACT)
    size = query(clean_db, "MATCH (n) RETURN count(n) AS n")[0]["n"]
    assert not forget_query_plans(clean_db, 0)
    assert not forget_query_plans(clean_db, size // 5)
    assert forget_query_plans(clean_db, size // 3)


ON_ROWS = re.compile(r"\$batch\b")
"""A statement on a batch's rows (``$batch.rows``, ``$batch.suppliers``), not
``$batch_size``."""


def _statements_run(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement the code under test sends, in order (a spy on the real driver:
    the statements still run on the server)."""
    sent: list[str] = []
    original = neo4j.ManagedTransaction.run

    def spy(self: neo4j.ManagedTransaction, query: str, *args: object, **kwargs: object) -> object:
        sent.append(query)
        return original(self, query, *args, **kwargs)

    monkeypatch.setattr(neo4j.ManagedTransaction, "run", spy)
    return sent


def test_the_server_plans_every_batch_statement_ahead_and_planning_writes_nothing(
    clean_db: Database, monkeypatch: pytest.MonkeyPatch,
) -> None:
    load_seeds(clean_db)  # so that the first SIPRI load fills the seeds' nodes too
    before = snapshot(clean_db)
    plan_ahead(clean_db, statements_to_plan(first_sipri=True))
    plan_ahead(clean_db, statements_to_plan(first_sipri=False))
    assert snapshot(clean_db) == before
    for first_sipri in (True, False):  # a first load, then the same file again
        sent = _statements_run(monkeypatch)
        # Parsed in a parser process, as a big file is: the loader plans while it waits.
        monkeypatch.setattr(sipri_chunks, "PROCESS_MIN_BYTES", 0)
        load_sipri(clean_db, SIPRI_EXTRACT, batch_size=200)
        monkeypatch.undo()
        planned = [statement for statement, _ in statements_to_plan(first_sipri)]
        batches = sum(1 for s in sent if s == import_runs.ADVANCE)
        assert batches > 3
        # Once ahead of the batches, then once per batch (known deals are replaced).
        written_by = CREATE_TRANSFERS if first_sipri else REPLACE_TRANSFERS
        assert sent.count(written_by) == batches + 1
        assert sent.index(written_by) < sent.index(import_runs.ADVANCE)
        # Everything a batch runs on its rows and the summaries: planned while the
        # parser builds the first batch, not when the first batch waits for it.
        batch_statements = {s for s in sent if ON_ROWS.search(s)}
        assert batch_statements and batch_statements <= set(planned)
        # And the run ends once a search can find what it wrote.
        assert AWAIT_FULLTEXT in sent and sent.index(AWAIT_FULLTEXT) > max(
            i for i, s in enumerate(sent) if ON_ROWS.search(s))


def test_a_fill_statement_is_the_same_whichever_properties_its_rows_carry() -> None:
    # One text, so one cached plan, for every batch of a load.
    assert fill_node_statement("Actor", {"aliases"}) == fill_node_statement("Actor", ())
    assert fill_node_statement("Actor", {"name", "kind"}) == fill_node_statement("Actor", ())
    # A property outside the label's documented ones is still written, not dropped.
    assert "n.extra = coalesce(n.extra, row.props.extra)" in fill_node_statement(
        "Actor", {"extra"})
