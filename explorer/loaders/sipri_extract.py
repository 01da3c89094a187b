"""Cut the committed SIPRI extract out of a full AT Database export.

    python -m explorer.loaders.sipri_extract SRC DEST

keeps the preamble and header of SRC, adds one note line saying what the
extract holds, and copies, in their original order and verbatim, every
delivery line of every deal to or from Belarus, Iran, North Korea, Russia or
Ukraine that has a delivery in 2014 or later. The same SRC always gives the
same bytes.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from explorer.errors import ExplorerError, ValidationError
from explorer.loaders.sipri_encoding import open_export
from explorer.loaders.sipri_parse import raw_records, read_export
from explorer.loaders.sipri_records import SipriDeal

COUNTRIES = ("Belarus", "Iran", "North Korea", "Russia", "Ukraine")
SINCE = 2014


def is_selected(deal: SipriDeal, countries: Iterable[str] = COUNTRIES, since: int = SINCE) -> bool:
    """A deal to or from one of ``countries`` with a delivery in ``since`` or later."""
    wanted = set(countries)
    touches = deal.supplier in wanted or deal.recipient in wanted
    return touches and any(year >= since for year in deal.delivery_years)


def note_line(source_name: str, countries: Sequence[str] = COUNTRIES, since: int = SINCE) -> str:
    names = ", ".join(countries[:-1]) + " or " + countries[-1] if countries[1:] else countries[0]
    return (
        f"Extract of {source_name} made by explorer.loaders.sipri_extract: only the deals to or "
        f"from {names} with a delivery in {since} or later (all delivery lines of each);"
    )


def extract(
    src: str | Path,
    dest: str | Path,
    countries: Sequence[str] = COUNTRIES,
    since: int = SINCE,
) -> tuple[int, int]:
    """Write the extract of ``src`` to ``dest``: ``(deals, delivery lines)`` written."""
    src = Path(src)
    deals, report = read_export(src)
    if report.format != "atdb":
        raise ValidationError(
            f"{src.name} is a SIPRI trade register: the extract is cut from an AT Database export."
        )
    selected = [deal for deal in deals if is_selected(deal, countries, since)]
    # Only lines that were imported: a line the parser rejects stays out.
    keep = {delivery.line for deal in selected for delivery in deal.deliveries}

    out: list[str] = []
    fileobj, _ = open_export(src, report.encoding)
    with fileobj:
        head = [fileobj.readline().rstrip("\r\n") for _ in range(report.header_line)]
    out.append(head[0])
    out.append(note_line(src.name, countries, since))
    out.extend(head[1:])
    written = 0
    fileobj, _ = open_export(src, report.encoding)
    with fileobj:
        for record in raw_records(fileobj):
            if record.line not in keep:
                continue
            if record.line == record.last_line:
                out.append(record.text)
            else:  # a record the parser rejoined is written back on one line
                out.append(_csv_line(record.fields) + ";")
            written += 1
    Path(dest).parent.mkdir(parents=True, exist_ok=True)
    # LF line endings, unlike SIPRI's CRLF, so the committed file diffs cleanly.
    Path(dest).write_text("\n".join(out) + "\n", encoding="utf-8", newline="\n")
    return len(selected), written


def _csv_line(fields: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(list(fields))
    return buffer.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m explorer.loaders.sipri_extract",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog="example: python -m explorer.loaders.sipri_extract "
        "../shared/data/sipri/sipri-at-export-2026-02-12.csv seeds/sipri/sipri-extract.csv",
    )
    parser.add_argument("src", type=Path, help="the full SIPRI AT Database export (CSV)")
    parser.add_argument("dest", type=Path, help="where to write the extract")
    args = parser.parse_args(argv)
    try:
        deals, lines = extract(args.src, args.dest)
    except ExplorerError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    print(f"{args.dest}: {deals} deals, {lines} delivery lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
