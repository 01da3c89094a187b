"""Rows → the DataFrames the charts draw, and the short texts they print."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from explorer.labels import year_span


def frame(rows: Sequence[Mapping[str, Any]], columns: Sequence[str | None]) -> pd.DataFrame:
    """The named columns of ``rows`` as a DataFrame (missing columns are empty;
    lists are joined so a chart can show them)."""
    wanted = [c for c in dict.fromkeys(columns) if c]
    data = {c: [_scalar(row.get(c)) for row in rows] for c in wanted}
    return pd.DataFrame(data, columns=wanted)


def _scalar(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Mapping):
        props = value.get("properties")
        if isinstance(props, Mapping):
            return props.get("name") or props.get("title") or props.get("id")
        return str(value)
    return value


def is_quantitative(series: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(series))


def looks_like_dates(series: pd.Series) -> bool:
    sample = series.dropna().astype(str).head(20)
    return bool(len(sample)) and bool(sample.str.match(r"^\d{4}(-\d{2}){0,2}").all())


def iso_start(value: Any) -> str | None:
    """A date at year or month precision ("2024", "2024-04") as its first day."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) == 4 and text.isdigit():
        return f"{text}-01-01"
    if len(text) == 7 and text[4] == "-":
        return f"{text}-01"
    return text[:10]


def short_label(value: Any, limit: int = 34) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_list(items: Sequence[Any], limit: int = 6) -> str:
    shown = [str(i) for i in items[:limit]]
    if len(items) > limit:
        shown.append(f"… and {len(items) - limit} more")
    return ", ".join(shown)


def flow_years(first: Any, last: Any) -> str:
    """A flow's years (``explorer.labels.year_span``), or why it has none."""
    return year_span(first, last) or "no years (a claim)"
