"""An actor's name → its country → a point on the map (pure; see docs/dashboard.md, Map).

The rules, first match wins:

1. **The seed's own place.** An actor with ``(:Actor)-[:LOCATED_IN]->(:Place)`` (the
   seed's capitals: Moscow, Pyongyang, Tehran, ...) is drawn there.
2. **SIPRI's parenthesis.** SIPRI writes a non-state actor as "Houthi rebels (Yemen)*":
   the asterisk marks it non-state, the parenthesis names the country it belongs to
   (SIPRI Arms Transfers Database, "Sources and methods"; the asterisks are stripped
   at load and kept as ``non_state``). The country in the last parenthesis is used.
3. **The name itself**, through country-converter's name table (regular expressions
   for the short, official and common names of every ISO 3166 country: "North Korea",
   "Turkiye", "Cote d'Ivoire", "DR Congo" ...).
4. **Overrides** (``OVERRIDES``) for the few SIPRI spellings the table does not read,
   each with its reason.

The point is the centroid of the country's largest polygon in Natural Earth
(``explorer.geo.world``). What has no country (NATO, the United Nations, the African
Union, "unknown supplier(s)") is not placed: the Map page lists it by name.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import country_converter
import pandas as pd

from explorer.geo import world

# country-converter logs a warning for every name it does not know (NATO, "unknown
# supplier(s)"); not finding one is an expected answer here, reported on the page.
logging.getLogger("country_converter").setLevel(logging.ERROR)

OVERRIDES: dict[str, tuple[str, str]] = {
    "UAE": ("ARE", "SIPRI's short name for the United Arab Emirates, which the "
                   "country-converter table does not list"),
    "Israel/Palestine": ("PSE", "SIPRI's parenthesis for the Popular Resistance Committees "
                                "and Palestinian Islamic Jihad names two countries; both "
                                "groups are based in the Gaza Strip, so they are drawn at "
                                "the Palestinian territories"),
}
"""Name (or parenthesis) → (ISO3, why): SIPRI spellings the name table does not read."""

_PARENTHESIS = re.compile(r"\(([^()]+)\)\s*\**\s*$")


@dataclass(frozen=True)
class Country:
    iso3: str
    name: str
    rule: str
    """How it was found: "parenthesis" (the actor is in the country: a group, a body),
    "name" or "override" (the actor is the country)."""


@dataclass(frozen=True)
class Placement:
    lon: float
    lat: float
    place: str
    """What the point is: the seed's place name, or "<country> (centroid)"."""
    how: str
    """"seed place" or "country centroid"."""
    iso3: str | None


@lru_cache(maxsize=1)
def _table() -> pd.DataFrame:
    # country-converter 1.3.2 reads its own table with pandas' default NA values, which
    # under pandas 3 turn Namibia's ISO2 "NA" into a missing value and fail; read the
    # same shipped file with only empty cells missing and hand it over as a DataFrame.
    path = resources.files("country_converter").joinpath("country_data.tsv")
    with path.open(encoding="utf-8") as handle:
        return pd.read_csv(handle, sep="\t", dtype=str, keep_default_na=False,
                           na_values=[""])


@lru_cache(maxsize=1)
def _converter() -> country_converter.CountryConverter:
    return country_converter.CountryConverter(country_data=_table())


@lru_cache(maxsize=1)
def numeric_to_iso3() -> dict[str, str]:
    """ISO 3166-1 numeric (without leading zeros) → ISO3, from country-converter's table."""
    table = _table().dropna(subset=["ISOnumeric", "ISO3"])
    return {str(int(float(n))): iso3 for n, iso3 in zip(table["ISOnumeric"], table["ISO3"],
                                                          strict=True)}


@lru_cache(maxsize=1)
def _short_names() -> dict[str, str]:
    table = _table().dropna(subset=["ISO3"])
    return dict(zip(table["ISO3"], table["name_short"], strict=True))


@lru_cache(maxsize=1)
def centroids() -> dict[str, tuple[float, float, str]]:
    """ISO3 → (lon, lat, Natural Earth name) for every country in the 50m file."""
    return world.centroids(numeric_to_iso3())


def _lookup(text: str) -> str | None:
    if text in OVERRIDES:
        return OVERRIDES[text][0]
    found = _converter().convert(text, to="ISO3", not_found=None)
    # Several matches ("Israel/Palestine") or none: not one country.
    return found if isinstance(found, str) and found != text and len(found) == 3 else None


@lru_cache(maxsize=4096)
def country_of(name: str) -> Country | None:
    """The country an actor's name belongs to, or None (an organisation, "unknown ...")."""
    text = str(name).strip().rstrip("*").strip()
    match = _PARENTHESIS.search(text)
    if match:
        inner = match.group(1).strip()
        iso3 = _lookup(inner)
        if iso3:
            # Found through the parenthesis (an override of it included): a group or
            # body in the country, not the state itself.
            return Country(iso3, _short_names().get(iso3, inner), "parenthesis")
    iso3 = _lookup(text)
    if iso3:
        return Country(iso3, _short_names().get(iso3, text),
                       "override" if text in OVERRIDES else "name")
    return None


def place_actor(name: str, seed: Mapping[str, Any] | None = None) -> Placement | None:
    """Where to draw an actor: ``seed`` (its seed Place: ``name``, ``lat``, ``lon``) when it
    has coordinates, else its country's centroid; None when it has no country (or the
    country has no shape in Natural Earth)."""
    country = country_of(name)
    iso3 = country.iso3 if country else None
    if seed and seed.get("lat") is not None and seed.get("lon") is not None:
        return Placement(float(seed["lon"]), float(seed["lat"]), str(seed.get("name")),
                         "seed place", iso3)
    if country is None or country.iso3 not in centroids():
        return None
    lon, lat, _ = centroids()[country.iso3]
    return Placement(lon, lat, f"{country.name} (centroid)", "country centroid", iso3)
