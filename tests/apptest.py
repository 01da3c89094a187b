"""What every dashboard test needs to run a page with Streamlit's AppTest against the
test server: point the app at it, open a page through the router, read the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from explorer.config import Settings

MAIN = str(Path(__file__).resolve().parents[1] / "explorer" / "app" / "main.py")


def clear_caches() -> None:
    # One Database per process is the app's rule; each test starts from a fresh one.
    st.cache_resource.clear()
    st.cache_data.clear()


def point_app_at(monkeypatch: pytest.MonkeyPatch, settings: Settings, *,
                 uri: str | None = None, queries_dir: Path | None = None) -> None:
    """The app's connection settings for ``settings`` (or another ``uri``), and its
    saved-query folder (the shipped catalogue unless ``queries_dir``)."""
    monkeypatch.setenv("NEO4J_URI", uri or settings.uri)
    monkeypatch.setenv("NEO4J_USERNAME", settings.username)
    monkeypatch.setenv("NEO4J_PASSWORD", settings.password or "")
    monkeypatch.setenv("NEO4J_DATABASE", settings.database)
    if queries_dir is None:
        monkeypatch.delenv("EXPLORER_QUERIES_DIR", raising=False)
    else:
        monkeypatch.setenv("EXPLORER_QUERIES_DIR", str(queries_dir))
    clear_caches()


def open_page(page: str, **query_params: str) -> AppTest:
    """Run the router on ``app_pages/<page>`` with ``query_params`` in the address."""
    at = AppTest.from_file(MAIN, default_timeout=120)
    at.query_params.update(query_params)
    at.switch_page(f"app_pages/{page}")
    return at.run()


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def unescaped(text: str) -> str:
    """Markdown escapes removed: ``North Korea\\'s`` reads ``North Korea's``."""
    return re.sub(r"\\(.)", r"\1", text)


def page_text(at: AppTest) -> str:
    """Everything the page wrote, Markdown escapes removed."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [h.value for h in (*at.title, *at.header, *at.subheader)]
    parts += [str(m.label) + " " + str(m.value) for m in at.metric]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    parts += [df.value.to_csv(index=False) for df in at.dataframe]
    parts += [t.value.to_csv(index=False) for t in at.table]
    return unescaped("\n".join(parts))
