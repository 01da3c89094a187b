"""The Map: an actor's name → its country → a point (pure), the map's data from the real
server, the drawn chart (country outlines inline, arcs, choropleth, sources footer) and
the Map page. Also the one Markdown escaper the pages share."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from explorer.app.charts import flow_map, footer_lines, map_chart, with_footer
from explorer.app.charts.maps import MAX_ARCS, drawn_flows
from explorer.app.links import escape_md
from explorer.db import Database
from explorer.errors import ParameterError
from explorer.geo.placement import OVERRIDES, centroids, country_of, place_actor
from explorer.graph import SIPRI_ATTRIBUTION, STATUS_ORDER, STATUS_STYLES
from explorer.loaders.sipri_parse import read_export
from explorer.page_queries.geography import assemble, map_data
from tests.apptest import open_page, page_text, unescaped
from tests.conftest import REPO

EXTRACT = REPO / "seeds" / "sipri" / "sipri-extract.csv"
FULL_EXPORT = REPO.parent / "shared" / "data" / "sipri" / "sipri-at-export-2026-02-12.csv"

# What SIPRI names that is no country: organisations (SIPRI's "**") and its unknowns.
NO_COUNTRY = {"African Union", "European Union", "NATO", "OSCE", "Regional Security System",
              "United Nations", "unknown rebel group", "unknown recipient(s)",
              "unknown supplier(s)"}


def sipri_names(path: Path) -> set[str]:
    deals, _ = read_export(path)
    return {name for d in deals for name in (d.supplier, d.recipient)}


# --------------------------------------------------------------------------- placement


def test_every_actor_of_the_shipped_extract_is_placed_or_has_no_country() -> None:
    names = sipri_names(EXTRACT)
    unplaced = {n for n in names if place_actor(n) is None}
    assert unplaced == {"unknown recipient(s)", "unknown supplier(s)"}
    assert all(country_of(n) is None for n in unplaced)
    assert len(names) - len(unplaced) == 103


@pytest.mark.full_export
def test_every_actor_of_the_full_export_is_placed_or_has_no_country() -> None:
    names = sipri_names(FULL_EXPORT)
    unplaced = {n for n in names if place_actor(n) is None}
    # Only what has no country is left: every state and every group "(country)" is placed.
    assert unplaced == NO_COUNTRY
    assert len(names) > 200


def test_a_non_state_actor_is_placed_in_the_country_of_its_parenthesis() -> None:
    houthis = country_of("Houthi rebels (Yemen)*")
    assert houthis is not None and (houthis.iso3, houthis.rule) == ("YEM", "parenthesis")
    assert country_of("Hamas (Palestine)*").iso3 == "PSE"
    assert country_of("Hezbollah (Lebanon)").iso3 == "LBN"
    # Two countries in SIPRI's parenthesis: the documented override decides.
    assert country_of("PRC (Israel/Palestine)").iso3 == OVERRIDES["Israel/Palestine"][0]
    where = place_actor("Houthi rebels (Yemen)")
    assert where is not None and where.how == "country centroid"
    assert 42 < where.lon < 54 and 12 < where.lat < 19  # inside Yemen
    assert where.place == "Yemen (centroid)"


def test_states_are_read_by_name_and_sipri_spellings_by_override() -> None:
    for name, iso3 in (("North Korea", "PRK"), ("South Korea", "KOR"), ("Turkiye", "TUR"),
                       ("DR Congo", "COD"), ("Cote d'Ivoire", "CIV"), ("Viet Nam", "VNM"),
                       ("Kosovo", "XKX"), ("UAE", "ARE")):
        found = country_of(name)
        assert found is not None and found.iso3 == iso3, name
    assert country_of("UAE").rule == "override"
    assert country_of("NATO") is None and country_of("unknown supplier(s)") is None


def test_the_seed_place_wins_over_the_country_centroid() -> None:
    moscow = place_actor("Russia", {"name": "Moscow", "lat": 55.7558, "lon": 37.6173})
    assert moscow is not None and moscow.how == "seed place"
    assert (moscow.lon, moscow.lat, moscow.place, moscow.iso3) == (37.6173, 55.7558,
                                                                   "Moscow", "RUS")
    centre = place_actor("Russia")
    assert centre is not None and centre.how == "country centroid"
    # The largest polygon's centre, with the outline crossing the 180th meridian unwrapped.
    assert 80 < centre.lon < 110 and 55 < centre.lat < 68


@pytest.mark.parametrize(("iso3", "west", "south", "east", "north"), [
    ("FRA", -5, 41, 10, 51),        # not pulled toward French Guiana
    ("USA", -125, 24, -66, 50),     # the lower 48, not Alaska
    ("NOR", 4, 57, 31, 71),
    ("SGP", 103.5, 1.1, 104.1, 1.5),  # only in the 50m outlines
    ("BHR", 50.3, 25.7, 50.7, 26.3),
    ("FJI", 176, -20, 180, -15),
])
def test_centroids_fall_inside_their_country(iso3: str, west: float, south: float,
                                             east: float, north: float) -> None:
    lon, lat, _ = centroids()[iso3]
    assert west < lon < east and south < lat < north


# --------------------------------------------------------------------------- assemble


def _flow(supplier: str, recipient: str, status: str = "delivered", *, deals: int = 1,
          claims: int = 0, tiv: float = 10.0) -> dict[str, Any]:
    return {"supplier_id": supplier.lower(), "supplier": supplier,
            "recipient_id": recipient.lower(), "recipient": recipient, "status": status,
            "sipri_deals": deals, "claims": claims, "tiv": tiv, "first_year": 2020,
            "last_year": 2021, "systems": [], "source_ids": ["sipri"]}


def _actor(name: str, seat: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"actor_id": name.lower(), "actor": name, "kind": "state", "non_state": False,
            "seat": seat}


def test_assemble_places_lists_and_sums_by_state() -> None:
    actors = [_actor("Russia", {"id": "pl-moscow", "name": "Moscow", "lat": 55.76,
                                "lon": 37.62}),
              _actor("Iran"), _actor("Yemen"), _actor("Houthi rebels (Yemen)"), _actor("NATO"),
              _actor("unknown supplier(s)")]
    flows = [_flow("Russia", "Yemen", tiv=5.0), _flow("Iran", "Houthi rebels (Yemen)", tiv=7.0),
             _flow("unknown supplier(s)", "Yemen", deals=3), _flow("NATO", "Iran", deals=2)]
    data = assemble(actors, flows, [])
    placed = {a["actor"]: a for a in data.actors}
    assert placed["Russia"]["how"] == "seed place" and placed["Russia"]["place_id"] == \
        "pl-moscow"
    assert placed["Houthi rebels (Yemen)"]["lon"] == placed["Yemen"]["lon"]
    assert [(u["actor"], u["transfers"]) for u in data.unplaced] == [
        ("unknown supplier(s)", 3), ("NATO", 2)]
    assert data.unplaced_transfers == 5
    assert {(f["supplier"], f["recipient"]) for f in data.flows} == {
        ("Russia", "Yemen"), ("Iran", "Houthi rebels (Yemen)")}
    shades = {c["iso3"]: c for c in data.countries}
    # Yemen received Russia's 5 (and the unknown supplier's deals, whose TIV is 10):
    # the Houthis' 7 are theirs, not the state's.
    assert shades["YEM"]["tiv_received"] == 15.0 and shades["YEM"]["received"] == 4
    assert shades["IRN"]["tiv_supplied"] == 7.0 and shades["RUS"]["tiv_supplied"] == 5.0


def test_the_map_draws_every_claim_and_the_largest_flows() -> None:
    flows = [_flow(f"S{i}", "R", tiv=float(i)) for i in range(MAX_ARCS + 50)]
    flows.append(_flow("A", "B", "sought", deals=0, claims=2, tiv=0.0))
    kept, left_out = drawn_flows(flows)
    assert len(kept) == MAX_ARCS and left_out == 51
    assert any(f["claims"] for f in kept)
    assert min(f["tiv"] for f in kept if not f["claims"]) == 51.0


# --------------------------------------------------------------------------- the chart


def _spec(chart: Any) -> dict[str, Any]:
    return chart.to_dict()


def _values(spec: dict[str, Any], layer: dict[str, Any]) -> Any:
    """A layer's data, inline or in the spec's top-level datasets."""
    data = layer["data"]
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


def _placed(name: str, lon: float, lat: float, how: str = "country centroid"
            ) -> dict[str, Any]:
    return {"actor_id": name.lower(), "actor": name, "kind": "state", "place_id": None,
            "lon": lon, "lat": lat, "place": name, "how": how, "iso3": None,
            "supplies": 1, "receives": 1}


def test_the_flow_map_draws_outlines_inline_arcs_and_a_choropleth() -> None:
    flow = {**_flow("North Korea", "Russia"), "from_lon": 127.0, "from_lat": 40.0,
            "to_lon": 37.6, "to_lat": 55.8}
    sought = {**_flow("Russia", "North Korea", "sought", deals=0, claims=1, tiv=0.0),
              "from_lon": 37.6, "from_lat": 55.8, "to_lon": 127.0, "to_lat": 40.0}
    countries = [{"iso3": "RUS", "country": "Russia", "tiv_supplied": 0.0,
                  "tiv_received": 250.0, "supplied": 0, "received": 1}]
    chart = flow_map([_placed("North Korea", 127.0, 40.0), _placed("Russia", 37.6, 55.8)],
                     [], [flow, sought], countries=countries, shade="received")
    spec = _spec(chart)
    text = json.dumps(spec)
    assert '"url"' not in text and "http" not in text.replace(
        "https://vega.github.io/schema", "")
    outlines = [_values(spec, layer) for layer in spec["layer"]
                if layer.get("data", {}).get("format", {}).get("type") == "topojson"]
    assert outlines, "no country outlines in the chart"
    countries_drawn = outlines[0]["objects"]["countries"]["geometries"]
    assert len(countries_drawn) > 170
    assert {"RUS", "PRK", "UKR"} <= {g["properties"]["iso3"] for g in countries_drawn}
    # The choropleth joins the TIV to the shapes by ISO3.
    assert any(t.get("lookup") == "properties.iso3" for layer in spec["layer"]
               for t in layer.get("transform", []))
    arcs = next(_values(spec, layer) for layer in spec["layer"]
                if layer["mark"]["type"] == "geoshape" and not layer["mark"].get("filled", True))
    assert {a["geometry"]["type"] for a in arcs} == {"LineString"}
    assert len(arcs) == 2
    # A → B and B → A bend to their own right: two arcs, not one line drawn twice.
    mids = [tuple(a["geometry"]["coordinates"][7]) for a in arcs]
    assert mids[0] != mids[1]
    colours = next(layer["encoding"]["color"]["scale"] for layer in spec["layer"]
                   if layer["mark"]["type"] == "geoshape"
                   and not layer["mark"].get("filled", True))
    assert colours["range"] == [STATUS_STYLES["delivered"].color, STATUS_STYLES["sought"].color]
    # Wider for more TIV: the delivered flow carries all of it.
    widths = {a["properties"]["status"]: a["properties"]["width"] for a in arcs}
    assert widths["Delivered"] > widths["Sought"]


def test_a_saved_query_map_draws_points_on_the_outlines() -> None:
    spec = _spec(map_chart([{"name": "Moscow", "lat": 55.75, "lon": 37.61}], label="name"))
    assert any(layer.get("data", {}).get("format", {}).get("type") == "topojson"
               for layer in spec["layer"])


def test_a_chart_footer_names_its_sources() -> None:
    sources = [{"title": "SIPRI Arms Transfers Database", "publisher": "SIPRI"},
               {"title": "A news article", "attribution": "Data (c) Newspaper"}]
    lines = footer_lines(sources)
    assert lines == ["Sources: SIPRI Arms Transfers Database; A news article",
                     SIPRI_ATTRIBUTION, "Data (c) Newspaper"]
    title = _spec(with_footer(map_chart([]), lines))["title"]
    assert title["orient"] == "bottom"
    assert [title["text"], *title["subtitle"]] == lines
    assert footer_lines([{"title": "A news article"}]) == ["Source: A news article"]


# --------------------------------------------------------------------------- escaping


@pytest.mark.parametrize("text", [
    "1. not a list", "- not a bullet", "+ nor this", ":material/warning: icon", "$x^2$",
    "[link](https://example.org)", "**bold** _it_ `code`", "<b>html</b>", ":red[colour]",
    "Source: SIPRI Arms Transfers Database (c) SIPRI", "a | table | cell", "# heading",
])
def test_escape_md_leaves_no_markup_and_reads_back_as_written(text: str) -> None:
    escaped = escape_md(text)
    assert unescaped(escaped) == text
    # Every character Markdown or Streamlit could read as syntax is escaped.
    bare = re.sub(r"\\.", "", escaped)  # what is left outside escaped pairs
    assert not re.search(r"[\\`*_{}\[\]()#+\-.!|<>$~:=]", bare)


# --------------------------------------------------------------------------- real server


def test_map_data_places_every_actor_with_a_country(loaded_graph: Database) -> None:
    data = map_data(loaded_graph, STATUS_ORDER)
    assert data.actors and data.flows
    # Nothing that has a country is left off the map.
    assert all(country_of(u["actor"]) is None for u in data.unplaced)
    unplaced = {u["actor"] for u in data.unplaced}
    assert unplaced and unplaced <= NO_COUNTRY | {"<img src=x onerror=alert(1)>"}
    counted = loaded_graph.read(lambda tx: tx.run(
        "MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer)-[:TO]->(r:Actor) "
        "WHERE s.name IN $names OR r.name IN $names RETURN count(t) AS n",
        names=sorted(unplaced)).single()["n"])
    assert data.unplaced_transfers == counted
    assert sum(u["transfers"] for u in data.unplaced) >= counted
    # Seed places win: Russia at Moscow, its groups' countries at their centroids.
    placed = {a["actor"]: a for a in data.actors}
    assert (placed["Russia"]["place"], placed["Russia"]["how"]) == ("Moscow", "seed place")
    assert placed["Houthi rebels (Yemen)"]["how"] == "country centroid"
    # Every transfer is drawn or counted as not drawn.
    total = loaded_graph.read(lambda tx: tx.run(
        "MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer)-[:TO]->(r:Actor) WHERE s <> r "
        "RETURN count(t) AS n").single()["n"])
    drawn = sum(f["sipri_deals"] + f["claims"] for f in data.flows)
    assert drawn + data.unplaced_transfers == total


def test_map_data_keeps_the_story_and_sums_tiv_by_state(loaded_graph: Database) -> None:
    data = map_data(loaded_graph, STATUS_ORDER)
    zap = next(e for e in data.events if e["place"] == "Zaporizhzhia region")
    assert zap["homes"] == [{"name": "Russia", "lat": 55.7558, "lon": 37.6173}]
    flows = {(f["supplier"], f["recipient"], f["status"]) for f in data.flows}
    assert {("North Korea", "Russia", "delivered"), ("Iran", "Russia", "not_supplied"),
            ("Russia", "North Korea", "sought")} <= flows
    # SIPRI deals and the article's claims are counted apart, as the graph holds them
    # (moved here from tests/test_app_pages_b.py with the map's data).
    nk_ru = next(f for f in data.flows if (f["supplier"], f["recipient"], f["status"])
                 == ("North Korea", "Russia", "delivered"))
    counted = loaded_graph.read(lambda tx: tx.run(
        "MATCH (:Actor {id: 'north-korea'})-[:SUPPLIED]->(t:Transfer {status: 'delivered'})"
        "-[:TO]->(:Actor {id: 'russia'}) RETURN t.origin AS origin, count(t) AS n").data())
    by_origin = {r["origin"]: r["n"] for r in counted}
    assert (nk_ru["sipri_deals"], nk_ru["claims"]) == (by_origin["sipri"], by_origin["seed"])
    assert "deals" not in nk_ru
    russia = next(c for c in data.countries if c["iso3"] == "RUS")
    direct = loaded_graph.read(lambda tx: tx.run(
        "MATCH (:Actor {id: 'russia'})<-[:TO]-(t:Transfer)<-[:SUPPLIED]-(s:Actor) "
        "WHERE s.id <> 'russia' "
        "RETURN sum(coalesce(t.tiv_delivered, t.tiv_total, 0.0)) AS tiv, count(t) AS n"
    ).single())
    assert russia["tiv_received"] == pytest.approx(direct["tiv"])
    assert russia["received"] == direct["n"]


def test_map_data_filters_years_as_explore_does(loaded_graph: Database) -> None:
    data = map_data(loaded_graph, ["delivered"], 2022, 2025)
    flows = {(f["supplier"], f["recipient"]) for f in data.flows}
    # Ukraine's engines for Russia ended in 2018; the seed's claims carry no years.
    assert ("Ukraine", "Russia") not in flows
    assert all(f["claims"] == 0 for f in data.flows)
    assert all(f["last_year"] >= 2022 and f["first_year"] <= 2025 for f in data.flows)
    with pytest.raises(ParameterError, match="starts after it ends"):
        map_data(loaded_graph, STATUS_ORDER, 2025, 2020)


def test_the_map_page_draws_countries_and_lists_what_it_cannot_place(app_env: None) -> None:
    at = open_page("map.py")
    assert not at.exception, [e.value for e in at.exception]
    [chart] = list(at.get("vega_lite_chart"))
    spec = chart.proto.spec
    assert '"topojson"' in spec and '"countries"' in spec
    assert any(b'"iso3"' in d.data.data or b"Zaporizhzhia region" in d.data.data
               for d in chart.proto.datasets) or "Zaporizhzhia" in spec
    footer = json.loads(spec)["title"]
    assert SIPRI_ATTRIBUTION in [footer["text"], *footer["subtitle"]]
    assert any("Sources: " in line for line in footer["subtitle"])
    text = page_text(at)
    assert "has no place" not in text and "no coordinates" not in text
    assert "Not on the map" in text and "unknown supplier(s)" in text
    assert "Zaporizhzhia region" in text
    # The choropleth toggle: off leaves no lookup of TIV by country.
    at.segmented_control(key="map_shade").set_value("No shading").run()
    assert not at.exception
    [chart] = list(at.get("vega_lite_chart"))
    assert "properties.iso3" not in chart.proto.spec


def test_more_pairs_than_the_map_reads_is_an_error_not_a_partial_map(
        loaded_graph: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from explorer.errors import QueryTooLarge
    from explorer.page_queries import geography

    monkeypatch.setattr(geography, "MAX_FLOWS", 3)
    with pytest.raises(QueryTooLarge, match="more than 3 supplier–recipient pairs"):
        map_data(loaded_graph, STATUS_ORDER)
