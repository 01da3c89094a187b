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
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal, TextIO

from explorer.errors import ValidationError

Format = Literal["atdb", "register"]

HEADER_SEARCH_LINES = 40
"""The header must appear within this many lines (SIPRI's preamble has 11)."""

MAX_QUOTED_LINES = 20
"""A quoted field may span at most this many physical lines; beyond it the
quote is taken to be stray and the first line is rejected."""

MAX_JOINED_LINES = 4
"""A record broken by unquoted line breaks is rejoined from at most this many lines."""

MIN_YEAR, MAX_YEAR = 1900, 2100

# --- public records --------------------------------------------------------------


@dataclass(frozen=True)
class SipriDelivery:
    """Weapons delivered in one year of a deal."""

    year: int | None
    quantity: int | None
    quantity_estimate: bool
    year_estimate: bool
    tiv: float | None
    line: int
    """Physical line (1-based, preamble included) of the record that gave this delivery."""


@dataclass(frozen=True)
class SipriDeal:
    """One deal: supplier -> recipient of a weapon designation, with its deliveries."""

    id: str
    """The graph's Transfer id: ``sipri-<AT Database ID>`` or ``sipri-reg-<hash>[-n]``."""
    format: Format
    sipri_id: str | None
    """The AT Database ID as printed (``atdb`` only)."""
    source_line: int
    """First physical line of the deal's first record."""
    supplier: str
    recipient: str
    supplier_non_state: bool
    recipient_non_state: bool
    supplier_intl_org: bool
    """SIPRI marks international organisations with ``**`` (also non-state)."""
    recipient_intl_org: bool
    supplier_unknown: bool
    """True for SIPRI's ``unknown supplier(s)``, ``unknown rebel group*`` ..."""
    recipient_unknown: bool
    designation: str
    """As printed, trailing SIPRI variant dashes included (``Bushmaster -``)."""
    description: str | None
    category: str | None
    """SIPRI armament category; the register has none."""
    order_year: int | None
    order_year_estimate: bool
    quantity_ordered: int | None
    """The register's ``Number ordered``; the AT Database export has none."""
    quantity_ordered_estimate: bool
    deliveries: tuple[SipriDelivery, ...]
    quantity_delivered: int | None
    quantity_delivered_estimate: bool
    sipri_status: str | None
    """``New``, ``Second hand``, ``Second hand but modernized``."""
    tiv_unit: float | None
    """Per-unit TIV of a new item: ATDB ``SIPRI estimate``, register ``SIPRI TIV per unit``."""
    tiv_deal_unit: float | None
    """Per-unit TIV in this deal (second hand is valued lower): ATDB ``TIV deal unit``;
    the register prints one per-unit value, so it is the same as ``tiv_unit``."""
    tiv_total: float | None
    """The register's ``SIPRI TIV for total order``; the AT Database export has none."""
    tiv_delivered: float | None
    local_production: bool | None
    comments: str | None

    @property
    def system_name(self) -> str:
        """The designation without SIPRI's trailing variant dashes: ``Bushmaster -`` ->
        ``Bushmaster``, so that variants meet on one WeaponSystem."""
        return _VARIANT_DASHES.sub("", self.designation) or self.designation

    @property
    def delivery_years(self) -> list[int]:
        return [d.year for d in self.deliveries if d.year is not None]

    @property
    def delivered_per_year(self) -> list[int | None]:
        """Parallel to ``delivery_years``; None where the source gives no per-year number."""
        return [d.quantity for d in self.deliveries if d.year is not None]

    @property
    def first_year(self) -> int | None:
        return min(self.delivery_years, default=self.order_year)

    @property
    def last_year(self) -> int | None:
        return max(self.delivery_years, default=self.order_year)

    @property
    def supplier_kind(self) -> str:
        return _actor_kind(self.supplier_non_state, self.supplier_intl_org, self.supplier_unknown)

    @property
    def recipient_kind(self) -> str:
        return _actor_kind(
            self.recipient_non_state, self.recipient_intl_org, self.recipient_unknown
        )


@dataclass(frozen=True)
class Reject:
    """A record that was not imported."""

    line: int
    reason: str
    text: str


@dataclass(frozen=True)
class Repair:
    """A record that was imported after a fix worth knowing about."""

    line: int
    what: str


@dataclass(frozen=True)
class RawRecord:
    """One record as read, before any value is interpreted."""

    line: int
    last_line: int
    fields: tuple[str, ...]
    text: str
    """The physical lines joined by newlines, without line endings."""
    terminated: bool
    """Whether the record ended with SIPRI's ``;`` (AT Database exports)."""


@dataclass
class ParseReport:
    """What a parse read, imported, repaired and rejected.

    ``records_read == records_imported + len(rejects)`` always holds after a
    complete parse (``balanced``): every record is accounted for.
    """

    source: str = "the file"
    format: Format | None = None
    encoding: str | None = None
    generated: str | None = None
    """The export's "Data generated" date, ISO (``2026-02-12``)."""
    preamble: list[str] = field(default_factory=list)
    """The notes before the header, without SIPRI's trailing ``;``."""
    header_line: int = 0
    lines_read: int = 0
    """Physical lines after the header, blank ones included."""
    blank_lines: int = 0
    records_read: int = 0
    """Non-blank records after the header (a record broken over lines counts once)."""
    records_imported: int = 0
    deals: int = 0
    rejects: list[Reject] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    notes: Counter[str] = field(default_factory=Counter)
    """Counts of silent normalisations (blank estimate flags, trimmed spaces)."""
    legacy_lines: list[int] = field(default_factory=list)
    """In a file of mixed encodings (``MIXED``), the physical lines read as cp1252."""

    @property
    def balanced(self) -> bool:
        return self.records_read == self.records_imported + len(self.rejects)

    def summary(self) -> str:
        """One line, for the CLI."""
        text = (
            f"{self.source}: {self.format} export, {self.encoding}, "
            f"generated {self.generated or 'unknown'}: {self.records_read} records read, "
            f"{self.records_imported} imported into {self.deals} deals, "
            f"{len(self.rejects)} rejected, {len(self.repairs)} repaired"
        )
        return text + ("" if self.balanced else " (UNBALANCED: a parser bug)")

    def rejects_csv(self) -> str:
        """The rejects as CSV text (line, reason, text), to hand back to whoever
        maintains the file."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["line", "reason", "text"])
        for reject in self.rejects:
            writer.writerow([reject.line, reject.reason, reject.text])
        return out.getvalue()


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

_VARIANT_DASHES = re.compile(r"\s+-+$")
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
    fields, _ = _split(line.lstrip("\ufeff"))
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


# --- encoding ----------------------------------------------------------------------

# Bytes that cp1252 leaves undefined: a file holding them is read as latin-1.
_CP1252_HOLES = tuple(bytes([b]) for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D))


def sniff_encoding(path: str | Path) -> str:
    """``utf-8``/``utf-8-sig`` if the whole file decodes as UTF-8, else ``cp1252``,
    else ``latin-1``. Streams the bytes; raises ValidationError for empty,
    binary or spreadsheet files."""
    path = Path(path)
    name = path.name
    try:
        stream = path.open("rb")
    except FileNotFoundError:
        raise ValidationError(f"{path} does not exist: give the path of a SIPRI export.") from None
    except IsADirectoryError:
        raise ValidationError(f"{path} is a folder: give the path of a SIPRI export.") from None
    with stream:
        head = stream.read(1 << 16)
        if not head.strip():
            raise ValidationError(f"{name} is empty: expected a SIPRI export (CSV text).")
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return "utf-16"
        if head.startswith(b"PK\x03\x04"):
            raise ValidationError(
                f"{name} is not a SIPRI export: it is a zip/xlsx file; download the CSV "
                "export from SIPRI (or save the sheet as CSV)."
            )
        if b"\x00" in head:
            raise ValidationError(
                f"{name} is not a SIPRI export: it is a binary file, expected CSV text."
            )
        bom = head.startswith(codecs.BOM_UTF8)
        decoder = codecs.getincrementaldecoder("utf-8")()
        utf8 = cp1252 = True
        chunk = head
        while chunk:
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            if cp1252 and any(hole in chunk for hole in _CP1252_HOLES):
                cp1252 = False
            chunk = stream.read(1 << 16)
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        return "utf-8-sig" if bom else "utf-8"
    legacy = "cp1252" if cp1252 else "latin-1"
    if legacy == "cp1252" and _has_utf8_lines(path):
        return MIXED
    return legacy


MIXED = "mixed"
"""The encoding ``sniff_encoding`` names for a file with both UTF-8 lines and
cp1252 lines (pieces pasted from two exports): each line is read in its own
encoding (``decode_mixed``) and the loader reports which lines were cp1252."""

# Two to four bytes that only UTF-8 writes: a lead byte and its continuations.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _line_is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _has_utf8_lines(path: Path) -> bool:
    """True when some line has non-ASCII bytes that decode as UTF-8 (in a file that
    as a whole does not): in cp1252 text such byte pairs are rare (``Ã¼``)."""
    with path.open("rb") as stream:
        return any(_UTF8_SEQUENCE.search(line) and _line_is_utf8(line) for line in stream)


def decode_mixed(path: str | Path) -> tuple[str, list[int]]:
    """The text of a file of mixed encodings, each line decoded as UTF-8 when it is
    UTF-8 and as cp1252 otherwise: ``(text, lines read as cp1252)``."""
    parts: list[str] = []
    legacy: list[int] = []
    with Path(path).open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            if _line_is_utf8(line):
                parts.append(line.decode("utf-8"))
            else:
                parts.append(line.decode("cp1252", errors="replace"))
                legacy.append(number)
    text = "".join(parts)
    return text.removeprefix("\ufeff"), legacy


def _check_readable(path: Path, encoding: str) -> None:
    """A known encoding, and a file that exists: one sentence otherwise."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ValidationError(
            f"{encoding!r} is not a known text encoding: try utf-8 or latin-1."
        ) from None
    if not path.is_file():
        raise ValidationError(f"{path} does not exist: give the path of a SIPRI export.")


def check_decodes(path: str | Path, encoding: str) -> None:
    """Raise ValidationError, naming the first bad line, unless the whole file decodes
    with ``encoding`` — before anything is written, so a file that stops decoding
    half-way writes nothing."""
    path = Path(path)
    _check_readable(path, encoding)
    if codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")):  # no byte lines
        try:
            path.read_bytes().decode(encoding)
        except UnicodeDecodeError as error:
            raise ValidationError(
                f"{path.name} is not valid {encoding}: {error.reason}."
            ) from None
        return
    with path.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError as error:
                raise ValidationError(
                    f"{path.name} is not valid {encoding} after line {number - 1}: "
                    f"{error.reason} in line {number}; try the latin-1 encoding."
                ) from None


def open_export(path: str | Path, encoding: str | None = None) -> tuple[TextIO, str]:
    """Open a SIPRI export as text: ``(file object, encoding)``.

    Without ``encoding`` the file is sniffed (see ``sniff_encoding``); with
    one, it is used as given and a decoding error surfaces during parsing as
    a ValidationError. The caller closes the file.
    """
    path = Path(path)
    if encoding is None:
        encoding = sniff_encoding(path)
    if encoding == MIXED:
        return io.StringIO(decode_mixed(path)[0], newline=None), encoding
    _check_readable(path, encoding)
    # utf-8-sig also reads files without a BOM, and drops one when present.
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    return path.open(encoding=codec, errors="strict", newline=None), encoding


def read_export(
    path: str | Path, encoding: str | None = None, fmt: Format | Literal["auto"] = "auto"
) -> tuple[list[SipriDeal], ParseReport]:
    """Parse a whole file into a list: convenient for small files and tests."""
    fileobj, encoding = open_export(path, encoding)
    report = ParseReport(source=Path(path).name, encoding=encoding)
    with fileobj:
        deals = list(parse_export(fileobj, fmt, report=report))
    return deals, report


# --- CSV splitting -------------------------------------------------------------------


def _split(text: str) -> tuple[list[str], bool]:
    """Split one record's text on commas: ``(fields, quote still open)``.

    Follows the csv module's rules (a quote is special only at the start of a
    field, ``""`` is a literal quote) but also says whether a quote is still
    open, which is how a record broken inside quotes is recognised.
    """
    if '"' not in text:
        return text.split(","), False
    fields: list[str] = []
    current: list[str] = []
    quoted = field_started = False
    index, size = 0, len(text)
    while index < size:
        char = text[index]
        if quoted:
            if char == '"':
                if index + 1 < size and text[index + 1] == '"':
                    current.append('"')
                    index += 1
                else:
                    quoted = False
            else:
                current.append(char)
        elif char == ",":
            fields.append("".join(current))
            current = []
            field_started = False
            index += 1
            continue
        elif char == '"' and not field_started:
            quoted = True
        else:
            current.append(char)
        field_started = True
        index += 1
    fields.append("".join(current))
    return fields, quoted


# --- reading records -------------------------------------------------------------------


class _Lines:
    """Numbered physical lines with push-back, counting each line once."""

    def __init__(self, fileobj: TextIO, first_number: int, report: ParseReport) -> None:
        self._read = iter(fileobj.readline, "")
        self._number = first_number - 1
        self._pushed: list[tuple[int, str]] = []
        self._report = report

    def __iter__(self) -> Iterator[tuple[int, str]]:
        return self

    def __next__(self) -> tuple[int, str]:
        if self._pushed:
            return self._pushed.pop()
        try:
            line = next(self._read)
        except UnicodeDecodeError as error:
            raise ValidationError(
                f"{self._report.source} is not valid {self._report.encoding or 'text'} "
                f"after line {self._number}: {error.reason}; try the latin-1 encoding."
            ) from None
        self._number += 1
        self._report.lines_read += 1
        return self._number, line.rstrip("\r\n")

    def push_back(self, lines: list[tuple[int, str]]) -> None:
        self._pushed.extend(reversed(lines))


@dataclass
class _Piece:
    line: int
    last_line: int
    raw: str
    """Physical lines joined by newlines: what a reject shows."""
    joined: str
    """The text that was split: unquoted breaks replaced by spaces."""
    fields: list[str]
    parts: int


def _pieces(
    lines: _Lines, width: int, fmt: Format, report: ParseReport
) -> Iterator[_Piece | Reject]:
    """Records of ``width`` fields, rejoining broken ones; a Reject for a line
    that cannot be made into a record. Blank lines are counted and skipped."""
    pending: _Piece | None = None
    for number, text in lines:
        if not text.strip():
            report.blank_lines += 1
            continue
        chunk = [(number, text)]
        fields, open_quote = _split(text)
        while open_quote and len(chunk) < MAX_QUOTED_LINES:
            following = next(lines, None)
            if following is None:
                break
            chunk.append(following)
            fields, open_quote = _split("\n".join(t for _, t in chunk))
        raw = "\n".join(t for _, t in chunk)
        if open_quote:
            if pending is not None:
                yield pending
                pending = None
            end = "the end of the file" if len(chunk) < MAX_QUOTED_LINES else "many lines"
            yield Reject(number, f"unterminated quote: no closing quote before {end}", text)
            lines.push_back(chunk[1:])
            continue
        piece = _Piece(number, chunk[-1][0], raw, raw, fields, 1)
        if pending is not None:
            joined = pending.joined + " " + piece.joined
            merged_fields, _ = _split(joined)
            merged = _Piece(
                pending.line,
                piece.last_line,
                pending.raw + "\n" + piece.raw,
                joined,
                merged_fields,
                pending.parts + 1,
            )
            if len(merged_fields) == width:
                pending = None
                yield merged
                continue
            if len(merged_fields) < width and merged.parts < MAX_JOINED_LINES:
                pending = merged
                continue
            # The next line does not complete the short one: it stands alone.
            yield pending
            pending = None
        # An AT Database line that ends in ';' is complete, however short.
        if len(fields) < width and not (fmt == "atdb" and text.rstrip().endswith(";")):
            pending = piece
            continue
        yield piece
    if pending is not None:
        yield pending


def _records(
    lines: _Lines, width: int, fmt: Format, report: ParseReport
) -> Iterator[RawRecord | Reject]:
    """Pieces checked for width and SIPRI's trailing ``;``.

    Runs one piece behind the reader so that the last record of the file is
    known as such: a short or unterminated last record is a truncation.
    """
    previous: _Piece | Reject | None = None
    for piece in _pieces(lines, width, fmt, report):
        if previous is not None:
            yield _record(previous, width, fmt, report, at_end=False)
        previous = piece
    if previous is not None:
        yield _record(previous, width, fmt, report, at_end=True)


def _record(
    piece: _Piece | Reject, width: int, fmt: Format, report: ParseReport, *, at_end: bool
) -> RawRecord | Reject:
    if isinstance(piece, Reject):
        return piece
    fields = [_WHITESPACE.sub(" ", f).strip() if "\n" in f else f.strip() for f in piece.fields]
    terminated = bool(fields) and fields[-1].endswith(";")
    if terminated:
        fields[-1] = fields[-1][:-1].rstrip()
    if len(fields) < width:
        if terminated and fmt == "atdb":
            reason = f"{len(fields)} fields, expected {width}"
        elif at_end:
            reason = f"truncated record at the end of the file: {len(fields)} of {width} fields"
        else:
            reason = (
                f"{len(fields)} fields, expected {width}, and the next line does not complete it"
            )
        return Reject(piece.line, reason, piece.raw)
    if len(fields) > width:
        reason = f"{len(fields)} fields, expected {width} (an unquoted comma?)"
        return Reject(piece.line, reason, piece.raw)
    if fmt == "atdb" and not terminated:
        # SIPRI ends every line with ';': without it, the last line was cut
        # (possibly inside its last field); elsewhere it is only noted.
        if at_end:
            return Reject(piece.line, "truncated last line: no closing ';'", piece.raw)
        report.notes["line without the closing ';'"] += 1
    last = piece.fields[-1].rstrip()
    unterminated = [*piece.fields[:-1], last[:-1] if terminated else piece.fields[-1]]
    trimmed = sum(1 for raw in unterminated if raw != raw.strip())
    if trimmed:
        report.notes["spaces around a value trimmed"] += trimmed
    if piece.parts == 1 and piece.last_line > piece.line:
        report.notes["quoted value over several lines"] += 1
    if piece.parts > 1:
        report.repairs.append(
            Repair(piece.line, f"record broken over lines {piece.line}-{piece.last_line} rejoined")
        )
    return RawRecord(piece.line, piece.last_line, tuple(fields), piece.raw, terminated)


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


def _actor_kind(non_state: bool, intl_org: bool, unknown: bool) -> str:
    if intl_org:
        return "organization"
    if non_state:
        return "armed_group"
    return "unknown" if unknown else "state"


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
        fields, _ = _split(text)
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
    lines = _Lines(fileobj, head.header_line + 1, report)
    for record in _records(lines, head.width, head.fmt, report):
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
    lines = _Lines(fileobj, head.header_line + 1, report)
    held: dict[str, list[_AtdbLine]] = {}
    group: list[_AtdbLine] = []
    index = -1
    for record in _records(lines, head.width, "atdb", report):
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
    lines = _Lines(fileobj, head.header_line + 1, scratch)
    id_index = head.columns[_ATDB_ID]
    seen: set[str] = set()
    split: set[str] = set()
    last: dict[str, int] = {}
    previous = None
    index = -1
    for record in _records(lines, head.width, "atdb", scratch):
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
    lines = _Lines(fileobj, head.header_line + 1, report)
    # Deals that share an id base: the first keeps it, later ones get -2, -3,
    # ... in file order. That includes a record identical to an earlier one: the
    # register has no deal ids, and SIPRI lists two separate deals with the same
    # fields (two NASAMS-2 deals from Norway to Ukraine in 2023) as two lines, so an
    # identical line is a second deal, not a duplicate. File order keeps the
    # numbering stable across re-imports of the same file.
    occurrences: Counter[str] = Counter()
    for record in _records(lines, head.width, "register", report):
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
