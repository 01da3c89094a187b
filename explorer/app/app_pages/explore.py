"""Explore: an actor's arms-transfer neighbourhood as a network, filtered, clickable."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from explorer.app import cached, tables
from explorer.app import widgets as w
from explorer.app.exploring import RELATION_KEYS, explore_view, explored
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
    display_name,
    legend_html,
    make_rule,
    parse_rules,
    rule_scales,
    rules_legend_html,
    rules_text,
)
from explorer.graph import exploration as xp
from explorer.graph.page import drawing_payload
from explorer.graph.rules import EDGE_PROPERTIES, NODE_PROPERTIES, NUMBER, PROPERTY_NAMES
from explorer.graph_export import provenance_lines
from explorer.page_queries import neighbours as nb
from explorer.page_queries.explore import (
    MAX_HOPS,
    ExploreFilters,
    actor_label,
    resolve_actors,
)

HAS_PROFILE = w.has_page("profile")
DEFAULT_ACTORS = ("north-korea",)
# Each actor added keeps the earlier drawing's positions (one cached drawing per
# step), so the list is bounded: a long link cannot make the page recurse without end.
MAX_ACTORS = 12
URL_KEYS = ("actors", "hops", "status", "category", "from", "to", "min_tiv", "layout", "style",
            "x")
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
    # The exploration steps: a link without them draws no exploration.
    steps, problems = xp.parse_steps(url.get("x", ""), RELATION_KEYS)
    if problems:
        st.warning("Ignored from the link's exploration (x): " + escape_md("; ".join(problems))
                   + ".", icon=":material/warning:")
    state["explore_steps"] = [step.token for step in steps]


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
st.session_state.setdefault("explore_steps", [])
for _key, _, _, _ in RULE_PICKERS:
    st.session_state.setdefault(_key, None)
if first_year is not None and last_year is not None:
    st.session_state.setdefault("explore_years", (first_year, last_year))
# A stale value (the graph was reloaded) would make the widget refuse to render.
st.session_state["explore_actors"] = [a for a in st.session_state["explore_actors"] if a in by_id]


# --- click to act ------------------------------------------------------------------------
def remember_click() -> None:
    st.session_state["explore_selected"] = st.session_state.get("explore_graph")


def add_step(step: xp.Step) -> None:
    st.session_state["explore_steps"] = [*st.session_state.get("explore_steps", []),
                                         step.token][: xp.MAX_STEPS]


def undo() -> None:
    st.session_state["explore_steps"] = list(st.session_state.get("explore_steps", []))[:-1]


def reset_exploration() -> None:
    st.session_state["explore_steps"] = []


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
    "x": xp.steps_text(xp.parse_steps(",".join(st.session_state["explore_steps"]),
                                      RELATION_KEYS)[0]),
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

base = (chosen, int(hops or 1), chosen_statuses, tuple(chosen_categories or ()),
        year_from, year_to, float(min_tiv) if min_tiv else None, str(layout or "force"))
tokens = tuple(st.session_state["explore_steps"])
with st.spinner("Querying the neighbourhood…"):
    view = w.guarded(lambda: explore_view(db, *base))
    state = w.guarded(lambda: explored(db, base, tokens))
if state["ignored"]:
    # Said once, then dropped from the address: the link now reproduces what is drawn.
    st.warning("Ignored from the exploration: " + escape_md(", ".join(
        f"step {t!r}" for t in state["ignored"])) + " — its node is not in the drawing "
        "(unknown id, hidden or filtered out).", icon=":material/warning:")
    st.session_state["explore_steps"] = [t for t in tokens if t not in state["ignored"]]
    url_state["x"] = ",".join(st.session_state["explore_steps"])
    url_state = {k: v for k, v in url_state.items() if v}
    st.query_params.from_dict(url_state)
    st.session_state["explore_url"] = url_state
for notice in state["notices"]:
    st.warning(escape_md(notice), icon=":material/filter_alt:")

hidden = set(state["hidden"])
graph = xp.restrict(state["graph"], [n["id"] for n in state["graph"].nodes
                                     if n["id"] not in hidden])
positions = state["positions"]
by_ref = {xp.ref_of(n): n for n in graph.nodes}
filters = ExploreFilters(*base[:7])


@st.cache_data(ttl=cached.CACHE_TTL_S, show_spinner=False, max_entries=128)
def relation_counts(_db: Any, label: str, node_id: str, filters: ExploreFilters
                    ) -> list[tuple[str, str, str, int]]:
    """(key, plural, "23 suppliers", count) for each relation of the node."""
    return [(c.relation.key, c.relation.many, c.text, c.count)
            for c in nb.neighbour_counts(_db, label, node_id, filters)]


def relation_buttons(ref: xp.NodeRef) -> None:
    """One button per relation with its count; once expanded, '+N more' and collapse."""
    counts = w.guarded(lambda: relation_counts(db, ref.label, ref.id, filters))
    steps = xp.parse_steps(",".join(tokens), RELATION_KEYS)[0]
    columns = st.columns(max(1, len(counts)))
    for column, (key, many, text, count) in zip(columns, counts, strict=True):
        probe = [*steps, xp.Step("e", ref, key)]
        pages = xp.pages_before(probe, len(probe) - 1)
        drawn_count = min(count, pages * nb.EXPAND_PAGE)
        with column:
            if not pages:
                st.button(text, key=f"explore_rel_{key}", icon=":material/add_circle:",
                          disabled=count == 0, width="stretch",
                          on_click=add_step, args=(xp.Step("e", ref, key),),
                          help=f"Add its {many} to the drawing (the first "
                               f"{nb.EXPAND_PAGE}, by TIV then transfers; nothing drawn moves).")
                continue
            st.caption(f"{text}: {drawn_count:,} drawn")
            more = count - drawn_count
            if more > 0:
                st.button(f"+{more:,} more", key=f"explore_more_{key}",
                          icon=":material/unfold_more:", width="stretch",
                          on_click=add_step, args=(xp.Step("e", ref, key),),
                          help=f"Draw the next {min(more, nb.EXPAND_PAGE)} {many}.")
            st.button(f"Collapse {many}", key=f"explore_collapse_{key}",
                      icon=":material/unfold_less:", width="stretch",
                      on_click=add_step, args=(xp.Step("c", ref, key),),
                      help="Take away what this expansion added (pinned nodes stay).")


# --- the selected node -------------------------------------------------------------------
selected = st.session_state.get("explore_selected")
selected_ref = None
if selected and selected.get("entityId") and selected.get("label"):
    selected_ref = xp.NodeRef(str(selected["label"]), str(selected["entityId"]))
if selected_ref is not None and selected_ref in by_ref:
    entity = selected_ref.id
    actor = by_id.get(entity) if selected_ref.label == "Actor" else None
    node = by_ref[selected_ref]
    name = actor["name"] if actor else display_name(node)
    is_pinned = node["id"] in state["pinned"]
    with st.container(border=True):
        info, grow, profile, pin, hide, close = st.columns([3, 2.6, 2, 1.3, 1.3, 0.6],
                                                           vertical_alignment="center")
        info.markdown(f"Selected: **{escape_md(name)}** · {escape_md(selected_ref.label)}")
        if actor:
            grow.button("Expand neighbours", key="explore_expand", icon=":material/add_circle:",
                        on_click=expand, args=(entity,),
                        disabled=entity in chosen or len(chosen) >= MAX_ACTORS,
                        help="Add it to the actors and draw all its transfers too.",
                        width="stretch")
            profile.button("Open profile", key="explore_profile", icon=":material/person:",
                           disabled=not HAS_PROFILE, width="stretch", on_click=w.go_to,
                           args=(w.PROFILE_PAGE, {"actor": entity}),
                           help=None if HAS_PROFILE else "The Actor profile page is not "
                           "installed.")
        pin.button("Unpin" if is_pinned else "Pin", key="explore_pin",
                   icon=":material/push_pin:", width="stretch",
                   on_click=add_step, args=(xp.Step("p", selected_ref),),
                   help="A pinned node is fixed in place: it cannot be dragged, and "
                        "collapsing leaves it drawn.")
        hide.button("Hide", key="explore_hide", icon=":material/visibility_off:",
                    width="stretch", on_click=add_step, args=(xp.Step("h", selected_ref),),
                    help="Take it off the drawing (Undo brings it back).")
        close.button("", key="explore_unselect", icon=":material/close:",
                     on_click=clear_selection, help="Clear the selection")
        if selected_ref.label in RELATION_KEYS:
            st.markdown("**Neighbours** — click to add them to the drawing:")
            relation_buttons(selected_ref)
else:
    st.caption("Click any node to select it: its neighbours by kind are offered with their "
               "counts, to add to the drawing; pin, hide, or open its profile.")

# --- the network -------------------------------------------------------------------------
if tokens:
    added = sum(len(ids) for ids in state["added"].values())
    note, back, reset = st.columns([6, 1.2, 1.6], vertical_alignment="center")
    note.caption(f"Exploration: {len(tokens)} step{'s' if len(tokens) != 1 else ''} · "
                 f"{added:,} nodes added · {len(hidden):,} hidden · "
                 f"{len(state['pinned']):,} pinned — kept in the address.")
    back.button("Undo", key="explore_undo", icon=":material/undo:", on_click=undo,
                width="stretch", help=f"Take back the last step ({tokens[-1]}).")
    reset.button("Reset exploration", key="explore_reset", icon=":material/restart_alt:",
                 on_click=reset_exploration, width="stretch",
                 help="Back to the neighbourhood of the chosen actors.")
summary = (f"{view['transfers']:,} transfers · {view['notice']} · "
           f"query {view['elapsed_ms']:,.0f} ms")
if tokens:
    summary += f" · with the exploration: {len(graph.nodes):,} nodes drawn"
if view["capped"]:
    st.warning(view["notice"], icon=":material/filter_alt:")
if view["truncated"]:
    st.warning(view["truncated"], icon=":material/content_cut:")
if not graph.nodes:
    st.info("No transfer matches these filters — widen the statuses, categories, years or "
            "TIV.", icon=":material/filter_alt_off:")
rules = parse_rules(style)
scales = rule_scales(graph, rules)
replaced = ["width"] if any(r.target == "width" for r in rules) else []
drawing = drawing_payload(graph, positions, rules=rules, pinned=state["pinned"])
# The provenance first: the PNG button paints it under the picture.
provenance_params = {**view["filters"], **({"exploration": list(tokens)} if tokens else {})}
provenance = w.provenance_for(db, "explore: actor neighbourhood", provenance_params, [], graph)
# One scene per base view: expanding, hiding and pinning update the drawing in place.
scene = json.dumps([list(chosen), base[1:]], default=str)
w.graph_view(drawing, key="explore_graph", on_change=remember_click, scene=scene,
             footer=provenance_lines(provenance), png_name="explore-neighbourhood.png")
st.caption(summary)
with st.expander("Legend", expanded=True, icon=":material/info:"):
    w.legend(legend_html(replaced=replaced) + rules_legend_html(scales),
             height=96 + 34 * len(rules))

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
                   positions=positions)
save_view_form(db, "explore", url_state)
