"""The site's configuration, its posts' front matter, and ``new-post``.

No Quarto here: these tests read the files Quarto reads and check they name what exists,
and run a new post's code through the notebook runner against a small fixture store.
"""

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from python_reprs import page_text, reprs_in, shown_outputs

from analysis import cli
from analysis.claims import load_claims
from analysis.data.errors import MalformedDataError
from analysis.data.frontmatter import read_front_matter
from analysis.data.settings import PROJECT_ROOT, ResearchSettings, load_research_settings
from analysis.data.store import Store
from analysis.site.new_post import (
    NewPostError,
    create_post,
    is_valid_symbol,
    pick_benchmark,
    post_series,
    slugify,
)
from analysis.site.notebook import execute_post
from analysis.site.prerender import HEADLINE_FILE, HEADLINE_FUNCTION
from analysis.testing.fake_yahoo import make_ohlcv

ROOT = PROJECT_ROOT
QUARTO_YML = ROOT / "_quarto.yml"
POST_DIRS = sorted(path.parent for path in (ROOT / "posts").glob("*/index.qmd"))
FOLDER_NAME = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)$")
RESEARCH = ResearchSettings(author="A. Writer", benchmarks=("^GSPC", "^RUT"), categories=("x",))


def load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def config():
    return load_yaml(QUARTO_YML)


# -- site configuration -------------------------------------------------------------------


def test_every_render_entry_names_existing_files(config):
    entries = config["project"]["render"]
    assert entries, "the render list must be explicit"
    for entry in entries:
        assert "**" not in entry, f"{entry}: name posts explicitly, not with **"
        assert sorted(ROOT.glob(entry)), f"render entry {entry!r} matches no file"


def test_navbar_links_point_at_pages_or_the_feed(config):
    website = config["website"]
    listing_pages = {
        path.with_suffix(".xml").name
        for path in ROOT.glob("*.qmd")
        if (read_front_matter(path).get("listing") or {}).get("feed")
    }
    items = website["navbar"].get("left", []) + website["navbar"].get("right", [])
    assert items
    for item in items:
        href = item["href"]
        if href.startswith(("http://", "https://")):
            continue
        if href.endswith(".xml"):
            # Quarto writes the feed next to the listing page that asks for one.
            assert href in listing_pages, f"{href}: no listing page has feed: true"
        else:
            assert (ROOT / href).is_file(), f"navbar link {href} names no file"


def test_theme_files_exist_and_load_no_web_fonts(config):
    themes = config["format"]["html"]["theme"]
    for mode in ("light", "dark"):
        names = themes[mode]
        scss = [name for name in names if name.endswith(".scss")]
        assert scss, f"the {mode} theme has no site stylesheet"
        for name in scss:
            assert (ROOT / name).is_file(), f"{mode} theme file {name} is missing"
        # Bootswatch themes import Google Fonts unless the last word on the path is false.
        text = "\n".join((ROOT / name).read_text() for name in scss)
        assert re.search(r"\$web-font-path:\s*false\s*;", text), f"{mode} theme loads web fonts"


def test_pages_need_no_third_party_hosts(config):
    html = config["format"]["html"]
    # MathJax (the default math method) comes from a CDN; posts have no maths.
    assert html["html-math-method"] == "plain"
    assert config["website"]["search"].get("algolia") is None


def test_listing_is_explicit_newest_first_with_a_feed():
    listing = read_front_matter(ROOT / "index.qmd")["listing"]
    assert listing["contents"] == "posts/*/index.qmd"
    assert listing["sort"] == "date desc"
    assert listing["feed"] == {"type": "partial"}


def test_pre_render_steps_are_commands_the_cli_accepts(config):
    # prerender.py passes its arguments to `python -m analysis prerender`.
    offline = load_yaml(ROOT / "_quarto-offline.yml")
    for step in (config["project"]["pre-render"], offline["project"]["pre-render"]):
        words = step.split()
        assert words[0] == "prerender.py" and (ROOT / words[0]).is_file()
        args = cli._parser().parse_args(["prerender", *words[1:]])
        assert args.handler is cli._prerender
    offline_args = offline["project"]["pre-render"].split()[1:]
    assert cli._parser().parse_args(["prerender", *offline_args]).offline


def test_offline_profile_turns_the_network_off():
    env = dict(
        line.split("=", 1)
        for line in (ROOT / "_environment-offline").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    assert env["ANALYSIS_OFFLINE"] == "1"


def test_posts_run_from_their_own_folder(config):
    # The post template finds its front matter as ./index.qmd; execute-dir: project would
    # run every post from the project root instead.
    execute = config.get("execute") or {}
    assert execute.get("execute-dir", "file") == "file"
    shared = load_yaml(ROOT / "posts" / "_metadata.yml")
    assert (shared.get("execute") or {}).get("execute-dir", "file") == "file"


def test_posts_freeze_only_under_the_fingerprint_steps(config):
    # freeze: auto reuses a post's last execution; the pre-render step deletes it when the
    # post's data or code changed, and the post-render step records what executed
    # (analysis/site/freeze.py, tests/test_freeze.py). freeze: true would skip both checks.
    shared = load_yaml(ROOT / "posts" / "_metadata.yml")
    assert shared["freeze"] == "auto"
    assert (config.get("execute") or {}).get("freeze") in (None, "auto")
    # postrender.py records them (tests/test_freeze.py runs it on a simulated build).
    assert config["project"]["post-render"] == "postrender.py"


def test_project_research_settings_are_valid():
    research = load_research_settings()
    assert research.benchmarks, "research.yml should name the default benchmarks"
    assert all(is_valid_symbol(symbol) for symbol in research.benchmarks)


# -- every post ---------------------------------------------------------------------------


def _has_compute_title(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.FunctionDef) and node.name == HEADLINE_FUNCTION for node in tree.body
    )


@pytest.mark.parametrize("folder", POST_DIRS, ids=[p.name for p in POST_DIRS])
def test_post_front_matter_declares_its_data(folder):
    check_post_folder(folder)


def check_post_folder(folder: Path) -> None:
    match = FOLDER_NAME.match(folder.name)
    assert match, f"{folder.name}: post folders are named YYYY-MM-DD-slug"
    meta = read_front_matter(folder / "index.qmd")

    series = meta.get("series")
    assert isinstance(series, list) and series, "declare the series the post reads"
    assert all(is_valid_symbol(symbol) for symbol in series), series
    assert len(set(series)) == len(series), "a series is declared twice"

    date = meta.get("date")
    if isinstance(date, str):
        date = dt.date.fromisoformat(date)
    assert isinstance(date, dt.date), "date: YYYY-MM-DD"
    assert date.isoformat() == match["date"], "the folder's date and the post's date differ"

    categories = meta.get("categories")
    assert isinstance(categories, list) and categories
    assert all(isinstance(c, str) and c.strip() for c in categories)

    headline = folder / HEADLINE_FILE
    if headline.is_file():
        assert _has_compute_title(headline), f"{headline} needs {HEADLINE_FUNCTION}(store)"
    else:
        assert isinstance(meta.get("title"), str) and meta["title"].strip(), "no title"

    if "claims" in meta:
        assert load_claims(folder / "index.qmd"), "claims: is present but empty"


@pytest.mark.parametrize("folder", POST_DIRS, ids=[p.name for p in POST_DIRS])
def test_front_matter_reads_as_pyyaml_safe_load_reads_it(folder):
    text = (folder / "index.qmd").read_text(encoding="utf-8").split("\n---", 1)[0]
    assert read_front_matter(folder / "index.qmd") == yaml.safe_load(text.removeprefix("---"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: x\n", "no front matter"),
        ("---\ntitle: x\n", "not closed"),
        ("---\n- a list\n---\n", "must be a mapping"),
        ("---\nseries: IWM\n---\n", "list of symbols"),
        ("---\nseries: [IWM]\nrequired: IWM\n---\n", "'required' must be a list of symbols"),
        ("---\nseries: [IWM]\nrequired: [^RUT]\n---\n", "names \\^RUT, not in 'series'"),
        # Only plain data: a Python object tag is refused, not built.
        ("---\nseries: []\nx: !!python/object/apply:os.getcwd []\n---\n", "not valid YAML"),
    ],
)
def test_bad_front_matter_is_one_clear_error(tmp_path, text, message):
    path = tmp_path / "index.qmd"
    path.write_text(text)
    with pytest.raises(MalformedDataError, match=message):
        read_front_matter(path)


# -- research.yml ---------------------------------------------------------------------------


def test_research_settings_read_lists_and_author(tmp_path):
    path = tmp_path / "research.yml"
    path.write_text('author: "  Jo  "\nbenchmarks: ^GSPC\ncategories: [a, b, a]\n')
    assert load_research_settings(path) == ResearchSettings("Jo", ("^GSPC",), ("a", "b"))


def test_missing_research_file_gives_empty_defaults(tmp_path):
    assert load_research_settings(tmp_path / "none.yml") == ResearchSettings()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("benchmarks: [1, 2]\n", "benchmarks"),
        ("author: [x]\n", "author"),
        ("categories: {a: 1}\n", "categories"),
    ],
)
def test_bad_research_settings_name_the_key(tmp_path, text, key):
    path = tmp_path / "research.yml"
    path.write_text(text)
    with pytest.raises(ValueError, match=f"'{key}'"):
        load_research_settings(path)


def test_research_file_that_is_not_yaml_is_one_clear_error(tmp_path):
    path = tmp_path / "research.yml"
    path.write_text("benchmarks: [^GSPC\n")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_research_settings(path)


# -- slugs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Small caps lead: Russell 2000 up 7.9%!", "small-caps-lead-russell-2000-up-7-9"),
        ("Réunion & Côte d'Ivoire", "reunion-and-cote-d-ivoire"),
        ("  IWM   above $250  ", "iwm-above-250"),
        ("../../etc/passwd", "etc-passwd"),
        ("S&P 500 vs. ^RUT", "s-and-p-500-vs-rut"),
    ],
)
def test_slug_examples(title, slug):
    assert slugify(title) == slug


def test_long_slugs_are_cut_at_a_word():
    title = "The Russell 2000 beat the S&P 500 in the first three weeks of the year again"
    slug = slugify(title)
    assert slug == "the-russell-2000-beat-the-s-and-p-500-in-the-first-three"
    assert len(slug) <= 60


def test_a_single_overlong_word_is_cut_at_the_limit():
    assert slugify("a" * 80) == "a" * 60


@pytest.mark.parametrize("title", ["", "   ", "!!!", "日本株"])
def test_titles_without_ascii_letters_or_digits_are_refused(title):
    with pytest.raises(NewPostError, match="letters or digits"):
        slugify(title)


@given(st.text(max_size=120))
def test_slugs_are_safe_folder_names(title):
    try:
        slug = slugify(title)
    except NewPostError:
        return
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    assert len(slug) <= 60
    assert slugify(slug) == slug


# -- symbols and dates ----------------------------------------------------------------------


@pytest.mark.parametrize("symbol", ["^RUT", "IWM", "CL=F", "BRK-B", "EURUSD=X", "fred:DFEDTARU"])
def test_valid_symbols(symbol):
    assert is_valid_symbol(symbol)


@pytest.mark.parametrize("symbol", ["", "bad sym", "fred:", "../x", "^", "IWM;rm", "a" * 30])
def test_invalid_symbols(symbol):
    assert not is_valid_symbol(symbol)


def test_series_are_the_symbols_then_the_benchmarks_once_each():
    assert post_series(["IWM", "^RUT"], ["^GSPC", "^RUT"]) == ["IWM", "^RUT", "^GSPC"]


def test_no_symbols_and_no_benchmarks_is_an_error():
    with pytest.raises(NewPostError, match="at least one symbol"):
        post_series([], [])


def test_the_benchmark_is_the_first_research_benchmark_that_is_not_the_subject():
    assert pick_benchmark(["^RUT", "IWM", "^GSPC"], ["^RUT", "^GSPC"]) == "^GSPC"
    assert pick_benchmark(["AAPL", "MSFT"], []) == "MSFT"
    assert pick_benchmark(["AAPL"], []) is None


# -- new-post -------------------------------------------------------------------------------


def test_new_post_front_matter(tmp_path):
    path = create_post(
        'Small caps: "up" 7.9%',
        symbols=["IWM"],
        date="2026-01-18",
        posts_dir=tmp_path,
        research=RESEARCH,
    )
    assert path == tmp_path / "2026-01-18-small-caps-up-7-9" / "index.qmd"
    meta = read_front_matter(path)
    assert meta["title"] == 'Small caps: "up" 7.9%'
    assert meta["date"] == dt.date(2026, 1, 18)
    assert meta["author"] == "A. Writer"
    assert meta["categories"] == ["x"]
    assert meta["series"] == ["IWM", "^GSPC", "^RUT"]
    assert meta["required"] == ["IWM"]  # the subject; the benchmarks may be missing
    claims = load_claims(path)
    assert [c.id for c in claims] == ["focus_return", "focus_beats_benchmark"]
    assert claims[1].claim == "IWM has beaten S&P 500 since 18 January 2025"
    assert "${" not in path.read_text()


def test_a_new_post_passes_the_checks_every_post_must_pass(tmp_path):
    check_post_folder(create_post("Fine", date="2026-01-18", posts_dir=tmp_path).parent)


def test_new_post_defaults_to_today_and_the_benchmarks(tmp_path):
    path = create_post(
        "Benchmarks only",
        posts_dir=tmp_path,
        research=RESEARCH,
        categories=["rates", "fed"],
        today=dt.date(2024, 2, 29),
    )
    meta = read_front_matter(path)
    assert path.parent.name == "2024-02-29-benchmarks-only"
    assert meta["series"] == ["^GSPC", "^RUT"]
    assert meta["categories"] == ["rates", "fed"]
    # A year before 29 February is 28 February.
    assert 'BASE_DATE = "2023-02-28"' in path.read_text()


def test_new_post_refuses_to_overwrite(tmp_path):
    path = create_post(
        "Same title", symbols=["IWM"], date="2026-01-18", posts_dir=tmp_path, research=RESEARCH
    )
    path.write_text("my edits")
    with pytest.raises(NewPostError, match="already exists"):
        create_post(
            "Same title!",
            symbols=["^RUT"],
            date="2026-01-18",
            posts_dir=tmp_path,
            research=RESEARCH,
        )
    assert path.read_text() == "my edits"
    assert [p.name for p in tmp_path.iterdir()] == ["2026-01-18-same-title"]


@pytest.mark.parametrize("date", ["2026-02-30", "18/01/2026", "2026-1-8", "today"])
def test_bad_dates_are_refused(tmp_path, date):
    with pytest.raises(NewPostError, match="YYYY-MM-DD"):
        create_post("A", date=date, posts_dir=tmp_path, research=RESEARCH)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    """Three series on NYSE sessions from 2 January 2024 (make_ohlcv: close = base + drift*i)."""
    store = Store(tmp_path_factory.mktemp("store"))
    for symbol, drift in {"IWM": 0.5, "^GSPC": 0.25, "^RUT": -0.1}.items():
        store.write(symbol, make_ohlcv("2024-01-02", 300, drift=drift), source="Test Source")
    return store


def test_new_post_executes_offline_against_a_fixture_store(tmp_path, small_store):
    path = create_post(
        "IWM a year on", symbols=["IWM"], date="2025-01-20", posts_dir=tmp_path, research=RESEARCH
    )
    env = {
        "ANALYSIS_DATA_DIR": str(small_store.root),
        "ANALYSIS_OFFLINE": "1",
        "PYTHONPATH": str(ROOT),
    }
    result = execute_post(path, env=env)
    assert result.errors() == []
    # No value shows as its Python repr (a path, a figure, a numpy scalar, a timestamp):
    # the chart cell ends with save_preview(chart), which must show nothing.
    assert [r for text in shown_outputs(result) for r in reprs_in(text)] == []
    # Base date 2024-01-20 is a Saturday: the base close is Friday 19 January 2024, the
    # 13th session from 2 January (MLK day on the 15th). The last of 300 sessions closes at
    # 100 + drift * 299, and adj_close is a constant 0.98 of close, which cancels.
    values = result.inline_values
    assert values["base_label"] == "19 January 2024"
    assert values["end_label"] == "13 March 2025"
    assert values["label_for(FOCUS)"] == "IWM"
    assert values["pct(returns[FOCUS])"] == "135.4%"  # 249.5 / 106 - 1
    assert values["label_for(BENCHMARK)"] == "S&P 500"
    assert values["return_text(BENCHMARK)"] == "69.7%"  # 174.75 / 103 - 1

    markdown = "\n".join(result.outputs_of_type("text/markdown"))
    assert "Data as of 2025-03-13" in markdown
    assert "| ^RUT is" not in markdown  # claims name series as readers know them
    assert "| IWM is up since 20 January 2024 | 0.0% | 135.4% | [✓ holds]" in markdown
    assert "| IWM has beaten S&P 500 since 20 January 2024 | yes | yes | [✓ holds]" in markdown
    assert "| Russell 2000 | -29.0% |" in markdown  # 70.1 / 98.8 - 1

    figure = next(
        out["text"]
        for cell in result.notebook.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if "fig-alt=" in out.get("text", "")
    )
    assert "](figures/returns.svg){#fig-returns fig-alt=" in figure
    assert "[Download the data (CSV)](figures/returns.csv)" in figure
    folder = path.parent
    assert (folder / "figures" / "returns.svg").stat().st_size > 0
    assert (folder / "preview.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    csv = (folder / "figures" / "returns.csv").read_text().splitlines()
    assert csv[0] == "date,IWM,^GSPC,^RUT"
    assert csv[1] == "2024-01-19,0,0,0"


def test_new_post_with_one_series_has_no_comparison(tmp_path, small_store):
    research = ResearchSettings(benchmarks=())
    path = create_post(
        "Just IWM", symbols=["IWM"], date="2025-01-20", posts_dir=tmp_path, research=research
    )
    text = path.read_text()
    assert "BENCHMARK = None" in text and "label_for(BENCHMARK)" not in text
    assert [c.id for c in load_claims(path)] == ["focus_return"]
    env = {
        "ANALYSIS_DATA_DIR": str(small_store.root),
        "ANALYSIS_OFFLINE": "1",
        "PYTHONPATH": str(ROOT),
    }
    assert execute_post(path, env=env).errors() == []


# -- the command line -----------------------------------------------------------------------


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_creates_the_post_and_says_where(tmp_path, capsys):
    code, out, err = run(
        capsys, "new-post", "Small caps lead", "--symbols", "^RUT", "IWM",
        "--date", "2026-01-18", "--categories", "small caps", "--posts-dir", str(tmp_path),
    )  # fmt: skip
    path = tmp_path / "2026-01-18-small-caps-lead" / "index.qmd"
    assert code == 0, err
    assert f"created {path}" in out
    meta = read_front_matter(path)
    assert meta["series"][:2] == ["^RUT", "IWM"]
    assert meta["categories"] == ["small caps"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["Bad", "--date", "2026-13-01"], "--date must be a real date"),
        (["Bad", "--symbols", "not a symbol"], "not a symbol: 'not a symbol'"),
        (["!!!"], "cannot make a folder name"),
        (["  "], "the title must not be empty"),
    ],
)
def test_cli_errors_are_one_line(tmp_path, capsys, argv, message):
    code, _, err = run(capsys, "new-post", *argv, "--posts-dir", str(tmp_path))
    assert code == cli.EXIT_USAGE
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err
    assert list(tmp_path.iterdir()) == []


def test_cli_refuses_to_overwrite_in_one_line(tmp_path, capsys):
    argv = ["new-post", "Twice", "--date", "2026-01-18", "--posts-dir", str(tmp_path)]
    assert run(capsys, *argv)[0] == 0
    before = (tmp_path / "2026-01-18-twice" / "index.qmd").read_text()
    code, _, err = run(capsys, *argv)
    assert code == cli.EXIT_USAGE
    assert err.count("\n") == 1 and "already exists; nothing was changed" in err
    assert (tmp_path / "2026-01-18-twice" / "index.qmd").read_text() == before


def test_repr_check_reads_outputs_and_skips_source_code():
    page = (
        '<details class="code-fold"><summary>Show code</summary>'
        '<pre class="sourceCode python"><code>when = pd.Timestamp("2026-01-02")</code></pre>'
        "</details>"
        '<div class="cell-output"><pre><code>PosixPath(&#39;preview.png&#39;)</code></pre></div>'
        "<p>Up np.float64(7.9) since then.</p>"
    )
    text = page_text(page)
    assert "Timestamp(" not in text
    found = reprs_in(text)
    assert len(found) == 2
    assert "PosixPath('preview.png')" in found[0] and "np.float64(7.9)" in found[1]
