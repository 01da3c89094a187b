"""Domain types of the arms-transfer graph (see docs/graph-model.md).

Pure pydantic models, no I/O: the seed loader validates YAML records with them
and the SIPRI importers may build them too. Every model is frozen and forbids
unknown fields, so a typo in a seed file ("statuss") is reported instead of
silently dropped.

References between records (a transfer's supplier, an event's place) are plain
strings here: an id or a name/alias. Resolving them needs the whole bundle, so
that happens in ``explorer.loaders.seeds``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from explorer.contract import TRANSFER_ORIGINS, TRANSFER_STATUSES

# --- closed vocabularies -------------------------------------------------------
# Statuses and origins are the graph contract's (explorer.contract); TRANSFER_STATUSES
# is re-exported here for the seed loader.

TransferStatus = Literal[TRANSFER_STATUSES]  # type: ignore[valid-type]
ActorKind = Literal["state", "organization", "person", "armed_group", "media", "unknown"]
Confidence = Literal["confirmed", "assessed", "reported", "claimed"]
DatePrecision = Literal["day", "month", "year"]
EventKind = Literal["strike", "strike_series", "announcement", "invasion", "statement", "release"]
PlaceKind = Literal["city", "region", "country"]
SourceKind = Literal["article", "briefing", "statement", "media_report", "dataset", "reference"]
TransferOrigin = Literal[TRANSFER_ORIGINS]  # type: ignore[valid-type]
WeaponCategory = Literal[
    "Aircraft",
    "Air-defence systems",
    "Armoured vehicles",
    "Artillery",
    "Engines",
    "Missiles",
    "Naval weapons",
    "Other",
    "Satellites",
    "Sensors",
    "Ships",
    "Technology",
    "Materials",
    "Equipment",
]

ACTOR_KINDS: tuple[str, ...] = get_args(ActorKind)
CONFIDENCES: tuple[str, ...] = get_args(Confidence)
DATE_PRECISIONS: tuple[str, ...] = get_args(DatePrecision)
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)
PLACE_KINDS: tuple[str, ...] = get_args(PlaceKind)
SOURCE_KINDS: tuple[str, ...] = get_args(SourceKind)
WEAPON_CATEGORIES: tuple[str, ...] = get_args(WeaponCategory)

# --- strings -------------------------------------------------------------------

MAX_ID = 120
MAX_NAME = 200
MAX_QUOTE = 2000
MAX_TEXT = 5000
MAX_URL = 2000

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# Bidi overrides/isolates can make a name display differently from what is
# stored ("Trojan Source"); zero-width joiners are NOT listed because Persian
# and Indic names need them.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _bad_char(value: str, allow_newlines: bool) -> str | None:
    for ch in value:
        if allow_newlines and ch in "\n\t":
            continue
        if unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS:
            return ch
    return None


def _line(value: str) -> str:
    ch = _bad_char(value, allow_newlines=False)
    if ch is not None:
        raise ValueError(f"contains the control character U+{ord(ch):04X}; remove it")
    return value


def _text(value: str) -> str:
    ch = _bad_char(value, allow_newlines=True)
    if ch is not None:
        raise ValueError(f"contains the control character U+{ord(ch):04X}; remove it")
    return value


def _quote(value: str) -> str:
    if not value.strip():
        raise ValueError("the quote is empty: copy the exact sentence from the source")
    return _text(value)


# Field(max_length) runs before the AfterValidator, so a 1 MB string fails on
# its length without being scanned.
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME), AfterValidator(_line)]
"""A display name or alias: one line, any script, no control characters."""
Text = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_text)]
"""Free text (descriptions, notes): newlines allowed, other control characters not."""
Quote = Annotated[str, Field(max_length=MAX_QUOTE), AfterValidator(_quote)]
Url = Annotated[str, Field(max_length=MAX_URL), AfterValidator(_line)]
Ref = Annotated[str, Field(min_length=1, max_length=MAX_NAME), AfterValidator(_line)]
"""A reference to another record: its id, or a name or alias (actors, systems, places, classes)."""


def _id_validator(*prefixes: str, what: str) -> AfterValidator:
    def check(value: str) -> str:
        if not ID_PATTERN.match(value):
            raise ValueError(
                f"{value[:60]!r} is not a valid {what} id: use lower-case letters, digits and "
                "hyphens, starting with a letter or digit"
            )
        if prefixes and not value.startswith(prefixes):
            wanted = " or ".join(repr(p) for p in prefixes)
            raise ValueError(f"{what} id {value[:60]!r} must start with {wanted}")
        return value

    return AfterValidator(check)


def _id_type(*prefixes: str, what: str) -> Any:
    return Annotated[
        str, Field(min_length=1, max_length=MAX_ID), _id_validator(*prefixes, what=what)
    ]


ActorId = _id_type(what="actor")
WeaponClassId = _id_type("wc-", what="weapon-class")
WeaponSystemId = _id_type("ws-", what="weapon-system")
# SIPRI importers reuse Transfer, so their id scheme is accepted too.
TransferId = _id_type("t-", "sipri-", what="transfer")
EventId = _id_type("ev-", what="event")
PlaceId = _id_type("pl-", what="place")
SourceId = _id_type("src-", what="source")
SourceRef = SourceId
"""Sources are referenced by id only: titles are long and not unique."""

# --- dates ---------------------------------------------------------------------

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)


class PartialDate(_Frozen):
    """A date at the precision the source printed it.

    ``value`` is ``"2024-03-30"``, ``"2024-04"`` or ``"2024"``; ``precision``
    follows from it (and must agree if given). ``inferred`` is true when the
    source did not print the year ("December 30 last year"); ``note`` says how
    it was inferred. In YAML a bare string is accepted: ``date: 2024-03-30``.
    """

    value: str
    precision: DatePrecision
    inferred: bool = False
    note: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_shorthand(cls, data: Any) -> Any:
        if isinstance(data, dt.datetime):
            data = data.date()
        if isinstance(data, dt.date | int | str) and not isinstance(data, bool):
            data = {"value": data}
        if not isinstance(data, dict):
            return data
        data = dict(data)
        value = data.get("value")
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, int) and not isinstance(value, bool):
            value = f"{value:04d}"
        if not isinstance(value, str):
            return data  # let the field validation report the missing/ill-typed value
        data["value"] = value
        precision = _precision_of(value)
        given = data.get("precision")
        if given is not None and given != precision:
            raise ValueError(f"date {value!r} has {precision} precision, not {given!r}")
        data["precision"] = precision
        return data

    @property
    def year(self) -> int:
        return int(self.value[:4])

    def __str__(self) -> str:
        return self.value


def _precision_of(value: str) -> str:
    match = _DATE_RE.match(value.strip())
    if not match:
        raise ValueError(
            f"{value[:40]!r} is not a date: write YYYY-MM-DD, YYYY-MM or YYYY "
            "(at the precision the source gives)"
        )
    year, month, day = match.groups()
    if month is not None and not 1 <= int(month) <= 12:
        raise ValueError(f"{value!r} is not a calendar date: there is no month {month}")
    if day is not None:
        try:
            dt.date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(
                f"{value!r} is not a calendar date: {year}-{month} has no day {day}"
            ) from None
        return "day"
    return "month" if month is not None else "year"


# --- evidence ------------------------------------------------------------------


class Evidence(_Frozen):
    """Why a Transfer or Event is believed: becomes an ``EVIDENCED_BY`` relationship."""

    source: SourceRef
    quote: Quote
    as_of: PartialDate
    confidence: Confidence
    attributed_to: Name | None = None
    note: Text | None = None


class Citation(_Frozen):
    """Where reference data (an alias, a class, coordinates, a range) comes from.

    Checked like evidence and loaded as an ``EVIDENCED_BY`` relationship from the
    actor, place, weapon class or system it backs (without as-of or confidence).
    """

    source: SourceRef
    quote: Quote | None = None
    note: Text | None = None


# --- nodes ---------------------------------------------------------------------


class Source(_Frozen):
    id: SourceId
    title: Name
    kind: SourceKind
    publisher: Name | None = None
    author: Name | None = None
    published: PartialDate | None = None
    url: Url | None = None
    attribution: Text | None = None
    generated: Name | None = None
    cites: list[SourceRef] = []


class Place(_Frozen):
    id: PlaceId
    name: Name
    kind: PlaceKind
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    aliases: list[Name] = []
    sources: list[Citation] = []


class Actor(_Frozen):
    id: ActorId
    name: Name
    kind: ActorKind
    aliases: list[Name] = []
    non_state: bool = False
    description: Text | None = None
    located_in: Ref | None = None
    sources: list[Citation] = []


class WeaponClass(_Frozen):
    id: WeaponClassId
    name: Name
    description: Text | None = None
    parent: Ref | None = None
    sipri_descriptions: list[Name] = []
    """SIPRI "Description" values whose systems belong to this class."""
    sources: list[Citation] = []


class WeaponSystem(_Frozen):
    id: WeaponSystemId
    name: Name
    category: WeaponCategory
    description: Text | None = None
    aliases: list[Name] = []
    generic: bool = False
    range_km: int | float | None = Field(default=None, gt=0, le=20000)
    classes: list[Ref] = []
    sources: list[Citation] = []


class Transfer(_Frozen):
    """Supplier -> recipient of systems, at a status; reified as a node."""

    id: TransferId
    supplier: Ref
    recipient: Ref
    systems: list[Ref] = Field(min_length=1)
    status: TransferStatus
    origin: TransferOrigin = "seed"
    description: Text | None = None
    quantity: int | None = Field(default=None, ge=0)
    quantity_text: Name | None = None
    quantity_estimate: bool = False
    order_year: int | None = Field(default=None, ge=1900, le=2100)
    order_year_estimate: bool = False
    delivery_years: list[Annotated[int, Field(ge=1900, le=2100)]] = []
    delivered_per_year: list[Annotated[int, Field(ge=0)]] = []
    quantity_delivered: int | None = Field(default=None, ge=0)
    first_year: int | None = Field(default=None, ge=1900, le=2100)
    last_year: int | None = Field(default=None, ge=1900, le=2100)
    tiv_unit: float | None = Field(default=None, ge=0)
    tiv_total: float | None = Field(default=None, ge=0)
    tiv_delivered: float | None = Field(default=None, ge=0)
    sipri_status: Name | None = None
    local_production: bool | None = None
    comments: Text | None = None
    evidence: list[Evidence] = Field(min_length=1)

    @model_validator(mode="after")
    def _parallel_delivery_lists(self) -> Transfer:
        if self.delivered_per_year and len(self.delivered_per_year) != len(self.delivery_years):
            raise ValueError("delivered_per_year must have one number per delivery_years entry")
        return self

    def year_span(self) -> tuple[int | None, int | None]:
        """``(first_year, last_year)``: as given, else from the order and delivery years."""
        years = [*self.delivery_years, *([self.order_year] if self.order_year else [])]
        first = self.first_year if self.first_year is not None else min(years, default=None)
        last = self.last_year if self.last_year is not None else max(years, default=None)
        return first, last


class Event(_Frozen):
    id: EventId
    kind: EventKind
    title: Name
    description: Text | None = None
    date: PartialDate
    conducted_by: list[Ref] = []
    targeted: list[Ref] = []
    used: list[Ref] = []
    place: Ref | None = None
    evidence: list[Evidence] = Field(min_length=1)
