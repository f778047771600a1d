"""Computations a post makes: pure pandas, no store, no network, inputs never mutated.

Names follow one rule: ``to_*`` returns a series or frame, ``calc_*`` a scalar or a small
record. What a post uses:

- returns and ranks: :func:`calc_value_at`, :func:`calc_period_return`,
  :func:`calc_session_count`, :func:`to_cumulative_returns`, :func:`calc_lead`,
  :func:`calc_change`, :func:`to_ranked_returns`, :func:`to_start_of_year_returns`,
  :func:`calc_rank_phrase`;
- price levels and volume: :func:`calc_first_close_above`, :func:`calc_all_time_high`,
  :func:`calc_volume_vs_average`, :func:`calc_drawdown_from_high`;
- the fed funds target: :func:`to_target_range`, :func:`to_fed_target_history`,
  :func:`to_rate_changes`, :func:`calc_consecutive_cuts`, :func:`to_easing_cycle_starts`,
  :func:`to_returns_after`, :func:`to_relative_returns_after`, and the easing-cycle study
  :func:`calc_cycle_study`;
- market breadth: :func:`to_breadth`, :func:`calc_highest_since`, :func:`calc_breadth_claim`;
- the trade since publication: :func:`calc_follow_up`.

A computation that needs data that is not there raises :class:`InsufficientDataError`.

The code behind them, one module per family: :mod:`~analysis.metrics.common` (the rules every
metric follows), :mod:`~analysis.metrics.returns`, :mod:`~analysis.metrics.levels`,
:mod:`~analysis.metrics.fed`, :mod:`~analysis.metrics.events` (returns after event dates),
:mod:`~analysis.metrics.cycle_study`, :mod:`~analysis.metrics.breadth` and
:mod:`~analysis.metrics.follow_up`.
"""

from analysis.metrics.breadth import (
    COVERAGE_THRESHOLD,
    BreadthReading,
    HighestSince,
    calc_breadth_claim,
    calc_highest_since,
    to_breadth,
)
from analysis.metrics.common import InsufficientDataError, Observation
from analysis.metrics.cycle_study import CycleStudy, HorizonSummary, calc_cycle_study
from analysis.metrics.events import to_relative_returns_after, to_returns_after
from analysis.metrics.fed import (
    CutRun,
    calc_consecutive_cuts,
    to_easing_cycle_starts,
    to_fed_target_history,
    to_rate_changes,
    to_target_range,
)
from analysis.metrics.follow_up import FollowUp, calc_follow_up
from analysis.metrics.levels import (
    Drawdown,
    VolumeComparison,
    calc_all_time_high,
    calc_drawdown_from_high,
    calc_first_close_above,
    calc_volume_vs_average,
)
from analysis.metrics.returns import (
    LevelChange,
    RankFacts,
    calc_change,
    calc_lead,
    calc_period_return,
    calc_rank_phrase,
    calc_session_count,
    calc_value_at,
    to_cumulative_returns,
    to_ranked_returns,
    to_start_of_year_returns,
)

__all__ = [
    "COVERAGE_THRESHOLD",
    "BreadthReading",
    "CutRun",
    "CycleStudy",
    "Drawdown",
    "FollowUp",
    "HighestSince",
    "HorizonSummary",
    "InsufficientDataError",
    "LevelChange",
    "Observation",
    "RankFacts",
    "VolumeComparison",
    "calc_all_time_high",
    "calc_breadth_claim",
    "calc_change",
    "calc_consecutive_cuts",
    "calc_cycle_study",
    "calc_drawdown_from_high",
    "calc_first_close_above",
    "calc_follow_up",
    "calc_highest_since",
    "calc_lead",
    "calc_period_return",
    "calc_rank_phrase",
    "calc_session_count",
    "calc_value_at",
    "calc_volume_vs_average",
    "to_breadth",
    "to_cumulative_returns",
    "to_easing_cycle_starts",
    "to_fed_target_history",
    "to_ranked_returns",
    "to_rate_changes",
    "to_relative_returns_after",
    "to_returns_after",
    "to_start_of_year_returns",
    "to_target_range",
]
