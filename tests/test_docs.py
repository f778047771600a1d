"""The README and docs/: every link, command, setting and name they mention is real.

Documentation rots silently: a moved section breaks a link, a renamed option leaves a command
that fails on a newcomer's first try. These tests read README.md and docs/*.md and check
each reference against the project itself, and run the commands that are safe to run.
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
import yaml

from analysis.data.settings import PROJECT_ROOT

DOCS_DIR = PROJECT_ROOT / "docs"
PAGES = [PROJECT_ROOT / "README.md", *sorted(DOCS_DIR.glob("*.md"))]
FENCE = re.compile(r"^( {0,3})(```|~~~)[^\n]*\n(.*?)^\1\2[ \t]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"(`+)(.+?)\1", re.DOTALL)
LINK = re.compile(r"!?\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
# Folders whose files the docs name by path, and which are committed (so must exist).
CHECKED_PREFIXES = ("analysis/", "tests/", "benchmarks/", "docs/", ".github/", "posts/_")
# Where the code that reads an environment variable may live.
CODE_GLOBS = (
    "analysis/**/*.py",
    "tests/**/*.py",
    "benchmarks/*.py",
    ".github/workflows/*.yml",
    "Makefile",
    "_environment*",
    "*.py",
)


def _text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def _split(text: str) -> tuple[str, list[str]]:
    """The prose of a page (code blocks and code spans blanked out) and its pieces of code."""
    code = [m.group(3) for m in FENCE.finditer(text)]
    prose = FENCE.sub("", text)
    code += [m.group(2) for m in INLINE_CODE.finditer(prose)]
    prose = INLINE_CODE.sub(lambda m: " " * len(m.group(0)), prose)
    return prose, code


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens."""
    heading = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", heading).replace(" ", "-")


@cache
def _anchors(page: Path) -> frozenset[str]:
    prose = FENCE.sub("", _text(page))
    seen: dict[str, int] = {}
    anchors = set()
    for heading in HEADING.findall(prose):
        slug = _slug(heading)
        count = seen.get(slug, 0)
        anchors.add(slug if count == 0 else f"{slug}-{count}")
        seen[slug] = count + 1
    return frozenset(anchors)


def _links(page: Path) -> list[tuple[str, str]]:
    prose, _ = _split(_text(page))
    return [(m.group("text"), m.group("target")) for m in LINK.finditer(prose)]


def _code(page: Path) -> list[str]:
    return _split(_text(page))[1]


def _all_code() -> list[tuple[Path, str]]:
    return [(page, piece) for page in PAGES for piece in _code(page)]


def _page_id(page: Path) -> str:
    return str(page.relative_to(PROJECT_ROOT))


def broken_links(page: Path) -> list[str]:
    """Each relative link of a page whose file or heading anchor does not exist."""
    broken = []
    for _, target in _links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        path_part, _, anchor = target.partition("#")
        resolved = (page.parent / path_part).resolve() if path_part else page
        if not resolved.exists():
            broken.append(f"{target}: no file {resolved}")
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
            broken.append(f"{target}: no heading with anchor #{anchor} in {resolved.name}")
    return broken


# ---------------------------------------------------------------- the pages and their links


def test_the_docs_pages_exist_and_the_readme_fits_on_a_few_screens():
    names = {page.name for page in PAGES}
    for name in ("writing-a-post.md", "data.md", "publishing.md", "testing.md", "architecture.md"):
        assert name in names
    readme = _text(PROJECT_ROOT / "README.md").splitlines()
    assert len(readme) <= 150
    # The two commands and the start of the fork-to-post steps are on the first screen.
    first_screen = "\n".join(readme[:40])
    assert "make site" in first_screen and "make test" in first_screen
    assert "## From fork to your first published post" in first_screen
    assert "\n1. **Fork**" in first_screen


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_every_relative_link_and_anchor_resolves(page):
    assert _links(page) or page.name == "README.md"
    assert broken_links(page) == []


def test_the_link_check_finds_a_broken_link_and_a_broken_anchor(tmp_path):
    (tmp_path / "other.md").write_text("# Other page\n\n## The site's address\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](other.md#the-sites-address) [gone](missing.md) [bad](other.md#nowhere)\n"
        "```\n[in code](not-a-link.md)\n```\n",
        encoding="utf-8",
    )
    assert broken_links(page) == [
        f"missing.md: no file {tmp_path / 'missing.md'}",
        "other.md#nowhere: no heading with anchor #nowhere in other.md",
    ]


def test_every_docs_page_is_linked_from_the_readme():
    linked = {target.partition("#")[0] for _, target in _links(PROJECT_ROOT / "README.md")}
    for page in PAGES[1:]:
        assert f"docs/{page.name}" in linked, page.name


def test_the_readme_picture_is_a_small_png_with_alt_text():
    images = [
        (text, target)
        for text, target in _links(PROJECT_ROOT / "README.md")
        if target.startswith("docs/images/")
    ]
    assert len(images) == 1
    alt, target = images[0]
    png = (PROJECT_ROOT / target).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) < 200_000
    assert len(alt.split()) >= 10  # says what the chart shows, not just "chart"


# ---------------------------------------------------------------- kept out of the site


def _render_patterns(config: Path) -> list[str] | None:
    project = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("project") or {}
    return project.get("render")


def test_the_site_renders_an_explicit_list_that_leaves_docs_out():
    # Without a render list Quarto renders every .md and .qmd in the project, docs/ too.
    patterns = _render_patterns(PROJECT_ROOT / "_quarto.yml")
    assert patterns, "_quarto.yml must list what it renders"
    for profile in PROJECT_ROOT.glob("_quarto-*.yml"):
        override = _render_patterns(profile)
        assert override is None or override == patterns, profile.name
    docs = [str(page.relative_to(PROJECT_ROOT)) for page in DOCS_DIR.rglob("*.md")]
    assert docs
    for pattern in patterns:
        assert not pattern.startswith(("docs", "*", "**")), pattern
        assert not [doc for doc in docs if fnmatch.fnmatch(doc, pattern)], pattern
        rendered = [p.relative_to(PROJECT_ROOT) for p in PROJECT_ROOT.glob(pattern)]
        assert rendered and not [p for p in rendered if p.parts[0] == "docs"], pattern


# ---------------------------------------------------------------- make targets


@cache
def _make_targets() -> frozenset[str]:
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    return frozenset(re.findall(r"^([A-Za-z][\w-]*)\s*:(?!=)", makefile, re.MULTILINE))


def _named_make_targets() -> set[str]:
    named = set()
    for _, code in _all_code():
        named |= set(re.findall(r"(?<![\w/-])make ([a-z][\w-]*)", code))
    return named


def test_every_make_target_the_docs_name_exists():
    named = _named_make_targets()
    assert {"site", "test", "site-offline", "site-full", "preview", "mutation"} <= named
    assert sorted(named - _make_targets()) == []


def test_make_knows_how_to_run_every_target_the_docs_name():
    for target in sorted(_named_make_targets()):
        dry_run = subprocess.run(
            ["make", "-n", target], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60
        )
        assert dry_run.returncode == 0, (target, dry_run.stderr)


# ---------------------------------------------------------------- python -m analysis


@cache
def _commands() -> dict[str, argparse.ArgumentParser]:
    from analysis.cli import _parser

    parser = _parser()
    (subparsers,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(subparsers.choices)


def _named_commands() -> list[tuple[str, list[str]]]:
    """Each ``python -m analysis COMMAND ...`` in the docs: the command and its options."""
    named = []
    for _, code in _all_code():
        for line in code.splitlines():
            for match in re.finditer(r"python -m analysis\b([^`#│\n]*)", line):
                for alternative in match.group(1).split("|"):
                    words = alternative.split()
                    if not words or words[0] in ("...", "--help") or words[0].startswith("<"):
                        continue
                    options = [w.split("=")[0] for w in words[1:] if w.startswith("--")]
                    named.append((words[0], options))
    return named


def test_every_command_and_option_the_docs_name_exists():
    named = _named_commands()
    assert {command for command, _ in named} == set(_commands())  # every command documented
    for command, options in named:
        assert command in _commands(), command
        known = {o for action in _commands()[command]._actions for o in action.option_strings}
        assert set(options) <= known, (command, options)


@pytest.mark.parametrize("command", [[], *([name] for name in sorted(_commands()))], ids=str)
def test_the_help_of_every_command_runs(command):
    result = subprocess.run(
        [sys.executable, "-m", "analysis", *command, "--help"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m analysis")


def test_status_runs_as_the_docs_show_it_on_an_empty_store(tmp_path):
    env = {**os.environ, "ANALYSIS_DATA_DIR": str(tmp_path / "data"), "ANALYSIS_OFFLINE": "1"}
    for argv in (["status"], ["status", "--format", "markdown"]):
        result = subprocess.run(
            [sys.executable, "-m", "analysis", *argv],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- settings, files, names


@cache
def _code_text() -> str:
    files = {path for pattern in CODE_GLOBS for path in PROJECT_ROOT.glob(pattern)}
    return "\n".join(
        path.read_text(encoding="utf-8")
        for path in sorted(files)
        if path.is_file() and ".venv" not in path.parts and path.name != "test_docs.py"
    )


def test_every_environment_variable_the_docs_name_is_read_somewhere():
    named = set()
    for page in PAGES:
        named |= set(re.findall(r"\bANALYSIS_[A-Z_]*[A-Z]\b", _text(page)))
        named |= set(re.findall(r"\b(?:PUBLISH_SCHEDULE|QUARTO_PYTHON)\b", _text(page)))
    assert {"ANALYSIS_DATA_DIR", "ANALYSIS_FETCH_BUDGET", "ANALYSIS_YAHOO_RATE"} <= named
    unread = sorted(name for name in named if not re.search(rf"\b{name}\b", _code_text()))
    assert unread == []


def test_every_setting_in_settings_py_is_documented():
    from analysis.data import settings

    documented = _text(DOCS_DIR / "data.md")
    for name in dir(settings):
        value = getattr(settings, name)
        if name.endswith("_ENV") and isinstance(value, str):
            assert f"`{value}`" in documented, value


def _named_paths() -> set[str]:
    paths = set()
    for _, code in _all_code():
        for word in code.split():
            word = word.strip("`'\"(),;:")
            if word.startswith(CHECKED_PREFIXES) and not re.search(r"[<*{$]", word):
                paths.add(word)
    return paths


def test_every_project_file_the_docs_name_exists():
    paths = _named_paths()
    assert "analysis/fetch/sources/transport.py" in paths
    assert sorted(p for p in paths if not (PROJECT_ROOT / p).exists()) == []


def _resolve(dotted: str):
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            target = getattr(target, attribute)
        return target
    raise ModuleNotFoundError(dotted)


def test_every_analysis_name_the_docs_mention_exists():
    named = set()
    for _, code in _all_code():
        named |= set(re.findall(r"(?<![\w/.-])analysis(?:\.[A-Za-z_]\w*)+", code))
    assert "analysis.data.store.WRITE_STEPS" in named
    missing = []
    for dotted in sorted(named):
        try:
            _resolve(dotted)
        except (ModuleNotFoundError, AttributeError):
            missing.append(dotted)
    assert missing == []


# Every section of the README before it became a front door, and the page that holds it now.
# Other pages and docstrings point at these headings; renaming one breaks them.
SECTIONS = {
    "writing-a-post.md": [
        "Writing a post",
        "What a post requires of its data",
        "Charts",
        "A chart of your own",
        "Building and previewing",
        "Accessibility",
        "When a post executes",
        "The first post",
    ],
    "data.md": [
        "Commands",
        "The first build",
        "Where the data comes from",
        "Pacing and the fetch budget",
        "The store",
        "Modes and settings",
        "Building offline from your own data",
        "Market breadth",
    ],
    "publishing.md": [
        "Publishing with GitHub Actions",
        "When a build fails",
        "Budget in the workflow",
        "Publishing your fork",
        "The site's address",
        "The schedule",
    ],
    "testing.md": [
        "Testing and benchmarks",
        "Tests that need more",
        "A write killed at any moment",
        "Mutation testing",
        "Benchmarks",
    ],
    "architecture.md": ["The layers", "Layout", "Where to put new code"],
}


@pytest.mark.parametrize("page", sorted(SECTIONS))
def test_every_former_readme_section_has_its_heading_in_docs(page):
    headings = set(HEADING.findall(FENCE.sub("", _text(DOCS_DIR / page))))
    assert sorted(set(SECTIONS[page]) - headings) == []
