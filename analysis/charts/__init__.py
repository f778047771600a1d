"""Charts in the house style, each with its alt text and the data it plots.

Every ``plot_*`` function takes frames from :mod:`analysis.metrics` and returns a
:class:`Chart` ``(figure, alt_text, data)``. What a post uses:

- the plots: :func:`plot_cumulative_returns`, :func:`plot_since_publication`,
  :func:`plot_ranked_returns`, :func:`plot_returns_vs_benchmark`,
  :func:`plot_start_of_year_ranking`, :func:`plot_price_with_level`,
  :func:`plot_fed_target`, :func:`plot_cycle_study`, :func:`plot_breadth` (with
  :func:`survivorship_note`);
- saving: :func:`save_chart` (SVG, CSV and the figure's Markdown), :func:`save_preview`
  (the listing picture), :func:`source_line` (the "Source: ...; data as of" line),
  :func:`save_plotted_csv` (a table's data as CSV);
- names and colours: :func:`label_for`, :func:`color_for`, :data:`LABELS`,
  :data:`SERIES_COLORS`, and :func:`contrast_ratio` to check a colour of one's own;
- a chart of one's own: :func:`house_style`, :func:`new_figure`, :func:`finish`,
  :class:`Chart`, and the axis helpers :func:`percent_axis`, :func:`date_axis`,
  :func:`zero_line`, :func:`level_line`.

Importing this package changes no global matplotlib setting: the style applies only while
a chart is built.

Where things are: :mod:`analysis.charts.colors` (colours and names of series),
:mod:`analysis.charts.style` (the style, the figure, axis helpers, drawing the source line),
:mod:`analysis.charts.saving` (``Chart``, SVG, CSV, preview, wording the source line), and one
module per family of plots: :mod:`~analysis.charts.returns` (lines over time),
:mod:`~analysis.charts.rankings` (ranked bars), :mod:`~analysis.charts.prices`,
:mod:`~analysis.charts.fed`, :mod:`~analysis.charts.breadth`. Each ``plot_*`` there is three
steps a new chart can copy: ``_shape_*`` makes the frame to plot (the CSV a reader
downloads), ``_draw_*`` draws it on the axes, ``_describe_*`` writes the alt text from it.
"""

from analysis.charts.breadth import plot_breadth, survivorship_note
from analysis.charts.colors import (
    CUT_COLOR,
    FALLBACK_COLORS,
    LABELS,
    NEUTRAL_COLOR,
    SERIES_COLORS,
    TEXT_COLOR,
    color_for,
    contrast_ratio,
    label_for,
)
from analysis.charts.fed import HORIZON_STYLES, plot_cycle_study, plot_fed_target
from analysis.charts.prices import plot_price_with_level
from analysis.charts.rankings import (
    plot_ranked_returns,
    plot_returns_vs_benchmark,
    plot_start_of_year_ranking,
)
from analysis.charts.returns import plot_cumulative_returns, plot_since_publication
from analysis.charts.saving import Chart, save_chart, save_plotted_csv, save_preview, source_line
from analysis.charts.style import (
    date_axis,
    finish,
    house_style,
    level_line,
    new_figure,
    percent_axis,
    zero_line,
)

__all__ = [
    "CUT_COLOR",
    "FALLBACK_COLORS",
    "HORIZON_STYLES",
    "LABELS",
    "NEUTRAL_COLOR",
    "SERIES_COLORS",
    "TEXT_COLOR",
    "Chart",
    "color_for",
    "contrast_ratio",
    "date_axis",
    "finish",
    "house_style",
    "label_for",
    "level_line",
    "new_figure",
    "percent_axis",
    "plot_breadth",
    "plot_cumulative_returns",
    "plot_cycle_study",
    "plot_fed_target",
    "plot_price_with_level",
    "plot_ranked_returns",
    "plot_returns_vs_benchmark",
    "plot_since_publication",
    "plot_start_of_year_ranking",
    "save_chart",
    "save_plotted_csv",
    "save_preview",
    "source_line",
    "survivorship_note",
    "zero_line",
]
