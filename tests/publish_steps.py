"""Run one ``run:`` step of the publish workflow as GitHub's runner would, in a given folder.

The step's script is read from the parsed workflow and run with bash (``-e -o pipefail``,
the workflow's default shell) and the environment variables the runner sets, so tests check
what the step does, not how it is written.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

PUBLISH_WF = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "publish.yml"
SITE_URL_STEP = "site-url"
PAGES_PROFILE = "pages"


def step_script(step_id: str, job: str = "build") -> str:
    workflow = yaml.safe_load(PUBLISH_WF.read_text(encoding="utf-8"))
    (step,) = [s for s in workflow["jobs"][job]["steps"] if s.get("id") == step_id]
    return step["run"]


def run_step(step_id: str, cwd: Path, env: dict[str, str]) -> dict[str, str]:
    """Run a step in ``cwd``; return what it wrote to ``$GITHUB_OUTPUT``."""
    outputs = cwd / ".github-output"
    outputs.write_text("", encoding="utf-8")
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step_script(step_id)],
        cwd=cwd,
        env={
            **os.environ,
            # `python` is the one the package was installed into, as after setup-python.
            "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
            "GITHUB_OUTPUT": str(outputs),
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    written = outputs.read_text(encoding="utf-8").splitlines()
    outputs.unlink()
    return dict(line.split("=", 1) for line in written if line)


def derive_site_url(project: Path, repository: str) -> str:
    """Run the site-address step for ``owner/name``; return the profile's site-url."""
    owner = repository.split("/")[0]
    outputs = run_step(
        SITE_URL_STEP,
        project,
        {"GITHUB_REPOSITORY": repository, "GITHUB_REPOSITORY_OWNER": owner},
    )
    profile = yaml.safe_load((project / f"_quarto-{PAGES_PROFILE}.yml").read_text("utf-8"))
    assert profile["website"]["site-url"] == outputs["url"]
    return outputs["url"]
