"""A session fixture shared by xdist workers is built once per run, and a failed build again."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from run_once import once_per_run


class Factory:
    """The two calls ``once_per_run`` makes of pytest's ``tmp_path_factory``."""

    def __init__(self, run: Path, worker: str):
        self.run, self.worker = run, worker

    def getbasetemp(self) -> Path:
        return self.run / f"popen-{self.worker}"  # as xdist lays out a worker's folder

    def mktemp(self, name: str) -> Path:
        path = self.run / f"{self.worker}-{name}"
        path.mkdir(parents=True)
        return path


def counting_build(log: Path):
    def build(folder: Path) -> dict:
        with log.open("a") as written:
            written.write(f"{folder}\n")
        (folder / "made").write_text("x")
        return {"folder": folder, "answer": 42}

    return build


def builds(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_under_xdist_the_first_worker_builds_and_the_others_load(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    log = tmp_path / "log"
    first = once_per_run(Factory(tmp_path, "gw0"), "thing", counting_build(log))
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    second = once_per_run(Factory(tmp_path, "gw1"), "thing", counting_build(log))
    assert builds(log) == [str(tmp_path / "once-thing" / "build")]
    assert first == second == {"folder": tmp_path / "once-thing" / "build", "answer": 42}
    assert (second["folder"] / "made").read_text() == "x"
    # Another name is another build.
    once_per_run(Factory(tmp_path, "gw1"), "other", counting_build(log))
    assert len(builds(log)) == 2


def test_without_xdist_each_session_builds_in_its_own_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    log = tmp_path / "log"
    value = once_per_run(Factory(tmp_path, "main"), "thing", counting_build(log))
    assert builds(log) == [str(tmp_path / "main-thing")]
    assert value["folder"] == tmp_path / "main-thing"
    assert not (tmp_path / "once-thing").exists()


def test_a_failed_build_leaves_nothing_and_the_next_worker_builds_again(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")

    def failing(folder: Path):
        (folder / "half").write_text("written before the failure")
        raise RuntimeError("the build broke")

    with pytest.raises(RuntimeError, match="the build broke"):
        once_per_run(Factory(tmp_path, "gw0"), "thing", failing)
    log = tmp_path / "log"
    value = once_per_run(Factory(tmp_path, "gw1"), "thing", counting_build(log))
    assert len(builds(log)) == 1
    assert sorted(p.name for p in value["folder"].iterdir()) == ["made"]


def _worker(run: str, worker: str, log: str, results) -> None:
    import os
    import time

    os.environ["PYTEST_XDIST_WORKER"] = worker
    (Path(run) / f"asking-{worker}").touch()

    def build_once_both_ask(folder: Path) -> str:
        with Path(log).open("a") as written:
            written.write(f"{worker}\n")
        # Build only once the other worker has asked too, so the two requests overlap.
        deadline = time.monotonic() + 30
        while len(list(Path(run).glob("asking-*"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        return f"built by {worker}"

    results.put(once_per_run(Factory(Path(run), worker), "thing", build_once_both_ask))


def test_workers_asking_at_once_build_once(tmp_path):
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    log = tmp_path / "log"
    workers = [
        context.Process(target=_worker, args=(str(tmp_path), name, str(log), results))
        for name in ("gw0", "gw1")
    ]
    for process in workers:
        process.start()
    got = [results.get(timeout=60), results.get(timeout=60)]
    for process in workers:
        process.join(timeout=60)
    (builder,) = builds(log)
    assert got == [f"built by {builder}"] * 2
