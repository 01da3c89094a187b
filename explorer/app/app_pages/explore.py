"""Explore: an actor's arms-transfer neighbourhood as a network, filtered, clickable."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from explorer.app import cached, tables
from explorer.app import widgets as w
from explorer.app.links import escape_md
from explorer.app.saving import save_view_form
from explorer.app.state import get_db
from explorer.errors import ParameterError
from explorer.graph import (
    LAYOUT_LABELS,
    LAYOUTS,
    STATUS_ORDER,
    STATUS_STYLES,
    TRANSFER_EDGE_TYPE,
    compute_positions,
    entity_id,
    legend_html,
    make_rule,
    parse_rules,
    prepare_graph,
    rule_scales,
    rules_legend_html,
    rules_text,
    to_pyvis_html,
)
from explorer.graph.layouts import extend_layout
from explorer.graph.rules import EDGE_PROPERTIES, NODE_PROPERTIES, NUMBER, PROPERTY_NAMES
from explorer.graph_export import provenance_lines
from explorer.page_queries.explore import (
    MAX_HOPS,
    ExploreFilters,
    actor_label,
    neighbourhood,
    resolve_actors,
)

HAS_PROFILE = w.has_page("profile")
DEFAULT_ACTORS = ("north-korea",)
# Each actor added keeps the earlier drawing's positions (one cached drawing per
# step), so the list is bounded: a long link cannot make the page recurse without end.
MAX_ACTORS = 12
URL_KEYS = ("actors", "hops", "status", "category", "from", "to", "min_tiv", "layout", "style")
# Explore draws actors and the supplier -> recipient arrows folded from their transfers:
# the styling pickers offer what the rule model allows for those two.
RULE_PICKERS = (  # (session key, target, label, heading)
    ("explore_rule_size", "size", "Actor", "Actor size by"),
    ("explore_rule_colour", "color", "Actor", "Actor colour by"),
    ("explore_rule_width", "width", TRANSFER_EDGE_TYPE, "Arrow width by"),
    ("explore_rule_edge_colour", "color", TRANSFER_EDGE_TYPE, "Arrow colour by"),
)
DEFAULT_LOOK = {
    "explore_rule_size": "number of links (default)",
    "explore_rule_colour": "kind (default)",
    "explore_rule_width": "TIV, else quantity, log scale (default)",
    "explore_rule_edge_colour": "status (default)",
}


@st.cache_data(ttl=cached.CACHE_TTL_S, show_spinner=False, max_entries=32)
def explore_view(
    _db: Any, actors: tuple[str, ...], hops: int, statuses: tuple[str, ...],
    categories: tuple[str, ...], year_from: int | None, year_to: int | None,
    min_tiv: float | None, layout: str, style: str,
) -> dict[str, Any]:
    filters = ExploreFilters(actors, hops, statuses, categories, year_from, year_to, min_tiv)
    hood = neighbourhood(_db, filters)
    graph, notice = prepare_graph(hood.rows, max_nodes=w.MAX_DRAWN_NODES, keep=actors)
    # The chosen layout for the page and the SVG alike; rules were validated by the page.
    if layout == "force" and len(actors) > 1:
        # Actors are kept in the order they were added, so the drawing grows the way
        # the analyst expanded it: what the first actors' drawing placed stays put
        # and only the new nodes find room (the previous drawing is a cache hit).
        before = explore_view(_db, actors[:-1], hops, statuses, categories, year_from,
                              year_to, min_tiv, layout, style)
        positions = extend_layout(graph, before["positions"])
    else:
        positions = compute_positions(graph, layout, focus=actors)
    rules = parse_rules(style)
    scales = rule_scales(graph, rules)
    replaced = ["width"] if any(r.target == "width" for r in rules) else []
    view = {
        "graph": graph, "notice": notice.message, "capped": notice.capped,
        "positions": positions,
        "html": to_pyvis_html(graph, height=f"{w.GRAPH_HEIGHT_PX}px", positions=positions,
                              rules=rules),
        "legend": legend_html(replaced=replaced) + rules_legend_html(scales),
        "legend_lines": len(rules),
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


db = get_db()
st.title("Explore")
st.caption("Who supplies whom around the actors you pick. Arrows run supplier → recipient; "
           "solid dark blue is delivered, dashed orange is sought. Click a node to act on it.")

options = w.guarded(lambda: cached.cached_actor_options(db))
categories = w.guarded(lambda: cached.cached_categories(db))
first_year, last_year = w.guarded(lambda: cached.cached_year_bounds(db))
by_id = {a["id"]: a for a in options}
labels = {a["id"]: actor_label(a) for a in options}


# --- the URL holds the filters, so a link reproduces the view -----------------------------
def apply_url(url: dict[str, str]) -> None:
    state = st.session_state
    if "actors" in url:
        names = [n.strip() for n in url["actors"].split(",") if n.strip()]
        # Each name must name one actor; a near miss is suggested, never drawn instead.
        table = w.guarded(lambda: cached.cached_names(db, "actor"))
        resolved, problems = resolve_actors(table, names)
        for problem in problems:
            st.warning(escape_md(problem[:1].upper() + problem[1:]),
                       icon=":material/person_search:")
        chosen = [a for a in resolved if a in by_id]
        if len(chosen) > MAX_ACTORS:
            st.warning(f"This link names {len(chosen)} actors; Explore draws the first "
                       f"{MAX_ACTORS}.", icon=":material/filter_alt:")
        state["explore_actors"] = chosen[:MAX_ACTORS]
    if url.get("hops", "").isdigit():
        state["explore_hops"] = min(MAX_HOPS, max(1, int(url["hops"])))
    if "status" in url:
        state["explore_statuses"] = [s for s in url["status"].split(",") if s in STATUS_ORDER]
    if "category" in url:
        state["explore_categories"] = [c for c in url["category"].split(",") if c in categories]
    if first_year is not None and last_year is not None and ("from" in url or "to" in url):
        low = _int(url.get("from"), first_year)
        high = _int(url.get("to"), last_year)
        state["explore_years"] = (max(first_year, min(low, high)), min(last_year, max(low, high)))
    if "min_tiv" in url:
        state["explore_min_tiv"] = max(0.0, _float(url["min_tiv"]))
    if "layout" in url:
        if url["layout"] in LAYOUTS:
            state["explore_layout"] = url["layout"]
        else:
            state["explore_layout"] = "force"
            st.warning(f"Unknown layout {escape_md(url['layout'])!r} in the link — choose "
                       f"{', '.join(LAYOUTS)}; drawing the force layout.",
                       icon=":material/warning:")
    if "style" in url:
        apply_style(url["style"])


def apply_style(text: str) -> None:
    """Styling rules from the link into the pickers; a bad rule is said, never guessed."""
    state = st.session_state
    for key, _, _, _ in RULE_PICKERS:
        state[key] = None
    try:
        rules = parse_rules(text)
    except ParameterError as error:
        st.warning(escape_md(str(error)[:1].upper() + str(error)[1:]) + " — no styling rule "
                   "from the link is applied.", icon=":material/palette:")
        return
    pickers = {(target, label): key for key, target, label, _ in RULE_PICKERS}
    for rule in rules:
        key = pickers.get((rule.target, rule.label))
        if key is None:
            st.warning(escape_md(f"Style rule {rule.text!r} does not apply here: Explore draws "
                                 "actors and supplier → recipient arrows (TRANSFER)."),
                       icon=":material/palette:")
            continue
        state[key] = rule.prop


def _int(text: str | None, fallback: int) -> int:
    try:
        return int(str(text))
    except ValueError:
        return fallback


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


url_now = {k: v for k, v in st.query_params.to_dict().items() if k in URL_KEYS}
if url_now and url_now != st.session_state.get("explore_url"):
    apply_url(url_now)
st.session_state.setdefault("explore_actors", [a for a in DEFAULT_ACTORS if a in by_id])
st.session_state.setdefault("explore_hops", 1)
st.session_state.setdefault("explore_statuses", list(STATUS_ORDER))
st.session_state.setdefault("explore_categories", [])
st.session_state.setdefault("explore_min_tiv", 0.0)
st.session_state.setdefault("explore_layout", "force")
for _key, _, _, _ in RULE_PICKERS:
    st.session_state.setdefault(_key, None)
if first_year is not None and last_year is not None:
    st.session_state.setdefault("explore_years", (first_year, last_year))
# A stale value (the graph was reloaded) would make the widget refuse to render.
st.session_state["explore_actors"] = [a for a in st.session_state["explore_actors"] if a in by_id]


# --- click to act ------------------------------------------------------------------------
def remember_click() -> None:
    st.session_state["explore_selected"] = st.session_state.get("explore_graph")


def expand(actor_id: str) -> None:
    chosen = list(st.session_state.get("explore_actors", []))
    if actor_id not in chosen:
        chosen.append(actor_id)
    st.session_state["explore_actors"] = chosen
    st.session_state["explore_selected"] = None


def clear_selection() -> None:
    st.session_state["explore_selected"] = None


# --- filters -----------------------------------------------------------------------------
with st.sidebar:
    st.subheader("Filters")
    actors = st.multiselect(
        "Actors", list(by_id), key="explore_actors", format_func=lambda a: labels.get(a, a),
        max_selections=MAX_ACTORS,
        placeholder="type a name or alias (DPRK, U.S., ...)",
        help="Search by name or alias; the arrows drawn are the transfers to and from them.",
        persist_state="session",
    )
    hops = st.segmented_control(
        "Hops", [1, 2, 3], key="explore_hops", required=True, persist_state="session",
        help="1: the actors' own transfers; 2: also those of their partners; 3: one more ring.",
    )
    statuses = st.pills(
        "Statuses", list(STATUS_ORDER), selection_mode="multi", key="explore_statuses",
        format_func=lambda s: STATUS_STYLES[s].label, persist_state="session",
        help="; ".join(f"{STATUS_STYLES[s].label}: {STATUS_STYLES[s].description}"
                       for s in STATUS_ORDER),
    )
    chosen_categories = st.multiselect(
        "Weapon categories", categories, key="explore_categories", placeholder="all categories",
        help="SIPRI armament categories of the weapon system (or Technology, Materials, ...).",
        persist_state="session",
    )
    years: tuple[int, int] | None = None
    if first_year is not None and last_year is not None and first_year < last_year:
        years = st.slider("Years", first_year, last_year, key="explore_years",
                          persist_state="session",
                          help="Transfers whose order or delivery years overlap the range. "
                               "Narrowing it leaves out transfers without a known year.")
    # What the full range means: the years of the data in this graph.
    data_years = w.guarded(lambda: cached.cached_data_range(db))
    st.caption(data_years.sentence())
    min_tiv = st.number_input(
        "Minimum TIV (millions)", min_value=0.0, step=10.0, key="explore_min_tiv",
        persist_state="session",
        help="SIPRI trend-indicator value of the deal (delivered, else total). Above 0, "
             "transfers without a TIV — most reporting — are left out.",
    )

    st.subheader("Drawing")
    layout = st.segmented_control(
        "Layout", list(LAYOUTS), key="explore_layout", required=True,
        format_func=lambda name: LAYOUT_LABELS[name], persist_state="session",
        help="Force: linked actors pull together. Supplier → recipient tiers: actors that "
             "only supply on top, those that only receive at the bottom, the ones that do "
             "both between. Rings around the focus: the chosen actors in the centre, one "
             "ring per hop. Each gives the same picture for the same graph.",
    )
    picked = []
    for _key, target, label, heading in RULE_PICKERS:
        table = EDGE_PROPERTIES if label in EDGE_PROPERTIES else NODE_PROPERTIES
        choices = [p for p, kind in table[label].items() if target == "color" or kind == NUMBER]
        prop = st.selectbox(
            heading, choices, key=_key, placeholder=DEFAULT_LOOK[_key],
            format_func=lambda p: PROPERTY_NAMES.get(p, p.replace("_", " ")),
            persist_state="session",
            help=f"A styling rule ({target}:{label}.property): the legend under the drawing "
                 "says what the values are and how they are drawn. Clear it for the default.",
        )
        if prop:
            picked.append(make_rule(target, label, prop))
    style = rules_text(picked)

year_from = year_to = None
if years is not None and (years[0] > first_year or years[1] < last_year):
    year_from, year_to = years
chosen = tuple(actors or ())
chosen_statuses = tuple(s for s in STATUS_ORDER if s in (statuses or []))

url_state = {
    "actors": ",".join(chosen),
    "hops": str(hops) if hops != 1 else "",
    "status": ",".join(chosen_statuses) if chosen_statuses != STATUS_ORDER else "",
    "category": ",".join(chosen_categories or []),
    "from": str(year_from) if year_from is not None else "",
    "to": str(year_to) if year_to is not None else "",
    "min_tiv": f"{min_tiv:g}" if min_tiv else "",
    "layout": layout if layout and layout != "force" else "",
    "style": style,
}
url_state = {k: v for k, v in url_state.items() if v}
if url_state != url_now:
    st.query_params.from_dict(url_state)
st.session_state["explore_url"] = url_state

if not chosen:
    st.info("Pick one or more actors in the sidebar to draw their transfers.",
            icon=":material/person_search:")
    st.stop()
if not chosen_statuses:
    st.info("Pick at least one status.", icon=":material/filter_alt:")
    st.stop()

with st.spinner("Querying the neighbourhood…"):
    view = w.guarded(lambda: explore_view(
        db, chosen, int(hops or 1), chosen_statuses, tuple(chosen_categories or ()),
        year_from, year_to, float(min_tiv) if min_tiv else None, str(layout or "force"), style,
    ))

graph = view["graph"]
node_ids = {entity_id(n) for n in graph.nodes}

# --- the selected node -------------------------------------------------------------------
selected = st.session_state.get("explore_selected")
if selected and selected.get("entityId") in node_ids:
    entity = str(selected["entityId"])
    actor = by_id.get(entity)
    name = actor["name"] if actor else entity
    with st.container(border=True):
        info, grow, profile, close = st.columns([4, 2, 2, 1], vertical_alignment="center")
        info.markdown(f"Selected: **{escape_md(name)}** · "
                      f"{escape_md(str(selected.get('label') or 'node'))}")
        if actor:
            grow.button("Expand neighbours", key="explore_expand", icon=":material/add_circle:",
                        on_click=expand, args=(entity,),
                        disabled=entity in chosen or len(chosen) >= MAX_ACTORS,
                        help="Add it to the actors and draw its transfers too.",
                        width="stretch")
            profile.button("Open profile", key="explore_profile", icon=":material/person:",
                           disabled=not HAS_PROFILE, width="stretch", on_click=w.go_to,
                           args=(w.PROFILE_PAGE, {"actor": entity}),
                           help=None if HAS_PROFILE else "The Actor profile page is not "
                           "installed.")
        close.button("", key="explore_unselect", icon=":material/close:",
                     on_click=clear_selection, help="Clear the selection")
else:
    st.caption("Click a node to select it: then expand its neighbours or open its profile.")

# --- the network -------------------------------------------------------------------------
summary = (f"{view['transfers']:,} transfers · {view['notice']} · "
           f"query {view['elapsed_ms']:,.0f} ms")
if view["capped"]:
    st.warning(view["notice"], icon=":material/filter_alt:")
if view["truncated"]:
    st.warning(view["truncated"], icon=":material/content_cut:")
if not graph.nodes:
    st.info("No transfer matches these filters — widen the statuses, categories, years or "
            "TIV.", icon=":material/filter_alt_off:")
# The provenance first: the PNG button paints it under the picture.
provenance = w.provenance_for(db, "explore: actor neighbourhood", view["filters"], [], graph)
w.graph_view(view["html"], key="explore_graph", on_change=remember_click,
             footer=provenance_lines(provenance), png_name="explore-neighbourhood.png")
st.caption(summary)
with st.expander("Legend", expanded=True, icon=":material/info:"):
    w.legend(view["legend"], height=96 + 34 * view["legend_lines"])

# --- the same result as a table, and downloads --------------------------------------------
# Lazy tabs: only the open one is drawn. The Cypher view pulls in the browser's
# syntax highlighter (1.5 MB of script), which would slow down the network's drawing.
arrows, nodes, query = st.tabs(["Transfers (arrows)", "Actors (nodes)", "Query"],
                               key="explore_tab", on_change="rerun")
if arrows.open:
    with arrows:
        table = pd.DataFrame(tables.arrow_rows(graph))
        st.dataframe(table, hide_index=True, width="stretch", placeholder="",
                     column_config={"tiv": st.column_config.NumberColumn("TIV", format="%.1f")})
if nodes.open:
    with nodes:
        st.dataframe(pd.DataFrame(tables.node_rows(graph)), hide_index=True, width="stretch",
                     placeholder="")
if query.open:
    with query:
        st.code(view["cypher"].strip(), language="cypher")
        st.code(json.dumps(view["parameters"], indent=2, ensure_ascii=False), language="json")
w.attribution_line(graph, provenance)
st.markdown("**Download what is drawn** (with the query, filters and sources)")
w.download_buttons(graph, provenance, key="explore", stem="explore-neighbourhood",
                   positions=view["positions"])
save_view_form(db, "explore", url_state)
