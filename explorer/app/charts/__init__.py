"""The dashboard's Altair charts, one concern per module:

- ``palette``: status colours, labels and dashes (from the graph drawing's styles);
- ``data``: rows to DataFrames, short labels;
- ``bars``: bar and line charts (saved-query views, deliveries, transfers by year);
- ``timelines``: the Timeline page's lanes and a saved query's timeline view;
- ``maps``: the Map page's flow map and a saved query's map view, on Natural Earth's
  country outlines (``explorer.geo``);
- ``provenance``: the sources footer every chart carries (kept in a saved PNG).

Everything is drawn from the rows and the package's own files: no tiles, fonts or
remote data, so the charts work offline. Text from the graph reaches Vega-Lite as data,
never as markup.
"""

from explorer.app.charts.bars import (
    BAR_STEP_PX,
    bar_chart,
    deliveries_chart,
    line_chart,
    transfers_by_year,
)
from explorer.app.charts.maps import flow_map, map_chart
from explorer.app.charts.palette import status_label, status_scale
from explorer.app.charts.provenance import footer_lines, with_footer
from explorer.app.charts.timelines import rows_timeline, timeline_chart, timeline_frames

__all__ = [
    "BAR_STEP_PX", "bar_chart", "deliveries_chart", "flow_map", "footer_lines", "line_chart",
    "map_chart", "rows_timeline", "status_label", "status_scale", "timeline_chart",
    "timeline_frames", "transfers_by_year", "with_footer",
]
