"""Explore's drawings, cached: the base neighbourhood of the picked actors
(``explore_view``) and that drawing after the analyst's exploration steps
(``explored``: expand, collapse, pin, hide — explorer/graph/exploration.py holds
the steps and their address form). One cached drawing per prefix of the steps,
so a new step only adds to the previous drawing and nothing placed moves.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from explorer.app import cached
from explorer.app import widgets as w
from explorer.graph import compute_positions, prepare_graph
from explorer.graph import exploration as xp
from explorer.graph.layouts import extend_layout
from explorer.page_queries import neighbours as nb
from explorer.page_queries.explore import ExploreFilters, neighbourhood

# An exploration grows the drawing up to this many nodes; past it, expanding says so.
MAX_EXPLORED_NODES = 600
RELATION_KEYS = {label: [r.key for r in nb.relations_of(label)] for label in nb.LABELS}


@st.cache_data(ttl=cached.CACHE_TTL_S, show_spinner=False, max_entries=32)
def explore_view(
    _db: Any, actors: tuple[str, ...], hops: int, statuses: tuple[str, ...],
    categories: tuple[str, ...], year_from: int | None, year_to: int | None,
    min_tiv: float | None, layout: str,
) -> dict[str, Any]:
    filters = ExploreFilters(actors, hops, statuses, categories, year_from, year_to, min_tiv)
    hood = neighbourhood(_db, filters)
    graph, notice = prepare_graph(hood.rows, max_nodes=w.MAX_DRAWN_NODES, keep=actors)
    # The chosen layout for the page and the SVG alike (styling rules apply when drawn).
    if layout == "force" and len(actors) > 1:
        # Actors are kept in the order they were added, so the drawing grows the way
        # the analyst expanded it: what the first actors' drawing placed stays put
        # and only the new nodes find room (the previous drawing is a cache hit).
        before = explore_view(_db, actors[:-1], hops, statuses, categories, year_from,
                              year_to, min_tiv, layout)
        positions = extend_layout(graph, before["positions"])
    else:
        positions = compute_positions(graph, layout, focus=actors)
    view = {
        "graph": graph, "notice": notice.message, "capped": notice.capped,
        "positions": positions,
    }
    # Not the rows themselves: every rerun unpickles the cached value, and the rows
    # of a big neighbourhood weigh megabytes. What the page needs is drawn from them here.
    return {
        **view,
        "truncated": hood.notice,
        "elapsed_ms": hood.elapsed_ms,
        "reached": [len(level) for level in hood.actors_by_hop],
        "cypher": hood.cypher,
        "parameters": hood.parameters,
        "filters": filters.describe(),
        "transfers": len(hood.rows),
    }


@st.cache_data(ttl=cached.CACHE_TTL_S, show_spinner=False, max_entries=64)
def explored(_db: Any, base: tuple[Any, ...], tokens: tuple[str, ...]) -> dict[str, Any]:
    """The base drawing (``explore_view(*base)``) after the exploration steps
    ``tokens``: one cached drawing per prefix, so a new step only adds to the
    previous drawing — nothing placed moves (``extend_layout``)."""
    if not tokens:
        view = explore_view(_db, *base)
        return {"graph": view["graph"], "positions": view["positions"],
                "base": [n["id"] for n in view["graph"].nodes], "added": {},
                "hidden": [], "pinned": [], "ignored": [], "notices": []}
    before = explored(_db, base, tokens[:-1])
    steps, problems = xp.parse_steps(",".join(tokens), RELATION_KEYS)
    state = {**before, "added": dict(before["added"]), "ignored": list(before["ignored"]),
             "notices": list(before["notices"])}
    if problems or len(steps) != len(tokens):
        state["ignored"].append(tokens[-1])
        return state
    step = steps[-1]
    graph = before["graph"]
    node = xp.find(graph, step.node)
    if node is None:
        state["ignored"].append(tokens[-1])
        return state
    key = f"{step.node.label}:{step.node.id}:{step.relation}"
    if step.op == "p":
        pinned = set(before["pinned"]) ^ {node}
        state["pinned"] = sorted(pinned)
    elif step.op == "h":
        state["hidden"] = sorted(set(before["hidden"]) | {node})
        state["pinned"] = [n for n in before["pinned"] if n != node]
    elif step.op == "c":
        others = {n for k, ids in state["added"].items() if k != key for n in ids}
        keep_ids = set(before["base"]) | others | set(before["pinned"]) | {node}
        gone = set(state["added"].pop(key, [])) - keep_ids
        state["graph"] = xp.restrict(graph, {n["id"] for n in graph.nodes} - gone)
    else:  # expand: the next page of this relation's neighbours
        actors, hops, statuses, categories, year_from, year_to, min_tiv = base[:7]
        filters = ExploreFilters(actors, hops, statuses, categories, year_from, year_to, min_tiv)
        pages = xp.pages_before(steps, len(steps) - 1) + 1
        grown = nb.expand(_db, step.node.label, step.node.id, step.relation, filters,
                          limit=pages * nb.EXPAND_PAGE)
        # Transfers fold into arrows for supplier/recipient expansions, as in the
        # neighbourhood; a transfer reached by a link (a source's) stays a node.
        extra, _ = prepare_graph(grown.rows, max_nodes=10**6,
                                 collapse=grown.relation.kind == "fold")
        present = {n["id"] for n in graph.nodes}
        fresh = [n for n in grown.neighbours if n not in present]
        room = max(0, MAX_EXPLORED_NODES - len(present))
        if len(fresh) > room:
            state["notices"].append(
                f"Expanding {step.node} drew {room} of {len(fresh)} new neighbours: the "
                f"drawing holds at most {MAX_EXPLORED_NODES:,} nodes — hide or collapse some.")
            fresh = fresh[:room]
        grown_graph = xp.restrict(xp.merge(graph, extra), present | set(fresh))
        state["graph"] = grown_graph
        state["positions"] = extend_layout(grown_graph, before["positions"])
        state["added"][key] = sorted(set(state["added"].get(key, [])) | set(fresh))
    return state
