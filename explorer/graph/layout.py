"""A deterministic force layout (numpy): the same graph gives the same picture.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from explorer.graph.model import GraphData

if TYPE_CHECKING:
    pass



# Below this many nodes a component gets exact O(n^2) repulsion; above it the
# grid variant of Fruchterman-Reingold (repulsion only from the 3x3 neighbouring
# cells), which stays near-linear. networkx's own spring layout needs scipy
# beyond 500 nodes, which the project does not ship.
_EXACT_REPULSION_MAX = 250
_SPACING = 80.0  # the picture spans _SPACING * sqrt(nodes) px at zoom 1 (at least 480)


def compute_layout(graph: GraphData, *, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Deterministic positions: sorted ids, a seeded force layout per connected
    component, components packed in rows largest first. The same graph gets
    the same picture, whatever order the rows came in."""
    ids = sorted(node["id"] for node in graph.nodes)
    if not ids:
        return {}
    position_of = {nid: i for i, nid in enumerate(ids)}
    pairs = sorted(
        {
            (min(a, b), max(a, b))
            for a, b in (
                (position_of.get(e["start"]), position_of.get(e["end"])) for e in graph.edges
            )
            if a is not None and b is not None and a != b
        }
    )
    components, root = _components(len(ids), pairs)
    pairs_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for a, b in pairs:
        pairs_of[root[a]].append((a, b))

    boxes: list[tuple[np.ndarray, np.ndarray, float]] = []
    for members in components:
        local = {m: i for i, m in enumerate(members)}
        sub = np.array(
            [(local[a], local[b]) for a, b in pairs_of[root[members[0]]]], dtype=np.int64
        ).reshape(-1, 2)
        coords = _component_layout(len(members), sub, seed)
        coords -= coords.mean(axis=0)
        radius = float(np.sqrt((coords**2).sum(axis=1)).max()) + 0.8
        boxes.append((np.asarray(members), coords, radius))

    placed = _pack(boxes)
    placed -= (placed.max(axis=0) + placed.min(axis=0)) / 2
    # Degree-weighted forces make hub graphs very wide; scale the whole picture
    # to a size where the browser's zoom-to-fit still leaves labels readable.
    extent = float(np.abs(placed).max()) * 2
    if extent > 0:
        placed *= _SPACING * max(6.0, math.sqrt(len(ids))) / extent
    order = np.concatenate([members for members, _, _ in boxes])
    return {
        ids[int(i)]: (round(float(x), 1), round(float(y), 1))
        for i, (x, y) in zip(order, placed, strict=True)
    }


def _components(n: int, pairs: Sequence[tuple[int, int]]) -> tuple[list[list[int]], list[int]]:
    """Connected components (largest first) and each node's root, by union-find."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    root = [find(i) for i in range(n)]
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[root[i]].append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0])), root


def _component_layout(n: int, edges: np.ndarray, seed: int) -> np.ndarray:
    if n == 1:
        return np.zeros((1, 2))
    if n == 2:
        return np.array([[0.0, 0.0], [1.0, 0.0]])
    # Fewer sweeps for big components: the picture settles early and the time is per sweep.
    iterations = 60 if n <= 500 else 40 if n <= 2000 else 30
    return _force_layout(n, edges, np.random.default_rng(seed), iterations)


def _force_layout(
    n: int, edges: np.ndarray, rng: np.random.Generator, iterations: int
) -> np.ndarray:
    """A ForceAtlas2-style layout with Fruchterman-Reingold cooling: nodes repel
    with (deg_i + 1)(deg_j + 1) / d and edges pull linearly. Weighting the
    repulsion by degree pushes the big suppliers apart, so arms-transfer
    graphs (a few hubs, many recipients) open up instead of forming one knot."""
    mass = np.bincount(edges.ravel(), minlength=n).astype(float) + 1.0
    side = math.sqrt(mass.sum())
    start = rng.random((n, 2)) * side
    x, y = start[:, 0].copy(), start[:, 1].copy()
    src, dst = edges[:, 0], edges[:, 1]
    temperature = side / 8
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        if n <= _EXACT_REPULSION_MAX:
            dx = x[:, None] - x[None, :]
            dy = y[:, None] - y[None, :]
            weight = np.outer(mass, mass) / np.maximum(dx * dx + dy * dy, 1e-4)
            np.fill_diagonal(weight, 0.0)
            fx, fy = (dx * weight).sum(axis=1), (dy * weight).sum(axis=1)
        else:
            fx, fy = _near_repulsion(x, y, mass)
            far_x, far_y = _far_repulsion(x, y, mass)
            fx += far_x
            fy += far_y
        ex, ey = x[src] - x[dst], y[src] - y[dst]
        fx += np.bincount(dst, ex, n) - np.bincount(src, ex, n)
        fy += np.bincount(dst, ey, n) - np.bincount(src, ey, n)
        length = np.maximum(np.sqrt(fx * fx + fy * fy), 1e-9)
        step = np.minimum(length, temperature) / length
        x += fx * step
        y += fy * step
        temperature -= cooling
    return np.stack([x, y], axis=1)


def _near_repulsion(
    x: np.ndarray, y: np.ndarray, mass: np.ndarray, reach: float = 3.0
) -> tuple[np.ndarray, np.ndarray]:
    """Exact repulsion from every node within ``reach`` (the grid variant of
    Fruchterman-Reingold), vectorised: sort nodes by cell of side ``reach`` and
    pair each with the nodes of its 3x3 cell block through searchsorted
    ranges. Working in sorted order keeps the lookups sorted, several times faster."""
    n = len(x)
    cx = np.floor(x / reach).astype(np.int64)
    cy = np.floor(y / reach).astype(np.int64)
    cx -= cx.min() - 1
    cy -= cy.min() - 1
    width = int(cy.max()) + 2
    key = cx * width + cy
    order = np.argsort(key, kind="stable")
    key, xs, ys, ms = key[order], x[order], y[order], mass[order]
    fx, fy = np.zeros(n), np.zeros(n)
    owners = np.arange(n)
    for offset in (-width - 1, -width, -width + 1, -1, 0, 1, width - 1, width, width + 1):
        target = key + offset
        lo = np.searchsorted(key, target, "left")
        count = np.searchsorted(key, target, "right") - lo
        total = int(count.sum())
        if not total:
            continue
        first = np.cumsum(count) - count
        i = np.repeat(owners, count)
        j = np.repeat(lo - first, count) + np.arange(total)
        dx, dy = xs[i] - xs[j], ys[i] - ys[j]
        dist2 = dx * dx + dy * dy
        near = (dist2 < reach * reach) & (i != j)
        weight = np.where(near, ms[i] * ms[j] / np.maximum(dist2, 1e-4), 0.0)
        fx += np.bincount(i, dx * weight, n)
        fy += np.bincount(i, dy * weight, n)
    out_x, out_y = np.empty(n), np.empty(n)
    out_x[order], out_y[order] = fx, fy
    return out_x, out_y


def _far_repulsion(
    x: np.ndarray, y: np.ndarray, mass: np.ndarray, cells: int = 12
) -> tuple[np.ndarray, np.ndarray]:
    """The long-range push the grid variant lacks (without it big components
    collapse into dense knots): repulsion from the mass centres of a coarse
    ``cells`` x ``cells`` grid, softened by the cell size so that near cells
    add only a gentle, smooth push on top of the exact near field."""
    low_x, low_y = x.min(), y.min()
    size = max(float(max(x.max() - low_x, y.max() - low_y)) / cells, 1e-9)
    key = np.minimum(((x - low_x) / size).astype(np.int64), cells - 1) * cells + np.minimum(
        ((y - low_y) / size).astype(np.int64), cells - 1
    )
    cell_mass = np.bincount(key, mass, cells * cells)
    occupied = np.nonzero(cell_mass)[0]
    m = cell_mass[occupied]
    centre_x = np.bincount(key, mass * x, cells * cells)[occupied] / m
    centre_y = np.bincount(key, mass * y, cells * cells)[occupied] / m
    dx = x[:, None] - centre_x[None, :]
    dy = y[:, None] - centre_y[None, :]
    weight = m / (dx * dx + dy * dy + size * size)
    return mass * (dx * weight).sum(axis=1), mass * (dy * weight).sum(axis=1)


def _pack(boxes: Sequence[tuple[np.ndarray, np.ndarray, float]]) -> np.ndarray:
    """Shelf-pack component discs (largest first) into rows of a roughly square block."""
    row_width = max(
        max(2 * r for _, _, r in boxes), math.sqrt(sum((2 * r) ** 2 for _, _, r in boxes)) * 1.15
    )
    out: list[np.ndarray] = []
    x = y = row_height = 0.0
    for _, coords, radius in boxes:
        size = 2 * radius
        if x > 0 and x + size > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        out.append(coords + np.array([x + radius, y + radius]))
        x += size
        row_height = max(row_height, size)
    return np.concatenate(out)


