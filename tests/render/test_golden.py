"""Golden files for rendered plans. Regenerate on purpose with UPDATE_GOLDEN=1 and review the diff."""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path

import pytest

from reconciler.desired import load_desired
from reconciler.engine.model import Actual, Plan, PlanOptions
from reconciler.engine.plan import build_plan
from reconciler.kinds import REGISTRY
from reconciler.render.plan_json import render_json
from reconciler.render.plan_markdown import render_markdown
from reconciler.render.plan_text import render_text

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
SAMPLE = HERE.parents[1] / "desired-state"
SEEDS = HERE.parents[0] / "fixtures" / "seeds"


def sample_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Plan:
    tree = tmp_path / "desired-state"
    shutil.copytree(SAMPLE, tree)
    monkeypatch.chdir(tmp_path)
    state = load_desired("desired-state")
    test_profile = json.loads((SEEDS / "001_create_response.json").read_text()) | {
        "state": "provisioned"
    }
    drifted = copy.deepcopy(test_profile)
    drifted["licensesToAssign"][1]["skuIds"] = ["00000000-1111-2222-3333-444444444444"]
    drifted["dataProvider"]["customizations"]["student"]["optionalPropertiesToSync"] = ["State ID"]
    legacy = copy.deepcopy(test_profile) | {
        "id": "11111111-2222-3333-4444-555555555555",
        "displayName": "Legacy 2023",
    }
    tenant = {"synchronizationProfile": [Actual(drifted), Actual(legacy)]}
    return build_plan(
        state.objects,
        tenant,
        PlanOptions(),
        graph_url="https://graph.microsoft.com/beta",
        desired_path="desired-state",
        desired_digest=state.digest,
        created_at="2026-11-22T00:00:00Z",
        registry=REGISTRY,
    )


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"golden file {name} missing: run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_text(tmp_path, monkeypatch) -> None:
    check("plan.txt", render_text(sample_plan(tmp_path, monkeypatch)))


def test_markdown(tmp_path, monkeypatch) -> None:
    check("plan.md", render_markdown(sample_plan(tmp_path, monkeypatch)))


def test_json(tmp_path, monkeypatch) -> None:
    document = json.loads(render_json(sample_plan(tmp_path, monkeypatch)))
    document["tool_version"] = "x.y.z"
    document["desired_digest"] = "sha256:(digest)"
    check("plan.json", json.dumps(document, indent=2) + "\n")


def test_json_never_holds_a_secret_value(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("POWERSCHOOL_CLIENT_SECRET", "the-real-secret")
    text = render_json(sample_plan(tmp_path, monkeypatch))
    assert "the-real-secret" not in text and "(sensitive)" in text


def test_no_changes_summary(tmp_path, monkeypatch) -> None:
    plan = Plan(changes=())
    assert render_text(plan).strip().endswith("No changes. Tenant matches desired state.")


def test_markdown_fits_github_comment_limit(tmp_path, monkeypatch) -> None:
    plan = sample_plan(tmp_path, monkeypatch)
    many = Plan(changes=plan.changes * 400, unmanaged=plan.unmanaged)
    text = render_markdown(many)
    assert len(text) <= 65_536
    assert "more change(s) not shown" in text
    assert text.count("<details>") == text.count("</details>")


def test_markdown_long_lists_and_errors_still_fit(tmp_path, monkeypatch) -> None:
    from reconciler.engine.model import PlanError, Unmanaged

    plan = sample_plan(tmp_path, monkeypatch)
    kind = plan.changes[0].kind
    huge = Plan(
        changes=plan.changes,
        unmanaged=tuple(
            Unmanaged(kind, f"unmanaged profile {i:05d}", f"{i:036d}") for i in range(3000)
        ),
        errors=tuple(PlanError(f"p{i}", "e" * 400) for i in range(100)),
    )
    text = render_markdown(huge)
    assert len(text) <= 65_536
    assert "Plan failed: 100 error(s)" in text and "No changes" not in text
    assert text.count("<details>") == len(plan.pending)  # the changes come before the lists
    assert "list cut to fit" in text and "more errors and warnings" in text


def test_markdown_one_huge_change_does_not_hide_the_others(tmp_path, monkeypatch) -> None:
    from dataclasses import replace as dc_replace

    from reconciler.engine.diff import FieldDiff

    plan = sample_plan(tmp_path, monkeypatch)
    first = plan.changes[0]
    huge = dc_replace(
        first, fields=(FieldDiff("dataProvider.schoolsIds", None, [f"s{i}" for i in range(9000)]),)
    )
    text = render_markdown(Plan(changes=(huge, *plan.changes[1:])))
    assert len(text) <= 65_536
    assert text.count("<details>") == len(plan.pending)
    assert "cut to fit" in text
