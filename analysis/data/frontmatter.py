"""Posts as data: their folders, front matter, and the series each one declares.

A post declares what it reads in its front matter::

    series: [^RUT, ^GSPC, IWM, fred:DFEDTARU]
    required: [^RUT]        # optional: the series the post cannot exist without
    universes: [IWM]        # optional: every member of an iShares fund, for market breadth

The pre-render fetch collects these from every post so a build asks each source once per
series, not once per post.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis.data.errors import MalformedDataError
from analysis.data.funds import fund_for, is_fund_ticker
from analysis.data.settings import POSTS_DIR

SERIES_KEY = "series"
REQUIRED_KEY = "required"
UNIVERSES_KEY = "universes"


@dataclass(frozen=True)
class Post:
    """A post folder and its parsed front matter."""

    path: Path
    front_matter: dict

    @property
    def series(self) -> list[str]:
        """The series the post declares (empty if it declares none)."""
        return list(self.front_matter.get(SERIES_KEY) or [])

    @property
    def required(self) -> list[str]:
        """The declared series the post cannot exist without (empty if none is marked).

        The pre-render step stops the build when one of them is missing, instead of
        letting the post fail in a cell; every other series may be missing, and the
        section that uses it says so.
        """
        return list(self.front_matter.get(REQUIRED_KEY) or [])

    @property
    def universes(self) -> list[str]:
        """The member universes the post declares (empty if none)."""
        return list(self.front_matter.get(UNIVERSES_KEY) or [])


# libyaml's parser when PyYAML was built with it: the same safe loading, about ten times
# faster on a long front matter (a post's claims), which posts read several times per build.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str):
    """Parse YAML text safely (plain data only), with libyaml when it is available."""
    return yaml.load(text, Loader=_SAFE_LOADER)


def read_front_matter(path: Path) -> dict:
    """Parse the YAML block at the top of a ``.qmd`` file.

    Raises
    ------
    MalformedDataError
        No front matter, invalid YAML, a ``series`` key that is not a list of strings, or
        a ``required`` key that is not a list drawn from ``series``.
    """
    text = Path(path).read_text(encoding="utf-8")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise MalformedDataError(f"{path}: no front matter (the file must start with ---)")
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() in ("---", "..."))
    except StopIteration:
        raise MalformedDataError(f"{path}: front matter is not closed with ---") from None
    try:
        meta = parse_yaml("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        raise MalformedDataError(f"{path}: front matter is not valid YAML ({exc})") from None
    if not isinstance(meta, dict):
        raise MalformedDataError(f"{path}: front matter must be a mapping")
    series = meta.get(SERIES_KEY, [])
    if not isinstance(series, list) or not all(isinstance(s, str) and s for s in series):
        raise MalformedDataError(f"{path}: '{SERIES_KEY}' must be a list of symbols")
    required = meta.get(REQUIRED_KEY, [])
    if not isinstance(required, list) or not all(isinstance(s, str) for s in required):
        raise MalformedDataError(f"{path}: '{REQUIRED_KEY}' must be a list of symbols")
    undeclared = [s for s in required if s not in series]
    if undeclared:
        raise MalformedDataError(
            f"{path}: '{REQUIRED_KEY}' names {', '.join(undeclared)}, not in '{SERIES_KEY}' "
            f"(a required series must also be declared there)"
        )
    universes = meta.get(UNIVERSES_KEY, [])
    if not isinstance(universes, list) or not all(is_fund_ticker(u) for u in universes):
        raise MalformedDataError(
            f"{path}: '{UNIVERSES_KEY}' must be a list of iShares fund tickers (IWM, IJR, ...)"
        )
    for name in universes:
        try:
            fund_for(name)
        except MalformedDataError as exc:
            raise MalformedDataError(f"{path}: {exc}") from None
    return meta


def find_posts(posts_dir: Path = POSTS_DIR) -> list[Post]:
    """Every ``posts/*/index.qmd``, newest folder first."""
    paths = sorted(Path(posts_dir).glob("*/index.qmd"), reverse=True)
    return [Post(path, read_front_matter(path)) for path in paths]


def declared_series(posts: list[Post]) -> list[str]:
    """The union of the posts' declared series, in first-seen order."""
    return list(dict.fromkeys(symbol for post in posts for symbol in post.series))
