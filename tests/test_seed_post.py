"""The seed post: it runs offline from a store, prints what the metrics compute, and says what
it cannot show.

The post is copied to a temporary folder before it runs, because running it writes its
charts and their CSV files next to it. One execution per store is shared by the tests.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from conftest import REFERENCE_FILES, reference_folder
from python_reprs import reprs_in, shown_outputs

from analysis.claims import format_value
from analysis.data.frontmatter import read_front_matter
from analysis.data.load import load_column, load_series
from analysis.data.settings import PROJECT_ROOT
from analysis.data.store import Store
from analysis.metrics.fed import (
    calc_consecutive_cuts,
    to_easing_cycle_starts,
    to_fed_target_history,
    to_rate_changes,
)
from analysis.metrics.levels import (
    calc_drawdown_from_high,
    calc_first_close_above,
    calc_volume_vs_average,
)
from analysis.metrics.returns import (
    calc_period_return,
    calc_rank_phrase,
    calc_session_count,
    to_start_of_year_returns,
)
from analysis.site.notebook import execute_post
from analysis.testing.fixture_store import (
    AS_OF,
    BASE,
    FIXTURE_SOURCE,
    IWM_WEEK_VOLUME_RATIO,
    SPECS,
    build_fixture_store,
)

SLUG = "2026-01-18-small-caps-lead"
POST_DIR = PROJECT_ROOT / "posts" / SLUG
POST = POST_DIR / "index.qmd"
SECTOR_FUNDS = ["PSCF", "PSCI", "PSCH", "PSCE", "PSCT", "PSCD", "PSCC", "PSCM", "PSCU"]
# What the reference data lacks, plus FRED's WTI so the post falls back on the future.
MISSING = [*SECTOR_FUNDS, "KRE", "GOOGL", "TSLA", "fred:DFEDTAR", "fred:DHHNGSP"]
MISSING_WITH_WTI = [*MISSING, "fred:DCOILWTICO"]
CHARTS = [
    "window-returns",
    "start-of-year",
    "iwm-level-volume",
    "mega-caps",
    "fed-target",
    "small-cap-sectors",
    "cutting-cycles",
    "breadth",
    "since-publication",
]


def pct(fraction: float) -> str:
    return format_value(100 * fraction, "%", 1)


def copy_post(folder: Path) -> Path:
    """The post's own files in a fresh folder with the post's name."""
    target = folder / SLUG
    target.mkdir(parents=True)
    for name in ("index.qmd", "headline.py"):
        shutil.copy2(POST_DIR / name, target / name)
    return target / "index.qmd"


def offline(store_root: Path) -> dict[str, str]:
    return {"ANALYSIS_OFFLINE": "1", "ANALYSIS_DATA_DIR": str(store_root)}


def printed(executed) -> str:
    """Everything the cells printed or displayed as text or Markdown."""
    parts = []
    for cell in executed.notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "stream":
                parts.append(output["text"])
            parts.append(output.get("data", {}).get("text/markdown", ""))
    return "\n".join(parts)


def stderr_of(executed) -> str:
    return "".join(
        output["text"]
        for cell in executed.notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stderr"
    )


def load_headline():
    spec = importlib.util.spec_from_file_location("seed_headline", POST_DIR / "headline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- shared fixtures ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    return build_fixture_store(tmp_path_factory.mktemp("fixture") / "data")


@pytest.fixture(scope="module")
def run(tmp_path_factory, store):
    path = copy_post(tmp_path_factory.mktemp("post"))
    return execute_post(path, env=offline(store.root)), path.parent


@pytest.fixture(scope="module")
def executed(run):
    return run[0]


@pytest.fixture(scope="module")
def inline(executed) -> dict[str, str]:
    return executed.inline_values


@pytest.fixture(scope="module")
def partial_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("partial") / "data"
    build_fixture_store(root, omit=MISSING_WITH_WTI, universe=False)
    path = copy_post(tmp_path_factory.mktemp("partial-post"))
    return execute_post(path, env=offline(root)), path.parent


# -- the fixture store --------------------------------------------------------------------


def test_fixture_store_holds_every_series_the_post_declares(store):
    declared = read_front_matter(POST)["series"]
    assert set(declared) <= set(store.symbols())
    assert {store.provenance(s).source for s in declared} == {FIXTURE_SOURCE}


def test_fixture_store_pins_the_window_to_its_specs(store):
    closes = load_column(["^RUT", "^GSPC", "NVDA"], store=store)
    for symbol in closes:
        assert closes[symbol].loc[BASE] == pytest.approx(SPECS[symbol].base_close)
        assert calc_period_return(closes[symbol], BASE, AS_OF) == pytest.approx(
            SPECS[symbol].window_return, abs=1e-12
        )
    assert load_series("^RUT", store=store).index[0] == pd.Timestamp("1987-09-10")
    iwm = load_series("IWM", store=store)
    assert calc_first_close_above(iwm["close"], 250) == pd.Timestamp("2026-01-12")
    volume = calc_volume_vs_average(iwm["volume"], AS_OF)
    assert volume.ratio == pytest.approx(IWM_WEEK_VOLUME_RATIO)


def test_fixture_store_fed_target_gives_the_known_cycles(store):
    fed = load_column(["fred:DFEDTAR", "fred:DFEDTARU", "fred:DFEDTARL"], store=store)
    history = to_fed_target_history(fed["fred:DFEDTAR"], fed["fred:DFEDTARU"], fed["fred:DFEDTARL"])
    starts = to_easing_cycle_starts(history["upper"])
    assert [d.date().isoformat() for d in starts.index] == [
        "1995-07-06",
        "1998-09-29",
        "2001-01-03",
        "2007-09-18",
        "2019-08-01",
        "2024-09-19",
    ]
    run = calc_consecutive_cuts(to_rate_changes(history["upper"]), AS_OF)
    assert (run.count, run.level_after) == (3, 3.75)


def test_fixture_store_is_deterministic(tmp_path, store):
    keep = ["^RUT", "IWM", "fred:DFEDTARU", "NVDA"]
    omit = [s for s in store.symbols() if s not in keep]
    again = build_fixture_store(tmp_path / "again", omit=omit, universe=False)
    assert again.symbols() == sorted(keep)
    for symbol in keep:
        assert again.provenance(symbol).checksum == store.provenance(symbol).checksum


# -- the post on a complete store ---------------------------------------------------------


def test_post_runs_offline_without_errors(executed):
    assert executed.errors() == []
    assert executed.unrendered_inline() == []
    assert stderr_of(executed) == ""


def test_no_value_shows_as_its_python_repr(executed):
    assert [r for text in shown_outputs(executed) for r in reprs_in(text)] == []


def test_window_returns_are_what_the_metrics_compute(inline, store):
    closes = load_column(["^RUT", "^GSPC", "^IXIC"], store=store)
    returns = {s: calc_period_return(closes[s], BASE, AS_OF) for s in closes}
    assert inline['pct(returns["^RUT"])'] == pct(returns["^RUT"])
    assert inline["large_caps_text"] == (
        f"The S&P 500 added {pct(returns['^GSPC'])} and the Nasdaq Composite "
        f"{pct(returns['^IXIC'])}, so small caps finished the stretch 5.0 pp ahead of the "
        "first and 5.5 pp ahead of the second."
    )
    # And the fixture's known answers.
    assert inline['pct(returns["^RUT"])'] == "6.5%"
    assert "S&P 500 added 1.5% and the Nasdaq Composite 1.0%" in inline["large_caps_text"]
    assert inline["sessions"] == str(calc_session_count(closes["^RUT"], BASE, AS_OF)) == "11"
    assert inline["long_date(WINDOW.base)"] == "31 December 2025"
    assert inline["long_date(WINDOW.as_of)"] == "16 January 2026"


def test_start_of_year_rank_is_what_the_metrics_compute(inline, store):
    rut = load_column(["^RUT"], store=store)["^RUT"]
    facts = calc_rank_phrase(to_start_of_year_returns(rut, 11), 2026)
    assert inline["rank.phrase"] == facts.phrase
    assert inline["rank.rank"] == str(facts.rank)
    assert inline["rank.count"] == str(facts.count)
    assert inline["rank.first_year"] == "1988"


def test_iwm_figures_are_what_the_metrics_compute(executed, store):
    iwm = load_series("IWM", store=store)
    text = printed(executed)
    close = format_value(iwm["close"].loc[AS_OF], "$", 2)
    assert f"(IWM) closed at {close} on 16 January 2026" in text
    assert "the first close above it came on 12 January 2026." in text
    volume = calc_volume_vs_average(iwm["volume"], AS_OF)
    assert f"was {volume.week_average / 1e6:.1f} million shares, 20.0% above the average" in text
    assert "above $250 on 5 of the window's 11 sessions" in text  # 12 to 16 January


def test_mega_cap_figures_are_what_the_metrics_compute(inline, store):
    closes = load_column(["AAPL", "MSFT", "NVDA"], store=store)
    text = inline["mega_text"]
    apple = pct(calc_period_return(closes["AAPL"], BASE, AS_OF))
    assert text.startswith(f"Over the window Apple returned {apple}, Microsoft -1.5%, Amazon ")
    drawdown = calc_drawdown_from_high(closes["NVDA"], "2025-12-01", "2025-12-31", AS_OF)
    assert f"Nvidia closed {pct(-drawdown.drawdown)} below its highest December close" in text
    assert "against 1.5% for the S&P 500; 6 of the 7 names in the store trailed" in text


def test_fed_figures_are_what_the_metrics_compute(executed):
    assert (
        "On 16 January 2026 the federal funds target range stood at 3.50–3.75%, after 3 "
        "consecutive cuts of 25 basis points on 18 September 2025, 30 October 2025 and "
        "11 December 2025: 75 basis points in all."
    ) in printed(executed)


def test_energy_and_cycle_study_use_the_full_history(executed, inline):
    assert inline["oil_text"] == "$74.46 a barrel on 16 January 2026, up 4.0% from $71.60"
    assert "WTI spot price from FRED (DCOILWTICO)" in inline["energy_series_text"]
    text = printed(executed)
    assert "shows 6 easing cycles since 1990, beginning on 6 July 1995," in text
    assert "19 September 2024. Measured from the close" in text
    assert re.search(r"after twelve \(\d of 6\)", text)


def test_claims_table_checks_every_published_claim(executed, inline):
    claims = read_front_matter(POST)["claims"]
    table = "\n".join(executed.outputs_of_type("text/markdown"))
    rows = {line.split(" | ")[0].lstrip("| "): line for line in table.splitlines()}
    shown = {c["id"]: c["claim"].replace("$", "\\$") for c in claims}  # $ is escaped
    for claim_id, text in shown.items():
        assert text in rows, claim_id
    by_id = {claim_id: rows[text] for claim_id, text in shown.items()}
    assert "contradicted" in by_id["rut_return"]  # 6.5% in the fixture, 5.8% published
    assert "tolerance ±0.2 pp" in by_id["rut_return"]
    assert "holds" in by_id["small_caps_lead"]
    assert "holds" in by_id["iwm_first_close_above_250"]  # the fixture crosses that week
    assert "holds" in by_id["sectors_financials_industrials_lead"]
    counts = [int(inline[f'verdicts["{v}"]']) for v in ("holds", "contradicted")]
    assert sum(counts) + int(inline['verdicts["cannot be checked"]']) == len(claims)
    assert inline["len(checked)"] == str(len(claims))


FIGURE = re.compile(r'!\[(.*?)\]\(figures/([\w-]+)\.svg\)\{#(fig-[\w-]+) fig-alt="([^"]+)"\}')


def test_every_chart_has_alt_text_and_its_data(run):
    executed, folder = run
    figures = FIGURE.findall(printed(executed))
    assert [stem for _, stem, _, _ in figures] == CHARTS
    for caption, stem, _, alt in figures:
        assert f"[Download the data (CSV)](figures/{stem}.csv)" in caption
        assert len(alt) > 40
        assert (folder / "figures" / f"{stem}.svg").is_file()
        assert len(pd.read_csv(folder / "figures" / f"{stem}.csv")) > 0
    assert (folder / "preview.png").is_file()


def test_cited_figures_are_marked_and_attributed(executed, inline):
    cited = read_front_matter(POST)["cited"]
    for item in cited:
        shown = inline[f'cite["{item["figure"]}"]']
        assert shown.startswith(f"[{item['value']}^†^]")
        assert "not verified by this site" in shown and "BurningTheta" in shown
    table = printed(executed)
    assert table.count("† cited, not verified by this site") == len(cited)


def test_since_publication_follows_the_trade_to_the_latest_bar(executed, store):
    rut = load_column(["^RUT"], store=store)["^RUT"]
    since = calc_period_return(rut, AS_OF, "2026-03-31")  # the fixture's last bar
    text = printed(executed)
    assert "From the close of 16 January 2026 to 31 March 2026" in text
    assert f"the Russell 2000 returned {pct(since)}" in text


def test_the_computed_title_follows_the_data(inline, store):
    title = load_headline().compute_title(store)
    assert title == "Small Caps Lead 2026 as Russell 2000 Jumps 6.5% YTD"
    assert inline["page_title"] == title


@pytest.mark.parametrize(
    ("small", "large", "title"),
    [
        (0.0789, [0.0138, 0.0118], "Small Caps Lead 2026 as Russell 2000 Jumps 7.9% YTD"),
        (0.021, [0.030, 0.010], "Small Caps Trail 2026 as Russell 2000 Gains 2.1% YTD"),
        (-0.0004, [-0.01, -0.02], "Small Caps Lead 2026 as Russell 2000 Is Flat YTD"),
        (-0.012, [0.0, 0.01], "Small Caps Trail 2026 as Russell 2000 Slips 1.2% YTD"),
        (-0.08, [-0.02, -0.03], "Small Caps Trail 2026 as Russell 2000 Tumbles 8.0% YTD"),
        # Without both large-cap indices the title claims neither a lead nor a trail.
        (0.065, [], "Small Caps in 2026: Russell 2000 Jumps 6.5% YTD"),
    ],
)
def test_title_wording(small, large, title):
    assert load_headline().compose_title(2026, small, large) == title


def test_prose_types_no_numbers():
    """Every number in the prose is an inline expression (names like "S&P 500" aside)."""
    text = POST.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    prose = re.sub(r"(?ms)^(`{3,})\{python[^}]*\}.*?^\1\s*$", "", text)
    prose = re.sub(r"`\{python\}[^`]*`", "", prose)
    for name in ("Russell 2000", "S&P 500", "SmallCap 600", "200-day", "20-day"):
        prose = prose.replace(name, "")
    assert [line for line in prose.splitlines() if re.search(r"\d", line)] == []


# -- the post on a store that lacks some series -------------------------------------------


def test_missing_series_are_named_instead_of_failing(partial_run):
    assert partial_run[0].unrendered_inline() == []
    executed, folder = partial_run
    assert executed.errors() == []
    text = printed(executed)
    assert "Series this build does not have" in text
    assert executed.inline_values["mega_text"].endswith(
        "Alphabet (GOOGL) and Tesla (TSLA) are not in this build's data store. The counts "
        "above cover the others."
    )
    assert "this section cannot rank small-cap sectors" in text
    assert "Breadth cannot be checked in this build" in text
    assert "no IWM holdings file" in text
    charts = re.findall(r"\]\(figures/([\w-]+)\.svg\)", text)
    assert charts == [c for c in CHARTS if c not in ("small-cap-sectors", "breadth")]
    assert not (folder / "figures" / "small-cap-sectors.csv").exists()


def test_missing_series_make_their_claims_uncheckable(partial_run):
    executed, _ = partial_run
    table = "\n".join(executed.outputs_of_type("text/markdown"))
    for claim in ("Financials and industrials lead", "Health care lags", "200-day average"):
        row = next(line for line in table.splitlines() if claim in line)
        assert "cannot be checked" in row
    assert executed.inline_values['verdicts["cannot be checked"]'] == "4"


def test_the_cycle_study_says_which_cycles_the_range_alone_covers(partial_run):
    executed, _ = partial_run
    text = printed(executed)
    assert "only runs from 16 December 2008" in text
    assert "(FRED's single target rate, DFEDTAR, which covers the years before" in text
    assert "2 easing cycles, beginning on 1 August 2019 and 19 September 2024." in text


def test_energy_falls_back_on_the_future(partial_run):
    inline = partial_run[0].inline_values
    assert inline["energy_series_text"].startswith("the front-month WTI future (CL=F)")
    assert inline["oil_text"].startswith("$74.60 a barrel")  # CL=F: 71.8 * 1.039


# -- reference data (opt-in) --------------------------------------------------------------


def raw_close(path: Path, day: str) -> float:
    """The Close on one date, read from the CSV itself rather than through the store."""
    frame = pd.read_csv(path)
    frame.columns = [c.lower() for c in frame.columns]
    return float(frame.loc[frame["date"].astype(str).str[:10] == day, "close"].iloc[0])


@pytest.fixture(scope="module")
def reference_run(reference_store, tmp_path_factory):
    path = copy_post(tmp_path_factory.mktemp("reference-post"))
    return execute_post(path, env=offline(reference_store)), Store(reference_store)


@pytest.mark.reference_data
def test_reference_russell_return_matches_the_raw_csv(reference_run):
    executed, _ = reference_run
    assert executed.errors() == []
    csv = reference_folder() / REFERENCE_FILES["^RUT"]
    raw = raw_close(csv, "2026-01-16") / raw_close(csv, "2025-12-31") - 1
    assert f"{raw:.1%}" == "7.9%"
    assert executed.inline_values['pct(returns["^RUT"])'] == f"{raw:.1%}"


@pytest.mark.reference_data
def test_reference_claims_check_contradicts_the_headline(reference_run):
    executed, store = reference_run
    table = "\n".join(executed.outputs_of_type("text/markdown"))
    row = next(line for line in table.splitlines() if "Jumps 5.8% YTD" in line)
    assert "| 5.8% | 7.9% |" in row and "✗ contradicted" in row
    title = load_headline().compute_title(store)
    assert title == "Small Caps Lead 2026 as Russell 2000 Jumps 7.9% YTD"
    assert executed.inline_values["page_title"] == title
    assert "cannot reach back to 1990" in printed(executed)


# -- rendering with Quarto ----------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(site):
    """The post's page in the whole-site render every page test shares (``site``)."""
    post = next(p for p in site.posts if p.folder == SLUG)
    return post.page, post.page.read_text(encoding="utf-8"), site.log


class _Images(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.images: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


@pytest.mark.quarto
def test_render_shows_the_computed_title(rendered):
    _, html, _ = rendered
    title = re.search(r'<h1 class="title">(.*?)</h1>', html, re.S).group(1).strip()
    assert title == "Small Caps Lead 2026 as Russell 2000 Jumps 6.5% YTD"


@pytest.mark.quarto
def test_render_has_every_figure_with_alt_text_and_its_data(rendered):
    page, html, _ = rendered
    parser = _Images()
    parser.feed(html)
    charts = [img for img in parser.images if img.get("src", "").endswith(".svg")]
    assert [img["src"] for img in charts] == [f"figures/{c}.svg" for c in CHARTS]
    for img in charts:
        assert len(img.get("alt") or "") > 40, img["src"]
        assert (page.parent / img["src"]).is_file()
        csv = img["src"].replace(".svg", ".csv")
        assert f'href="{csv}"' in html and (page.parent / csv).is_file()


@pytest.mark.quarto
def test_render_has_the_claims_table_and_no_error_output(rendered):
    _, html, log = rendered
    assert "The article’s published figures against the data in this build." in html
    assert html.count('class="verdict-') >= len(read_front_matter(POST)["claims"])
    shown = re.sub(r"(?s)<pre.*?</pre>", "", html)  # the page without its folded code
    for bad in ("Traceback", "cell-output-error", "{python}", "np.int64", "np.float64"):
        assert bad not in shown, bad
    plain = re.sub(r"\x1b\[[0-9;]*m", "", log)
    assert [line for line in plain.splitlines() if line.startswith("WARN")] == []


# -- breadth read as of the window ---------------------------------------------------------


def test_breadth_names_its_holdings_date_and_the_members_yahoo_no_longer_serves(tmp_path):
    from analysis.data.holdings import latest_holdings, parse_holdings, save_holdings
    from analysis.data.unserved import record_unserved

    store = build_fixture_store(tmp_path / "data")
    holdings = latest_holdings(store)
    # One more member on 16 January, since acquired: Yahoo answers it as unknown.
    raw = holdings.raw.decode().replace(
        '"FX01",',
        '"GONE","ACQUIRED SINCE INC","Industrials","Equity","1,000.00","2.50",'
        '"1,000.00","10.00","100.00","United States","NASDAQ","USD","1.00","USD","-"\n"FX01",',
        1,
    )
    save_holdings(parse_holdings(raw.encode()), store)
    record_unserved(store, {"GONE": "GONE: Yahoo does not know this symbol"})
    # A later holdings file (today's) is not the one the window reads.
    later = raw.replace("Jan 16, 2026", "Mar 31, 2026").replace('"FX02",', '"NEWCO",', 1)
    save_holdings(parse_holdings(later.encode()), store)
    executed = execute_post(copy_post(tmp_path / "post"), env=offline(store.root))
    assert executed.errors() == []
    text = printed(executed)
    assert (
        "The members are those of the fund's holdings file of 16 January 2026, the last one "
        "published on or before 16 January 2026. 1 of 41 members is no longer served by Yahoo "
        "and is left out: GONE. They still count as members without a close, so the 95% "
        "coverage the reading needs is measured against every member of the file."
    ) in text
    assert "(40 members counted of 41" in text
