"""Where things live and how the data layer behaves, read from the environment.

There must be no other `analysis` import in this module: everything else depends on it.
Paths come from the package's own location, never from the working directory, because
Quarto runs each post from the post's folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
POSTS_DIR = PROJECT_ROOT / "posts"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
RESEARCH_SETTINGS_FILE = PROJECT_ROOT / "research.yml"

DATA_DIR_ENV = "ANALYSIS_DATA_DIR"
OFFLINE_ENV = "ANALYSIS_OFFLINE"
MAX_STALE_ENV = "ANALYSIS_MAX_STALE_SESSIONS"
LOCK_TIMEOUT_ENV = "ANALYSIS_LOCK_TIMEOUT"
YAHOO_RATE_ENV = "ANALYSIS_YAHOO_RATE"
FETCH_BUDGET_ENV = "ANALYSIS_FETCH_BUDGET"

# Requests per minute to Yahoo Finance: one a second stays well clear of the few hundred
# quick requests after which users report HTTP 429 and a block.
DEFAULT_YAHOO_RATE = 60.0
# Seconds the whole fetch step of a build may take (the posts' own series first, then
# universe members): nine minutes keeps a first `make site` under ten minutes of fetching.
DEFAULT_FETCH_BUDGET = 540.0

LIVE = "live"
OFFLINE = "offline"

_TRUE_WORDS = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """The data layer's configuration; build one with :func:`load_settings`.

    Attributes
    ----------
    data_dir : Path
        Root of the local store.
    mode : str
        ``"live"`` fetches what is missing; ``"offline"`` never touches the network.
    max_stale_sessions : int or None
        How many closed trading sessions a series may lag before using it is an error;
        ``None`` means stale data is used (and labelled) however old it is.
    lock_timeout : float
        Seconds to wait for another process's write lock before giving up.
    yahoo_rate : float
        Requests per minute to Yahoo Finance, at most.
    fetch_budget : float
        Seconds the whole fetch step may take, posts' series included (one deadline: no
        request leaves after it); what it did not reach waits for the next build.
    """

    data_dir: Path
    mode: str = LIVE
    max_stale_sessions: int | None = None
    lock_timeout: float = 30.0
    yahoo_rate: float = DEFAULT_YAHOO_RATE
    fetch_budget: float = DEFAULT_FETCH_BUDGET

    @property
    def offline(self) -> bool:
        """Whether the network is off limits."""
        return self.mode == OFFLINE


def load_settings(
    *, offline: bool | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Read settings from the environment; an explicit ``offline`` argument wins over it."""
    env = os.environ if environ is None else environ
    data_dir = resolve_data_dir(env)
    env_offline = env.get(OFFLINE_ENV, "").strip().lower() in _TRUE_WORDS
    mode = OFFLINE if (env_offline if offline is None else offline) else LIVE
    return Settings(
        data_dir=data_dir,
        mode=mode,
        max_stale_sessions=_optional_int(env, MAX_STALE_ENV),
        lock_timeout=float(env.get(LOCK_TIMEOUT_ENV) or 30.0),
        yahoo_rate=_positive(env, YAHOO_RATE_ENV, DEFAULT_YAHOO_RATE, "requests per minute"),
        fetch_budget=_positive(env, FETCH_BUDGET_ENV, DEFAULT_FETCH_BUDGET, "seconds"),
    )


def resolve_data_dir(environ: dict[str, str] | None = None) -> Path:
    """The store's folder: ``ANALYSIS_DATA_DIR`` (relative to the project) or ``data/``."""
    env = os.environ if environ is None else environ
    data_dir = Path(env.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR).expanduser()
    return data_dir if data_dir.is_absolute() else PROJECT_ROOT / data_dir


def _optional_int(env, name: str) -> int | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(
            f"{name} must be a whole number of trading sessions, got {raw!r}"
        ) from None
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


def _positive(env, name: str, default: float, unit: str) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of {unit}, got {raw!r}") from None
    if not value > 0 or value == float("inf"):
        raise ValueError(f"{name} must be a positive number of {unit}, got {raw!r}")
    return value


@dataclass(frozen=True)
class ResearchSettings:
    """A site's defaults for new posts, from ``research.yml``.

    Attributes
    ----------
    author : str or None
        Author written into new posts; ``None`` leaves it to ``posts/_metadata.yml``.
    benchmarks : tuple of str
        Symbols every new post compares against (added after the post's own symbols).
    categories : tuple of str
        Categories a new post starts with.
    """

    author: str | None = None
    benchmarks: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


def load_research_settings(path: Path | None = None) -> ResearchSettings:
    """Read ``research.yml`` (by default the project's); a missing file gives empty defaults.

    Raises
    ------
    ValueError
        The file is not valid YAML, or a key has the wrong type (the message names the
        file and the key).
    """
    raw, path = read_research_yaml(path)
    author = raw.get("author")
    if author is not None and (not isinstance(author, str) or not author.strip()):
        raise ValueError(f"{path}: 'author' must be a non-empty text")
    return ResearchSettings(
        author=author.strip() if author else None,
        benchmarks=_text_list(raw, "benchmarks", path),
        categories=_text_list(raw, "categories", path),
    )


def read_research_yaml(path: Path | None = None) -> tuple[dict, Path]:
    """``research.yml`` as a dict (empty if the file is missing), and its path.

    Raises
    ------
    ValueError
        Not valid YAML, or not a mapping.
    """
    path = Path(path) if path is not None else RESEARCH_SETTINGS_FILE
    if not path.is_file():
        return {}, path
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ValueError(f"{path}: not valid YAML ({problem})") from None
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected key: value settings, got {type(raw).__name__}")
    return raw, path


def _text_list(raw: dict, key: str, path: Path) -> tuple[str, ...]:
    value = raw.get(key)
    if value is None:
        return ()
    # A lone value (``benchmarks: ^GSPC``) is read as a list of one.
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
        raise ValueError(f"{path}: '{key}' must be a list of non-empty texts")
    return tuple(dict.fromkeys(i.strip() for i in items))
