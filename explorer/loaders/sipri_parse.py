"""Parse SIPRI Arms Transfers exports into deals, without a database.

Two export formats are read (``detect_format`` tells them apart by the header):

``atdb``
    The AT Database export: a preamble of notes, then one line per *delivery*
    (deal x year) ending in ``;``; the lines of one deal share a
    ``SIPRI AT Database ID`` and are grouped into one ``SipriDeal``.
``register``
    The classic trade register: one line per deal, recipient first, ``?``
    columns marking the value to their left as uncertain, delivery years as
    ``2022; 2023; 2024``, free-text comments, often Latin-1.

Parsing is pure: a text file object in, ``SipriDeal`` records out, with a
``ParseReport`` that accounts for every record read::

    fileobj, encoding = open_export(path)
    report = ParseReport()
    with fileobj:
        for deal in parse_export(fileobj, report=report):
            ...
    assert report.balanced  # records_read == records_imported + len(rejects)

A line that cannot be read is never dropped silently: it becomes a ``Reject``
(line number, reason, text). A value that was repaired (lines rejoined, an
unreadable TIV left empty) is kept and listed as a ``Repair``. A file that is
not a SIPRI export raises ``explorer.errors.ValidationError``.

The reading is in four modules: ``sipri_encoding`` (bytes → text),
``sipri_csv`` (text → records of fields), this one (fields → deals: columns,
cell values, the two formats) and ``sipri_records`` (what comes out). This one
is near 800 lines because the two formats share every value reader and the
head; splitting them apart would put one format's rules in two files.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal, TextIO

from explorer.errors import ValidationError
from explorer.loaders.sipri_csv import Lines, records, split_fields
from explorer.loaders.sipri_encoding import open_export
from explorer.loaders.sipri_records import (
    Format,
    ParseReport,
    RawRecord,
    Reject,
    Repair,
    SipriDeal,
    SipriDelivery,
)

HEADER_SEARCH_LINES = 40
"""The header must appear within this many lines (SIPRI's preamble has 11)."""


MIN_YEAR, MAX_YEAR = 1900, 2100

# --- columns -----------------------------------------------------------------------

_ATDB_ID = "sipri at database id"
_ATDB_REQUIRED = (
    _ATDB_ID,
    "supplier",
    "recipient",
    "designation",
    "numbers delivered",
    "delivery year",
)
_REGISTER_REQUIRED = ("recipient", "supplier", "weapon designation")

_WHITESPACE = re.compile(r"\s+")
_INT = re.compile(r"\d+|\d{1,3}(?:[ ,]\d{3})+")
_FLOAT = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_EMPTY_TIV = {"", "-", "--", "n/a", "na", "?", "..", "..."}
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_GENERATED = re.compile(
    r"^(?:data|information)\s+generated\s*:\s*(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})", re.I
)


def _norm_header(name: str) -> str:
    return _WHITESPACE.sub(" ", name.strip().strip('"').rstrip(";").strip()).lower()


def _column_map(fields: list[str], fmt: Format) -> dict[str, int]:
    """Header name -> index. An unnamed register column is the ``?`` flag of
    the named column to its left and is mapped as ``<name>?``."""
    columns: dict[str, int] = {}
    previous = ""
    for index, raw in enumerate(fields):
        name = _norm_header(raw)
        if not name and fmt == "register" and previous:
            columns[previous + "?"] = index
            continue
        if name:
            columns.setdefault(name, index)
            previous = name
    return columns


def _header_format(line: str) -> Format | None:
    fields, _ = split_fields(line.lstrip("\ufeff"))
    names = [_norm_header(f) for f in fields]
    if names and names[0] == _ATDB_ID:
        return "atdb"
    if names[:2] == ["recipient", "supplier"]:
        return "register"
    return None


def detect_format(first_lines: Iterable[str], *, source: str = "the file") -> Format:
    """``atdb`` or ``register``, from the header line among the first 40 lines.

    Raises ValidationError when neither header is there.
    """
    for number, line in enumerate(first_lines, start=1):
        fmt = _header_format(line.rstrip("\r\n"))
        if fmt:
            return fmt
        if number >= HEADER_SEARCH_LINES:
            break
    raise ValidationError(_not_sipri(source))


def _not_sipri(source: str) -> str:
    return (
        f"{source} is not a SIPRI export: no 'SIPRI AT Database ID' or 'Recipient,Supplier' "
        f"header line in the first {HEADER_SEARCH_LINES} lines."
    )


def read_export(
    path: str | Path, encoding: str | None = None, fmt: Format | Literal["auto"] = "auto"
) -> tuple[list[SipriDeal], ParseReport]:
    """Parse a whole file into a list: convenient for small files and tests."""
    fileobj, encoding = open_export(path, encoding)
    report = ParseReport(source=Path(path).name, encoding=encoding)
    with fileobj:
        deals = list(parse_export(fileobj, fmt, report=report))
    return deals, report


# --- values ------------------------------------------------------------------------------


class _Bad(Exception):
    """A value that makes the record unusable; the message is the reject reason."""


def _text(value: str) -> str:
    value = value.strip()
    if "  " in value or "\n" in value or "\t" in value:
        return _WHITESPACE.sub(" ", value)
    return value


def _optional(value: str) -> str | None:
    return _text(value) or None


def _uncertain(value: str) -> tuple[str, bool]:
    """Strip SIPRI's uncertainty marks: ``(12)`` or ``12?`` -> ``("12", True)``."""
    value = value.strip()
    estimate = False
    if value.endswith("?"):
        value, estimate = value[:-1].strip(), True
    if value.startswith("(") and value.endswith(")"):
        value, estimate = value[1:-1].strip(), True
    return value, estimate


def _int(value: str, column: str) -> tuple[int | None, bool]:
    value, estimate = _uncertain(value)
    if not value:
        return None, estimate
    if not _INT.fullmatch(value):
        raise _Bad(f"non-numeric {column} {value!r}")
    return int(value.replace(",", "").replace(" ", "")), estimate


def _year(value: str, column: str) -> tuple[int | None, bool]:
    number, estimate = _int(value, column)
    if number is not None and not MIN_YEAR <= number <= MAX_YEAR:
        raise _Bad(f"implausible {column} {value.strip()!r}")
    return number, estimate


def _years(value: str, column: str) -> list[tuple[int, bool]]:
    """``2022; 2023?; 2024`` or ``2019-2021`` -> [(year, estimate), ...]."""
    years: list[tuple[int, bool]] = []
    for token in re.split(r"[;,]", value):
        token = token.strip()
        if not token:
            continue
        span = re.fullmatch(r"(\d{4})\s*-\s*(\d{4})(\??)", token)
        if span and int(span[1]) <= int(span[2]) <= int(span[1]) + 50:
            for year in range(int(span[1]), int(span[2]) + 1):
                years.append((year, bool(span[3])))
            continue
        year, estimate = _year(token, column)
        if year is not None:
            years.append((year, estimate))
    return years


class _Row:
    """Field access by column name, collecting repairs for one record."""

    def __init__(self, record: RawRecord, head: _Head, report: ParseReport) -> None:
        self.record = record
        self.columns = head.columns
        self.labels = head.labels
        self.report = report

    def label(self, column: str) -> str:
        """The column's name as the file prints it, for messages."""
        return self.labels.get(column, column)

    def get(self, column: str) -> str:
        index = self.columns.get(column)
        if index is None:
            return ""
        value = self.record.fields[index]
        return value

    def flag(self, column: str) -> bool:
        """``Yes``/``No`` (AT Database) or ``?`` (register); blank is No."""
        value = self.get(column).strip().lower()
        if value in ("yes", "y", "?", "true", "1"):
            return True
        if value in ("no", "n", "false", "0"):
            return False
        if value:
            self.report.repairs.append(
                Repair(self.record.line, f"unreadable {self.label(column)!r} {value!r} read as No")
            )
        elif column in self.columns and not column.endswith("?"):
            self.report.notes[f"blank {self.label(column)!r} read as No"] += 1
        return False

    def tiv(self, column: str) -> float | None:
        value, _ = _uncertain(self.get(column))
        if value.lower() in _EMPTY_TIV:
            return None
        if _FLOAT.fullmatch(value):
            return float(value)
        self.report.repairs.append(
            Repair(self.record.line, f"unreadable {self.label(column)!r} {value!r} left empty")
        )
        return None

    def bool_or_none(self, column: str) -> bool | None:
        value = self.get(column).strip().lower()
        if value in ("yes", "y"):
            return True
        if value in ("no", "n"):
            return False
        if value:
            self.report.repairs.append(
                Repair(self.record.line, f"unreadable {self.label(column)!r} {value!r} left empty")
            )
        return None


@dataclass(frozen=True)
class _Actor:
    name: str
    non_state: bool
    intl_org: bool
    unknown: bool


MAX_NAME_CHARS = 200
"""Longest supplier, recipient, designation or category accepted: SIPRI's longest are
under 60 characters, and Neo4j cannot index a value of several kilobytes (the whole
load used to fail on one such line)."""


def _bounded(value: str, column: str) -> str:
    """``value`` as text, rejected (this record only) when too long to be a name."""
    text = _text(value)
    if len(text) > MAX_NAME_CHARS:
        raise _Bad(f"{column} is {len(text):,} characters long; a name may have at most "
                   f"{MAX_NAME_CHARS}")
    return text


@lru_cache(maxsize=4096)
def _actor(value: str, column: str) -> _Actor:
    name = _bounded(value, column)
    stars = len(name) - len(name.rstrip("*"))
    name = name.rstrip("*").rstrip()
    if not name:
        raise _Bad(f"empty {column}")
    return _Actor(name, stars >= 1, stars >= 2, name.lower().startswith("unknown"))


# --- the parser ------------------------------------------------------------------------


@dataclass
class _Head:
    fmt: Format
    columns: dict[str, int]
    labels: dict[str, str]
    width: int
    header_line: int


def _read_head(fileobj: TextIO, fmt: Format | Literal["auto"], report: ParseReport) -> _Head:
    """Read the preamble and header, leaving the file at the first data line."""
    source = report.source
    preamble: list[str] = []
    for number in range(1, HEADER_SEARCH_LINES + 1):
        try:
            line = fileobj.readline()
        except UnicodeDecodeError:
            raise ValidationError(
                f"{source} is not valid {report.encoding or 'text'} in its first lines: "
                "try the latin-1 encoding."
            ) from None
        if not line:
            if number == 1:
                raise ValidationError(f"{source} is empty: expected a SIPRI export (CSV text).")
            if any("sipri" in note.lower() for note in preamble):
                raise ValidationError(
                    f"{source} ends after {number - 1} lines, inside the SIPRI notes before "
                    "the header line: the file is truncated; download the export again."
                )
            raise ValidationError(_not_sipri(source))
        if "\x00" in line:
            raise ValidationError(
                f"{source} is not a SIPRI export: it is a binary file, expected CSV text."
            )
        text = line.rstrip("\r\n").lstrip("\ufeff")
        found = _header_format(text)
        if found is None:
            preamble.append(text)
            continue
        if fmt != "auto" and found != fmt:
            raise ValidationError(
                f"{source} is a SIPRI {found} export, not the {fmt} format that was asked for."
            )
        fields, _ = split_fields(text)
        columns = _column_map(fields, found)
        required = _ATDB_REQUIRED if found == "atdb" else _REGISTER_REQUIRED
        missing = [name for name in required if name not in columns]
        if missing:
            raise ValidationError(
                f"{source} has a SIPRI header on line {number} without the column(s) "
                f"{', '.join(repr(m) for m in missing)}."
            )
        report.format = found
        report.header_line = number
        report.preamble = [note.rstrip().removesuffix(";").strip() for note in preamble]
        report.generated = _generated(report.preamble)
        labels = {name: fields[index].strip().rstrip(";") for name, index in columns.items()}
        for name in columns:
            # A "?" flag column is named after the column to its left; a header
            # column whose own name ends in "?" (or is just "?") keeps its name.
            if name.endswith("?") and name[:-1] in labels:
                labels[name] = f"? after {labels[name[:-1]]}"
        return _Head(found, columns, labels, len(fields), number)
    raise ValidationError(_not_sipri(source))


def _generated(preamble: list[str]) -> str | None:
    for note in preamble:
        match = _GENERATED.match(note.strip())
        if match and match[2].lower() in _MONTHS:
            day, month, year = int(match[1]), _MONTHS[match[2].lower()], int(match[3])
            if 1 <= day <= 31:
                return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _source_name(fileobj: TextIO) -> str:
    name = getattr(fileobj, "name", None)
    return Path(name).name if isinstance(name, str) else "the file"


def parse_export(
    fileobj: TextIO,
    fmt: Format | Literal["auto"] = "auto",
    *,
    report: ParseReport | None = None,
) -> Iterator[SipriDeal]:
    """Deals of a SIPRI export read from a text file object.

    Reads the preamble and header at once (a file that is not a SIPRI export
    raises ValidationError here), then returns an iterator that streams the
    deals and fills ``report`` as it goes. The report is complete, and
    balanced, once the iterator is exhausted.

    AT Database lines are grouped by ID. SIPRI writes the lines of a deal
    next to each other; when the file object is seekable it is scanned once
    for IDs first, so that lines of one ID that are *not* adjacent are still
    grouped (only those are held in memory) and everything else streams. An
    unseekable stream is grouped in memory.
    """
    if report is None:
        report = ParseReport()
    if report.source == "the file":
        report.source = _source_name(fileobj)
    if report.encoding is None:
        report.encoding = getattr(fileobj, "encoding", None)
    head = _read_head(fileobj, fmt, report)
    if head.fmt == "atdb":
        return _parse_atdb(fileobj, head, report)
    return _parse_register(fileobj, head, report)


def raw_records(fileobj: TextIO, *, report: ParseReport | None = None) -> Iterator[RawRecord]:
    """The data records of an export as read (broken lines rejoined, rejects
    skipped but counted in ``report``), for tools that copy records verbatim."""
    if report is None:
        report = ParseReport(source=_source_name(fileobj))
    head = _read_head(fileobj, "auto", report)
    lines = Lines(fileobj, head.header_line + 1, report)
    for record in records(lines, head.width, head.fmt, report):
        if isinstance(record, Reject):
            report.rejects.append(record)
        else:
            yield record


def _finish(report: ParseReport) -> None:
    if report.records_read == 0:
        raise ValidationError(
            f"{report.source} has a SIPRI header but no data lines: the file is truncated "
            "or the export selection was empty."
        )


# --- AT Database ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _DealPart:
    """What every line of one AT Database deal repeats, and must agree on."""

    supplier: _Actor
    recipient: _Actor
    designation: str
    description: str | None
    category: str | None
    order_year: int | None
    order_year_estimate: bool
    sipri_status: str | None
    tiv_unit: float | None
    tiv_deal_unit: float | None
    local_production: bool | None


_DEAL_PART_LABELS = {
    "supplier": "Supplier",
    "recipient": "Recipient",
    "designation": "Designation",
    "description": "Description",
    "category": "Armament category",
    "order_year": "Order date",
    "order_year_estimate": "Order date is estimate",
    "sipri_status": "Status",
    "tiv_unit": "SIPRI estimate",
    "tiv_deal_unit": "TIV deal unit",
    "local_production": "Local production",
}


@dataclass
class _AtdbLine:
    record: RawRecord
    sipri_id: str
    deal: _DealPart
    delivery: SipriDelivery


def _atdb_line(record: RawRecord, head: _Head, report: ParseReport) -> _AtdbLine:
    row = _Row(record, head, report)
    sipri_id = row.get(_ATDB_ID).strip()
    if not sipri_id.isdigit():
        raise _Bad(f"non-numeric SIPRI AT Database ID {sipri_id!r}" if sipri_id else "no ID")
    supplier = _actor(row.get("supplier"), "Supplier")
    recipient = _actor(row.get("recipient"), "Recipient")
    designation = _bounded(row.get("designation"), "Designation")
    if not designation:
        raise _Bad("empty Designation")
    order_year, order_marked = _year(row.get("order date"), "Order date")
    year_text = row.get("delivery year")
    year, year_marked = _year(year_text, "Delivery year")
    if year is None:
        raise _Bad("no Delivery year")
    quantity, quantity_marked = _int(row.get("numbers delivered"), "Numbers delivered")
    deal = _DealPart(
        supplier=supplier,
        recipient=recipient,
        designation=designation,
        description=_optional(row.get("description")),
        category=_optional(_bounded(row.get("armament category"), "Armament category")),
        order_year=order_year,
        order_year_estimate=row.flag("order date is estimate") or order_marked,
        sipri_status=_optional(row.get("status")),
        tiv_unit=row.tiv("sipri estimate"),
        tiv_deal_unit=row.tiv("tiv deal unit"),
        local_production=row.bool_or_none("local production"),
    )
    delivery = SipriDelivery(
        year=year,
        quantity=quantity,
        quantity_estimate=row.flag("numbers delivered is estimate") or quantity_marked,
        year_estimate=row.flag("delivery year is estimate") or year_marked,
        tiv=row.tiv("tiv delivery values"),
        line=record.line,
    )
    return _AtdbLine(record, sipri_id, deal, delivery)


def _parse_atdb(fileobj: TextIO, head: _Head, report: ParseReport) -> Iterator[SipriDeal]:
    # split: IDs whose lines are not adjacent -> index of their last record;
    # None when the file cannot be scanned first, and every ID is held.
    split = _scan_ids(fileobj, head, report) if fileobj.seekable() else None
    lines = Lines(fileobj, head.header_line + 1, report)
    held: dict[str, list[_AtdbLine]] = {}
    group: list[_AtdbLine] = []
    index = -1
    for record in records(lines, head.width, "atdb", report):
        report.records_read += 1
        if isinstance(record, Reject):
            report.rejects.append(record)
            continue
        index += 1
        try:
            parsed = _atdb_line(record, head, report)
        except _Bad as bad:
            report.rejects.append(Reject(record.line, str(bad), record.text))
            continue
        sipri_id = parsed.sipri_id
        if split is None or sipri_id in split:
            held.setdefault(sipri_id, []).append(parsed)
            if split is not None and split[sipri_id] == index:
                yield _atdb_deal(held.pop(sipri_id), report)
            continue
        if group and group[0].sipri_id != sipri_id:
            yield _atdb_deal(group, report)
            group = []
        group.append(parsed)
    if group:
        yield _atdb_deal(group, report)
    # Split IDs whose last record was rejected, or everything when unscanned.
    for lines_of_id in held.values():
        yield _atdb_deal(lines_of_id, report)
    _finish(report)


def _scan_ids(fileobj: TextIO, head: _Head, report: ParseReport) -> dict[str, int]:
    """IDs whose records are not adjacent -> index of their last record.

    A pre-pass over a seekable file, reading records the same way the main
    pass does, so that record indexes agree; the file is then put back.
    """
    start = fileobj.tell()
    # Named like the real report, so that a decoding error names the file.
    scratch = ParseReport(source=report.source, encoding=report.encoding)
    lines = Lines(fileobj, head.header_line + 1, scratch)
    id_index = head.columns[_ATDB_ID]
    seen: set[str] = set()
    split: set[str] = set()
    last: dict[str, int] = {}
    previous = None
    index = -1
    for record in records(lines, head.width, "atdb", scratch):
        if isinstance(record, Reject):
            continue
        index += 1
        sipri_id = record.fields[id_index].strip()
        if sipri_id != previous and sipri_id in seen:
            split.add(sipri_id)
        seen.add(sipri_id)
        last[sipri_id] = index
        previous = sipri_id
    fileobj.seek(start)
    return {sipri_id: last[sipri_id] for sipri_id in split}


def _atdb_deal(lines: list[_AtdbLine], report: ParseReport) -> SipriDeal:
    """One deal from the lines of one ID, rejecting lines that disagree with
    the majority about the deal, and second lines for the same year."""
    votes = Counter(line.deal for line in lines)
    # Counter keeps first-seen order, so a tie goes to the earliest line.
    majority = max(votes, key=lambda part: votes[part])
    reference = next(line for line in lines if line.deal == majority)
    kept: list[_AtdbLine] = []
    by_year: dict[int | None, _AtdbLine] = {}
    for line in lines:
        if line.deal != majority:
            differing = [
                f"{label} {_show(getattr(line.deal, name))!r} "
                f"(line {reference.record.line} has {_show(getattr(majority, name))!r})"
                for name, label in _DEAL_PART_LABELS.items()
                if getattr(line.deal, name) != getattr(majority, name)
            ]
            report.rejects.append(
                Reject(
                    line.record.line,
                    f"deal {line.sipri_id} disagrees with its other lines: " + "; ".join(differing),
                    line.record.text,
                )
            )
            continue
        earlier = by_year.get(line.delivery.year)
        if earlier is not None:
            if earlier.record.fields == line.record.fields:
                reason = f"duplicate of line {earlier.record.line}"
            else:
                reason = (
                    f"second line for delivery year {line.delivery.year} of deal "
                    f"{line.sipri_id} (line {earlier.record.line} has the first)"
                )
            report.rejects.append(Reject(line.record.line, reason, line.record.text))
            continue
        by_year[line.delivery.year] = line
        kept.append(line)
    report.records_imported += len(kept)
    report.deals += 1
    deal = majority
    deliveries = tuple(sorted((line.delivery for line in kept), key=lambda d: d.year or 0))
    quantities = [d.quantity for d in deliveries if d.quantity is not None]
    tivs = [d.tiv for d in deliveries if d.tiv is not None]
    return SipriDeal(
        id=f"sipri-{reference.sipri_id}",
        format="atdb",
        sipri_id=reference.sipri_id,
        source_line=min(line.record.line for line in kept),
        supplier=deal.supplier.name,
        recipient=deal.recipient.name,
        supplier_non_state=deal.supplier.non_state,
        recipient_non_state=deal.recipient.non_state,
        supplier_intl_org=deal.supplier.intl_org,
        recipient_intl_org=deal.recipient.intl_org,
        supplier_unknown=deal.supplier.unknown,
        recipient_unknown=deal.recipient.unknown,
        designation=deal.designation,
        description=deal.description,
        category=deal.category,
        order_year=deal.order_year,
        order_year_estimate=deal.order_year_estimate,
        quantity_ordered=None,
        quantity_ordered_estimate=False,
        deliveries=deliveries,
        quantity_delivered=sum(quantities) if quantities else None,
        quantity_delivered_estimate=any(
            d.quantity_estimate or d.quantity is None for d in deliveries
        ),
        sipri_status=deal.sipri_status,
        tiv_unit=deal.tiv_unit,
        tiv_deal_unit=deal.tiv_deal_unit,
        tiv_total=None,
        tiv_delivered=round(sum(tivs), 6) if tivs else None,
        local_production=deal.local_production,
        comments=None,
    )


def _show(value: object) -> object:
    return (
        value.name + "*" * (value.non_state + value.intl_org)
        if isinstance(value, _Actor)
        else value
    )


# --- trade register ------------------------------------------------------------------------------


def register_id(supplier: str, recipient: str, designation: str, order_year: int | None) -> str:
    """The stable id of a register deal, which has no id of its own:
    ``sipri-reg-`` + the first 12 hex digits of the SHA-1 of
    ``supplier|recipient|designation|order year`` (UTF-8; names without
    SIPRI's ``*`` marks; an unknown order year is empty)."""
    key = f"{supplier}|{recipient}|{designation}|{'' if order_year is None else order_year}"
    return "sipri-reg-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _parse_register(fileobj: TextIO, head: _Head, report: ParseReport) -> Iterator[SipriDeal]:
    lines = Lines(fileobj, head.header_line + 1, report)
    # Deals that share an id base: the first keeps it, later ones get -2, -3,
    # ... in file order. That includes a record identical to an earlier one: the
    # register has no deal ids, and SIPRI lists two separate deals with the same
    # fields (two NASAMS-2 deals from Norway to Ukraine in 2023) as two lines, so an
    # identical line is a second deal, not a duplicate. File order keeps the
    # numbering stable across re-imports of the same file.
    occurrences: Counter[str] = Counter()
    for record in records(lines, head.width, "register", report):
        report.records_read += 1
        if isinstance(record, Reject):
            report.rejects.append(record)
            continue
        try:
            deal = _register_deal(record, head, report)
        except _Bad as bad:
            report.rejects.append(Reject(record.line, str(bad), record.text))
            continue
        occurrences[deal.id] += 1
        if occurrences[deal.id] > 1:
            deal = replace(deal, id=f"{deal.id}-{occurrences[deal.id]}")
            report.notes["register id shared by two deals: numbered"] += 1
        report.records_imported += 1
        report.deals += 1
        yield deal
    _finish(report)


def _register_deal(record: RawRecord, head: _Head, report: ParseReport) -> SipriDeal:
    row = _Row(record, head, report)
    supplier = _actor(row.get("supplier"), "Supplier")
    recipient = _actor(row.get("recipient"), "Recipient")
    designation = _bounded(row.get("weapon designation"), "Weapon designation")
    if not designation:
        raise _Bad("empty Weapon designation")
    order_year, order_marked = _year(row.get("year of order"), "Year of order")
    ordered, ordered_marked = _int(row.get("number ordered"), "Number ordered")
    delivered, delivered_marked = _int(row.get("number delivered"), "Number delivered")
    delivered_estimate = row.flag("number delivered?") or delivered_marked
    years: dict[int, bool] = {}
    for year, estimate in _years(row.get("year(s) of delivery"), "Year(s) of delivery"):
        years[year] = years.get(year, False) or estimate
    tiv_delivered = row.tiv("sipri tiv of delivered weapons")
    single = len(years) == 1
    # The register gives one total for all years: it belongs to a year only
    # when there is a single delivery year.
    deliveries = tuple(
        SipriDelivery(
            year=year,
            quantity=delivered if single else None,
            quantity_estimate=delivered_estimate if single else False,
            year_estimate=estimate,
            tiv=tiv_delivered if single else None,
            line=record.line,
        )
        for year, estimate in sorted(years.items())
    )
    tiv_unit = row.tiv("sipri tiv per unit")
    return SipriDeal(
        id=register_id(supplier.name, recipient.name, designation, order_year),
        format="register",
        sipri_id=None,
        source_line=record.line,
        supplier=supplier.name,
        recipient=recipient.name,
        supplier_non_state=supplier.non_state,
        recipient_non_state=recipient.non_state,
        supplier_intl_org=supplier.intl_org,
        recipient_intl_org=recipient.intl_org,
        supplier_unknown=supplier.unknown,
        recipient_unknown=recipient.unknown,
        designation=designation,
        description=_optional(row.get("weapon description")),
        category=None,
        order_year=order_year,
        order_year_estimate=row.flag("year of order?") or order_marked,
        quantity_ordered=ordered,
        quantity_ordered_estimate=row.flag("number ordered?") or ordered_marked,
        deliveries=deliveries,
        quantity_delivered=delivered,
        quantity_delivered_estimate=delivered_estimate,
        sipri_status=_optional(row.get("status")),
        tiv_unit=tiv_unit,
        tiv_deal_unit=tiv_unit,
        tiv_total=row.tiv("sipri tiv for total order"),
        tiv_delivered=tiv_delivered,
        local_production=None,
        comments=_optional(row.get("comments")),
    )
