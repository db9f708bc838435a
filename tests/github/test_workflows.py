"""The shipped workflows and action keep their security promises (actionlint, zizmor and the
schemas run in `.ci/run`; these are the rules specific to this project)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted(
    [*(ROOT / ".github/workflows").glob("*.yml"), *(ROOT / "docs/examples").glob("*.yml")]
)
ACTION = ROOT / ".github/actions/edusync-reconcile/action.yml"
PINNED = re.compile(r"^\s*-?\s*uses:\s*([^\s#]+)(?:\s*#\s*(\S+))?")


def load(path: Path) -> dict[str, Any]:
    data = YAML(typ="safe").load(path.read_text())
    assert isinstance(data, dict)
    return data


def runs(node: Any) -> list[str]:
    """Every `run:` script anywhere in a workflow or action."""
    if isinstance(node, dict):
        found = [node["run"]] if isinstance(node.get("run"), str) else []
        return found + [s for v in node.values() for s in runs(v)]
    if isinstance(node, list):
        return [s for v in node for s in runs(v)]
    return []


@pytest.mark.parametrize("path", [*WORKFLOWS, ACTION], ids=lambda p: p.name)
def test_every_action_is_pinned_by_full_sha_with_its_version(path: Path) -> None:
    for line in path.read_text().splitlines():
        match = PINNED.match(line)
        if not match or match.group(1).startswith("./"):
            continue
        ref = match.group(1).rsplit("@", 1)
        assert len(ref) == 2 and re.fullmatch(r"[0-9a-f]{40}", ref[1]), line
        assert match.group(2) and re.fullmatch(r"v\d+(\.\d+)*", match.group(2)), (
            f"version comment: {line}"
        )


@pytest.mark.parametrize("path", [*WORKFLOWS, ACTION], ids=lambda p: p.name)
def test_no_expression_is_interpolated_into_a_script(path: Path) -> None:
    for script in runs(load(path)):
        assert "${{" not in script, script


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_and_no_dangerous_triggers(path: Path) -> None:
    workflow = load(path)
    triggers = workflow.get("on") or workflow.get(True)  # YAML 1.1 reads `on` as true
    assert "pull_request_target" not in triggers and "workflow_run" not in triggers
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        permissions = job["permissions"]
        assert isinstance(permissions, dict), name
        assert permissions.get("contents") == "read", name
        assert set(permissions.values()) <= {"read", "write"}
        for step in job["steps"]:
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def test_oidc_only_where_plan_and_drift_run() -> None:
    for path in WORKFLOWS:
        for name, job in load(path)["jobs"].items():
            wants_oidc = job["permissions"].get("id-token") == "write"
            args = " ".join(str(s.get("with", {}).get("args", "")) for s in job["steps"])
            commands = {str(s.get("with", {}).get("command", "")) for s in job["steps"]}
            if wants_oidc:
                assert commands == {"plan"} or commands == {"", "plan"}, (path.name, name)
                assert job["env"]["EDUSYNC_CREDENTIAL"] == "oidc"
            if "apply" in commands:
                assert not wants_oidc and "--require-reviewed" in args


def test_plan_workflow_gives_forks_validate_only() -> None:
    jobs = load(ROOT / ".github/workflows/plan.yml")["jobs"]
    assert "id-token" not in jobs["validate"]["permissions"]
    assert (
        "github.event.pull_request.head.repo.full_name == github.repository" in jobs["plan"]["if"]
    )
    assert "secrets." not in (ROOT / ".github/workflows/plan.yml").read_text()
    [step] = [s for s in jobs["plan"]["steps"] if s.get("with", {}).get("command") == "plan"]
    assert "--pr-comment" in step["with"]["args"]


def test_apply_workflow_is_protected_serialised_and_uses_the_delegated_cache() -> None:
    job = load(ROOT / ".github/workflows/apply.yml")["jobs"]["apply"]
    assert job["environment"] == "production"
    assert job["concurrency"]["cancel-in-progress"] is False
    assert job["env"]["EDUSYNC_CREDENTIAL"] == "cache"
    [step] = [s for s in job["steps"] if s.get("with", {}).get("command") == "apply"]
    assert step["with"]["args"] == "--require-reviewed --auto-approve --pr-comment"
    assert "EDUSYNC_TOKEN_CACHE" in step["env"]


def test_drift_workflow_runs_on_a_schedule_and_by_hand() -> None:
    workflow = load(ROOT / ".github/workflows/drift.yml")
    triggers = workflow.get("on") or workflow.get(True)
    assert "schedule" in triggers and "workflow_dispatch" in triggers
    assert (
        "github.ref == 'refs/heads/main'" in workflow["jobs"]["drift"]["if"]
    )  # by hand: main only
    [step] = [s for s in workflow["jobs"]["drift"]["steps"] if s.get("with", {}).get("command")]
    assert step["with"]["args"] == "--drift-issue --detailed-exitcode"


def test_action_interface() -> None:
    action = load(ACTION)
    assert {"command", "path", "args", "python-version", "version"} <= set(action["inputs"])
    assert set(action["outputs"]) == {"changes", "exit-code"}
    assert action["runs"]["using"] == "composite"


def test_plan_and_apply_run_for_every_pull_request_and_merge() -> None:
    """No path filter: a required plan check must report on every pull request (a filtered one
    stays pending, and the pull request cannot merge), and a pull request opened only to re-plan
    (an empty commit) must be planned and, merged, applied."""
    for name, event in (("plan.yml", "pull_request"), ("apply.yml", "push")):
        workflow = load(ROOT / ".github/workflows" / name)
        trigger = (workflow.get("on") or workflow.get(True))[event] or {}
        assert "paths" not in trigger and "paths-ignore" not in trigger, name
