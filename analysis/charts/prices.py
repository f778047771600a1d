"""Charts of price levels: a close against a level, over its volume.

Like every ``plot_*``, the function takes series from the store (or :mod:`analysis.metrics`)
and returns a :class:`~analysis.charts.saving.Chart` with alt text and the plotted data.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.ticker as mticker
import numpy as np
import pandas as pd

from analysis.charts.colors import TEXT_COLOR, color_for, label_for
from analysis.charts.saving import Chart
from analysis.charts.style import (
    FIGSIZE,
    alt_date,
    column_bars,
    date_axis,
    finish,
    house_style,
    level_line,
    new_figure,
)

__all__ = ["plot_price_with_level"]


def plot_price_with_level(
    close: pd.Series,
    volume: pd.Series,
    level: float,
    *,
    symbol: str = "IWM",
    start=None,
    end=None,
    volume_window: int = 20,
    level_label: str | None = None,
    labels: Mapping[str, str] | None = None,
    source: str | None = None,
    title: str | None = None,
    figsize=FIGSIZE,
) -> Chart:
    """Closing price with a horizontal level, over daily volume and its moving average.

    The average is computed on the whole ``volume`` series before cutting to
    ``start``..``end``, so the first days shown already have a full window; zero volumes
    count as missing. ``level_label`` defaults to ``"$250"`` style.
    """
    frame = _shape_price_with_level(close, volume, level, start, end, volume_window)
    name = label_for(symbol, labels)
    level_text = level_label or f"${level:,.0f}"
    with house_style():
        fig, (ax, vax) = new_figure(
            figsize, nrows=2, sharex=True, gridspec_kw={"height_ratios": [3, 1]}
        )
        _draw_price_with_level(
            ax, vax, frame, level, level_text, name, color_for(symbol), volume_window
        )
        finish(fig, source, title)
    alt = _describe_price_with_level(frame, level, level_text, name, volume_window)
    return Chart(fig, alt, frame)


def _shape_price_with_level(close, volume, level, start, end, volume_window) -> pd.DataFrame:
    """Close, volume, its moving average and the level, over the sessions shown."""
    vol = volume.astype(float).where(volume > 0)
    average = vol.rolling(volume_window, min_periods=volume_window).mean()
    frame = pd.DataFrame({"close": close.astype(float), "volume": vol, "volume_avg": average})
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    frame = frame.loc[lo:hi]
    frame = frame.dropna(subset=["close"])
    frame["level"] = float(level)
    return frame


def _draw_price_with_level(ax, vax, frame, level, level_text, name, color, volume_window):
    """Top: the close and a dashed line at the level. Bottom: volume bars and the average."""
    ax.plot(frame.index, frame["close"].to_numpy(), color=color, label=f"{name} close")
    level_line(ax, level, level_text)
    ax.yaxis.set_major_formatter(mticker.StrMethodFormatter("${x:,.0f}"))
    ax.set_ylabel(f"{name} close")
    ax.margins(y=0.12)
    column_bars(vax, frame.index, frame["volume"].to_numpy() / 1e6, color=color, alpha=0.6)
    vax.plot(
        frame.index,
        frame["volume_avg"].to_numpy() / 1e6,
        color=TEXT_COLOR,
        linewidth=1.5,
        label=f"{volume_window}-day average",
    )
    vax.set_ylabel("Volume (m)")
    vax.legend(loc="upper left", fontsize=8)
    date_axis(vax)


def _describe_price_with_level(frame, level, level_text, name, volume_window) -> str:
    """Sessions above the level (and the first), the last close, the last session's volume."""
    above = frame["close"] > level
    first_above = frame.index[above.to_numpy()][0] if above.any() else None
    last = frame.iloc[-1]
    alt = (
        f"Two-panel chart. Top: {name} closing price from {alt_date(frame.index[0])} to "
        f"{alt_date(frame.index[-1])} with a dashed line at {level_text}; it closed above "
        f"{level_text} on {int(above.sum())} of {len(frame)} sessions"
        + (f", first on {alt_date(first_above)}" if first_above is not None else "")
        + f", and last closed at ${last['close']:,.2f}. Bottom: daily volume with its "
        f"{volume_window}-day average."
    )
    if np.isfinite(last["volume"]) and np.isfinite(last["volume_avg"]):
        pct = (last["volume"] / last["volume_avg"] - 1) * 100
        direction = "above" if pct >= 0 else "below"
        alt += f" The last session's volume was {abs(pct):.0f}% {direction} the average."
    return alt
