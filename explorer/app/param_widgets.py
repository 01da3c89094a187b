"""A saved query's parameters as widgets, and back: the text in the address, the
widget's initial state, the console's parameter box."""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from explorer.page_queries import explore
from explorer.queries import Param, SavedQuery

# --------------------------------------------------------------------------- parameters


def to_text(param: Param, value: Any) -> str:
    """A widget value as URL text that ``convert_params`` reads back."""
    if value is None:
        return ""
    if param.is_list:
        return json.dumps([v for v in value], ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and param.type == "int":
        return str(int(value))
    return str(value)


def param_widget(
    param: Param,
    *,
    key: str,
    choices: Sequence[tuple[Any, str]] | None = None,
    suggestions: Sequence[Mapping[str, Any]] | None = None,
) -> Any:
    """One input for a declared parameter; its state lives under ``key`` (seed it
    with ``initial_state`` before the first call). Returns a value for ``convert_params``.

    ``choices`` are (value, label) pairs (declared choices or a choices_query);
    ``suggestions`` are graph entities ``{id, name, aliases}`` for actor and
    weapon-system parameters.
    """
    label = param.name.replace("_", " ")
    help_text = param.help or None
    kind = param.type
    if param.choices is not None and choices is None:
        choices = [(c, str(c)) for c in param.choices]

    if param.is_list and choices is not None:
        labels = dict(choices)
        return st.multiselect(label, [c for c, _ in choices], key=key, help=help_text,
                              format_func=lambda v: labels.get(v, str(v)))
    if choices is not None:
        labels = dict(choices)
        return st.selectbox(label, [c for c, _ in choices], key=key, help=help_text,
                            format_func=lambda v: labels.get(v, str(v)),
                            placeholder="any" if param.optional else "choose")
    if kind in ("actor", "weapon_system") and suggestions is not None:
        names = [str(s.get("name")) for s in suggestions if s.get("name")]
        extra = st.session_state.get(key)
        if isinstance(extra, str) and extra and extra not in names:
            names.insert(0, extra)
        labels = {str(s.get("name")): explore.actor_label(s) for s in suggestions}
        return st.selectbox(label, names, key=key, help=help_text,
                            format_func=lambda v: labels.get(v, v), accept_new_options=True,
                            placeholder="type a name, alias or id")
    if kind == "int":
        return st.number_input(label, key=key, help=help_text, step=1,
                               min_value=param.min, max_value=param.max)
    if kind == "float":
        return st.number_input(label, key=key, help=help_text,
                               min_value=_float(param.min), max_value=_float(param.max))
    if kind == "bool":
        return st.toggle(label, key=key, help=help_text)
    placeholder = {
        "date": "YYYY, YYYY-MM or YYYY-MM-DD",
        "list": "comma-separated",
        "list[int]": "comma-separated numbers",
        "list[float]": "comma-separated numbers",
    }.get(kind, "")
    return st.text_input(label, key=key, help=help_text, placeholder=placeholder or None)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def initial_state(param: Param, text: str | None,
                  choices: Sequence[tuple[Any, str]] | None = None) -> Any:
    """The widget state for ``param`` from URL text (or its default when None)."""
    value: Any = param.default if text is None else _from_text(param, text)
    if param.choices is not None and choices is None:
        choices = [(c, str(c)) for c in param.choices]
    if param.is_list:
        items = list(value or [])
        if choices is not None:
            allowed = [c for c, _ in choices]
            return [v for v in items if v in allowed]
        return ", ".join(str(v) for v in items)
    if choices is not None:
        allowed = [c for c, _ in choices]
        return value if value in allowed else None
    if param.type in ("int", "float") and value is not None:
        # A link may carry a value outside the bounds; the input would refuse it.
        number = int(value) if param.type == "int" else float(value)
        if param.min is not None:
            number = max(number, param.min)
        if param.max is not None:
            number = min(number, param.max)
        return number
    if param.type in ("int", "float"):
        return None
    if param.type == "bool":
        return bool(value)
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return "" if value is None else str(value)


def _from_text(param: Param, text: str) -> Any:
    """URL text -> a Python value for the widget, leniently (a bad value gives the default)."""
    from explorer.errors import ParameterError
    from explorer.queries import convert_params

    probe = SavedQuery(name="url", path="", title="", params=(
        Param(name=param.name, type=param.type, optional=True),
    ))
    try:
        return convert_params(probe, {param.name: text})[param.name]
    except ParameterError:
        return param.default


def parse_params_text(text: str) -> dict[str, Any]:
    """Console parameters: a JSON object, or ``name=value`` lines whose values are
    read as JSON when they parse (``2``, ``true``, ``["a", "b"]``) and as text otherwise."""
    from explorer.errors import ParameterError

    text = text.strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            loaded = json.loads(text)
        except ValueError as error:
            raise ParameterError(f"the parameters are not valid JSON ({error})") from None
        if not isinstance(loaded, dict):
            raise ParameterError("the parameters must be a JSON object")
        return loaded
    params: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, value = line.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ParameterError(
                f"parameter line {number} must be written name=value, e.g. actor=north-korea"
            )
        value = value.strip()
        try:
            params[name] = json.loads(value)
        except ValueError:
            params[name] = value
    return params
