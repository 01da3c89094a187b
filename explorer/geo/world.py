"""Country outlines and centroids from the Natural Earth files shipped in this package.

Two scales of the same Natural Earth 4.1.0 admin-0 countries, as TopoJSON from the
``world-atlas`` 2.0.2 npm package (ISC; the data is public domain):

- ``countries-110m.json`` (108 KB, 177 countries) is what the map draws: small enough
  to travel inline in every chart, so nothing is fetched at run time.
- ``countries-50m.json`` (756 KB, 241 countries) is read once for centroids, because the
  110m file leaves out small states that SIPRI lists (Bahrain, Singapore, Malta,
  Maldives, Mauritius, ...); a dot is still drawn for them.

Features are keyed by ISO 3166-1 numeric code (the TopoJSON ids); ``iso3`` codes come
from country-converter's table (``explorer.geo.placement.numeric_to_iso3``). A centroid is
the area-weighted centre of a country's largest polygon, in longitude/latitude, so
overseas parts (French Guiana, Alaska) do not pull France or the United States into
the sea.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from importlib import resources
from typing import Any

DRAWN = "countries-110m.json"
GAZETTEER = "countries-50m.json"

# Features without an ISO numeric id in Natural Earth that have an ISO-like code in
# country-converter's table (Kosovo is XKX there, as in SIPRI's "Kosovo").
NAMED_WITHOUT_ID = {"Kosovo": "XKX"}


@lru_cache(maxsize=2)
def topology(name: str = DRAWN) -> dict[str, Any]:
    """The parsed TopoJSON file ``name`` of this package (read once)."""
    with resources.files("explorer.geo").joinpath(name).open(encoding="utf-8") as handle:
        return json.load(handle)


def feature_iso3(geometry: dict[str, Any], numeric_to_iso3: dict[str, str]) -> str | None:
    """The ISO3 code of one TopoJSON geometry (None for Somaliland, N. Cyprus ...)."""
    code = geometry.get("id")
    if code is not None:
        return numeric_to_iso3.get(str(code).lstrip("0") or "0")
    return NAMED_WITHOUT_ID.get(str((geometry.get("properties") or {}).get("name")))


def drawn_topology(numeric_to_iso3: dict[str, str]) -> dict[str, Any]:
    """The 110m topology with ``properties.iso3`` set on every country that has one, so
    a chart can join figures to shapes by ISO3."""
    topo = copy.deepcopy(topology(DRAWN))
    for geometry in topo["objects"]["countries"]["geometries"]:
        props = geometry.setdefault("properties", {})
        props["iso3"] = feature_iso3(geometry, numeric_to_iso3)
    return topo


def _arcs(topo: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Every arc as absolute longitude/latitude points (delta- and quantisation-decoded)."""
    scale_x, scale_y = topo["transform"]["scale"]
    shift_x, shift_y = topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        out.append(points)
    return out


def _ring(indices: list[int], arcs: list[list[tuple[float, float]]]
          ) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def _unwrapped(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The ring with longitudes made continuous: Russia's and Fiji's outlines cross the
    180th meridian, where a jump from +180 to -180 would wreck the area sums."""
    out = [ring[0]]
    for x, y in ring[1:]:
        previous = out[-1][0]
        while x - previous > 180:
            x -= 360
        while previous - x > 180:
            x += 360
        out.append((x, y))
    return out


def _area_centroid(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Planar area (absolute) and centroid of a closed ring (shoelace formula)."""
    ring = _unwrapped(ring)
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-12:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(area) / 2, cx / (3 * area), cy / (3 * area)


def centroids(numeric_to_iso3: dict[str, str]) -> dict[str, tuple[float, float, str]]:
    """ISO3 → (lon, lat, Natural Earth name): the centre of each country's largest
    polygon in the 50m file."""
    topo = topology(GAZETTEER)
    arcs = _arcs(topo)
    best: dict[str, tuple[float, float, float, str]] = {}
    for geometry in topo["objects"]["countries"]["geometries"]:
        iso3 = feature_iso3(geometry, numeric_to_iso3)
        if iso3 is None:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else \
            [geometry["arcs"]] if geometry["type"] == "Polygon" else []
        for polygon in polygons:
            area, lon, lat = _area_centroid(_ring(polygon[0], arcs))
            if iso3 not in best or area > best[iso3][0]:
                best[iso3] = (area, lon, lat, str(geometry["properties"].get("name")))
    return {iso3: (round((lon + 180) % 360 - 180, 4), round(lat, 4), name)
            for iso3, (_, lon, lat, name) in best.items()}
