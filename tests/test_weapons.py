"""The weapon-system profile's data (explorer/page_queries/weapons.py) against the real server with
the seeds and the full SIPRI export loaded."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from explorer.db import Database
from explorer.errors import UnknownName
from explorer.page_queries.weapons import (
    deal_years,
    deliveries_by_year,
    flows,
    range_evidence,
    system_choices,
    weapon_profile,
)
from explorer.resolve import fetch_names
from tests.conftest import sipri_test_file


def sipri_rows(at_id: str, path: Path) -> list[dict[str, str]]:
    """The export's rows of one deal (one row per delivery year), read straight from the CSV."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("SIPRI AT Database ID"))
    rows = csv.DictReader([line.rstrip(";") for line in lines[start:]])
    return [row for row in rows if row["SIPRI AT Database ID"] == at_id]


def test_the_page_resolves_names_with_the_shared_resolver(loaded_graph: Database) -> None:
    table = fetch_names(loaded_graph, "weapon_system")
    assert table.resolve("ws-hwasong-11").id == "ws-hwasong-11"
    assert table.resolve("hwasong-11").id == "ws-hwasong-11"
    assert table.resolve("KN-23").id == "ws-hwasong-11"
    assert table.resolve("Geran-2").id == "ws-shahed-136"
    with pytest.raises(UnknownName, match="did you mean"):
        table.resolve("Shahed-163")


def test_choices_list_every_system_with_its_aliases(loaded_graph: Database) -> None:
    choices = {c.id: c for c in system_choices(loaded_graph)}
    assert choices["ws-hwasong-11"].label == "Hwasong-11 (KN-23)"
    assert choices["ws-shahed-136"].deals >= 3
    systems = loaded_graph.read(lambda tx: tx.run(
        "MATCH (w:WeaponSystem) RETURN count(w) AS n").single()["n"])
    assert len(choices) == systems  # every system, the seeds' and SIPRI's


def test_hwasong_11_class_aliases_and_sources(loaded_graph: Database) -> None:
    profile = weapon_profile(loaded_graph, "ws-hwasong-11")
    assert profile is not None
    assert profile.system["name"] == "Hwasong-11"
    assert profile.system["category"] == "Missiles"
    assert profile.system["aliases"] == ["KN-23"]
    # IS_A then the SUBCLASS_OF chain up to the root class.
    assert profile.classes == [["short-range ballistic missile", "ballistic missile",
                                "surface-to-surface missile", "missile"]]
    quotes = {e["quote"] for e in profile.evidence}
    assert "Fath-360 and Hwasong-11 are short-range ballistic missiles" in quotes
    notes = {e["note"] for e in profile.evidence}
    assert "KN-23 is the US designation, recorded as an alias" in notes
    # No source in the graph gives Hwasong-11 a range: the profile says none, and the
    # class quote ("short-range") is not mistaken for one.
    assert profile.system["range_km"] is None
    assert profile.range_evidence == []


def test_the_articles_missile_has_its_range_with_the_quote(loaded_graph: Database) -> None:
    profile = weapon_profile(loaded_graph, "ws-kp-ballistic-missile")
    assert profile.system["range_km"] == 900
    [said] = profile.range_evidence
    assert said["quote"] == ("He assessed that these North Korean ballistic missiles range "
                             "is about 900 km (560 miles).")
    assert said["source_id"] == "src-article-north-korea-role-ukraine"
    assert profile.deals == []  # an unnamed item: claims only
    # Claims: status, quote, said by, as of.
    claims = {(c["supplier"], c["recipient"], c["status"], c["said_by"], c["as_of"])
              for c in profile.claims}
    assert ("North Korea", "Russia", "delivered",
            "the White House (John Kirby, citing declassified information)",
            "2024-04-04") in claims
    events = [e["id"] for e in profile.events]
    assert "ev-2023-12-30-north-korean-missile-strike" in events
    landed = next(e for e in profile.events
                  if e["id"] == "ev-2023-12-30-north-korean-missile-strike")
    assert landed["place"] == "Zaporizhzhia region" and landed["conducted_by"] == ["Russia"]


def test_hwasong_11_north_korea_to_russia_has_sipris_figures(loaded_graph: Database) -> None:
    profile = weapon_profile(loaded_graph, "ws-hwasong-11")
    [deal] = [d for d in profile.deals
              if (d["supplier"], d["recipient"]) == ("North Korea", "Russia")]
    rows = sipri_rows(deal["id"].removeprefix("sipri-"), sipri_test_file())
    assert rows, "the deal comes from the export"
    per_year = {int(r["Delivery year"]): int(r["Numbers delivered"]) for r in rows}
    tiv = sum(float(r["TIV delivery values"]) for r in rows)
    assert dict(zip(deal["delivery_years"], deal["delivered_per_year"], strict=True)) \
        == per_year == {2023: 5, 2024: 95}
    assert deal["quantity_delivered"] == sum(per_year.values()) == 100
    assert deal["tiv_unit"] == float(rows[0]["TIV deal unit"]) == 2.5
    assert deal["tiv_delivered"] == tiv == 250.0
    assert deal["order_year"] == 2023 and deal["order_year_estimate"] is True
    assert deal_years(deal) == "2023–2024"

    [flow] = [f for f in flows(profile.deals) if f["recipient"] == "Russia"]
    assert (flow["deals"], flow["delivered"], flow["tiv_delivered"]) == (1, 100, 250.0)
    assert (flow["first_year"], flow["last_year"]) == (2023, 2024)
    assert deliveries_by_year(profile.deals) == [
        {"year": 2023, "flow": "North Korea → Russia", "delivered": 5},
        {"year": 2024, "flow": "North Korea → Russia", "delivered": 95},
    ]


def test_unknown_system_has_no_profile(loaded_graph: Database) -> None:
    assert weapon_profile(loaded_graph, "ws-no-such-system") is None


def test_range_evidence_needs_a_distance_or_a_stated_range() -> None:
    rows = [
        {"quote": "Fath-360 and Hwasong-11 are short-range ballistic missiles", "note": None},
        {"quote": "", "note": "range as assessed by John Kirby: about 900 km"},
        {"quote": "its range of 1,000 kilometres", "note": None},
        {"quote": "flew 560 miles", "note": None},
    ]
    assert [r["quote"] for r in range_evidence(rows)] == [
        "", "its range of 1,000 kilometres", "flew 560 miles"]
