"""Post fingerprints and the freeze they drive, without Quarto.

Each test builds a small project (posts made with ``new-post``, a store of ``make_ohlcv``
series, a copy of a package folder) and checks which posts' fingerprints a change moves,
and what the pre-render and post-render steps then do to ``_freeze/``.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis import cli
from analysis.data.frontmatter import find_posts
from analysis.data.holdings import parse_holdings, save_holdings
from analysis.data.settings import PROJECT_ROOT, ResearchSettings
from analysis.data.store import Store
from analysis.site import fingerprint, freeze
from analysis.site.new_post import create_post
from analysis.testing.builds import add_bar
from analysis.testing.fake_yahoo import make_ohlcv

NOW = "2026-04-02T23:00:00+00:00"
FIXTURES = Path(__file__).parent / "fixtures"
NO_BENCHMARKS = ResearchSettings(benchmarks=())
# Post folder -> the series it declares. Only "breadth" declares the IWM universe.
POSTS = {
    "2025-01-20-iwm": ["IWM"],
    "2025-01-21-apple-and-iwm": ["AAPL", "IWM"],
    "2025-01-22-small-caps": ["^RUT"],
    "2025-01-23-breadth": ["^RUT"],
}


@pytest.fixture
def project(tmp_path):
    """Four posts, a store holding what they declare and the IWM universe, a package copy."""
    root = tmp_path / "project"
    posts_dir = root / "posts"
    posts_dir.mkdir(parents=True)
    (posts_dir / "_metadata.yml").write_text("freeze: auto\n")
    for folder, series in POSTS.items():
        path = create_post(
            folder[11:].replace("-", " "),
            symbols=series,
            date=folder[:10],
            posts_dir=posts_dir,
            research=NO_BENCHMARKS,
        )
        assert path.parent.name == folder
    breadth = posts_dir / "2025-01-23-breadth" / "index.qmd"
    breadth.write_text(breadth.read_text().replace("series:", "universes: [IWM]\nseries:", 1))
    (posts_dir / "2025-01-22-small-caps" / "headline.py").write_text(
        "def compute_title(store):\n    return 'Small caps'\n"
    )

    store = Store(tmp_path / "data")
    for symbol, drift in {"IWM": 0.5, "AAPL": 0.25, "^RUT": -0.1}.items():
        store.write(symbol, make_ohlcv("2024-01-02", 300, drift=drift), source="Test Source")
    holdings = parse_holdings((FIXTURES / "IWM_holdings_fixture.csv").read_bytes())
    save_holdings(holdings, store, fetched_at=NOW)
    for symbol in holdings.symbols:
        store.write(symbol, make_ohlcv("2024-01-02", 300, drift=0.1), source="Test Source")

    package = tmp_path / "package"
    (package / "metrics").mkdir(parents=True)
    (package / "__init__.py").write_text('"""A package."""\n')
    (package / "metrics" / "core.py").write_text("def total(x):\n    return sum(x)\n")
    return root, store, package


def fingerprints(project) -> dict[str, str]:
    root, store, package = project
    inputs = fingerprint.FingerprintInputs(store, root, now=NOW, package_dir=package)
    return {p.path.parent.name: inputs.fingerprint(p).digest for p in find_posts(root / "posts")}


def changed(before: dict, after: dict) -> set[str]:
    return {name for name in after if before.get(name) != after[name]}


# -- what moves a fingerprint ----------------------------------------------------------------


def test_the_same_project_gives_the_same_fingerprints(project):
    first = fingerprints(project)
    assert len(set(first.values())) == len(POSTS)  # four different posts
    assert fingerprints(project) == first


def test_editing_one_post_changes_only_its_fingerprint(project):
    root = project[0]
    before = fingerprints(project)
    qmd = root / "posts" / "2025-01-21-apple-and-iwm" / "index.qmd"
    qmd.write_text(qmd.read_text() + "\nOne more sentence.\n")
    assert changed(before, fingerprints(project)) == {"2025-01-21-apple-and-iwm"}

    headline = root / "posts" / "2025-01-22-small-caps" / "headline.py"
    middle = fingerprints(project)
    headline.write_text(headline.read_text().replace("Small caps", "Small caps lead"))
    assert changed(middle, fingerprints(project)) == {"2025-01-22-small-caps"}


def test_what_a_build_writes_into_a_post_folder_is_not_its_source(project):
    root = project[0]
    before = fingerprints(project)
    folder = root / "posts" / "2025-01-20-iwm"
    (folder / "figures").mkdir()
    (folder / "figures" / "returns.svg").write_text("<svg/>")
    (folder / "preview.png").write_bytes(b"\x89PNG")
    (folder / "_metadata.yml").write_text("title: Computed\n")
    (folder / "index_files").mkdir()
    (folder / "index_files" / "x.js").write_text("")
    (folder / "index.quarto_ipynb").write_text("{}")
    assert fingerprints(project) == before


def test_a_new_bar_changes_exactly_the_posts_that_declare_the_series(project):
    _, store, _ = project
    before = fingerprints(project)
    add_bar(store, "IWM")
    assert changed(before, fingerprints(project)) == {"2025-01-20-iwm", "2025-01-21-apple-and-iwm"}

    middle = fingerprints(project)
    add_bar(store, "^RUT")
    assert changed(middle, fingerprints(project)) == {"2025-01-22-small-caps", "2025-01-23-breadth"}


def test_a_new_bar_for_a_member_changes_the_posts_that_declare_the_universe(project):
    _, store, _ = project
    before = fingerprints(project)
    add_bar(store, "ALPN")  # a member of the fixture holdings, declared by no post
    assert changed(before, fingerprints(project)) == {"2025-01-23-breadth"}


def test_a_new_holdings_file_changes_the_posts_that_declare_the_universe(project):
    _, store, _ = project
    before = fingerprints(project)
    text = (FIXTURES / "IWM_holdings_fixture.csv").read_text(encoding="utf-8-sig")
    newer = text.replace('"Jan 16, 2026"', '"Jan 23, 2026"').replace('"JTTY",', '"JTTZ",', 1)
    save_holdings(parse_holdings(newer.encode()), store, fetched_at=NOW)
    assert changed(before, fingerprints(project)) == {"2025-01-23-breadth"}


def test_a_change_to_the_package_changes_every_posts_fingerprint(project):
    _, _, package = project
    before = fingerprints(project)
    core = package / "metrics" / "core.py"
    core.write_text(core.read_text().replace("sum(x)", "sum(x) + 0"))
    after = fingerprints(project)
    assert changed(before, after) == set(POSTS)

    # Byte code and the package's test fakes are not what posts run.
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "core.cpython-311.pyc").write_bytes(b"\0")
    (package / "testing").mkdir()
    (package / "testing" / "fake.py").write_text("FAKE = 1\n")
    assert fingerprints(project) == after


def test_a_change_to_the_shared_post_metadata_changes_every_posts_fingerprint(project):
    root = project[0]
    before = fingerprints(project)
    (root / "posts" / "_metadata.yml").write_text("freeze: auto\nauthor: Someone\n")
    assert changed(before, fingerprints(project)) == set(POSTS)


def test_python_and_package_versions_are_in_every_fingerprint(project, monkeypatch):
    before = fingerprints(project)
    versions = fingerprint.environment_versions()
    assert {"python", "pandas", "numpy", "matplotlib"} <= set(versions)
    monkeypatch.setattr(fingerprint, "environment_versions", lambda: {**versions, "pandas": "9.9"})
    assert changed(before, fingerprints(project)) == set(POSTS)


def test_quarto_execute_options_are_in_every_fingerprint_and_the_rest_of_quarto_yml_is_not(
    project,
):
    root = project[0]
    config = root / "_quarto.yml"
    config.write_text("website:\n  title: Notes\nexecute:\n  echo: true\n")
    before = fingerprints(project)
    config.write_text("website:\n  title: Other notes\nexecute:\n  echo: true\n")
    assert fingerprints(project) == before
    config.write_text("website:\n  title: Other notes\nexecute:\n  echo: false\n")
    assert changed(before, fingerprints(project)) == set(POSTS)


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("execute:\n  echo: true\n", "execute:\n  echo: false\n", "(echo)"),
        ("execute:\n  echo: true\n", "execute:\n  echo: true\n  warning: false\n", "(warning)"),
        ("website:\n  title: Notes\n", "execute:\n  error: false\n", "(error)"),
    ],
)
def test_the_reason_names_the_execute_options_that_changed(project, old, new, reason):
    root, store, package = project
    (post, *_) = find_posts(root / "posts")

    def parts():
        inputs = fingerprint.FingerprintInputs(store, root, now=NOW, package_dir=package)
        return inputs.fingerprint(post).parts

    (root / "_quarto.yml").write_text(old)
    before = parts()
    (root / "_quarto.yml").write_text(new)
    assert fingerprint.explain(before, parts()) == [f"_quarto.yml execute options changed {reason}"]


def test_the_quarto_version_is_in_every_fingerprint_and_named_in_the_reason(project):
    root, store, package = project
    posts = find_posts(root / "posts")

    def with_quarto(version):
        inputs = fingerprint.FingerprintInputs(
            store, root, now=NOW, package_dir=package, quarto=version
        )
        return {p.path.parent.name: inputs.fingerprint(p) for p in posts}

    old, same, new = with_quarto("1.7.34"), with_quarto("1.7.34"), with_quarto("1.8.25")
    assert {k: v.digest for k, v in old.items()} == {k: v.digest for k, v in same.items()}
    assert all(old[name].digest != new[name].digest for name in old)
    for name in old:
        assert fingerprint.explain(old[name].parts, new[name].parts) == [
            "environment changed: quarto 1.7.34 → 1.8.25"
        ]


def test_the_quarto_version_is_asked_of_the_quarto_running_the_build(tmp_path, monkeypatch):
    running, on_path = tmp_path / "running", tmp_path / "on-path"
    for folder, version in ((running, "1.8.25"), (on_path, "1.6.40")):
        folder.mkdir()
        (folder / "quarto").write_text(f"#!/bin/sh\necho {version}\n")
        (folder / "quarto").chmod(0o755)
    monkeypatch.setenv("PATH", str(on_path))
    monkeypatch.setenv(fingerprint.QUARTO_BIN_ENV, str(running))
    assert fingerprint.quarto_version() == "1.8.25"
    monkeypatch.delenv(fingerprint.QUARTO_BIN_ENV)
    assert fingerprint.quarto_version() == "1.6.40"
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert fingerprint.quarto_version() == "none"  # no Quarto at all: said so, not an error


def test_importing_the_same_data_again_changes_nothing(project, tmp_path, monkeypatch, capsys):
    _, store, _ = project
    csv = tmp_path / "IWM.csv"
    frame = store.read("IWM").rename_axis("Date")
    frame.rename(columns={"adj_close": "Adj Close"}).to_csv(csv)
    monkeypatch.setenv("ANALYSIS_DATA_DIR", str(store.root))
    monkeypatch.setattr("analysis.data.store.utc_now_iso", lambda: "2026-04-01T10:00:00+00:00")
    assert cli.main(["import", str(csv), "--symbol", "IWM"]) == 0
    before = fingerprints(project)
    monkeypatch.setattr("analysis.data.store.utc_now_iso", lambda: "2026-04-02T10:00:00+00:00")
    assert cli.main(["import", str(csv), "--symbol", "IWM"]) == 0
    capsys.readouterr()
    # The import did write again, at a later time, and the fingerprints ignore that.
    assert store.provenance("IWM").fetched_at == "2026-04-02T10:00:00+00:00"
    assert fingerprints(project) == before


def test_a_failed_fetch_changes_the_posts_that_show_the_warning(project):
    _, store, _ = project
    before = fingerprints(project)
    store.record_failure("AAPL", "HTTP 500", attempted_at=NOW)
    assert changed(before, fingerprints(project)) == {"2025-01-21-apple-and-iwm"}


def test_fingerprints_read_no_series_rows(project, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a fingerprint must not read the rows")

    monkeypatch.setattr(Store, "read", refuse)
    monkeypatch.setattr(Store, "read_bytes", refuse)
    assert len(fingerprints(project)) == len(POSTS)


# -- why a post executes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda s: add_bar(s, "IWM"), "data changed: IWM +1 bar"),
        (lambda s: (add_bar(s, "IWM"), add_bar(s, "IWM")), "data changed: IWM +2 bars"),
        (lambda s: add_bar(s, "AAPL"), "data changed: AAPL +1 bar"),
    ],
)
def test_reasons_name_the_series_and_the_new_bars(project, change, reason):
    root, store, package = project
    post = next(
        p for p in find_posts(root / "posts") if p.path.parent.name.endswith("apple-and-iwm")
    )
    old = fingerprint.FingerprintInputs(store, root, now=NOW, package_dir=package).fingerprint(post)
    change(store)
    new = fingerprint.FingerprintInputs(store, root, now=NOW, package_dir=package).fingerprint(post)
    assert fingerprint.explain(old.parts, new.parts) == [reason]


def test_reasons_for_source_package_and_revised_rows(project):
    root, store, package = project
    post = next(p for p in find_posts(root / "posts") if p.path.parent.name.endswith("-iwm"))
    old = fingerprint.FingerprintInputs(store, root, now=NOW, package_dir=package).fingerprint(post)
    post.path.write_text(post.path.read_text() + "\n")
    (package / "__init__.py").write_text('"""Changed."""\n')
    frame = store.read("IWM")
    frame.iloc[0, frame.columns.get_loc("close")] += 1  # a revised bar, no new one
    store.write("IWM", frame, source="Test Source")
    new = fingerprint.FingerprintInputs(store, root, now=NOW, package_dir=package).fingerprint(post)
    assert fingerprint.explain(old.parts, new.parts) == [
        "source changed (index.qmd)",
        "data changed: IWM rows revised",
        "package changed",
    ]


# -- the freeze cycle: pre-render, Quarto, post-render ----------------------------------------


def simulate_quarto(root: Path, posts, *, execute: set[str]) -> None:
    """What Quarto does for a post it executes: its frozen results, and the post's outputs."""
    for post in posts:
        folder = post.path.parent
        if folder.name not in execute:
            continue
        results = freeze.entry_dir(post, root) / freeze.FROZEN_RESULT
        results.parent.mkdir(parents=True, exist_ok=True)
        results.write_text('{"hash": "x", "result": {}}')
        (folder / "figures").mkdir(exist_ok=True)
        (folder / "figures" / "returns.svg").write_text("<svg/>")
        (folder / "preview.png").write_bytes(b"\x89PNG")


def build(project, *, quarto_executes=None, execute_all=False) -> set[str]:
    """One build: pre-render plans, Quarto executes what has no frozen results, post-render."""
    root, store, package = project
    posts = find_posts(root / "posts")
    inputs = fingerprint.FingerprintInputs(store, root, now=NOW, package_dir=package)
    decisions = freeze.decide(posts, inputs, execute_all=execute_all)
    freeze.prepare_build(decisions, root)
    without_results = {
        p.path.parent.name
        for p in posts
        if not (freeze.entry_dir(p, root) / freeze.FROZEN_RESULT).is_file()
    }
    simulate_quarto(root, posts, execute=without_results if quarto_executes is None else set())
    if quarto_executes is None:
        freeze.record_executed(root)
    return {d.folder for d in decisions if d.execute}


def plan(project) -> dict[str, list[str]]:
    root, store, package = project
    inputs = fingerprint.FingerprintInputs(store, root, now=NOW, package_dir=package)
    return {d.folder: d.reasons for d in freeze.decide(find_posts(root / "posts"), inputs)}


def test_a_second_build_executes_nothing(project):
    assert build(project) == set(POSTS)
    assert build(project) == set()
    assert all(reasons == [] for reasons in plan(project).values())


def test_records_sit_beside_quartos_results(project):
    root = project[0]
    build(project)
    record = json.loads(
        (root / "_freeze" / "posts" / "2025-01-20-iwm" / "fingerprint.json").read_text()
    )
    assert record["outputs"] == ["figures/returns.svg", "preview.png"]
    assert (root / "_freeze/posts/2025-01-20-iwm/index/execute-results/html.json").is_file()


def test_a_new_bar_clears_exactly_the_frozen_results_of_the_posts_that_read_it(project):
    root, store, _ = project
    build(project)
    add_bar(store, "IWM")
    reasons = plan(project)
    assert {name for name, why in reasons.items() if why} == {
        "2025-01-20-iwm",
        "2025-01-21-apple-and-iwm",
    }
    assert reasons["2025-01-20-iwm"] == ["data changed: IWM +1 bar"]
    assert build(project, quarto_executes=set()) == {"2025-01-20-iwm", "2025-01-21-apple-and-iwm"}
    for name in POSTS:
        entry = root / "_freeze" / "posts" / name / "index"
        folder = root / "posts" / name
        cleared = name in {"2025-01-20-iwm", "2025-01-21-apple-and-iwm"}
        assert entry.exists() is not cleared
        # No chart from the older data survives into the new execution.
        assert (folder / "preview.png").exists() is not cleared
        assert (folder / "figures").exists() is not cleared


def test_a_render_that_fails_before_post_render_executes_again_next_time(project):
    _, store, _ = project
    build(project)
    add_bar(store, "^RUT")
    # Quarto executes the two posts but the render fails: post-render never runs.
    build(project, quarto_executes=set())
    assert build(project) == {"2025-01-22-small-caps", "2025-01-23-breadth"}
    assert build(project) == set()


def test_a_post_the_render_did_not_execute_is_not_recorded(project):
    # A render of some posts only (`quarto render posts/<one>/index.qmd`), or one that stops
    # early, leaves planned posts without results: they must execute at the next build.
    root, store, package = project
    build(project)
    add_bar(store, "IWM")
    posts = find_posts(root / "posts")
    inputs = fingerprint.FingerprintInputs(store, root, now=NOW, package_dir=package)
    freeze.prepare_build(freeze.decide(posts, inputs), root)
    simulate_quarto(root, posts, execute={"2025-01-20-iwm"})
    assert freeze.record_executed(root) == ["2025-01-20-iwm"]
    assert build(project) == {"2025-01-21-apple-and-iwm"}


def test_a_deleted_freezer_executes_everything(project):
    root = project[0]
    build(project)
    shutil.rmtree(root / "_freeze")
    assert set(plan(project)) == set(POSTS)
    assert all(why == ["no record of an earlier execution"] for why in plan(project).values())
    assert build(project) == set(POSTS)


def test_missing_results_or_outputs_execute_the_post(project):
    root = project[0]
    build(project)
    shutil.rmtree(root / "_freeze" / "posts" / "2025-01-20-iwm" / "index")
    (root / "posts" / "2025-01-22-small-caps" / "preview.png").unlink()
    reasons = plan(project)
    assert reasons["2025-01-20-iwm"] == ["no frozen results"]
    assert reasons["2025-01-22-small-caps"] == ["outputs missing: preview.png"]
    assert build(project) == {"2025-01-20-iwm", "2025-01-22-small-caps"}


def test_executing_everything_can_be_forced(project, monkeypatch):
    build(project)
    assert build(project, execute_all=True) == set(POSTS)
    monkeypatch.setenv(freeze.EXECUTE_ALL_ENV, "1")
    assert all(why == ["forced (ANALYSIS_EXECUTE_ALL=1)"] for why in plan(project).values())


def test_post_render_without_a_plan_records_nothing(project):
    root = project[0]
    assert freeze.record_executed(root) == []
    assert not (root / "_freeze").exists()


# -- the command line --------------------------------------------------------------------------


def cli_build(root: Path, capsys) -> str:
    """A build through the command line: prerender, Quarto (simulated), postrender."""
    posts_dir = str(root / "posts")
    assert cli.main(["prerender", "--posts-dir", posts_dir]) == 0
    simulate_quarto(root, find_posts(root / "posts"), execute=set(POSTS))
    assert cli.main(["postrender", "--posts-dir", posts_dir]) == 0
    return capsys.readouterr().out


def test_status_lists_the_posts_the_next_build_executes_and_why(project, monkeypatch, capsys):
    root, store, _ = project
    monkeypatch.setenv("ANALYSIS_DATA_DIR", str(store.root))
    monkeypatch.setenv("ANALYSIS_OFFLINE", "1")
    cli_build(root, capsys)
    add_bar(store, "AAPL")
    code = cli.main(["status", "--posts-dir", str(root / "posts")])
    out, err = capsys.readouterr()
    assert code == 0, err
    tail = out.split("The next build executes", 1)[1].splitlines()
    assert tail[0] == " 1 of 4 posts:"
    assert tail[1:] == ["  2025-01-21-apple-and-iwm: data changed: AAPL +1 bar"]


def test_prerender_and_postrender_through_the_command_line(project, monkeypatch, capsys):
    root, store, _ = project
    monkeypatch.setenv("ANALYSIS_DATA_DIR", str(store.root))
    monkeypatch.setenv("ANALYSIS_OFFLINE", "1")
    out = cli_build(root, capsys)
    assert "executes 2025-01-20-iwm: no record of an earlier execution" in out
    assert "recorded the fingerprint of 2025-01-20-iwm" in out
    posts_dir = str(root / "posts")
    assert cli.main(["prerender", "--posts-dir", posts_dir]) == 0
    out = capsys.readouterr().out
    assert "frozen   2025-01-20-iwm: unchanged since its last execution" in out
    assert "executes" not in out


def test_the_projects_post_render_script_records_what_executed(project, monkeypatch, capsys):
    root, store, _ = project
    monkeypatch.setenv("ANALYSIS_DATA_DIR", str(store.root))
    monkeypatch.setenv("ANALYSIS_OFFLINE", "1")
    assert cli.main(["prerender", "--posts-dir", str(root / "posts")]) == 0
    simulate_quarto(root, find_posts(root / "posts"), execute=set(POSTS))
    (root / "_site").mkdir()
    script = (
        PROJECT_ROOT
        / yaml.safe_load((PROJECT_ROOT / "_quarto.yml").read_text())["project"]["post-render"]
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=root,
        env={**os.environ, "QUARTO_PROJECT_OUTPUT_DIR": str(root / "_site")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    recorded = {line.rsplit(" ", 1)[1] for line in done.stdout.splitlines() if "recorded" in line}
    assert recorded == set(POSTS)
    assert all(freeze.record_path(post, root).is_file() for post in find_posts(root / "posts"))


def test_an_unreadable_provenance_executes_the_post_and_says_why(project):
    store = project[1]
    build(project)
    (store.root / "series" / "AAPL.json").write_text("{not json")
    reasons = plan(project)
    assert {name for name, why in reasons.items() if why} == {"2025-01-21-apple-and-iwm"}
    (why,) = reasons["2025-01-21-apple-and-iwm"]
    assert why.startswith("data changed: AAPL provenance of AAPL is unreadable")
