"""Series colours that share a chart stay apart for readers with red-green colour blindness.

Each chart's colours are simulated as a reader with deuteranopia or protanopia sees them
(Machado, Oliveira and Fernandes 2009, severity 1.0: full dichromacy, the strongest case;
``colorspacious`` implements the published matrices), and every pair must keep a colour
difference of at least ``MIN_DELTA_E`` in CAM02-UCS, in normal vision too. One unit is about
one just-noticeable difference between large patches; thin lines need many more.

Only charts where colour tells series apart are checked. Bar charts name each bar on
their axis (ranked returns, returns against a benchmark, breadth), so there colour only
repeats the series' colour from the other charts. Lines are also labelled at their ends,
but lines cross and overlap in the middle of a chart, where only colour separates them.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

colorspacious = pytest.importorskip("colorspacious", reason="pip install -e .[test] brings it")

from analysis.charts import colors  # noqa: E402
from analysis.charts.fed import HORIZON_STYLES  # noqa: E402
from analysis.data.settings import load_research_settings  # noqa: E402

MIN_DELTA_E = 10.0
VISIONS = {
    "normal vision": None,
    "deuteranopia": {"name": "sRGB1+CVD", "cvd_type": "deuteranomaly", "severity": 100},
    "protanopia": {"name": "sRGB1+CVD", "cvd_type": "protanomaly", "severity": 100},
}


def _rgb(color: str) -> np.ndarray:
    return np.array([int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)])


def seen_as(color: str, vision: str) -> np.ndarray:
    """The sRGB colour a reader with ``vision`` perceives, clipped to the gamut."""
    space = VISIONS[vision]
    rgb = _rgb(color)
    if space is None:
        return rgb
    return np.clip(colorspacious.cspace_convert(rgb, space, "sRGB1"), 0, 1)


def difference(first: str, second: str, vision: str) -> float:
    """CAM02-UCS colour difference of two colours as a reader with ``vision`` sees them."""
    return float(
        colorspacious.deltaE(seen_as(first, vision), seen_as(second, vision), input_space="sRGB1")
    )


def _series(*symbols: str) -> list[str]:
    return [colors.color_for(symbol) for symbol in symbols]


# The colours each chart draws side by side.
CHARTS = {
    # plot_cumulative_returns and plot_since_publication in the first post.
    "index returns": _series("^RUT", "^GSPC", "^IXIC"),
    # The new-post template's chart: the benchmarks every new post is compared against.
    "new post benchmarks": _series(*load_research_settings().benchmarks),
    # plot_fed_target: the target range and the cuts marked on it.
    "fed target and cuts": [colors.FED, colors.CUT_COLOR],
    # plot_cycle_study: one colour per horizon (each also hatched).
    "cycle study horizons": [color for color, _ in HORIZON_STYLES],
    # plot_start_of_year_ranking: the year in question against every other year.
    "start-of-year ranking": [colors.color_for("^RUT"), colors.NEUTRAL_COLOR],
    # plot_price_with_level: the close against the dashed price level.
    "price and level": [colors.color_for("IWM"), colors.TEXT_COLOR],
}


def _encode(linear: list[float]) -> np.ndarray:
    """sRGB's transfer function, for hand-computed answers."""
    value = np.clip(np.array(linear), 0, 1)
    return np.where(value <= 0.0031308, 12.92 * value, 1.055 * value ** (1 / 2.4) - 0.055)


def test_the_simulation_applies_machados_published_matrices():
    # Machado et al. 2009, severity 1.0: pure red maps to the first column of each matrix
    # (in linear RGB), pure green to the second.
    np.testing.assert_allclose(
        seen_as("#FF0000", "deuteranopia"), _encode([0.367322, 0.280085, -0.011820]), atol=2e-3
    )
    np.testing.assert_allclose(
        seen_as("#00FF00", "protanopia"), _encode([1.052583, 0.786281, -0.048116]), atol=2e-3
    )
    # Greys are seen as they are.
    np.testing.assert_allclose(seen_as("#808080", "protanopia"), _rgb("#808080"), atol=0.01)


def test_red_and_green_fall_together_and_blue_and_yellow_stay_apart():
    assert difference("#3C7FC9", "#3C7FC9", "deuteranopia") == pytest.approx(0.0, abs=1e-9)
    red, green = "#D0454C", "#4C9A2A"
    for vision in ("deuteranopia", "protanopia"):
        assert difference(red, green, vision) < difference(red, green, "normal vision") / 2
        assert difference("#3C7FC9", "#B8860B", vision) > 30


@pytest.mark.parametrize("vision", list(VISIONS))
@pytest.mark.parametrize("chart", list(CHARTS))
def test_colours_sharing_a_chart_stay_distinguishable(chart, vision):
    colours = CHARTS[chart]
    too_close = [
        f"{a} and {b}: {difference(a, b, vision):.1f}"
        for a, b in itertools.combinations(dict.fromkeys(colours), 2)
        if difference(a, b, vision) < MIN_DELTA_E
    ]
    assert too_close == [], f"{chart}, {vision}"
