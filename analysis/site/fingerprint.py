"""A post's fingerprint: everything its numbers depend on, hashed without reading price files.

- the files in its folder (``index.qmd``, ``headline.py``, any other file), apart from what
  builds write there (``figures/``, ``preview.png``, the computed-title ``_metadata.yml``);
- for each series it declares, the stored checksum and what the page says about it (rows,
  last bar, source, notes, stale or not), read from the store's provenance JSON only;
- for each universe it declares, the holdings file it reads and its members: for a live post
  (no ``window``) the latest file and every member's stored checksum; for a post pinned to
  its window's as-of, the file dated on or before that day and a hash of each member's
  adjusted closes up to that day and no later, so a member's bar after the window
  changes nothing (members no longer served by the source are marked as such);
- the content and version of the ``analysis`` package and of ``posts/_metadata.yml``;
- the Python version and the versions of the packages ``analysis`` depends on;
- the ``execute`` options of ``_quarto.yml`` (echo, warning, error, ...) and the version of
  Quarto running the build (``quarto --version``): either changes what an executed page
  shows, though no file of the post changed.

:func:`explain` says in words what moved between two fingerprints ("data changed: ^RUT +1
bar"). :mod:`analysis.site.freeze` decides from them which posts a build executes.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd
import yaml

from analysis.data.errors import DataError
from analysis.data.freshness import is_current
from analysis.data.frontmatter import Post
from analysis.data.load import SeriesStatus
from analysis.data.store import Store, utc_now_iso
from analysis.data.universe_reads import read_date
from analysis.site.universe_fingerprint import universe_part

PACKAGE = "analysis"
# What builds write into a post's folder: not part of the post's source.
OUTPUTS = ("figures", "preview.png")
_WRITTEN_BY_BUILD = {*OUTPUTS, "_metadata.yml", "__pycache__", ".ipynb_checkpoints"}
# The package's own fakes and fixtures: posts never import them.
_PACKAGE_EXCLUDED = {"__pycache__", "testing"}
_REQUIREMENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")
QUARTO_CONFIG = "_quarto.yml"
# Quarto's launcher exports the folder it runs from to every script of the build, so the
# pre- and post-render steps ask the Quarto that renders, not another one on PATH.
QUARTO_BIN_ENV = "QUARTO_BIN_PATH"
NO_QUARTO = "none"


# -- hashing --------------------------------------------------------------------------------


def _sha256(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def _digest(value) -> str:
    """A stable hash of JSON-able data."""
    return _sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8"))


def _is_written_by_build(relative: Path) -> bool:
    top = relative.parts[0]
    return (
        top in _WRITTEN_BY_BUILD
        or top.endswith("_files")
        or any(part.startswith(".") or part == "__pycache__" for part in relative.parts)
        or relative.name.endswith((".quarto_ipynb", ".pyc"))
    )


def folder_hashes(folder: Path, *, skip=_is_written_by_build) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` that ``skip`` keeps, by relative POSIX path."""
    hashes = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not skip(relative):
            hashes[relative.as_posix()] = _sha256(path.read_bytes())
    return hashes


def _package_file_skipped(relative: Path) -> bool:
    return bool(_PACKAGE_EXCLUDED & set(relative.parts)) or relative.suffix == ".pyc"


def _package_version() -> str:
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def environment_versions() -> dict[str, str]:
    """Python's version and the installed version of each package ``analysis`` requires."""
    versions = {"python": platform.python_version()}
    try:
        requirements = importlib.metadata.requires(PACKAGE) or []
    except importlib.metadata.PackageNotFoundError:
        requirements = []
    for requirement in requirements:
        if "extra ==" in requirement:
            continue  # test and site tools do not run in posts
        match = _REQUIREMENT_NAME.match(requirement)
        if match:
            name = match.group(0)
            try:
                versions[name] = importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                versions[name] = "missing"
    return versions


def quarto_executable(environ=None) -> str | None:
    """The Quarto running this build (``QUARTO_BIN_PATH``), else ``quarto`` on PATH."""
    environ = os.environ if environ is None else environ
    folder = environ.get(QUARTO_BIN_ENV)
    if folder and Path(folder, "quarto").is_file():
        return str(Path(folder, "quarto"))
    return shutil.which("quarto")


@lru_cache(maxsize=8)
def _version_of(executable: str) -> str:
    try:
        done = subprocess.run(
            [executable, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc.__class__.__name__})"
    return done.stdout.strip() or f"unknown (exit {done.returncode})"


def quarto_version(executable: str | None = None) -> str:
    """``quarto --version`` of the Quarto running the build; ``none`` without one."""
    executable = executable or quarto_executable()
    return _version_of(executable) if executable else NO_QUARTO


def execute_options(project_root: Path) -> dict:
    """The ``execute`` options of the project's ``_quarto.yml`` (empty if it sets none)."""
    path = Path(project_root) / QUARTO_CONFIG
    if not path.is_file():
        return {}
    config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    options = config.get("execute") if isinstance(config, dict) else None
    # JSON-able as the fingerprint must be: dates and the like as text.
    return json.loads(json.dumps(options or {}, sort_keys=True, default=str))


# -- fingerprints ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    """What a post's numbers depend on: ``parts`` in full, ``digest`` as one hash."""

    parts: dict

    @cached_property
    def digest(self) -> str:
        """SHA-256 of the parts."""
        return _digest(self.parts)


class FingerprintInputs:
    """What several posts' fingerprints share, each read once per build.

    Parameters
    ----------
    store : Store
        The data store posts read.
    project_root : Path
        The project (``posts/_metadata.yml`` lives under it).
    now : optional
        The time at which staleness is judged (default: now), as posts judge it.
    package_dir : Path, optional
        The ``analysis`` package folder (default: the one imported).
    quarto : str, optional
        The Quarto version (default: :func:`quarto_version`); tests pass one in.
    """

    def __init__(
        self, store: Store, project_root: Path, *, now=None, package_dir=None, quarto=None
    ):
        self.store = store
        self.quarto = quarto
        self.project_root = Path(project_root)
        self.now = now if now is not None else utc_now_iso()
        self.package_dir = Path(package_dir or Path(__file__).resolve().parents[1])
        self._series: dict[str, dict] = {}
        self._universes: dict[tuple, dict] = {}

    @cached_property
    def shared(self) -> dict:
        """The parts every post has in common: package, shared metadata, environment."""
        metadata = self.project_root / "posts" / "_metadata.yml"
        quarto = self.quarto if self.quarto is not None else quarto_version()
        return {
            "package": {
                "version": _package_version(),
                "files": _digest(folder_hashes(self.package_dir, skip=_package_file_skipped)),
            },
            "posts_metadata": _sha256(metadata.read_bytes()) if metadata.is_file() else None,
            "environment": {**environment_versions(), "quarto": quarto},
            "execute": execute_options(self.project_root),
        }

    def series(self, symbol: str) -> dict:
        """What a page shows of a stored series, from its provenance alone."""
        if symbol not in self._series:
            try:
                prov = self.store.provenance(symbol)
            except DataError as exc:  # unreadable (and quarantined): the post must execute
                self._series[symbol] = {"error": str(exc)}
                return self._series[symbol]
            if prov is None:
                self._series[symbol] = {"missing": True}
            else:
                stale = prov.last_error is not None or not is_current(prov, self.now)
                self._series[symbol] = {
                    "checksum": prov.checksum,
                    "rows": prov.rows,
                    "first_bar": prov.first_bar,
                    "last_bar": prov.last_bar,
                    "source": prov.source,
                    "notes": list(prov.notes),
                    "stale": SeriesStatus(symbol, prov, stale).reason,
                }
        return self._series[symbol]

    def universe(self, name: str, as_of=None) -> dict:
        """The holdings file a post reads and its members' data, live or up to ``as_of``."""
        key = (name, None if as_of is None else pd.Timestamp(as_of).normalize())
        if key not in self._universes:
            self._universes[key] = universe_part(self.store, *key)
        return self._universes[key]

    def fingerprint(self, post: Post) -> Fingerprint:
        """The fingerprint of one post."""
        return Fingerprint(
            {
                "source": folder_hashes(post.path.parent),
                "series": {symbol: self.series(symbol) for symbol in post.series},
                "universes": {
                    name: self.universe(name, read_date(post)) for name in post.universes
                },
                **self.shared,
            }
        )


# -- what changed ---------------------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _series_change(symbol: str, old: dict | None, new: dict) -> str | None:
    if old == new:
        return None
    if old is None:
        return f"{symbol} newly declared"
    if new.get("missing") or "error" in new:
        return f"{symbol} {new.get('error', 'no longer in the store')}"
    if old.get("missing") or "error" in old:
        return f"{symbol} now in the store"
    words = []
    added = new["rows"] - old["rows"]
    if new["last_bar"] != old["last_bar"] and added > 0:
        words.append(f"+{_plural(added, 'bar')}")
    elif new["checksum"] != old["checksum"]:
        words.append("rows revised")
    if new["source"] != old["source"]:
        words.append("new source")
    if new["stale"] != old["stale"]:
        words.append("now stale" if new["stale"] else "now fresh")
    if new["notes"] != old["notes"]:
        words.append("new notes")
    return f"{symbol} {', '.join(words) or 'changed'}"


def _universe_change(name: str, old: dict | None, new: dict) -> str | None:
    if old == new:
        return None
    if old is None or "members" not in old or "members" not in new:
        return f"universe {name} changed"
    words = []
    if old["holdings"] != new["holdings"]:
        as_of = (new["holdings"] or {}).get("as_of", "none")
        words.append(f"holdings of {as_of}")
    changed = {s for s in old["members"].keys() | new["members"].keys()}
    changed = {s for s in changed if old["members"].get(s) != new["members"].get(s)}
    if changed:
        words.append(f"{_plural(len(changed), 'member')} changed")
    return f"{name} {', '.join(words) or 'changed'}"


def explain(old: dict, new: dict) -> list[str]:
    """Why a post's fingerprint changed, in short phrases ("data changed: ^RUT +1 bar")."""
    reasons = []
    if old.get("source") != new["source"]:
        files = sorted(
            name
            for name in (old.get("source") or {}).keys() | new["source"].keys()
            if (old.get("source") or {}).get(name) != new["source"].get(name)
        )
        reasons.append(f"source changed ({', '.join(files)})")
    old_series = old.get("series") or {}
    data = [
        change
        for symbol, part in new["series"].items()
        if (change := _series_change(symbol, old_series.get(symbol), part))
    ]
    old_universes = old.get("universes") or {}
    data += [
        change
        for name, part in new["universes"].items()
        if (change := _universe_change(name, old_universes.get(name), part))
    ]
    if data:
        reasons.append(f"data changed: {'; '.join(data)}")
    if old.get("package") != new["package"]:
        reasons.append("package changed")
    if old.get("posts_metadata") != new["posts_metadata"]:
        reasons.append("posts/_metadata.yml changed")
    if old.get("execute") != new.get("execute"):
        old_execute, new_execute = old.get("execute") or {}, new.get("execute") or {}
        moved = sorted(
            name
            for name in old_execute.keys() | new_execute.keys()
            if old_execute.get(name) != new_execute.get(name)
        )
        reasons.append(f"{QUARTO_CONFIG} execute options changed ({', '.join(moved)})")
    old_env, new_env = old.get("environment") or {}, new["environment"]
    if old_env != new_env:
        moved = [
            f"{name} {old_env.get(name, 'none')} → {new_env.get(name, 'none')}"
            for name in sorted(old_env.keys() | new_env.keys())
            if old_env.get(name) != new_env.get(name)
        ]
        reasons.append(f"environment changed: {', '.join(moved)}")
    return reasons or ["fingerprint changed"]
