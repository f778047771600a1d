"""Mutation testing as a measurement: how many small planted bugs do the tests catch?

For each module in ``MODULES``, mutmut (the ``mutation`` extra) writes mutants of that
module alone (an operator flipped, a constant changed, a call dropped...) and runs, for each
mutant, only the tests of that module's test files that reach the mutated function. A mutant
is *killed* when a test fails or the test process dies, *survived* when every test passes,
*timed out* when the tests ran far longer than usual (reported apart, not counted as
killed). Prints, per module:

    store   killed 412  survived 21  timed out 2  equivalent 5  killed share 94.7% (93.6% ...)

then one JSON line, the last line of the output, ``{"store": 0.947, ...}``: each module's
killed mutants over its mutants, not counting those listed in ``mutation_equivalent.toml``
(survivors judged equivalent: no test can tell them from the original, with the reason).
The target is at least 0.90 per module.

Each module runs in its own folder under ``.mutation/<name>/`` (a copy of ``analysis/``,
``tests/`` and ``pyproject.toml`` with the mutmut settings for that module). A second run
with the same sources and tests only reports; any change starts that module afresh. It
takes long (minutes to tens of minutes per module on two cores): it is not part of
``make test``. Run ``make mutation``, or::

    python benchmarks/mutation.py                 # every module
    python benchmarks/mutation.py store claims    # some of them
    python benchmarks/mutation.py --report        # the figures of the last runs, no run
    python benchmarks/mutation.py --survivors store   # list the surviving mutants' names

``mutmut show <name>`` inside ``.mutation/<module>/`` prints a mutant's diff.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutation"
EQUIVALENT_FILE = Path(__file__).resolve().parent / "mutation_equivalent.toml"
TARGET = 0.90

# name -> (module file, test files whose tests may kill its mutants). Edit here to add a module
# or to follow a file that moved; packages (claims, metrics) are followed module by module.
MODULES: dict[str, tuple[str, list[str]]] = {
    # Each module's own tests. Not tests/test_store_kill.py for the store: a subprocess per
    # step makes each mutant cost half a minute; the kill test is checked against planted
    # bugs instead (see docs/testing.md). The command-line tests that go through update.py are
    # left out for the same reason (a second per test).
    "store": (
        "analysis/data/store.py",
        ["tests/test_store.py", "tests/test_store_exact.py", "tests/test_holdings.py"],
    ),
    "update": ("analysis/fetch/update.py", ["tests/test_update.py"]),
    "breadth": ("analysis/metrics/breadth.py", ["tests/test_breadth.py"]),
}
# Packages measured module by module: every module of the folder except those listed (breadth
# has its own entry; the easing-cycle study and the follow-up table are post helpers, tested
# through the post). A module that moves or splits is followed without editing this file.
PACKAGES: dict[str, tuple[str, set[str], list[str]]] = {
    "claims": (
        "analysis/claims",
        {"__init__.py"},
        ["tests/test_claims.py", "tests/test_claims_schema.py"],
    ),
    "metrics": (
        "analysis/metrics",
        {"__init__.py", "breadth.py", "cycle_study.py", "follow_up.py"},
        ["tests/test_metrics.py", "tests/test_metrics_exact.py", "tests/test_post_helpers.py"],
    ),
}

STATUS = {  # mutmut's exit codes (mutmut.stats.status_by_exit_code), grouped as we report them
    1: "killed",
    3: "killed",
    0: "survived",
    36: "timed out",
    24: "timed out",
    -24: "timed out",
    152: "timed out",
    255: "timed out",
    5: "no tests",
    33: "no tests",
    -9: "killed",  # the mutant killed the test process (e.g. a fault-injection point firing)
    -11: "killed",  # or crashed it: either way the tests did not pass
    None: "not checked",
}
COLUMNS = ("killed", "survived", "timed out", "no tests", "other", "not checked")


def modules() -> dict[str, tuple[str, list[str]]]:
    """Every measured module: ``MODULES`` plus the modules found in each of ``PACKAGES``."""
    found = dict(MODULES)
    for prefix, (folder, skipped, tests) in PACKAGES.items():
        single = ROOT / f"{folder}.py"
        if single.is_file():  # not (or no longer) a package
            found[prefix] = (f"{folder}.py", tests)
        for path in sorted((ROOT / folder).glob("*.py")):
            if path.name not in skipped:
                found[f"{prefix}.{path.stem}"] = (f"{folder}/{path.name}", tests)
    return found


def _workspace(name: str, module: str, tests: list[str]) -> Path:
    """A folder holding the sources, the tests and the mutmut settings for one module."""
    folder = WORK / name
    for part in ("analysis", "tests"):
        target = folder / part
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(ROOT / part, target, ignore=shutil.ignore_patterns("__pycache__"))
    settings = {
        "source_paths": ["analysis"],
        "only_mutate": [module],
        "pytest_add_cli_args_test_selection": tests,
        "pytest_add_cli_args": ["-p", "no:cacheprovider"],
    }
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    text += "\n[tool.mutmut]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items())
    (folder / "pyproject.toml").write_text(text, encoding="utf-8")
    return folder


def _inputs_digest(module: str, tests: list[str]) -> str:
    """A digest of everything a module's verdicts depend on: its sources and its tests."""
    digest = hashlib.sha256()
    files = sorted((ROOT / "analysis").rglob("*.py")) + [ROOT / t for t in tests]
    for path in [*files, ROOT / "tests" / "conftest.py"]:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    digest.update(module.encode())
    return digest.hexdigest()


def run(name: str, module: str, tests: list[str], *, max_children: int) -> None:
    """Run mutmut for one module; reuse an earlier run's verdicts only if nothing changed.

    mutmut re-tests a mutant when its function changes, not when a test is added, so the
    verdicts are dropped whenever the sources or the module's tests changed.
    """
    folder = _workspace(name, module, tests)
    stamp = folder / "inputs.sha256"
    digest = _inputs_digest(module, tests)
    if not stamp.is_file() or stamp.read_text() != digest:
        shutil.rmtree(folder / "mutants", ignore_errors=True)
    mutmut = Path(sys.executable).parent / "mutmut"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_")}
    print(f"{name}: mutating {module} against {' '.join(tests)}", file=sys.stderr, flush=True)
    subprocess.run(
        [str(mutmut), "run", "--max-children", str(max_children)],
        cwd=folder,
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
    )
    stamp.write_text(digest)


def outcomes(name: str, module: str) -> dict[str, str]:
    """Each mutant's outcome in the last run for ``name`` (empty if it never ran)."""
    meta = WORK / name / "mutants" / f"{module}.meta"
    if not meta.is_file():
        return {}
    codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    return {key: STATUS.get(code, "other") for key, code in codes.items()}


def equivalent() -> dict[str, str]:
    """Surviving mutants judged equivalent to the original: name -> reason."""
    if not EQUIVALENT_FILE.is_file():
        return {}
    listed = tomllib.loads(EQUIVALENT_FILE.read_text(encoding="utf-8"))
    return {mutant: reason for entries in listed.values() for mutant, reason in entries.items()}


def report(selected: dict[str, tuple[str, list[str]]]) -> dict[str, float]:
    """Print one line per module and return each one's killed share."""
    judged = equivalent()
    shares = {}
    for name, (module, _) in selected.items():
        results = outcomes(name, module)
        if not results or all(status == "not checked" for status in results.values()):
            print(f"{name:<14} not run")
            continue
        excused = [k for k, status in results.items() if k in judged and status == "survived"]
        counts = Counter(results[k] for k in results if k not in excused)
        measured = sum(n for status, n in counts.items() if status != "not checked")
        share = counts["killed"] / measured if measured else 1.0
        shares[name] = round(share, 3)
        cells = "  ".join(f"{column} {counts[column]}" for column in COLUMNS if counts[column])
        flag = "" if share >= TARGET else f"  (below the {TARGET:.0%} target)"
        raw = counts["killed"] / (measured + len(excused)) if measured else 1.0
        print(
            f"{name:<14} {cells}  equivalent {len(excused)}  killed share {share:.1%}"
            f" ({raw:.1%} counting the equivalent ones as survivors){flag}",
            flush=True,
        )
    return shares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="modules to measure (default: all)")
    parser.add_argument("--report", action="store_true", help="report the last runs only")
    parser.add_argument("--survivors", action="store_true", help="list surviving mutants")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    every = modules()
    unknown = [n for n in args.names if n not in every]
    if unknown:
        parser.error(f"unknown module(s) {unknown}; choose from {list(every)}")
    selected = {n: every[n] for n in (args.names or every)}
    if args.survivors:
        judged = equivalent()
        for name, (module, _) in selected.items():
            for key, status in outcomes(name, module).items():
                if status != "killed" and key not in judged:
                    print(f"{name}: {status}: {key}")
        return
    if not args.report:
        for name, (module, tests) in selected.items():
            run(name, module, tests, max_children=args.max_children)
    print(json.dumps(report(selected)))


if __name__ == "__main__":
    main()
