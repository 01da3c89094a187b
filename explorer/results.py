"""Driver values -> plain, JSON-safe Python data, and tables -> CSV (the one CSV writer).

Everything a query returns passes through ``plain`` before it leaves a
transaction function, so the dashboard, the CLI and the exports handle only
dicts, lists, strings, numbers, booleans and None:

- a node becomes ``{"id": element_id, "labels": [...sorted], "properties": {...}}``;
- a relationship becomes ``{"id", "type", "start", "end", "properties"}`` with the
  element ids of its end nodes;
- a path becomes ``{"nodes": [...], "relationships": [...]}``;
- dates, times, datetimes and durations become ISO 8601 strings;
- points become ``{"crs", "srid", "x", "y"[, "z"]}`` (plus ``longitude``/``latitude``
  [/``height``] for WGS-84 points);
- byte arrays become base64 strings, vectors lists of numbers, and NaN or
  infinite floats None (JSON has no spelling for them).
"""

from __future__ import annotations

import base64
import csv
import datetime as _dt
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from neo4j import Record
from neo4j.graph import Node, Path, Relationship
from neo4j.spatial import Point
from neo4j.time import Date, DateTime, Duration, Time

__all__ = ["csv_text", "guard_cell", "plain", "records_to_table", "table_columns", "write_csv",
           "write_records"]

_CRS_NAMES = {7203: "cartesian", 9157: "cartesian-3d", 4326: "wgs-84", 4979: "wgs-84-3d"}


def _node(node: Node) -> dict[str, Any]:
    return {
        "id": node.element_id,
        "labels": sorted(node.labels),
        "properties": {key: plain(value) for key, value in node.items()},
    }


def _relationship(rel: Relationship) -> dict[str, Any]:
    start, end = rel.start_node, rel.end_node
    return {
        "id": rel.element_id,
        "type": rel.type,
        "start": start.element_id if start is not None else None,
        "end": end.element_id if end is not None else None,
        "properties": {key: plain(value) for key, value in rel.items()},
    }


def _point(point: Point) -> dict[str, Any]:
    srid = getattr(point, "srid", None)
    out: dict[str, Any] = {"crs": _CRS_NAMES.get(srid or 0), "srid": srid}
    for axis, value in zip(("x", "y", "z"), point, strict=False):
        out[axis] = value
    if srid in (4326, 4979):
        out["longitude"], out["latitude"] = point[0], point[1]
        if len(point) > 2:
            out["height"] = point[2]
    return out


def _duration(value: _dt.timedelta) -> str:
    """ISO 8601 for a Python timedelta, in the form Neo4j prints durations."""
    total = value.total_seconds()
    sign = "-" if total < 0 else ""
    seconds = abs(total)
    days, seconds = divmod(seconds, 86400)
    text = f"{seconds:.9f}".rstrip("0").rstrip(".")
    return f"{sign}P{int(days)}DT{text}S"


def plain(value: Any) -> Any:
    """Convert one driver value (recursively) into JSON-safe plain data."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    # Order matters: nodes and relationships are Mappings, paths are iterable,
    # points are tuples, and a Record is a tuple with keys.
    if isinstance(value, Node):
        return _node(value)
    if isinstance(value, Relationship):
        return _relationship(value)
    if isinstance(value, Path):
        return {
            "nodes": [_node(n) for n in value.nodes],
            "relationships": [_relationship(r) for r in value.relationships],
        }
    if isinstance(value, Point):
        return _point(value)
    if isinstance(value, Record):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, Date | DateTime | Time | Duration):
        return value.iso_format()
    if isinstance(value, _dt.date | _dt.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return _duration(value)
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    to_native = getattr(value, "to_native", None)
    if callable(to_native):  # neo4j.vector.Vector and future driver types
        return plain(to_native())
    return str(value)


def records_to_table(keys: Sequence[str], rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Rows (driver Records, tuples aligned with ``keys``, or mappings) -> a list of
    dicts with plain values, one key per column in ``keys`` order."""
    columns = list(keys)
    table: list[dict[str, Any]] = []
    for row in rows:
        if isinstance(row, Record | Mapping):
            values = [row.get(key) for key in columns]
        else:
            values = list(row)
            if len(values) != len(columns):
                raise ValueError(f"a row has {len(values)} values for {len(columns)} columns")
        table.append({key: plain(value) for key, value in zip(columns, values, strict=True)})
    return table


def table_columns(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Column names of a list of dicts, in order of first appearance."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


# A spreadsheet runs a cell starting with one of these as a formula
# (OWASP "CSV injection"); numbers such as -3 stay as they are.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(text: str) -> str:
    """``text`` safe to open in a spreadsheet: a leading ``'`` when it would
    start a formula (=, +, -, @, tab, CR) and is not a number."""
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _cell(value: Any) -> str:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value)
    # Nested values stay machine-readable in one cell.
    return json.dumps(value, ensure_ascii=False)


def _write_comments(comments: Sequence[str], fileobj: IO[str]) -> None:
    for line in comments:
        # A newline hidden in a value would end the comment and start a data line.
        for part in str(line).splitlines() or [""]:
            fileobj.write(f"# {part}\r\n")


def write_records(
    header: Sequence[str],
    records: Iterable[Sequence[str]],
    fileobj: IO[str],
    comments: Sequence[str] = (),
) -> int:
    """The one CSV writer (the CLI's and the dashboard's downloads): ``# `` comment
    lines first (pandas reads past them with ``comment="#"``), then the header and
    the records, every cell through ``guard_cell``. Returns the records written."""
    _write_comments(comments, fileobj)
    writer = csv.writer(fileobj)
    writer.writerow([guard_cell(str(name)) for name in header])
    count = 0
    for record in records:
        writer.writerow([guard_cell(text) for text in record])
        count += 1
    return count


def write_csv(
    rows: Iterable[Mapping[str, Any]],
    fileobj: IO[str],
    columns: Sequence[str] | None = None,
    *,
    comments: Sequence[str] = (),
) -> int:
    """Write rows as CSV with a header line; returns the number of rows written.

    ``columns`` fixes the order (default: order of first appearance); pass the
    result's keys so that an empty result still gets its header line. Lists and
    maps (nodes, paths, ...) are JSON-encoded inside their cell; None is empty;
    booleans are ``true``/``false``; text a spreadsheet would run as a formula
    gets a leading ``'``. ``comments`` go first as ``# `` lines (the sources).
    Open ``fileobj`` with ``newline=""``.
    """
    materialised = list(rows)
    names = list(columns) if columns is not None else table_columns(materialised)
    if not names:
        _write_comments(comments, fileobj)
        return 0
    return write_records(names, ([_cell(row.get(name)) for name in names]
                                 for row in materialised), fileobj, comments)


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None,
             *, comments: Sequence[str] = ()) -> str:
    """``write_csv`` into a string (for the CLI and a download button)."""
    buffer = io.StringIO(newline="")
    write_csv(rows, buffer, columns, comments=comments)
    return buffer.getvalue()
