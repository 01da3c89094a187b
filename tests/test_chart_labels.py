"""Every bar has its label: the dashboard's bar charts never let Vega-Lite drop axis
labels that would overlap (it did: the suppliers of Ukraine showed every other name)."""

from __future__ import annotations

from typing import Any

from explorer.app.charts import BAR_STEP_PX, bar_chart, deliveries_chart, transfers_by_year

# The suppliers of Ukraine from 2022 in the shared export, as the saved query
# suppliers_of_recipient returns them (biggest first); 15 names were enough for
# Vega-Lite to hide Germany and the United Kingdom.
SUPPLIERS = ["United States", "Germany", "Poland", "United Kingdom", "France", "Czechia",
             "Canada", "Norway", "Slovakia", "Jordan", "Turkiye", "Denmark", "Netherlands",
             "Italy", "Romania", "Sweden", "Croatia", "Morocco", "Spain", "North Macedonia"]


def spec(chart: Any) -> dict[str, Any]:
    return chart.to_dict()


def test_named_bars_are_horizontal_with_every_label() -> None:
    rows = [{"supplier": s, "tiv": 1000.0 / (i + 1)} for i, s in enumerate(SUPPLIERS)]
    out = spec(bar_chart(rows, "supplier", "tiv"))
    y = out["encoding"]["y"]
    assert y["field"] == "supplier" and y["type"] == "nominal"
    assert y["axis"]["labelOverlap"] is False
    assert y["sort"] is None  # the query's order (biggest first) is kept
    assert out["encoding"]["x"]["field"] == "tiv"
    assert out["height"] >= BAR_STEP_PX * len(SUPPLIERS)
    shown = [row["supplier"] for row in out["datasets"][next(iter(out["datasets"]))]]
    assert shown == SUPPLIERS
    assert "Germany" in shown and "United Kingdom" in shown


def test_bars_by_year_print_every_year() -> None:
    rows = [{"year": y, "transfers": 1} for y in range(1995, 2025)]
    out = spec(bar_chart(rows, "year", "transfers"))
    axis = out["encoding"]["x"]["axis"]
    assert out["encoding"]["x"]["type"] == "ordinal"
    assert axis["labelOverlap"] is False and axis["labelAngle"] == -90


def test_profile_years_and_weapon_deliveries_print_every_year() -> None:
    rows = [{"year": y, "status": "delivered", "transfers": 1, "tiv": 1.0}
            for y in range(1995, 2025)]
    axis = spec(transfers_by_year(rows, years=list(range(1995, 2025))))["encoding"]["x"]["axis"]
    assert axis["labelOverlap"] is False
    out = spec(deliveries_chart([{"year": 2022, "flow": "Iran → Russia", "delivered": 600},
                                 {"year": 2024, "flow": "Iran → Russia", "delivered": 2000}]))
    x = out["encoding"]["x"]
    assert x["axis"]["labelOverlap"] is False
    assert x["scale"]["domain"] == [2022, 2023, 2024]  # a year without deliveries is shown
