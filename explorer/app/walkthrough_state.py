"""Where a browser's walkthrough progress lives: the page's address
(``?step=4&progress=shape:s,find-actor:h``) and a cookie, so a reload, a shared
link and a later visit all come back to it — no accounts.

The router asks ``opens_walkthrough`` whether a visit is a browser's bare first
one (the site's root, no parameters, no progress cookie): only that visit opens
the walkthrough instead of Home; every deep link opens the page it names.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import quote, unquote

import streamlit as st

from explorer.walkthrough.steps import PROGRESS_COOKIE

COOKIE_MAX_AGE_S = 365 * 24 * 3600
# The cookie's value before any step is done: the walkthrough was opened.
STARTED = "started"
_VISITED_KEY = "app_first_run_done"


def cookie_progress() -> str | None:
    """The progress text this browser's cookie held when the session began; None
    when it has none (a first visit). The cookie is read at connection time."""
    try:
        cookies: Mapping[str, str] = st.context.cookies
    except Exception:  # no browser behind this run (a script run on its own)
        return None
    value = cookies.get(PROGRESS_COOKIE)
    return None if value is None else unquote(value)


def save_cookie(progress_text: str) -> None:
    """Keep ``progress_text`` in this browser for a year (a tiny script: Streamlit
    cannot set cookies itself). Rendered only when the value changes."""
    value = quote(progress_text or STARTED, safe="")
    script = (f"<script>document.cookie = {json.dumps(PROGRESS_COOKIE + '=' + value)} + "
              f"'; path=/; max-age={COOKIE_MAX_AGE_S}; SameSite=Lax';</script>")
    st.html(script, unsafe_allow_javascript=True)


def opens_walkthrough(url_path: str) -> bool:
    """True for a browser's bare first visit: the first run of the session, on the
    default page at the site's root, no query parameters, no progress cookie.

    ``url_path`` is the page the router chose ("" for the default page). A page
    run without a browser (tests) has no address and never redirects."""
    first = not st.session_state.get(_VISITED_KEY)
    st.session_state[_VISITED_KEY] = True
    if not first or url_path != "" or st.query_params.to_dict():
        return False
    try:
        address = st.context.url
    except Exception:
        return False
    return address is not None and cookie_progress() is None
