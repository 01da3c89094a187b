"""Reading a SIPRI export's bytes as text: UTF-8, cp1252, Latin-1, or a file that
mixes them line by line (``MIXED``). Sniffs by streaming; a file that cannot be
read raises ValidationError naming it."""

from __future__ import annotations

import codecs
import io
import re
from pathlib import Path
from typing import TextIO

from explorer.errors import ValidationError

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


