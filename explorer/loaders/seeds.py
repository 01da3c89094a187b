"""Read and validate the curated seed YAML into a ``SeedBundle`` (pure: no database).

A seed file is a YAML mapping of sections, each a list of records::

    transfers:
      - id: t-kp-ru-ballistic-missiles
        supplier: North Korea          # an id or any name/alias
        recipient: russia
        systems: [ws-kp-ballistic-missile]
        status: delivered
        evidence:
          - source: src-article-north-korea-role-ukraine
            quote: "On April 4, the White House announced ..."
            as_of: {value: 2024-04-04, inferred: true}
            confidence: assessed

``load_seed_bundle`` checks everything before returning, and raises one
``ValidationError`` listing every problem (file, line, record, field, and a
suggestion where one is obvious), so a user fixes a file in one pass.
``SeedBundle.rows()`` turns the bundle into plain row lists following
docs/graph-model.md for the batched writer; ``SeedBundle.alias_index()`` gives
the name lookups the SIPRI importers need.

Reading the YAML safely is ``seed_yaml``; the bundle and its rows are
``seed_bundle``. This module (~560 lines) is the validation: every check that
spans records (ids, references by name or alias, citations, class cycles)
reports into one list, which is what lets a user fix a file in one pass.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from explorer.config import data_path
from explorer.errors import ValidationError
from explorer.loaders.seed_bundle import SECTIONS, Section, SeedBundle
from explorer.loaders.seed_yaml import (
    MAX_FILE_BYTES,
    parse_seed_text,
    short_repr,
)
from explorer.model import (
    WeaponClass,
)
from explorer.names import name_key

SEED_DIR = data_path("seeds")
"""The project's own seed files (a source checkout's ``seeds/``)."""

_BY_KEY = {s.key: s for s in SECTIONS}

# --- validation --------------------------------------------------------------------


@dataclass
class _Record:
    section: Section
    file: str
    index: int
    raw: Mapping[str, Any]
    model: Any = None  # the validated model, or None when it has problems

    @property
    def raw_id(self) -> str | None:
        value = self.raw.get("id")
        return value if isinstance(value, str) else None

    def where(self) -> str:
        line = getattr(self.raw, "line", None)
        place = f"{self.file}:{line}" if line else self.file
        ident = short_repr(self.raw_id) if self.raw_id else f"#{self.index + 1}"
        return f"{place}: {self.section.what} {ident}"


def _loc(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    # list[...], X | None, Annotated[...]: look inside.
    if get_origin(annotation) is not None:
        return [m for arg in get_args(annotation) for m in _models_in(arg)]
    return []


def _model_at(model: type[BaseModel], loc: Sequence[int | str]) -> type[BaseModel] | None:
    """The model class that owns the field at ``loc`` (for listing allowed fields)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        info = current.model_fields.get(part)
        if info is None:
            return None
        found = _models_in(info.annotation)
        current = found[0] if found else None
    return current


def _suggest(value: str, choices: Iterable[str]) -> str:
    match = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" — did you mean {match[0]!r}?" if match else ""


_BOUNDS = frozenset(
    {"greater_than", "greater_than_equal", "less_than", "less_than_equal", "too_long"}
)


def _kind(value: object) -> str:
    """A YAML author's word for the type of a parsed value."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "an empty value"
    return "a string" if isinstance(value, str) else f"a {type(value).__name__}"


def _pydantic_problem(model: type[BaseModel], err: Any) -> tuple[str, str]:
    """``(field, message)`` for one pydantic error, worded for a seed-file author."""
    loc = tuple(err["loc"])
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        allowed = list(owner.model_fields) if owner else []
        name = str(loc[-1])
        listed = f" (fields here: {', '.join(allowed)})" if allowed else ""
        return _loc(loc), f"unknown field{listed}{_suggest(name, allowed)}"
    if kind == "missing":
        return _loc(loc), "required field is missing"
    if kind == "literal_error":
        allowed = [part.strip(" '") for part in str(ctx.get("expected", "")).replace(" or ", ", ")
                   .split(", ")]  # fmt: skip
        hint = _suggest(str(value), allowed) if isinstance(value, str) else ""
        return _loc(loc), (f"{short_repr(value)} is not allowed "
                           f"(use one of: {', '.join(allowed)}){hint}")
    if kind == "string_too_long" and isinstance(value, str):
        limit = int(ctx.get("max_length", 0))
        return _loc(loc), f"is {len(value):,} characters long; at most {limit:,} are allowed"
    if kind == "model_type" and ctx.get("class_name") == "PartialDate":
        return _loc(loc), (
            f"{short_repr(value, 40)} is not a date: write YYYY-MM-DD, YYYY-MM or YYYY, or "
            "{value: 2024-04-04, inferred: true, note: ...} when the year was not printed"
        )
    if kind == "too_short" and loc and loc[-1] == "evidence":
        return _loc(loc), (
            "needs at least one evidence entry (source, quote, as_of, confidence): "
            "every transfer and event says where it comes from"
        )
    if kind == "too_short" and loc and loc[-1] == "systems":
        return _loc(loc), "needs at least one weapon system (an id or a name)"
    message = str(err["msg"])
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind.endswith(("_type", "_parsing")) or kind in _BOUNDS:
        message += f" (got {_kind(value)} {short_repr(value, 40)})"
    if loc == ("quantity",) and isinstance(value, str):
        message += "; put wording such as 'dozens' in quantity_text"
    return _loc(loc), message


class _Problems(list):
    def add(self, record: _Record, field_name: str | None, message: str) -> None:
        where = record.where()
        self.append(f"{where}, field {field_name!r}: {message}" if field_name else
                    f"{where}: {message}")  # fmt: skip


class _Names:
    """Resolve references to one kind of record: by id, else by name/alias (name_key)."""

    def __init__(self, what: str, problems: _Problems, aliases: bool = True) -> None:
        self.what = what
        self.problems = problems
        self.aliases = aliases
        self.ids: dict[str, str] = {}  # id -> display name
        self.keys: dict[str, str] = {}  # name_key -> id

    def register(self, record: _Record) -> None:
        rid = record.raw_id
        if rid is None:
            return
        name = record.raw.get("name") or record.raw.get("title")
        self.ids.setdefault(rid, name if isinstance(name, str) else rid)
        if not self.aliases:
            return
        texts = [name] if isinstance(name, str) else []
        raw_aliases = record.raw.get("aliases")
        if isinstance(raw_aliases, list):
            texts += [a for a in raw_aliases if isinstance(a, str)]
        for text in texts:
            key = name_key(text)
            if not key:
                continue
            other = self.keys.get(key)
            if other is not None and other != rid:
                self.problems.add(
                    record,
                    "aliases" if text != name else "name",
                    f"{short_repr(text)} is already the name or an alias of {self.what} {other!r}; "
                    "a name must point to one record — remove it from one of them",
                )
                continue
            self.keys[key] = rid

    def resolve(self, ref: str, record: _Record, field_name: str) -> str | None:
        if ref in self.ids:
            return ref
        found = self.keys.get(name_key(ref)) if self.aliases else None
        if found is not None:
            return found
        self.problems.add(record, field_name,
                          f"unknown {self.what} {short_repr(ref)}{self.hint(ref)}")
        return None

    def hint(self, ref: str) -> str:
        candidates: dict[str, str] = {rid: rid for rid in self.ids}
        if self.aliases:
            candidates.update({key: rid for key, rid in self.keys.items()})
            candidates.update({name_key(rid): rid for rid in self.ids})
        probe = name_key(ref) if self.aliases else ref
        match = difflib.get_close_matches(probe, list(candidates), n=1, cutoff=0.6)
        if not match:
            return ""
        rid = candidates[match[0]]
        name = self.ids.get(rid, rid)
        shown = f" ({name})" if name != rid else ""
        return f" — did you mean {rid!r}{shown}?"


def _expand(paths: Sequence[Path | str]) -> tuple[list[Path], list[str]]:
    files: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # Subdirectories (seeds/sipri/) hold other formats with their own loaders.
            found = sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix in {".yaml", ".yml"}
            )
            if not found:
                problems.append(f"{path}: no .yaml files in this directory")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(f"{path}: no such file or directory")
    # A file named both directly and through its directory is read once, not
    # reported as duplicating itself.
    unique: dict[Path, Path] = {}
    for path in files:
        unique.setdefault(path.resolve(), path)
    return list(unique.values()), problems


def _read(path: Path) -> tuple[str | None, str | None]:
    try:
        with path.open("rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if size > MAX_FILE_BYTES:
                return None, (
                    f"{path}: the file is {size:,} bytes; a seed file may be at most "
                    f"{MAX_FILE_BYTES:,} bytes of hand-written YAML — split it into several files"
                )
            # Read at most one byte past the limit: the file may grow after fstat().
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return None, f"{path}: cannot read the file ({exc.strerror or exc})"
    if len(data) > MAX_FILE_BYTES:
        return None, (
            f"{path}: the file grew past {MAX_FILE_BYTES:,} bytes while it was read; a seed "
            "file may be at most that much hand-written YAML — split it into several files"
        )
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, (
            f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8"
        )


def _records(document: Any, file: str, problems: list[str]) -> list[_Record]:
    if document is None:
        return []
    if not isinstance(document, dict):
        problems.append(
            f"{file}: the top level must be a mapping of sections "
            f"({', '.join(s.key for s in SECTIONS)}), not {_kind(document)}"
        )
        return []
    records: list[_Record] = []
    line = getattr(document, "line", None)
    for key, items in document.items():
        section = _BY_KEY.get(key) if isinstance(key, str) else None
        if section is None:
            hint = _suggest(str(key), _BY_KEY)
            problems.append(
                f"{file}: unknown section {short_repr(key)} (sections: {', '.join(_BY_KEY)}){hint}"
            )
            continue
        if items is None:
            continue
        if not isinstance(items, list):
            at = f"{file}:{line}" if line else file
            problems.append(
                f"{at}: section {key!r} must be a list of records (each starting with '- id: ...'),"
                f" not {_kind(items)}"
            )
            continue
        for index, raw in enumerate(items):
            if not isinstance(raw, dict):
                problems.append(
                    f"{file}: {section.what} #{index + 1} in section {key!r} must be a mapping of "
                    f"fields ('- id: ...'), not {_kind(raw)} {short_repr(raw, 40)}"
                )
                continue
            records.append(_Record(section, file, index, raw))
    return records


def load_seed_bundle(paths: Sequence[Path | str] | Path | str = (SEED_DIR,)) -> SeedBundle:
    """Read seed files (a directory means its ``*.yaml``) and validate them as a whole.

    No paths (an empty sequence) means the project's ``seeds/``. Raises
    ``explorer.errors.ValidationError`` whose ``problems`` lists every problem
    found; nothing is returned unless there are none.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    if not paths:
        paths = [SEED_DIR]
    files, problems = _expand(paths)
    documents: list[tuple[str, Any]] = []
    for path in files:
        text, problem = _read(path)
        if problem:
            problems.append(problem)
            continue
        assert text is not None
        document, found = parse_seed_text(text, str(path))
        problems.extend(found)
        if document is not None:
            documents.append((str(path), document))
    return bundle_from_documents(documents, problems)


def bundle_from_documents(
    documents: Sequence[tuple[str, Any]], earlier_problems: Sequence[str] = ()
) -> SeedBundle:
    """Validate already-parsed seed documents ``(file name, data)`` into a bundle."""
    problems = _Problems(earlier_problems)
    records: list[_Record] = []
    for file, document in documents:
        records.extend(_records(document, file, problems))

    _validate_fields(records, problems)
    _check_duplicate_ids(records, problems)
    resolved = _resolve(records, problems)

    if problems:
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        raise ValidationError(
            f"the seed files have {count} {noun}; the first: {problems[0]}", list(problems)
        )
    by_section: dict[str, list[Any]] = {s.key: [] for s in SECTIONS}
    for record, model in resolved:
        by_section[record.section.key].append(model)
    return SeedBundle(
        **{key: tuple(models) for key, models in by_section.items()},
        files=tuple(file for file, _ in documents),
    )


def _validate_fields(records: list[_Record], problems: _Problems) -> None:
    for record in records:
        model = record.section.model
        try:
            record.model = model.model_validate(dict(record.raw))
        except PydanticValidationError as exc:
            for err in exc.errors():
                field_name, message = _pydantic_problem(model, err)
                problems.add(record, field_name or None, message)


def _check_duplicate_ids(records: list[_Record], problems: _Problems) -> None:
    first: dict[tuple[str, str], _Record] = {}
    for record in records:
        rid = record.raw_id
        if rid is None:
            continue
        key = (record.section.label, rid)
        if key in first:
            earlier = first[key]
            line = getattr(earlier.raw, "line", None)
            at = f"{earlier.file}:{line}" if line else earlier.file
            problems.add(
                record,
                "id",
                f"duplicate {record.section.what} id {short_repr(rid)} (first defined at "
                f"{at}); ids must be unique across all seed files",
            )
        else:
            first[key] = record


# Reference fields per section: (field, section referred to, is it a list).
_REFERENCES: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "sources": (("cites", "sources", True),),
    "actors": (("located_in", "places", False),),
    "places": (),
    "weapon_classes": (("parent", "weapon_classes", False),),
    "weapon_systems": (("classes", "weapon_classes", True),),
    "transfers": (
        ("supplier", "actors", False),
        ("recipient", "actors", False),
        ("systems", "weapon_systems", True),
    ),
    "events": (
        ("conducted_by", "actors", True),
        ("targeted", "actors", True),
        ("used", "weapon_systems", True),
        ("place", "places", False),
    ),
}
# The list of citations or evidence entries (each with a `source`) per section.
_CITATIONS = {
    "places": "sources",
    "actors": "sources",
    "weapon_classes": "sources",
    "weapon_systems": "sources",
    "transfers": "evidence",
    "events": "evidence",
}


def _resolve(records: list[_Record], problems: _Problems) -> list[tuple[_Record, Any]]:
    """Check every reference and return valid records with references replaced by ids.

    References are read from the raw data, so a record with other problems
    still has its unknown references reported in the same pass.
    """
    names = {
        "sources": _Names("source", problems, aliases=False),
        "actors": _Names("actor", problems),
        "places": _Names("place", problems),
        "weapon_classes": _Names("weapon class", problems),
        "weapon_systems": _Names("weapon system", problems),
    }
    # Invalid records register too, so a reference to them is not reported twice.
    for record in records:
        if record.section.key in names:
            names[record.section.key].register(record)

    resolved: list[tuple[_Record, Any]] = []
    descriptions: dict[str, str] = {}
    for record in records:
        raw, key = record.raw, record.section.key
        update: dict[str, Any] = {}
        for field_name, target, is_list in _REFERENCES[key]:
            value = raw.get(field_name)
            index = names[target]
            if is_list and isinstance(value, list):
                ids: list[str] = []
                for i, ref in enumerate(value):
                    if not isinstance(ref, str):
                        continue  # the field validation reports the type
                    if target == key and ref == record.raw_id:
                        problems.add(
                            record, f"{field_name}[{i}]", "a record cannot refer to itself"
                        )
                        continue
                    rid = index.resolve(ref, record, f"{field_name}[{i}]")
                    if rid is not None and rid not in ids:
                        ids.append(rid)
                update[field_name] = ids
            elif not is_list and isinstance(value, str):
                if target == key and value == record.raw_id:
                    problems.add(record, field_name, "a record cannot refer to itself")
                else:
                    update[field_name] = index.resolve(value, record, field_name)
        _check_citations(record, names["sources"], problems)
        supplier = update.get("supplier")
        if key == "transfers" and supplier is not None and supplier == update.get("recipient"):
            problems.add(record, "recipient", "supplier and recipient are the same actor")
        if key == "weapon_classes" and isinstance(raw.get("sipri_descriptions"), list):
            for i, description in enumerate(raw["sipri_descriptions"]):
                if not isinstance(description, str):
                    continue
                owner = descriptions.setdefault(name_key(description), str(record.raw_id))
                if owner != record.raw_id:
                    problems.add(
                        record,
                        f"sipri_descriptions[{i}]",
                        f"SIPRI description {short_repr(description)} is already mapped "
                        f"to {owner!r}; "
                        "a description maps to one class",
                    )
        if record.model is not None:
            model = record.model
            resolved.append((record, model.model_copy(update=update) if update else model))

    _check_class_cycles([m for _, m in resolved if isinstance(m, WeaponClass)], records, problems)
    return resolved


def _check_citations(record: _Record, sources: _Names, problems: _Problems) -> None:
    field_name = _CITATIONS.get(record.section.key)
    items = record.raw.get(field_name) if field_name else None
    if not isinstance(items, list):
        return
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        source, quote = item.get("source"), item.get("quote")
        if isinstance(source, str):
            sources.resolve(source, record, f"{field_name}[{i}].source")
            if isinstance(quote, str) and quote.strip():
                if (source, quote) in seen:
                    problems.add(
                        record, f"{field_name}[{i}]", "the same source and quote appear twice"
                    )
                seen.add((source, quote))


def _check_class_cycles(
    classes: list[WeaponClass], records: list[_Record], problems: _Problems
) -> None:
    parent = {c.id: c.parent for c in classes}
    reported: set[str] = set()
    for start in parent:
        path: list[str] = []
        node: str | None = start
        while node is not None and node not in path:
            path.append(node)
            node = parent.get(node)
        if node is None or node in reported:
            continue
        cycle = path[path.index(node) :]
        reported.update(cycle)
        record = next(r for r in records if r.raw_id == node and r.section.key == "weapon_classes")
        problems.add(
            record, "parent",
            "the class hierarchy has a cycle: " + " -> ".join([*cycle, node])
            + " — a class cannot be its own ancestor",
        )  # fmt: skip
