"""Build an expensive session fixture once per test run, even when pytest-xdist splits it.

``make test`` runs the suite in several processes (``pytest -n auto``). Each worker has its
own session, so a session fixture would be built once per worker: the reference store
imported twice, the whole site rendered twice. :func:`once_per_run` builds it in the first
worker that asks, under a file lock in the folder every worker of the run shares, and the
others load what that worker left. A run without xdist simply builds it.

What a build leaves is read, never changed, by the tests that share it.
"""

from __future__ import annotations

import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from filelock import FileLock

T = TypeVar("T")


def once_per_run(tmp_path_factory, name: str, build: Callable[[Path], T]) -> T:
    """``build(folder)`` once per test run; every worker gets its (picklable) result.

    ``folder`` is a fresh, empty folder for whatever the build writes. Under xdist it lies
    in the run's own temporary folder (each run starts a new one), so nothing is reused
    from an earlier run. A build that fails leaves no result: the next worker that asks
    builds again and fails the same way, so every test that needs it reports the error.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return build(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent / f"once-{name}"
    result = shared / "result.pickle"
    with FileLock(f"{shared}.lock"):
        if result.is_file():
            return pickle.loads(result.read_bytes())
        shutil.rmtree(shared, ignore_errors=True)  # what a failed build left
        (shared / "build").mkdir(parents=True)
        value = build(shared / "build")
        staged = shared / "result.pickle.partial"
        staged.write_bytes(pickle.dumps(value))
        staged.replace(result)
        return value
