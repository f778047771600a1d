"""The GitHub Actions workflows: schema-valid, zizmor-clean, shaped as docs/publishing.md says.

The property tests read the parsed YAML. GitHub expressions in ``if:`` and cache keys are
evaluated by a small evaluator below (string comparisons, ``&&``, ``||``, ``!``), so the
tests check what a condition does for each event, not how it is spelled.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
GITHUB_DIR = ROOT / ".github"
WORKFLOWS_DIR = GITHUB_DIR / "workflows"
TEST_WF = WORKFLOWS_DIR / "test.yml"
PUBLISH_WF = WORKFLOWS_DIR / "publish.yml"
DEPENDABOT = GITHUB_DIR / "dependabot.yml"
WORKFLOW_FILES = [TEST_WF, PUBLISH_WF]

NEW_YORK = ZoneInfo("America/New_York")
US_CLOSE = dt.time(16, 0)
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"#\s*v\d+(\.\d+){0,2}\s*$")


# --------------------------------------------------------------------------------- helpers


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _triggers(workflow: dict) -> dict:
    # YAML 1.1 reads a bare `on` key as the boolean True.
    triggers = workflow.get("on", workflow.get(True))
    if isinstance(triggers, str):
        return {triggers: None}
    if isinstance(triggers, list):
        return dict.fromkeys(triggers)
    return triggers


def _steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def _all_steps(workflow: dict):
    for job_id, job in workflow["jobs"].items():
        for step in _steps(job):
            yield job_id, step


def _action(step: dict) -> str | None:
    """``owner/repo[/path]`` of a ``uses:`` step, without the ref."""
    uses = step.get("uses")
    return uses.split("@", 1)[0] if uses else None


def _find_step(job: dict, *, action: str | None = None, runs: str | None = None) -> int:
    for index, step in enumerate(_steps(job)):
        if action is not None and _action(step) == action:
            return index
        if runs is not None and runs in step.get("run", ""):
            return index
    raise AssertionError(f"no step {'using ' + action if action else 'running ' + repr(runs)}")


_TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|(==|!=|&&|\|\||!|\(|\))|([A-Za-z_][\w.-]*))")


def _evaluate(expression: str, context: dict[str, str]):
    """Evaluate a GitHub expression made of context names, strings, ==, !=, &&, || and !.

    Names missing from ``context`` are empty strings, as unset ``vars.*`` are on GitHub.
    String comparison ignores case, as GitHub's does.
    """
    text = expression.strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    parts, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ValueError(f"cannot evaluate {expression!r} at {text[pos:]!r}")
        string, operator, name = match.groups()
        if string is not None:
            parts.append(repr(string[1:-1].replace("''", "'").lower()))
        elif operator is not None:
            parts.append({"&&": " and ", "||": " or ", "!": " not "}.get(operator, operator))
        elif name in ("true", "false"):
            parts.append(str(name == "true"))
        else:
            parts.append(repr(str(context.get(name, "")).lower()))
        pos = match.end()
    # Every token became a quoted string, a comparison, and/or/not, a bracket or a bool.
    return eval("".join(parts), {"__builtins__": {}}, {})


def _runs(job: dict, context: dict[str, str]) -> bool:
    condition = job.get("if")
    return True if condition is None else bool(_evaluate(str(condition), context))


_TEMPLATE = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def _render(template: str, context: dict[str, str]) -> str:
    def lookup(match: re.Match) -> str:
        if match.group(1) not in context:
            raise KeyError(f"test context lacks {match.group(1)} used in {template!r}")
        return context[match.group(1)]

    return _TEMPLATE.sub(lookup, template)


def _tool(name: str) -> str:
    """Path to a command-line tool from the test extra, or skip the test with the reason."""
    beside_python = Path(sys.executable).parent / name
    found = str(beside_python) if beside_python.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed; `pip install -e .[test]` brings it")
    return found


# ------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def test_wf() -> dict:
    return _load(TEST_WF)


@pytest.fixture(scope="module")
def publish() -> dict:
    return _load(PUBLISH_WF)


@pytest.fixture(scope="module")
def build(publish) -> dict:
    return publish["jobs"]["build"]


# ------------------------------------------------------------------ schema and zizmor


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize(
    "schema", ["vendor.github-workflows", "custom.github-workflows-require-timeout"]
)
def test_workflow_matches_schema(path, schema):
    tool = _tool("check-jsonschema")
    result = subprocess.run(
        [tool, "--builtin-schema", schema, str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dependabot_config_matches_schema():
    tool = _tool("check-jsonschema")
    result = subprocess.run(
        [tool, "--builtin-schema", "vendor.dependabot", str(DEPENDABOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_reports_nothing_at_medium_or_above():
    tool = _tool("zizmor")
    result = subprocess.run(
        [
            tool,
            "--offline",
            "--format",
            "json",
            "--no-exit-codes",
            "--min-severity",
            "medium",
            str(GITHUB_DIR),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)
    serious = [
        f"{f['ident']} ({f['determinations']['severity']}): {f['desc']}"
        for f in findings
        if f["determinations"]["severity"].lower() in ("medium", "high")
    ]
    assert serious == []


# ----------------------------------------------------------------------------- triggers


def test_test_workflow_runs_on_pull_requests_and_pushes(test_wf):
    triggers = _triggers(test_wf)
    assert "pull_request" in triggers
    assert "push" in triggers


def test_publish_runs_on_push_to_main_by_hand_and_on_a_schedule(publish):
    triggers = _triggers(publish)
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers
    assert len(triggers["schedule"]) == 1


def _schedule_in_new_york(entry: dict, day: dt.date) -> dt.datetime | None:
    """When the cron entry fires on ``day`` (in its own zone), as New York time, or None."""
    minute, hour, day_of_month, month, day_of_week = entry["cron"].split()
    assert (day_of_month, month) == ("*", "*")
    low, _, high = day_of_week.partition("-")
    cron_weekday = (day.weekday() + 1) % 7  # cron counts Sunday as 0
    if not int(low) <= cron_weekday <= int(high or low):
        return None
    zone = ZoneInfo(entry.get("timezone", "UTC"))
    fires = dt.datetime.combine(day, dt.time(int(hour), int(minute)), tzinfo=zone)
    return fires.astimezone(NEW_YORK)


@pytest.mark.parametrize(
    "week_start",
    [dt.date(2026, 1, 5), dt.date(2026, 3, 9), dt.date(2026, 7, 6), dt.date(2026, 11, 2)],
    ids=["winter", "after-spring-forward", "summer", "after-fall-back"],
)
def test_schedule_fires_each_weekday_after_the_us_close(publish, week_start):
    (entry,) = _triggers(publish)["schedule"]
    week = [week_start + dt.timedelta(days=n) for n in range(7)]
    fired = {day: _schedule_in_new_york(entry, day) for day in week}
    assert [day.weekday() for day, when in fired.items() if when] == [0, 1, 2, 3, 4]
    for day, when in fired.items():
        if when:
            # Same New York trading day, after the close (and before midnight).
            assert when.date() == day
            assert when.time() > US_CLOSE


def test_schedule_is_off_the_hour_and_its_time_zone_is_named_in_a_comment(publish):
    (entry,) = _triggers(publish)["schedule"]
    assert entry["cron"].split()[0] not in ("0", "00")
    lines = PUBLISH_WF.read_text(encoding="utf-8").splitlines()
    cron_line = next(i for i, line in enumerate(lines) if "cron:" in line)
    comment = " ".join(line for line in lines[max(0, cron_line - 6) : cron_line] if "#" in line)
    zone = entry.get("timezone", "UTC")
    assert zone in comment or (zone == "UTC" and "UTC" in comment)


# -------------------------------------------------------------------------- permissions


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_top_level_permissions_are_read_only(path):
    assert _load(path)["permissions"] == {"contents": "read"}


def test_only_deploy_may_write_pages_and_mint_id_tokens(publish, test_wf):
    deploy = publish["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    for workflow in (publish, test_wf):
        for job_id, job in workflow["jobs"].items():
            if job is deploy:
                continue
            granted = job.get("permissions", {})
            assert "pages" not in granted, job_id
            assert "id-token" not in granted, job_id


def test_no_job_can_push_to_the_repository(publish, test_wf):
    for workflow in (publish, test_wf):
        for job_id, job in workflow["jobs"].items():
            assert job.get("permissions", {}).get("contents", "read") == "read", job_id


def test_keepalive_may_only_re_enable_the_workflow(publish):
    keepalive = publish["jobs"]["keepalive"]
    assert keepalive["permissions"] == {"actions": "write"}
    (step,) = _steps(keepalive)
    assert "gh api --method PUT" in step["run"]
    assert "/enable" in step["run"]
    assert "uses" not in step


# ----------------------------------------------------------- concurrency and timeouts


def test_publishes_never_race_and_are_never_cancelled_half_way(publish):
    assert publish["concurrency"]["group"]
    assert publish["concurrency"]["cancel-in-progress"] is False


def test_test_runs_are_grouped_per_ref(test_wf):
    assert "github.ref" in test_wf["concurrency"]["group"]


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_job_has_a_timeout(path):
    for job_id, job in _load(path)["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), job_id
        assert 0 < job["timeout-minutes"] <= 60, job_id


# ------------------------------------------------------------------------ pinned actions


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version_in_a_comment(path):
    uses = [step["uses"] for _, step in _all_steps(_load(path)) if "uses" in step]
    assert uses
    for ref in uses:
        assert SHA_PIN.match(ref), f"{ref} is not pinned to a full commit SHA"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if "uses:" in line]
    assert len(lines) == len(uses)
    for line in lines:
        assert VERSION_COMMENT.search(line), f"no version comment on: {line.strip()}"


def test_each_action_is_pinned_to_one_commit_across_files():
    pins: dict[str, set[str]] = {}
    for workflow in WORKFLOW_FILES:
        for _, step in _all_steps(_load(workflow)):
            if "uses" in step:
                name, sha = step["uses"].split("@")
                repo = "/".join(name.split("/")[:2])
                pins.setdefault(repo, set()).add(sha)
    assert {repo: shas for repo, shas in pins.items() if len(shas) > 1} == {}


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_checkout_never_leaves_credentials_behind(path):
    checkouts = [s for _, s in _all_steps(_load(path)) if _action(s) == "actions/checkout"]
    assert checkouts
    for step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_run_scripts_take_expressions_through_env_never_inline(path):
    # `${{ }}` inside a script is pasted in before bash parses it: a template injection.
    for job_id, step in _all_steps(_load(path)):
        assert "${{" not in step.get("run", ""), f"{job_id}: {step.get('name')}"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_python_and_quarto_versions_match_the_project(path):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    minimum_python = re.search(r">=\s*([\d.]+)", project["requires-python"]).group(1)
    quarto_pins = [
        dep.split("==")[1]
        for dep in project.get("optional-dependencies", {}).get("site", [])
        if dep.startswith("quarto-cli==")
    ]
    for job in _load(path)["jobs"].values():
        for step in _steps(job):
            if _action(step) == "actions/setup-python":
                assert step["with"]["python-version"] == minimum_python
                assert step["with"]["cache"] == "pip"
                assert step["with"]["cache-dependency-path"] == "pyproject.toml"
            if _action(step) == "quarto-dev/quarto-actions/setup" and quarto_pins:
                assert str(step["with"]["version"]) == quarto_pins[0]


# ---------------------------------------------------------------------------- test job


def test_test_job_runs_the_readme_test_command_with_quarto_installed(test_wf):
    (job,) = test_wf["jobs"].values()
    quarto = _find_step(job, action="quarto-dev/quarto-actions/setup")
    tests = _find_step(job, runs="make test")
    assert quarto < tests


def test_test_job_requires_the_browser_tests_and_has_a_browser_they_find(test_wf):
    from site_render import BROWSER_NAMES, REQUIRE_BROWSER_ENV

    (job,) = test_wf["jobs"].values()
    tests = _find_step(job, runs="make test")
    assert _steps(job)[tests]["env"][REQUIRE_BROWSER_ENV] == "1"  # fail, never skip, on CI
    check = _find_step(job, runs="google-chrome --version")
    assert check < tests
    browser = _steps(job)[check]["run"].split()[-2]  # "... google-chrome --version"
    assert browser in BROWSER_NAMES  # the one the runner ships is one the tests look for


# ------------------------------------------------------------------ fork opt-in guard

EVENTS = ["push", "workflow_dispatch", "schedule"]


def _context(event: str, opt_in: str, ref: str = "refs/heads/main") -> dict[str, str]:
    return {"github.event_name": event, "vars.PUBLISH_SCHEDULE": opt_in, "github.ref": ref}


@pytest.mark.parametrize("opt_in", ["true", "", "false", "yes"])
@pytest.mark.parametrize("event", EVENTS)
def test_scheduled_builds_happen_only_where_the_owner_opted_in(publish, event, opt_in):
    context = _context(event, opt_in)
    expected = event != "schedule" or opt_in == "true"
    assert _runs(publish["jobs"]["build"], context) is expected


@pytest.mark.parametrize("opt_in", ["true", ""])
@pytest.mark.parametrize("event", EVENTS)
def test_keepalive_runs_only_on_opted_in_scheduled_runs(publish, event, opt_in):
    expected = event == "schedule" and opt_in == "true"
    assert _runs(publish["jobs"]["keepalive"], _context(event, opt_in)) is expected


def test_the_opt_in_variable_is_documented_in_the_workflow():
    assert "PUBLISH_SCHEDULE" in "".join(
        line
        for line in PUBLISH_WF.read_text(encoding="utf-8").splitlines()
        if line.lstrip().startswith("#")
    )


@pytest.mark.parametrize(
    ("ref", "deploys"), [("refs/heads/main", True), ("refs/heads/draft", False)]
)
def test_only_main_is_deployed(publish, ref, deploys):
    assert _runs(publish["jobs"]["deploy"], _context("workflow_dispatch", "", ref)) is deploys


# ----------------------------------------------------------------------- build and deploy


def test_deploy_needs_build_and_publishes_to_the_pages_environment(publish):
    deploy = publish["jobs"]["deploy"]
    needs = deploy["needs"] if isinstance(deploy["needs"], list) else [deploy["needs"]]
    assert needs == ["build"]
    assert deploy["environment"]["name"] == "github-pages"
    (step,) = _steps(deploy)
    assert _action(step) == "actions/deploy-pages"
    assert "page_url" in deploy["environment"]["url"]


def test_build_steps_run_in_order(build):
    order = [
        _find_step(build, action="actions/checkout"),
        _find_step(build, action="actions/setup-python"),
        _find_step(build, action="quarto-dev/quarto-actions/setup"),
        _find_step(build, runs="pip install -e ."),
        _find_step(build, action="actions/cache/restore"),
        _find_step(build, runs="python -m analysis fetch --for-posts"),
        _find_step(build, action="actions/cache/save"),
        _find_step(build, runs="quarto render"),
        _find_step(build, action="actions/upload-pages-artifact"),
    ]
    assert order == sorted(order)
    upload = _steps(build)[order[-1]]
    assert upload["with"]["path"].rstrip("/") == "_site"


def test_render_reads_the_store_only(build):
    render = _steps(build)[_find_step(build, runs="quarto render")]
    assert render["env"]["ANALYSIS_OFFLINE"] == "1"
    fetch = _steps(build)[_find_step(build, runs="python -m analysis fetch")]
    assert "ANALYSIS_OFFLINE" not in fetch.get("env", {})
    assert "ANALYSIS_OFFLINE" not in build.get("env", {})


@pytest.mark.parametrize(("variable", "limit"), [("", "3"), ("5", "5")])
def test_staleness_limit_has_a_default_a_repository_variable_overrides(build, variable, limit):
    expression = build["env"]["ANALYSIS_MAX_STALE_SESSIONS"]
    context = {"vars.ANALYSIS_MAX_STALE_SESSIONS": variable}
    assert _evaluate(expression, context) == limit


@pytest.mark.parametrize(("variable", "budget"), [("", "2400"), ("900", "900")])
def test_fetch_budget_has_a_default_a_repository_variable_overrides(build, variable, budget):
    expression = build["env"]["ANALYSIS_FETCH_BUDGET"]
    assert _evaluate(expression, {"vars.ANALYSIS_FETCH_BUDGET": variable}) == budget


def test_the_job_outlasts_its_fetch_budget_with_room_to_render(build):
    budget = float(_evaluate(build["env"]["ANALYSIS_FETCH_BUDGET"], {}))
    assert build["timeout-minutes"] * 60 >= budget + 10 * 60


# ------------------------------------------------------------------------- data store cache


def _cache_context(day: str, run_id: str, attempt: str = "1") -> dict[str, str]:
    return {"steps.day.outputs.day": day, "github.run_id": run_id, "github.run_attempt": attempt}


def test_cache_is_keyed_by_the_new_york_date(build):
    day_step = _steps(build)[_find_step(build, runs="GITHUB_OUTPUT")]
    assert day_step["id"] == "day"
    assert "TZ=America/New_York date +%F" in day_step["run"]
    restore = _steps(build)[_find_step(build, action="actions/cache/restore")]
    assert "${{ steps.day.outputs.day }}" in restore["with"]["key"]


def test_cache_holds_the_data_store_directory(build):
    store = build["env"]["ANALYSIS_DATA_DIR"]
    restore = _steps(build)[_find_step(build, action="actions/cache/restore")]
    save = _steps(build)[_find_step(build, action="actions/cache/save")]
    assert restore["with"]["path"] == save["with"]["path"] == store


def test_each_run_saves_under_its_own_key(build):
    restore = _steps(build)[_find_step(build, action="actions/cache/restore")]
    save = _steps(build)[_find_step(build, action="actions/cache/save")]
    assert save["with"]["key"] == "${{ steps.restore-store.outputs.cache-primary-key }}"
    assert restore["id"] == "restore-store"
    key = restore["with"]["key"]
    first = _render(key, _cache_context("2026-07-20", "100"))
    second_same_day = _render(key, _cache_context("2026-07-20", "101"))
    retried = _render(key, _cache_context("2026-07-20", "100", attempt="2"))
    assert len({first, second_same_day, retried}) == 3


def _restored_from(restore: dict, context: dict[str, str], saved: list[str]) -> str | None:
    """Which saved key actions/cache restores: exact key, else the newest match per restore-key."""
    key = _render(restore["with"]["key"], context)
    if key in saved:
        return key
    for prefix in restore["with"]["restore-keys"].split():
        matches = [entry for entry in saved if entry.startswith(_render(prefix, context))]
        if matches:
            return matches[-1]  # `saved` is oldest first
    return None


def test_a_run_starts_from_yesterdays_store(build):
    restore = _steps(build)[_find_step(build, action="actions/cache/restore")]
    key = restore["with"]["key"]
    saved = [
        _render(key, _cache_context("2026-07-16", "7")),
        _render(key, _cache_context("2026-07-17", "8")),
    ]
    monday = _cache_context("2026-07-20", "9")
    assert _restored_from(restore, monday, saved) == saved[-1]


def test_a_later_run_the_same_day_starts_from_that_days_store(build):
    restore = _steps(build)[_find_step(build, action="actions/cache/restore")]
    key = restore["with"]["key"]
    saved = [
        _render(key, _cache_context("2026-07-17", "8")),
        _render(key, _cache_context("2026-07-20", "9")),
    ]
    again = _cache_context("2026-07-20", "10")
    assert _restored_from(restore, again, saved) == saved[-1]


def test_a_first_ever_run_starts_from_an_empty_store(build):
    restore = _steps(build)[_find_step(build, action="actions/cache/restore")]
    assert _restored_from(restore, _cache_context("2026-07-20", "1"), []) is None


def test_the_store_is_saved_even_when_the_fetch_fails(build):
    save = _steps(build)[_find_step(build, action="actions/cache/save")]
    condition = save["if"]
    assert "!cancelled()" in condition or "always()" in condition
    assert "steps.fetch.outcome" in condition
    assert _steps(build)[_find_step(build, runs="python -m analysis fetch")]["id"] == "fetch"


# ------------------------------------------------------------------------- frozen posts


FROZEN = {"_freeze", "posts/*/figures", "posts/*/preview.png"}


def _cache_steps(build: dict, action: str) -> list[int]:
    return [i for i, step in enumerate(_steps(build)) if _action(step) == action]


def test_frozen_posts_and_their_outputs_are_restored_before_the_build_and_saved_after(build):
    restores = _cache_steps(build, "actions/cache/restore")
    saves = _cache_steps(build, "actions/cache/save")
    freeze_restore = next(i for i in restores if _steps(build)[i]["id"] == "restore-freeze")
    freeze_save = next(i for i in saves if "restore-freeze" in _steps(build)[i]["with"]["key"])
    for index in (freeze_restore, freeze_save):
        assert set(_steps(build)[index]["with"]["path"].split()) == FROZEN
    # Restored before the status summary and the render's pre-render step read it; saved
    # only once the render and its check succeeded (no `if:` means "if all went well").
    assert freeze_restore < _find_step(build, runs="python -m analysis status")
    assert _find_step(build, runs="quarto render") < _find_step(build, runs="Traceback")
    assert _find_step(build, runs="Traceback") < freeze_save
    assert "if" not in _steps(build)[freeze_save]


def test_frozen_posts_come_from_the_latest_run_and_a_first_run_starts_cold(build):
    restore = next(
        _steps(build)[i]
        for i in _cache_steps(build, "actions/cache/restore")
        if _steps(build)[i]["id"] == "restore-freeze"
    )
    context = _cache_context("2026-07-20", "1")
    assert _restored_from(restore, context, []) is None
    saved = [_render(restore["with"]["key"], _cache_context("2026-07-17", "8"))]
    assert _restored_from(restore, context, saved) == saved[0]


# --------------------------------------------------------------------- failure visibility


def test_the_store_status_always_reaches_the_step_summary(build):
    summary = _steps(build)[_find_step(build, runs="python -m analysis status --format markdown")]
    assert "$GITHUB_STEP_SUMMARY" in summary["run"]
    assert "!cancelled()" in summary["if"] or "always()" in summary["if"]
    # Written before the render, so a data failure is explained even though nothing renders.
    assert _steps(build).index(summary) < _find_step(build, runs="quarto render")
    # The fetch's own lines (one per failed or stale series) go to the summary too.
    assert "fetch.log" in summary["run"]
    fetch = _steps(build)[_find_step(build, runs="python -m analysis fetch")]
    assert 'tee "$RUNNER_TEMP/fetch.log"' in fetch["run"]


def test_bash_fails_a_step_when_a_piped_command_fails(publish):
    # `cmd | tee log` hides cmd's exit status unless pipefail is on, which GitHub sets for an
    # explicit `shell: bash`.
    assert publish["defaults"]["run"]["shell"] == "bash"


# ------------------------------------------------------------------------------ dependabot


def test_dependabot_updates_actions_and_python_packages():
    config = _load(DEPENDABOT)
    assert config["version"] == 2
    ecosystems = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(ecosystems) == {"github-actions", "pip"}
    for update in ecosystems.values():
        assert update["directory"] == "/"
        assert update["schedule"]["interval"] in ("daily", "weekly", "monthly")
        assert update["cooldown"]["default-days"] >= 1


# ------------------------------------------------------------------------ the site address


@pytest.mark.parametrize(
    ("repository", "configured", "expected"),
    [
        # A fork of the project: its own Pages address, whatever _quarto.yml says.
        ("Forker/market-notes", None, "https://forker.github.io/market-notes"),
        ("some-org/Notes.2026", None, "https://some-org.github.io/Notes.2026"),
        (
            "Forker/market-notes",
            "https://other.github.io/x/",
            "https://forker.github.io/market-notes",
        ),
        # A repository named <owner>.github.io is served at the root of that host.
        ("Forker/forker.github.io", None, "https://forker.github.io"),
        ("Forker/Forker.GitHub.io", None, "https://forker.github.io"),
        # A custom domain set by hand in _quarto.yml is kept.
        ("Forker/market-notes", "https://notes.example.org/", "https://notes.example.org"),
    ],
)
def test_publish_derives_the_pages_address_of_the_repository_it_runs_in(
    tmp_path, repository, configured, expected
):
    from publish_steps import derive_site_url

    config = _load(ROOT / "_quarto.yml")
    if configured is not None:
        config["website"]["site-url"] = configured
    (tmp_path / "_quarto.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    assert derive_site_url(tmp_path, repository) == expected


def test_the_render_uses_the_derived_address(build):
    from publish_steps import PAGES_PROFILE, SITE_URL_STEP

    steps = _steps(build)
    address = next(i for i, step in enumerate(steps) if step.get("id") == SITE_URL_STEP)
    render = _find_step(build, runs="quarto render")
    assert _find_step(build, runs="pip install -e .") < address < render
    words = steps[render]["run"].split()
    assert words[words.index("--profile") + 1].split(",") == [PAGES_PROFILE]


def test_the_render_runs_the_kernel_in_the_python_the_package_was_installed_into(build):
    render = _steps(build)[_find_step(build, runs="quarto render")]
    setup = _steps(build)[_find_step(build, action="actions/setup-python")]
    assert render["env"]["QUARTO_PYTHON"] == f"${{{{ steps.{setup['id']}.outputs.python-path }}}}"
