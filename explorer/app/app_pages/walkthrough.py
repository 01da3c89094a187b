"""Walkthrough: a new analyst's first twenty minutes, one task per step, each
answer checked against the graph as it is now (explorer/walkthrough/steps.py,
explorer/walkthrough/checks.py; the steps are cypher/walkthrough.yaml).

The step and the progress live in the address (``?step=4&progress=shape:s``)
and in a cookie (explorer/app/walkthrough_state.py): Back, Next, a reload, a
shared link and a later visit all land where the analyst was.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode, urlsplit

import streamlit as st

from explorer.app import cached, tables
from explorer.app import widgets as w
from explorer.app.links import (
    CONSOLE_PAGE,
    SAVED_QUERIES_PAGE,
    SOURCES_PAGE,
    escape_md,
    page_link,
    profile_link,
    query_link_params,
    saved_query_link,
)
from explorer.app.state import get_db
from explorer.app.walkthrough_state import cookie_progress, save_cookie
from explorer.errors import ExplorerError
from explorer.runner import QueryResult
from explorer.walkthrough.checks import Reveal, check_answer, reveal
from explorer.walkthrough.judging import Feedback, console_text, parameter_value, step_parameters
from explorer.walkthrough.progress import (
    SHOWN,
    SKIPPED,
    SOLVED,
    SYMBOLS,
    decode_progress,
    encode_progress,
    first_open,
    record,
    tally,
)
from explorer.walkthrough.steps import Step, check_steps, focus_rows, load_steps, short_cypher

EXPLORE_PAGE = "app_pages/explore.py"
DONE = "done"
STATE_WORDS = {SOLVED: "solved", SHOWN: "answer shown", SKIPPED: "skipped", None: "to do"}


@st.cache_data(ttl=cached.CACHE_TTL_S, show_spinner=False)
def cached_steps() -> list[Step]:
    return load_steps()


@st.cache_data(ttl=cached.CACHE_TTL_S, show_spinner=False, max_entries=32)
def cached_drawing(_db: Any, name: str, params_json: str) -> dict[str, Any]:
    return w.drawing(cached.cached_saved(_db, name, params_json).rows)


def names(kind: str) -> Any:
    return cached.cached_names(db, kind)


# --------------------------------------------------------------------------- progress


def progress() -> dict[str, str]:
    return st.session_state["walkthrough_progress"]


def set_progress(step: Step, state: str) -> None:
    st.session_state["walkthrough_progress"] = record(progress(), step.id, state)


def go_to(number: int | str) -> None:
    st.query_params["step"] = str(number)


def step_number(text: str | None, steps: list[Step], done: dict[str, str]) -> int:
    """``?step=3``, ``?step=sources`` -> 3; ``?step=done`` -> the closing page; no
    step -> the first one not yet done (where a returning analyst left off)."""
    if text is None:
        return first_open(done, steps)
    if text == DONE:
        return len(steps) + 1
    if text.isdigit() and 1 <= int(text) <= len(steps):
        return int(text)
    for number, step in enumerate(steps, start=1):
        if step.id == text:
            return number
    st.warning(f"There is no step {escape_md(text)!s} — showing step 1 (the steps are "
               f"1 to {len(steps)}).", icon=":material/warning:")
    return 1


def load_progress(steps: list[Step]) -> None:
    """The session's progress: from the address when it carries one that this page did
    not write (a shared link, a reload), else kept, else from this browser's cookie."""
    url_text = st.query_params.get("progress")
    known = "walkthrough_progress" in st.session_state
    if url_text is not None and url_text != st.session_state.get("walkthrough_written"):
        st.session_state["walkthrough_progress"] = decode_progress(url_text, steps)
    elif not known:
        st.session_state["walkthrough_progress"] = decode_progress(cookie_progress(), steps)


def write_progress(steps: list[Step], number: int) -> None:
    """The step and the progress into the address, and the progress into the cookie."""
    text = encode_progress(progress(), steps)
    st.query_params["step"] = DONE if number > len(steps) else str(number)
    if text:
        st.query_params["progress"] = text
    elif "progress" in st.query_params:
        del st.query_params["progress"]
    st.session_state["walkthrough_written"] = text
    save_cookie(text)


# --------------------------------------------------------------------------- answers


def feedback_key(step: Step) -> str:
    return f"walkthrough_feedback_{step.id}"


def check(step: Step, answer: str) -> None:
    """Check ``answer`` and keep what it says for the step; a right one solves it."""
    try:
        feedback = check_answer(db, step, answer, catalogue, names=names)
    except ExplorerError as error:
        feedback = Feedback("bad", str(error))
    st.session_state[feedback_key(step)] = feedback
    if feedback.right:
        set_progress(step, SOLVED)


def show_me(step: Step) -> None:
    try:
        st.session_state[feedback_key(step)] = reveal(db, step, catalogue, names=names)
    except ExplorerError as error:
        st.session_state[feedback_key(step)] = Feedback("bad", str(error))
        return
    set_progress(step, SHOWN)


def skip(step: Step, number: int) -> None:
    set_progress(step, SKIPPED)
    go_to(number + 1 if number < len(steps) else DONE)


def show_feedback(step: Step, number: int, total: int) -> None:
    said = st.session_state.get(feedback_key(step))
    if isinstance(said, Reveal):
        st.info(f"**The answer:** {escape_md(said.answer)}. {escape_md(said.why)} "
                "(Marked as shown, not solved.)", icon=":material/visibility:")
        if said.cypher:
            st.code(said.cypher, language="cypher")
    elif isinstance(said, Feedback):
        if said.right:
            st.success(escape_md(said.message), icon=":material/check_circle:")
        elif said.outcome == "wrong":
            st.warning(escape_md(said.message), icon=":material/lightbulb:")
        else:
            st.error("Cannot check that: " + escape_md(said.message), icon=":material/error:")
    if progress().get(step.id) in (SOLVED, SHOWN):
        label = "Next step" if number < total else "Finish: what you learned"
        st.button(label, icon=":material/arrow_forward:", type="primary",
                  key=f"walkthrough_continue_{step.id}", on_click=go_to,
                  args=(number + 1 if number < total else DONE,))


# --------------------------------------------------------------------------- the rows


def run_rows(step: Step) -> QueryResult:
    ref = step.show
    if ref.saved:
        return cached.cached_saved(db, ref.query, json.dumps(ref.params, sort_keys=True))
    return cached.cached_cypher(db, ref.cypher, "{}")


def show_query(step: Step) -> None:
    """A short query in full; a long one behind "Show the Cypher"."""
    ref = step.show
    if ref.saved:
        query = catalogue[ref.query]
        shown = ", ".join(f"{k} = {v}" for k, v in ref.params.items()) or "no parameters"
        st.markdown(f"**Runs** the saved query *{escape_md(query.title)}* "
                    f"(`{ref.query}`) with {escape_md(shown)}.")
        with st.expander("Show the Cypher", icon=":material/code:"):
            st.code(query.cypher.strip(), language="cypher")
    elif short_cypher(ref.cypher):
        st.code(ref.cypher, language="cypher")
    else:
        with st.expander("Show the Cypher", icon=":material/code:"):
            st.code(ref.cypher, language="cypher")


def show_rows(step: Step, result: QueryResult) -> Any:
    """The rows the step talks about in view, the others one click away. Returns the
    clicked node for a network."""
    view = catalogue[step.show.query].view if step.show.saved else None
    w.result_notices(result)
    if not result.rows:
        st.info("The query returned no rows — is the data loaded? (`explorer load seeds`, "
                "`explorer load sipri`)", icon=":material/search_off:")
        return None
    if view is not None and view.kind == "graph" and tables.has_graph(result.rows):
        drawn = w.guarded(lambda: cached_drawing(db, step.show.query,
                                                 json.dumps(step.show.params, sort_keys=True)))
        clicked = w.graph_view(drawn["drawing"], key=f"walkthrough_graph_{step.id}")
        w.node_actions(drawn["graph"], clicked, key=f"walkthrough_node_{step.id}")
        st.caption(drawn["notice"])
        return clicked
    columns = list(view.get("columns") or []) or None if view is not None and \
        view.kind == "table" else None
    chosen = focus_rows(result.rows, step.focus)
    if step.focus and chosen:
        st.caption(f"The {len(chosen):,} row{'s' if len(chosen) != 1 else ''} this step is "
                   f"about, of {len(result.rows):,}; all of them below.")
    tables.result_table(chosen or result.rows, list(step.columns) or columns,
                   key=f"walkthrough_rows_{step.id}")
    if step.focus or step.columns:
        with st.expander(f"All {len(result.rows):,} rows", icon=":material/table:"):
            tables.result_table(result.rows, columns, key=f"walkthrough_all_{step.id}")
    shown = chosen or result.rows
    provenance = w.provenance_for(db, step.show.name, result.parameters, shown)
    w.attribution_line(shown, provenance)
    if step.show.saved:
        w.download_buttons(shown, provenance, key=f"walkthrough_{step.id}",
                           stem=f"walkthrough-{step.id}")
    return None


# --------------------------------------------------------------------------- the task


def task_box(step: Step, number: int, total: int, clicked: Any) -> None:
    task = step.task
    with st.container(border=True, key=f"walkthrough_task_{step.id}"):
        state = progress().get(step.id)
        st.subheader(f"Your task {SYMBOLS[state] if state else ''}".strip(), anchor=False)
        st.markdown(escape_md(task.prompt))
        if task.kind == "node":
            node_task(step, clicked)
        elif task.kind == "console":
            console_task(step)
        elif task.kind == "parameter":
            parameter_task(step)
        else:
            typed_task(step)
        side = st.columns([1, 1, 4])
        side[0].button("Show me", icon=":material/visibility:", key=f"walkthrough_show_{step.id}",
                       on_click=show_me, args=(step,), width="stretch",
                       help="Reveal the answer; the step counts as shown, not solved.")
        side[1].button("Skip", icon=":material/redo:", key=f"walkthrough_skip_{step.id}",
                       on_click=skip, args=(step, number), width="stretch",
                       type="tertiary")
        show_feedback(step, number, total)


def typed_task(step: Step) -> None:
    task = step.task
    with st.form(f"walkthrough_form_{step.id}", border=False):
        if task.kind == "choice":
            st.radio("Your answer", task.choices, index=None, key=f"walkthrough_answer_{step.id}")
        else:
            st.text_input("Your answer", key=f"walkthrough_answer_{step.id}",
                          placeholder=task.placeholder or None)
        if st.form_submit_button("Check", icon=":material/task_alt:", type="primary"):
            answer = st.session_state.get(f"walkthrough_answer_{step.id}")
            check(step, "" if answer is None else str(answer))


def node_task(step: Step, clicked: Any) -> None:
    """A click in the drawing above is the answer; typing its name works too."""
    seen = f"walkthrough_click_{step.id}"
    if clicked and clicked.get("nonce") != st.session_state.get(seen):
        st.session_state[seen] = clicked.get("nonce")
        check(step, str(clicked.get("entityId") or ""))
    with st.form(f"walkthrough_form_{step.id}", border=False):
        st.text_input("Or type its name", key=f"walkthrough_answer_{step.id}",
                      placeholder="a name, alias or id")
        if st.form_submit_button("Check", icon=":material/task_alt:"):
            check(step, str(st.session_state.get(f"walkthrough_answer_{step.id}") or ""))


def console_task(step: Step) -> None:
    """The given query in an editor; Run runs the edited one read-only and checks its
    rows."""
    key = f"walkthrough_cypher_{step.id}"
    st.session_state.setdefault(key, step.task.given)
    with st.form(f"walkthrough_form_{step.id}", border=False):
        st.text_area("Cypher", key=key, height=150,
                     help="Read-only, with a time limit and a row cap: nothing can break.")
        if st.form_submit_button("Run and check", icon=":material/play_arrow:",
                                 type="primary"):
            st.session_state[f"walkthrough_ran_{step.id}"] = st.session_state[key]
            check(step, st.session_state[key])
    ran = st.session_state.get(f"walkthrough_ran_{step.id}")
    if ran:
        try:
            result = cached.cached_cypher(db, ran, "{}")
        except ExplorerError:
            return  # the feedback below says why
        st.caption(f"Your query: {len(result.rows):,} rows")
        tables.result_table(result.rows, key=f"walkthrough_ran_rows_{step.id}")
    page_link(CONSOLE_PAGE, "Try more in the Console", {"cypher": step.task.given},
              icon=":material/terminal:")


def parameter_task(step: Step) -> None:
    """One parameter of the step's saved query, run on Check; the link to the result."""
    task = step.task
    key = f"walkthrough_param_{step.id}"
    st.session_state.setdefault(key, step.show.params.get(task.param, ""))
    with st.form(f"walkthrough_form_{step.id}", border=False):
        st.text_input(task.param.replace("_", " "), key=key,
                      placeholder=task.placeholder or None)
        if st.form_submit_button("Run and check", icon=":material/play_arrow:",
                                 type="primary"):
            value = parameter_value(task, str(st.session_state[key]))
            st.session_state[f"walkthrough_ran_{step.id}"] = value
            check(step, value)
    value = st.session_state.get(f"walkthrough_ran_{step.id}")
    if not value:
        return
    params = {**step.show.params, task.param: value}
    try:
        result = cached.cached_saved(db, step.show.query, json.dumps(params, sort_keys=True))
    except ExplorerError:
        return  # the feedback below says why
    st.caption(f"With {escape_md(task.param)} = {escape_md(value)}: {len(result.rows):,} rows")
    view = catalogue[step.show.query].view
    tables.result_table(result.rows, list(step.columns) or list(view.get("columns") or []) or None
                   if view.kind == "table" else None, key=f"walkthrough_ran_rows_{step.id}")
    link = f"{site()}/saved_queries?" + urlencode(query_link_params(step.show.query, params))
    st.markdown("**The link to share:**")
    st.code(link, language=None)
    saved_query_link(step.show.query, params, label="Open it in Saved queries")


def site() -> str:
    """``http://host:port`` as the browser sees the dashboard ("" without a browser)."""
    address = st.context.url
    if not address:
        return ""
    parts = urlsplit(address)
    return f"{parts.scheme}://{parts.netloc}"


# --------------------------------------------------------------------------- the pages


def navigation(steps: list[Step], number: int) -> None:
    done = progress()
    counts = tally(done)
    total = len(steps)
    where = f"Step {number} of {total}" if number <= total else f"All {total} steps"
    st.progress(min(len(done), total) / total,
                text=f"{where} · {counts[SOLVED]} solved, {counts[SHOWN]} shown, "
                     f"{counts[SKIPPED]} skipped")
    nav = st.columns([1, 1, 4])
    nav[0].button("Back", icon=":material/arrow_back:", disabled=number == 1,
                  on_click=go_to, args=(number - 1,), key="walkthrough_back", width="stretch")
    nav[1].button("Next", icon=":material/arrow_forward:", disabled=number > total,
                  on_click=go_to, args=(number + 1 if number < total else DONE,),
                  key="walkthrough_next", width="stretch")
    options = [*range(1, total + 1), total + 1]

    def label(n: int) -> str:
        if n > total:
            return "What you learned"
        step = steps[n - 1]
        return f"{SYMBOLS[done.get(step.id)]} {n}. {step.title}"

    nav[2].selectbox("Jump to", options, index=number - 1, format_func=label,
                     key=f"walkthrough_jump_{number}", label_visibility="collapsed",
                     on_change=lambda: go_to(_jump_target(st.session_state[
                         f"walkthrough_jump_{number}"], total)))


def _jump_target(n: int, total: int) -> int | str:
    return DONE if n > total else n


def closing_page(steps: list[Step]) -> None:
    done = progress()
    counts = tally(done)
    st.header("What you learned")
    st.markdown(f"**{counts[SOLVED]} of {len(steps)} solved**, {counts[SHOWN]} shown, "
                f"{counts[SKIPPED]} skipped. Each line links back to its step.")
    for number, step in enumerate(steps, start=1):
        state = done.get(step.id)
        cols = st.columns([3, 7])
        cols[0].button(f"{SYMBOLS[state]} {number}. {step.title}", key=f"walkthrough_back_to_"
                       f"{step.id}", on_click=go_to, args=(number,), type="tertiary",
                       help=STATE_WORDS[state])
        cols[1].markdown(escape_md(step.learned))
    st.subheader("Where to go from here")
    used = []
    for step in steps:
        if step.show.saved and step.show.query not in [q for q, _ in used]:
            used.append((step.show.query, step.show.params))
    link_cols = st.columns(2)
    with link_cols[0]:
        st.markdown("**The saved queries the steps used**")
        for name, params in used:
            saved_query_link(name, params, label=catalogue[name].title)
    with link_cols[1]:
        st.markdown("**The pages**")
        page_link(EXPLORE_PAGE, "Explore: the network around any actor", {"actors": "iran"},
                  icon=":material/hub:")
        profile_link("north-korea", "Actor profile: North Korea")
        page_link(SOURCES_PAGE, "Sources: every claim against SIPRI's records", {},
                  icon=":material/menu_book:")
        page_link(SAVED_QUERIES_PAGE, "Saved queries: all of them", {},
                  icon=":material/manage_search:")
        page_link(CONSOLE_PAGE, "Console: your own Cypher", {}, icon=":material/terminal:")
    st.button("Start again", icon=":material/restart_alt:", key="walkthrough_restart",
              on_click=restart)


def restart() -> None:
    st.session_state["walkthrough_progress"] = {}
    for key in list(st.session_state):
        if str(key).startswith(("walkthrough_feedback_", "walkthrough_ran_",
                                "walkthrough_click_")):
            del st.session_state[key]
    go_to(1)


st.title("Walkthrough")
db = get_db()
steps = w.guarded(cached_steps)
catalogue = w.guarded(cached.cached_catalogue)
problems = check_steps(steps, catalogue)
if problems:
    st.error(escape_md(problems[0]) + " — fix cypher/walkthrough.yaml", icon=":material/error:")
    st.stop()
st.caption(f"{len(steps)} steps, about twenty minutes. Each asks you to do something — "
           "answer, click, edit a query — and checks it against the graph as it is now. "
           "Your progress is kept in the address and in this browser.")

load_progress(steps)
number = step_number(st.query_params.get("step"), steps, progress())
navigation(steps, number)
if number > len(steps):
    closing_page(steps)
    write_progress(steps, number)
    st.stop()

step = steps[number - 1]
st.header(f"{number}. {step.title}", anchor=False)
st.markdown(step.explanation)
show_query(step)
try:
    with st.spinner("Running the step's query…"):
        result = run_rows(step)
except ExplorerError as error:
    w.show_error(error)
    write_progress(steps, number)
    st.stop()
st.info(escape_md(step.look_for), icon=":material/visibility:")
clicked = show_rows(step, result)
task_box(step, number, len(steps), clicked)

links = st.columns(2)
if step.show.saved:
    with links[0]:
        saved_query_link(step.show.query, step.show.params,
                         label="Open this step in Saved queries")
if step.console:
    with links[1]:
        # One typed line per parameter (recipient=actor:Russia): the console resolves
        # whatever name is put there, as the saved query does.
        page_link(CONSOLE_PAGE, "Open this step's Cypher in the console",
                  {"cypher": catalogue[step.show.query].cypher,
                   "params": console_text(step_parameters(step, catalogue))},
                  icon=":material/terminal:")
write_progress(steps, number)
