"""Every chart names its sources inside itself, so a PNG saved from the chart's menu
(vega-embed's "Save as PNG") still says where its data comes from.

The footer is the chart's title, set at the bottom: "Sources: <titles>" and the
attribution lines their owners ask for — SIPRI's "Source: SIPRI Arms Transfers Database
(c) SIPRI" whenever SIPRI data is drawn (``explorer.attribution.attribution_lines``, the
same wording as the exports' provenance in ``explorer.graph_export``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import altair as alt

from explorer.attribution import attribution_lines

MAX_TITLES = 3

SIPRI_DATASET = {"title": "SIPRI Arms Transfers Database", "publisher": "SIPRI"}
"""The SIPRI dataset as a source entry, for charts that know only that SIPRI rows are
drawn (its attribution line follows from ``publisher``)."""

Chart = TypeVar("Chart", alt.Chart, alt.LayerChart, alt.HConcatChart, alt.VConcatChart)


def footer_lines(sources: Iterable[Mapping[str, Any]]) -> list[str]:
    """"Sources: a; b; c and N more" and each attribution line, once."""
    sources = list(sources)
    titles = list(dict.fromkeys(str(s.get("title") or s.get("id")) for s in sources))
    lines = []
    if titles:
        shown = "; ".join(titles[:MAX_TITLES])
        if len(titles) > MAX_TITLES:
            shown += f" and {len(titles) - MAX_TITLES} more"
        lines.append(f"{'Source' if len(titles) == 1 else 'Sources'}: {shown}")
    lines.extend(attribution_lines(sources))
    return lines


def with_footer(chart: Chart, lines: Iterable[str], title: str | None = None) -> Chart:
    """``chart`` with ``lines`` printed under it, as part of the chart itself; with a
    ``title``, the title on top and the lines under the title (a chart has one title)."""
    lines = [line for line in lines if line]
    if not lines and title is None:
        return chart
    text = title if title is not None else lines[0]
    subtitle = lines if title is not None else lines[1:]
    return chart.properties(title=alt.TitleParams(
        text=text, subtitle=subtitle, orient="bottom" if title is None else "top",
        anchor="start", fontSize=11 if title is None else 13,
        fontWeight="normal" if title is None else "bold", color="#555555" if title is None
        else "#1a1a1a", subtitleColor="#555555", subtitleFontSize=11,
        offset=8,
    ))
