"""Freeze posts on what they read: re-execute a post only when its code or its data changed.

Quarto's ``freeze: auto`` (``posts/_metadata.yml``) re-executes a post only when its
``index.qmd`` changes, so alone it would keep showing old numbers after the store gets a
new bar. So each post gets a **fingerprint** of everything its numbers depend on
(:mod:`analysis.site.fingerprint`: its folder, the series and universe it declares, the
package and the environment).

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

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from analysis.data.frontmatter import Post
from analysis.data.store import Store, atomic_write, utc_now_iso
from analysis.site.fingerprint import OUTPUTS, Fingerprint, FingerprintInputs, explain

FREEZE_DIR = "_freeze"
RECORD_FILE = "fingerprint.json"
# Quarto keeps a post's frozen results in _freeze/<post folder>/<stem>/ (the input's
# `<stem>_files` folder without the suffix); execute-results/html.json is the result.
FROZEN_RESULT = Path("execute-results") / "html.json"
# Written by the pre-render step for the post-render step of the same build.
PLAN_FILE = Path(".quarto") / "analysis-freeze-plan.json"
# Set to 1 (``make site-full``) to execute every post whatever its fingerprint says.
EXECUTE_ALL_ENV = "ANALYSIS_EXECUTE_ALL"


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
