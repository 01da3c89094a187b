"""The Map page in headless Chromium: country shapes drawn (offline), every placeable
actor on it, the unplaceable ones listed by name, and the sources inside the chart."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from explorer.app.charts.palette import LAND
from tests.browser.conftest import XSS_NAME, Traffic, no_exception, open_page, screenshot

pytestmark = pytest.mark.browser


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _pixels(image: Image.Image) -> list[tuple[int, int, int]]:
    rgb = image.convert("RGB")
    # Pillow 13 renamed getdata (deprecated, removed in Pillow 14).
    return list(getattr(rgb, "get_flattened_data", rgb.getdata)())


def _share_of(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 6) -> float:
    pixels = _pixels(image)
    near = sum(1 for p in pixels if all(abs(a - b) <= tolerance for a, b in zip(p, colour,
                                                                              strict=True)))
    return near / len(pixels)


def test_the_map_draws_countries_and_lists_what_it_cannot_place(
        dashboard: str, page: Any, traffic: Traffic) -> None:
    open_page(page, f"{dashboard}/map")
    no_exception(page)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.wait_for()
    # Vega draws after the script run; wait for its canvas or SVG to hold marks.
    page.wait_for_function(
        "() => { const c = document.querySelector('[data-testid=stVegaLiteChart]');"
        " return c && (c.querySelector('canvas') || c.querySelectorAll('svg path').length > 50);"
        " }", timeout=30_000)
    page.wait_for_timeout(1500)
    svg_paths = chart.locator("svg path").count()
    image = Image.open(io.BytesIO(chart.screenshot()))
    # The country outlines: land-coloured shapes cover a good part of the world frame
    # (the shaded countries come on top of them), and more than one colour of land.
    land = _share_of(image, _rgb(LAND))
    assert land > 0.05 or svg_paths > 150, (land, svg_paths)
    colours = set(_pixels(image.resize((200, 100))))
    assert len(colours) > 200  # outlines, shading, arcs and dots: not a blank grid

    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "has no place" not in text and "one of their ends has no place" not in text
    assert "Not on the map" in text and "unknown supplier(s)" in text
    # A name from the graph is listed as text, never run as markup (no dialog opened).
    assert XSS_NAME in text
    assert "Zaporizhzhia region" in text
    screenshot(page, "page-map")
    assert not traffic.external()
