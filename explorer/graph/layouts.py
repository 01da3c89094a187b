"""The layout choices: force (``explorer.graph.layout``), hierarchical supplier ->
recipient tiers, and rings around the focused actors. Each is deterministic: nodes
are sorted by id and every tie is broken by id, so the same graph gets the same
positions whatever order its rows came in.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np

from explorer.errors import ParameterError
from explorer.graph.layout import compute_layout
from explorer.graph.model import TRANSFER_EDGE_TYPE, GraphData, entity_id

LAYOUTS: tuple[str, ...] = ("force", "hierarchical", "radial")
LAYOUT_LABELS: dict[str, str] = {
    "force": "Force",
    "hierarchical": "Supplier → recipient tiers",
    "radial": "Rings around the focus",
}

# Edges that say "arms went from start to end": the folded arrows, the derived
# summaries and the two halves of a stored transfer chain.
SUPPLY_TYPES = frozenset({TRANSFER_EDGE_TYPE, "TRANSFERS_TO", "SUPPLIED", "TO"})

_COLUMN_PX = 130.0  # between neighbours in a tier
_ROW_PX = 80.0  # between the wrapped rows of one tier
_TIER_PX = 210.0  # between tiers
_RING_PX = 190.0  # at least, between rings
_ARC_PX = 95.0  # at least, between neighbours on a ring

Positions = dict[str, tuple[float, float]]


def compute_positions(
    graph: GraphData, layout: str = "force", *, focus: Sequence[str] = ()
) -> Positions:
    """Positions for ``layout`` (one of ``LAYOUTS``); ``focus`` holds element ids or
    domain ids (``north-korea``) for the radial layout's centre."""
    if layout == "force":
        return compute_layout(graph)
    if layout == "hierarchical":
        return hierarchical_layout(graph)
    if layout == "radial":
        return radial_layout(graph, focus)
    raise ParameterError(
        f"unknown layout {layout!r}: choose one of {', '.join(LAYOUTS)}"
    )


# --------------------------------------------------------------------------- tiers


def supply_tiers(graph: GraphData) -> dict[str, int]:
    """Each node's tier, from the direction of supply: 0 pure suppliers, 1 those
    that supply at least as many partners as they receive from, 2 those that
    receive from more than they supply, 3 pure recipients, 4 nodes with no supply
    edge at all (weapon systems, sources, events). Counted over distinct partners."""
    supplies: dict[str, set[str]] = defaultdict(set)
    receives: dict[str, set[str]] = defaultdict(set)
    ids = {node["id"] for node in graph.nodes}
    for edge in graph.edges:
        start, end = edge["start"], edge["end"]
        if edge["type"] not in SUPPLY_TYPES or start not in ids or end not in ids or start == end:
            continue
        supplies[start].add(end)
        receives[end].add(start)
    tiers: dict[str, int] = {}
    for nid in ids:
        out, into = len(supplies[nid]), len(receives[nid])
        if out and not into:
            tiers[nid] = 0
        elif out and into:
            tiers[nid] = 1 if out >= into else 2
        elif into:
            tiers[nid] = 3
        else:
            tiers[nid] = 4
    return tiers


def hierarchical_layout(graph: GraphData) -> Positions:
    """Supplier -> recipient tiers top to bottom (``supply_tiers``), empty tiers
    skipped. The top tier is ordered by number of partners; each lower tier by the
    mean x of its neighbours above (fewer crossings). A long tier wraps into
    staggered rows so the picture stays roughly as wide as it is tall."""
    ids = sorted(node["id"] for node in graph.nodes)
    if not ids:
        return {}
    neighbours = _neighbours(graph, set(ids))
    tiers = supply_tiers(graph)
    per_row = max(6, math.ceil(1.5 * math.sqrt(len(ids))))
    positions: Positions = {}
    y = 0.0
    for tier in range(5):
        members = [nid for nid in ids if tiers[nid] == tier]
        if not members:
            continue

        def key(nid: str) -> tuple[float, int, str]:
            # Sorted and rounded: a float sum depends on its order, and a tie
            # broken by a last-bit difference would not be broken by id.
            above = [positions[m][0] for m in sorted(neighbours[nid]) if m in positions]
            centre = round(sum(above) / len(above), 6) if above else math.inf
            return (centre, -len(neighbours[nid]), nid)

        members.sort(key=key if positions else lambda n: (-len(neighbours[n]), n))
        rows = [members[i : i + per_row] for i in range(0, len(members), per_row)]
        for r, row in enumerate(rows):
            # Alternate rows shift by half a column so labels do not stack.
            shift = _COLUMN_PX / 2 if r % 2 else 0.0
            left = -(len(row) - 1) * _COLUMN_PX / 2 + shift
            for i, nid in enumerate(row):
                positions[nid] = (round(left + i * _COLUMN_PX, 1), round(y, 1))
            y += _ROW_PX
        y += _TIER_PX - _ROW_PX
    return positions


# --------------------------------------------------------------------------- rings


def focus_ids(graph: GraphData, focus: Sequence[str]) -> list[str]:
    """The element ids of the focus nodes present (given as element or domain ids),
    else the node with most partners (ties by id): a ring needs a centre."""
    by_domain = {entity_id(node): node["id"] for node in graph.nodes}
    present = {node["id"] for node in graph.nodes}
    out: list[str] = []
    for key in focus:
        nid = key if key in present else by_domain.get(key)
        if nid and nid not in out:
            out.append(nid)
    if out or not present:
        return out
    neighbours = _neighbours(graph, present)
    return [min(present, key=lambda n: (-len(neighbours[n]), n))]


def hop_distances(graph: GraphData, centre: Sequence[str]) -> dict[str, int]:
    """Hops from the nearest centre node over links in either direction;
    nodes that cannot be reached are absent."""
    neighbours = _neighbours(graph, {node["id"] for node in graph.nodes})
    hops = {nid: 0 for nid in centre}
    frontier = list(centre)
    while frontier:
        nxt: list[str] = []
        for nid in frontier:
            for other in sorted(neighbours[nid]):
                if other not in hops:
                    hops[other] = hops[nid] + 1
                    nxt.append(other)
        frontier = nxt
    return hops


def radial_layout(graph: GraphData, focus: Sequence[str] = ()) -> Positions:
    """The focus actors in the centre, ring k holding the nodes k hops away, an
    outer ring for nodes not connected to the focus. Ring 1 is ordered by focus
    node then number of partners; each further ring by the mean angle of its
    neighbours on the ring inside, so branches stay together. Rings are at least
    ``_RING_PX`` apart, wide enough for ``_ARC_PX`` of arc per node, and no closer
    together than an even spread of the outermost ring's radius."""
    ids = sorted(node["id"] for node in graph.nodes)
    if not ids:
        return {}
    centre = focus_ids(graph, focus)
    hops = hop_distances(graph, centre)
    neighbours = _neighbours(graph, set(ids))
    unreached = max(hops.values(), default=0) + 1
    rings: dict[int, list[str]] = defaultdict(list)
    for nid in ids:
        rings[hops.get(nid, unreached)].append(nid)

    # Each ring needs room for its nodes; then no ring sits closer to the one
    # inside than an even spread would put it, so a crowded outer ring does not
    # squeeze the first rings against the centre.
    needed: dict[int, float] = {}
    radius = 0.0
    for k in sorted(rings):
        count = len(centre) if k == 0 else len(rings[k])
        if k == 0 and count == 1:
            needed[k] = 0.0
        else:
            needed[k] = max(radius + _RING_PX, count * _ARC_PX / (2 * math.pi))
        radius = needed[k]
    last = max(rings)
    radii = {k: max(r, radius * k / last) if last else r for k, r in needed.items()}

    positions: Positions = {}
    angle: dict[str, float] = {}
    for k in sorted(rings):
        members = rings[k]
        radius = radii[k]
        if k == 0:
            members = list(centre)
        elif k == 1:
            rank = {nid: i for i, nid in enumerate(centre)}
            members.sort(key=lambda n: (
                min((rank[m] for m in neighbours[n] if m in rank), default=len(rank)),
                -len(neighbours[n]), n))
        elif k != unreached:
            members.sort(key=lambda n: (_mean_angle(
                [angle[m] for m in sorted(neighbours[n]) if hops.get(m) == k - 1]), n))
        count = len(members)
        for i, nid in enumerate(members):
            theta = -math.pi / 2 + 2 * math.pi * i / count
            angle[nid] = theta % (2 * math.pi)
            positions[nid] = (
                round(radius * math.cos(theta), 1),
                round(radius * math.sin(theta), 1),
            )
    return positions


def _mean_angle(angles: Sequence[float]) -> float:
    """The circular mean in [0, 2π), or 2π (last) when there is none."""
    if not angles:
        return 2 * math.pi
    x = sum(math.cos(a) for a in angles)
    y = sum(math.sin(a) for a in angles)
    if abs(x) < 1e-12 and abs(y) < 1e-12:
        return angles[0]
    return round(math.atan2(y, x) % (2 * math.pi), 9)


def _neighbours(graph: GraphData, ids: set[str]) -> Mapping[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for edge in graph.edges:
        start, end = edge["start"], edge["end"]
        if start in ids and end in ids and start != end:
            out[start].add(end)
            out[end].add(start)
    return out



# --------------------------------------------------------------------------- growing


def extend_layout(
    graph: GraphData, placed: Mapping[str, tuple[float, float]], *, seed: int = 7,
    iterations: int = 90,
) -> Positions:
    """Positions for ``graph`` in which every node of ``placed`` keeps its place and
    only the new ones move: each starts beside its placed neighbours (seeded), then
    a Fruchterman-Reingold pass pushes it off the others and pulls it towards its
    links. Expanding a drawing this way adds to it without moving what the analyst
    has already seen. Deterministic: sorted ids, a seeded generator."""
    ids = sorted(node["id"] for node in graph.nodes)
    kept = {nid: placed[nid] for nid in ids if nid in placed}
    new = [nid for nid in ids if nid not in kept]
    if not new:
        return kept
    if not kept:
        return compute_layout(graph)
    index = {nid: i for i, nid in enumerate(ids)}
    neighbours = _neighbours(graph, set(ids))
    pairs = np.array(sorted({(min(index[a], index[b]), max(index[a], index[b]))
                             for a in ids for b in neighbours[a]}), dtype=np.int64).reshape(-1, 2)
    xy = np.zeros((len(ids), 2))
    for nid, (x, y) in kept.items():
        xy[index[nid]] = (x, y)
    # The typical link length of the drawing so far sets the scale of the new part.
    placed_pairs = [(a, b) for a, b in pairs if ids[a] in kept and ids[b] in kept]
    lengths = [float(np.hypot(*(xy[a] - xy[b]))) for a, b in placed_pairs]
    k = float(np.median(lengths)) if lengths else 120.0
    k = min(max(k, 60.0), 400.0)
    rng = np.random.default_rng(seed)
    low, high = xy[[index[n] for n in kept]].min(axis=0), xy[[index[n] for n in kept]].max(axis=0)
    for nid in new:
        anchors = [xy[index[m]] for m in sorted(neighbours[nid]) if m in kept]
        theta = rng.random() * 2 * math.pi
        if anchors:
            centre = np.mean(anchors, axis=0)
            xy[index[nid]] = centre + k * np.array([math.cos(theta), math.sin(theta)])
        else:  # not linked to the drawing: start past its right edge
            xy[index[nid]] = (high[0] + k * (1 + rng.random()),
                              low[1] + (high[1] - low[1]) * rng.random())
    moving = np.array([index[n] for n in new])
    temperature = k
    for _ in range(iterations):
        delta = xy[moving, None, :] - xy[None, :, :]
        dist2 = np.maximum((delta ** 2).sum(axis=2), 1.0)
        force = (delta * (k * k / dist2)[:, :, None]).sum(axis=1)
        if len(pairs):
            a, b = pairs[:, 0], pairs[:, 1]
            d = xy[a] - xy[b]
            pull = d * (np.hypot(d[:, 0], d[:, 1]) / k)[:, None]
            n = len(ids)
            for axis in (0, 1):
                total = np.bincount(b, pull[:, axis], n) - np.bincount(a, pull[:, axis], n)
                force[:, axis] += total[moving]
        length = np.maximum(np.hypot(force[:, 0], force[:, 1]), 1e-9)
        xy[moving] += force * (np.minimum(length, temperature) / length)[:, None]
        temperature = max(temperature * 0.95, k * 0.02)
    out = dict(kept)
    for nid in new:
        x, y = xy[index[nid]]
        out[nid] = (round(float(x), 1), round(float(y), 1))
    return out
