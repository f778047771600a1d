"""The build's pre-render step, through the command line Quarto runs."""

from textwrap import dedent

import pandas as pd
import pytest
import yaml

from analysis import cli
from analysis.data.store import Store
from analysis.testing.fake_yahoo import make_ohlcv

HEADLINE = dedent("""\
    from analysis.metrics.returns import calc_period_return

    def compute_title(store):
        close = store.read("^RUT")["close"]
        change = calc_period_return(close, "2026-01-02", "2026-01-09") * 100
        return f"Small caps move {change:+.1f}% in a week"
""")


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder with one post declaring ^RUT, and a store holding it."""
    post = tmp_path / "posts" / "2026-01-10-a-week"
    post.mkdir(parents=True)
    (post / "index.qmd").write_text('---\ndate: 2026-01-10\nseries: ["^RUT"]\n---\n\nText.\n')
    (post / "headline.py").write_text(HEADLINE)
    data = tmp_path / "data"
    store = Store(data)
    # closes 100, 100.5, ... on the sessions from 2026-01-02: 2026-01-09 is the 6th session
    store.write("^RUT", make_ohlcv("2026-01-02", 10), source="test fixture")
    monkeypatch.setenv("ANALYSIS_DATA_DIR", str(data))
    monkeypatch.setenv("ANALYSIS_OFFLINE", "1")
    return tmp_path


def test_offline_prerender_writes_the_computed_title_and_build_time(project, capsys):
    code = cli.main(["prerender", "--posts-dir", str(project / "posts")])
    out, err = capsys.readouterr()
    assert code == 0, err
    metadata = yaml.safe_load(
        (project / "posts" / "2026-01-10-a-week" / "_metadata.yml").read_text()
    )
    assert metadata == {"title": "Small caps move +2.5% in a week"}  # 102.5 / 100 - 1
    assert "title of 2026-01-10-a-week: Small caps move +2.5% in a week" in out
    assert "build-time" in yaml.safe_load((project / "_variables.yml").read_text())


def test_a_series_missing_offline_is_a_warning_for_the_render_and_an_error_for_fetch(
    project, capsys
):
    qmd = project / "posts" / "2026-01-10-a-week" / "index.qmd"
    qmd.write_text(qmd.read_text().replace('["^RUT"]', '["^RUT", "IWM"]'))
    code = cli.main(["prerender", "--posts-dir", str(project / "posts")])
    _, err = capsys.readouterr()
    assert code == 0  # the post itself falls back visibly, or fails naming IWM
    assert err.strip().splitlines() == [
        "warning: IWM: not in the store, and offline mode fetches nothing"
    ]
    assert (project / "posts" / "2026-01-10-a-week" / "_metadata.yml").exists()

    code = cli.main(["fetch", "--for-posts", "--posts-dir", str(project / "posts")])
    _, err = capsys.readouterr()
    assert code == 1
    assert err.strip().splitlines() == [
        "error: IWM: not in the store, and offline mode fetches nothing"
    ]


def test_a_failing_headline_is_one_line_naming_the_file(project, capsys):
    (project / "posts" / "2026-01-10-a-week" / "headline.py").write_text(
        "def compute_title(store):\n    return store.read('^RUT')['close'].iloc[0] and ''\n"
    )
    code = cli.main(["prerender", "--posts-dir", str(project / "posts")])
    _, err = capsys.readouterr()
    assert code == 1
    assert "headline.py: compute_title must return a non-empty string" in err


def test_fetch_for_posts_reports_universes_without_failing(project, capsys):
    qmd = project / "posts" / "2026-01-10-a-week" / "index.qmd"
    qmd.write_text(
        qmd.read_text().replace('series: ["^RUT"]', 'series: ["^RUT"]\nuniverses: [IWM]')
    )
    code = cli.main(["fetch", "--for-posts", "--posts-dir", str(project / "posts")])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "universe IWM: not refreshed:" in out


def test_unknown_universe_is_rejected(project, capsys):
    qmd = project / "posts" / "2026-01-10-a-week" / "index.qmd"
    qmd.write_text(
        qmd.read_text().replace('series: ["^RUT"]', 'series: ["^RUT"]\nuniverses: [SPY]')
    )
    code = cli.main(["prerender", "--posts-dir", str(project / "posts")])
    _, err = capsys.readouterr()
    assert code == 1
    assert "universe SPY: not a fund this site knows" in err
    assert "under 'funds:' in research.yml" in err


@pytest.mark.parametrize(
    "command",
    [["prerender"], ["fetch", "--for-posts"]],
    ids=["prerender", "fetch-for-posts"],
)
def test_a_series_staler_than_the_limit_stops_the_build(project, monkeypatch, capsys, command):
    # Offline, the stored ^RUT is served as it is: fetched ten days ago, it lags the
    # sessions that closed since (at least five).
    _age_the_store(project, days=10)
    monkeypatch.setenv("ANALYSIS_MAX_STALE_SESSIONS", "4")
    code = cli.main([*command, "--posts-dir", str(project / "posts")])
    _, err = capsys.readouterr()
    assert code == 1
    assert err.startswith("error: ^RUT: last refreshed ")
    assert "limit 4)" in err
    monkeypatch.setenv("ANALYSIS_MAX_STALE_SESSIONS", "100")
    code = cli.main([*command, "--posts-dir", str(project / "posts")])
    assert code == 0, capsys.readouterr().err


def _age_the_store(project, *, days):
    """Rewrite ^RUT as if it had been fetched ``days`` days ago."""
    store = Store(project / "data")
    then = (pd.Timestamp.now(tz="UTC") - pd.Timedelta(days=days)).floor("s").isoformat()
    store.write("^RUT", store.read("^RUT"), source="test fixture", fetched_at=then)


def test_a_missing_required_series_stops_the_build_in_one_line(project, capsys):
    qmd = project / "posts" / "2026-01-10-a-week" / "index.qmd"
    qmd.write_text(qmd.read_text().replace('["^RUT"]', '["^RUT", "IWM"]\nrequired: ["IWM"]'))
    code = cli.main(["prerender", "--posts-dir", str(project / "posts")])
    _, err = capsys.readouterr()
    assert code == 1
    assert err.strip().splitlines() == [
        "warning: IWM: not in the store, and offline mode fetches nothing",
        "error: 2026-01-10-a-week requires IWM, which is not in the data store: run "
        "`python -m analysis fetch IWM` or import a CSV for it",
    ]
    # Stopped before the titles: nothing of the render was prepared.
    assert not (project / "posts" / "2026-01-10-a-week" / "_metadata.yml").exists()


def test_a_required_series_that_ends_before_the_window_stops_the_build(project, capsys):
    qmd = project / "posts" / "2026-01-10-a-week" / "index.qmd"
    # The store's ^RUT has 10 sessions from 2 January: its last bar is 15 January 2026.
    window = "window: {base: 2026-01-02, as-of: 2026-01-16}\nrequired: ['^RUT']\n"
    qmd.write_text(qmd.read_text().replace("date: 2026-01-10\n", f"date: 2026-01-17\n{window}"))
    code = cli.main(["prerender", "--posts-dir", str(project / "posts")])
    _, err = capsys.readouterr()
    assert code == 1
    assert err.strip().splitlines() == [
        "error: 2026-01-10-a-week requires ^RUT up to its window's as-of date 2026-01-16, but "
        "the stored series ends on 2026-01-15: run `python -m analysis fetch ^RUT` or import "
        "a CSV that reaches that date"
    ]


def test_a_required_series_that_covers_the_window_lets_the_build_go_on(project, capsys):
    qmd = project / "posts" / "2026-01-10-a-week" / "index.qmd"
    window = "window: {base: 2026-01-02, as-of: 2026-01-15}\nrequired: ['^RUT']\n"
    qmd.write_text(qmd.read_text().replace("date: 2026-01-10\n", f"date: 2026-01-17\n{window}"))
    code = cli.main(["prerender", "--posts-dir", str(project / "posts")])
    _, err = capsys.readouterr()
    assert code == 0, err
