"""Every chart of the dashboard names its sources inside itself (a title or subtitle
line), so a PNG saved from vega-embed's "Save as PNG" keeps them: SIPRI's line exactly
when SIPRI data is drawn, and the reports behind the claims."""

from __future__ import annotations

import json
from typing import Any

from explorer.graph import SIPRI_ATTRIBUTION
from tests.apptest import open_page

ARTICLE = "White House Reveals Startling News"


def footers(page: str, **params: str) -> list[list[str]]:
    """Each chart's title lines, as the PNG would show them."""
    at = open_page(page, **params)
    assert not at.exception, [e.value for e in at.exception]
    out = []
    for chart in at.get("vega_lite_chart"):
        title: dict[str, Any] = json.loads(chart.proto.spec).get("title") or {}
        subtitle = title.get("subtitle") or []
        out.append([str(title.get("text", "")),
                    *([subtitle] if isinstance(subtitle, str) else subtitle)])
    assert out, f"no chart on {page}"
    return out


def test_the_profile_charts_credit_sipri_and_the_article(app_env: None) -> None:
    for lines in footers("profile.py", actor="north-korea"):
        assert lines[0] in ("Supplies to others", "Receives from others")
        assert SIPRI_ATTRIBUTION in lines
        assert any(line.startswith("Source") and ARTICLE in line for line in lines)


def test_the_timeline_credits_its_sources(app_env: None) -> None:
    [lines] = footers("timeline.py")
    assert SIPRI_ATTRIBUTION in lines
    assert any(ARTICLE in line for line in lines)


def test_the_weapon_deliveries_chart_credits_sipri(app_env: None) -> None:
    [lines] = footers("weapon.py", system="ws-hwasong-11")
    assert lines == ["Source: SIPRI Arms Transfers Database", SIPRI_ATTRIBUTION]


def test_a_saved_query_chart_credits_the_sources_of_its_rows(app_env: None) -> None:
    [lines] = footers("saved_queries.py", q="suppliers_of_recipient")
    assert SIPRI_ATTRIBUTION in lines
