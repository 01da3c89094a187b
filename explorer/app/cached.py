"""The briefly cached query runs the pages share.

Cached functions take the Database as ``_db`` (not hashed: there is one per
process) and plain, hashable arguments. A failing run raises instead of
returning, so nothing is cached and the page recovers by itself once Neo4j
is back.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import streamlit as st

from explorer import attribution
from explorer.db import Database
from explorer.errors import QueryError
from explorer.page_queries import explore
from explorer.queries import SavedQuery, load_catalogue
from explorer.runner import QueryResult, run_cypher, run_saved

CACHE_TTL_S = 60


# --------------------------------------------------------------------------- cached runs


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def cached_actor_options(_db: Database) -> list[dict[str, Any]]:
    return explore.actor_options(_db)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def cached_categories(_db: Database) -> list[str]:
    return explore.categories(_db)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def cached_year_bounds(_db: Database) -> tuple[int | None, int | None]:
    return explore.year_bounds(_db)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def cached_data_range(_db: Database) -> explore.DataRange:
    return explore.data_range(_db)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False, max_entries=64)
def cached_source_lookup(
    _db: Database, keys: tuple[tuple[str, str], ...]
) -> tuple[dict[tuple[str, str], list[str]], dict[str, dict[str, Any]]]:
    return attribution.lookup_sources(_db, keys)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False, max_entries=32)
def cached_cypher(_db: Database, cypher: str, params_json: str) -> QueryResult:
    return run_cypher(_db, cypher, json.loads(params_json))


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False, max_entries=64)
def cached_saved(_db: Database, name: str, params_json: str) -> QueryResult:
    query = cached_catalogue().get(name) or cached_team_queries(_db).get(name)
    if query is None:  # deleted by a colleague since the page listed it
        raise QueryError(f"no saved query {name!r} any more: pick another")
    # Names resolve against the cached tables (read once a minute, not per run).
    return run_saved(_db, query, json.loads(params_json),
                     names=lambda kind: cached_names(_db, kind))


@st.cache_data(ttl=10, show_spinner=False)
def cached_catalogue() -> dict[str, SavedQuery]:
    # A short ttl: a new or edited .cypher file shows up without a restart.
    return load_catalogue()


@st.cache_data(ttl=10, show_spinner=False)
def cached_team_queries(_db: Database) -> dict[str, SavedQuery]:
    """The queries saved in the database that parse (explorer/saved.py), tagged
    ``saved``; a built-in query's name is never among them."""
    from explorer.saved import saved_queries

    builtin = cached_catalogue()
    return {q.name: dataclasses.replace(q.query, tags=(*q.query.tags, "saved"))
            for q in saved_queries(_db) if q.query is not None and q.name not in builtin}


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def cached_choices(_db: Database, choices_query: str) -> list[tuple[Any, str]]:
    """(value, label) pairs from a parameter's ``choices_query``."""
    result = run_cypher(_db, choices_query, {}, label="choices")
    pairs = []
    for row in result.rows:
        value = row.get("value")
        label = row.get("label", value)
        pairs.append((value, "" if label is None else str(label)))
    return pairs


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def cached_weapon_options(_db: Database) -> list[dict[str, Any]]:
    result = run_cypher(
        _db,
        "MATCH (w:WeaponSystem) RETURN w.id AS id, w.name AS name, "
        "coalesce(w.aliases, []) AS aliases ORDER BY toLower(w.name), w.id",
        {}, label="choices:weapons", row_cap=100_000,
    )
    return result.rows


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def cached_names(_db: Database, kind: str) -> Any:
    """The name table explorer.resolve checks typed names against ("actor",
    "weapon_system"): read once a minute, not on every resolution."""
    from explorer.resolve import fetch_names

    return fetch_names(_db, kind)


