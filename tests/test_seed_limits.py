"""Seed files that are too big are refused before they are parsed, with the right reason.

Pure tests: no database. Issue 13, defect 7: a 32 MB seed file without a single
alias was refused only after 59 s and 2.6 GB of memory, with the message that it
"expands … through aliases". The size and count limits now come first.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from explorer.errors import ValidationError
from explorer.loaders.seed_yaml import (
    MAX_FILE_BYTES,
    MAX_VALUES,
    MAX_WRITTEN_VALUES,
    parse_seed_text,
)
from explorer.loaders.seeds import load_seed_bundle

RECORD = (
    "  - id: actor-{i}\n"
    "    name: Actor number {i}\n"
    "    kind: state\n"
    "    aliases: [A{i}, B{i}, C{i}]\n"
)


def _actors(count: int) -> str:
    return "actors:\n" + "".join(RECORD.format(i=i) for i in range(count))


def _only_problem(path: Path) -> str:
    with pytest.raises(ValidationError) as caught:
        load_seed_bundle([path])
    (problem,) = caught.value.problems
    return problem


def test_a_32_mb_seed_file_is_refused_for_its_size(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    text = _actors(1000)
    with big.open("w", encoding="utf-8") as out:
        while out.tell() < 32 * 1024 * 1024:
            out.write(text)
    size = big.stat().st_size
    problem = _only_problem(big)
    assert problem == (
        f"{big}: the file is {size:,} bytes; a seed file may be at most {MAX_FILE_BYTES:,} "
        "bytes of hand-written YAML — split it into several files"
    )
    assert "alias" not in problem


def test_the_size_limit_is_checked_before_the_file_is_read(tmp_path: Path) -> None:
    # A sparse file: 1 GiB on paper, nothing on disk. Reading it would take a
    # second and a gigabyte; the size check answers without reading.
    huge = tmp_path / "sparse.yaml"
    with huge.open("wb") as out:
        out.truncate(1024 * 1024 * 1024)
    code = textwrap.dedent(f"""
        from explorer.errors import ValidationError
        from explorer.loaders.seeds import load_seed_bundle
        try:
            load_seed_bundle([{str(huge)!r}])
        except ValidationError as error:
            print(error.problems[0])
        # VmHWM, not getrusage: ru_maxrss survives fork and exec, so the child would
        # report the pytest process's own peak when that is the larger one.
        with open("/proc/self/status", encoding="ascii") as status:
            print(next(int(line.split()[1]) for line in status
                       if line.startswith("VmHWM:")) // 1024)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parents[1])
    problem, peak_mib = done.stdout.strip().splitlines()
    assert problem.startswith(f"{huge}: the file is 1,073,741,824 bytes; a seed file may be")
    assert int(peak_mib) < 300, f"peak memory {peak_mib} MiB: the file was read"


def test_too_many_values_are_refused_by_count_not_blamed_on_aliases(tmp_path: Path) -> None:
    # Under the size limit, but more values than any hand-written file holds:
    # a flat list of short scalars, and not one alias.
    count = MAX_WRITTEN_VALUES + 10
    many = tmp_path / "many.yaml"
    many.write_text("actors:\n  - id: iran\n    aliases: [" + "x, " * count + "x]\n",
                    encoding="utf-8")
    assert many.stat().st_size < MAX_FILE_BYTES
    problem = _only_problem(many)
    assert problem == (
        f"{many}:3: more than {MAX_WRITTEN_VALUES:,} YAML values (scalars, lists and mappings) "
        f"in one file; a seed file may hold at most {MAX_WRITTEN_VALUES:,} — split it into "
        "several files"
    )
    assert "alias" not in problem


def test_values_are_counted_before_the_document_is_built(tmp_path: Path) -> None:
    # Too many values, then a syntax error at the very end. Building the
    # document would stop at the syntax error; counting first stops at the count.
    text = "actors:\n  - id: iran\n    aliases: [" + "x, " * (MAX_WRITTEN_VALUES + 10) + "x]\n"
    document, problems = parse_seed_text(text + "  bad: [unclosed\n", "f.yaml")
    assert document is None
    assert problems == [
        f"f.yaml:3: more than {MAX_WRITTEN_VALUES:,} YAML values (scalars, lists and mappings) "
        f"in one file; a seed file may hold at most {MAX_WRITTEN_VALUES:,} — split it into "
        "several files"
    ]


def test_text_over_the_size_limit_is_refused_by_the_parser_too() -> None:
    text = "# " + "x" * MAX_FILE_BYTES + "\n"
    document, problems = parse_seed_text(text, "pasted.yaml")
    assert document is None
    assert problems == [
        f"pasted.yaml: the text is {len(text):,} characters; a seed file may be at most "
        f"{MAX_FILE_BYTES:,} bytes of hand-written YAML — split it into several files"
    ]


def test_alias_expansion_is_still_refused_as_such() -> None:
    text = (
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
        "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    )
    document, problems = parse_seed_text(text, "lol.yaml")
    assert document is None
    assert problems == [
        f"lol.yaml: the YAML expands to more than {MAX_VALUES:,} values through aliases "
        "(*name); write the values out instead"
    ]


def test_a_self_containing_alias_is_refused() -> None:
    document, problems = parse_seed_text("a: &a [x, *a]\n", "self.yaml")
    assert document is None
    assert problems == [
        "self.yaml: a YAML alias (*name) is used inside the value it names, "
        "so the value contains itself"
    ]


def test_aliases_that_stay_small_are_fine() -> None:
    document, problems = parse_seed_text("a: &a [x, y]\nb: [*a, *a]\nc: *a\n", "ok.yaml")
    assert problems == []
    assert document == {"a": ["x", "y"], "b": [["x", "y"], ["x", "y"]], "c": ["x", "y"]}


def test_a_seed_file_that_cannot_be_read_is_one_line() -> None:
    # Reading the start of a process's own memory fails with EIO on Linux: a
    # regular file that stat() accepts and read() refuses, as a broken disk would.
    problem = _only_problem(Path("/proc/self/mem"))
    assert problem == "/proc/self/mem: cannot read the file (Input/output error)"
