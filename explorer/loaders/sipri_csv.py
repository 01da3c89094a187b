"""Splitting a SIPRI export's lines into records of fields: SIPRI's CSV dialect,
records broken over lines rejoined, stray quotes and truncated lines rejected with
their line number."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from explorer.errors import ValidationError
from explorer.loaders.sipri_records import Format, ParseReport, RawRecord, Reject, Repair

MAX_QUOTED_LINES = 20
"""A quoted field may span at most this many physical lines; beyond it the
quote is taken to be stray and the first line is rejected."""

MAX_JOINED_LINES = 4
"""A record broken by unquoted line breaks is rejoined from at most this many lines."""

_WHITESPACE = re.compile(r"\s+")


# --- CSV splitting -------------------------------------------------------------------


def split_fields(text: str) -> tuple[list[str], bool]:
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


class Lines:
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
    lines: Lines, width: int, fmt: Format, report: ParseReport
) -> Iterator[_Piece | Reject]:
    """Records of ``width`` fields, rejoining broken ones; a Reject for a line
    that cannot be made into a record. Blank lines are counted and skipped."""
    pending: _Piece | None = None
    for number, text in lines:
        if not text.strip():
            report.blank_lines += 1
            continue
        chunk = [(number, text)]
        fields, open_quote = split_fields(text)
        while open_quote and len(chunk) < MAX_QUOTED_LINES:
            following = next(lines, None)
            if following is None:
                break
            chunk.append(following)
            fields, open_quote = split_fields("\n".join(t for _, t in chunk))
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
            merged_fields, _ = split_fields(joined)
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


def records(
    lines: Lines, width: int, fmt: Format, report: ParseReport
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


