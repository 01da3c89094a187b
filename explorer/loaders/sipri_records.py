"""The records a SIPRI parse produces: deals, deliveries, rejects, repairs and the
report that accounts for every record read (``explorer.loaders.sipri_parse``)."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

Format = Literal["atdb", "register"]

_VARIANT_DASHES = re.compile(r"\s+-+$")


def _actor_kind(non_state: bool, intl_org: bool, unknown: bool) -> str:
    if intl_org:
        return "organization"
    if non_state:
        return "armed_group"
    return "unknown" if unknown else "state"


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


