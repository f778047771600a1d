"""The page tests find a browser the way CI and a Debian machine provide one."""

import pytest
from site_render import browser_required, find_browser


def executables(folder, *names):
    folder.mkdir(exist_ok=True)
    for name in names:
        path = folder / name
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    return str(folder)


@pytest.mark.parametrize(
    ("installed", "found"),
    [
        (["google-chrome"], "google-chrome"),  # GitHub's Ubuntu runners
        (["chromium"], "chromium"),  # Debian
        (["google-chrome-stable"], "google-chrome-stable"),
        (["google-chrome", "chromium"], "chromium"),  # Debian's first when both are there
        ([], None),
    ],
)
def test_finds_chromium_or_google_chrome_on_path(tmp_path, installed, found):
    path = executables(tmp_path / "bin", *installed)
    expected = str(tmp_path / "bin" / found) if found else None
    assert find_browser({"PATH": path}) == expected


def test_a_named_browser_wins_and_must_exist(tmp_path):
    path = executables(tmp_path / "bin", "chromium")
    mine = tmp_path / "bin" / "my-chrome"
    mine.write_text("")
    assert find_browser({"PATH": path, "ANALYSIS_BROWSER": str(mine)}) == str(mine)
    missing = str(tmp_path / "nope")
    assert find_browser({"PATH": path, "ANALYSIS_BROWSER": missing}) is None


def test_ci_can_require_the_browser_tests():
    assert browser_required({"ANALYSIS_REQUIRE_BROWSER": "1"})
    assert not browser_required({"ANALYSIS_REQUIRE_BROWSER": "0"})
    assert not browser_required({})
