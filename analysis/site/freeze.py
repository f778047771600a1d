"""Freeze posts on what they read: re-execute a post only when its code or its data changed.

Quarto's ``freeze: auto`` (``posts/_metadata.yml``) re-executes a post only when its
``index.qmd`` changes, so alone it would keep showing old numbers after the store gets a
new bar. This module gives each post a **fingerprint** of everything its numbers depend on:

- the files in its folder (``index.qmd``, ``headline.py``, any other file), apart from what
  builds write there (``figures/``, ``preview.png``, the computed-title ``_metadata.yml``);
- for each series it declares, the stored checksum and what the page says about it (rows,
  last bar, source, notes, stale or not), read from the store's provenance JSON only;
- for each universe it declares, the latest holdings file's checksum and every member's
  stored checksum;
- the content and version of the ``analysis`` package and of ``posts/_metadata.yml``;
- the Python version and the versions of the packages ``analysis`` depends on.

The build's pre-render step (:func:`prepare_build`) compares each post's fingerprint with
the one recorded at its last execution; when they differ (or nothing was recorded, or
Quarto's frozen results or the post's own outputs are missing), it deletes the post's
entry in ``_freeze/`` and its ``figures/`` and ``preview.png``, so Quarto executes it
afresh. The post-render step (:func:`record_executed`) records the fingerprint of each
post that executed, beside its entry: ``_freeze/posts/<folder>/fingerprint.json``.

A record is written only after Quarto has written the post's frozen results, and a frozen
result survives only while its record matches: a build that fails half way leaves posts
that execute again next time, never a page built from older data than the store holds.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from analysis.data.errors import DataError
from analysis.data.frontmatter import Post
from analysis.data.holdings import latest_holdings
from analysis.data.load import SeriesStatus
from analysis.data.store import Store, atomic_write, checksum, utc_now_iso
from analysis.data.update import is_current

FREEZE_DIR = "_freeze"
RECORD_FILE = "fingerprint.json"
# Quarto keeps a post's frozen results in _freeze/<post folder>/<stem>/ (the input's
# `<stem>_files` folder without the suffix); execute-results/html.json is the result.
FROZEN_RESULT = Path("execute-results") / "html.json"
# Written by the pre-render step for the post-render step of the same build.
PLAN_FILE = Path(".quarto") / "analysis-freeze-plan.json"
# Set to 1 (``make site-full``) to execute every post whatever its fingerprint says.
EXECUTE_ALL_ENV = "ANALYSIS_EXECUTE_ALL"
PACKAGE = "analysis"
# What builds write into a post's folder: not part of the post's source.
OUTPUTS = ("figures", "preview.png")
_WRITTEN_BY_BUILD = {*OUTPUTS, "_metadata.yml", "__pycache__", ".ipynb_checkpoints"}
# The package's own fakes and fixtures: posts never import them.
_PACKAGE_EXCLUDED = {"__pycache__", "testing"}
_REQUIREMENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


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
    """

    def __init__(self, store: Store, project_root: Path, *, now=None, package_dir=None):
        self.store = store
        self.project_root = Path(project_root)
        self.now = now if now is not None else utc_now_iso()
        self.package_dir = Path(package_dir or Path(__file__).resolve().parents[1])
        self._series: dict[str, dict] = {}
        self._universes: dict[str, dict] = {}

    @cached_property
    def shared(self) -> dict:
        """The parts every post has in common: package, shared metadata, environment."""
        metadata = self.project_root / "posts" / "_metadata.yml"
        return {
            "package": {
                "version": _package_version(),
                "files": _digest(folder_hashes(self.package_dir, skip=_package_file_skipped)),
            },
            "posts_metadata": _sha256(metadata.read_bytes()) if metadata.is_file() else None,
            "environment": environment_versions(),
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

    def universe(self, name: str) -> dict:
        """The latest holdings file of a fund and the stored checksum of each member."""
        if name not in self._universes:
            try:
                holdings = latest_holdings(self.store, fund=name)
            except DataError as exc:
                self._universes[name] = {"error": str(exc)}
                return self._universes[name]
            if holdings is None:
                self._universes[name] = {"holdings": None, "members": {}}
                return self._universes[name]
            members = {}
            for symbol in sorted(holdings.symbols):
                prov = self.store.provenance(symbol)
                members[symbol] = prov.checksum if prov else None
            self._universes[name] = {
                "holdings": {
                    "as_of": holdings.as_of.date().isoformat(),
                    "checksum": checksum(holdings.raw),
                },
                "members": members,
            }
        return self._universes[name]

    def fingerprint(self, post: Post) -> Fingerprint:
        """The fingerprint of one post."""
        return Fingerprint(
            {
                "source": folder_hashes(post.path.parent),
                "series": {symbol: self.series(symbol) for symbol in post.series},
                "universes": {name: self.universe(name) for name in post.universes},
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
    old_env, new_env = old.get("environment") or {}, new["environment"]
    if old_env != new_env:
        moved = [
            f"{name} {old_env.get(name, 'none')} → {new_env.get(name, 'none')}"
            for name in sorted(old_env.keys() | new_env.keys())
            if old_env.get(name) != new_env.get(name)
        ]
        reasons.append(f"environment changed: {', '.join(moved)}")
    return reasons or ["fingerprint changed"]


# -- the freezer on disk ----------------------------------------------------------------------


def entry_dir(post: Post, project_root: Path) -> Path:
    """Quarto's ``_freeze/`` folder for a post's results: ``_freeze/posts/<folder>/index``."""
    relative = post.path.parent.resolve().relative_to(Path(project_root).resolve())
    return Path(project_root) / FREEZE_DIR / relative / post.path.stem


def record_path(post: Post, project_root: Path) -> Path:
    """Where the fingerprint of a post's last execution is kept."""
    return entry_dir(post, project_root).parent / RECORD_FILE


def read_record(post: Post, project_root: Path) -> dict | None:
    """The record of a post's last execution, or ``None`` (none, or unreadable)."""
    path = record_path(post, project_root)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and "fingerprint" in record else None


def post_outputs(folder: Path) -> list[str]:
    """The files a post's execution wrote into its folder (charts, CSVs, preview)."""
    found = []
    for name in OUTPUTS:
        path = folder / name
        if path.is_file():
            found.append(name)
        elif path.is_dir():
            found += sorted(
                p.relative_to(folder).as_posix() for p in path.rglob("*") if p.is_file()
            )
    return found


@dataclass
class Decision:
    """Whether the next build executes a post, and why."""

    post: Post
    fingerprint: Fingerprint
    reasons: list[str] = field(default_factory=list)

    @property
    def execute(self) -> bool:
        """True when the post must execute."""
        return bool(self.reasons)

    @property
    def folder(self) -> str:
        """The post's folder name."""
        return self.post.path.parent.name


def decide(
    posts: list[Post],
    inputs: FingerprintInputs,
    *,
    execute_all: bool | None = None,
) -> list[Decision]:
    """For each post, whether the next build executes it and why (nothing is changed)."""
    if execute_all is None:
        execute_all = os.environ.get(EXECUTE_ALL_ENV, "").strip().lower() in {"1", "true", "yes"}
    root = inputs.project_root
    decisions = []
    for post in posts:
        decision = Decision(post, inputs.fingerprint(post))
        record = read_record(post, root)
        if execute_all:
            decision.reasons.append(f"forced ({EXECUTE_ALL_ENV}=1)")
        elif record is None:
            decision.reasons.append("no record of an earlier execution")
        elif not (entry_dir(post, root) / FROZEN_RESULT).is_file():
            decision.reasons.append("no frozen results")
        elif record["fingerprint"] != decision.fingerprint.digest:
            decision.reasons += explain(record.get("parts") or {}, decision.fingerprint.parts)
        else:
            missing = [
                name
                for name in record.get("outputs", [])
                if not (post.path.parent / name).is_file()
            ]
            if missing:
                shown = ", ".join(missing[:3]) + (" …" if len(missing) > 3 else "")
                decision.reasons.append(f"outputs missing: {shown}")
        decisions.append(decision)
    return decisions


def prepare_build(decisions: list[Decision], project_root: Path) -> None:
    """Clear what each post that must execute left behind, and note the plan for after.

    Deletes the post's ``_freeze/`` entry (so Quarto executes it) and its ``figures/`` and
    ``preview.png`` (so no output of an older execution survives), then writes the plan
    the post-render step reads.
    """
    root = Path(project_root)
    plan = {}
    for decision in decisions:
        if decision.execute:
            shutil.rmtree(entry_dir(decision.post, root), ignore_errors=True)
            folder = decision.post.path.parent
            shutil.rmtree(folder / "figures", ignore_errors=True)
            (folder / "preview.png").unlink(missing_ok=True)
        relative = decision.post.path.resolve().relative_to(root.resolve()).as_posix()
        plan[relative] = {
            "execute": decision.execute,
            "reasons": decision.reasons,
            "fingerprint": decision.fingerprint.digest,
            "parts": decision.fingerprint.parts,
        }
    _write_json(root / PLAN_FILE, {"planned_at": utc_now_iso(), "posts": plan})


def plan_build(
    posts: list[Post], store: Store, project_root: Path, *, execute_all: bool | None = None
) -> list[Decision]:
    """The pre-render step's part: decide which posts execute, and clear the way for them."""
    decisions = decide(posts, FingerprintInputs(store, project_root), execute_all=execute_all)
    prepare_build(decisions, project_root)
    return decisions


def record_executed(project_root: Path) -> list[str]:
    """Record the fingerprint of every post the build executed; return their folders.

    A post counts as executed when the pre-render step deleted its frozen results and Quarto
    has since written new ones; it gets the fingerprint computed before the render. Posts
    the render did not reach keep their old record and execute next time; without a plan
    (no pre-render ran), nothing is recorded.
    """
    root = Path(project_root)
    try:
        plan = json.loads((root / PLAN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    recorded = []
    for relative, planned in plan.get("posts", {}).items():
        post = Post(root / relative, {})
        if not planned["execute"] or not (entry_dir(post, root) / FROZEN_RESULT).is_file():
            continue
        record = {
            "fingerprint": planned["fingerprint"],
            "executed_at": plan.get("planned_at"),
            "outputs": post_outputs(post.path.parent),
            "parts": planned["parts"],
        }
        _write_json(record_path(post, root), record)
        recorded.append(post.path.parent.name)
    (root / PLAN_FILE).unlink(missing_ok=True)
    return recorded


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode("utf-8"))
