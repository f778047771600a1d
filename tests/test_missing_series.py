"""A series missing from the store, or ending early, never breaks a post.

For the seed post and for a post made by ``new-post``: each declared series is removed from
a fixture store (or cut two weeks before the window's as-of date) and the post executed.
It must run with no error output, no unrendered inline value and no Python repr; the section
that used the series names it and says what it cannot show; exactly the claims that depend
on it become "cannot be checked". A series the post marks ``required`` stops the build in
the pre-render step instead, in one line.

Each execution takes a few seconds, so the seed post's matrix removes several series at
once, never two that share a section or a claim: every declared series is covered (a test
checks it), and each expectation is checked against the note that names that series.
"""

from __future__ import annotations

import html
import re
import shutil

import pandas as pd
import pytest
from conftest import REFERENCE_FILES
from python_reprs import reprs_in, shown_outputs
from test_seed_post import POST_DIR, SLUG, offline

from analysis.data.errors import DataError
from analysis.data.frontmatter import Post, read_front_matter
from analysis.data.settings import PROJECT_ROOT, ResearchSettings
from analysis.data.store import Store
from analysis.site.new_post import create_post
from analysis.site.notebook import execute_post
from analysis.site.prerender import check_required_series
from analysis.testing.fixture_store import AS_OF, build_fixture_store

SEED = read_front_matter(POST_DIR / "index.qmd")
CUT = AS_OF - pd.Timedelta(days=14)  # two weeks before the as-of date: 2 January 2026
CUT_TEXT = "2 January 2026"

# What removing each series must change in the seed post: the claims that become "cannot
# be checked", and a phrase of each section that says what it cannot show.
SEED_EXPECTED: dict[str, tuple[set[str], list[str]]] = {
    "^GSPC": (
        {"spx_return", "small_caps_lead", "megacaps_trail"},
        [
            "This build cannot measure the S&P 500 over the window",
            "cannot say which names trailed the market",
            "The study needs the fed funds target range and the S&P 500",
        ],
    ),
    "^IXIC": (
        {"ixic_return", "small_caps_lead"},
        ["This build cannot measure the Nasdaq Composite over the window"],
    ),
    "IWM": (
        {"iwm_first_close_above_250", "iwm_volume_vs_average"},
        ["this section cannot show where IWM closed against $250 or its volume"],
    ),
    "AAPL": ({"apple_flat"}, ["The counts above cover the others."]),
    "MSFT": ({"megacaps_trail"}, ["The counts above cover the others."]),
    "AMZN": ({"megacaps_trail"}, ["The counts above cover the others."]),
    "META": ({"megacaps_trail"}, ["The counts above cover the others."]),
    "NVDA": ({"nvda_below_december_high"}, ["The counts above cover the others."]),
    "GOOGL": (set(), ["The counts above cover the others."]),
    "TSLA": (set(), ["The counts above cover the others."]),
    **{
        fund: (
            {"sectors_financials_industrials_lead", "sectors_health_care_lags"},
            ["sector funds in the store"],
        )
        for fund in ("PSCF", "PSCI", "PSCH", "PSCE", "PSCT", "PSCD", "PSCC", "PSCM", "PSCU")
    },
    "KRE": (set(), ["sector funds in the store"]),
    "fred:DFEDTAR": (set(), ["FRED's single target rate, DFEDTAR"]),
    **{
        bound: (
            {"fed_consecutive_cuts", "fed_target_range"},
            [
                "cannot show the range on the as-of date or the run of cuts",
                "The study needs the fed funds target range and the S&P 500",
            ],
        )
        for bound in ("fred:DFEDTARU", "fred:DFEDTARL")
    },
    # The first of each energy pair falls back on the second, and says so.
    "fred:DCOILWTICO": (set(), ["the front-month WTI future (CL=F)"]),
    "NG=F": (set(), ["the Henry Hub spot price from FRED (DHHNGSP)"]),
    # The second of a pair is not read while the first is there: nothing changes.
    "CL=F": (set(), []),
    "fred:DHHNGSP": (set(), []),
}
# Series removed together in one execution: no two share a section or a claim.
SEED_CASES = [
    ("^GSPC", "fred:DCOILWTICO", "KRE"),
    ("^IXIC", "IWM", "fred:DFEDTAR", "AAPL", "NG=F"),
    ("fred:DFEDTARU", "MSFT", "PSCF", "PSCI", "CL=F"),
    ("fred:DFEDTARL", "AMZN", "NVDA", "PSCH", "PSCE", "fred:DHHNGSP"),
    ("META", "GOOGL", "TSLA", "PSCT", "PSCD", "PSCC", "PSCM", "PSCU"),
]
# DFEDTAR is FRED's target before the range (it ends in 2008): it is read as history and
# never at the as-of date, so cutting it early changes nothing to test.
NOT_CUT = {"fred:DFEDTAR"}
CUT_CASES = [tuple(s for s in case if s not in NOT_CUT) for case in SEED_CASES]
# How a sentence says a series is lacking (the cycle study's note has its own wording).
NAMED = {
    "missing": ("not in this build's data store", "is not in the store"),
    "cut": (f"ends on {CUT_TEXT}",),
}


def test_the_matrix_covers_every_series_the_seed_post_declares_but_the_required_one():
    declared = set(SEED["series"]) - set(SEED["required"])
    covered = [s for case in SEED_CASES for s in case]
    assert sorted(covered) == sorted(declared) == sorted(SEED_EXPECTED)
    assert SEED["required"] == ["^RUT"]


def page_text(executed) -> str:
    """What the cells printed and the inline values, without the data notice at the top
    (its callout names every missing series, whatever the sections say)."""
    parts = list(executed.inline_values.values())
    for cell in executed.notebook.cells:
        if cell.cell_type != "code" or "label: data-notice" in cell.source:
            continue
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(output.get("data", {}).get("text/markdown", ""))
    return "\n".join(parts)


def claims_rows(executed) -> dict[str, str]:
    """Each row of the claims table, keyed by the claim's id."""
    table = "\n".join(executed.outputs_of_type("text/markdown"))
    rows = {}
    for claim in SEED["claims"]:
        text = claim["claim"].replace("$", "\\$")
        rows[claim["id"]] = next(line for line in table.splitlines() if f"| {text} |" in line)
    return rows


def run_seed(tmp_path, **store_args):
    """The seed post executed offline against a fixture store built with ``store_args``."""
    store = build_fixture_store(tmp_path / "data", **store_args)
    folder = tmp_path / SLUG
    folder.mkdir()
    for name in ("index.qmd", "headline.py"):
        shutil.copy2(POST_DIR / name, folder / name)
    return execute_post(folder / "index.qmd", env=offline(store.root))


def names_of(symbol: str) -> tuple[str, ...]:
    return (symbol, symbol.removeprefix("fred:"))


def check_seed_case(executed, case, how, *, baseline=frozenset(), phrases_shown=True):
    """The promises of the module docstring, for one execution with ``case`` lacking.

    ``baseline``: claims that cannot be checked whatever is removed (what the store never
    had). ``phrases_shown``: check each section's own phrase (a fallback's wording depends
    on the series the store has, so the real-data runs check only names and verdicts).
    """
    assert executed.errors() == []
    assert executed.unrendered_inline() == []
    assert [r for text in shown_outputs(executed) for r in reprs_in(text)] == []
    text = page_text(executed)
    sentences = re.split(r"(?<=[.:;])\s+|\n", text)
    rows = claims_rows(executed)
    uncheckable = {cid for cid, row in rows.items() if "cannot be checked" in row}
    assert uncheckable == set(baseline).union(*(SEED_EXPECTED[s][0] for s in case))
    # The computed title claims a lead or a trail only against both large-cap indices.
    neither = {"^GSPC", "^IXIC"} & set(case)
    assert executed.inline_values["page_title"].startswith(
        "Small Caps in 2026: Russell 2000 Jumps" if neither else "Small Caps Lead 2026 as"
    )
    for symbol in case:
        claims, phrases = SEED_EXPECTED[symbol]
        for phrase in phrases if phrases_shown else ():
            assert phrase in text, (symbol, phrase)
        if phrases:
            # Where a section changed, a sentence names the series and what is wrong with it.
            assert any(
                any(marker in sentence for marker in NAMED[how])
                and any(n in sentence for n in names_of(symbol))
                for sentence in sentences
            ), (symbol, how)
        for claim_id in claims:
            # The claims table says why in the row's note (its last column).
            note = rows[claim_id].rstrip(" |").rsplit(" | ", 1)[-1]
            assert any(n in note for n in names_of(symbol)), (symbol, claim_id, note)


@pytest.mark.parametrize("case", SEED_CASES, ids="+".join)
def test_seed_post_without_a_series_says_what_it_cannot_show(tmp_path, case):
    check_seed_case(run_seed(tmp_path, omit=case), case, "missing")


@pytest.mark.parametrize("case", CUT_CASES, ids="+".join)
def test_seed_post_with_a_series_that_ends_early_says_what_it_cannot_compute(tmp_path, case):
    check_seed_case(run_seed(tmp_path, ends=dict.fromkeys(case, CUT)), case, "cut")


@pytest.mark.parametrize(
    ("store_args", "message"),
    [
        (
            {"omit": ["^RUT"]},
            f"{SLUG} requires ^RUT, which is not in the data store: run "
            "`python -m analysis fetch ^RUT` or import a CSV for it",
        ),
        (
            {"ends": {"^RUT": CUT}},
            f"{SLUG} requires ^RUT up to its window's as-of date 2026-01-16, but the stored "
            "series ends on 2026-01-02: run `python -m analysis fetch ^RUT` or import a CSV "
            "that reaches that date",
        ),
    ],
    ids=["missing", "ends-early"],
)
def test_seed_post_without_its_required_series_stops_before_rendering(
    tmp_path, store_args, message
):
    store = build_fixture_store(tmp_path / "data", universe=False, **store_args)
    post = Post(POST_DIR / "index.qmd", SEED)
    with pytest.raises(DataError) as raised:
        check_required_series([post], store)
    assert str(raised.value) == message
    check_required_series([post], build_fixture_store(tmp_path / "full", universe=False))


# -- the same matrices on real data (opt-in) ----------------------------------------------

# What the reference data never has makes these claims uncheckable in every run.
REFERENCE_BASELINE = {
    "sectors_financials_industrials_lead",
    "sectors_health_care_lags",
    "breadth_above_200_day",
    "breadth_highest_since",
}


def reference_variant(reference_store, root, *, omit=(), ends=None):
    """A copy of the reference store without ``omit``, with ``ends`` cut at their dates."""
    source, target = Store(reference_store), Store(root)
    for symbol in source.symbols():
        if symbol in omit:
            continue
        frame = source.read(symbol)
        if symbol in (ends or {}):
            frame = frame.loc[: ends[symbol]]
        target.write(symbol, frame, source=source.provenance(symbol).source)
    return target


def reference_cases():
    held = set(REFERENCE_FILES) - {"^RUT"}
    cases = [tuple(s for s in case if s in held) for case in SEED_CASES]
    return [case for case in cases if case]


@pytest.mark.reference_data
@pytest.mark.parametrize("how", ["missing", "cut"])
@pytest.mark.parametrize("case", reference_cases(), ids="+".join)
def test_seed_post_on_real_data_without_a_series(reference_store, tmp_path, case, how):
    store_args = {"omit": case} if how == "missing" else {"ends": dict.fromkeys(case, CUT)}
    store = reference_variant(reference_store, tmp_path / "data", **store_args)
    folder = tmp_path / SLUG
    folder.mkdir()
    for name in ("index.qmd", "headline.py"):
        shutil.copy2(POST_DIR / name, folder / name)
    executed = execute_post(folder / "index.qmd", env=offline(store.root))
    check_seed_case(executed, case, how, baseline=REFERENCE_BASELINE, phrases_shown=False)


# -- the new-post template ------------------------------------------------------------------

TEMPLATE_RESEARCH = ResearchSettings(benchmarks=("^GSPC", "^RUT"), categories=("x",))
TEMPLATE_END = pd.Timestamp("2026-03-31")  # the subject's (IWM's) last close in the fixture
TEMPLATE_CUT = TEMPLATE_END - pd.Timedelta(days=14)
# Series of a post on IWM, after the research benchmarks: IWM is its required subject.
TEMPLATE_SERIES = ["IWM", "^GSPC", "^RUT"]
# The claims that need each series other than the subject.
TEMPLATE_CLAIMS = {"^GSPC": {"focus_beats_benchmark"}, "^RUT": set()}
TEMPLATE_NAMES = {"^GSPC": "S&P 500 (^GSPC)", "^RUT": "Russell 2000 (^RUT)"}


def new_post(tmp_path):
    path = create_post(
        "IWM since last year",
        symbols=["IWM"],
        date="2026-01-18",
        posts_dir=tmp_path / "posts",
        research=TEMPLATE_RESEARCH,
    )
    meta = read_front_matter(path)
    assert (meta["series"], meta["required"]) == (TEMPLATE_SERIES, ["IWM"])
    return path


def run_template(tmp_path, **store_args):
    """A new post executed offline against a fixture store; returns it and its folder."""
    store = build_fixture_store(tmp_path / "data", universe=False, **store_args)
    env = {**offline(store.root), "PYTHONPATH": str(PROJECT_ROOT)}
    path = new_post(tmp_path)
    return execute_post(path, env=env), path.parent


@pytest.mark.parametrize(
    ("symbol", "how"),
    [(s, how) for s in TEMPLATE_CLAIMS for how in ("missing", "cut")],
)
def test_new_post_without_a_series_says_what_it_cannot_show(tmp_path, symbol, how):
    store_args = {"omit": [symbol]} if how == "missing" else {"ends": {symbol: TEMPLATE_CUT}}
    executed, folder = run_template(tmp_path, **store_args)
    assert executed.errors() == []
    assert executed.unrendered_inline() == []
    assert [r for text in shown_outputs(executed) for r in reprs_in(text)] == []
    markdown = "\n".join([*executed.outputs_of_type("text/markdown"), page_text(executed)])
    name = TEMPLATE_NAMES[symbol]
    said = (
        f"{name} is not in this build's data store."
        if how == "missing"
        else f"In this build's data store {name} ends on 17 March 2026, before 31 March 2026, "
        "so it is left out here."
    )
    assert f"## Series this build does not have\n\n{said} The text and the table below" in markdown
    # The others are measured over the full stretch, to the subject's last close.
    assert executed.inline_values["end_label"] == "31 March 2026"
    if symbol == "^GSPC":  # the benchmark the text compares the subject with
        assert executed.inline_values["return_text(BENCHMARK)"] == (
            "— (left out of this build: see the note above)"
        )
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert not [row for row in rows if row.startswith(f"| {name.split(' (')[0]} |")]
    for row in rows:
        if "since 18 January 2025 |" not in row:
            continue  # not a claim
        beats = "has beaten" in row
        if beats and "focus_beats_benchmark" in TEMPLATE_CLAIMS[symbol]:
            assert "cannot be checked" in row and said.rstrip(".") in row
        else:
            assert "cannot be checked" not in row
    header = (folder / "figures" / "returns.csv").read_text().splitlines()[0].split(",")
    label = name.split(" (")[0]
    if how == "missing":
        assert header == ["date", *(s for s in TEMPLATE_SERIES if s != symbol)]
    else:
        # The chart draws the early line up to its last close, and dates its end.
        assert header == ["date", *TEMPLATE_SERIES]
        assert f"Only the chart shows {label}, up to its last close." in markdown
        assert re.search(
            rf"fig-alt=\"[^\"]*{re.escape(html.escape(label))} [+-][\d.]+% \(to 17 March 2026\)",
            markdown,
        )


@pytest.mark.parametrize("how", ["missing", "cut"])
def test_new_post_without_its_subject_stops_before_rendering(tmp_path, how):
    store_args = {"omit": ["IWM"]} if how == "missing" else {"ends": {"IWM": TEMPLATE_CUT}}
    store = build_fixture_store(tmp_path / "data", universe=False, **store_args)
    path = new_post(tmp_path)
    post = Post(path, read_front_matter(path))
    if how == "cut":
        # A new post has no window: its subject's last close is its end, never too early.
        check_required_series([post], store)
        return
    with pytest.raises(DataError, match=r"requires IWM, which is not in the data store: run "):
        check_required_series([post], store)
