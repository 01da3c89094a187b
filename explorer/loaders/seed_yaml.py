"""Reading a seed file's YAML safely: line numbers on every mapping (for messages),
duplicate keys reported, and size/alias limits checked before the document is
built, so an oversized or alias-bomb file costs milliseconds, not gigabytes
(docs/seeds.md). Validation of what the YAML says is ``explorer.loaders.seeds``."""

from __future__ import annotations

import reprlib
from collections.abc import Iterator
from typing import Any

import yaml

# Limits checked before a file is parsed, so that an oversized file costs
# milliseconds, not minutes and gigabytes. The project's seeds are ~10 KB and
# ~600 values per file; a hand-written file 400 times that still fits.
MAX_FILE_BYTES = 4 * 1024 * 1024
"""A seed file's size limit, checked before it is read."""
MAX_WRITTEN_VALUES = 200_000
"""Values (scalars, lists, mappings) a file may write, counted before the document is built."""
MAX_VALUES = 1_000_000
"""Values a file may expand to through YAML aliases (``*name``)."""


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 60
_REPR.maxlist = _REPR.maxdict = 4
_REPR.maxlevel = 2


def short_repr(value: object, limit: int = 60) -> str:
    """A short, quoted echo of a value: never the whole of a huge input."""
    if not isinstance(value, str):
        # reprlib bounds the work too: a structure built from YAML aliases can be huge.
        return _REPR.repr(value)
    if len(value) > limit:
        value = value[:limit] + f"… ({len(value):,} characters)"
    return repr(value)


# --- YAML ------------------------------------------------------------------------


class _LineDict(dict):
    """A YAML mapping that remembers the line it started on, for messages."""

    line: int | None = None


# libyaml's parser is ~20x faster than the pure-Python one on large files; the
# constructor and resolver (where the behaviour below lives) are Python in both.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SeedLoader(_BaseLoader):
    """SafeLoader that keeps dates as strings, reports duplicate keys and records lines."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        # (key, line of the repeat, line of the first, the mapping holding them)
        self.duplicate_keys: list[tuple[str, int, int, dict[Any, Any]]] = []


# Unquoted 2024-03-30 must stay the printed string: PyYAML would turn it into a
# date, and an impossible 2024-02-30 into a crash instead of a message.
_SeedLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_map(loader: _SeedLoader, node: yaml.MappingNode) -> Iterator[_LineDict]:
    data = _LineDict()
    data.line = node.start_mark.line + 1
    yield data
    first_line: dict[str, int] = {}
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            line = key_node.start_mark.line + 1
            if key_node.value in first_line:
                loader.duplicate_keys.append(
                    (key_node.value, line, first_line[key_node.value], data)
                )
            first_line.setdefault(key_node.value, line)
    data.update(loader.construct_mapping(node))


_SeedLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return " — put quotes around a value that contains ': '"
    if "'\\t'" in problem or "tab" in problem:
        return " — indent with spaces, not tabs"
    if "expected <block end>" in problem or "expected ',' or" in problem:
        return " — check the indentation and brackets of this and the previous line"
    return ""


_OPEN = -1  # an anchored list or mapping whose end has not been read yet


def _check_counts(text: str) -> tuple[int | None, str] | None:
    """Refuse a file that writes too many values, or that YAML aliases make huge
    ("billion laughs") or self-containing — from the parser's events, before the
    document is built.

    Returns ``(line or None, problem)``, or None when the file is within the
    limits. Counts are per anchor, so the work is linear in the file, not in
    the expansion. A syntax error ends the count early: the full parse reports it.
    """
    written = 0
    anchors: dict[str, int] = {}  # anchor -> values in the node it names
    open_sizes: list[list[Any]] = []  # per open list/mapping: [its anchor, values so far]
    loader = _BaseLoader(text)

    def add(size: int) -> bool:
        """Add ``size`` values to the enclosing list or mapping; True if too many."""
        if open_sizes:
            open_sizes[-1][1] += size
            return open_sizes[-1][1] > MAX_VALUES
        return size > MAX_VALUES

    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                size = anchors.get(event.anchor)
                if size == _OPEN:
                    return None, (
                        "a YAML alias (*name) is used inside the value it names, "
                        "so the value contains itself"
                    )
                # An undefined alias is left to the full parse, which names its line.
                too_many = size is not None and add(size)
            elif isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
                written += 1
                if written > MAX_WRITTEN_VALUES:
                    return event.start_mark.line + 1, (
                        f"more than {MAX_WRITTEN_VALUES:,} YAML "
                        "values (scalars, lists and mappings) in one file; a seed file may "
                        f"hold at most {MAX_WRITTEN_VALUES:,} — split it into several files"
                    )
                if isinstance(event, yaml.ScalarEvent):
                    if event.anchor:
                        anchors[event.anchor] = 1
                    too_many = add(1)
                else:
                    if event.anchor:
                        anchors[event.anchor] = _OPEN
                    open_sizes.append([event.anchor, 1])
                    too_many = False
            elif isinstance(event, yaml.CollectionEndEvent):
                anchor, size = open_sizes.pop()
                if anchor:
                    anchors[anchor] = size
                too_many = add(size)
            else:
                too_many = False
            if too_many:
                return None, (
                    f"the YAML expands to more than {MAX_VALUES:,} values through aliases "
                    "(*name); write the values out instead"
                )
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return None


def parse_seed_text(text: str, file: str) -> tuple[Any, list[str]]:
    """Parse one file's YAML. Returns ``(document, problems)``; document is None on error.

    The size and count limits (``MAX_FILE_BYTES``, ``MAX_WRITTEN_VALUES``,
    ``MAX_VALUES``) are checked first, so a file over them costs little.
    """
    if len(text) > MAX_FILE_BYTES:
        return None, [
            f"{file}: the text is {len(text):,} characters; a seed file may be at most "
            f"{MAX_FILE_BYTES:,} bytes of hand-written YAML — split it into several files"
        ]
    too_big = _check_counts(text)
    if too_big:
        line, problem = too_big
        return None, [f"{file}:{line}: {problem}" if line else f"{file}: {problem}"]
    loader = _SeedLoader(text)
    try:
        document = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else file
        problem = exc.problem or exc.context or "unreadable"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        return None, [f"{where}: invalid YAML: {problem}{context}{_yaml_hint(problem)}"]
    except yaml.YAMLError as exc:
        return None, [f"{file}: invalid YAML: {exc}"]
    except RecursionError:
        return None, [
            f"{file}: invalid YAML: nested too deeply; seed records are a few levels deep"
        ]
    finally:
        loader.dispose()
    problems = []
    for key, line, first, mapping in loader.duplicate_keys:
        owner = mapping.get("id")
        record = f"record {short_repr(owner)}, " if isinstance(owner, str) else ""
        problems.append(
            f"{file}:{line}: {record}field {key!r}: given twice in one mapping (lines {first} and "
            f"{line}); the later value would win silently — remove one"
        )
    return document, problems


